import Foundation
import Inference
import Store
import Tasks

/// Runs a prepared plan: records the run, finds what the store lacks, and hands each
/// strategy its missing jobs on the plan's engine, with one recorder writing the results.
public enum Runner {
    /// Generates every job the store lacks, committing as it goes, grades cached rollouts
    /// that lack a verdict for this run's gold and grader, and records the run together with
    /// the first work it commits (a run that fails before any work leaves the store as it was).
    /// A run name belongs to one plan: another plan from another file under the same name
    /// is refused unless `replace`.
    public static func execute(_ prep: PreparedRun, store: RolloutStore, progress: RunProgress,
                               replace: Bool = false) throws -> RunSummary {
        let t0 = Date()
        var summary = RunSummary()
        summary.planned = prep.jobs.count
        let record = runRecord(prep)
        try checkOwnership(record, store: store, replace: replace)
        try store.putProblems(taskKey: prep.taskKey, prep.problems.map {
            RolloutStore.ProblemRow(id: $0.id, question: $0.question, gold: $0.gold, tier: $0.tier)
        })
        let have = try store.existing(prep.jobs.map(\.key))
        let missing = prep.jobs.filter { !have.contains($0.key) }
        summary.cached = prep.jobs.count - missing.count
        summary.regraded = try Grading.regradeCached(prep, cached: prep.jobs.filter { have.contains($0.key) },
                                                     store: store)
        if !prep.plan.engine.isRemote {
            summary.flopsFilled = try RolloutRecorder.fillCompute(prep.jobs.filter { have.contains($0.key) }.map(\.key),
                                                                  modelPath: prep.modelPath, store: store)
        }
        let needFeatures = try featuresMissing(prep, store: store)
        progress.start(total: prep.jobs.count, cached: summary.cached)
        defer { progress.finish() }
        if missing.isEmpty {
            try store.recordRun(record)
            if needFeatures.isEmpty {
                summary.seconds = Date().timeIntervalSince(t0)
                return summary
            }
        }
        let engine = try makeEngine(prep, summary: summary, progress: progress)
        let recorder = RolloutRecorder(prep: prep, store: store, progress: progress, source: engine.source,
                                       record: missing.isEmpty ? nil : record)
        do {
            try runStrategies(prep, missing: missing, needFeatures: needFeatures, engine: engine,
                              recorder: recorder, store: store)
            try recorder.finish()
        } catch {
            // Keep what arrived before the failure.
            try? recorder.flush()
            summary.generated = recorder.generated
            guard error is RemoteError else { throw error }
            let stored = summary.cached + summary.generated
            throw RemoteError("\(error); \(stored) of \(summary.planned) rollouts are stored "
                              + "(\(summary.generated) new in this run); run again to resume")
        }
        summary.generated = recorder.generated
        summary.tokens = recorder.tokens
        summary.seconds = Date().timeIntervalSince(t0)
        return summary
    }

    static func runRecord(_ prep: PreparedRun) -> RunRecord {
        RunRecord(name: prep.plan.name, plan: prep.plan.canonical, source: prep.source, modelKey: prep.modelKey,
                  taskKey: prep.taskKey, graderVersion: Grader.version, blockCount: prep.blockCount,
                  info: "rollbook run", members: prep.jobs.map { ($0.key, prep.goldHashes[$0.problem]) },
                  shards: prep.shard.map(ShardSet.init))
    }

    /// A name recorded by another plan from another file is not silently taken over. The same
    /// file may change its plan (growing n, another grid): that is the normal way to work.
    static func checkOwnership(_ record: RunRecord, store: RolloutStore, replace: Bool) throws {
        guard !replace, let old = try store.run(named: record.name), old.planHash != record.planHash,
              !old.source.isEmpty, !record.source.isEmpty, old.source != record.source else { return }
        throw PlanError("run name \"\(record.name)\" belongs to another plan (recorded from \(old.source)); "
                        + "rename this plan, or give --replace to point the name at this plan")
    }

    /// Problems whose T2 features the store lacks (runs that want features: local, or remote
    /// with `features: embeddings`).
    static func featuresMissing(_ prep: PreparedRun, store: RolloutStore) throws -> [Int] {
        guard prep.plan.features && (!prep.plan.engine.isRemote || prep.plan.engine.features == "embeddings")
        else { return [] }
        return try Set(prep.jobs.map(\.problem)).sorted().filter {
            try !store.hasFeatures(modelKey: prep.modelKey, promptHash: prep.promptHashes[$0])
        }
    }

    static func makeEngine(_ prep: PreparedRun, summary: RunSummary, progress: RunProgress) throws -> Engine {
        let plan = prep.plan
        guard plan.engine.isRemote else {
            return LocalEngine(model: try Model(path: prep.modelPath), decoding: plan.decoding, batch: plan.batch,
                               parseSpecial: plan.chat, numerics: plan.numerics)
        }
        let remote = RemoteEngine(spec: plan.engine, model: plan.engine.model ?? plan.model, decoding: plan.decoding)
        remote.note = { progress.note($0) }
        do { try remote.connect() } catch let e as RemoteError where e.retryable {
            throw RemoteError("\(e) (is the server running? "
                              + "\(summary.cached) of \(summary.planned) rollouts are cached)")
        }
        return remote
    }

    /// Breadth first (refinement's round 0 and depth's plain samples are breadth rollouts),
    /// then the strategy's own rollouts.
    static func runStrategies(_ prep: PreparedRun, missing: [Job], needFeatures: [Int], engine: Engine,
                              recorder: RolloutRecorder, store: RolloutStore) throws {
        if let local = engine as? LocalEngine {
            let used = Array(Set(missing.map(\.problem)).union(needFeatures)).sorted()
            try local.checkContext(prompts: prep.prompts, used: used) { "problem \(prep.problems[$0].id)" }
        }
        try BreadthStrategy.run(prep, missing: missing, featuresFor: needFeatures, engine: engine,
                                recorder: recorder, store: store)
        try recorder.flush()
        switch prep.plan.strategy {
        case .breadth: break
        case .refine(let spec):
            try RefineStrategy.run(prep, missing: missing, spec: spec, engine: engine, recorder: recorder, store: store)
        case .depth(let spec):
            guard let local = engine as? LocalEngine else {
                throw PlanError("\(prep.plan.name): strategy: depth forks K/V caches and needs the local engine")
            }
            try DepthStrategy.run(prep, missing: missing, spec: spec, engine: local, recorder: recorder)
        }
    }
}
