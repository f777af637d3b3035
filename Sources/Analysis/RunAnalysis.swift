import Foundation

public struct AnalysisOptions: Sendable, Codable {
    public var resamples = 1000
    public var level = 0.95
    public var seed: UInt64 = 0
    public var epsN = 0.0
    public var typeTolerance = 1e-9
    public var keffThreshold = 2.0
    public var bordaP = 0.5
    /// Decoder layers of the model (for EGLR cost overhead); 0 = unknown.
    public var blockCount = 0
    public var folds = 5
    public var ridgeLambda = 1.0
    /// Approach clustering the outcomes were labelled with (reported, not applied here).
    public var clustering = "answer_class"
    /// k of the first-k-token clustering and of the early-token entropy.
    public var prefixTokens = 8
    public init() {}
}

public enum RunAnalysis {
    /// The k at which maj@k is reported: every k for n <= 64, else 1..16, powers of two, and n.
    public static func majorityGrid(_ n: Int) -> [Int] {
        if n <= 64 { return Array(1...max(n, 1)) }
        var ks = Array(1...16)
        var v = 32
        while v < n { ks.append(v); v *= 2 }
        ks.append(n)
        return ks
    }

    /// Every analysis over a run's outcomes. `features[problem]` = per-layer hidden states
    /// for the T2 predictor (optional). `iterations` = per cell, EGLR iteration histogram.
    public static func analyze(_ outcomes: [Outcome], features: [String: [[Float]]] = [:],
                               iterationHistograms: [Cell: [Int]] = [:], options o: AnalysisOptions = AnalysisOptions()) -> RunReport {
        let problems = Array(Set(outcomes.map(\.problem))).sorted()
        var byCell = [Cell: [String: [Outcome]]]()
        for x in outcomes { byCell[Cell(layers: x.layers, temperature: x.temperature), default: [:]][x.problem, default: []].append(x) }
        let cells = byCell.keys.sorted()
        func ci(_ xs: [Double], _ salt: UInt64) -> Interval {
            Bootstrap.mean(xs, resamples: o.resamples, level: o.level, seed: o.seed &+ salt)
        }

        // Per-cell accuracy, pass@k, maj@k, pass^k, EGLR statistics.
        var cellReports = [CellReport]()
        var perProblem = [String: [String: Double]]()
        for (ci_, cell) in cells.enumerated() {
            let groups = byCell[cell]!
            let n = problems.map { groups[$0]?.count ?? 0 }.filter { $0 > 0 }.min() ?? 0
            guard n > 0 else { continue }
            var acc = [Double](), pass = [Double](repeating: 0, count: n), hat = pass
            let majK = Self.majorityGrid(n)
            var maj = [Double](repeating: 0, count: majK.count)
            var method = "exact"
            var tokens = 0, gated = 0, extra = 0, rollouts = 0
            let label = "L=\(cell.layers) T=\(cell.temperature)"
            for p in problems {
                guard let g = groups[p] else { continue }
                let c = g.filter(\Outcome.correct).count
                acc.append(Double(c) / Double(g.count))
                perProblem[label, default: [:]][p] = Double(c) / Double(g.count)
                let (counts, correct) = classCounts(g)
                let pc = Estimators.passCurve(n: g.count, c: c), hc = Estimators.passHatCurve(n: g.count, c: c)
                for k in 1...n { pass[k - 1] += pc[k - 1]; hat[k - 1] += hc[k - 1] }
                for (i, k) in majK.enumerated() {
                    let m = Estimators.majAtK(counts: counts, correct: correct, k: k, seed: o.seed &+ UInt64(k))
                    maj[i] += m.value
                    if m.method == .monteCarlo { method = "monte_carlo" }
                }
                for x in g { tokens += x.tokens; gated += x.gatedTokens; extra += x.extraLayerApplications; rollouts += 1 }
            }
            let np = Double(acc.count)
            cellReports.append(CellReport(
                layers: cell.layers, temperature: cell.temperature, samples: n, accuracy: ci(acc, UInt64(ci_)),
                passAtK: pass.map { $0 / np }, majAtK: maj.map { $0 / np }, majK: majK, passHatK: hat.map { $0 / np }, majMethod: method,
                meanTokens: Double(tokens) / Double(max(rollouts, 1)),
                gateRate: Double(gated) / Double(max(tokens, 1)), extraPerToken: Double(extra) / Double(max(tokens, 1)),
                costOverhead: o.blockCount > 0 ? Double(extra) / Double(max(tokens * o.blockCount, 1)) : nil,
                iterationHistogram: iterationHistograms[cell]))
        }
        // EGLR cells against plain decoding at the same temperature, paired by problem.
        for i in cellReports.indices where cellReports[i].layers > 0 {
            let c = cellReports[i]
            let label = "L=\(c.layers) T=\(c.temperature)", base = "L=0 T=\(c.temperature)"
            guard let mine = perProblem[label], let plain = perProblem[base] else { continue }
            let shared = mine.keys.filter { plain[$0] != nil }.sorted()
            guard !shared.isEmpty else { continue }
            cellReports[i].vsPlain = Bootstrap.pairedDifference(shared.map { plain[$0]! }, shared.map { mine[$0]! },
                                                                resamples: o.resamples, level: o.level, seed: o.seed &+ 900 &+ UInt64(i))
        }

        // Pools: T-only (L = 0, every T), L-only (T = 0, every L), joint (everything).
        func pool(_ name: String, _ include: (Cell) -> Bool) -> PoolSummary? {
            let chosen = cells.filter(include)
            guard !chosen.isEmpty else { return nil }
            var oracle = [Double](), solved = [String](), sizes = [(n: Int, c: Int)]()
            for p in problems {
                let g = chosen.flatMap { byCell[$0]![p] ?? [] }
                let c = g.filter(\Outcome.correct).count
                oracle.append(c > 0 ? 1 : 0)
                if c > 0 { solved.append(p) }
                sizes.append((g.count, c))
            }
            // Summed in problem order (a dictionary's order varied from process to process).
            let size = sizes.map(\.n).min() ?? 0
            let curve = size == 0 ? [] : (1...size).map { k in
                sizes.reduce(0) { $0 + Estimators.passAtK(n: $1.n, c: $1.c, k: k) } / Double(problems.count)
            }
            return PoolSummary(name: name, rolloutsPerProblem: size, oracle: ci(oracle, 100 + UInt64(name.count)),
                               curve: curve, solved: solved)
        }
        let tOnly = pool("t_only") { $0.layers == 0 }
        let lOnly = pool("l_only") { $0.temperature == 0 }
        let joint = pool("joint") { _ in true }
        var overlap: Overlap? = nil
        if let t = tOnly, let l = lOnly {
            let a = Set(t.solved), b = Set(l.solved)
            let union = a.union(b).count
            overlap = Overlap(both: a.intersection(b).count, tOnlyExclusive: a.subtracting(b).count,
                              lOnlyExclusive: b.subtracting(a).count, neither: problems.count - union,
                              jaccard: union == 0 ? 0 : Double(a.intersection(b).count) / Double(union))
        }
        let pools = PoolsReport(pools: [tOnly, lOnly, joint].compactMap { $0 },
                                jointMinusTOnlyPP: tOnly.flatMap { t in joint.map { 100 * ($0.oracle.value - t.oracle.value) } },
                                jointMinusLOnlyPP: lOnly.flatMap { l in joint.map { 100 * ($0.oracle.value - l.oracle.value) } },
                                overlap: overlap)

        // The main cell for budget analyses: most samples, preferring L = 0, then the highest T.
        func rank(_ c: Cell) -> (Int, Int, Double) {
            let n = cellReports.first { $0.layers == c.layers && $0.temperature == c.temperature }?.samples ?? 0
            return (n, c.layers == 0 ? 1 : 0, c.temperature)
        }
        let main = cells.filter { $0.temperature > 0 }.max { rank($0) < rank($1) }
        var audit: AuditReport? = nil
        var selection: SelectionReport? = nil
        var diversity: DiversityReport? = nil
        var predictor: BudgetPrediction? = nil
        if let main, let groups = byCell[main] {
            let ps = problems.filter { groups[$0] != nil }
            let n = ps.map { groups[$0]!.count }.min() ?? 1
            let grid = Overscaling.grid(upTo: n)
            let pools = ps.map { classCounts(Array(groups[$0]!.prefix(n))) }
            let rep: OverscalingReport = Overscaling.report(pools: pools, grid: grid, epsN: o.epsN, tolerance: o.typeTolerance, seed: o.seed)
            let nD = rep.datasetBudget
            let jD = grid.firstIndex(of: nD)!
            var rows = [AuditRow]()
            var atD = [Double](), atOwn = [Double]()
            for (i, p) in ps.enumerated() {
                let g: [Outcome] = groups[p]!
                let tokenSum: Int = g.reduce(0) { $0 + $1.tokens }
                let meanTokens = Double(tokenSum) / Double(g.count)
                let need: Int = rep.sampleOptimal[i]
                let own: Double = rep.curves[i][grid.firstIndex(of: need)!]
                atD.append(rep.curves[i][jD]); atOwn.append(own)
                rows.append(AuditRow(problem: p, spent: nD, needed: need, wastedRollouts: max(0, nD - need),
                                     wastedTokens: Double(max(0, nD - need)) * meanTokens, meanTokens: meanTokens,
                                     accuracyAtDatasetBudget: rep.curves[i][jD], accuracyAtOwnBudget: own,
                                     type: rep.sampleTypes[i].rawValue))
            }
            rows.sort { ($0.wastedTokens, $1.problem) > ($1.wastedTokens, $0.problem) }
            var types = [String: Int]()
            for t in rep.sampleTypes { types[t.rawValue, default: 0] += 1 }
            let oracleRollouts: Int = rep.sampleOptimal.reduce(0, +)
            let wasted: Double = rows.reduce(0.0) { $0 + $1.wastedTokens }
            audit = AuditReport(cell: main, datasetBudget: nD,
                                meanSampleOptimal: Double(oracleRollouts) / Double(max(ps.count, 1)),
                                overscalingIndex: rep.overscalingIndex, redundancy: rep.redundancy, curse: rep.curse,
                                grid: grid, datasetCurve: rep.datasetCurve, sampleTypes: types,
                                accuracyAtDatasetBudget: ci(atD, 200), accuracyAtOracleBudgets: ci(atOwn, 201),
                                rolloutsAtDatasetBudget: nD * ps.count, rolloutsAtOracleBudgets: oracleRollouts,
                                tokensWasted: wasted,
                                savedFraction: 1 - Double(oracleRollouts) / Double(max(nD * ps.count, 1)),
                                rows: rows, sampleOptimal: Dictionary(uniqueKeysWithValues: zip(ps, rep.sampleOptimal)),
                                curves: Dictionary(uniqueKeysWithValues: zip(ps, rep.curves)))

            // Selection rules on the main cell's full pools.
            var mean = [Double](), maj = [Double](), bonSC = [Double](), bonLP = [Double](), borda = [Double](), orc = [Double]()
            for p in ps {
                let g = groups[p]!
                let (counts, correct) = classCounts(g)
                mean.append(Double(g.filter(\Outcome.correct).count) / Double(g.count))
                maj.append(Estimators.majAtK(counts: counts, correct: correct, k: g.count, seed: o.seed).value)
                bonSC.append(Estimators.bestOfN(scores: g.map(\Outcome.selfCertainty), correct: g.map(\Outcome.correct)))
                bonLP.append(Estimators.bestOfN(scores: g.map(\Outcome.meanLogprob), correct: g.map(\Outcome.correct)))
                let correctClass = g.first(where: \Outcome.correct)?.answerClass
                borda.append(Estimators.bordaVote(scores: g.map(\Outcome.selfCertainty), classes: g.map(\Outcome.answerClass),
                                                  correctClass: correctClass, p: o.bordaP))
                orc.append(g.contains(where: \Outcome.correct) ? 1 : 0)
            }
            selection = SelectionReport(cell: main, meanAccuracy: ci(mean, 300), majority: ci(maj, 301),
                                        bestOfNSelfCertainty: ci(bonSC, 302), bestOfNLogprob: ci(bonLP, 303),
                                        bordaSelfCertainty: ci(borda, 304), oracle: ci(orc, 305))

            // Diversity over answer classes (the default clustering).
            var keff = [Double](), hs = [Double]()
            var vTotal = Decomposition(total: 0, across: 0, within: 0), eTotal = vTotal
            for p in ps {
                let g = groups[p]!
                let (pi, q) = Diversity.approaches(labels: g.map(\Outcome.approach), correct: g.map(\Outcome.correct))
                let prof = Diversity.profile(probabilities: pi)
                keff.append(prof.effectiveApproaches); hs.append(prof.entropy)
                let v = Diversity.varianceDecomposition(pi: pi, q: q), e = Diversity.entropyDecomposition(pi: pi, q: q)
                vTotal.total += v.total; vTotal.across += v.across; vTotal.within += v.within
                eTotal.total += e.total; eTotal.across += e.across; eTotal.within += e.within
            }
            let m = Double(max(ps.count, 1))
            for d in [\Decomposition.total, \.across, \.within] { vTotal[keyPath: d] /= m; eTotal[keyPath: d] /= m }
            let med = median(keff)
            var byT = [String: Double]()
            for c in cells where c.layers == 0 && c.temperature > 0 {
                byT[String(c.temperature)] = median(problems.compactMap { byCell[c]![$0] }.map { g in
                    let (pi, _) = Diversity.approaches(labels: g.map(\Outcome.approach), correct: g.map(\Outcome.correct))
                    return Diversity.profile(probabilities: pi).effectiveApproaches })
            }
            let regime = med < o.keffThreshold ? "low" : "high"
            let recommendation: String, evidence: String
            let sel = selection!
            if regime == "low" {
                recommendation = "depth"
                evidence = String(format: "median K_eff %.2f < %.1f: samples mostly repeat one approach, so extra independent rollouts add little; majority vote at N=%d gives %.1f%%.", med, o.keffThreshold, n, 100 * sel.majority.value)
            } else {
                recommendation = "breadth"
                evidence = String(format: "median K_eff %.2f >= %.1f: samples spread over approaches; oracle at N=%d is %.1f%% vs %.1f%% single-sample, and per-problem budgets save %.0f%% of rollouts (M_D = %.2f).", med, o.keffThreshold, n, 100 * sel.oracle.value, 100 * sel.meanAccuracy.value, 100 * (audit?.savedFraction ?? 0), audit?.overscalingIndex ?? 0)
            }
            // Early (approach-committing) tokens vs the rest, where per-token prefixes were loaded.
            var early = [Double](), late = [Double]()
            for x in ps.flatMap({ groups[$0]! }) {
                guard let e = x.earlyEntropy else { continue }
                early.append(e)
                if x.tokens > o.prefixTokens {
                    let k = Double(o.prefixTokens)
                    late.append((x.meanEntropy * Double(x.tokens) - e * k) / (Double(x.tokens) - k))
                }
            }
            diversity = DiversityReport(cell: main, clustering: o.clustering, medianEffectiveApproaches: med,
                                        regime: regime, threshold: o.keffThreshold, effectiveApproaches: keff,
                                        meanEntropy: hs.reduce(0, +) / m, varianceForm: vTotal, entropyForm: eTotal,
                                        byTemperature: byT,
                                        earlyTokenEntropy: early.isEmpty ? nil : early.reduce(0, +) / Double(early.count),
                                        laterTokenEntropy: late.isEmpty ? nil : late.reduce(0, +) / Double(late.count),
                                        prefixTokens: o.prefixTokens,
                                        recommendation: "\(recommendation) at N = \(audit?.datasetBudget ?? n)",
                                        evidence: evidence)

            // T2: needs features for every problem of the main cell.
            let feats = ps.compactMap { features[$0] }
            if feats.count == ps.count {
                predictor = BudgetPredictor.evaluate(features: feats, nStar: rep.sampleOptimal, curves: rep.curves, grid: grid,
                                                     datasetBudget: nD, folds: o.folds, lambda: o.ridgeLambda)
            }
        }

        // Group-relative training signal at equal group size.
        var signals = [SignalReport]()
        let k = [tOnly, joint].compactMap { $0?.rolloutsPerProblem }.min() ?? 0
        if k >= 2 {
            for (name, include) in [("t_only", { (c: Cell) in c.layers == 0 }), ("joint", { (_: Cell) in true })] {
                var mixed = 0.0, variance = 0.0
                for p in problems {
                    let g = cells.filter(include).flatMap { byCell[$0]![p] ?? [] }
                    let n = g.count, c = g.filter(\Outcome.correct).count
                    guard n >= k else { continue }
                    mixed += 1 - hyper(n: n, good: c, k: k) - hyper(n: n, good: n - c, k: k)
                    let pc = Double(c) / Double(n)
                    variance += pc * (1 - pc) * Double(k - 1) / Double(k) * Double(n) / Double(max(n - 1, 1))
                }
                signals.append(SignalReport(pool: name, groupSize: k, mixedFraction: mixed / Double(problems.count),
                                            meanVariance: variance / Double(problems.count)))
            }
        }
        return RunReport(problems: problems.count, rollouts: outcomes.count, options: o, cells: cellReports, pools: pools,
                         audit: audit, selection: selection, trainingSignal: signals, diversity: diversity,
                         budgetPredictor: predictor, perProblemAccuracy: perProblem)
    }

    /// Probability that k draws without replacement from n, `good` of them marked, are all marked.
    static func hyper(n: Int, good: Int, k: Int) -> Double {
        if good < k { return 0 }
        var p = 1.0
        for i in 0..<k { p *= Double(good - i) / Double(n - i) }
        return p
    }

    static func median(_ xs: [Double]) -> Double {
        guard !xs.isEmpty else { return 0 }
        let s = xs.sorted()
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }

    /// Class sizes (sorted by first appearance) and the index of the correct class (the
    /// last correct rollout's). Kept for callers; the module uses `OutcomeIndex.classCounts`.
    public static func classCounts(_ g: [Outcome]) -> (counts: [Int], correct: Int?) {
        let t = OutcomeIndex.classCounts(g)
        return (t.counts, t.correct)
    }
}
