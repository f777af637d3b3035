/// The T2 budget predictor on the main cell: needs features for every problem of the cell.
enum PredictorAnalysis {
    static func analyze(_ ctx: AnalysisContext, _ main: MainCell, features: [String: [[Float]]]) -> BudgetPrediction? {
        let feats = main.problems.compactMap { features[$0] }
        guard feats.count == main.problems.count else { return nil }
        let rep = main.overscaling
        return BudgetPredictor.evaluate(features: feats, nStar: rep.sampleOptimal, curves: rep.curves, grid: main.grid,
                                        datasetBudget: rep.datasetBudget, folds: ctx.options.folds,
                                        lambda: ctx.options.ridgeLambda)
    }
}
