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

    init(problem: Int, temperature: Double, layers: Int, sample: Int, key: RolloutKey) {
        self.problem = problem; self.temperature = temperature; self.layers = layers; self.sample = sample
        seed = key.seed; role = key.role; params = key.params; self.key = key.hex
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
    public var jobs: [Job]
    /// The plan file or notebook the plan came from (a run name belongs to one source).
    public var source: String
    /// Decoder layers of the model (from its GGUF header), for EGLR cost overheads.
    public var blockCount = 0
}

public struct RunSummary: Sendable {
    public var planned = 0
    public var cached = 0
    public var generated = 0
    /// Cached rollouts graded anew because the run's gold or grader differed from theirs.
    public var regraded = 0
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
                    func job(_ role: RolloutRole, seed: UInt64, sample: Int) -> Job {
                        let key = RolloutKey(model: modelKey, promptHash: promptHashes[pi], problem: p.id,
                                             cellParams: cell, role: role, seed: seed, index: sample)
                        return Job(problem: pi, temperature: t, layers: l, sample: sample, key: key)
                    }
                    for s in 0..<(t == 0 ? 1 : plan.n) {
                        jobs.append(job(.breadth, seed: seed(plan.seed, p, t, l, s), sample: s))
                        guard let refine = plan.strategy.refine else { continue }
                        let ins = Hash128.hex(refine.instruction)
                        for round in 1...refine.rounds {
                            let rs = seed(plan.seed &+ refineSalt &+ UInt64(round), p, t, l, s)
                            var j = job(.refine(round: round, instruction: ins), seed: rs, sample: s)
                            j.parentKey = jobs.last!.key
                            jobs.append(j)
                        }
                    }
                    // Depth children: sample index = trial * children + child, per signal.
                    guard let d = plan.strategy.depth, t > 0 else { continue }
                    let children = plan.n - d.b0
                    for sig in d.signals {
                        for trial in 0..<d.trials {
                            for c in 0..<children {
                                let s = trial * children + c
                                let role = RolloutRole.depthChild(b0: d.b0, prefixTokens: d.prefixTokens, signal: sig,
                                                                  trial: trial, child: c)
                                jobs.append(job(role, seed: seed(plan.seed &+ childSalt, p, t, l, s), sample: s))
                            }
                        }
                    }
                }
            }
        }
        return jobs
    }
}

extension Runner {
    /// Resolves the plan: loads problems, renders prompts, hashes the model file and
    /// computes every job's key. `baseDir` resolves relative task paths and templates.
    public static func prepare(_ plan: Plan, store: RolloutStore, baseDir: String,
                               source: String = "") throws -> PreparedRun {
        var modelPath = "", modelKey: String, blockCount = 0
        if plan.engine.isRemote {
            // A server's rollouts are keyed by its address, API and model name.
            modelKey = "openai:\(plan.engine.url)|\(plan.engine.api)|\(plan.engine.model ?? plan.model)"
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
