import Foundation
import Sampling
import Tokenizers

/// One rollout to generate.
public struct RolloutSpec: Sendable {
    /// Index of the prompt (into the `prompts` given to `run`).
    public var prompt: Int
    public var sampler: SamplerConfig
    public var eglr: EGLRConfig
    /// The rollout's own RNG seed (derive it with `RolloutSeed.derive`).
    public var seed: UInt64
    public var maxTokens: Int
    public var stopStrings: [String]
    public var stopAtEndOfGeneration: Bool
    /// Continue from a branch point (prefix-branching depth strategies) instead of the prompt.
    public var branch: Branch?
    /// Caller's tag, returned with the result.
    public var tag: Int
    /// Keep the sequence's K/V with the result, so it can be forked later.
    public var keepKV: Bool = false

    public init(prompt: Int, sampler: SamplerConfig = SamplerConfig(), eglr: EGLRConfig = EGLRConfig(),
                seed: UInt64 = 0, maxTokens: Int = 128, stopStrings: [String] = [],
                stopAtEndOfGeneration: Bool = true, branch: Branch? = nil, tag: Int = 0) {
        self.prompt = prompt; self.sampler = sampler; self.eglr = eglr; self.seed = seed
        self.maxTokens = maxTokens; self.stopStrings = stopStrings
        self.stopAtEndOfGeneration = stopAtEndOfGeneration; self.branch = branch; self.tag = tag
    }
}

/// Per generated token (DESIGN.md `generate --json` shape plus EGLR's divergence).
public struct TokenStep: Sendable, Equatable {
    public var id: Int
    public var logprob: Float
    public var entropy: Float
    public var gated: Bool
    public var iterations: Int
    public var divergence: Float
    /// Self-certainty KL(U || p) of the final distribution (Kang et al. 2025), nats.
    public var selfCertainty: Float = 0
}

public struct RolloutResult: Sendable {
    public var tag: Int
    public var spec: RolloutSpec
    public var ids: [Int]
    public var steps: [TokenStep]
    public var text: String
    public var finishReason: FinishReason
    /// The sequence's K/V, when the spec asked to keep it (for `fork`).
    public var kv: SequenceKV?
    public var gatedTokens: Int { steps.filter(\.gated).count }
    /// Wall seconds of this rollout's share of the run: each engine step's time (admission
    /// and prefill included) split evenly over the sequences active in it.
    public var seconds: Double = 0
    /// Extra decoder-layer applications spent by EGLR.
    public var extraLayerApplications: Int { steps.reduce(0) { $0 + $1.iterations } * spec.eglr.layers }
}

/// A point to continue from: a frozen copy of a sequence's K/V (prompt and generated
/// tokens) shared by every child, plus the token still to be fed.
public final class Branch: @unchecked Sendable {
    public let kv: KVCache
    public let length: Int
    public let pendingToken: Int
    public let generated: [Int]
    init(kv: KVCache, length: Int, pendingToken: Int, generated: [Int]) {
        self.kv = kv; self.length = length; self.pendingToken = pendingToken; self.generated = generated
    }
}

/// Generates many rollouts with continuous batching: each prompt is prefilled once
/// (all but its last token) into a cache its samples share; up to `maxBatch` sequences
/// advance together, one token per step; finished sequences free their slot for the next.
/// EGLR recursion runs, per step, over the sequences whose entropy passed their gate.
public final class RolloutEngine {
    public let model: Model
    public let maxBatch: Int
    let prefill: Transformer
    let decoder: BatchDecoder
    public private(set) var stats = Stats()
    var lastPromptToken = [Int: Int]()

    public struct Stats: Sendable {
        public var steps = 0
        public var tokens = 0
        public var prefillTokens = 0
        public var gatedTokens = 0
        public var recursionIterations = 0
        /// Wall seconds of the steps that admitted no new sequence (no prefill in them): pure
        /// decoding, the time llama-batched-bench's S_TG counts; and the tokens those steps made.
        public var decodeOnlySeconds = 0.0
        public var decodeOnlyTokens = 0
        public init() {}
    }

