import Analysis
import ArgumentParser
import Foundation
import Notebooks
import Runner
import Sampling
import Store

/// The analysis layer at scale: builds (once) a store of synthetic graded rollouts,
/// `problems` x `samples` in one cell, then times loading and the full analysis.
struct BenchAnalysis: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-analysis",
        abstract: "Time `analyze` on a large synthetic store (default 500 problems x 2,000 rollouts).")

    @Option(name: .long, help: "Problems.") var problems = 500
    @Option(name: .long, help: "Rollouts per problem.") var samples = 2000
    @Option(name: .long, help: "The synthetic store (built if missing).") var store = "data/bench-analysis.sqlite"
    @Option(name: .long, help: "Bootstrap resamples.") var resamples = 1000
    @Flag(name: .long, help: "Emit JSON.") var json = false
    @Flag(name: .long, help: "Also time writing a bundle of the run and rendering it offline.") var bundle = false

    func run() throws {
        let name = "bench-\(problems)x\(samples)"
        let clock = ContinuousClock()
        let s = try RolloutStore(path: store)
        var buildSeconds = 0.0
        if try s.run(named: name) == nil {
            let t0 = clock.now
            try buildStore(s, name: name)
            buildSeconds = secs(t0.duration(to: clock.now))
        }
        let t0 = clock.now
        let data = try RunData.load(store: s, run: name, features: false)
        let t1 = clock.now
        var o = AnalysisOptions()
        o.resamples = resamples
        let report = RunAnalysis.analyze(data.outcomes, options: o)
        let t2 = clock.now
        var out: [String: Any] = [
            "problems": problems, "samples": samples, "rollouts": data.outcomes.count,
            "build_seconds": buildSeconds, "load_seconds": secs(t0.duration(to: t1)),
            "analyze_seconds": secs(t1.duration(to: t2)),
            "total_seconds": secs(t0.duration(to: t2)), "peak_rss_bytes": peakRSSBytes(),
            "maj_method": report.cells.first?.majMethod ?? "", "n_d": report.audit?.datasetBudget ?? 0,
        ]
        if bundle { for (k, v) in try timeBundle(store: s, run: name) { out[k] = v } }
        if json {
            let d = try JSONSerialization.data(withJSONObject: out, options: [.sortedKeys])
            print(String(decoding: d, as: UTF8.self))
        } else {
            print(String(format: "%d rollouts (%d problems x %d): load %.2f s, analyze %.2f s, total %.2f s, "
                             + "peak RSS %.0f MiB%@",
                         data.outcomes.count, problems, samples, out["load_seconds"] as! Double,
                         out["analyze_seconds"] as! Double,
                         out["total_seconds"] as! Double, Double(peakRSSBytes()) / 1_048_576,
                         buildSeconds > 0 ? String(format: " (store built in %.1f s)", buildSeconds) : ""))
            if bundle {
                print(String(format: "bundle: written in %.2f s (%.1f MB), rendered offline in %.2f s",
                             out["bundle_write_seconds"] as! Double, Double(out["bundle_bytes"] as! Int) / 1e6,
                             out["bundle_render_seconds"] as! Double))
            }
        }
    }

    /// Synthetic graded rollouts: per-problem success from a U-shaped mix, three wrong classes.
    func buildStore(_ s: RolloutStore, name: String) throws {
        var rng = SplitMix64(seed: 2026)
        var keys = [String]()
        keys.reserveCapacity(problems * samples)
        var batch = [StoredRollout]()
        for p in 0..<problems {
            // A spread of difficulties: per-problem success from a U-shaped mix, three
            // wrong answer classes with their own weights.
            let u = Double.random(in: 0..<1, using: &rng)
            let success = u < 0.3 ? 0.02 * Double.random(in: 0..<1, using: &rng)
                : (u > 0.8 ? 0.9 + 0.1 * Double.random(in: 0..<1, using: &rng)
                           : Double.random(in: 0..<1, using: &rng))
            let wrong = [Double.random(in: 0..<1, using: &rng) + 0.1, Double.random(in: 0..<1, using: &rng) + 0.1,
                         Double.random(in: 0..<1, using: &rng) + 0.1]
            let wsum = wrong.reduce(0, +)
            for i in 0..<samples {
                let correct = Double.random(in: 0..<1, using: &rng) < success
                var cls = "\(p)"
                if !correct {
                    var x = Double.random(in: 0..<1, using: &rng) * wsum, j = 0
                    while j < 2 && x > wrong[j] { x -= wrong[j]; j += 1 }
                    cls = "w\(j)"
                }
                let key = "bench:\(p):\(i)"
                keys.append(key)
                let ent = 0.2 + Double.random(in: 0..<1, using: &rng)
                batch.append(StoredRollout(
                    key: key, modelKey: "bench", promptHash: "p\(p)", taskKey: "bench",
                    problemID: String(format: "p%04d", p),
                    layers: 0, temperature: 0.7, sampleIndex: i, seed: UInt64(i), params: "bench", response: "",
                    tokenCount: 20 + Int(rng.next() % 200), finishReason: "eos", meanEntropy: ent,
                    meanLogprob: -ent,
                    selfCertainty: 2 - ent + (correct ? 0.3 : 0), gatedTokens: 0, extraLayerApplications: 0,
                    extracted: cls, answerClass: cls, correct: correct, rule: "bench", graderVersion: "bench",
                    tokens: Data(), seconds: 0))
                if batch.count == 50_000 { _ = try s.insert(batch); batch.removeAll(keepingCapacity: true) }
            }
        }
        _ = try s.insert(batch)
        try s.recordRun(RunRecord(name: name, plan: "synthetic", source: "", modelKey: "bench", taskKey: "bench",
                                  graderVersion: "bench", blockCount: 0, info: "bench-analysis",
                                  members: keys.map { ($0, "") }))
    }

    /// A notebook over the synthetic run (its plan recorded as the run's), bundled and re-rendered.
    func timeBundle(store s: RolloutStore, run name: String) throws -> [String: Any] {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rollbook-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let nbPath = dir.appendingPathComponent("\(name).md").path
        try """
            ---
            title: Synthetic \(name)
            ---
            # Budget audit at scale

            ```rollbook
            sample: {name: \(name), grid: {temperatures: [0.7], n: \(samples)}}
            ```

            ```rollbook
            figure: coverage
            ```

            ```rollbook
            table: budget-audit
            ```
            """.write(toFile: nbPath, atomically: true, encoding: .utf8)
        let nb = try Notebook.load(path: nbPath)
        guard let info = try s.run(named: name) else { return [:] }
        try s.recordRun(RunRecord(name: name, plan: nb.plans[0].canonical, source: "", modelKey: info.modelKey,
                                  taskKey: info.taskKey, graderVersion: info.graderVersion, blockCount: 0,
                                  info: info.info, members: try s.members(run: name).map { ($0.key, $0.goldHash) }))
        let clock = ContinuousClock()
        let t0 = clock.now
        let out = dir.appendingPathComponent("b.rollbook").path
        let w = try Bundler.bundle(notebookPath: nbPath, storePath: s.path, out: out)
        let t1 = clock.now
        _ = try Bundler.render(out, outDir: dir.appendingPathComponent("out").path, progress: .automatic(quiet: true,
                                                                                                          label: ""))
        let t2 = clock.now
        return ["bundle_write_seconds": secs(t0.duration(to: t1)), "bundle_render_seconds": secs(t1.duration(to: t2)),
                "bundle_bytes": w.bytes]
    }
}

func secs(_ d: Duration) -> Double { BenchAnalysisSeconds.of(d) }

enum BenchAnalysisSeconds {
    static func of(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18 }
}
