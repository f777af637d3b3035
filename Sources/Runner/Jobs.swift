import Foundation
import Inference
import Seeds
import Store
import Tasks

/// One planned rollout: which problem, which cell of the grid, which sample, its role in
/// the strategy and its content address.
public struct Job: Sendable {
    public var problem: Int
    public var temperature: Double
    public var layers: Int
    public var sample: Int
    public var seed: UInt64
    public var role: RolloutRole = .breadth
    /// The key's parameter text (stored with the rollout).
    public var params: String
    public var key: String
    /// For refinement rounds: the previous round's key.
    public var parentKey: String? = nil
    /// The key of the rollouts that must be generated together with this one, which decides
    /// its shard (`Shard`): its own key for a breadth rollout; for a refinement round, the
    /// breadth rollout its chain starts from; for a depth child, its trial's first child
    /// (first signal, child 0), since a trial's children continue from prefixes sampled once.
    public var unitKey: String

    init(problem: Int, temperature: Double, layers: Int, sample: Int, key: RolloutKey, unitKey: String? = nil) {
        self.problem = problem; self.temperature = temperature; self.layers = layers; self.sample = sample
        seed = key.seed; role = key.role; params = key.params; self.key = key.hex
        self.unitKey = unitKey ?? self.key
    }

    /// Problem, then cell, then sample: the order jobs are handed to an engine.
    static func ordered(_ a: Job, _ b: Job) -> Bool {
        (a.problem, a.layers, a.temperature, a.sample) < (b.problem, b.layers, b.temperature, b.sample)
    }
}

/// A plan resolved against its inputs: problems, prompt texts, model identity and every
/// job's key. Cheap to build from a warm store (the model file's hash is remembered).
public struct PreparedRun: Sendable {
    public var plan: Plan
    public var modelPath: String
    public var modelKey: String
    public var taskKey: String
    public var problems: [Problem]
    public var prompts: [String]
    public var promptHashes: [String]
    /// Hash128 of each problem's gold (what its verdicts are keyed by).
    public var goldHashes: [String]
    /// The plan's jobs (only the shard's, in a sharded run).
    public var jobs: [Job]
    /// The part of the plan this process generates (nil: all of it).
    public var shard: Shard? = nil
    /// The plan file or notebook the plan came from (a run name belongs to one source).
    public var source: String
    /// Decoder layers of the model (from its GGUF header), for EGLR cost overheads.
    public var blockCount = 0
}

extension PreparedRun {
    /// The part of the run that `shard` generates: the jobs whose unit key falls in it. Its
    /// run record holds only those members and says which shard it is, so records of all N
    /// shards, united in one store (`rollbook merge`), are the unsharded run's.
    public func restricted(to shard: Shard) -> PreparedRun {
        var part = self
        part.jobs = jobs.filter { shard.contains(unitKey: $0.unitKey) }
        part.shard = shard
        return part
    }
}

public struct RunSummary: Sendable {
    public var planned = 0
    public var cached = 0
    public var generated = 0
    /// Cached rollouts graded anew because the run's gold or grader differed from theirs.
    public var regraded = 0
    /// Cached local rollouts from before schema v4 whose FLOPs were filled in.
    public var flopsFilled = 0
    public var tokens = 0
    public var seconds = 0.0
    public init() {}
}

/// Expands a plan into jobs, each with its seed and key.
enum JobPlanner {
    static let refineSalt: UInt64 = 0x5245_4649_4E45_0001
    static let prefixSalt: UInt64 = 0x5052_4546_4958_0001
    static let childSalt: UInt64 = 0x4348_494C_4452_0001

    /// The decoding parameters every cell shares, as key text.
    static func sharedParams(_ plan: Plan) -> String {
        let d = plan.decoding
        return "tk=\(d.topK);tp=\(d.topP);mp=\(d.minP);K=\(d.kMax);tau=\(d.tau);eps=\(d.eps);"
            + "d=\(d.divergence.rawValue);kv=\(d.kvPolicy.rawValue);max=\(d.maxTokens);"
            + "stop=\(Hash128.hex(d.stop.joined(separator: "\u{1}")));chat=\(plan.chat)"
            + (plan.engine.isRemote || plan.numerics == .v1 ? "" : ";num=\(plan.numerics.rawValue)")
    }

    static func seed(_ run: UInt64, _ problem: Problem, _ t: Double, _ l: Int, _ sample: Int) -> UInt64 {
        RolloutSeed.derive(run: run, problem: problem.id, temperature: Float(t), layers: l, sample: sample)
    }

    static func jobs(_ plan: Plan, modelKey: String, problems: [Problem], promptHashes: [String]) -> [Job] {
        let shared = sharedParams(plan)
        var jobs = [Job]()
        for (pi, p) in problems.enumerated() {
            for l in plan.layers {
                for t in plan.temperatures {
                    let cell = "T=\(t);L=\(l);" + shared
                    let job = { (role: RolloutRole, seed: UInt64, sample: Int) -> Job in
                        let key = RolloutKey(model: modelKey, promptHash: promptHashes[pi], problem: p.id,
                                             cellParams: cell, role: role, seed: seed, index: sample)
                        return Job(problem: pi, temperature: t, layers: l, sample: sample, key: key)
                    }
                    for s in 0..<(t == 0 ? 1 : plan.n) {
                        jobs += chain(plan, breadth: job(.breadth, seed(plan.seed, p, t, l, s), s), job: job) {
                            seed(plan.seed &+ refineSalt &+ UInt64($0), p, t, l, s)
                        }
                    }
                    guard let d = plan.strategy.depth, t > 0 else { continue }
                    jobs += depthChildren(plan, d, job: job) { seed(plan.seed &+ childSalt, p, t, l, $0) }
                }
            }
        }
        return jobs
    }

