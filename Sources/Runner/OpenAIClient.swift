import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Inference
import Store

/// A remote engine failure: names the server and what went wrong.
public struct RemoteError: Error, CustomStringConvertible {
    public let description: String
    public let retryable: Bool
    init(_ d: String, retryable: Bool = false) { description = d; self.retryable = retryable }
}

/// One completion from a server, in the store's shapes.
public struct RemoteCompletion: Sendable {
    public var text: String
    public var finishReason: String
    /// Per token: id -1 (servers return text pieces), log-prob, entropy estimated from the
    /// top alternatives.
    /// Empty when the plan asks for no log-probs (engine.top_logprobs: 0).
    public var tokens: [TokenRecord]
    /// Generated tokens: the server's usage count, else the log-prob records.
    public var tokenCount: Int
    /// Prompt tokens, when the server reports usage.
    public var promptTokens: Int? = nil
    /// Mean self-certainty over the tokens, when the server gave every token's full
    /// distribution (`top_logprobs: all`); nil otherwise.
    public var selfCertainty: Double? = nil
    /// The fewest alternatives any token came with.
    public var alternatives = 0
}

/// A client for OpenAI-compatible servers (vLLM, SGLang, llama.cpp's server):
/// `/v1/completions` or `/v1/chat/completions`, with retries and backoff on 429, 5xx and
/// dropped connections. Calls are synchronous; a `ServerPool` runs several at once.
public final class OpenAIClient: @unchecked Sendable {
    public let spec: EngineSpec
    /// This server's base URL (one of the spec's).
    public let url: String
    public let model: String
    let session: URLSession
    let apiKey: String?

