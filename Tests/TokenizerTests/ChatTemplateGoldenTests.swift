import Foundation
import Testing
import Tokenizers

/// Chat templates against llama.cpp's `llama_chat_apply_template` (llama-cpp-python 0.3.36,
/// scripts/make_chat_fixtures.py): each family recognised from the template text a model ships
/// (Phi-3's and Qwen2's read from llama.cpp's own vocab files), three conversations, with and
/// without the generation prompt; the rendered text identical.
@Suite struct ChatTemplateGoldenTests {
    struct Case: Decodable {
        struct M: Decodable { var role: String; var content: String }
        var family: String
        var template: String
        var add_generation_prompt: Bool
        var messages: [M]
        var expected: String
    }
    struct File: Decodable { var cases: [Case] }

    @Test func everyFamilyMatchesLlamaCpp() throws {
        let cases = try JSONDecoder().decode(File.self, from: Data(contentsOf: Fixture.url("chat_goldens.json"))).cases
        #expect(cases.count == 30)
        #expect(Set(cases.map(\.family)) == Set(ChatTemplate.Format.allCases.map(\.rawValue)))
        for c in cases {
            let t = try #require(ChatTemplate(jinja: c.template), "\(c.family): template not recognised")
            #expect(t.format.rawValue == c.family)
            let got = t.render(c.messages.map { .init(role: $0.role, content: $0.content) },
                               addGenerationPrompt: c.add_generation_prompt)
            #expect(got == c.expected, "\(c.family): \(got.debugDescription) vs llama.cpp \(c.expected.debugDescription)")
        }
    }

    /// A template of another family is not guessed at: the prompt is used raw.
    @Test func unknownFamiliesAreNotGuessed() {
        #expect(ChatTemplate(jinja: "{{ bos_token }}{% for m in messages %}{{ m['content'] }}{% endfor %}") == nil)
    }
}
