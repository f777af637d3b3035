import Foundation
import GGUF
import Inference
import Sampling
import Store
import Tasks

/// One planned rollout: which problem, which cell of the grid, which sample, and its
/// content address.
public struct Job: Sendable {
    public var problem: Int
    public var temperature: Double
    public var layers: Int
    public var sample: Int
    public var seed: UInt64
    public var params: String
    public var key: String
    /// For depth children: the selection signal, the trial and the child index.
    public var depth: DepthJob? = nil
    /// For self-refinement: the round (0 = the breadth rollout itself) and the previous round's key.
    public var round = 0
    public var parentKey: String? = nil
}

public struct DepthJob: Sendable, Hashable {
    public var signal: String
    public var trial: Int
    public var child: Int
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
    public var jobs: [Job]
    /// Decoder layers of the model (from its GGUF header), for EGLR cost overheads.
    public var blockCount = 0
}

public struct RunSummary: Sendable {
    public var planned = 0
    public var cached = 0
    public var generated = 0
    public var tokens = 0
    public var seconds = 0.0
}

public enum Runner {
    /// Resolves the plan: loads problems, renders prompts, hashes the model file and
    /// computes every job's key. `baseDir` resolves relative task paths and templates.
    public static func prepare(_ plan: Plan, store: RolloutStore, baseDir: String) throws -> PreparedRun {
        var modelPath = "", modelKey: String, blockCount = 0
        if plan.engine.isRemote {
            // A server's rollouts are keyed by its address, API and model name.
            modelKey = "openai:\(plan.engine.url)|\(plan.engine.api)|\(plan.engine.model ?? plan.model)"
        } else {
            modelPath = try ModelCatalog.resolve(plan.model)
            modelKey = "sha256:" + (try store.modelHash(path: modelPath))
            let header = try GGUFFile(path: modelPath)
            blockCount = (try? header.int(header.string("general.architecture") + ".block_count")) ?? 0
        }
        let problems = try TaskSpec.load(plan.tasks, relativeTo: baseDir)
        if problems.isEmpty { throw PlanError("\(plan.name): the task \(plan.tasks) has no problems") }
        let template = try PromptTemplate.load(name: plan.template, directory: templateDirectory(baseDir))
        var prompts = problems.map { template.render($0) }
        if plan.chat {
            let model = try Model(path: modelPath)
            guard let chat = model.chatTemplate else { throw PlanError("\(modelPath): the model has no chat template (set chat: false)") }
            prompts = prompts.map { chat.render(user: $0) }
        }
        let hashes = prompts.map { Hash128.hex($0) }
        let taskKey = plan.tasks
        var jobs = [Job]()
        let shared = "tk=\(plan.topK);tp=\(plan.topP);mp=\(plan.minP);K=\(plan.kMax);tau=\(plan.tau);eps=\(plan.eps);" +
            "d=\(plan.divergence);kv=\(plan.kvPolicy);max=\(plan.maxTokens);stop=\(Hash128.hex(plan.stop.joined(separator: "\u{1}")));chat=\(plan.chat)"
        for (pi, p) in problems.enumerated() {
            for l in plan.layers {
                for t in plan.temperatures {
                    let count = t == 0 ? 1 : plan.n
                    for s in 0..<count {
                        let seed = RolloutSeed.derive(run: plan.seed, problem: p.id, temperature: Float(t), layers: l, sample: s)
                        let params = "T=\(t);L=\(l);" + shared
                        let canonical = "rollbook/1;model=\(modelKey);prompt=\(hashes[pi]);problem=\(p.id);\(params);seed=\(seed);i=\(s)"
                        jobs.append(Job(problem: pi, temperature: t, layers: l, sample: s, seed: seed,
                                        params: params, key: Hash128.hex(canonical)))
                        if plan.isRefine {
                            var parent = jobs.last!.key
                            let ins = Hash128.hex(plan.refine.instruction)
                            for round in 1...plan.refine.rounds {
                                let rs = RolloutSeed.derive(run: plan.seed &+ Runner.refineSalt &+ UInt64(round), problem: p.id,
                                                            temperature: Float(t), layers: l, sample: s)
                                let rp = params + ";S=refine;round=\(round);ins=\(ins)"
                                let rc = "rollbook/1;model=\(modelKey);prompt=\(hashes[pi]);problem=\(p.id);\(rp);seed=\(rs);i=\(s)"
                                var job = Job(problem: pi, temperature: t, layers: l, sample: s, seed: rs, params: rp, key: Hash128.hex(rc))
                                job.round = round; job.parentKey = parent
                                jobs.append(job)
                                parent = job.key
                            }
                        }
                    }
                    // Depth children: sample index = trial * children + child, per signal.
                    if plan.isDepth && t > 0 {
                        let children = plan.n - plan.depth.b0
                        let d = plan.depth
                        for sig in d.signals {
                            for trial in 0..<d.trials {
                                for c in 0..<children {
                                    let s = trial * children + c
                                    let seed = RolloutSeed.derive(run: plan.seed &+ Runner.childSalt, problem: p.id, temperature: Float(t), layers: l, sample: s)
                                    let params = "T=\(t);L=\(l);" + shared + ";S=depth;b0=\(d.b0);pl=\(d.prefixTokens);sig=\(sig);trial=\(trial);c=\(c)"
                                    let canonical = "rollbook/1;model=\(modelKey);prompt=\(hashes[pi]);problem=\(p.id);\(params);seed=\(seed);i=\(s)"
                                    jobs.append(Job(problem: pi, temperature: t, layers: l, sample: s, seed: seed, params: params,
                                                    key: Hash128.hex(canonical), depth: DepthJob(signal: sig, trial: trial, child: c)))
                                }
                            }
                        }
                    }
                }
            }
        }
        return PreparedRun(plan: plan, modelPath: modelPath, modelKey: modelKey, taskKey: taskKey,
                           problems: problems, prompts: prompts, promptHashes: hashes, jobs: jobs, blockCount: blockCount)
    }

