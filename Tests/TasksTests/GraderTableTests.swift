import Foundation
import Testing
import Seeds
import Tasks

/// The committed case table (Fixtures/grader_cases.jsonl): labels by construction, each with a reason.
@Suite struct GraderTableTests {
    struct Case: Sendable, Decodable { var kind: String; var gold: String; var response: String; var expected: Bool; var reason: String }

    static func cases() throws -> [Case] {
        let text = try String(contentsOf: Fixture.url("grader_cases.jsonl"), encoding: .utf8)
        return try text.split(separator: "\n").map { try JSONDecoder().decode(Case.self, from: Data($0.utf8)) }
    }

    /// Every row must be graded as labelled; prints recognised-equivalent and accepted-wrong rates per kind.
    @Test func tableAccuracy() throws {
        let cs = try GraderTableTests.cases()
        #expect(cs.count >= 300)
        var byKind = [String: (eq: Int, eqOK: Int, ne: Int, neAcc: Int)]()
        var failures = [String]()
        let g = Grader()
        for c in cs {
            let v = g.grade(response: c.response, gold: c.gold)
            var k = byKind[c.kind] ?? (0, 0, 0, 0)
            if c.expected { k.eq += 1; if v.correct { k.eqOK += 1 } } else { k.ne += 1; if v.correct { k.neAcc += 1 } }
            byKind[c.kind] = k
            if v.correct != c.expected {
                failures.append("[\(c.kind)] \(c.response.debugDescription) vs \(c.gold.debugDescription) (\(c.reason)): got \(v.correct), \(v.rule), \(v.reason ?? "")")
            }
            #expect(v.reason != nil && !v.rule.isEmpty)
        }
        func pct(_ a: Int, _ b: Int) -> String { b == 0 ? "-" : String(format: "%.1f%%", 100 * Double(a) / Double(b)) }
        var te = 0, tok = 0, tn = 0, tacc = 0
        print("grader table: kind, equivalent recognised, wrong accepted")
        for (kind, k) in byKind.sorted(by: { $0.key < $1.key }) {
            print("  \(kind): \(k.eqOK)/\(k.eq) (\(pct(k.eqOK, k.eq))), \(k.neAcc)/\(k.ne) (\(pct(k.neAcc, k.ne)))")
            te += k.eq; tok += k.eqOK; tn += k.ne; tacc += k.neAcc
        }
        print("grader table: \(cs.count) cases; equivalent recognised \(tok)/\(te) (\(pct(tok, te))); wrong accepted \(tacc)/\(tn) (\(pct(tacc, tn)))")
        for f in failures { print("  MISS " + f) }
        #expect(failures.isEmpty, "\(failures.count) rows graded against their label")
    }

    @Test func reasonsAreReadable() {
        let v = Grader().grade(response: "\\boxed{[1,3]}", gold: "[1,3)")
        #expect(!v.correct && v.reason!.contains("open/closed"))
        let w = Grader().grade(response: "\\boxed{13_9}", gold: "13_8")
        #expect(!w.correct && w.reason!.contains("base"))
    }

    @Test func classesAreCanonical() {
        #expect(Set(["\\boxed{1/2}", "\\boxed{0.5}", "\\boxed{\\frac{1}{2}}", "\\boxed{\\dfrac{2}{4}}"].map(Grader.answerClass)).count == 1)
        #expect(Grader.answerClass("#### 18") == "18" && Grader.answerClass("\\boxed{18.0}") == "18")
        #expect(Grader.answerClass("\\boxed{1,000}") == "1000")
        #expect(Grader.answerClass("\\boxed{2\\sqrt2}") == Grader.answerClass("\\boxed{\\sqrt{8}}"))
        #expect(Grader.answerClass("\\boxed{-1, 8}") == Grader.answerClass("\\boxed{8,-1}"))
        #expect(Grader.answerClass("\\boxed{x+1}") == Grader.answerClass("\\boxed{1+x}"))
        #expect(Grader.answerClass("\\boxed{x+1}") != Grader.answerClass("\\boxed{x+2}"))
        #expect(Grader.answerClass("no idea") == Grader.noAnswer)
        #expect(Grader.version == "rollbook-grader/2")
    }
}

