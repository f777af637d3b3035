import Foundation
import Sampling

/// Pool estimators over one problem's rollouts (METHODS.md section 0). Pure functions.
public enum Estimators {
    /// Unbiased pass@k (Chen et al. 2021) in the stable product form:
    /// 1 - prod_{i=n-c+1..n} (1 - k/i); 1 when n - c < k.
    public static func passAtK(n: Int, c: Int, k: Int) -> Double {
        precondition(n >= 0 && c >= 0 && c <= n && k >= 1 && k <= max(n, 1), "passAtK: n=\(n) c=\(c) k=\(k)")
        if n - c < k { return 1 }
        if c == 0 { return 0 }
        var p = 1.0
        for i in (n - c + 1)...n { p *= 1 - Double(k) / Double(i) }
        return 1 - p
    }

    /// The whole pass@k curve, k = 1...n.
    public static func passCurve(n: Int, c: Int) -> [Double] { (1...max(n, 1)).map { passAtK(n: n, c: c, k: $0) } }

    /// pass^k: probability that k rollouts drawn without replacement are all correct.
    public static func passHatK(n: Int, c: Int, k: Int) -> Double {
        if k > c { return 0 }
        var p = 1.0
        for i in 0..<k { p *= Double(c - i) / Double(n - i) }
        return p
    }

    public enum Method: String, Sendable, Codable { case exact, monteCarlo = "monte_carlo" }

    /// maj@k: expected correctness of the plurality class among k rollouts drawn without
    /// replacement; a tie credits 1/#tied when the correct class is among the tied.
    /// `counts` are the class sizes, `correct` the index of the correct class (nil if no
    /// rollout is correct; "no answer" is an ordinary, never-correct class). Exact by
    /// enumerating class-count vectors while that stays under `exactBudget` terms, else
    /// seeded Monte Carlo with `draws` draws.
    public static func majAtK(counts: [Int], correct: Int?, k: Int, exactBudget: Int = 200_000,
                              draws: Int = 2000, seed: UInt64 = 0) -> (value: Double, method: Method) {
        let n = counts.reduce(0, +)
        precondition(k >= 1 && k <= n, "majAtK: k=\(k) n=\(n)")
        guard let correct, counts[correct] > 0 else { return (0, .exact) }
        if let v = exactMaj(counts: counts, correct: correct, k: k, budget: exactBudget) { return (v, .exact) }
        return (monteCarloMaj(counts: counts, correct: correct, k: k, draws: draws, seed: seed), .monteCarlo)
    }

    static func logChoose(_ n: Int, _ k: Int) -> Double {
        lgamma(Double(n + 1)) - lgamma(Double(k + 1)) - lgamma(Double(n - k + 1))
    }

    static func credit(_ picked: [Int], correct: Int) -> Double {
        let top = picked.max()!
        guard picked[correct] == top else { return 0 }
        return 1 / Double(picked.filter { $0 == top }.count)
    }

    static func exactMaj(counts: [Int], correct: Int, k: Int, budget: Int) -> Double? {
        let n = counts.reduce(0, +)
        let logTotal = logChoose(n, k)
        var picked = [Int](repeating: 0, count: counts.count)
        var terms = 0
        var sum = 0.0
        var suffix = [Int](repeating: 0, count: counts.count + 1)
        for i in stride(from: counts.count - 1, through: 0, by: -1) { suffix[i] = suffix[i + 1] + counts[i] }
        func rec(_ i: Int, _ left: Int, _ logw: Double) -> Bool {
            if i == counts.count {
                terms += 1
                if terms > budget { return false }
                if left == 0 { sum += exp(logw - logTotal) * credit(picked, correct: correct) }
                return true
            }
            let lo = max(0, left - suffix[i + 1]), hi = min(counts[i], left)
            if lo > hi { return true }
            for t in lo...hi {
                picked[i] = t
                if !rec(i + 1, left - t, logw + logChoose(counts[i], t)) { return false }
            }
            picked[i] = 0
            return true
        }
        return rec(0, k, 0) ? sum : nil
    }

    static func monteCarloMaj(counts: [Int], correct: Int, k: Int, draws: Int, seed: UInt64) -> Double {
        var labels = [Int]()
        for (c, m) in counts.enumerated() { labels += Array(repeating: c, count: m) }
        var rng = SplitMix64(seed: seed)
        var total = 0.0
        for _ in 0..<draws {
            var pool = labels
            var picked = [Int](repeating: 0, count: counts.count)
            for j in 0..<k {                                // partial Fisher-Yates
                let r = j + Int(rng.next() % UInt64(pool.count - j))
                pool.swapAt(j, r)
                picked[pool[j]] += 1
            }
            total += credit(picked, correct: correct)
        }
        return total / Double(draws)
    }

    /// Best-of-N by a score: the correctness of the highest-scoring rollout (ties: the
    /// expected correctness over the tied).
    public static func bestOfN(scores: [Double], correct: [Bool]) -> Double {
        guard let m = scores.max() else { return 0 }
        let tied = scores.indices.filter { scores[$0] == m }
        return Double(tied.filter { correct[$0] }.count) / Double(tied.count)
    }

    /// Self-certainty Borda voting (Kang et al. 2025): rank rollouts by score (rank 1 the
    /// highest); the rollout at rank r of N gives (N - r + 1)^p to its class; the class with
    /// the highest total wins (ties credit 1/#tied). Returns the winning class's credit.
    public static func bordaVote(scores: [Double], classes: [String], correctClass: String?, p: Double = 0.5) -> Double {
        let n = scores.count
        guard n > 0, let correctClass else { return 0 }
        let order = scores.indices.sorted { scores[$0] != scores[$1] ? scores[$0] > scores[$1] : $0 < $1 }
        var totals = [String: Double]()
        for (r, i) in order.enumerated() { totals[classes[i], default: 0] += pow(Double(n - r), p) }
        let top = totals.values.max()!
        let winners = totals.filter { $0.value == top }.map(\.key)
        return winners.contains(correctClass) ? 1 / Double(winners.count) : 0
    }

    /// Group-relative training signal of a problem's pool: mixed outcomes, and the
    /// within-group reward variance c/n (1 - c/n).
    public static func groupSignal(n: Int, c: Int) -> (mixed: Bool, variance: Double) {
        let p = Double(c) / Double(n)
        return (c > 0 && c < n, p * (1 - p))
    }
}
