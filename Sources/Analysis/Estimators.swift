import Foundation
import Seeds

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

    /// The whole pass@k curve, k = 1...n, in O(n): the failure ratio C(n-c, k) / C(n, k)
    /// follows r(k+1) = r(k) (n-c-k) / (n-k).
    public static func passCurve(n: Int, c: Int) -> [Double] {
        guard n > 0 else { return [c > 0 ? 1 : 0] }
        var out = [Double](repeating: 1, count: n)
        var r = 1.0
        for k in 1...n {
            r *= Double(max(0, n - c - k + 1)) / Double(n - k + 1)
            out[k - 1] = 1 - r
        }
        return out
    }

    /// The whole pass^k curve, k = 1...n, in O(n): h(k+1) = h(k) (c-k) / (n-k).
    public static func passHatCurve(n: Int, c: Int) -> [Double] {
        guard n > 0 else { return [] }
        var out = [Double](repeating: 0, count: n)
        var h = 1.0
        for k in 1...n {
            h *= Double(max(0, c - k + 1)) / Double(n - k + 1)
            out[k - 1] = h
        }
        return out
    }

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
    public static func majAtK(counts: [Int], correct: Int?, k: Int, exactBudget: Int = 20_000,
                              draws: Int = 2000, seed: UInt64 = 0) -> (value: Double, method: Method) {
        let n = counts.reduce(0, +)
        precondition(k >= 1 && k <= n, "majAtK: k=\(k) n=\(n)")
        guard let correct, counts[correct] > 0 else { return (0, .exact) }
        if k == n { return (credit(counts, correct: correct), .exact) }
        if let v = exactMaj(counts: counts, correct: correct, k: k, budget: exactBudget) { return (v, .exact) }
        return (monteCarloMaj(counts: counts, correct: correct, k: k, draws: draws, seed: seed), .monteCarlo)
    }

    static func logChoose(_ n: Int, _ k: Int) -> Double {
        lgamma(Double(n + 1)) - lgamma(Double(k + 1)) - lgamma(Double(n - k + 1))
    }

    static func credit(_ picked: [Int], correct: Int) -> Double {
        let mine = picked[correct]
        var tied = 0
        for v in picked {
            if v > mine { return 0 }
            if v == mine { tied += 1 }
        }
        return 1 / Double(tied)
    }

    static func exactMaj(counts: [Int], correct: Int, k: Int, budget: Int) -> Double? {
        // Give up at once when even an upper bound on the count vectors is over budget
        // (instead of enumerating up to the budget first).
        var product = 1.0
        for c in counts { product = min(product * Double(min(c, k) + 1), 1e300) }
        let compositions = exp(logChoose(k + counts.count - 1, counts.count - 1))
        if min(product, compositions) > Double(budget) { return nil }
        let n = counts.reduce(0, +)
        let logTotal = logChoose(n, k)
        let table = counts.map { c in (0...min(c, k)).map { logChoose(c, $0) } }
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
                if !rec(i + 1, left - t, logw + table[i][t]) { return false }
            }
            picked[i] = 0
            return true
        }
        return rec(0, k, 0) ? sum : nil
    }

    /// Monte Carlo maj@k: `draws` random k-subsets, at least 200 and at most
    /// 100,000 / min(k, n-k) of them (the per-problem standard error stays <= 0.036).
    /// For k > n/2 the n-k left-out rollouts are drawn instead; k = n is exact.
    static func monteCarloMaj(counts: [Int], correct: Int, k: Int, draws: Int, seed: UInt64) -> Double {
        var pool = [Int]()
        for (c, m) in counts.enumerated() { pool += Array(repeating: c, count: m) }
        let n = pool.count
        let complement = k > n / 2
        let m = complement ? n - k : k
        if m == 0 { return credit(counts, correct: correct) }
        var rng = SplitMix64(seed: seed)
        var total = 0.0
        let draws = min(draws, max(200, 100_000 / m))
        var picked = [Int](repeating: 0, count: counts.count)
        for _ in 0..<draws {
            // A partial Fisher-Yates from any permutation draws a uniform m-subset, so the
            // pool is shuffled in place draw after draw, never copied.
            if complement {
                for i in picked.indices { picked[i] = counts[i] }
            } else {
                for i in picked.indices { picked[i] = 0 }
            }
            for j in 0..<m {
                let r = j + Int(rng.next() % UInt64(n - j))
                pool.swapAt(j, r)
                picked[pool[j]] += complement ? -1 : 1
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

    /// Best-of-k by a score over k rollouts drawn without replacement from the pool: the
    /// expected correctness of the highest-scoring one (ties: the expected correctness over the
    /// tied, as `bestOfN`). Exact: the best drawn rollout lies in score level j with probability
    /// [C(n - above_j, k) - C(n - above_j - size_j, k)] / C(n, k), and is then a uniform pick
    /// of that level's drawn rollouts, correct with probability c_j / size_j.
    public static func bestOfNAtK(scores: [Double], correct: [Bool], k: Int) -> Double {
        let n = scores.count
        precondition(k >= 1 && k <= n, "bestOfNAtK: k=\(k) n=\(n)")
        let order = scores.indices.sorted { scores[$0] > scores[$1] }
        let total = logChoose(n, k)
        func p(_ m: Int) -> Double { m >= k ? exp(logChoose(m, k) - total) : 0 }
        var above = 0, value = 0.0, i = 0
        while i < n {
            var j = i, c = 0
            while j < n && scores[order[j]] == scores[order[i]] { if correct[order[j]] { c += 1 }; j += 1 }
            let size = j - i
            value += (p(n - above) - p(n - above - size)) * Double(c) / Double(size)
            above += size; i = j
        }
        return value
    }

    /// Weighted majority over k rollouts drawn without replacement: each drawn rollout adds its
    /// weight to its answer class, the heaviest class wins (ties credit 1/#tied when the
    /// correct class is among them). Exact with the whole pool; otherwise seeded Monte Carlo
    /// (`draws` subsets).
    public static func weightedMajorityAtK(weights: [Double], classes: [String], correct: [Bool], k: Int,
                                           draws: Int = 2000, seed: UInt64 = 0) -> Double {
        let n = weights.count
        precondition(k >= 1 && k <= n, "weightedMajorityAtK: k=\(k) n=\(n)")
        guard let good = correct.firstIndex(of: true).map({ classes[$0] }) else { return 0 }
        func credit(_ idx: ArraySlice<Int>) -> Double {
            var totals = [String: Double]()
            for i in idx { totals[classes[i], default: 0] += weights[i] }
            let top = totals.values.max()!
            let winners = totals.filter { $0.value == top }
            return winners[good] != nil ? 1 / Double(winners.count) : 0
        }
        var all = Array(0..<n)
        if k == n { return credit(all[...]) }
        var rng = SplitMix64(seed: seed)
        var sum = 0.0
        for _ in 0..<draws {
            for i in 0..<k { all.swapAt(i, i + Int(rng.next() % UInt64(n - i))) }
            sum += credit(all[0..<k])
        }
        return sum / Double(draws)
    }

    /// Self-certainty Borda voting (Kang et al. 2025): rank rollouts by score (rank 1 the
    /// highest); the rollout at rank r of N gives (N - r + 1)^p to its class; the class with
    /// the highest total wins (ties credit 1/#tied). Returns the winning class's credit.
    public static func bordaVote(scores: [Double], classes: [String], correctClass: String?,
                                 p: Double = 0.5) -> Double {
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
