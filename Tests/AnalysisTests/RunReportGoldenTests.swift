import Analysis
import Foundation
import Testing

/// Locks the whole `RunAnalysis.analyze` report (plus the depth and refinement comparisons)
/// on a synthetic but non-trivial run: the JSON must match the golden recorded from the
/// code before the Analysis split, byte for byte. Re-record with ROLLBOOK_RECORD_ANALYSIS=1
/// (writes the JSON to /tmp/run_report_golden.json; regenerate RunReportGolden.swift from it)
/// only when a change of numbers is intended.
@Suite struct RunReportGoldenTests {
    /// A small deterministic generator (64-bit LCG, high bits), independent of the module.
    struct Gen {
        var state: UInt64
        mutating func next() -> UInt64 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return state >> 11
        }
        mutating func unit() -> Double { Double(next() % 1_000_000) / 1_000_000 }
        mutating func int(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    }

    static let problems = ["alg-01", "alg-02", "geo-01", "geo-02", "num-01", "num-02", "prob-01"]

    /// Per problem: probability of the correct class at greedy / sampled cells and how many
    /// wrong classes the sampled rollouts spread over.
    static let difficulty: [String: (right: Double, wrong: Int)] = [
        "alg-01": (1.0, 3), "alg-02": (0.55, 9), "geo-01": (0.0, 6), "geo-02": (0.3, 11),
        "num-01": (0.8, 2), "num-02": (0.15, 12), "prob-01": (0.5, 4),
    ]

    /// Cells: (layers, temperature, samples); some problems get extra samples, some none.
    static let cells: [(Int, Double, Int)] = [(0, 0, 1), (2, 0, 1), (0, 0.7, 8), (2, 0.7, 8), (0, 1.0, 40), (3, 1.0, 6)]

    static func outcomes() -> [Outcome] {
        var g = Gen(state: 20240611)
        var out = [Outcome]()
        for (l, t, n) in cells {
            for p in problems {
                if p == "prob-01" && (t == 1.0 || (l == 2 && t == 0)) { continue }   // absent from the main cell
                if p == "geo-02" && l == 2 && t == 0.7 { continue }                    // absent from one EGLR cell
                let extra = (p == "alg-02" && n > 1) ? 3 : (p == "num-01" && t == 0.7 ? 2 : 0)
                let (right, wrong) = difficulty[p]!
                let pr = t == 0 ? (right >= 0.5 ? 1.0 : 0.0) : max(0, min(1, right + Double(l) * 0.05 - t * 0.1))
                for s in 0..<(n + extra) {
                    let correct = g.unit() < pr
                    var cls: String
                    if correct {
                        // num-02 has two answer classes graded correct ("1/2" and "0.5").
                        cls = p == "num-02" && g.int(3) == 0 ? "0.5" : "1/2"
                        if p != "num-02" { cls = "ans-\(p)" }
                    } else {
                        let w = g.int(wrong + 1)
                        cls = w == wrong ? "no_answer" : "w\(w * w % (wrong + 1))"
                    }
                    let tokens = 4 + g.int(60)
                    let ent = 0.2 + 2 * g.unit()
                    let approach = s % 3 == 0 ? "first:\(cls.prefix(2))" : nil
                    let early = s % 2 == 0 ? 0.1 + 3 * g.unit() : nil
                    out.append(Outcome(
                        problem: p, layers: l, temperature: t, sample: s, correct: correct, answerClass: cls,
                        tokens: tokens, meanEntropy: ent, meanLogprob: -ent / 2 - (correct ? 0 : 0.3 * g.unit()),
                        selfCertainty: correct ? 2 + g.unit() : 1 + 1.5 * g.unit(),
                        gatedTokens: l > 0 ? g.int(tokens + 1) : 0, extraLayerApplications: l > 0 ? g.int(3 * tokens) : 0,
                        approach: approach, earlyEntropy: early))
                }
            }
        }
        // Input order is not sorted by cell or problem.
        var shuffled = out
        for i in stride(from: shuffled.count - 1, to: 0, by: -1) { shuffled.swapAt(i, g.int(i + 1)) }
        return shuffled
    }

    static func features() -> [String: [[Float]]] {
        var g = Gen(state: 77)
        var f = [String: [[Float]]]()
        for p in problems {
            f[p] = (0..<3).map { _ in (0..<6).map { _ in Float(g.unit() * 4 - 2) } }
        }
        return f
    }

    static func depth() -> [DepthOutcome] {
        var g = Gen(state: 5)
        var out = [DepthOutcome]()
        for (l, t) in [(0, 1.0), (3, 1.0), (0, 0.0)] {
            for signal in ["entropy", "random"] {
                for p in problems where p != "num-01" {
                    for trial in 0..<2 {
                        for _ in 0..<4 {
                            let correct = g.unit() < difficulty[p]!.right
                            let cls = correct ? "ans-\(p)" : "w\(g.int(3))"
                            out.append(DepthOutcome(problem: p, layers: l, temperature: t, signal: signal, trial: trial,
                                                    correct: correct, answerClass: cls, tokens: 3 + g.int(40)))
                        }
                    }
                }
            }
        }
        return out
    }

