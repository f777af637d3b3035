import Foundation
import Inference
import Store
import Tasks

/// The one place stored rollouts are built and written: grades each generation against its
/// problem's gold, buffers, and commits every 64 rollouts or 2 seconds (one transaction
/// each), so a killed run loses at most what it had not yet committed.
final class RolloutRecorder {
    let prep: PreparedRun
    let store: RolloutStore
    let progress: RunProgress
    let source: String
    let grader = Grader()
    private var buffer = [StoredRollout]()
    private var lastFlush = Date()
    /// Rows the store did not already hold, and generated tokens, so far.
    private(set) var generated = 0
    private(set) var tokens = 0

    /// The run's record, written with the first batch (nil once written).
    private var record: RunRecord?

    init(prep: PreparedRun, store: RolloutStore, progress: RunProgress, source: String, record: RunRecord?) {
        self.prep = prep; self.store = store; self.progress = progress; self.source = source; self.record = record
    }

    /// Records one rollout of `job`; `newTokens` are the tokens generated for it in this run
    /// (a depth child's prefix was generated once for its trial).
    func record(_ job: Job, _ g: Generation, newTokens: Int) throws {
        let p = prep.problems[job.problem]
        let verdict = Grading.verdict(grader, key: job.key, response: g.text, gold: p.gold)
        buffer.append(StoredRollout(
            key: job.key, modelKey: prep.modelKey, promptHash: prep.promptHashes[job.problem], taskKey: prep.taskKey,
            problemID: p.id, layers: job.layers, temperature: job.temperature, sampleIndex: job.sample, seed: job.seed,
            params: job.params, response: g.text, tokenCount: g.tokenCount, finishReason: g.finishReason,
            meanEntropy: g.meanEntropy, meanLogprob: g.meanLogprob, selfCertainty: g.selfCertainty,
            gatedTokens: g.gatedTokens, extraLayerApplications: g.extraLayerApplications,
            extracted: verdict.extracted, answerClass: verdict.answerClass, correct: verdict.correct,
            rule: verdict.rule, graderVersion: verdict.graderVersion, tokens: TokenRecord.pack(g.records),
            seconds: g.seconds, role: job.role, promptTokens: g.promptTokens, source: source,
            goldHash: verdict.goldHash, flops: g.flops))
        tokens += newTokens
        progress.advance(rollouts: 1, tokens: newTokens)
        if buffer.count >= 64 || Date().timeIntervalSince(lastFlush) > 2 { try flush() }
    }

    /// Commits what is buffered.
    /// Commits what is buffered (with the run's record, the first time there is work).
    func flush() throws {
        if buffer.isEmpty { return }
        generated += try store.insert(buffer, record: record)
        record = nil
        buffer.removeAll(keepingCapacity: true)
        lastFlush = Date()
    }

    /// The end of a successful run: what is buffered, and the run's record if no batch carried it.
    func finish() throws {
        try flush()
        if let record { try store.recordRun(record) }
        record = nil
    }

    /// Fills in the FLOPs of cached local rollouts stored before schema v4 (NULL), from their
    /// stored prompt tokens and per-token records, in one transaction. Returns how many.
    static func fillCompute(_ keys: [String], modelPath: String, store: RolloutStore) throws -> Int {
        let gaps = try store.computeGaps(keys)
        if gaps.isEmpty { return 0 }
        let shape = ComputeShape(try ModelConfig.read(path: modelPath))
        var values = [String: Double]()
        for g in gaps {
            values[g.key] = Generation.flops(shape, promptTokens: g.promptTokens,
                                             records: TokenRecord.unpack(g.tokens), layers: g.layers)
        }
        return try store.fillFLOPs(values)
    }
}
