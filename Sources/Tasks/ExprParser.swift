import Foundation

/// Tokens of LaTeX or plain maths.
enum Token: Equatable, Sendable {
    case num(String)     // digits, optional fraction, optional exponent (1.5e3)
    case word(String)    // a run of ASCII letters
    case cmd(String)     // \name or \<symbol>
    case op(Character)   // + - * / ^ _ ( ) [ ] { } , = < > ! | & and the like
}

enum Lexer {
    /// One left-to-right pass; unknown characters become `.op`.
    static func tokens(_ s: String) -> [Token] {
        let c = Array(s.unicodeScalars)
        var out = [Token](), i = 0
        func isDigit(_ u: Unicode.Scalar) -> Bool { u.value >= 48 && u.value <= 57 }
        func isLetter(_ u: Unicode.Scalar) -> Bool { (u.value | 0x20) >= 97 && (u.value | 0x20) <= 122 }
        while i < c.count {
            let u = c[i]
            if u == " " || u == "\t" || u == "\n" || u == "\r" || u == "~" { i += 1; continue }
            if isDigit(u) || (u == "." && i + 1 < c.count && isDigit(c[i + 1])) {
                var j = i
                while j < c.count && isDigit(c[j]) { j += 1 }
                if j < c.count && c[j] == "." && j + 1 < c.count && isDigit(c[j + 1]) {
                    j += 1; while j < c.count && isDigit(c[j]) { j += 1 }
                } else if j < c.count && c[j] == "." && (j + 1 == c.count || !isLetter(c[j + 1])) {
                    j += 1 // "5." is 5
                }
                // Scientific notation: 1.5e3, 2E-4 (an exponent needs digits).
                if j < c.count && (c[j] == "e" || c[j] == "E") {
                    var k = j + 1
                    if k < c.count && (c[k] == "+" || c[k] == "-") { k += 1 }
                    if k < c.count && isDigit(c[k]) {
                        while k < c.count && isDigit(c[k]) { k += 1 }
                        if k == c.count || !isLetter(c[k]) { j = k }
                    }
                }
                var t = String(String.UnicodeScalarView(c[i..<j]))
                if t.hasSuffix(".") { t.removeLast() }
                out.append(.num(t)); i = j; continue
            }
            if isLetter(u) {
                var j = i
                while j < c.count && isLetter(c[j]) { j += 1 }
                out.append(.word(String(String.UnicodeScalarView(c[i..<j])))); i = j; continue
            }
            if u == "\\" {
                var j = i + 1
                while j < c.count && isLetter(c[j]) { j += 1 }
                if j == i + 1 && j < c.count { j += 1 }
                let name = String(String.UnicodeScalarView(c[(i + 1)..<j]))
                out.append(.cmd(name)); i = j
                // \frac12, \sqrt2: bare digit arguments are one digit each.
                let bare = ["frac": 2, "dfrac": 2, "tfrac": 2, "binom": 2, "sqrt": 1][name] ?? 0
                var k = i
                while k < c.count && c[k] == " " { k += 1 }
                if bare > 0, k < c.count, isDigit(c[k]) {
                    var n = 0
                    while n < bare, k < c.count, isDigit(c[k]) { out.append(.num(String(c[k]))); k += 1; n += 1 }
                    i = k
                }
                continue
            }
            switch u {
            case "−", "–", "—": out.append(.op("-"))
            case "×", "·", "⋅", "∗": out.append(.op("*"))
            case "÷": out.append(.op("/"))
            case "π": out.append(.cmd("pi"))
            case "√": out.append(.cmd("sqrt"))
            case "∞": out.append(.cmd("infty"))
            case "≤": out.append(.cmd("le"))
            case "≥": out.append(.cmd("ge"))
            case "≠": out.append(.cmd("ne"))
            case "∪": out.append(.cmd("cup"))
            case "∩": out.append(.cmd("cap"))
            case "±": out.append(.cmd("pm"))
            case "°": out.append(.cmd("circ"))
            default: out.append(.op(Character(u)))
            }
            i += 1
        }
        return out
    }
}