    static func refine() -> [RefineOutcome] {
        var g = Gen(state: 9)
        var out = [RefineOutcome]()
        for (l, t) in [(0, 0.7), (2, 0.7), (0, 0.0)] {
            for p in problems {
                for sample in 0..<3 {
                    for round in 1...3 {
                        let correct = g.unit() < difficulty[p]!.right
                        out.append(RefineOutcome(problem: p, layers: l, temperature: t, sample: sample, round: round,
                                                 correct: correct, answerClass: correct ? "ans-\(p)" : "w\(g.int(4))",
                                                 tokens: 2 + g.int(30)))
                    }
                }
            }
        }
        return out
    }

    static func report() -> RunReport {
        var o = AnalysisOptions()
        o.resamples = 150
        o.seed = 11
        o.epsN = 0.01
        o.blockCount = 28
        o.folds = 3
        o.ridgeLambda = 0.5
        o.keffThreshold = 2.5
        let outcomes = outcomes()
        var r = RunAnalysis.analyze(outcomes, features: features(),
                                    iterationHistograms: [Cell(layers: 2, temperature: 0.7): [3, 5, 1],
                                                          Cell(layers: 3, temperature: 1.0): [0, 4, 2, 1]],
                                    options: o)
        r.depth = DepthAnalysis.compare(breadth: outcomes, depth: depth(), b0: 2, prefixTokens: 8,
                                        resamples: o.resamples, level: o.level, seed: o.seed)
        r.refinement = RefineAnalysis.compare(breadth: outcomes, refine: refine(), resamples: o.resamples,
                                              level: o.level, seed: o.seed)
        return r
    }

    /// The other branches: low-diversity regime (depth recommended), no block count, no
    /// features (no T2 predictor), no iteration histograms.
    static func plainReport() -> RunReport {
        var o = AnalysisOptions()
        o.resamples = 60
        o.seed = 3
        o.keffThreshold = 100
        o.clustering = "prefix"
        return RunAnalysis.analyze(outcomes(), options: o)
    }

    static func json(_ r: RunReport) throws -> String {
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys]
        return String(decoding: try enc.encode(r), as: UTF8.self)
    }

    @Test func runReportMatchesGoldenJSON() throws {
        let r = Self.report()
        let got = try Self.json(r)
        if ProcessInfo.processInfo.environment["ROLLBOOK_RECORD_ANALYSIS"] == "1" {
            try got.write(toFile: "/tmp/run_report_golden.json", atomically: true, encoding: .utf8)
            return
        }
        // The run exercises what the golden is meant to lock.
        #expect(r.audit != nil && r.selection != nil && r.diversity != nil && r.budgetPredictor != nil)
        #expect(r.cells.contains { $0.majMethod == "monte_carlo" } && r.cells.contains { $0.vsPlain != nil })
        #expect(r.pools.overlap != nil && r.trainingSignal.count == 2)
        #expect(r.diversity?.earlyTokenEntropy != nil && r.diversity?.laterTokenEntropy != nil)
        #expect(!(r.depth ?? []).isEmpty && !(r.refinement ?? []).isEmpty)
        if got != runReportGolden {
            try? got.write(toFile: NSTemporaryDirectory() + "run_report_actual.json", atomically: true, encoding: .utf8)
        }
        #expect(got == runReportGolden, "RunReport JSON differs from the golden (actual in $TMPDIR/run_report_actual.json)")
    }

    @Test func plainRunReportMatchesGoldenJSON() throws {
        let r = Self.plainReport()
        let got = try Self.json(r)
        if ProcessInfo.processInfo.environment["ROLLBOOK_RECORD_ANALYSIS"] == "1" {
            try got.write(toFile: "/tmp/run_report_plain_golden.json", atomically: true, encoding: .utf8)
            return
        }
        #expect(r.diversity?.regime == "low" && r.budgetPredictor == nil && r.cells.allSatisfy { $0.costOverhead == nil })
        if got != plainRunReportGolden {
            try? got.write(toFile: NSTemporaryDirectory() + "run_report_plain_actual.json", atomically: true,
                           encoding: .utf8)
        }
        #expect(got == plainRunReportGolden, "plain RunReport JSON differs (actual in $TMPDIR/run_report_plain_actual.json)")
    }

    /// Codable synthesis follows declaration order: the stored fields of every report type, in order.
    @Test func reportFieldsKeepTheirDeclarationOrder() {
        var lines = [String]()
        func walk(_ v: Any, _ path: String) {
            let m = Mirror(reflecting: v)
            switch m.displayStyle {
            case .optional: if let c = m.children.first { walk(c.value, path) }
            case .collection: if let c = m.children.first { walk(c.value, path + "[]") }
            case .struct:
                lines.append("\(path): " + m.children.map { $0.label ?? "?" }.joined(separator: ","))
                for c in m.children { walk(c.value, path + "." + (c.label ?? "?")) }
            default: break
            }
        }
        walk(Self.report(), "RunReport")
        if ProcessInfo.processInfo.environment["ROLLBOOK_RECORD_ANALYSIS"] == "1" {
            try? lines.joined(separator: "\n").write(toFile: "/tmp/run_report_fields.txt", atomically: true, encoding: .utf8)
            return
        }
        #expect(lines.joined(separator: "\n") == runReportFieldOrderGolden)
    }
}
