/// Selection rules on the main cell's full pools: mean accuracy, majority vote, best-of-N
/// by self-certainty and by mean log-probability, self-certainty Borda voting, and the oracle.
enum SelectionAnalysis {
    static func analyze(_ ctx: AnalysisContext, _ main: MainCell) -> SelectionReport {
        let o = ctx.options
        var mean = [Double](), maj = [Double](), bonSC = [Double](), bonLP = [Double]()
        var borda = [Double](), orc = [Double]()
        for p in main.problems {
            let g = main.outcomes(p)
            let classes = OutcomeIndex.classCounts(g)
            let correct = g.map(\Outcome.correct)
            mean.append(Double(g.filter(\Outcome.correct).count) / Double(g.count))
            maj.append(Estimators.majAtK(counts: classes.counts, correct: classes.correct, k: g.count,
                                         seed: o.seed).value)
            bonSC.append(Estimators.bestOfN(scores: g.map(\Outcome.selfCertainty), correct: correct))
            bonLP.append(Estimators.bestOfN(scores: g.map(\Outcome.meanLogprob), correct: correct))
            let correctClass = g.first(where: \Outcome.correct)?.answerClass
            borda.append(Estimators.bordaVote(scores: g.map(\Outcome.selfCertainty),
                                              classes: g.map(\Outcome.answerClass),
                                              correctClass: correctClass, p: o.bordaP))
            orc.append(g.contains(where: \Outcome.correct) ? 1 : 0)
        }
        return SelectionReport(cell: main.cell, meanAccuracy: ctx.ci(mean, 300), majority: ctx.ci(maj, 301),
                               bestOfNSelfCertainty: ctx.ci(bonSC, 302), bestOfNLogprob: ctx.ci(bonLP, 303),
                               bordaSelfCertainty: ctx.ci(borda, 304), oracle: ctx.ci(orc, 305))
    }
}
