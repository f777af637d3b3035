import Analysis
import Charts
import Foundation

/// A table as text cells (escaped where shown), plus its CSV.
public struct TableOutput {
    public var title: String
    public var headers: [String]
    public var rows: [[String]]
    /// The problem each row is about (nil: none), so the HTML links it to the problem's rollouts.
    public var rowProblems: [String?] = []
    /// The run each row belongs to, when rows of several runs are stacked.
    public var rowRuns: [String?] = []
    public var csv: String {
        ([headers] + rows).map { $0.map(CSV.field).joined(separator: ",") }.joined(separator: "\n") + "\n"
    }
}

/// CSV spelling shared by tables and figures.
enum CSV {
    /// A field, quoted when it holds a comma, quote or newline.
    static func field(_ s: String) -> String {
        s.contains(where: { ",\"\n".contains($0) }) ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }
}

public enum Tables {
    static func pct(_ v: Double) -> String { String(format: "%.1f%%", 100 * v) }
    static func ci(_ i: Interval) -> String {
        String(format: "%.1f%% [%.1f, %.1f]", 100 * i.value, 100 * i.low, 100 * i.high)
    }

    /// Every name a notebook may use, in the order listed in errors, with its builder.
    static let registry: [(name: String, make: (String, RunReport) -> TableOutput?)] = [
        ("cells", cells),
        ("pools", pools),
        ("budget-audit", budgetAudit),
        ("aggregators", aggregators),
        ("selection", selection),
        ("diversity", diversity),
        ("predictor", predictor),
        ("problems", problems),
        ("signal", signal),
        ("depth", depth),
        ("refine", refine),
    ]

    /// The names, for notebook validation (`runs` is built from the runs' facts, not one report).
    public static var names: [String] { registry.map(\.name) + ["runs", "seeds"] }

    /// The table `name` of a run's report, or nil when the run has no data for it.
    public static func make(_ name: String, report r: RunReport) -> TableOutput? {
        registry.first { $0.name == name }?.make(name, r)
    }

    static func cells(_ name: String, _ r: RunReport) -> TableOutput? {
        func pp(_ i: Interval?) -> String {
            i.map { String(format: "%+.1f pp [%+.1f, %+.1f]", 100 * $0.value, 100 * $0.low, 100 * $0.high) } ?? ""
        }
        return TableOutput(title: "Accuracy per (L, T) cell",
                           headers: ["L", "T", "n", "accuracy (95% CI)", "vs L=0 (paired)", "pass@n", "maj@n", "tokens",
                                     "gate rate", "extra layers/token"],
                           rows: r.cells.map { c in [String(c.layers), String(c.temperature), String(c.samples),
                                                     ci(c.accuracy), pp(c.vsPlain),
                                                     pct(c.passAtK.last ?? 0), pct(c.majAtK.last ?? 0),
                                                     String(format: "%.1f", c.meanTokens),
                                                     String(format: "%.2f", c.gateRate),
                                                     String(format: "%.2f", c.extraPerToken)] })
    }

    static func pools(_ name: String, _ r: RunReport) -> TableOutput? {
        var rows = r.pools.pools.map { p in
            [p.name, String(p.rolloutsPerProblem), ci(p.oracle), String(p.solved.count)]
        }
        if let g = r.pools.jointMinusTOnlyPP { rows.append(["joint - T-only", "", String(format: "%+.1f pp", g), ""]) }
        if let g = r.pools.jointMinusLOnlyPP { rows.append(["joint - L-only", "", String(format: "%+.1f pp", g), ""]) }
        if let o = r.pools.overlap {
            rows.append(["Jaccard(T-only, L-only)", "", String(format: "%.2f", o.jaccard), "\(o.both) both"])
        }
        return TableOutput(title: "Oracle accuracy per pool",
                           headers: ["pool", "rollouts/problem", "oracle (95% CI)", "solved"], rows: rows)
    }

    static func aggregators(_ name: String, _ r: RunReport) -> TableOutput? {
        guard let a = r.audit, !a.aggregators.isEmpty else { return nil }
        let last = a.grid.last ?? 0
        return TableOutput(
            title: "Budgets per aggregator (L=\(a.cell.layers), T=\(a.cell.temperature))",
            headers: ["aggregator", "N_D", "mean N*_x", "M_D", "accuracy at N_D", "at own N*_x (in-sample)",
                      "at N = \(last)"],
            rows: a.aggregators.map { g in
                [StandardFigures.aggregatorLabels[g.name] ?? g.name, String(g.datasetBudget),
                 String(format: "%.2f", g.meanSampleOptimal), String(format: "%.3f", g.overscalingIndex),
                 ci(g.accuracyAtDatasetBudget), ci(g.accuracyAtOwnBudgets), ci(g.accuracyAtLargestBudget)]
            })
    }

