import Foundation

/// One part of a run that a machine generates on its own (`rollbook run PLAN --shard I/N`).
/// Shards are numbered from 1 to N, as SLURM's `--array=1-N` numbers its tasks.
///
/// A rollout's shard is a pure function of a content-addressed key (its first 64 bits mod N),
/// so every machine agrees without talking to the others. The key is that of the rollout's
/// unit, the rollouts that must be generated together (the runner picks it: a refinement
/// chain's breadth rollout, a depth trial's first child).
public struct Shard: Sendable, Hashable, CustomStringConvertible {
    /// 1...count.
    public let index: Int
    public let count: Int

    public init(index: Int, count: Int) throws {
        guard count >= 1 else { throw StoreError("shard \(index)/\(count): the number of shards must be at least 1") }
        guard (1...count).contains(index) else {
            throw StoreError("shard \(index)/\(count): shards are numbered from 1 to \(count) (1/\(count) to "
                             + "\(count)/\(count))")
        }
        self.index = index; self.count = count
    }

    /// "I/N", e.g. "2/8".
    public init(parsing text: String) throws {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]) else {
            throw StoreError("shard \"\(text)\": expected I/N, e.g. 2/8 for the second of 8 shards")
        }
        try self.init(index: i, count: n)
    }

    public var description: String { "\(index)/\(count)" }

    /// The shard (1...count) a unit key belongs to.
    public static func of(unitKey: String, count: Int) -> Int {
        Int(UInt64(unitKey.prefix(16), radix: 16).map { $0 % UInt64(count) } ?? 0) + 1
    }

    public func contains(unitKey: String) -> Bool { Shard.of(unitKey: unitKey, count: count) == index }
}

/// Which shards of its plan a run record holds, when not all: recorded by a sharded run,
/// united by merging shards (all N united make the unsharded record). Stored at the end of
/// the run's `info` text ("rollbook run; shards 1,3 of 4"); this type is its only reader
/// and writer.
public struct ShardSet: Sendable, Equatable, CustomStringConvertible {
    public let count: Int
    /// Sorted, each in 1...count.
    public let indices: [Int]

    public init(_ shard: Shard) { count = shard.count; indices = [shard.index] }

    init(count: Int, indices: [Int]) { self.count = count; self.indices = Array(Set(indices)).sorted() }

    /// Every shard: the record is the unsharded run's.
    public var isComplete: Bool { indices == Array(1...count) }

    /// Both sets' shards (nil when they split the plan a different number of ways).
    public func union(_ other: ShardSet) -> ShardSet? {
        other.count == count ? ShardSet(count: count, indices: indices + other.indices) : nil
    }

    public var description: String {
        indices.count == 1 ? "shard \(indices[0])/\(count)"
            : "shards \(indices.map(String.init).joined(separator: ",")) of \(count)"
    }

    static let marker = "; shards "

    /// The info text with the set appended (nothing when complete or nil).
    static func encode(info: String, _ shards: ShardSet?) -> String {
        guard let shards, !shards.isComplete else { return info }
        return info + marker + shards.indices.map(String.init).joined(separator: ",") + "/\(shards.count)"
    }

    /// Splits stored info text into what the run wrote and its shards (nil: the whole run).
    static func decode(info: String) -> (info: String, shards: ShardSet?) {
        guard let r = info.range(of: marker, options: .backwards) else { return (info, nil) }
        let spec = info[r.upperBound...].split(separator: "/")
        guard spec.count == 2, let n = Int(spec[1]), n >= 1 else { return (info, nil) }
        let indices = spec[0].split(separator: ",").compactMap { Int($0) }.filter { (1...n).contains($0) }
        guard !indices.isEmpty else { return (info, nil) }
        return (String(info[..<r.lowerBound]), ShardSet(count: n, indices: indices))
    }
}