/// Inputs that crashed or hung grader v1, and fuzzing with a per-input time bound.
@Suite struct GraderRobustnessTests {
    static let crashers: [(String, String)] = [
        ("\\boxed{x \\in [5,14)}", "[5,14)"), ("\\boxed{x \\in (-\\infty, 3]}", "(-\\infty, 3]"), ("\\boxed{\\gcd(12,18)}", "6"),
        ("P(1,2)", "(1,2)"), ("\\boxed{3}", "f(1,2)"), ("\\boxed{(((((1,2)))))}", "[(1,2)]"), ("\\boxed{[(,)]}", "(,)"),
        ("\\boxed{,}", ","), ("\\boxed{(}", ")"), ("\\boxed{[1,2}", "{1,2]"), ("\\boxed{\\frac{}{}}", "\\sqrt[]{}"),
        ("\\boxed{x_}", "^"), ("\\boxed{=}", "<"), ("\\boxed{\\le}", "\\cup"), ("\\boxed{1 \\cup}", "x <"),
    ]

    /// Grades `response` against `gold` and returns the seconds it took.
    func timed(_ r: String, _ g: String) -> Double {
        let t0 = DispatchTime.now().uptimeNanoseconds
        let v = Grader().grade(response: r, gold: g)
        _ = Grader.answerClass(r)
        #expect(!v.rule.isEmpty)
        return Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
    }

    static let bound = 2.0   // seconds per input, generous for a slow shared 2-core machine

