/// Keys and values of one sequence, per layer: [capacity, kvDim] Float32 each.
public final class KVCache: @unchecked Sendable {
    public let layers: Int
    public let capacity: Int
    public let kvDim: Int
    let keys: UnsafeMutablePointer<Float>
    let values: UnsafeMutablePointer<Float>
    /// Positions filled so far.
    public internal(set) var count = 0

    public init(config: ModelConfig, capacity: Int) {
        layers = config.blockCount
        self.capacity = capacity
        kvDim = config.kvDim
        // Positions are written before they are read; a rollout that stops early never
        // touches the rest of its pages.
        keys = Ops.alignedBuffer(layers * capacity * kvDim)
        values = Ops.alignedBuffer(layers * capacity * kvDim)
    }
    deinit { keys.deallocate(); values.deallocate() }

    @inline(__always) func k(_ layer: Int, _ pos: Int) -> UnsafeMutablePointer<Float> {
        keys + (layer * capacity + pos) * kvDim
    }
    @inline(__always) func v(_ layer: Int, _ pos: Int) -> UnsafeMutablePointer<Float> {
        values + (layer * capacity + pos) * kvDim
    }

    /// Forgets positions from `n` on.
    public func truncate(to n: Int) { count = min(count, max(0, n)) }

    /// Appends positions `range` of `other` (every layer).
    public func append(from other: KVCache, range: Range<Int>) {
        precondition(other.kvDim == kvDim && other.layers == layers && count + range.count <= capacity
                     && range.upperBound <= other.capacity)
        for l in 0..<layers {
            k(l, count).update(from: other.k(l, range.lowerBound), count: range.count * kvDim)
            v(l, count).update(from: other.v(l, range.lowerBound), count: range.count * kvDim)
        }
        count += range.count
    }
}
