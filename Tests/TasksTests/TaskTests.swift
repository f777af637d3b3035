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
        #expect(throws: TaskError.badLine(path: Fixture.path("malformed.jsonl"), line: 2, reason: "not a JSON object")) {
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
}
