import Foundation
import Sampling

/// The one decoding-parameter bundle: the sampler chain and EGLR around a cell's
/// temperature and layer span. A plan, the CLI's option groups and the remote client all
/// fill this type, and `validate()` is the single definition of what is allowed.
/// Values are kept as written (Doubles), since a rollout's key records them as text.
public struct DecodingParams: Sendable, Equatable {
    public var topK = 0
    /// (0, 1]; 1 = off.
    public var topP = 1.0
    /// [0, 1); 0 = off.
    public var minP = 0.0
    public var maxTokens = 96
    public var stop: [String] = []
    public var kMax = 4
    public var tau = 2.0
    /// When set, tau becomes this percentile (0-100) of plain decoding's token entropies.
    public var tauPercentile: Double? = nil
    public var eps = 1e-3
    public var divergence: EGLRConfig.Divergence = .kl
    public var kvPolicy: EGLRConfig.KVPolicy = .keepFirst

    public init() {}

    /// A value outside its bounds: the field as a plan spells it, and what is wrong.
    public struct Violation: Error, CustomStringConvertible, Equatable {
        public let field: String
        public let message: String
        public var description: String { "\(field): \(message)" }
    }

    public static let temperatureRange = 0.0...5.0
    public static let layersRange = 0...64
    public static let maxTokensRange = 1...8192
    public static let kMaxRange = 1...64
    public static let tauRange = 0.0...100.0
    public static let epsRange = 0.0...10.0

    /// Checks every field; the first violation is thrown.
    public func validate() throws {
        func fail(_ f: String, _ m: String) -> Violation { Violation(field: f, message: m) }
        if topK < 0 { throw fail("sampler.top_k", "\(topK) is below the minimum 0") }
        if !(topP > 0 && topP <= 1) { throw fail("sampler.top_p", "\(topP) is not in (0, 1] (1 = off)") }
        if !(minP >= 0 && minP < 1) { throw fail("sampler.min_p", "\(minP) is not in [0, 1) (0 = off)") }
        if !Self.maxTokensRange.contains(maxTokens) {
            throw fail("max_tokens",
                       "\(maxTokens) is not in \(Self.maxTokensRange.lowerBound)...\(Self.maxTokensRange.upperBound)")
        }
        if !Self.kMaxRange.contains(kMax) { throw fail("eglr.kmax", "\(kMax) is not in 1...64") }
        if !Self.tauRange.contains(tau) { throw fail("eglr.tau", "\(tau) is not in 0...100") }
        if let p = tauPercentile, !(0...100).contains(p) { throw fail("eglr.tau_percentile", "\(p) is not in 0...100") }
        if !Self.epsRange.contains(eps) { throw fail("eglr.eps", "\(eps) is not in 0...10") }
    }

    /// Checks one cell's axes against the same bounds.
    public static func validate(temperature: Double, layers: Int) throws {
        if !temperature.isFinite || !temperatureRange.contains(temperature) {
            throw Violation(field: "temperature", message: "\(temperature) is not in 0...5")
        }
        if !layersRange.contains(layers) { throw Violation(field: "layers", message: "\(layers) is not in 0...64") }
    }

    /// The sampler chain at a cell's temperature.
    public func sampler(temperature: Double) -> SamplerConfig {
        SamplerConfig(temperature: Float(temperature), topK: topK, topP: Float(topP), minP: Float(minP))
    }

    /// EGLR at a cell's layer span (0 = plain decoding).
    public func eglr(layers: Int) -> EGLRConfig {
        EGLRConfig(layers: layers, kMax: kMax, tau: Float(tau), divergence: divergence, eps: Float(eps),
                   kvPolicy: kvPolicy, tauPercentile: tauPercentile.map(Float.init))
    }
}
