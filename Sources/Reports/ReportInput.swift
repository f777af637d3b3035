import Analysis
import Charts
import Foundation

/// Everything a report is drawn from: analysed data, the notebook's cells in order, the
/// rollouts to show per problem, and provenance. Built by the notebook executor; the
/// writer runs nothing and reads no store.
public struct ReportInput {
    /// One notebook cell, as the writer sees it.
    public enum Block {
        case prose(markdown: String)
        /// A text cell: `{{name}}` replaced by the report's values.
        case text(template: String, line: Int)
        /// A sample cell, already run: a one-line summary of what it planned and generated.
        case sample(summary: String)
        case figure(name: String, caption: String?, wide: Bool, line: Int)
        case table(name: String, caption: String?, line: Int)
    }

    public struct Rollout {
        public var layers: Int
        public var temperature: Double
        public var sample: Int
        public var response: String
        public var extracted: String?
        public var answerClass: String
        public var correct: Bool
        public var rule: String
        public var tokens: Int
        public init(layers: Int, temperature: Double, sample: Int, response: String, extracted: String?,
                    answerClass: String, correct: Bool, rule: String, tokens: Int) {
            self.layers = layers; self.temperature = temperature; self.sample = sample; self.response = response
            self.extracted = extracted; self.answerClass = answerClass; self.correct = correct; self.rule = rule
            self.tokens = tokens
        }
    }

    /// A problem with every rollout of the run (drill-down section of the HTML).
    public struct Problem {
        public var id: String
        public var question: String
        public var gold: String
        public var tier: Int?
        public var rollouts: [Rollout]
        public init(id: String, question: String, gold: String, tier: Int?, rollouts: [Rollout]) {
            self.id = id; self.question = question; self.gold = gold; self.tier = tier; self.rollouts = rollouts
        }
    }

    public struct Provenance {
        public var model: String
        public var modelPath: String
        public var modelKey: String
        public var tasks: String
        public var grader: String
        /// The plan's canonical text.
        public var plan: String
        public var timings: String
        /// The Rollbook version that wrote the report.
        public var version: String
        public init(model: String, modelPath: String, modelKey: String, tasks: String, grader: String, plan: String,
                    timings: String, version: String) {
            self.model = model; self.modelPath = modelPath; self.modelKey = modelKey; self.tasks = tasks
            self.grader = grader; self.plan = plan; self.timings = timings; self.version = version
        }
    }

    /// The notebook's path (errors name it and a cell's line).
    public var source: String
    public var title: String
    public var style: Style
    public var blocks: [Block]
    public var report: RunReport
    public var options: AnalysisOptions
    public var problems: [Problem]
    public var provenance: Provenance
    /// The folder holding templates/report and templates/styles.
    public var templateRoot: String

    public init(source: String, title: String, style: Style, blocks: [Block], report: RunReport,
                options: AnalysisOptions, problems: [Problem], provenance: Provenance, templateRoot: String) {
        self.source = source; self.title = title; self.style = style; self.blocks = blocks; self.report = report
        self.options = options; self.problems = problems; self.provenance = provenance; self.templateRoot = templateRoot
    }
}

public struct ReportError: Error, CustomStringConvertible {
    public let description: String
    public init(_ d: String) { description = d }
}
