import Foundation
import Store
import Tasks

/// Verdicts as the store keeps them: graded against a problem's gold by the current grader,
/// keyed by (rollout, gold hash, grader version). Used for new rollouts, for cached rollouts
/// a run sees under another gold or grader, and by `rollbook regrade`.
enum Grading {
    static func verdict(_ grader: Grader, key: String, response: String, gold: String) -> StoredVerdict {
        let v = grader.grade(response: response, gold: gold)
        return StoredVerdict(key: key, goldHash: Hash128.hex(gold), graderVersion: Grader.version,
                             extracted: v.extracted, answerClass: v.answerClass, correct: v.correct, rule: v.rule,
                             reason: v.reason)
    }

    /// Grades the cached jobs that have no verdict for their problem's gold by this grader.
    /// Returns how many were graded.
    static func regradeCached(_ prep: PreparedRun, cached: [Job], store: RolloutStore) throws -> Int {
        let wanted = cached.map { (key: $0.key, goldHash: prep.goldHashes[$0.problem]) }
        let missing = try store.missingVerdicts(wanted, grader: Grader.version)
        if missing.isEmpty { return 0 }
        let gold = Dictionary(cached.map { ($0.key, prep.problems[$0.problem].gold) }, uniquingKeysWith: { a, _ in a })
        let grader = Grader()
        var done = 0
        for part in stride(from: 0, to: missing.count, by: 500).map({ Array(missing[$0..<min(missing.count,
                                                                                             $0 + 500)]) }) {
            let texts = try store.responses(part.map(\.key))
            let verdicts = part.compactMap { m -> StoredVerdict? in
                guard let text = texts[m.key], let g = gold[m.key] else { return nil }
                return verdict(grader, key: m.key, response: text, gold: g)
            }
            try store.insert(verdicts: verdicts)
            done += verdicts.count
        }
        return done
    }
}

/// `rollbook regrade`: the current grader applied to a run's stored rollouts, against each
/// member's gold, without generating anything; the run then reads the new verdicts.
public enum Regrader {
    public struct Summary: Sendable {
        public var rollouts = 0
        public var changedCorrect = 0
        public var changedClass = 0
        public var previousGrader = ""
        public var grader = Grader.version
    }

    public static func regrade(run name: String, store: RolloutStore) throws -> Summary {
        guard let info = try store.run(named: name) else {
            throw StoreError("\(store.path): no run named \"\(name)\"")
        }
        let before = Dictionary(try store.rollouts(run: name, withTokens: false).map { ($0.key, $0) },
                                uniquingKeysWith: { a, _ in a })
        let golds = try store.golds(run: name)
        let grader = Grader()
        var s = Summary()
        s.previousGrader = info.graderVersion
        var verdicts = [StoredVerdict]()
        for r in before.values.sorted(by: { $0.key < $1.key }) {
            guard let gold = golds[r.problemID] else {
                throw StoreError("\(store.path): run \(name): problem \(r.problemID) has no stored gold answer")
            }
            let v = Grading.verdict(grader, key: r.key, response: r.response, gold: gold)
            if v.correct != r.correct { s.changedCorrect += 1 }
            if v.answerClass != r.answerClass { s.changedClass += 1 }
            verdicts.append(v)
        }
        try store.insert(verdicts: verdicts)
        try store.setGrader(run: name, version: Grader.version)
        s.rollouts = verdicts.count
        return s
    }
}