    static func budgetAudit(_ name: String, _ r: RunReport) -> TableOutput? {
        guard let a = r.audit else { return nil }
        var rows = [["dataset budget N_D", String(a.datasetBudget)],
                    ["mean N*_x", String(format: "%.2f", a.meanSampleOptimal)],
                    ["M_D (overscaling index)", String(format: "%.3f", a.overscalingIndex)],
                    ["redundancy 1 - M_D", pct(a.redundancy)],
                    ["curse (N_D > mean N*_x)", a.curse ? "yes" : "no"],
                    ["accuracy at N_D", ci(a.accuracyAtDatasetBudget)],
                    ["accuracy at oracle budgets", ci(a.accuracyAtOracleBudgets)],
                    ["rollouts at N_D / at N*_x", "\(a.rolloutsAtDatasetBudget) / \(a.rolloutsAtOracleBudgets)"],
                    ["saved by per-sample budgets", pct(a.savedFraction)],
                    ["tokens wasted at N_D", String(format: "%.0f", a.tokensWasted)]]
        if let h = a.heldOut {
            let fold = h.folds == 2
                ? "held out (\(h.half) + \(h.half) rollouts: one half decides, the other scores, swapped)"
                : "held out (\(h.folds) folds of \(h.half) rollouts: each decides, every other scores)"
            rows += [["\(fold): N_D", h.datasetBudgets.map(String.init).joined(separator: ", ")],
                     ["held out: M_D", String(format: "%.3f", h.overscalingIndex)],
                     ["held out: accuracy at N_D", ci(h.accuracyAtDatasetBudget)],
                     ["held out: accuracy at per-sample N*_x", ci(h.accuracyAtOwnBudgets)],
                     ["held out: gain of per-sample budgets", ppInterval(h.gain)],
                     ["in-sample on the same halves: gain", ppInterval(h.inSampleGain)],
                     ["held out: saved by per-sample budgets", pct(h.savedFraction)]]
            if let p = h.predictor {
                rows.append(["held out: T2 predicted budgets", String(format: "%@ at %.2fx the cost of N_D (N_D: %@)",
                                                                    pct(p.accuracyAtPredicted), p.costRatio,
                                                                    pct(p.accuracyAtDatasetBudget))])
            }
        }
        if a.poolMax > a.poolMin {
            rows.append(["unequal pools", "\(a.poolMin) to \(a.poolMax) rollouts per problem: N runs to \(a.poolMin); "
                         + "each A_x(N) is maj@N over the problem's whole pool"])
        }
        var rowProblems = [String?](repeating: nil, count: rows.count)
        rows += a.rows.prefix(8).map {
            let tokens = String(format: "%.0f",
                                $0.wastedTokens), type = $0.type.replacingOccurrences(of: "_", with: " ")
            rowProblems.append($0.problem)
            return ["most wasteful: \($0.problem)", "N*=\($0.needed), \(tokens) tokens, \(type)"]
        }
        var t = TableOutput(title: "Budget audit (L=\(a.cell.layers), T=\(a.cell.temperature))",
                            headers: ["quantity", "value"], rows: rows)
        t.rowProblems = rowProblems
        return t
    }

    static func selection(_ name: String, _ r: RunReport) -> TableOutput? {
        guard let s = r.selection else { return nil }
        return TableOutput(title: "Selection rules (L=\(s.cell.layers), T=\(s.cell.temperature))",
                           headers: ["rule", "accuracy (95% CI)"],
                           rows: [["mean (single sample)", ci(s.meanAccuracy)], ["majority vote", ci(s.majority)],
                                  ["best-of-N, self-certainty", ci(s.bestOfNSelfCertainty)],
                                  ["best-of-N, mean log-prob", ci(s.bestOfNLogprob)],
                                  ["Borda voting, self-certainty", ci(s.bordaSelfCertainty)], ["oracle", ci(s.oracle)]])
    }

    static func diversity(_ name: String, _ r: RunReport) -> TableOutput? {
        guard let d = r.diversity else { return nil }
        let cl = d.clustering == "prefix" ? "first \(d.prefixTokens) tokens"
                                          : d.clustering.replacingOccurrences(of: "_", with: " ")
        var rows = [["clustering", cl],
                    ["median K_eff", String(format: "%.2f", d.medianEffectiveApproaches)],
                    ["regime (threshold \(d.threshold))", d.regime],
                    ["mean H(pi), nats", String(format: "%.3f", d.meanEntropy)],
                    ["Var(C) = across + within", String(format: "%.3f = %.3f + %.3f", d.varianceForm.total,
                                                        d.varianceForm.across, d.varianceForm.within)],
                    ["H(C) = I(C;Z) + E H(C|Z)", String(format: "%.3f = %.3f + %.3f", d.entropyForm.total,
                                                        d.entropyForm.across, d.entropyForm.within)]]
        if let e = d.earlyTokenEntropy, let l = d.laterTokenEntropy {
            rows.append(["token entropy: first \(d.prefixTokens) vs rest, nats", String(format: "%.3f vs %.3f", e, l)])
        }
        for t in d.byTemperature.keys.sorted() {
            rows.append(["median K_eff at T=\(t)", String(format: "%.2f", d.byTemperature[t]!)])
        }
        rows.append(["recommendation", d.recommendation])
        rows.append(["evidence", d.evidence])
        return TableOutput(title: "Diversity profile", headers: ["quantity", "value"], rows: rows)
    }