    public let numerics: Numerics

    public init(model: Model, maxBatch: Int = 32, maxContext: Int = 2048, numerics: Numerics = .current) {
        self.model = model
        self.maxBatch = maxBatch
        self.numerics = numerics
        // Prompts are prefilled with the Float kernels in both numerics (sgemm over the
        // prompt's tokens); decoding steps take the engine's numerics.
        prefill = Transformer(model: model, maxTokens: 256, contextLength: maxContext, int8: false,
                              blockedPrefill: numerics >= .v3)
        decoder = BatchDecoder(model: model, maxBatch: maxBatch, maxContext: maxContext, numerics: numerics)
    }

    deinit { recursionBuffer.deallocate() }

    final class Slot {
        let spec: RolloutSpec
        let kv: SequenceKV
        var sampler: Sampler
        var pending: Int
        var ids: [Int]
        var steps: [TokenStep] = []
        var stream: StreamingDecoder
        var text = ""
        var done: FinishReason? = nil
        var generatedHere = 0
        var seconds = 0.0
        init(spec: RolloutSpec, kv: SequenceKV, pending: Int, ids: [Int], tokenizer: Tokenizer, numerics: Numerics) {
            self.spec = spec; self.kv = kv; self.pending = pending; self.ids = ids
            sampler = Sampler(config: spec.sampler, seed: spec.seed, numerics: numerics)
            stream = StreamingDecoder(tokenizer: tokenizer)
        }
    }

    final class PromptPrefix {
        let kv: KVCache
        let length: Int
        let last: Int
        var remaining: Int
        var features: [Float]? = nil
        init(kv: KVCache, length: Int, last: Int, remaining: Int) {
            self.kv = kv; self.length = length; self.last = last; self.remaining = remaining
        }
    }

    /// Runs every spec; `onResult` is called as each rollout finishes (in completion order).
    /// With `captureFeatures`, `onFeatures(prompt, values)` receives the hidden state of the
    /// prompt's last token after every layer ([blockCount, embeddingLength], row-major).
    public func run(prompts: [[Int]], specs: [RolloutSpec], captureFeatures: Bool = false,
                    onFeatures: ((Int, [Float]) -> Void)? = nil,
                    onText: ((Int, String) -> Void)? = nil,
                    onResult: (RolloutResult) throws -> Void) throws {
        let specs = try resolved(specs, prompts: prompts)
        for (i, p) in prompts.enumerated() { if let l = p.last { lastPromptToken[i] = l } }
        let state = RunState(prompts: prompts, specs: specs, captureFeatures: captureFeatures,
                             perTap: model.config.blockCount * model.config.embeddingLength, maxBatch: maxBatch)
        defer { state.tapBuffer.deallocate() }
        while !state.queue.isEmpty || !state.active.isEmpty {
            let started = DispatchTime.now().uptimeNanoseconds
            var admitted = false
            while state.active.count < maxBatch, let spec = state.queue.popFirst() {
                state.active.append(try admit(spec, state))
                admitted = true
            }
            try decodeStep(state, onFeatures: onFeatures)
            let step = try stepStatistics(state.active)
            let choices = sample(state.active, step)
            for (b, slot) in state.active.enumerated() { record(slot, row: b, choices[b], step, onText: onText) }
            let elapsed = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
            if !admitted { stats.decodeOnlySeconds += elapsed; stats.decodeOnlyTokens += state.active.count }
            let share = elapsed / Double(state.active.count)
            for slot in state.active { slot.seconds += share }
            var still = [Slot]()
            for slot in state.active {
                guard let reason = slot.done else { still.append(slot); continue }
                try retire(slot, reason, onText: onText, onResult: onResult)
            }
            state.active = still
        }
    }

