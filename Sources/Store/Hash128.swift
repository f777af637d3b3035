/// A 128-bit content hash for cache keys (not cryptographic): two independent 64-bit
/// FNV-1a lanes over the bytes, each finished with a SplitMix64 avalanche. Written as 32 hex
/// digits. A million keys collide with probability about 1e-27.
public enum Hash128 {
    public static func hex(_ text: String) -> String { hex(bytes: Array(text.utf8)) }

    public static func hex(bytes: [UInt8]) -> String {
        var a: UInt64 = 0xcbf2_9ce4_8422_2325
        var b: UInt64 = 0x6c62_272e_07bb_0142
        for byte in bytes {
            a = (a ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
            b = (b ^ UInt64(byte ^ 0x5a)) &* 0x0000_0100_0000_01b3
            b = (b << 7) | (b >> 57)
        }
        a = mix(a ^ UInt64(bytes.count))
        b = mix(b &+ 0x9e37_79b9_7f4a_7c15 &* UInt64(bytes.count))
        return hex64(a) + hex64(b)
    }

    static func mix(_ x: UInt64) -> UInt64 {
        var z = x &+ 0x9e37_79b9_7f4a_7c15
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }

    static func hex64(_ v: UInt64) -> String {
        let s = String(v, radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s
    }
}
