import Foundation
import Inference
import Sampling
import TestSupport

enum TestModels {
    static let repoRoot = FixtureDir.repoRoot
    static let defaultPath = repoRoot.appendingPathComponent("data/models/SmolLM2-135M-Instruct.Q4_1.gguf").path
    static let ggufFixtures = repoRoot.appendingPathComponent("Tests/GGUFTests/Fixtures")
    static func fixture(_ name: String) -> String { ggufFixtures.appendingPathComponent(name).path }

    /// The default model, loaded once (run `make model` first; `make test` does).
    nonisolated(unsafe) static let smollm: Model = {
        do { return try Model(path: defaultPath) } catch { fatalError("cannot load the default model: \(error) (run `make model`)") }
    }()

    /// `count` greedy tokens after `prompt`, token by token through the single-sequence pass
    /// (the reference the batched engine and branches are held to), structured as the engine
    /// runs a prompt: all but its last token prefilled, the last one as the first decoding
    /// step. `int8`: the integer kernels (numerics v2, the engine's default); false: the
    /// Float kernels (numerics v1).
    static func greedy(_ m: Model, prompt: [Int], count: Int, int8: Bool = true) throws -> [Int] {
        let tr = Transformer(model: m, contextLength: 128, int8: int8)
        let cache = tr.makeCache()
        if prompt.count > 1 { try tr.forward(Array(prompt.dropLast()), cache: cache) }
        var logits = Array(try tr.forward([prompt.last!], cache: cache))
        var out = [Int]()
        for _ in 0..<count {
            let t = logits.withUnsafeBufferPointer { Sampler.argmax($0) }
            out.append(t)
            logits = Array(try tr.forward([t], cache: cache))
        }
        return out
    }

    /// The largest |log-prob difference| between the next-token distribution after `ids` and
    /// `logprobs` (an independent implementation's, over the whole vocabulary).
    static func maxLogprobError(_ m: Model, ids: [Int], logprobs: [Double]) throws -> Double {
        let tr = Transformer(model: m, contextLength: 128)
        let logits = Array(try tr.forward(ids, cache: tr.makeCache()))
        let lse = logits.withUnsafeBufferPointer { Sampler.stats($0).lse }
        return zip(logits, logprobs).map { abs(Double($0 - lse) - $1) }.max()!
    }
}