    /// One `run` call's queue, active sequences, shared prompt prefixes and feature taps.
    final class RunState {
        let prompts: [[Int]]
        let captureFeatures: Bool
        let perTap: Int
        var remaining = [Int: Int]()
        var prefixes = [Int: PromptPrefix]()
        var featuresSent = Set<Int>()
        var queue: ArraySlice<RolloutSpec>
        var active = [Slot]()
        let tapBuffer: UnsafeMutablePointer<Float>

        init(prompts: [[Int]], specs: [RolloutSpec], captureFeatures: Bool, perTap: Int, maxBatch: Int) {
            self.prompts = prompts; self.captureFeatures = captureFeatures; self.perTap = perTap
            queue = specs[...]
            for s in specs where s.branch == nil { remaining[s.prompt, default: 0] += 1 }
            tapBuffer = .allocate(capacity: (captureFeatures ? maxBatch : 1) * perTap)
        }
    }

    /// The specs with percentile gates resolved to tau, after checking every prompt index.
    func resolved(_ specs: [RolloutSpec], prompts: [[Int]]) throws -> [RolloutSpec] {
        var specs = specs
        if specs.contains(where: { $0.eglr.tauPercentile != nil && $0.eglr.layers > 0 }) {
            let entropies = try calibrationEntropies(prompts: prompts)
            for i in specs.indices {
                if let p = specs[i].eglr.tauPercentile {
                    specs[i].eglr.tau = RolloutEngine.percentile(entropies, p)
                    specs[i].eglr.tauPercentile = nil
                }
            }
        }
        for s in specs {
            guard prompts.indices.contains(s.prompt), !prompts[s.prompt].isEmpty || s.branch != nil else {
                throw ModelError.badHyperparameter(path: model.path, key: "prompt",
                                                   value: "index \(s.prompt) empty or missing")
            }
        }
        return specs
    }

    /// A new sequence: from its branch point, or from its prompt's shared prefix (prefilled
    /// once, all but the last token, and dropped after the prompt's last sample is admitted).
    func admit(_ spec: RolloutSpec, _ state: RunState) throws -> Slot {
        if let br = spec.branch {
            let own = KVCache(config: model.config, capacity: spec.maxTokens + 1)
            return Slot(spec: spec, kv: SequenceKV(prefix: br.kv, prefixLength: br.length, own: own),
                        pending: br.pendingToken, ids: br.generated, tokenizer: model.tokenizer,
                        numerics: numerics)
        }
        let p: PromptPrefix
        if let existing = state.prefixes[spec.prompt] { p = existing } else {
            let ids = state.prompts[spec.prompt]
            let cache = prefill.makeCache(capacity: max(ids.count, 1))
            if ids.count > 1 { try prefill.forward(Array(ids.dropLast()), cache: cache) }
            stats.prefillTokens += ids.count - 1
            p = PromptPrefix(kv: cache, length: ids.count - 1, last: ids.last!,
                             remaining: state.remaining[spec.prompt] ?? 1)
            state.prefixes[spec.prompt] = p
        }
        p.remaining -= 1
        if p.remaining == 0 { state.prefixes[spec.prompt] = nil }
        let own = KVCache(config: model.config, capacity: spec.maxTokens + 1)
        return Slot(spec: spec, kv: SequenceKV(prefix: p.kv, prefixLength: p.length, own: own),
                    pending: p.last, ids: [], tokenizer: model.tokenizer, numerics: numerics)
    }

    /// One decoder step over the active sequences. Features: the first step of a prompt's
    /// first sample feeds its last prompt token.
    func decodeStep(_ state: RunState, onFeatures: ((Int, [Float]) -> Void)?) throws {
        let active = state.active
        var tapRows = [Int]()
        if state.captureFeatures {
            var seen = Set<Int>()
            for (i, s) in active.enumerated() where s.spec.branch == nil && s.steps.isEmpty
                && !state.featuresSent.contains(s.spec.prompt) && seen.insert(s.spec.prompt).inserted {
                tapRows.append(i)
            }
        }
        try decoder.step(active.map(\.kv), tokens: active.map(\.pending),
                         taps: tapRows.isEmpty ? nil : state.tapBuffer, tapRows: tapRows)
        for (i, row) in tapRows.enumerated() {
            let p = active[row].spec.prompt
            state.featuresSent.insert(p)
            onFeatures?(p, Array(UnsafeBufferPointer(start: state.tapBuffer + i * state.perTap, count: state.perTap)))
        }
        stats.steps += 1
        stats.tokens += active.count
    }