    public init(spec: EngineSpec, url: String, model: String) {
        self.spec = spec
        self.url = url
        self.model = model
        let cfg = URLSessionConfiguration.ephemeral
        cfg.timeoutIntervalForRequest = spec.timeout
        cfg.timeoutIntervalForResource = spec.timeout
        cfg.httpMaximumConnectionsPerHost = spec.concurrency
        session = URLSession(configuration: cfg)
        apiKey = ProcessInfo.processInfo.environment[spec.apiKeyEnv].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The model ids the server lists (GET /models), retrying `retries` times.
    public func models(retries: Int) throws -> [String] {
        let obj = try send(path: "/models", body: nil, retries: retries)
        return ((obj["data"] as? [[String: Any]]) ?? []).compactMap { $0["id"] as? String }
    }

    /// One completion at `temperature` under the shared decoding parameters (top-k and min-p
    /// are extensions that vLLM, SGLang and llama.cpp accept). One attempt: a retryable
    /// failure is the pool's to retry, here or on another server.
    public func complete(prompt: String, temperature: Double, decoding d: DecodingParams, seed: UInt64,
                         maxTokens: Int) throws -> RemoteCompletion {
        var body: [String: Any] = ["model": model, "temperature": temperature, "max_tokens": maxTokens,
                                   "n": 1, "seed": Int(seed % 2_147_483_647)]
        if d.topP < 1 { body["top_p"] = d.topP }
        if d.topK > 0 { body["top_k"] = d.topK }
        if d.minP > 0 { body["min_p"] = d.minP }
        if !d.stop.isEmpty { body["stop"] = d.stop }
        let chat = spec.api == "chat"
        if chat {
            body["messages"] = [["role": "user", "content": prompt]]
            if spec.requestedLogprobs > 0 { body["logprobs"] = true; body["top_logprobs"] = spec.requestedLogprobs }
        } else {
            body["prompt"] = prompt
            if spec.requestedLogprobs > 0 { body["logprobs"] = spec.requestedLogprobs }
        }
        let obj = try sendOnce(path: chat ? "/chat/completions" : "/completions", body: body)
        guard let choice = (obj["choices"] as? [[String: Any]])?.first else {
            throw RemoteError("\(url): the response has no choices")
        }
        let text = chat ? ((choice["message"] as? [String: Any])?["content"] as? String ?? "")
                        : (choice["text"] as? String ?? "")
        var finish = choice["finish_reason"] as? String ?? "stop"
        if finish == "length" { finish = "length" } else if finish != "stop" { finish = "eos" }
        let (records, certainty, alternatives) = Self.tokenRecords(choice["logprobs"], chat: chat,
                                                                   vocabSize: spec.fullLogprobs ? spec.vocabSize : nil)
        let usage = obj["usage"] as? [String: Any]
        let used = (usage?["completion_tokens"] as? NSNumber)?.intValue
        return RemoteCompletion(text: text, finishReason: finish, tokens: records, tokenCount: used ?? records.count,
                                promptTokens: (usage?["prompt_tokens"] as? NSNumber)?.intValue,
                                selfCertainty: certainty.map { $0.reduce(0, +) / Double(max(1, $0.count)) },
                                alternatives: alternatives)
    }

    /// Per-token log-probs and entropies, and the tokens' self-certainty when the server gave
    /// every token's full distribution. With the top alternatives only, the entropy is a lower
    /// bound (the alternatives plus the leftover mass as one bucket) and self-certainty is
    /// unknown. With all `vocabSize` of them (vLLM with `--max-logprobs` raised and
    /// `top_logprobs: all`) both are exact: H = -sum p log p and
    /// KL(U || p) = -(1/V) sum_j log(V p_j). `alternatives` is the fewest a token had.
    public static func tokenRecords(_ lp: Any?, chat: Bool, vocabSize: Int? = nil)
        -> (records: [TokenRecord], selfCertainty: [Double]?, alternatives: Int) {
        func entropy(_ alts: [Double]) -> Float {
            let ps = alts.map { exp($0) }
            let rest = max(0, 1 - ps.reduce(0, +))
            let h = ps.reduce(0) { $0 - ($1 > 0 ? $1 * log($1) : 0) } - (rest > 0 ? rest * log(rest) : 0)
            return Float(h)
        }
        var fewest = Int.max
        var certainty: [Double]? = vocabSize == nil ? nil : []
        func record(_ logprob: Double, _ alts: [Double]) -> TokenRecord {
            fewest = min(fewest, alts.count)
            if let v = vocabSize, alts.count >= v, certainty != nil {
                let sum = alts.reduce(0, +)
                certainty!.append(-log(Double(v)) - sum / Double(alts.count))
            } else {
                certainty = nil
            }
            return TokenRecord(id: -1, logprob: Float(logprob), entropy: entropy(alts), iterations: 0, gated: false)
        }
        guard let lp = lp as? [String: Any] else { return ([], nil, 0) }
        var records = [TokenRecord]()
        if chat {
            for t in (lp["content"] as? [[String: Any]]) ?? [] {
                let alts = ((t["top_logprobs"] as? [[String: Any]]) ?? []).compactMap {
                    ($0["logprob"] as? NSNumber)?.doubleValue
                }
                records.append(record((t["logprob"] as? NSNumber)?.doubleValue ?? 0, alts))
            }
        } else {
            let lps = (lp["token_logprobs"] as? [Any]) ?? []
            let tops = (lp["top_logprobs"] as? [Any]) ?? []
            for (i, v) in lps.enumerated() {
                let alts = ((i < tops.count ? tops[i] as? [String: Any] : nil) ?? [:]).values
                    .compactMap { ($0 as? NSNumber)?.doubleValue }
                records.append(record((v as? NSNumber)?.doubleValue ?? 0, alts))
            }
        }
        return (records, records.isEmpty ? nil : certainty, records.isEmpty ? 0 : fewest)
    }

    /// The hidden state of a prompt's last token from the server's embeddings endpoint
    /// (llama.cpp's server started with embeddings on: one vector per token without pooling,
    /// the last is taken; one pooled vector otherwise, taken as it is). One attempt: the pool
    /// retries.
    public func lastTokenEmbedding(prompt: String) throws -> [Float] {
        let obj = try sendOnce(path: "/embeddings", body: ["model": model, "input": prompt])
        guard let first = (obj["data"] as? [[String: Any]])?.first, let e = first["embedding"] as? [Any],
              !e.isEmpty else {
            throw RemoteError("\(url)/embeddings: the response has no embedding")
        }
        let row: [Any] = (e.last as? [Any]) ?? e
        let values = row.compactMap { ($0 as? NSNumber)?.floatValue }
        guard values.count == row.count, values.allSatisfy(\.isFinite) else {
            throw RemoteError("\(url)/embeddings: the embedding is not a list of finite numbers")
        }
        return values
    }

    /// One request with retries: 429, 5xx and transport errors back off exponentially
    /// (0.5 s doubling, honouring Retry-After up to 30 s); other failures end at once.
    func send(path: String, body: [String: Any]?, retries: Int) throws -> [String: Any] {
        var attempt = 0
        while true {
            do {
                return try sendOnce(path: path, body: body)
            } catch let e as RemoteError where e.retryable && attempt < retries {
                attempt += 1
                Thread.sleep(forTimeInterval: min(30, 0.5 * pow(2, Double(attempt - 1))))
            } catch let e as RemoteError where e.retryable {
                throw RemoteError("\(e.description) (gave up after \(Self.attempts(attempt + 1)))")
            }
        }
    }

    static func attempts(_ n: Int) -> String { n == 1 ? "1 attempt" : "\(n) attempts" }

    func sendOnce(path: String, body: [String: Any]?) throws -> [String: Any] {
        guard let endpoint = URL(string: url + path) else { throw RemoteError("\(url)\(path): not a valid URL") }
        var req = URLRequest(url: endpoint)
        req.httpMethod = body == nil ? "GET" : "POST"
        req.setValue("application/json", forHTTPHeaderField: "Content-Type")
        if let apiKey { req.setValue("Bearer \(apiKey)", forHTTPHeaderField: "Authorization") }
        if let body { req.httpBody = try JSONSerialization.data(withJSONObject: body) }
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var result: (Data?, URLResponse?, Error?) = (nil, nil, nil)
        session.dataTask(with: req) { d, r, e in result = (d, r, e); done.signal() }.resume()
        done.wait()
        let where_ = "\(url)\(path)"
        if let e = result.2 { throw RemoteError("\(where_): \(e.localizedDescription)", retryable: true) }
        guard let http = result.1 as? HTTPURLResponse else { throw RemoteError("\(where_): no HTTP response",
                                                                               retryable: true) }
        let data = result.0 ?? Data()
        guard (200..<300).contains(http.statusCode) else {
            let excerpt = String(decoding: data.prefix(300), as: UTF8.self)
            let retry = http.statusCode == 429 || http.statusCode >= 500
            if retry, let ra = http.value(forHTTPHeaderField: "Retry-After"), let s = Double(ra) {
                Thread.sleep(forTimeInterval: min(s, 30))
            }
            throw RemoteError("\(where_): HTTP \(http.statusCode): \(excerpt)", retryable: retry)
        }
        guard let obj = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            let excerpt = String(decoding: data.prefix(200), as: UTF8.self)
            throw RemoteError("\(where_): the response is not a JSON object: \(excerpt)", retryable: true)
        }
        return obj
    }
}
