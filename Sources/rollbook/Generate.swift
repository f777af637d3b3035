import ArgumentParser
import Foundation
import Inference
import Sampling

struct Generate: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Generate a continuation of a prompt.")

    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var promptOptions: PromptOptions
    @Option(name: .long, help: "Sampling temperature; 0 is greedy.") var temperature: Float = 0
    @Option(name: .long, help: "Top-k (0 = off).") var topK = 0
    @Option(name: .long, help: "Top-p (1 = off).") var topP: Float = 1
    @Option(name: .long, help: "Min-p (0 = off).") var minP: Float = 0
    @Option(name: .long, help: "Random seed.") var seed: UInt64 = 0
    @Option(name: .long, help: "Maximum new tokens.") var maxTokens = 128
    @Option(name: .long, help: "Stop string (repeatable).") var stop: [String] = []
    @Flag(name: .long, help: "Emit one JSON object per rollout with per-token records.") var json = false

    func validate() throws {
        guard temperature >= 0 else { throw ValidationError("--temperature must be >= 0") }
        guard maxTokens > 0 else { throw ValidationError("--max-tokens must be > 0") }
        guard topP > 0 && topP <= 1 else { throw ValidationError("--top-p must be in (0, 1]") }
        guard minP >= 0 && minP < 1 else { throw ValidationError("--min-p must be in [0, 1)") }
    }

    func run() throws {
        let model = try Model(path: try ModelCatalog.resolve(modelOptions.model))
        let ids = try promptIDs(model, promptOptions)
        var opts = GenerationOptions()
        opts.maxTokens = maxTokens
        opts.sampler = SamplerConfig(temperature: temperature, topK: topK, topP: topP, minP: minP)
        opts.seed = seed
        opts.stopStrings = stop
        let gen = Generator(model: model, contextLength: ids.count + maxTokens + 1)
        let out = FileHandle.standardOutput
        let g = try gen.generate(promptIDs: ids, options: opts, onText: json ? nil : { out.write(Data($0.utf8)) })
        if json {
            struct Tok: Encodable { var id: Int; var logprob: Float; var entropy: Float; var gated: Bool; var iterations: Int }
            struct Out: Encodable {
                var ids: [Int]; var text: String; var finish_reason: String; var tokens: [Tok]
                var prompt_ids: [Int]; var seed: UInt64; var temperature: Float
                var prefill_seconds: Double; var decode_seconds: Double
            }
            try writeJSON(Out(ids: g.ids, text: g.text, finish_reason: g.finishReason.rawValue,
                              tokens: g.tokens.map { Tok(id: $0.id, logprob: $0.logprob, entropy: $0.entropy, gated: $0.gated, iterations: $0.iterations) },
                              prompt_ids: ids, seed: seed, temperature: temperature,
                              prefill_seconds: g.prefillSeconds, decode_seconds: g.decodeSeconds))
        } else {
            print("")
            FileHandle.standardError.write(Data(String(format: "[%d prompt tokens in %.2fs, %d tokens in %.2fs = %.1f tokens/s, %@]\n",
                ids.count, g.prefillSeconds, g.ids.count, g.decodeSeconds, Double(g.ids.count) / max(g.decodeSeconds, 1e-9), g.finishReason.rawValue).utf8))
        }
    }
}
