import Foundation
import Store

/// Self-refinement: round r continues the conversation of rounds 0..r-1 with the
/// instruction appended; rounds run in order, each from the previous rounds' stored answers.
enum RefineStrategy {
    static func run(_ prep: PreparedRun, missing: [Job], spec: RefineSpec, engine: Engine,
                    recorder: RolloutRecorder, store: RolloutStore) throws {
        let byKey = Dictionary(uniqueKeysWithValues: prep.jobs.map { ($0.key, $0) })
        for round in 1...spec.rounds {
            let jobs = missing.filter { if case .refine(round, _) = $0.role { return true } else { return false } }
                .sorted(by: Job.ordered)
            if jobs.isEmpty { continue }
            let chains = jobs.map { j -> [String] in
                var chain = [String](), k = j.parentKey
                while let key = k { chain.insert(key, at: 0); k = byKey[key]?.parentKey }
                return chain
            }
            let answers = try store.responses(Array(Set(chains.flatMap { $0 })))
            var texts = [String]()
            for (j, chain) in zip(jobs, chains) {
                var text = prep.prompts[j.problem]
                for key in chain {
                    guard let a = answers[key] else {
                        let id = prep.problems[j.problem].id
                        throw StoreError("\(store.path): refinement round \(round) of \(id) lacks its previous round")
                    }
                    text += a + spec.instruction
                }
                texts.append(text)
            }
            let requests = jobs.enumerated().map { i, j in
                GenerationRequest(prompt: i, temperature: j.temperature, layers: j.layers, seed: j.seed,
                                  maxTokens: prep.plan.maxTokens, tag: i)
            }
            try engine.generate(requests, prompts: texts) { r, g in
                try recorder.record(jobs[r.tag], g, newTokens: g.tokenCount)
            }
            try recorder.flush()
        }
    }
}
