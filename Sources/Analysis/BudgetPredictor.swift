import Foundation
import LinAlg

/// The T2 budget predictor (METHODS.md section 2): one ridge regressor per layer on the
/// last prompt token's hidden state, predicting log2 N*_x; problem-level k-fold
/// cross-validation; layers weighted by 1 / validation error; N^ = sum_l w_l 2^pred_l,
/// rounded (in log2) and clipped to the budget grid.
public struct BudgetPrediction: Sendable, Codable {
    public var folds: Int
    public var lambda: Double
    /// Mean absolute error of log2 N* per layer (cross-validated).
    public var layerErrors: [Double]
    public var layerWeights: [Double]
    /// Cross-validated N^ per problem.
    public var predicted: [Int]
    public var accuracyAtPredicted: Double
    public var accuracyAtDatasetBudget: Double
    public var costRatio: Double
    /// Trivial baselines: always the median N*_x.
    public var accuracyAtMedian: Double
    public var costRatioMedian: Double
    public var medianBudget: Int
}

public enum BudgetPredictor {
    /// Kernel-form ridge (n problems << d features): alpha = (X X^T + lambda I)^-1 y,
    /// on per-fold standardised features and centred targets.
    public static func ridgeFit(_ x: [[Double]], _ y: [Double], lambda: Double) -> (([Double]) -> Double)? {
        let n = x.count
        guard n > 0, let d = x.first?.count, d > 0 else { return nil }
        var mean = [Double](repeating: 0, count: d), sd = [Double](repeating: 0, count: d)
        for r in x { for j in 0..<d { mean[j] += r[j] } }
        for j in 0..<d { mean[j] /= Double(n) }
        for r in x { for j in 0..<d { sd[j] += (r[j] - mean[j]) * (r[j] - mean[j]) } }
        for j in 0..<d { sd[j] = max(sqrt(sd[j] / Double(n)), 1e-6) }
        let z = x.map { r in (0..<d).map { (r[$0] - mean[$0]) / sd[$0] } }
        let ym = y.reduce(0, +) / Double(n)
        var k = [Double](repeating: 0, count: n * n)
        for i in 0..<n { for j in i..<n {
            var s = 0.0
            for t in 0..<d { s += z[i][t] * z[j][t] }
            s /= Double(d)
            k[i * n + j] = s; k[j * n + i] = s
        } }
        for i in 0..<n { k[i * n + i] += lambda }
        guard let alpha = LAPACK.solveSPD(k, n: n, y.map { $0 - ym }) else { return nil }
        return { r in
            var out = ym
            for i in 0..<n {
                var s = 0.0
                for t in 0..<d { s += z[i][t] * (r[t] - mean[t]) / sd[t] }
                out += alpha[i] * s / Double(d)
            }
            return out
        }
    }

    static func snap(_ v: Double, grid: [Int]) -> Int {
        let l = log2(max(v, 1))
        return grid.min { abs(log2(Double($0)) - l) < abs(log2(Double($1)) - l) } ?? 1
    }

    /// `features[problem][layer]` (each of dimension d), `curves` = A_x(N) on `grid`.
    public static func evaluate(features: [[[Float]]], nStar: [Int], curves: [[Double]], grid: [Int],
                                datasetBudget: Int, folds requested: Int = 5,
                                lambda: Double = 1.0) -> BudgetPrediction? {
        let n = features.count
        guard n >= 4, n == nStar.count, let layers = features.first?.count, layers > 0 else { return nil }
        let folds = min(requested, n)
        let y = nStar.map { log2(Double($0)) }
        let fold = (0..<n).map { $0 % folds }
        var cv = [[Double]](repeating: [Double](repeating: 0, count: n), count: layers)
        var errs = [Double](repeating: 0, count: layers)
        for l in 0..<layers {
            let x = features.map { $0[l].map(Double.init) }
            for f in 0..<folds {
                let train = (0..<n).filter { fold[$0] != f }, test = (0..<n).filter { fold[$0] == f }
                let fit = ridgeFit(train.map { x[$0] }, train.map { y[$0] }, lambda: lambda)
                let mean = train.map { y[$0] }.reduce(0, +) / Double(max(train.count, 1))
                for i in test { cv[l][i] = fit?(x[i]) ?? mean }
            }
            errs[l] = (0..<n).reduce(0) { $0 + abs(cv[l][$1] - y[$1]) } / Double(n)
        }
        let inv = errs.map { 1 / max($0, 1e-6) }
        let weights = inv.map { $0 / inv.reduce(0, +) }
        let predicted = (0..<n).map { i in
            snap((0..<layers).reduce(0) { $0 + weights[$1] * pow(2, cv[$1][i]) }, grid: grid)
        }
        func accuracy(_ budgets: [Int]) -> Double {
            (0..<n).reduce(0) { $0 + curves[$1][grid.firstIndex(of: budgets[$1]) ?? 0] } / Double(n)
        }
        let median = snap(Double(nStar.sorted()[n / 2]), grid: grid)
        let denom = Double(n * datasetBudget)
        return BudgetPrediction(folds: folds, lambda: lambda, layerErrors: errs, layerWeights: weights,
                                predicted: predicted,
                                accuracyAtPredicted: accuracy(predicted),
                                accuracyAtDatasetBudget: accuracy(Array(repeating: datasetBudget, count: n)),
                                costRatio: Double(predicted.reduce(0, +)) / denom,
                                accuracyAtMedian: accuracy(Array(repeating: median, count: n)),
                                costRatioMedian: Double(median * n) / denom, medianBudget: median)
    }
}
