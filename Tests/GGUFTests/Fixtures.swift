import TestSupport

let Fixture = FixtureDir(target: "GGUFTests")
