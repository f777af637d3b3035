import TestSupport

let Fixture = FixtureDir(target: "TokenizerTests")
