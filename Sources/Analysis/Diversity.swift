import Foundation

/// Diversity profiles and the uncertainty decomposition (METHODS.md section 3).
public struct DiversityProfile: Sendable, Codable, Equatable {
    /// H(pi) in nats over approaches.
    public var entropy: Double
    /// exp(H(pi)).
    public var effectiveApproaches: Double
    /// 1 / sum pi_z^2.
    public var inverseSimpson: Double
    /// max_z pi_z.
    public var topMass: Double
}

/// Correctness uncertainty split into across-approach and within-approach parts.
public struct Decomposition: Sendable, Codable, Equatable {
    public var total: Double
    public var across: Double
    public var within: Double
}

public enum Diversity {
    /// Profile of an approach distribution given as counts.
    public static func profile(counts: [Int]) -> DiversityProfile {
        let n = Double(counts.reduce(0, +))
        guard n > 0 else { return DiversityProfile(entropy: 0, effectiveApproaches: 1, inverseSimpson: 1, topMass: 1) }
        return profile(probabilities: counts.filter { $0 > 0 }.map { Double($0) / n })
    }

    /// Profile of an approach distribution given as probabilities (summing to 1).
    public static func profile(probabilities: [Double]) -> DiversityProfile {
        let p = probabilities.filter { $0 > 0 }
        guard !p.isEmpty else {
            return DiversityProfile(entropy: 0, effectiveApproaches: 1, inverseSimpson: 1, topMass: 1)
        }
        let h = -p.reduce(0) { $0 + $1 * log($1) }
        return DiversityProfile(entropy: h, effectiveApproaches: exp(h),
                                inverseSimpson: 1 / p.reduce(0) { $0 + $1 * $1 }, topMass: p.max() ?? 1)
    }

    /// The approach label of a rollout under a clustering: the answer class, the first k
    /// generated token ids, or the first sentence (lower-cased, whitespace collapsed).
    /// Remote rollouts carry no token ids (id -1): their prefix is the first k words.
    public static func approachLabel(clustering: String, answerClass: String, response: String?, tokenIDs: [Int32]?,
                                     k: Int) -> String {
        switch clustering {
        case "prefix":
            let ids = (tokenIDs ?? []).prefix(k)
            if ids.contains(-1) || (ids.isEmpty && !(response ?? "").isEmpty) {
                return (response ?? "").split(whereSeparator: \.isWhitespace).prefix(k).joined(separator: " ")
            }
            return ids.map(String.init).joined(separator: ",")
        case "first_sentence":
            let text = response ?? ""
            var sentence = ""
            for ch in text {
                if ch == "." || ch == "?" || ch == "!" || ch == "\n" {
                    // A decimal point ("3.5") does not end a sentence.
                    if ch == ".", let last = sentence.last, last.isNumber { sentence.append(ch); continue }
                    if !sentence.trimmingCharacters(in: .whitespaces).isEmpty { break }
                    sentence = ""; continue
                }
                sentence.append(ch)
            }
            return sentence.lowercased().split(whereSeparator: \.isWhitespace).joined(separator: " ")
        default:
            return answerClass
        }
    }

    public static let clusterings = ["answer_class", "prefix", "first_sentence"]

    /// Groups rollouts by approach label: (pi_z, q_z) per approach, in first-seen order.
    public static func approaches(labels: [String], correct: [Bool]) -> (pi: [Double], q: [Double]) {
        precondition(labels.count == correct.count)
        let t = OutcomeIndex.classCounts(labels: zip(labels, correct))
        let n = Double(max(labels.count, 1))
        return (t.counts.map { Double($0) / n }, zip(t.correctCounts, t.counts).map { Double($0) / Double($1) })
    }

    /// Var(C) = Var_z(q_z) + E_z[q_z (1 - q_z)].
    public static func varianceDecomposition(pi: [Double], q: [Double]) -> Decomposition {
        let p = zip(pi, q).reduce(0) { $0 + $1.0 * $1.1 }
        let across = zip(pi, q).reduce(0) { $0 + $1.0 * ($1.1 - p) * ($1.1 - p) }
        let within = zip(pi, q).reduce(0) { $0 + $1.0 * $1.1 * (1 - $1.1) }
        return Decomposition(total: p * (1 - p), across: across, within: within)
    }

    static func h2(_ x: Double) -> Double { x <= 0 || x >= 1 ? 0 : -(x * log(x) + (1 - x) * log(1 - x)) }

    /// H(C) = I(C; Z) + E_z H(C | Z = z), correctness entropy in nats.
    public static func entropyDecomposition(pi: [Double], q: [Double]) -> Decomposition {
        let p = zip(pi, q).reduce(0) { $0 + $1.0 * $1.1 }
        let within = zip(pi, q).reduce(0) { $0 + $1.0 * h2($1.1) }
        let total = h2(p)
        return Decomposition(total: total, across: total - within, within: within)
    }

    /// Analytic check (seed 000): with selection distribution P_s over approaches, depth
    /// (keep one of b0 prefixes, continue with B - b0 samples) beats breadth (B samples)
    /// only if sum_z P_s(z) (1 - (1 - q_z)^(B - b0)) > 1 - (1 - p)^B.
    public static func depthBeatsBreadth(selection: [Double], pi: [Double], q: [Double], budget b: Int,
                                         prefixes b0: Int) -> (depth: Double, breadth: Double, wins: Bool) {
        let p = zip(pi, q).reduce(0) { $0 + $1.0 * $1.1 }
        let rest = Double(max(b - b0, 0))
        let depth = zip(selection, q).reduce(0) { $0 + $1.0 * (1 - pow(1 - $1.1, rest)) }
        let breadth = 1 - pow(1 - p, Double(b))
        return (depth, breadth, depth > breadth)
    }
}