    /// templates/prompts next to the notebook or plan, else the repository's.
    static func templateDirectory(_ baseDir: String) -> String {
        var dir = URL(fileURLWithPath: baseDir)
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("templates/prompts").path
            if FileManager.default.fileExists(atPath: candidate) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return Resources.promptDirectory
    }

    /// Generates every job the store lacks, committing as it goes, and records the run.
    public static func execute(_ prep: PreparedRun, store: RolloutStore, progress: RunProgress) throws -> RunSummary {
        let t0 = Date()
        var summary = RunSummary()
        summary.planned = prep.jobs.count
        try store.recordRun(name: prep.plan.name, plan: prep.plan.canonical, modelKey: prep.modelKey,
                            keys: prep.jobs.map(\.key), info: "rollbook run; grader \(Grader.version); blocks \(prep.blockCount)")
        try store.putProblems(taskKey: prep.taskKey, prep.problems.map {
            RolloutStore.ProblemRow(id: $0.id, question: $0.question, gold: $0.gold, tier: $0.tier)
        })
        let have = try store.existing(prep.jobs.map(\.key))
        let missing = prep.jobs.filter { !have.contains($0.key) }
        summary.cached = prep.jobs.count - missing.count
        var needFeatures = [Int]()
        if prep.plan.features && !prep.plan.engine.isRemote {
            for pi in Set(prep.jobs.map(\.problem)).sorted() {
                if try !store.hasFeatures(modelKey: prep.modelKey, promptHash: prep.promptHashes[pi]) { needFeatures.append(pi) }
            }
        }
        progress.start(total: prep.jobs.count, cached: summary.cached)
        if missing.isEmpty && needFeatures.isEmpty {
            progress.finish()
            summary.seconds = Date().timeIntervalSince(t0)
            return summary
        }
        if prep.plan.engine.isRemote {
            try executeRemote(prep, missing: missing, store: store, progress: progress, summary: &summary)
            summary.seconds = Date().timeIntervalSince(t0)
            return summary
        }
        let model = try Model(path: prep.modelPath)
        let plan = prep.plan
        let usedProblems = Array(Set(missing.map(\.problem)).union(needFeatures)).sorted()
        let promptIndex = Dictionary(uniqueKeysWithValues: usedProblems.enumerated().map { ($1, $0) })
        let tokenized = usedProblems.map { model.tokenizer.encode(prep.prompts[$0], parseSpecial: plan.chat) }
        let engine = RolloutEngine(model: model, maxBatch: plan.batch,
                                   maxContext: (tokenized.map(\.count).max() ?? 0) + plan.maxTokens + 1)
        // Jobs in problem order so each prompt's prefix is prefilled once and shared.
        var specs = [RolloutSpec]()
        let ordered = missing.filter { $0.depth == nil && $0.round == 0 }.sorted { ($0.problem, $0.layers, $0.temperature, $0.sample) < ($1.problem, $1.layers, $1.temperature, $1.sample) }
        // The plan's sampler and EGLR settings for one cell of the grid.
        func sampler(_ t: Double) -> SamplerConfig {
            SamplerConfig(temperature: Float(t), topK: plan.topK, topP: Float(plan.topP), minP: Float(plan.minP))
        }
        func eglr(_ layers: Int) -> EGLRConfig {
            EGLRConfig(layers: layers, kMax: plan.kMax, tau: Float(plan.tau), divergence: EGLRConfig.Divergence(rawValue: plan.divergence) ?? .kl,
                       eps: Float(plan.eps), kvPolicy: EGLRConfig.KVPolicy(rawValue: plan.kvPolicy) ?? .keepFirst)
        }
        for (i, job) in ordered.enumerated() {
            specs.append(RolloutSpec(prompt: promptIndex[job.problem]!, sampler: sampler(job.temperature), eglr: eglr(job.layers),
                                     seed: job.seed, maxTokens: plan.maxTokens, stopStrings: plan.stop, tag: i))
        }
        // Problems that need only features get a 1-token throwaway rollout.
        let featureOnly = needFeatures.filter { pi in !missing.contains { $0.problem == pi } }
        for pi in featureOnly {
            specs.append(RolloutSpec(prompt: promptIndex[pi]!, maxTokens: 1, tag: -1 - pi))
        }
        let grader = Grader()
        var buffer = [StoredRollout]()
        var lastFlush = Date()
        var started = [Int: Date]()
        func flush() throws {
            let added = try store.insert(buffer)
            summary.generated += added
            buffer.removeAll(keepingCapacity: true)
            lastFlush = Date()
        }
        /// Stores a depth child (the chosen prefix followed by the child's own tokens) or a refinement round.
        func store1(_ job: Job, prefix: RolloutResult, child: RolloutResult?, newTokens: Int? = nil) throws {
            let p = prep.problems[job.problem]
            let steps = prefix.steps + (child?.steps ?? [])
            let text = prefix.text + (child?.text ?? "")
            let verdict = grader.grade(response: text, gold: p.gold)
            let n = max(1, steps.count)
            let records = steps.map { TokenRecord(id: Int32($0.id), logprob: $0.logprob, entropy: $0.entropy,
                                                  iterations: UInt8(min(255, $0.iterations)), gated: $0.gated) }
            buffer.append(StoredRollout(
                key: job.key, modelKey: prep.modelKey, promptHash: prep.promptHashes[job.problem], taskKey: prep.taskKey,
                problemID: p.id, layers: job.layers, temperature: job.temperature, sampleIndex: job.sample, seed: job.seed,
                params: job.params, response: text, tokenCount: steps.count,
                finishReason: (child?.finishReason ?? prefix.finishReason).rawValue,
                meanEntropy: Double(steps.reduce(0) { $0 + $1.entropy }) / Double(n),
                meanLogprob: Double(steps.reduce(0) { $0 + $1.logprob }) / Double(n),
                selfCertainty: Double(steps.reduce(0) { $0 + $1.selfCertainty }) / Double(n),
                gatedTokens: steps.filter(\.gated).count,
                extraLayerApplications: steps.reduce(0) { $0 + $1.iterations } * job.layers,
                extracted: verdict.extracted, answerClass: verdict.answerClass, correct: verdict.correct,
                rule: verdict.rule, graderVersion: Grader.version, tokens: TokenRecord.pack(records), seconds: 0))
            summary.tokens += newTokens ?? child?.steps.count ?? 0
            progress.advance(rollouts: 1, tokens: newTokens ?? child?.steps.count ?? 0)
            if buffer.count >= 64 || Date().timeIntervalSince(lastFlush) > 2 { try flush() }
        }
        let dim = model.config.embeddingLength, blocks = model.config.blockCount
        let wantFeatures = Set(needFeatures)
        try engine.run(prompts: tokenized, specs: specs, captureFeatures: !needFeatures.isEmpty,
                       onFeatures: { local, values in
            let pi = usedProblems[local]
            guard wantFeatures.contains(pi) else { return }
            try? store.putFeatures(modelKey: prep.modelKey, promptHash: prep.promptHashes[pi], layers: blocks, dim: dim, values: values)
        }) { r in
            guard r.tag >= 0 else { return }
            let job = ordered[r.tag]
            let p = prep.problems[job.problem]
            let verdict = grader.grade(response: r.text, gold: p.gold)
            let n = max(1, r.steps.count)
            let records = r.steps.map { TokenRecord(id: Int32($0.id), logprob: $0.logprob, entropy: $0.entropy,
                                                     iterations: UInt8(min(255, $0.iterations)), gated: $0.gated) }
            buffer.append(StoredRollout(
                key: job.key, modelKey: prep.modelKey, promptHash: prep.promptHashes[job.problem], taskKey: prep.taskKey,
                problemID: p.id, layers: job.layers, temperature: job.temperature, sampleIndex: job.sample, seed: job.seed,
                params: job.params, response: r.text, tokenCount: r.steps.count, finishReason: r.finishReason.rawValue,
                meanEntropy: Double(r.steps.reduce(0) { $0 + $1.entropy }) / Double(n),
                meanLogprob: Double(r.steps.reduce(0) { $0 + $1.logprob }) / Double(n),
                selfCertainty: Double(r.steps.reduce(0) { $0 + $1.selfCertainty }) / Double(n),
                gatedTokens: r.gatedTokens, extraLayerApplications: r.extraLayerApplications,
                extracted: verdict.extracted, answerClass: verdict.answerClass, correct: verdict.correct,
                rule: verdict.rule, graderVersion: Grader.version, tokens: TokenRecord.pack(records),
                seconds: Date().timeIntervalSince(started[job.problem] ?? t0)))
            started[job.problem] = started[job.problem] ?? Date()
            summary.tokens += r.steps.count
            progress.advance(rollouts: 1, tokens: r.steps.count)
            if buffer.count >= 64 || Date().timeIntervalSince(lastFlush) > 2 { try flush() }
        }
        try flush()

        // Self-refinement: round r continues the conversation of rounds 0..r-1 with the
        // instruction appended; rounds run in order, each after the previous is stored.
        if plan.isRefine {
            let byKey = Dictionary(uniqueKeysWithValues: prep.jobs.map { ($0.key, $0) })
            for round in 1...plan.refine.rounds {
                let jobsR = missing.filter { $0.round == round }
                    .sorted { ($0.problem, $0.layers, $0.temperature, $0.sample) < ($1.problem, $1.layers, $1.temperature, $1.sample) }
                if jobsR.isEmpty { continue }
                var chains = [[String]]()
                for j in jobsR {
                    var chain = [String](), k = j.parentKey
                    while let key = k { chain.insert(key, at: 0); k = byKey[key]?.parentKey }
                    chains.append(chain)
                }
                let answers = try store.responses(Array(Set(chains.flatMap { $0 })))
                var texts = [[Int]]()
                for (j, chain) in zip(jobsR, chains) {
                    var text = prep.prompts[j.problem]
                    for key in chain {
                        guard let a = answers[key] else { throw StoreError("\(store.path): refinement round \(round) of \(prep.problems[j.problem].id) lacks its previous round") }
                        text += a + plan.refine.instruction
                    }
                    texts.append(model.tokenizer.encode(text, parseSpecial: plan.chat))
                }
                let refiner = RolloutEngine(model: model, maxBatch: plan.batch, maxContext: (texts.map(\.count).max() ?? 0) + plan.maxTokens + 1)
                let specs = jobsR.enumerated().map { i, j in
                    RolloutSpec(prompt: i, sampler: sampler(j.temperature), eglr: eglr(j.layers),
                                seed: j.seed, maxTokens: plan.maxTokens, stopStrings: plan.stop, tag: i)
                }
                try refiner.run(prompts: texts, specs: specs) { r in try store1(jobsR[r.tag], prefix: r, child: nil, newTokens: r.steps.count) }
                try flush()
            }
        }

        // Depth: per (problem, cell, trial) sample b0 prefixes, let each signal pick one,
        // and continue that signal's children from a fork of it.
        let depthMissing = missing.filter { $0.depth != nil }
        if !depthMissing.isEmpty {
            struct TrialKey: Hashable { var problem: Int; var layers: Int; var temperature: Double; var trial: Int }
            var byTrial = [TrialKey: [Job]]()
            for j in depthMissing { byTrial[TrialKey(problem: j.problem, layers: j.layers, temperature: j.temperature, trial: j.depth!.trial), default: []].append(j) }
            let trials = byTrial.keys.sorted { ($0.problem, $0.layers, $0.temperature, $0.trial) < ($1.problem, $1.layers, $1.temperature, $1.trial) }
            let d = plan.depth
            // A few trials at a time bounds the prefixes' kept K/V.
            let chunk = max(1, plan.batch / d.b0)
            for start in stride(from: 0, to: trials.count, by: chunk) {
                let group = Array(trials[start..<min(trials.count, start + chunk)])
                var prefixSpecs = [RolloutSpec]()
                for (gi, tk) in group.enumerated() {
                    let pid = prep.problems[tk.problem].id
                    for j in 0..<d.b0 {
                        var spec = RolloutSpec(prompt: promptIndex[tk.problem]!, sampler: sampler(tk.temperature), eglr: eglr(tk.layers),
                                               seed: RolloutSeed.derive(run: plan.seed &+ prefixSalt, problem: pid, temperature: Float(tk.temperature),
                                                                        layers: tk.layers, sample: tk.trial * d.b0 + j),
                                               maxTokens: d.prefixTokens, stopStrings: plan.stop, tag: gi * d.b0 + j)
                        spec.keepKV = true
                        prefixSpecs.append(spec)
                    }
                }
                var prefixes = [Int: RolloutResult]()
                try engine.run(prompts: tokenized, specs: prefixSpecs) { prefixes[$0.tag] = $0 }
                var childSpecs = [RolloutSpec]()
                var childJobs = [Job]()
                var childPrefix = [RolloutResult]()
                for (gi, tk) in group.enumerated() {
                    let pool = (0..<d.b0).map { prefixes[gi * d.b0 + $0]! }
                    for job in byTrial[tk]!.sorted(by: { ($0.depth!.signal, $0.depth!.child) < ($1.depth!.signal, $1.depth!.child) }) {
                        let chosen = pool[DepthSelection.choose(pool.map { $0.steps }, signal: job.depth!.signal)]
                        let remaining = plan.maxTokens - chosen.steps.count
                        if chosen.finishReason != .length || remaining <= 0 {
                            // The chosen prefix already ended: every child is that answer.
                            try store1(job, prefix: chosen, child: nil)
                            continue
                        }
                        childSpecs.append(RolloutSpec(prompt: promptIndex[tk.problem]!, sampler: sampler(tk.temperature), eglr: eglr(tk.layers),
                                                      seed: job.seed, maxTokens: remaining, stopStrings: plan.stop,
                                                      branch: try engine.fork(chosen, at: chosen.ids.count), tag: childJobs.count))
                        childJobs.append(job)
                        childPrefix.append(chosen)
                    }
                }
                try engine.run(prompts: tokenized, specs: childSpecs) { r in
                    try store1(childJobs[r.tag], prefix: childPrefix[r.tag], child: r)
                }
                try flush()
            }
        }
        progress.finish()
        summary.seconds = Date().timeIntervalSince(t0)
        return summary
    }