/// Recursive-descent parser with a hard depth cap and node budget. Failure (nil) means
/// "not an expression"; the caller then compares the answer as text.
struct ExprParser {
    static let maxDepth = 64
    static let maxNodes = 4000

    let t: [Token]
    var i = 0
    var depth = 0
    var nodes = 0
    var failed = false

    /// For each opening bracket, its closing index and whether a comma sits directly inside
    /// (one pass, so deciding "f(1, 2)" never rescans).
    var close: [Int]
    var comma: [Bool]

    init(_ tokens: [Token]) {
        t = tokens
        close = Array(repeating: -1, count: tokens.count)
        comma = Array(repeating: false, count: tokens.count)
        var stack = [Int]()
        for (k, tok) in tokens.enumerated() {
            guard case .op(let c) = tok else { continue }
            if c == "(" || c == "[" || c == "{" { stack.append(k) }
            else if c == ")" || c == "]" || c == "}" { if let o = stack.popLast() { close[o] = k } }
            else if c == ",", let o = stack.last { comma[o] = true }
        }
    }

    static func parse(_ tokens: [Token]) -> Expr? {
        guard !tokens.isEmpty, tokens.count <= maxNodes else { return nil }
        var p = ExprParser(tokens)
        guard let e = p.sum(), !p.failed, p.i == tokens.count else { return nil }
        return e
    }

    static let functions: Set<String> = [
        "sin", "cos", "tan", "cot", "sec", "csc", "ln", "log", "exp", "gcd", "lcm",
        "max", "min", "arcsin", "arccos", "arctan", "abs",
    ]
    static let greek: Set<String> = [
        "alpha", "beta", "gamma", "delta", "theta", "phi", "varphi", "lambda", "mu", "sigma", "omega",
        "rho", "tau", "epsilon", "varepsilon", "eta", "kappa", "xi", "psi", "zeta", "nu", "chi",
    ]

    var peek: Token? { i < t.count ? t[i] : nil }
    mutating func isOp(_ c: Character) -> Bool { if case .op(c) = peek { return true }; return false }
    mutating func eat(_ c: Character) -> Bool { if isOp(c) { i += 1; return true }; return false }
    mutating func eatCmd(_ n: String) -> Bool { if case .cmd(n) = peek { i += 1; return true }; return false }

    mutating func enter() -> Bool {
        depth += 1; nodes += 1
        if depth > ExprParser.maxDepth || nodes > ExprParser.maxNodes { failed = true }
        return !failed
    }

    mutating func sum() -> Expr? {
        guard enter() else { return nil }
        defer { depth -= 1 }
        guard let first = product() else { return nil }
        var terms = [first]
        while !failed {
            if eat("+") { guard let r = product() else { return nil }; terms.append(r) }
            else if eat("-") { guard let r = product() else { return nil }; terms.append(.neg(r)) }
            else { break }
        }
        return terms.count == 1 ? first : .add(terms)
    }

    mutating func product() -> Expr? {
        nodes += 1
        guard nodes <= ExprParser.maxNodes, !failed else { failed = true; return nil }
        guard var acc = unary() else { return nil }
        var factors = [Expr]()
        while !failed {
            if eat("*") || eatCmd("cdot") || eatCmd("times") || eatCmd("ast") {
                guard let r = unary() else { return nil }; factors.append(acc); acc = r
            } else if eat("/") || eatCmd("div") {
                guard let r = unary() else { return nil }
                acc = .div(factors.isEmpty ? acc : .mul(factors + [acc]), r); factors = []
            } else if startsAtom() {
                guard let r = power() else { return nil }; factors.append(acc); acc = r
            } else { break }
            nodes += 1
        }
        return factors.isEmpty ? acc : .mul(factors + [acc])
    }

