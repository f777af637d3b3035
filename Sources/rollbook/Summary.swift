import Analysis
import Foundation

/// The human-readable form of `rollbook analyze`.
enum Summary {
    static func pct(_ i: Interval) -> String {
        String(format: "%5.1f%% [%5.1f, %5.1f]", 100 * i.value, 100 * i.low, 100 * i.high)
    }

    static func text(run: String, planned: Int, _ r: RunReport) -> String {
        var out = ["run \(run): \(r.problems) problems, \(r.rollouts) of \(planned) planned rollouts", "",
                   "cell            n   accuracy (95% CI)        pass@n   maj@n  tokens  gate   extra/token"]
        for c in r.cells {
            out.append(String(format: "L=%-2d T=%-5.2f %4d   %@   %5.1f%%  %5.1f%%  %6.1f  %4.2f  %5.2f",
                              c.layers, c.temperature, c.samples, pct(c.accuracy), 100 * (c.passAtK.last ?? 0),
                              100 * (c.majAtK.last ?? 0), c.meanTokens, c.gateRate, c.extraPerToken))
        }
        out.append("")
        for p in r.pools.pools {
            out.append(String(format: "oracle %-7@ %4d rollouts/problem  %@", p.name, p.rolloutsPerProblem,
                              pct(p.oracle)))
        }
        if let o = r.pools.overlap {
            out.append(String(format: "solved by both %d, T-only exclusive %d, L-only exclusive %d, neither %d, "
                                  + "Jaccard %.2f",
                              o.both, o.tOnlyExclusive, o.lOnlyExclusive, o.neither, o.jaccard))
        }
        if let a = r.audit {
            out.append("")
            out.append(String(format: "budget (L=%d T=%.2f): N_D = %d, mean N*_x = %.2f, M_D = %.2f, "
                                  + "redundancy %.0f%%, curse %@",
                              a.cell.layers, a.cell.temperature, a.datasetBudget, a.meanSampleOptimal,
                              a.overscalingIndex,
                              100 * a.redundancy, a.curse ? "yes" : "no"))
            out.append(String(format: "  accuracy at N_D %@, at oracle budgets %@; rollouts %d vs %d (saves %.0f%%), "
                                  + "%.0f tokens wasted",
                              pct(a.accuracyAtDatasetBudget), pct(a.accuracyAtOracleBudgets), a.rolloutsAtDatasetBudget,
                              a.rolloutsAtOracleBudgets, 100 * a.savedFraction, a.tokensWasted))
            out.append("  sample types: "
                       + a.sampleTypes.keys.sorted().map { "\($0) \(a.sampleTypes[$0]!)" }.joined(separator: ", "))
        }
        if let s = r.selection {
            out.append("")
            out.append("selection at N = full pool: mean \(pct(s.meanAccuracy)), majority \(pct(s.majority)), "
                       + "best-of-N (self-certainty) \(pct(s.bestOfNSelfCertainty)), "
                       + "Borda \(pct(s.bordaSelfCertainty)), oracle \(pct(s.oracle))")
        }
        for g in r.trainingSignal {
            out.append(String(format: "training signal %@ (group %d): mixed %.0f%%, mean variance %.3f",
                              g.pool, g.groupSize, 100 * g.mixedFraction, g.meanVariance))
        }
        if let d = r.diversity {
            out.append("")
            out.append(String(format: "diversity: median K_eff %.2f (%@ regime); "
                                  + "Var(C) %.3f = across %.3f + within %.3f",
                              d.medianEffectiveApproaches, d.regime, d.varianceForm.total, d.varianceForm.across,
                              d.varianceForm.within))
            out.append("recommendation: \(d.recommendation). \(d.evidence)")
        }
        if let t = r.budgetPredictor {
            out.append(String(format: "T2 predictor (%d-fold): accuracy %.1f%% at predicted budgets vs %.1f%% at N_D, "
                                  + "cost ratio %.2f (median-N* baseline: %.1f%%, %.2f)",
                              t.folds, 100 * t.accuracyAtPredicted, 100 * t.accuracyAtDatasetBudget, t.costRatio,
                              100 * t.accuracyAtMedian, t.costRatioMedian))
        }
        return out.joined(separator: "\n")
    }
}
