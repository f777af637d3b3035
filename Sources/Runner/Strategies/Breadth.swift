import Foundation
import Store

/// Breadth: independent samples of every cell (and round 0 of refinement), on any engine;
/// it also captures the T2 features of the problems that lack them (local: every layer's hidden
/// state; remote with `features: embeddings`: the server's last hidden state).
enum BreadthStrategy {
    static func run(_ prep: PreparedRun, missing: [Job], featuresFor: [Int], engine: Engine,
                    recorder: RolloutRecorder, store: RolloutStore) throws {
        let jobs = missing.filter { $0.role == .breadth }.sorted(by: Job.ordered)
        if jobs.isEmpty && featuresFor.isEmpty { return }
        let requests = jobs.enumerated().map { i, j in
            GenerationRequest(prompt: j.problem, temperature: j.temperature, layers: j.layers, seed: j.seed,
                              maxTokens: prep.plan.maxTokens, tag: i)
        }
        let onResult: (GenerationRequest, Generation) throws -> Void = { r, g in
            try recorder.record(jobs[r.tag], g, newTokens: g.tokenCount)
        }
        if let remote = engine as? RemoteEngine, !featuresFor.isEmpty {
            // One vector per prompt (the server's last hidden state), stored as one layer.
            try remote.features(featuresFor, prompts: prep.prompts) { pi, values in
                try store.putFeatures(modelKey: prep.modelKey, promptHash: prep.promptHashes[pi], layers: 1,
                                      dim: values.count, values: values)
            }
        }
        guard let local = engine as? LocalEngine, !featuresFor.isEmpty else {
            try engine.generate(requests, prompts: prep.prompts, onResult: onResult)
            return
        }
        let config = local.model.config
        try local.generate(requests, prompts: prep.prompts, features: Set(featuresFor), onFeatures: { pi, values in
            try store.putFeatures(modelKey: prep.modelKey, promptHash: prep.promptHashes[pi], layers: config.blockCount,
                                  dim: config.embeddingLength, values: values)
        }, onResult: onResult)
    }
}