    func startsAtom() -> Bool {
        switch peek {
        case .num, .word: return true
        case .op(let c): return c == "(" || c == "{" || c == "|"  && false
        case .cmd(let n):
            return [
                "frac", "dfrac", "tfrac", "sqrt", "pi", "binom", "dbinom", "mathrm", "text", "operatorname",
                "e", "infty",
            ].contains(n)
                || ExprParser.functions.contains(n) || ExprParser.greek.contains(n)
        case nil: return false
        }
    }

    mutating func unary() -> Expr? {
        guard enter() else { return nil }
        defer { depth -= 1 }
        if eat("-") { return unary().map { .neg($0) } }
        if eat("+") { return unary() }
        return power()
    }

    mutating func power() -> Expr? {
        nodes += 1
        guard nodes <= ExprParser.maxNodes, !failed else { failed = true; return nil }
        guard var b = postfix() else { return nil }
        if eat("^") {
            guard let e = exponent() else { return nil }
            b = .pow(b, e)
            while eat("!") { b = .fn("factorial", [b]) }
        }
        return b
    }

    /// The exponent of ^: a braced group, or one signed atom (2^-1, x^2, e^{i\pi}).
    mutating func exponent() -> Expr? {
        guard enter() else { return nil }
        defer { depth -= 1 }
        if eat("-") { return exponent().map { .neg($0) } }
        return postfix()
    }

    mutating func postfix() -> Expr? {
        guard var a = atom() else { return nil }
        while eat("!") { a = .fn("factorial", [a]) }
        // Subscripted variables: x_1, a_{n}.
        if case .sym(let s) = a, isOp("_") {
            i += 1
            guard let sub = groupOrToken() else { return nil }
            a = .sym(s + "_" + sub.text)
        }
        return a
    }

    /// A braced group, or a single token (for \frac12, x_1, \sqrt2).
    mutating func groupOrToken() -> Expr? {
        if isOp("{") { return group("{", "}") }
        guard enter() else { return nil }
        defer { depth -= 1 }
        switch peek {
        case .num(let s):
            i += 1
            return Rational(decimal: s).map { .num($0) }
        case .word(let w):
            i += 1
            return w.count == 1 ? symbol(w) : .sym(w)
        case .cmd: return atom()
        default: return nil
        }
    }

    mutating func group(_ open: Character, _ close: Character) -> Expr? {
        guard eat(open) else { return nil }
        guard let v = sum(), eat(close) else { failed = true; return nil }
        return v
    }

    func symbol(_ s: String) -> Expr {
        switch s {
        case "e": return .e
        case "i": return .i
        default: return .sym(s)
        }
    }

    mutating func arguments() -> [Expr]? {
        // (a, b, ...) after a function name.
        guard eat("(") || eatCmd("left") && eat("(") else { return nil }
        var args = [Expr]()
        repeat { guard let a = sum() else { return nil }; args.append(a) } while eat(",")
        _ = eatCmd("right")
        guard eat(")") else { failed = true; return nil }
        return args
    }

    mutating func function(_ name: String) -> Expr? {
        guard enter() else { return nil }
        defer { depth -= 1 }
        var base: Expr? = nil
        var pow: Expr? = nil
        if name == "log" && eat("_") { guard let b = groupOrToken() else { return nil }; base = b }
        if eat("^") { guard let p = exponent() else { return nil }; pow = p }
        var args: [Expr]
        if isOp("(") { guard let a = arguments() else { return nil }; args = a }
        else if isOp("{") { guard let g = group("{", "}") else { return nil }; args = [g] }
        else { guard let a = power() else { return nil }; args = [a] }
        if let base { args = [base] + args }
        var f = Expr.fn(name, args)
        if let pow { f = .pow(f, pow) }
        return f
    }

