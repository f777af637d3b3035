import TestSupport

let Fixture = FixtureDir(target: "InferenceTests")
