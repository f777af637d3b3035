/// Turns a stream of token ids into text, holding back bytes of a UTF-8 sequence that a
/// token split in two, so printed text never shows replacement characters mid-stream.
public struct StreamingDecoder {
    let tokenizer: Tokenizer
    var pending = [UInt8]()

    public init(tokenizer: Tokenizer) { self.tokenizer = tokenizer }

    /// Returns the text that became complete with this token.
    public mutating func push(_ id: Int) -> String {
        pending.append(contentsOf: tokenizer.bytes(of: id))
        let n = StreamingDecoder.completePrefixLength(pending)
        guard n > 0 else { return "" }
        let s = String(decoding: pending[..<n], as: UTF8.self)
        pending.removeFirst(n)
        return s
    }

    /// Whatever is left (invalid bytes become U+FFFD).
    public mutating func flush() -> String {
        defer { pending.removeAll() }
        return String(decoding: pending, as: UTF8.self)
    }

    /// Length of the longest prefix that does not end inside an incomplete UTF-8 sequence.
    static func completePrefixLength(_ b: [UInt8]) -> Int {
        var i = b.count - 1
        var back = 0
        while i >= 0 && back < 4 {
            let c = b[i]
            if c & 0xC0 != 0x80 {               // a lead byte (or ASCII)
                let need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1
                return back + 1 >= need ? b.count : i
            }
            i -= 1; back += 1
        }
        return b.count
    }
}