    /// What a step's logits say per row, after EGLR recursion on the gated rows.
    struct StepStatistics {
        var rowStats: [(max: Float, lse: Float, entropy: Float)]
        var entropies: [Float]
        var iterations: [Int]
        var divergence: [Float]
        var certainty: [Float]
    }

    /// EGLR: entropy gate per sequence, then recursion until convergence or K_max; then
    /// self-certainty of the final logits.
    func stepStatistics(_ active: [Slot]) throws -> StepStatistics {
        let vocab = model.config.vocabSize
        var entropies = [Float](repeating: 0, count: active.count)
        var rowStats = [(max: Float, lse: Float, entropy: Float)](repeating: (0, 0, 0), count: active.count)
        let logitsBase = decoder.logits
        let numerics = self.numerics
        rowStats.withUnsafeMutableBufferPointer { st in
            Parallel.forChunks(active.count, minChunk: 4) { r in
                for b in r {
                    st[b] = Sampler.stats(UnsafeBufferPointer(start: logitsBase + b * vocab, count: vocab), numerics)
                }
            }
        }
        for b in active.indices { entropies[b] = rowStats[b].entropy }
        var iterations = [Int](repeating: 0, count: active.count)
        var divergence = [Float](repeating: 0, count: active.count)
        var lse: [Float?] = rowStats.map { numerics.fastDecoding ? $0.lse : nil }
        try recurse(active, entropies: entropies, iterations: &iterations, divergence: &divergence, lse: &lse)
        var certainty = [Float](repeating: 0, count: active.count)
        let iters = iterations, finalLse = lse
        certainty.withUnsafeMutableBufferPointer { sc in
            rowStats.withUnsafeBufferPointer { st in
                Parallel.forChunks(active.count, minChunk: 8) { r in
                    for b in r {
                        let lg = UnsafeBufferPointer(start: logitsBase + b * vocab, count: vocab)
                        let l = iters[b] == 0 ? st[b].lse : finalLse[b] ?? Sampler.stats(lg, numerics).lse
                        sc[b] = Sampler.selfCertainty(lg, lse: l)
                    }
                }
            }
        }
        return StepStatistics(rowStats: rowStats, entropies: entropies, iterations: iterations,
                              divergence: divergence, certainty: certainty)
    }

    /// Samples row b's token, records its step, and marks the sequence done at EOS, a stop
    /// string or its token budget.
    /// Every row's token, drawn in parallel over the rows (each from its own rollout's RNG,
    /// so the draws do not depend on the split).
    func sample(_ active: [Slot], _ st: StepStatistics) -> [TokenChoice] {
        let vocab = model.config.vocabSize
        let logits = decoder.logits
        var out = [TokenChoice](repeating: TokenChoice(id: 0, logprob: 0, entropy: 0), count: active.count)
        out.withUnsafeMutableBufferPointer { o in
            Parallel.forChunks(active.count, minChunk: 2) { rows in
                for b in rows {
                    let lg = UnsafeBufferPointer(start: logits + b * vocab, count: vocab)
                    let slot = active[b]
                    o[b] = st.iterations[b] > 0 ? slot.sampler.sample(lg) : slot.sampler.sample(lg, stats: st.rowStats[b])
                }
            }
        }
        return out
    }

