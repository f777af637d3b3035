/// SplitMix64: tiny, fast, and fully determined by its seed (a rollout owns one).
public struct SplitMix64: RandomNumberGenerator, Sendable {
    public var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// Uniform in [0, 1) with 24 bits, as a Float.
    public mutating func nextUnitFloat() -> Float { Float(next() >> 40) * (1.0 / 16_777_216.0) }

    /// Mixes several values into one seed (order-sensitive).
    public static func derive(_ parts: [UInt64]) -> UInt64 {
        var g = SplitMix64(seed: 0x5EED_0F_B00C)
        var h: UInt64 = 0
        for p in parts { g.state ^= p &* 0x9E37_79B9_7F4A_7C15; h = g.next() }
        return h
    }
}

/// The seed of one rollout: a function of the run seed, the problem, the cell and the
/// sample index only, so a rollout's randomness never depends on what else is in its batch.
public enum RolloutSeed {
    public static func derive(run: UInt64, problem: String, temperature: Float, layers: Int, sample: Int) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for b in problem.utf8 { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
        return SplitMix64.derive([run, h, UInt64(temperature.bitPattern), UInt64(bitPattern: Int64(layers)),
                                  UInt64(sample)])
    }
}
