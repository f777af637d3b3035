import Foundation
import Testing
import Tasks

@Suite struct TaskTests {
    @Test func gsm8kPreset() throws {
        let ps = try TaskLoader.load(path: Fixture.path("gsm8k_sample.jsonl"), mapping: .gsm8k)
        #expect(ps.map(\.gold) == ["5", "12"] && ps[0].id == "1" && ps[1].question.contains("pen"))
    }

    @Test func mathPresetReadsBoxedSolutionOrAnswerField() throws {
        let ps = try TaskLoader.load(path: Fixture.path("math_sample.jsonl"), mapping: .math)
        #expect(ps.map(\.gold) == ["\\frac{3}{4}", "8"] && ps.map(\.id) == ["a/1", "a/2"])
        #expect(Grader().grade(response: "so \\boxed{0.75}", gold: ps[0].gold).correct)
    }

    @Test func malformedLineIsNamed() {
        #expect(throws: TaskError.badLine(path: Fixture.path("malformed.jsonl"), line: 2,
                                          reason: "not valid JSON (each line must be one JSON object)")) {
            try TaskLoader.load(path: Fixture.path("malformed.jsonl"), mapping: .gsm8k)
        }
        #expect(throws: TaskError.missingField(path: Fixture.path("missing_field.jsonl"), line: 2, field: "question")) {
            try TaskLoader.load(path: Fixture.path("missing_field.jsonl"), mapping: .gsm8k)
        }
        #expect(throws: TaskError.cannotRead(path: "/nonexistent.jsonl")) { try TaskLoader.load(path: "/nonexistent.jsonl", mapping: .gsm8k) }
    }

    @Test func builtinSuiteIsDeterministicAndCorrect() throws {
        let a = try TaskSpec.load("builtin:arithmetic?count=50&seed=7")
        let b = try TaskSpec.load("builtin:arithmetic?count=50&seed=7")
        let c = try TaskSpec.load("builtin:arithmetic?count=50&seed=8")
        #expect(a == b && a != c && a.count == 50)
        #expect(Set(a.compactMap(\.tier)) == Set(1...5))
        // Tier 1-3 golds recomputed from the question text.
        for p in a where (p.tier ?? 0) <= 3 {
            let parts = p.question.dropFirst("What is ".count).dropLast().split(separator: " ")
            let x = Int(parts[0])!, y = Int(parts[2])!
            let v = parts[1] == "+" ? x + y : parts[1] == "-" ? x - y : x * y
            #expect(p.gold == "\(v)", "\(p.question)")
        }
        #expect(try TaskSpec.load("builtin:arithmetic?count=10&seed=1&tiers=4-5").allSatisfy { ($0.tier ?? 0) >= 4 })
    }

    @Test func badSpecsAreClear() {
        #expect { try TaskSpec.load("nonsense") } throws: { "\($0)".contains("expected builtin") }
        #expect { try TaskSpec.load("builtin:algebra") } throws: { "\($0)".contains("unknown built-in suite 'algebra'") }
        #expect { try TaskSpec.load("builtin:arithmetic?tiers=0-9") } throws: { "\($0)".contains("tiers") }
        #expect { try TaskSpec.load("jsonl:x.jsonl") } throws: { "\($0)".contains("question=FIELD") }
    }

    @Test func promptTemplatesRender() throws {
        let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("templates/prompts").path
        let p = Problem(id: "1", question: "What is 2 + 2?", gold: "4")
        for name in ["zero-shot", "cot-boxed", "few-shot"] {
            let t = try PromptTemplate.load(name: name, directory: dir)
            let s = t.render(p)
            #expect(s.contains("What is 2 + 2?") && !s.contains("{{") && !s.hasPrefix("#"), "\(name)")
        }
        #expect(throws: TaskError.unknownTemplate("nope")) { try PromptTemplate.load(name: "nope", directory: dir) }
    }

    // MARK: line endings, BOM and bad lines (file:line: what is wrong)

    @discardableResult static func withFile<T>(_ bytes: [UInt8], _ body: (String) throws -> T) throws -> T {
        let u = FileManager.default.temporaryDirectory
            .appendingPathComponent("rollbook-tasks-\(getpid())-\(UUID().uuidString.prefix(8)).jsonl")
        try Data(bytes).write(to: u)
        defer { try? FileManager.default.removeItem(at: u) }
        return try body(u.path)
    }

    static let lines = [
        #####"{"question": "Q1?", "answer": "so\n#### 5"}"#####,
        #####"{"question": "Q2?", "answer": "#### 12"}"#####,
    ]

    @Test func crlfAndBOMAreAccepted() throws {
        let lf = try Self.withFile(Array(Self.lines.joined(separator: "\n").utf8)) {
            try TaskLoader.load(path: $0, mapping: .gsm8k)
        }
        for variant in [Self.lines.joined(separator: "\r\n") + "\r\n",
                        "\u{FEFF}" + Self.lines.joined(separator: "\r\n"),
                        "\u{FEFF}" + Self.lines.joined(separator: "\n") + "\n\r\n\n"] {
            let ps = try Self.withFile(Array(variant.utf8)) { try TaskLoader.load(path: $0, mapping: .gsm8k) }
            #expect(ps == lf, "\(variant.debugDescription)")
        }
        #expect(lf.map(\.gold) == ["5", "12"] && lf.map(\.question) == ["Q1?", "Q2?"])
    }

    @Test func everyBadLineIsNamedWithFileAndLine() throws {
        let ok = Self.lines[0]
        let cases: [(String, String)] = [
            (#####"{"question": "x", "#####, "not valid JSON"),
            (#"[1, 2]"#, "not a JSON object (found an array)"),
            (#""just a string""#, "not a JSON object (found a string)"),
            (#####"{"question": ["x"], "answer": "#### 1"}"#####, "field 'question' should be a string (found an array)"),
            (#####"{"question": null, "answer": "#### 1"}"#####, "field 'question' should be a string (found null)"),
            (#####"{"question": "  ", "answer": "#### 1"}"#####, "field 'question' is empty"),
            (#####"{"question": "x", "answer": "no marker"}"#####, "no '#### <number>' line"),
            (#####"{"question": "x", "answer": "####  "}"#####, "'####' line is empty"),
            (#####"{"answer": "#### 1"}"#####, "missing field 'question'"),
        ]
        for (bad, want) in cases {
            // Line 3, after a CRLF line and a blank one: the number counts every line.
            let text = ok + "\r\n\r\n" + bad + "\r\n"
            try Self.withFile(Array(text.utf8)) { path in
                #expect(Comment(rawValue: bad)) { try TaskLoader.load(path: path, mapping: .gsm8k) } throws: { e in
                    "\(e)".hasPrefix(path + ":3: ") && "\(e)".contains(want)
                }
            }
        }
        // Invalid UTF-8 is named, not replaced silently.
        try Self.withFile(Array((ok + "\n").utf8) + [0x7B, 0xFF, 0xFE, 0x7D, 0x0A]) { path in
            #expect(throws: TaskError.badLine(path: path, line: 2, reason: "not valid UTF-8")) {
                try TaskLoader.load(path: path, mapping: .gsm8k)
            }
        }
        try Self.withFile(Array("\u{FEFF}\r\n  \n".utf8)) { path in
            #expect(throws: TaskError.empty(path: path)) { try TaskLoader.load(path: path, mapping: .gsm8k) }
        }
    }
}