    func record(_ slot: Slot, row b: Int, _ choice: TokenChoice, _ st: StepStatistics,
                onText: ((Int, String) -> Void)?) {
        let gated = slot.spec.eglr.layers > 0 && st.entropies[b] > slot.spec.eglr.tau
        slot.ids.append(choice.id)
        slot.generatedHere += 1
        slot.steps.append(TokenStep(id: choice.id, logprob: choice.logprob, entropy: st.entropies[b],
                                    gated: gated, iterations: st.iterations[b], divergence: st.divergence[b],
                                    selfCertainty: st.certainty[b]))
        if gated { stats.gatedTokens += 1 }
        stats.recursionIterations += st.iterations[b]
        if slot.spec.stopAtEndOfGeneration && model.tokenizer.endOfGeneration.contains(choice.id) {
            slot.done = .eos
        } else {
            let piece = slot.stream.push(choice.id)
            slot.text += piece
            if !piece.isEmpty { onText?(slot.spec.tag, piece) }
            if let s = slot.spec.stopStrings.first(where: { slot.text.contains($0) }) {
                slot.text = String(slot.text[..<slot.text.range(of: s)!.lowerBound]); slot.done = .stop
            } else if slot.generatedHere >= slot.spec.maxTokens {
                slot.done = .length
            }
        }
        slot.pending = choice.id
    }

    /// Hands a finished sequence back (the streaming decoder's rest first, unless a stop
    /// string cut the text).
    func retire(_ slot: Slot, _ reason: FinishReason, onText: ((Int, String) -> Void)?,
                onResult: (RolloutResult) throws -> Void) throws {
        if reason != .stop {
            let rest = slot.stream.flush()
            slot.text += rest
            if !rest.isEmpty { onText?(slot.spec.tag, rest) }
        }
        try onResult(RolloutResult(tag: slot.spec.tag, spec: slot.spec, ids: slot.ids, steps: slot.steps,
                                   text: slot.text, finishReason: reason, kv: slot.spec.keepKV ? slot.kv : nil,
                                   seconds: slot.seconds))
    }

    /// Token entropies of plain greedy decoding (32 tokens) on up to 4 of the prompts.
    func calibrationEntropies(prompts: [[Int]]) throws -> [Float] {
        let saved = stats
        defer { stats = saved }
        let use = prompts.indices.filter { !prompts[$0].isEmpty }.prefix(4)
        var out = [Float]()
        try run(prompts: prompts, specs: use.map { RolloutSpec(prompt: $0, maxTokens: 32,
                                                               stopAtEndOfGeneration: false) }) { r in
            out += r.steps.map(\.entropy)
        }
        return out
    }

    /// The p-th percentile (0-100, nearest rank) of xs.
    public static func percentile(_ xs: [Float], _ p: Float) -> Float {
        guard !xs.isEmpty else { return .infinity }
        let s = xs.sorted()
        let rank = Int((Float(s.count) * max(0, min(100, p)) / 100).rounded(.up)) - 1
        return s[max(0, min(s.count - 1, rank))]
    }