    mutating func atom() -> Expr? {
        nodes += 1
        guard nodes <= ExprParser.maxNodes, !failed else { failed = true; return nil }
        guard let tok = peek else { return nil }
        switch tok {
        case .num(let s):
            i += 1
            return Rational(decimal: s).map { .num($0) }
        case .word(let w):
            i += 1
            return wordAtom(w)
        case .cmd(let n):
            i += 1
            return commandAtom(n)
        case .op(let c):
            return opAtom(c)
        }
    }

    /// A word token (already consumed): a constant, a function, f(a, b), or one or two variables.
    mutating func wordAtom(_ w: String) -> Expr? {
        if w == "pi" { return .pi }
        if w == "inf" || w == "infty" || w == "infinity" { return .infinity }
        if w == "sqrt" { return function("sqrt") }
        if ExprParser.functions.contains(w) { return function(w) }
        // A single letter followed by (a, b): an applied function f(1, 2).
        if w.count == 1, isOp("("), close[i] >= 0, comma[i] {
            guard let a = arguments() else { return nil }
            return .fn("f:" + w, a)
        }
        // Short letter runs are products of variables (ab, xy); longer words are not maths.
        guard w.count <= 2 else { failed = true; return nil }
        if w.count == 2 { return .mul([symbol(String(w.prefix(1))), symbol(String(w.suffix(1)))]) }
        return symbol(w)
    }

    /// A command token (already consumed): \frac, \binom, \sqrt, constants, \mathrm{...}, \left, functions, Greek.
    mutating func commandAtom(_ n: String) -> Expr? {
        switch n {
        case "frac", "dfrac", "tfrac", "cfrac":
            guard let a = groupOrToken(), let b = groupOrToken() else { failed = true; return nil }
            return .div(a, b)
        case "binom", "dbinom", "tbinom":
            guard let a = groupOrToken(), let b = groupOrToken() else { failed = true; return nil }
            return .fn("binom", [a, b])
        case "sqrt":
            if eat("[") {
                guard let k = sum(), eat("]"), let x = groupOrToken() else { failed = true; return nil }
                return .fn("root", [k, x])
            }
            guard let x = groupOrToken() else { failed = true; return nil }
            return .fn("sqrt", [x])
        case "pi": return .pi
        case "infty", "infin": return .infinity
        case "e": return .e
        case "mathrm", "text", "operatorname", "mathbf", "textbf", "mathit":
            return namedAtom()
        case "left":
            if isOp("(") { return group("(", ")").flatMap { v in eatCmd("right") ? v : v } }
            if eatCmd("|") || eat("|") {
                guard let v = sum() else { return nil }
                _ = eatCmd("right"); guard eat("|") || eatCmd("|") else { failed = true; return nil }
                return .fn("abs", [v])
            }
            return atom()
        case "right": return nil
        default:
            if ExprParser.functions.contains(n) { return function(n) }
            if ExprParser.greek.contains(n) { return .sym("\\" + n) }
            failed = true; return nil
        }
    }

    /// The braced name after \mathrm, \text, \operatorname and the like.
    mutating func namedAtom() -> Expr? {
        // \mathrm{e}, \operatorname{lcm}(...)
        guard eat("{") else { return nil }
        var name = ""
        while case .word(let w) = peek { name += w; i += 1 }
        guard eat("}") else { failed = true; return nil }
        if name == "e" { return .e }
        if name == "i" { return .i }
        if ExprParser.functions.contains(name) { return function(name) }
        if name.count == 1 { return .sym(name) }
        failed = true; return nil
    }

    /// An operator token (not yet consumed): a parenthesised sum, a braced group, or |x|.
    mutating func opAtom(_ c: Character) -> Expr? {
        switch c {
        case "(":
            i += 1
            guard let v = sum() else { return nil }
            _ = eatCmd("right")
            guard eat(")") else { failed = true; return nil }
            return v
        case "{":
            return group("{", "}")
        case "|":
            i += 1
            guard let v = sum(), eat("|") else { failed = true; return nil }
            return .fn("abs", [v])
        default: return nil
        }
    }

}
