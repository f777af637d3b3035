import TestSupport

let Fixture = FixtureDir(target: "TasksTests")