    /// EGLR over the gated rows of this step, grouped by layer span.
    /// `lse`: each row's log-sum-exp of its current logits where known (numerics v2, from the
    /// step's statistics); on return, of the rows' final logits where computed.
    ///
    /// A pass's state depends only on the previous pass's state and the cached prefix (its
    /// own K/V at the position are rewritten before they are read), never on the logits, so
    /// passes run `passWindow` at a time and one head product then gives every pass's logits
    /// of the window: the head's weights are read once per window instead of once per pass.
    /// The first pass k whose divergence from pass k - 1 is not above eps is the one kept (its
    /// logits, state, and under `overwrite` its K/V), so every recorded value is what the
    /// sequential loop gives; rows not converged go on into the next window.
    func recurse(_ active: [Slot], entropies: [Float], iterations: inout [Int], divergence: inout [Float],
                 lse: inout [Float?]) throws {
        let vocab = model.config.vocabSize, dim = model.config.embeddingLength
        let n = model.config.blockCount, kvDim = model.config.kvDim
        var groups = [EGLRConfig: [Int]]()
        for (b, s) in active.enumerated() where s.spec.eglr.layers > 0 && entropies[b] > s.spec.eglr.tau {
            groups[s.spec.eglr, default: []].append(b)
        }
        guard !groups.isEmpty else { return }
        let kvs = active.map(\.kv)
        for (cfg, gated) in groups.sorted(by: { $0.value[0] < $1.value[0] }) where cfg.kMax > 0 {
            let L = min(cfg.layers, n), K = cfg.kMax, layerRange = (n - L)..<n
            let perRow = L * 2 * kvDim, overwrite = cfg.kvPolicy == .overwrite
            // The K/V of rows' current position in the top L layers, saved and put back.
            func saveKV(_ rows: [Int], into o: UnsafeMutablePointer<Float>) {
                var o = o
                for b in rows { let c = kvs[b].own; for l in layerRange {
                    o.update(from: c.k(l, c.count - 1), count: kvDim); o += kvDim
                    o.update(from: c.v(l, c.count - 1), count: kvDim); o += kvDim
                } }
            }
            func restoreKV(_ b: Int, from o: UnsafePointer<Float>) {
                var o = o
                let c = kvs[b].own
                for l in layerRange {
                    c.k(l, c.count - 1).update(from: o, count: kvDim); o += kvDim
                    c.v(l, c.count - 1).update(from: o, count: kvDim); o += kvDim
                }
            }
            // keep-first: the first pass's K/V, put back at the end.
            let firstKV = UnsafeMutablePointer<Float>.allocate(capacity: overwrite ? 0 : gated.count * perRow)
            defer { firstKV.deallocate() }
            if !overwrite { saveKV(gated, into: firstKV) }
            var rows = gated, done = 0
            while !rows.isEmpty && done < K {
                let W = min(Self.passWindow, K - done), R = rows.count
                // The window's states, pass-major (pass 0: the rows' current state), and under
                // `overwrite` the K/V each pass leaves.
                let states = UnsafeMutablePointer<Float>.allocate(capacity: (W + 1) * R * dim)
                let passKV = UnsafeMutablePointer<Float>.allocate(capacity: overwrite ? W * R * perRow : 0)
                defer { states.deallocate(); passKV.deallocate() }
                for (i, b) in rows.enumerated() { (states + i * dim).update(from: decoder.hidden + b * dim, count: dim) }
                for k in 1...W {
                    try decoder.recursePass(kvs, rows: rows, layers: layerRange,
                                            from: states + (k - 1) * R * dim, into: states + k * R * dim)
                    if overwrite { saveKV(rows, into: passKV + (k - 1) * R * perRow) }
                }
                let passLogits = recursionLogits(W * R * vocab)
                decoder.head(count: W * R, from: states + R * dim, into: passLogits)
                let current = decoder.logits, rowsNow = rows
                func logits(_ k: Int, _ i: Int) -> UnsafeMutablePointer<Float> {
                    k == 0 ? current + rowsNow[i] * vocab : passLogits + ((k - 1) * R + i) * vocab
                }
                // Every pass's log-sum-exp (numerics 2 and later, KL), then every pass's
                // divergence from the one before, each (pass, row) on its own (the arithmetic
                // of a sequential loop).
                let fast = cfg.divergence == .kl && numerics.fastDecoding
                var passLse = [Float?](repeating: nil, count: (W + 1) * R)
                for i in 0..<R { passLse[i] = lse[rows[i]] }
                if fast {
                    passLse.withUnsafeMutableBufferPointer { lp in
                        Parallel.forChunks(W * R, minChunk: 1) { r in
                            for j in r {
                                lp[R + j] = Sampler.fastStats(UnsafeBufferPointer(start: logits(j / R + 1, j % R),
                                                                                  count: vocab)).lse
                            }
                        }
                    }
                }
                var d = [Float](repeating: 0, count: W * R)
                let kind = cfg.divergence, numerics = self.numerics, lses = passLse
                d.withUnsafeMutableBufferPointer { dp in
                    Parallel.forChunks(W * R, minChunk: 1) { r in
                        for j in r {
                            let k = j / R + 1, i = j % R
                            dp[j] = fast
                                ? EGLRConfig.fastKL(logits(k, i), logits(k - 1, i), vocab, lseA: lses[j + R], lseB: lses[j])
                                : EGLRConfig.divergence(kind, logits(k, i), logits(k - 1, i), vocab, numerics: numerics)
                        }
                    }
                }
                var next = [Int]()
                for (i, b) in rows.enumerated() {
                    // The sequential loop went on while d >= eps (so a NaN stopped it too).
                    let converged = (1...W).first { !(d[($0 - 1) * R + i] >= cfg.eps) }
                    let k = converged ?? W
                    iterations[b] = done + k
                    divergence[b] = d[(k - 1) * R + i]
                    lse[b] = passLse[k * R + i]
                    (current + b * vocab).update(from: logits(k, i), count: vocab)
                    (decoder.hidden + b * dim).update(from: states + (k * R + i) * dim, count: dim)
                    if overwrite { restoreKV(b, from: passKV + ((k - 1) * R + i) * perRow) }
                    if converged == nil { next.append(b) }
                }
                rows = next
                done += W
            }
            if !overwrite { for (i, b) in gated.enumerated() { restoreKV(b, from: firstKV + i * perRow) } }
        }
    }