    static func predictor(_ name: String, _ r: RunReport) -> TableOutput? {
        guard let t = r.budgetPredictor else { return nil }
        return TableOutput(title: "T2 budget predictor (\(t.folds)-fold CV, ridge lambda \(t.lambda))",
                           headers: ["budget rule", "accuracy", "cost vs N_D"],
                           rows: [["global N_D", pct(t.accuracyAtDatasetBudget), "1.00"],
                                  ["T2 predicted N^", pct(t.accuracyAtPredicted), String(format: "%.2f", t.costRatio)],
                                  ["median N* (\(t.medianBudget))", pct(t.accuracyAtMedian),
                                   String(format: "%.2f", t.costRatioMedian)]])
    }

    static func depth(_ name: String, _ r: RunReport) -> TableOutput? {
        guard let rows = r.depth, !rows.isEmpty else { return nil }
        func lift(_ x: Double?) -> String { x.map { String(format: "%+.0f%%", 100 * $0) } ?? "n/a" }
        return TableOutput(title: "Breadth vs prefix-branching depth at equal rollouts (measured)",
                           headers: ["L", "T", "signal", "B (b0)", "breadth pass@B", "depth pass", "lift",
                                     "breadth maj@B", "depth maj", "lift", "tokens breadth / depth"],
                           rows: rows.map { d in [String(d.layers), String(d.temperature), d.signal,
                                                  "\(d.budget) (\(d.b0))",
                                                  ci(d.breadthPass), ci(d.depthPass), lift(d.passLift),
                                                  ci(d.breadthMajority), ci(d.depthMajority), lift(d.majorityLift),
                                                  String(format: "%.0f / %.0f", d.breadthTokens, d.depthTokens)] })
    }

    static func refine(_ name: String, _ r: RunReport) -> TableOutput? {
        guard let rows = r.refinement, !rows.isEmpty else { return nil }
        return TableOutput(title: "Self-refinement against breadth at equal rollouts (measured)",
                           headers: ["L", "T", "round", "rollouts", "refined answer", "breadth maj", "breadth pass",
                                     "lift over maj", "tokens refine / breadth"],
                           rows: rows.map { d in [String(d.layers), String(d.temperature), String(d.round),
                                                  String(d.budget), ci(d.refined),
                                                  ci(d.breadthMajority), ci(d.breadthPass),
                                                  d.liftOverMajority.map { String(format: "%+.0f%%", 100 * $0) }
                                                      ?? "n/a",
                                                  String(format: "%.0f / %.0f", d.refineTokens, d.breadthTokens)] })
    }

    static func signal(_ name: String, _ r: RunReport) -> TableOutput? {
        return TableOutput(title: "Group-relative training signal",
                           headers: ["pool", "group size", "mixed groups", "mean variance"],
                           rows: r.trainingSignal.map {
                               [$0.pool, String($0.groupSize), pct($0.mixedFraction),
                                String(format: "%.3f", $0.meanVariance)]
                           })
    }

    /// A difference of proportions in percentage points with its interval.
    static func ppInterval(_ i: Interval) -> String {
        // A difference that rounds to 0.0 is shown as +0.0, never "-0.0".
        func pp(_ v: Double) -> Double { abs(100 * v) < 0.05 ? 0 : 100 * v }
        return String(format: "%+.1f pp [%+.1f, %+.1f]", pp(i.value), pp(i.low), pp(i.high))
    }

    /// Named values for `text:` cells.
    /// Every name a text cell may use as `{{name}}` (which of them a run has depends on its data).
    public static let valueNames = [
        "problems", "rollouts", "best_cell", "best_accuracy", "oracle_t_only", "oracle_l_only", "oracle_joint",
        "joint_gain_pp", "jaccard", "n_d", "m_d", "redundancy", "saved", "curse", "mean_n_star", "median_keff",
        "regime", "recommendation", "evidence", "majority", "mean_accuracy", "t2_accuracy", "t2_cost",
        "depth_lift_ent", "depth_lift_sc", "depth_pass_ent", "depth_pass_sc", "breadth_pass",
        "m_d_held_out", "saved_held_out", "gain_held_out_pp", "gain_in_sample_pp", "t2_accuracy_held_out",
        "t2_cost_held_out", "seeds",
    ] + headline.map { "\($0.name)_seeds" }

