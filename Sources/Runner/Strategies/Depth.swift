import Foundation
import Inference
import Seeds
import Store

/// Prefix-branching depth (METHODS.md section 3): per (problem, cell, trial) sample b0
/// prefixes, let each signal keep one, and continue that signal's children from a fork of
/// its K/V. Needs the local engine (forks).
enum DepthStrategy {
    struct Trial: Hashable, Comparable {
        var problem: Int, layers: Int, temperature: Double, trial: Int
        static func < (a: Trial, b: Trial) -> Bool {
            (a.problem, a.layers, a.temperature, a.trial) < (b.problem, b.layers, b.temperature, b.trial)
        }
    }

    static func run(_ prep: PreparedRun, missing: [Job], spec d: DepthSpec, engine: LocalEngine,
                    recorder: RolloutRecorder) throws {
        var byTrial = [Trial: [Job]]()
        for j in missing {
            guard case let .depthChild(_, _, _, trial, _) = j.role else { continue }
            byTrial[Trial(problem: j.problem, layers: j.layers, temperature: j.temperature, trial: trial), default: []]
                .append(j)
        }
        if byTrial.isEmpty { return }
        let trials = byTrial.keys.sorted()
        let session = engine.session(prompts: prep.prompts, used: Array(Set(trials.map(\.problem))).sorted())
        // A few trials at a time bounds the prefixes' kept K/V.
        let chunk = max(1, prep.plan.batch / d.b0)
        for start in stride(from: 0, to: trials.count, by: chunk) {
            let group = Array(trials[start..<min(trials.count, start + chunk)])
            let prefixes = try samplePrefixes(group, prep: prep, spec: d, engine: engine, session: session)
            try continueChildren(group, byTrial: byTrial, prefixes: prefixes, prep: prep, spec: d, engine: engine,
                                 session: session, recorder: recorder)
            try recorder.flush()
        }
    }

    /// The b0 prefixes of each trial in `group`, kept with their K/V: prefixes[g * b0 + j].
    static func samplePrefixes(_ group: [Trial], prep: PreparedRun, spec d: DepthSpec, engine: LocalEngine,
                               session: LocalEngine.Session) throws -> [Int: RolloutResult] {
        var specs = [RolloutSpec]()
        for (gi, tk) in group.enumerated() {
            let pid = prep.problems[tk.problem].id
            for j in 0..<d.b0 {
                let seed = RolloutSeed.derive(run: prep.plan.seed &+ JobPlanner.prefixSalt, problem: pid,
                                              temperature: Float(tk.temperature), layers: tk.layers,
                                              sample: tk.trial * d.b0 + j)
                let request = GenerationRequest(prompt: tk.problem, temperature: tk.temperature, layers: tk.layers,
                                                seed: seed, maxTokens: d.prefixTokens, tag: gi * d.b0 + j)
                var spec = engine.spec(request, prompt: session.index(tk.problem), tag: request.tag)
                spec.keepKV = true
                specs.append(spec)
            }
        }
        var prefixes = [Int: RolloutResult]()
        try session.engine.run(prompts: session.tokens, specs: specs) { prefixes[$0.tag] = $0 }
        return prefixes
    }

    /// Each signal's children continue from a fork of the prefix it keeps; a child whose
    /// chosen prefix already ended is that prefix's answer.
    static func continueChildren(_ group: [Trial], byTrial: [Trial: [Job]], prefixes: [Int: RolloutResult],
                                 prep: PreparedRun, spec d: DepthSpec, engine: LocalEngine,
                                 session: LocalEngine.Session, recorder: RolloutRecorder) throws {
        var specs = [RolloutSpec]()
        var jobs = [Job]()
        var chosenPrefix = [RolloutResult]()
        /// A child is charged its whole prefix (time and FLOPs), as if generated alone: the
        /// convention `ComputeShape` documents for shared prefixes.
        func record(_ job: Job, _ prefix: RolloutResult, _ child: RolloutResult?) throws {
            let g = Generation.local(steps: prefix.steps + (child?.steps ?? []),
                                     text: prefix.text + (child?.text ?? ""),
                                     finish: child?.finishReason ?? prefix.finishReason, layers: job.layers,
                                     promptTokens: session.tokens[session.index(job.problem)].count,
                                     seconds: prefix.seconds + (child?.seconds ?? 0),
                                     shape: ComputeShape(engine.model.config))
            try recorder.record(job, g, newTokens: child?.steps.count ?? 0)
        }
        for (gi, tk) in group.enumerated() {
            let pool = (0..<d.b0).map { prefixes[gi * d.b0 + $0]! }
            for job in byTrial[tk]!.sorted(by: { signalAndChild($0) < signalAndChild($1) }) {
                guard case let .depthChild(_, _, signal, _, _) = job.role else { continue }
                let chosen = pool[DepthSelection.choose(pool.map(\.steps), signal: signal)]
                let remaining = prep.plan.maxTokens - chosen.steps.count
                if chosen.finishReason != .length || remaining <= 0 {
                    try record(job, chosen, nil)
                    continue
                }
                let request = GenerationRequest(prompt: tk.problem, temperature: tk.temperature, layers: tk.layers,
                                                seed: job.seed, maxTokens: remaining, tag: jobs.count)
                var spec = engine.spec(request, prompt: session.index(tk.problem), tag: request.tag)
                spec.branch = try session.engine.fork(chosen, at: chosen.ids.count)
                specs.append(spec)
                jobs.append(job)
                chosenPrefix.append(chosen)
            }
        }
        try session.engine.run(prompts: session.tokens, specs: specs) { r in
            try record(jobs[r.tag], chosenPrefix[r.tag], r)
        }
    }

    static func signalAndChild(_ j: Job) -> (String, Int) {
        guard case let .depthChild(_, _, signal, _, child) = j.role else { return ("", 0) }
        return (signal, child)
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