    /// EGLR passes run ahead of one head product (K_max's default: a gated token's passes in
    /// one window when it does not converge, which is every token on the default model).
    static let passWindow = 4

    /// Room for the logits of every EGLR pass of a step (grown when a step needs more).
    private var recursionBuffer = UnsafeMutableBufferPointer<Float>(start: nil, count: 0)
    func recursionLogits(_ count: Int) -> UnsafeMutablePointer<Float> {
        if recursionBuffer.count < count {
            recursionBuffer.deallocate()
            recursionBuffer = .allocate(capacity: count)
        }
        return recursionBuffer.baseAddress!
    }

    /// Forks a rollout (run with `keepKV`) after its first `position` generated tokens:
    /// its K/V up to there is copied once into a cache that every child continues from
    /// (fork, not recompute), so a greedy child reproduces the parent bit for bit.
    public func fork(_ r: RolloutResult, at position: Int) throws -> Branch {
        guard let kv = r.kv else {
            throw ModelError.badHyperparameter(path: model.path, key: "fork",
                                               value: "rollout \(r.tag) kept no K/V (set keepKV)")
        }
        let generatedBefore = r.spec.branch?.generated.count ?? 0
        let local = position - generatedBefore          // tokens generated in this rollout to keep
        precondition(local >= 0 && local <= kv.own.count && position <= r.ids.count, "fork position out of range")
        let length = kv.prefixLength + local
        let cache = KVCache(config: model.config, capacity: max(length, 1))
        if let p = kv.prefix, kv.prefixLength > 0 { cache.append(from: p, range: 0..<kv.prefixLength) }
        cache.append(from: kv.own, range: 0..<local)
        let pending = local > 0 ? r.ids[position - 1] : (kv.own.count > 0 ? kvFirstToken(r) : r.ids[0])
        return Branch(kv: cache, length: length, pendingToken: pending, generated: Array(r.ids.prefix(position)))
    }

    /// The token a rollout fed first (its prompt's last token, or its branch's pending one).
    func kvFirstToken(_ r: RolloutResult) -> Int {
        if let b = r.spec.branch { return b.pendingToken }
        return lastPromptToken[r.spec.prompt] ?? 0
    }

    /// Freezes a finished or partial rollout at `position` generated tokens into a branch
    /// point that children continue from (by re-feeding the prompt and those tokens once).
    public func branch(prompt: [Int], generated: [Int], at position: Int) throws -> Branch {
        precondition(position >= 0 && position <= generated.count)
        let all = prompt + generated.prefix(position)
        let cache = prefill.makeCache(capacity: all.count)
        if all.count > 1 { try prefill.forward(Array(all.dropLast()), cache: cache) }
        return Branch(kv: cache, length: all.count - 1, pendingToken: all.last!,
                      generated: Array(generated.prefix(position)))
    }
}