    /// The `{{name}}` placeholders of a text cell, in order; nil when a `{{` is never closed.
    public static func placeholders(_ template: String) -> [String]? {
        var out = [String](), rest = Substring(template)
        while let open = rest.range(of: "{{") {
            guard let close = rest[open.upperBound...].range(of: "}}") else { return nil }
            out.append(rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces))
            rest = rest[close.upperBound...]
        }
        return out
    }

    public static func values(_ r: RunReport) -> [String: String] {
        var v = ["problems": String(r.problems), "rollouts": String(r.rollouts)]
        if let best = r.cells.max(by: { $0.accuracy.value < $1.accuracy.value }) {
            v["best_cell"] = "L=\(best.layers), T=\(best.temperature)"; v["best_accuracy"] = ci(best.accuracy)
        }
        for p in r.pools.pools { v["oracle_\(p.name)"] = ci(p.oracle) }
        if let g = r.pools.jointMinusTOnlyPP { v["joint_gain_pp"] = String(format: "%+.1f", g) }
        if let o = r.pools.overlap { v["jaccard"] = String(format: "%.2f", o.jaccard) }
        if let a = r.audit {
            v["n_d"] = String(a.datasetBudget); v["m_d"] = String(format: "%.2f", a.overscalingIndex)
            v["redundancy"] = pct(a.redundancy); v["saved"] = pct(a.savedFraction)
            v["curse"] = a.curse ? "holds" : "does not hold"
            v["mean_n_star"] = String(format: "%.2f", a.meanSampleOptimal)
            if let h = a.heldOut {
                v["m_d_held_out"] = String(format: "%.2f", h.overscalingIndex)
                v["saved_held_out"] = pct(h.savedFraction)
                v["gain_held_out_pp"] = ppInterval(h.gain); v["gain_in_sample_pp"] = ppInterval(h.inSampleGain)
                if let p = h.predictor {
                    v["t2_accuracy_held_out"] = pct(p.accuracyAtPredicted)
                    v["t2_cost_held_out"] = String(format: "%.2f", p.costRatio)
                }
            }
        }
        if let d = r.diversity {
            v["median_keff"] = String(format: "%.2f", d.medianEffectiveApproaches); v["regime"] = d.regime
            v["recommendation"] = d.recommendation; v["evidence"] = d.evidence
        }
        if let s = r.selection { v["majority"] = ci(s.majority); v["mean_accuracy"] = ci(s.meanAccuracy) }
        if let t = r.budgetPredictor {
            v["t2_accuracy"] = pct(t.accuracyAtPredicted); v["t2_cost"] = String(format: "%.2f", t.costRatio)
        }
        for d in r.depth ?? [] where v["depth_lift_\(d.signal)"] == nil {
            v["depth_lift_\(d.signal)"] = d.passLift.map { String(format: "%+.0f%%", 100 * $0) } ?? "n/a"
            v["depth_pass_\(d.signal)"] = ci(d.depthPass); v["breadth_pass"] = ci(d.breadthPass)
        }
        return v
    }
}

extension Tables {
    /// One row per problem: accuracy in each cell, and from the budget audit its sample type,
    /// N*_x and the tokens N_D wastes on it; each row links to the problem's rollouts.
    static func problems(_ name: String, _ r: RunReport) -> TableOutput? {
        let ids = Set(r.perProblemAccuracy.values.flatMap(\.keys)).sorted()
        guard !ids.isEmpty else { return nil }
        let cells = r.cells.map { (label: "L=\($0.layers) T=\($0.temperature)", // perProblemAccuracy's key
                                   title: "L=\($0.layers) T=\(Ticks.label($0.temperature, percent: false))") }
        let audit = r.audit?.rowsByProblem ?? [:]
        var headers = ["problem"] + cells.map(\.title)
        if r.audit != nil { headers += ["type", "N*_x", "tokens wasted at N_D"] }
        let rows = ids.map { p -> [String] in
            var row = [p] + cells.map { c in r.perProblemAccuracy[c.label]?[p].map(pct) ?? "" }
            if r.audit != nil {
                let a = audit[p]
                row += [a?.type.replacingOccurrences(of: "_", with: " ") ?? "", a.map { String($0.needed) } ?? "",
                        a.map { String(format: "%.0f", $0.wastedTokens) } ?? ""]
            }
            return row
        }
        var t = TableOutput(title: "Problems", headers: headers, rows: rows)
        t.rowProblems = ids
        return t
    }
}
