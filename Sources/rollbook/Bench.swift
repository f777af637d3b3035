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
    @Flag(name: .long, help: "Emit JSON.") var json = false

    func run() throws {
        let model = try Model(path: try ModelCatalog.resolve(modelOptions.model))
        let tok = model.tokenizer
        // A deterministic prompt of exactly `prefillTokens` tokens.
        let seedText = "The quick brown fox jumps over the lazy dog while the farmer counts 17 sheep and 23 cows. "
        var ids = [Int]()
        while ids.count < prefillTokens { ids += tok.encode(seedText) }
        ids = Array(ids.prefix(prefillTokens))
        let tr = Transformer(model: model, contextLength: prefillTokens + decodeTokens + 8)
        let clock = ContinuousClock()
        func secs(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18 }

        var bestPrefill = Double.infinity
        for _ in 0..<repeats {
            let cache = tr.makeCache()
            let t0 = clock.now
            try tr.forward(ids, cache: cache)
            bestPrefill = min(bestPrefill, secs(t0.duration(to: clock.now)))
        }
        var bestDecode = Double.infinity
        for _ in 0..<repeats {
            let cache = tr.makeCache()
            var logits = try tr.forward(Array(ids.prefix(8)), cache: cache)
            let t0 = clock.now
            for _ in 0..<decodeTokens { logits = try tr.forward([Sampler.argmax(logits)], cache: cache) }
            bestDecode = min(bestDecode, secs(t0.duration(to: clock.now)))
        }
        struct Out: Encodable {
            var prefill_tokens_per_s: Double; var decode_tokens_per_s: Double; var peak_rss_bytes: Int
            var prefill_tokens: Int; var decode_tokens: Int; var threads: Int; var model: String
            var weight_bytes: Int
        }
        let out = Out(prefill_tokens_per_s: Double(prefillTokens) / bestPrefill,
                      decode_tokens_per_s: Double(decodeTokens) / bestDecode,
                      peak_rss_bytes: peakRSSBytes(), prefill_tokens: prefillTokens, decode_tokens: decodeTokens,
                      threads: ProcessInfo.processInfo.activeProcessorCount, model: model.path,
                      weight_bytes: model.weightBytes)
        if json { try writeJSON(out); return }
        print(String(format: "prefill  %4d tokens: %8.1f tokens/s", prefillTokens, out.prefill_tokens_per_s))
        print(String(format: "decode   %4d tokens: %8.1f tokens/s", decodeTokens, out.decode_tokens_per_s))
        print(String(format: "peak RSS: %.1f MiB", Double(out.peak_rss_bytes) / 1_048_576))
    }
}