    static let refineSalt: UInt64 = 0x5245_4649_4E45_0001
    static let prefixSalt: UInt64 = 0x5052_4546_4958_0001
    static let childSalt: UInt64 = 0x4348_494C_4452_0001

    /// Sends the missing rollouts to an OpenAI-compatible server, `concurrency` at a time,
    /// storing each as it arrives. A request that still fails after its retries stops the
    /// run with an error; everything already received stays stored.
    static func executeRemote(_ prep: PreparedRun, missing: [Job], store: RolloutStore, progress: RunProgress,
                              summary: inout RunSummary) throws {
        let plan = prep.plan
        let client = OpenAIClient(spec: plan.engine, model: plan.engine.model ?? plan.model)
        let listed: [String]
        do { listed = try client.models() } catch {
            throw RemoteError("\(error) (is the server running? \(summary.cached) of \(summary.planned) rollouts are cached)")
        }
        if !listed.isEmpty && !listed.contains(client.model) {
            throw RemoteError("\(plan.engine.url): the server has no model \"\(client.model)\" (it lists: \(listed.joined(separator: ", "))); set engine.model")
        }
        let grader = Grader()
        let lock = NSLock()
        nonisolated(unsafe) var arrived = [StoredRollout]()
        nonisolated(unsafe) var failure: Error? = nil
        let queue = OperationQueue()
        queue.maxConcurrentOperationCount = plan.engine.concurrency
        let t0 = Date()
        for job in missing {
            queue.addOperation {
                if lock.withLock({ failure != nil }) { return }
                let p = prep.problems[job.problem]
                let started = Date()
                do {
                    let c = try client.complete(prompt: prep.prompts[job.problem], temperature: job.temperature, topP: plan.topP,
                                                topK: plan.topK, minP: plan.minP, seed: job.seed, maxTokens: plan.maxTokens, stop: plan.stop)
                    let v = grader.grade(response: c.text, gold: p.gold)
                    let n = Double(max(1, c.tokens.count))  // means over the log-prob records (0 without them)
                    let r = StoredRollout(
                        key: job.key, modelKey: prep.modelKey, promptHash: prep.promptHashes[job.problem], taskKey: prep.taskKey,
                        problemID: p.id, layers: job.layers, temperature: job.temperature, sampleIndex: job.sample, seed: job.seed,
                        params: job.params, response: c.text, tokenCount: c.tokenCount, finishReason: c.finishReason,
                        meanEntropy: c.tokens.reduce(0) { $0 + Double($1.entropy) } / n,
                        meanLogprob: c.tokens.reduce(0) { $0 + Double($1.logprob) } / n,
                        selfCertainty: 0, gatedTokens: 0, extraLayerApplications: 0,
                        extracted: v.extracted, answerClass: v.answerClass, correct: v.correct, rule: v.rule,
                        graderVersion: Grader.version, tokens: TokenRecord.pack(c.tokens), seconds: Date().timeIntervalSince(started))
                    lock.withLock { arrived.append(r) }
                } catch {
                    lock.withLock { if failure == nil { failure = error } }
                }
            }
        }
        var lastFlush = Date()
        func drain(force: Bool) throws {
            let batch: [StoredRollout] = lock.withLock { () -> [StoredRollout] in
                guard force || arrived.count >= 16 || Date().timeIntervalSince(lastFlush) > 1 else { return [] }
                defer { arrived.removeAll() }
                return arrived
            }
            guard !batch.isEmpty else { return }
            summary.generated += try store.insert(batch)
            let toks = batch.reduce(0) { $0 + $1.tokenCount }
            summary.tokens += toks
            progress.advance(rollouts: batch.count, tokens: toks)
            lastFlush = Date()
        }
        while queue.operationCount > 0 {
            Thread.sleep(forTimeInterval: 0.1)
            try drain(force: false)
        }
        queue.waitUntilAllOperationsAreFinished()
        try drain(force: true)
        progress.finish()
        _ = t0
        if let failure {
            let have = summary.cached + summary.generated
            throw RemoteError("\(failure); \(have) of \(summary.planned) rollouts are stored (\(summary.generated) new in this run); run again to resume")
        }
    }
}

/// Which of a trial's prefixes a depth signal keeps (METHODS.md section 3): `ent` the lowest
/// mean token entropy, `sc` the highest mean self-certainty; ties go to the first.
public enum DepthSelection {
    public static func choose(_ prefixes: [[TokenStep]], signal: String) -> Int {
        func mean(_ xs: [TokenStep], _ f: (TokenStep) -> Float) -> Double {
            xs.isEmpty ? 0 : xs.reduce(0.0) { $0 + Double(f($1)) } / Double(xs.count)
        }
        var best = 0
        var bestScore = -Double.infinity
        for (i, p) in prefixes.enumerated() {
            let score = signal == "sc" ? mean(p, \.selfCertainty) : -mean(p, \.entropy)
            if score > bestScore { best = i; bestScore = score }
        }
        return best
    }
}
