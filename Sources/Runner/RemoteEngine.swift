import Foundation
import Inference
import Store

/// An OpenAI-compatible server as an engine: requests go out `concurrency` at a time and
/// results are handed back on the calling thread as they arrive. A request that still fails
/// after its retries stops the run: what arrived before is delivered, then the error thrown.
public final class RemoteEngine: Engine {
    public let client: OpenAIClient
    public let decoding: DecodingParams
    public var source: String { "openai" }

    public init(spec: EngineSpec, model: String, decoding: DecodingParams) {
        client = OpenAIClient(spec: spec, model: model)
        self.decoding = decoding
    }

    /// Fails unless the server lists the model (a server that lists none is taken at its word).
    public func check(listed: [String]) throws {
        if !listed.isEmpty && !listed.contains(client.model) {
            throw RemoteError("\(client.spec.url): the server has no model \"\(client.model)\" "
                              + "(it lists: \(listed.joined(separator: ", "))); set engine.model")
        }
    }

    public func generate(_ requests: [GenerationRequest], prompts: [String],
                         onResult: (GenerationRequest, Generation) throws -> Void) throws {
        let lock = NSLock()
        nonisolated(unsafe) var arrived = [(GenerationRequest, Generation)]()
        nonisolated(unsafe) var failure: Error? = nil
        let queue = OperationQueue()
        queue.maxConcurrentOperationCount = client.spec.concurrency
        for r in requests {
            queue.addOperation { [client, decoding] in
                if lock.withLock({ failure != nil }) { return }
                let started = Date()
                do {
                    let c = try client.complete(prompt: prompts[r.prompt], temperature: r.temperature,
                                                decoding: decoding,
                                                seed: r.seed, maxTokens: r.maxTokens)
                    let g = Self.generation(c, seconds: Date().timeIntervalSince(started))
                    lock.withLock { arrived.append((r, g)) }
                } catch {
                    lock.withLock { if failure == nil { failure = error } }
                }
            }
        }
        func drain() throws {
            let batch = lock.withLock { () -> [(GenerationRequest, Generation)] in
                defer { arrived.removeAll() }
                return arrived
            }
            for (r, g) in batch { try onResult(r, g) }
        }
        do {
            while queue.operationCount > 0 {
                Thread.sleep(forTimeInterval: 0.05)
                try drain()
            }
            queue.waitUntilAllOperationsAreFinished()
            try drain()
        } catch {
            // The caller could not take a result (a store error): stop sending.
            lock.withLock { if failure == nil { failure = error } }
            queue.cancelAllOperations()
            queue.waitUntilAllOperationsAreFinished()
            throw error
        }
        if let failure { throw failure }
    }

    /// Means over the log-prob records (0 without them); servers expose no self-certainty.
    static func generation(_ c: RemoteCompletion, seconds: Double) -> Generation {
        let n = Double(max(1, c.tokens.count))
        let entropy: Double = c.tokens.reduce(0) { $0 + Double($1.entropy) }
        let logprob: Double = c.tokens.reduce(0) { $0 + Double($1.logprob) }
        return Generation(text: c.text, finishReason: c.finishReason, records: c.tokens, tokenCount: c.tokenCount,
                          promptTokens: c.promptTokens, meanEntropy: entropy / n, meanLogprob: logprob / n,
                          selfCertainty: 0, gatedTokens: 0, extraLayerApplications: 0, seconds: seconds)
    }
}
