import Foundation
import Inference
import Store

/// OpenAI-compatible servers as an engine: one server, or a pool of servers serving the same
/// model, over which a `ServerPool` spreads the requests (each server `concurrency` at a
/// time, with its own retries and health). Results are handed back on the calling thread as
/// they arrive. A server that fails slows the run and its requests go to the others; when
/// every server has failed past its retries, what arrived before is delivered and the
/// error thrown. Each request carries its rollout's seed, and keys do not depend on which
/// server answered.
public final class RemoteEngine: Engine {
    public let clients: [OpenAIClient]
    public let decoding: DecodingParams
    public var source: String { "openai" }
    let pool: ServerPool
    /// Where notes on the servers' health go (the run's progress output).
    public var note: (String) -> Void = { _ in }

    public init(spec: EngineSpec, model: String, decoding: DecodingParams) {
        clients = spec.urls.map { OpenAIClient(spec: spec, url: $0, model: model) }
        self.decoding = decoding
        pool = ServerPool(clients: clients, concurrency: spec.concurrency, retries: spec.retries)
    }

    /// Asks every server for its models. A server that lacks the plan's model is an error; a
    /// server of a pool that does not answer starts down (tried again later) unless none
    /// answers (a retryable error: the servers may come up). One server is asked with its
    /// retries, as before pools existed.
    public func connect() throws {
        var silent = [(Int, Error)]()
        for (i, c) in clients.enumerated() {
            let listed: [String]
            do { listed = try c.models(retries: clients.count == 1 ? c.spec.retries : 0) } catch {
                silent.append((i, error))
                continue
            }
            try Self.check(c, listed: listed)
        }
        if silent.count == clients.count {
            let each = silent.map { "\($0.1)" }
            throw RemoteError(clients.count == 1 ? each[0]
                              : "none of the \(clients.count) servers answers: " + each.joined(separator: "; "),
                              retryable: true)
        }
        for (i, error) in silent {
            pool.startDown(i, error)
            note("\(error); the run starts on the other servers and tries \(clients[i].url) again later")
        }
    }

    /// Fails unless the server lists the model (a server that lists none is taken at its word).
    static func check(_ c: OpenAIClient, listed: [String]) throws {
        if !listed.isEmpty && !listed.contains(c.model) {
            throw RemoteError("\(c.url): the server has no model \"\(c.model)\" "
                              + "(it lists: \(listed.joined(separator: ", "))); set engine.model")
        }
    }

    public func generate(_ requests: [GenerationRequest], prompts: [String],
                         onResult: (GenerationRequest, Generation) throws -> Void) throws {
        let decoding = self.decoding
        let spec = clients[0].spec
        // Each result carries how many alternatives its tokens had when the server's
        // distributions were partial; the fewest is reported once, on this thread.
        var incomplete: Int? = nil
        try pool.run(count: requests.count, work: { client, i -> (Generation, Int?) in
            let r = requests[i]
            let started = Date()
            let c = try client.complete(prompt: prompts[r.prompt], temperature: r.temperature, decoding: decoding,
                                        seed: r.seed, maxTokens: r.maxTokens)
            let partial = spec.fullLogprobs && c.selfCertainty == nil && !c.tokens.isEmpty ? c.alternatives : nil
            return (Self.generation(c, seconds: Date().timeIntervalSince(started)), partial)
        }, deliver: { i, result in
            if let k = result.1 { incomplete = min(incomplete ?? Int.max, k) }
            try onResult(requests[i], result.0)
        }, note: note)
        if let k = incomplete {
            note("top_logprobs: all: the server returned as few as \(k) of \(spec.vocabSize ?? 0) alternatives per "
                 + "token, so self-certainty is not computed (stored as 0) and entropy is a lower bound "
                 + "(llama-cpp-python's server keys alternatives by their text, merging tokens that print alike)")
        }
    }

    /// Each prompt's last-token hidden state from the servers' embeddings endpoint (`features:
    /// embeddings`), spread over the pool like completions; `onFeatures(prompt, values)` on the
    /// calling thread.
    public func features(_ promptIndices: [Int], prompts: [String], onFeatures: (Int, [Float]) throws -> Void)
        throws {
        try pool.run(count: promptIndices.count, work: { client, i in
            try client.lastTokenEmbedding(prompt: prompts[promptIndices[i]])
        }, deliver: { i, values in try onFeatures(promptIndices[i], values) }, note: note)
    }

    /// Means over the log-prob records (0 without them); self-certainty when the server gave
    /// full distributions, else 0.
    static func generation(_ c: RemoteCompletion, seconds: Double) -> Generation {
        let n = Double(max(1, c.tokens.count))
        let entropy: Double = c.tokens.reduce(0) { $0 + Double($1.entropy) }
        let logprob: Double = c.tokens.reduce(0) { $0 + Double($1.logprob) }
        return Generation(text: c.text, finishReason: c.finishReason, records: c.tokens, tokenCount: c.tokenCount,
                          promptTokens: c.promptTokens, meanEntropy: entropy / n, meanLogprob: logprob / n,
                          selfCertainty: c.selfCertainty ?? 0, gatedTokens: 0, extraLayerApplications: 0,
                          seconds: seconds)
    }
}

