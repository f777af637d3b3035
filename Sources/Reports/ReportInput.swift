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
        /// A text cell: `{{name}}` (or `{{name@run}}`) replaced by the report's values.
        case text(template: String, line: Int)
        /// A sample or runs cell, already run: a one-line summary of what it planned and generated.
        case sample(summary: String)
        /// `runs`: the runs it draws, in order (one series or panel each).
        case figure(name: String, caption: String?, width: FigureWidth, runs: [String], x: XAxis, line: Int)
        case table(name: String, caption: String?, runs: [String], line: Int)

        var isFigure: Bool { if case .figure = self { return true } else { return false } }
    }

    /// One run of the notebook: its analysis, its rollouts per problem, where it came from.
    public struct Run {
        public var name: String
        public var report: RunReport
        public var problems: [Problem]
        public var provenance: Provenance
        public var facts: Facts
        /// Mean compute per rollout per cell and pool (curves with `x: tokens|flops`).
        public var compute: ComputeProfile?
        /// `seeds:`: every seed's analysis, this run's first (empty: one seed).
        public var seeds: [(seed: UInt64, report: RunReport)] = []
        public init(name: String, report: RunReport, problems: [Problem], provenance: Provenance, facts: Facts,
                    compute: ComputeProfile? = nil) {
            self.name = name; self.report = report; self.problems = problems; self.provenance = provenance
            self.facts = facts; self.compute = compute
        }
    }

    /// What the `runs` table shows of a run.
    public struct Facts {
        public var model: String
        /// The model file's sha256, or the remote model's key.
        public var modelKey: String
        public var tasks: String
        /// Template, grid and strategy in one line.
        public var grid: String
        public var rollouts: Int
        /// Generated tokens over every rollout of the run.
        public var tokens: Int
        /// Single-rollout accuracy over all breadth rollouts (per-problem means; 95% CI over problems).
        public var accuracy: Interval
        public init(model: String, modelKey: String, tasks: String, grid: String, rollouts: Int, tokens: Int,
                    accuracy: Interval) {
            self.model = model; self.modelKey = modelKey; self.tasks = tasks; self.grid = grid
            self.rollouts = rollouts; self.tokens = tokens; self.accuracy = accuracy
        }
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
        /// Mean per-token entropy (nats), self-certainty, why generation stopped.
        public var meanEntropy: Double?
        public var selfCertainty: Double?
        public var finish: String
        /// EGLR: tokens whose entropy passed the gate, and the extra layer applications they cost.
        public var gatedTokens: Int
        public var extraLayers: Int
        public init(layers: Int, temperature: Double, sample: Int, response: String, extracted: String?,
                    answerClass: String, correct: Bool, rule: String, tokens: Int, meanEntropy: Double? = nil,
                    selfCertainty: Double? = nil, finish: String = "", gatedTokens: Int = 0, extraLayers: Int = 0) {
            self.layers = layers; self.temperature = temperature; self.sample = sample; self.response = response
            self.extracted = extracted; self.answerClass = answerClass; self.correct = correct; self.rule = rule
            self.tokens = tokens; self.meanEntropy = meanEntropy; self.selfCertainty = selfCertainty
            self.finish = finish; self.gatedTokens = gatedTokens; self.extraLayers = extraLayers
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
    /// Every run, in the notebook's order (one in a single-run notebook).
    public var runs: [Run]
    public var options: AnalysisOptions
    /// The folder holding templates/report and templates/styles.
    public var templateRoot: String

    public init(source: String, title: String, style: Style, blocks: [Block], runs: [Run], options: AnalysisOptions,
                templateRoot: String) {
        precondition(!runs.isEmpty, "a report reads at least one run")
        self.source = source; self.title = title; self.style = style; self.blocks = blocks; self.runs = runs
        self.options = options; self.templateRoot = templateRoot
    }

    /// Several runs: values are qualified, figures draw a series or panel per run.
    public var isMultiRun: Bool { runs.count > 1 }

    /// The named runs, in the order given.
    public func runs(_ names: [String]) -> [Run] {
        names.compactMap { n in runs.first { $0.name == n } }
    }
}

/// What the x axis of a curve figure counts: k rollouts, or k times the mean generated tokens
/// (or FLOPs) per rollout of the curve's pool, so strategies compare at equal compute.
public enum XAxis: String, CaseIterable, Sendable {
    case rollouts, tokens, flops
}

public struct ReportError: Error, CustomStringConvertible {
    public let description: String
    public init(_ d: String) { description = d }
}