    /// A breadth rollout and, under strategy refine, its rounds (each round's seed by
    /// `roundSeed(round)`): one unit, keyed by the breadth rollout.
    static func chain(_ plan: Plan, breadth root: Job, job: (RolloutRole, UInt64, Int) -> Job,
                      roundSeed: (Int) -> UInt64) -> [Job] {
        guard let refine = plan.strategy.refine else { return [root] }
        var out = [root]
        let ins = Hash128.hex(refine.instruction)
        for round in 1...refine.rounds {
            var j = job(.refine(round: round, instruction: ins), roundSeed(round), root.sample)
            j.parentKey = out.last!.key
            j.unitKey = root.key
            out.append(j)
        }
        return out
    }

    /// A sampled cell's depth children, per signal and trial: sample index = trial * children
    /// + child, seeded by `childSeed(sample)`. A trial is one unit, keyed by its first child.
    static func depthChildren(_ plan: Plan, _ d: DepthSpec, job: (RolloutRole, UInt64, Int) -> Job,
                              childSeed: (Int) -> UInt64) -> [Job] {
        let children = plan.n - d.b0
        func child(_ signal: String, _ trial: Int, _ c: Int) -> Job {
            let role = RolloutRole.depthChild(b0: d.b0, prefixTokens: d.prefixTokens, signal: signal, trial: trial,
                                              child: c)
            return job(role, childSeed(trial * children + c), trial * children + c)
        }
        let trialKeys = (0..<d.trials).map { child(d.signals[0], $0, 0).key }
        var out = [Job]()
        for sig in d.signals {
            for trial in 0..<d.trials {
                for c in 0..<children {
                    var j = child(sig, trial, c)
                    j.unitKey = trialKeys[trial]
                    out.append(j)
                }
            }
        }
        return out
    }
}

extension Runner {
    /// Resolves the plan: loads problems, renders prompts, hashes the model file and
    /// computes every job's key. `baseDir` resolves relative task paths and templates.
    public static func prepare(_ plan: Plan, store: RolloutStore, baseDir: String,
                               source: String = "") throws -> PreparedRun {
        var modelPath = "", modelKey: String, blockCount = 0
        if plan.engine.isRemote {
            modelKey = plan.engine.modelKey(model: plan.engine.model ?? plan.model)
        } else {
            modelPath = try ModelCatalog.resolve(plan.model)
            guard FileManager.default.fileExists(atPath: modelPath) else {
                throw PlanError("\(plan.location("model"))model \(modelPath): no such file")
            }
            modelKey = "sha256:" + (try store.modelHash(path: modelPath))
            blockCount = (try? ModelConfig.blockCount(path: modelPath)) ?? 0
        }
        let problems: [Problem], template: PromptTemplate
        do { problems = try TaskSpec.load(plan.tasks, relativeTo: baseDir) } catch let e as TaskError {
            throw PlanError("\(plan.location("tasks"))\(e)")
        }
        if problems.isEmpty { throw PlanError("\(plan.location("tasks"))the task \(plan.tasks) has no problems") }
        do { template = try PromptTemplate.load(name: plan.template, directory: templateDirectory(baseDir)) }
        catch let e as TaskError { throw PlanError("\(plan.location("template"))\(e)") }
        var prompts = problems.map { template.render($0) }
        if plan.chat {
            let model = try Model(path: modelPath)
            guard let chat = model.chatTemplate else {
                throw PlanError("\(modelPath): the model has no chat template (set chat: false)")
            }
            prompts = prompts.map { chat.render(user: $0) }
        }
        let hashes = prompts.map { Hash128.hex($0) }
        let jobs = JobPlanner.jobs(plan, modelKey: modelKey, problems: problems, promptHashes: hashes)
        return PreparedRun(plan: plan, modelPath: modelPath, modelKey: modelKey, taskKey: plan.tasks,
                           problems: problems, prompts: prompts, promptHashes: hashes,
                           goldHashes: problems.map { Hash128.hex($0.gold) }, jobs: jobs,
                           source: source.isEmpty ? "" : URL(fileURLWithPath: source).standardizedFileURL.path,
                           blockCount: blockCount)
    }

    /// The identity of a plan's model file, when it is on this machine: architecture,
    /// quantisation, file name and size ("model.*" keys; empty otherwise).
    public static func modelIdentity(_ model: String) -> [String: String] {
        guard let path = try? ModelCatalog.resolve(model), let id = try? ModelIdentity.read(path: path) else {
            return [:]
        }
        return ["model.architecture": id.architecture, "model.quantisation": id.quantisation,
                "model.file_bytes": String(id.fileBytes), "model.file": (path as NSString).lastPathComponent]
    }

    /// templates/prompts next to the notebook or plan, else the repository's.
    public static func promptDirectory(_ baseDir: String) -> String { templateDirectory(baseDir) }

    static func templateDirectory(_ baseDir: String) -> String {
        var dir = URL(fileURLWithPath: baseDir)
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("templates/prompts").path
            if FileManager.default.fileExists(atPath: candidate) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return Resources.promptDirectory
    }
}
