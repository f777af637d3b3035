import Testing
import Tasks

/// Grader table: including the cases other graders get wrong.
@Suite struct GraderTests {
    struct Row: Sendable, CustomTestStringConvertible {
        var response: String; var gold: String; var correct: Bool; var rule: String; var cls: String? = nil
        var testDescription: String { "\(response.debugDescription) vs \(gold.debugDescription)" }
    }

    static let rows: [Row] = [
        Row(response: "The total is $29.00.", gold: "29", correct: true, rule: "last_value", cls: "29"),
        Row(response: "So the answer is \\[ \\boxed{42} \\]", gold: "42", correct: true, rule: "boxed", cls: "42"),
        Row(response: "Adding them: **73**", gold: "73", correct: true, rule: "last_value", cls: "73"),
        Row(response: "The rate is \\boxed{28\\%}", gold: "28", correct: true, rule: "boxed", cls: "28"),
        Row(response: "Hence x = \\dfrac{9}{7}", gold: "9/7", correct: true, rule: "last_value", cls: "9/7"),
        Row(response: "The point is \\boxed{(1,2)}", gold: "(1, 2)", correct: true, rule: "boxed", cls: "(1,2)"),
        Row(response: "The point is \\boxed{(2,1)}", gold: "(1, 2)", correct: false, rule: "boxed"),
        Row(response: "\\boxed{\\frac12}", gold: "0.5", correct: true, rule: "boxed", cls: "1/2"),
        Row(response: "First \\boxed{3}, then corrected: \\boxed{4}", gold: "4", correct: true, rule: "boxed", cls: "4"),
        Row(response: "She makes 9 * 2 = $18 every day.\n#### 18", gold: "#### 18", correct: true, rule: "hash", cls: "18"),
        Row(response: "The answer is 1,000 apples.", gold: "1000", correct: true, rule: "answer_is", cls: "1000"),
        Row(response: "The answer is 1000.0", gold: "1,000", correct: true, rule: "answer_is"),
        Row(response: "Answer: -3/4", gold: "\\frac{-3}{4}", correct: true, rule: "answer_is", cls: "-3/4"),
        Row(response: "\\boxed{0.75}", gold: "\\frac{3}{4}", correct: true, rule: "boxed"),
        Row(response: "\\boxed{\\text{18 dollars}}", gold: "18", correct: true, rule: "boxed"),
        Row(response: "\\boxed{2\\sqrt{2}}", gold: "\\sqrt{8}", correct: true, rule: "boxed"),
        Row(response: "\\boxed{\\pi/2}", gold: "\\frac{\\pi}{2}", correct: true, rule: "boxed"),
        Row(response: "\\boxed{[1, 3)}", gold: "[1,3)", correct: true, rule: "boxed"),
        Row(response: "\\boxed{[1, 3]}", gold: "[1,3)", correct: false, rule: "boxed"),
        Row(response: "\\boxed{\\{3, 1, 2\\}}", gold: "\\{1,2,3\\}", correct: true, rule: "boxed"),
        Row(response: "I think it is 5 or maybe 6", gold: "6", correct: true, rule: "last_value"),
        Row(response: "No idea.", gold: "6", correct: false, rule: "none", cls: "<no answer>"),
        Row(response: "\\boxed{-5}", gold: "5", correct: false, rule: "boxed"),
        Row(response: "\\boxed{x = 12}", gold: "12", correct: true, rule: "boxed"),
        Row(response: "It costs 5 dollars per hour, so 8 hours cost 40 dollars.", gold: "40", correct: true, rule: "last_value"),
        Row(response: "\\boxed{2^{10}}", gold: "1024", correct: true, rule: "boxed"),
        Row(response: "\\boxed{10\\%}", gold: "0.1", correct: false, rule: "boxed"),
    ]

    @Test(arguments: rows)
    func table(_ r: Row) {
        let v = Grader().grade(response: r.response, gold: r.gold)
        #expect(v.correct == r.correct, "extracted \(v.extracted ?? "nil") class \(v.answerClass): \(v.reason ?? "")")
        #expect(v.rule == r.rule)
        if let c = r.cls { #expect(v.answerClass == c) }
        if v.rule == "none" { #expect(v.reason != nil && v.extracted == nil) }
    }

    @Test func classesAgreeAcrossSpellings() {
        let spellings = ["\\boxed{1/2}", "The answer is 0.5", "\\boxed{\\dfrac{1}{2}}", "#### .5", "\\boxed{\\frac{2}{4}}"]
        #expect(Set(spellings.map(Grader.answerClass)).count == 1)
    }
}
