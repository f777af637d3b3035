import Foundation

/// One rollout as the store keeps it: its content address, the axes and parameters that
/// produced it, the response, its grade, and compact per-token records.
public struct StoredRollout: Sendable, Equatable {
    /// Content address: Hash128 of the canonical key (model, prompt, every decoding
    /// parameter, seed, sample index). See `RolloutKey`.
    public var key: String
    public var modelKey: String
    public var promptHash: String
    public var taskKey: String
    public var problemID: String
    public var layers: Int
    public var temperature: Double
    public var sampleIndex: Int
    public var seed: UInt64
    /// Every decoding parameter, as canonical text (also what the key hashes).
    public var params: String
    public var response: String
    public var tokenCount: Int
    public var finishReason: String
    public var meanEntropy: Double
    public var meanLogprob: Double
    public var selfCertainty: Double
    public var gatedTokens: Int
    public var extraLayerApplications: Int
    public var extracted: String?
    public var answerClass: String
    public var correct: Bool
    public var rule: String
    public var graderVersion: String
    /// Packed per-token records (`TokenRecord.pack`).
    public var tokens: Data
    public var seconds: Double
    /// The rollout's role within its strategy (breadth, depth child, refinement round).
    public var role: RolloutRole
    /// Prompt tokens the engine read (nil when not known: v1 rows, servers without usage).
    public var promptTokens: Int?
    /// Where the rollout came from: "local" (the CPU engine) or "openai" (a remote server).
    public var source: String
    /// Hash128 of the gold answer the verdict fields were graded against.
    public var goldHash: String
    /// Floating-point operations the rollout cost (prompt and generated tokens, EGLR's extra
    /// layer applications), when the engine knows the model's shape; nil otherwise.
    public var flops: Double?
    /// An external score of the response (e.g. a reward model's, from an imported file).
    public var score: Double?

    public init(key: String, modelKey: String, promptHash: String, taskKey: String, problemID: String,
                layers: Int, temperature: Double, sampleIndex: Int, seed: UInt64, params: String,
                response: String, tokenCount: Int, finishReason: String, meanEntropy: Double,
                meanLogprob: Double, selfCertainty: Double, gatedTokens: Int, extraLayerApplications: Int,
                extracted: String?, answerClass: String, correct: Bool, rule: String, graderVersion: String,
                tokens: Data, seconds: Double, role: RolloutRole = .breadth, promptTokens: Int? = nil,
                source: String = "local", goldHash: String = "", flops: Double? = nil, score: Double? = nil) {
        self.flops = flops; self.score = score
        self.role = role; self.promptTokens = promptTokens; self.source = source; self.goldHash = goldHash
        self.key = key; self.modelKey = modelKey; self.promptHash = promptHash; self.taskKey = taskKey
        self.problemID = problemID; self.layers = layers; self.temperature = temperature
        self.sampleIndex = sampleIndex; self.seed = seed; self.params = params; self.response = response
        self.tokenCount = tokenCount; self.finishReason = finishReason; self.meanEntropy = meanEntropy
        self.meanLogprob = meanLogprob; self.selfCertainty = selfCertainty; self.gatedTokens = gatedTokens
        self.extraLayerApplications = extraLayerApplications; self.extracted = extracted
        self.answerClass = answerClass; self.correct = correct; self.rule = rule
        self.graderVersion = graderVersion; self.tokens = tokens; self.seconds = seconds
    }
}

extension StoredRollout {
    /// The verdict fields, as the verdicts table keeps them.
    public var verdict: StoredVerdict {
        StoredVerdict(key: key, goldHash: goldHash, graderVersion: graderVersion, extracted: extracted,
                      answerClass: answerClass, correct: correct, rule: rule, reason: nil)
    }
}

/// A grade of one rollout against one gold answer by one grader version. A rollout can have
/// several (two tasks with the same question, a corrected gold, a newer grader); a run reads
/// the one for its members' golds and its grader.
public struct StoredVerdict: Sendable, Equatable {
    public var key: String
    public var goldHash: String
    public var graderVersion: String
    public var extracted: String?
    public var answerClass: String
    public var correct: Bool
    public var rule: String
    public var reason: String?

    public init(key: String, goldHash: String, graderVersion: String, extracted: String?, answerClass: String,
                correct: Bool, rule: String, reason: String?) {
        self.key = key; self.goldHash = goldHash; self.graderVersion = graderVersion; self.extracted = extracted
        self.answerClass = answerClass; self.correct = correct; self.rule = rule; self.reason = reason
    }
}

/// A per-token record, packed in 14 bytes: id (Int32), log-prob and entropy (Float32),
/// EGLR iterations (UInt8) and gate flag (UInt8), little-endian.
public struct TokenRecord: Sendable, Equatable {
    public var id: Int32
    public var logprob: Float
    public var entropy: Float
    public var iterations: UInt8
    public var gated: Bool

    public init(id: Int32, logprob: Float, entropy: Float, iterations: UInt8, gated: Bool) {
        self.id = id; self.logprob = logprob; self.entropy = entropy; self.iterations = iterations; self.gated = gated
    }

    public static let size = 14

    public static func pack(_ records: [TokenRecord]) -> Data {
        var out = [UInt8]()
        out.reserveCapacity(records.count * size)
        func put(_ v: UInt32) { for s in stride(from: 0, to: 32,
                                                by: 8) { out.append(UInt8(truncatingIfNeeded: v >> UInt32(s))) } }
        for r in records {
            put(UInt32(bitPattern: r.id)); put(r.logprob.bitPattern); put(r.entropy.bitPattern)
            out.append(r.iterations); out.append(r.gated ? 1 : 0)
        }
        return Data(out)
    }

    public static func unpack(_ data: Data) -> [TokenRecord] {
        let bytes = [UInt8](data)
        let n = bytes.count / size
        func get(_ o: Int) -> UInt32 {
            UInt32(bytes[o]) | UInt32(bytes[o + 1]) << 8 | UInt32(bytes[o + 2]) << 16 | UInt32(bytes[o + 3]) << 24
        }
        return (0..<n).map { i in
            let o = i * size
            return TokenRecord(id: Int32(bitPattern: get(o)), logprob: Float(bitPattern: get(o + 4)),
                               entropy: Float(bitPattern: get(o + 8)), iterations: bytes[o + 12],
                               gated: bytes[o + 13] != 0)
        }
    }
}