    @Test func formerCrashes() {
        for (r, g) in GraderRobustnessTests.crashers { #expect(timed(r, g) < GraderRobustnessTests.bound, "\(r) vs \(g)") }
        #expect(Grader().grade(response: "\\boxed{x \\in [5,14)}", gold: "[5,14)").correct)
        #expect(Grader().grade(response: "\\boxed{\\gcd(12,18)}", gold: "6").correct)
    }

    @Test func longInputs() {
        let cases: [(String, String)] = [
            (String(repeating: "\\boxed{", count: 100_000 / 7), "1"),
            ("\\boxed{" + String(repeating: "\\text{a}", count: 96_000 / 8) + "}", "a"),
            (String(repeating: "(", count: 50_000) + "1" + String(repeating: ")", count: 50_000), "1"),
            ("\\boxed{" + String(repeating: "{", count: 50_000) + "1" + String(repeating: "}", count: 50_000) + "}", "1"),
            (String(repeating: "1+", count: 200_000) + "1", "200001"),
            ("\\boxed{" + String(repeating: "9", count: 3000) + "}", String(repeating: "9", count: 3000)),
            (String(repeating: "the answer is ", count: 50_000), "1"),
            (String(repeating: "-", count: 100_000) + "1", "1"),
            (String(repeating: "2^", count: 30_000) + "2", "4"),
            (String(repeating: "x", count: 1_000_000), "x"),
            (String(repeating: "\\frac{1}{", count: 20_000) + "2" + String(repeating: "}", count: 20_000), "1"),
            (String(repeating: "#### 1\n", count: 50_000), "1"),
            (String(repeating: "\\sqrt{", count: 30_000) + "4" + String(repeating: "}", count: 30_000), "2"),
            ("\\boxed{" + String(repeating: "1,", count: 30_000) + "1}", "1"),
            ("\\boxed{" + String(repeating: "x<", count: 20_000) + "1}", "1"),
        ]
        for (r, g) in cases {
            #expect(timed(r, g) < GraderRobustnessTests.bound, "\(r.prefix(40))... (\(r.utf8.count) bytes)")
            #expect(timed(g, r) < GraderRobustnessTests.bound, "as gold: \(r.prefix(40))...")
        }
        // The deep boxed answer is still found through nesting.
        #expect(Grader().grade(response: "\\boxed{" + String(repeating: "{", count: 20) + "7" + String(repeating: "}", count: 20) + "}", gold: "7").correct)
    }

    @Test func invalidUTF8() {
        let bytes: [UInt8] = [0x5C, 0x62, 0x6F, 0x78, 0x65, 0x64, 0x7B, 0xFF, 0xC3, 0x28, 0x31, 0x7D, 0xE2, 0x88]
        let s = String(decoding: bytes, as: UTF8.self)
        #expect(timed(s, "1") < GraderRobustnessTests.bound)
        #expect(timed("1", s) < GraderRobustnessTests.bound)
    }

    static let alphabet: [String] = ["\\boxed{", "\\fbox{", "{", "}", "(", ")", "[", "]", "\\{", "\\}", ",", "=", "<", "\\le", "\\ge",
        "\\frac", "\\dfrac", "\\sqrt", "[3]", "^", "_", "-", "−", "+", "*", "/", "\\cdot", "\\pi", "e", "i", "x", "y", "f", "P",
        "\\text{", "\\mathrm{", "or", " and ", "1", "2", "0", "9", "12", "3.5", "1e3", "%", "\\%", "^\\circ", "$", "\\$", "####",
        "The answer is ", "answer:", " ", "\n", "\\cup", "\\infty", "\\in", "\\pm", "!", "|", "&", "\\\\", "\\begin{pmatrix}",
        "\\end{pmatrix}", "\\left(", "\\right)", "\\gcd", "\\log_", "\\sin", "\\binom", "13_8", "A", "(B)", "\u{0}", "é", "∞", "≤"]

    @Test func structuredFuzz() {
        var g = SplitMix64(seed: 20250101)
        var worst = 0.0
        for _ in 0..<1500 {
            let n = Int(g.next() % 40) + 1
            var r = "", gold = ""
            for _ in 0..<n { r += GraderRobustnessTests.alphabet[Int(g.next() % UInt64(GraderRobustnessTests.alphabet.count))] }
            for _ in 0..<(n / 3 + 1) { gold += GraderRobustnessTests.alphabet[Int(g.next() % UInt64(GraderRobustnessTests.alphabet.count))] }
            worst = max(worst, timed(r, gold), timed(gold, r))
        }
        #expect(worst < GraderRobustnessTests.bound)
        print("structured fuzz: 3000 gradings, slowest \(String(format: "%.3f", worst)) s")
    }

    @Test func randomBytesFuzz() {
        var g = SplitMix64(seed: 7)
        var worst = 0.0
        for k in 0..<400 {
            let n = k < 390 ? Int(g.next() % 300) : 1_000_000
            let bytes = (0..<n).map { _ in UInt8(truncatingIfNeeded: g.next() % (k % 2 == 0 ? 128 : 256)) }
            let s = String(decoding: bytes, as: UTF8.self)
            worst = max(worst, timed(s, "42"), timed("42", s))
        }
        #expect(worst < GraderRobustnessTests.bound)
        print("random-bytes fuzz: 800 gradings (up to 1 MB), slowest \(String(format: "%.3f", worst)) s")
    }

    @Test func deepNestingEveryBracket() {
        for (o, c) in [("(", ")"), ("[", "]"), ("{", "}"), ("\\{", "\\}"), ("\\sqrt{", "}"), ("|", "|"), ("\\left(", "\\right)")] {
            for depth in [10, 100, 5000] {
                let s = String(repeating: o, count: depth) + "1" + String(repeating: c, count: depth)
                #expect(timed("\\boxed{\(s)}", s) < GraderRobustnessTests.bound, "\(o) x \(depth)")
            }
        }
    }
}

/// Votes count answers, not spellings: every correct response takes the gold's class.
@Suite struct CorrectClassTests {
    @Test func correctResponsesShareTheGoldsClass() {
        let g = Grader()
        let a = g.grade(response: "The answer is 1.41421356237", gold: "\\sqrt{2}")
        let b = g.grade(response: "\\boxed{\\sqrt{2}}", gold: "\\sqrt{2}")
        let c = g.grade(response: "\\boxed{\\frac{2}{\\sqrt{2}}}", gold: "\\sqrt{2}")
        #expect(b.correct && c.correct)
        #expect(b.answerClass == c.answerClass)
        if a.correct { #expect(a.answerClass == b.answerClass) }
        let wrong = g.grade(response: "\\boxed{\\sqrt{3}}", gold: "\\sqrt{2}")
        #expect(!wrong.correct && wrong.answerClass != b.answerClass)
    }
}
