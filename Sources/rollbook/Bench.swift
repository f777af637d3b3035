import ArgumentParser
import Foundation
import Inference
import Sampling

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Measure prefill and decode speed.")

    @OptionGroup var modelOptions: ModelOptions
    @Option(name: .long, help: "Prompt tokens for the prefill measurement.") var prefillTokens = 512
    @Option(name: .long, help: "Tokens for the single-stream decode measurement.") var decodeTokens = 128
    @Option(name: .long, help: "Repetitions; the best is reported.") var repeats = 3
    @Option(name: .long, help: "Batch sizes for aggregate decode (comma-separated).") var batches = "1,4,8,16,32,64"
    @Option(name: .long, help: "Tokens each sequence decodes in the batched and EGLR runs.") var batchTokens = 64
    @Option(name: .long, help: "EGLR layer spans to measure (comma-separated).") var eglrLayers = "2,4"
    @Option(name: .long, help: "EGLR rows: gate at this percentile of plain-decoding entropies instead of tau = 2.0.")
    var tauPercentile: Float?
    @Flag(name: .long, help: "Skip the batched and EGLR measurements.") var singleOnly = false
    @Flag(name: .long,
          help: "Only the batched measurements (no prefill, single-stream decode or EGLR rows; those report 0).")
    var batchedOnly = false
    @Flag(name: .long, help: "Emit JSON.") var json = false
    @Option(name: .long, help: "Thread counts to measure in turn (comma-separated, e.g. 1,2); default: all cores.")
    var threads: String?

    /// `tokens_per_s`: generated tokens over the whole run, the shared prompt's prefill included;
    /// `decode_tokens_per_s`: tokens after each sequence's first over the time after the first
    /// token (a run of the same batch to one token each is subtracted), as llama-batched-bench's
    /// S_TG counts them.
    struct Batched: Encodable {
        var sequences: Int; var tokens_per_s: Double; var seconds: Double; var decode_tokens_per_s: Double
    }
    struct EGLRRow: Encodable {
        var layers: Int; var tokens_per_s: Double; var gate_rate: Double
        var extra_layer_applications_per_token: Double; var cost_vs_plain: Double
    }
    struct Out: Encodable {
        var prefill_tokens_per_s: Double; var decode_tokens_per_s: Double; var peak_rss_bytes: Int
        var prefill_tokens: Int; var decode_tokens: Int; var threads: Int; var model: String
        var weight_bytes: Int; var batched: [Batched]; var eglr: [EGLRRow]; var batch_tokens: Int
        /// Memory read bandwidth (GB/s, this many threads) and the single-stream ceiling it
        /// implies: every weight byte read once per token.
        var memory_read_gb_per_s: Double; var decode_ceiling_tokens_per_s: Double
    }

    static func secs(_ d: Duration) -> Double { BenchAnalysisSeconds.of(d) }

    func run() throws {
        let counts = (threads ?? "").split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        if counts.isEmpty { try measure(threads: Parallel.maxThreads); return }
        guard counts.allSatisfy({ $0 >= 1 && $0 <= Parallel.maxThreads }) else {
            throw ValidationError("--threads: each count must be from 1 to \(Parallel.maxThreads) (the cores, or ROLLBOOK_THREADS)")
        }
        for t in counts {
            if !json { print("threads \(t)") }
            try measure(threads: t)
        }
    }

    func measure(threads t: Int) throws {
        Parallel.use(threads: t)
        let model = try Model(path: try ModelCatalog.resolve(modelOptions.model))
        let tok = model.tokenizer
        // A deterministic prompt of exactly `prefillTokens` tokens.
        let seedText = "The quick brown fox jumps over the lazy dog while the farmer counts 17 sheep and 23 cows. "
        var ids = [Int]()
        while ids.count < prefillTokens { ids += tok.encode(seedText) }
        ids = Array(ids.prefix(prefillTokens))
        let (bestPrefill, bestDecode) = try singleStream(model, ids)

        var batched = [Batched](), eglrRows = [EGLRRow]()
        if !singleOnly { (batched, eglrRows) = try engineRows(model, prompt: Array(ids.prefix(128))) }
        // Peak RSS before the bandwidth probe's buffer (1 GiB) inflates it.
        let rss = peakRSSBytes()
        let bandwidth = batchedOnly ? 0 : MemoryBandwidth.measure(bytes: 1 << 30)
        let out = Out(prefill_tokens_per_s: Double(prefillTokens) / bestPrefill,
                      decode_tokens_per_s: Double(decodeTokens) / bestDecode,
                      peak_rss_bytes: rss, prefill_tokens: prefillTokens, decode_tokens: decodeTokens,
                      threads: t, model: model.path,
                      weight_bytes: model.weightBytes, batched: batched, eglr: eglrRows, batch_tokens: batchTokens,
                      memory_read_gb_per_s: bandwidth / 1e9,
                      decode_ceiling_tokens_per_s: bandwidth / Double(max(model.decodingWeightBytes, 1)))
        if json { try writeJSON(out); return }
        print(String(format: "prefill  %4d tokens: %8.1f tokens/s", prefillTokens, out.prefill_tokens_per_s))
        print(String(format: "decode   %4d tokens: %8.1f tokens/s", decodeTokens, out.decode_tokens_per_s))
        if !batchedOnly {
            print(String(format: "memory   read %.1f GB/s: single-stream ceiling %.1f tokens/s (%.1f MB of weights "
                             + "read per token; %.1f MB in the file)",
                         out.memory_read_gb_per_s, out.decode_ceiling_tokens_per_s,
                         Double(model.decodingWeightBytes) / 1e6, Double(model.weightBytes) / 1e6))
        }
        for b in batched {
            print(String(format: "batched  B=%-3d      %8.1f tokens/s (aggregate; %.1f decoding after the first token)",
                         b.sequences, b.tokens_per_s, b.decode_tokens_per_s))
        }
        for e in eglrRows {
            print(String(format: "EGLR     L=%-3d      %8.1f tokens/s, gate rate %.2f, "
                             + "%.2f extra layer applications/token, cost %.2fx plain",
                         e.layers, e.tokens_per_s, e.gate_rate, e.extra_layer_applications_per_token, e.cost_vs_plain))
        }
        print(String(format: "peak RSS: %.1f MiB", Double(out.peak_rss_bytes) / 1_048_576))
    }

    /// Best-of-`repeats` prefill of the whole prompt and greedy single-stream decode (seconds).
    func singleStream(_ model: Model, _ ids: [Int]) throws -> (Double, Double) {
        let tr = Transformer(model: model, contextLength: prefillTokens + decodeTokens + 8)
        let clock = ContinuousClock()
        // Warm-up, untimed (llama-bench warms up the same way): one prefill of the prompt and
        // one decoded token, which also repacks the weights for the integer kernels.
        if !batchedOnly {
            let cache = tr.makeCache()
            let logits = try tr.forward(ids, cache: cache)
            try tr.forward([Sampler.argmax(logits)], cache: cache)
        }
        var bestPrefill = Double.infinity
        for _ in 0..<(batchedOnly ? 0 : repeats) {
            let cache = tr.makeCache()
            let t0 = clock.now
            try tr.forward(ids, cache: cache)
            bestPrefill = min(bestPrefill, Self.secs(t0.duration(to: clock.now)))
        }
        var bestDecode = Double.infinity
        for _ in 0..<(batchedOnly ? 0 : repeats) {
            let cache = tr.makeCache()
            var logits = try tr.forward(Array(ids.prefix(8)), cache: cache)
            let t0 = clock.now
            for _ in 0..<decodeTokens { logits = try tr.forward([Sampler.argmax(logits)], cache: cache) }
            bestDecode = min(bestDecode, Self.secs(t0.duration(to: clock.now)))
        }
        return (bestPrefill, bestDecode)
    }

    /// Aggregate decode: B sequences sharing one 128-token prompt, `batchTokens` tokens each
    /// (greedy, no early stop), through the rollout engine; then EGLR rows at B = 1 (decoding
    /// tokens per second after the first, against plain decoding measured alongside).
    func engineRows(_ model: Model, prompt: [Int]) throws -> ([Batched], [EGLRRow]) {
        let clock = ContinuousClock()
        func engineRun(batch: Int, eglr: EGLRConfig) throws -> (Double, RolloutEngine.Stats) {
            let engine = RolloutEngine(model: model, maxBatch: batch, maxContext: prompt.count + batchTokens + 8)
            let specs = (0..<batch).map {
                RolloutSpec(prompt: 0, eglr: eglr, seed: UInt64($0), maxTokens: batchTokens,
                            stopAtEndOfGeneration: false, tag: $0)
            }
            let t0 = clock.now
            try engine.run(prompts: [prompt], specs: specs) { _ in }
            return (Self.secs(t0.duration(to: clock.now)), engine.stats)
        }
        var batched = [Batched]()
        var eglrRows = [EGLRRow]()
        for b in batches.split(separator: ",").compactMap({ Int($0) }) {
            // Best of the rounds; the decode rate from the steps that admitted nothing (the
            // first step admits every sequence and prefills their prompt).
            var t = Double.infinity, st = RolloutEngine.Stats(), rate = 0.0
            for _ in 0..<max(repeats, 1) {
                let r = try engineRun(batch: b, eglr: EGLRConfig())
                if r.0 < t { (t, st) = r }
                rate = max(rate, Double(r.1.decodeOnlyTokens) / max(r.1.decodeOnlySeconds, 1e-9))
            }
            batched.append(Batched(sequences: b, tokens_per_s: Double(st.tokens) / t, seconds: t,
                                   decode_tokens_per_s: rate))
        }
        // EGLR at B = 1: seconds per token of the steps that admitted nothing (no prefill),
        // best of `repeats`, plain decoding (L = 0) and each span alternated within a round.
        let spans = (batchedOnly ? "" : eglrLayers).split(separator: ",").compactMap { Int($0) }
        if !spans.isEmpty {
            var best = [Int: (perToken: Double, stats: RolloutEngine.Stats)]()
            for _ in 0..<max(repeats, 1) {
                for L in [0] + spans {
                    let cfg = EGLRConfig(layers: L, tauPercentile: L == 0 ? nil : tauPercentile)
                    let (_, st) = try engineRun(batch: 1, eglr: cfg)
                    let perToken = st.decodeOnlySeconds / Double(max(st.decodeOnlyTokens, 1))
                    if perToken < best[L]?.perToken ?? .infinity { best[L] = (perToken, st) }
                }
            }
            let plainBest = best[0]!.perToken
            for L in spans {
                let (perToken, st) = best[L]!
                eglrRows.append(EGLRRow(layers: L, tokens_per_s: 1 / perToken,
                                        gate_rate: Double(st.gatedTokens) / Double(st.tokens),
                                        extra_layer_applications_per_token:
                                            Double(st.recursionIterations * L) / Double(st.tokens),
                                        cost_vs_plain: perToken / plainBest))
            }
        }
        return (batched, eglrRows)
    }
}
