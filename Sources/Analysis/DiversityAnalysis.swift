import Foundation

/// Diversity of the main cell's approaches (the run's clustering; answer classes by default):
/// effective approaches per problem, the uncertainty decompositions, K_eff per temperature,
/// early-token entropy, and the depth-or-breadth recommendation that follows.
enum DiversityAnalysis {
    static func analyze(_ ctx: AnalysisContext, _ main: MainCell, audit: AuditReport?,
                        selection sel: SelectionReport) -> DiversityReport {
        let o = ctx.options, n = main.samples
        var keff = [Double](), hs = [Double]()
        var vTotal = Decomposition(total: 0, across: 0, within: 0), eTotal = vTotal
        for p in main.problems {
            let g = main.outcomes(p)
            let (pi, q) = Diversity.approaches(labels: g.map(\Outcome.approach), correct: g.map(\Outcome.correct))
            let prof = Diversity.profile(probabilities: pi)
            keff.append(prof.effectiveApproaches); hs.append(prof.entropy)
            let v = Diversity.varianceDecomposition(pi: pi, q: q), e = Diversity.entropyDecomposition(pi: pi, q: q)
            vTotal.total += v.total; vTotal.across += v.across; vTotal.within += v.within
            eTotal.total += e.total; eTotal.across += e.across; eTotal.within += e.within
        }
        let m = Double(max(main.problems.count, 1))
        for d in [\Decomposition.total, \.across, \.within] { vTotal[keyPath: d] /= m; eTotal[keyPath: d] /= m }
        let med = median(keff)
        let regime = med < o.keffThreshold ? "low" : "high"
        let recommendation: String, evidence: String
        if regime == "low" {
            recommendation = "depth"
            evidence = String(format: "median K_eff %.2f < %.1f: samples mostly repeat one approach, so extra "
                              + "independent rollouts add little; majority vote at N=%d gives %.1f%%.",
                              med, o.keffThreshold, n, 100 * sel.majority.value)
        } else {
            recommendation = "breadth"
            evidence = String(format: "median K_eff %.2f >= %.1f: samples spread over approaches; oracle at N=%d "
                              + "is %.1f%% vs %.1f%% single-sample, and per-problem budgets save %.0f%% of rollouts "
                              + "(M_D = %.2f).",
                              med, o.keffThreshold, n, 100 * sel.oracle.value, 100 * sel.meanAccuracy.value,
                              100 * (audit?.savedFraction ?? 0), audit?.overscalingIndex ?? 0)
        }
        let (early, late) = tokenEntropies(main, prefixTokens: o.prefixTokens)
        return DiversityReport(cell: main.cell, clustering: o.clustering, medianEffectiveApproaches: med,
                               regime: regime, threshold: o.keffThreshold, effectiveApproaches: keff,
                               meanEntropy: hs.reduce(0, +) / m, varianceForm: vTotal, entropyForm: eTotal,
                               byTemperature: byTemperature(ctx.index),
                               earlyTokenEntropy: early, laterTokenEntropy: late,
                               prefixTokens: o.prefixTokens,
                               recommendation: "\(recommendation) at N = \(audit?.datasetBudget ?? n)",
                               evidence: evidence)
    }

    /// Per temperature (L = 0, T > 0): median K_eff over problems.
    static func byTemperature(_ index: OutcomeIndex) -> [String: Double] {
        var byT = [String: Double]()
        for c in index.cells where c.layers == 0 && c.temperature > 0 {
            byT[String(c.temperature)] = median(index.problems.compactMap { index.byCell[c]![$0] }.map { g in
                let (pi, _) = Diversity.approaches(labels: g.map(\Outcome.approach), correct: g.map(\Outcome.correct))
                return Diversity.profile(probabilities: pi).effectiveApproaches
            })
        }
        return byT
    }

    /// Mean entropy of the early (approach-committing) tokens and of the rest, over the
    /// rollouts whose per-token prefixes were loaded; nil when there are none.
    static func tokenEntropies(_ main: MainCell, prefixTokens: Int) -> (early: Double?, late: Double?) {
        var early = [Double](), late = [Double]()
        for x in main.problems.flatMap({ main.outcomes($0) }) {
            guard let e = x.earlyEntropy else { continue }
            early.append(e)
            if x.tokens > prefixTokens {
                let k = Double(prefixTokens)
                late.append((x.meanEntropy * Double(x.tokens) - e * k) / (Double(x.tokens) - k))
            }
        }
        return (early.isEmpty ? nil : early.reduce(0, +) / Double(early.count),
                late.isEmpty ? nil : late.reduce(0, +) / Double(late.count))
    }

    static func median(_ xs: [Double]) -> Double {
        guard !xs.isEmpty else { return 0 }
        let s = xs.sorted()
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }
}
