import Seeds

/// Deterministic generated arithmetic suites in difficulty tiers, for calibrating sampling
/// budgets on small models: tier 1 single-digit addition, 2 teen plus/minus a digit,
/// 3 two-digit times one-digit, 4 two-step and 5 three-step word problems.
public enum BuiltinSuite {
    public static let tiers = 1...5

    /// `count` problems cycling through `tiers`, from `seed`.
    public static func arithmetic(count: Int, seed: UInt64, tiers: ClosedRange<Int> = 1...5) -> [Problem] {
        var rng = Rng(seed)
        let ts = Array(tiers)
        return (0..<count).map { i in
            let tier = ts[i % ts.count]
            let (q, a) = make(tier: tier, &rng)
            return Problem(id: "arith-\(seed)-\(i)", question: q, gold: "\(a)", tier: tier)
        }
    }

    static let names = ["Tom", "Ana", "Li", "Sam", "Maya", "Omar", "Zoe", "Ivan"]
    static let things = ["apples", "marbles", "books", "stickers", "coins", "pencils", "cards", "shells"]

    static func make(tier: Int, _ r: inout Rng) -> (String, Int) {
        switch tier {
        case 1:
            let a = r.int(1...9), b = r.int(1...9)
            return ("What is \(a) + \(b)?", a + b)
        case 2:
            let a = r.int(10...20), b = r.int(1...9)
            if r.int(0...1) == 0 { return ("What is \(a) + \(b)?", a + b) }
            return ("What is \(a) - \(b)?", a - b)
        case 3:
            let a = r.int(11...49), b = r.int(3...9)
            return ("What is \(a) * \(b)?", a * b)
        case 4:
            let n = names[r.int(0...names.count - 1)], t = things[r.int(0...things.count - 1)]
            let a = r.int(10...40), b = r.int(2...15), c = r.int(1...9)
            return ("\(n) has \(a) \(t). \(n) buys \(b) more and then gives away \(c). "
                        + "How many \(t) does \(n) have now?", a + b - c)
        default:
            let n = names[r.int(0...names.count - 1)], t = things[r.int(0...things.count - 1)]
            let boxes = r.int(3...8), per = r.int(4...12), used = r.int(2...9), friends = r.int(2...4)
            let total = boxes * per - used
            let each = total / friends, rest = total - each * friends
            return ("\(n) buys \(boxes) boxes of \(t) with \(per) in each box and uses \(used) of them. "
                    + "\(n) then shares the rest equally among \(friends) friends, keeping the \(rest) left over. "
                    + "How many \(t) does each friend get?", each)
        }
    }

    /// Draws from the shared SplitMix64.
    struct Rng {
        var g: SplitMix64
        init(_ seed: UInt64) { g = SplitMix64(seed: seed ^ 0xA5A5_5A5A_1234_4321) }
        mutating func int(_ r: ClosedRange<Int>) -> Int { r.lowerBound + Int(g.next() % UInt64(r.count)) }
    }
}
