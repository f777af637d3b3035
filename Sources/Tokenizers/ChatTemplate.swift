/// Chat formatting. Rollbook renders ChatML (`<|im_start|>role\n...<|im_end|>\n`), which
/// SmolLM2 and Qwen2 use, and recognises a template's built-in default system prompt
/// (SmolLM2's inserts one when the conversation has none).
public struct ChatTemplate: Sendable, Equatable {
    public struct Message: Sendable, Equatable {
        public var role: String
        public var content: String
        public init(role: String, content: String) { self.role = role; self.content = content }
    }
    public var defaultSystemPrompt: String?

    public init(defaultSystemPrompt: String? = nil) { self.defaultSystemPrompt = defaultSystemPrompt }

    /// Builds the template from a model's Jinja `tokenizer.chat_template` if it is ChatML;
    /// nil for other formats.
    public init?(jinja: String) {
        guard jinja.contains("<|im_start|>") else { return nil }
        // SmolLM2 inserts `<|im_start|>system\n...<|im_end|>` when the conversation has no
        // system message; a literal (no Jinja expression inside) is that default prompt.
        if let r = jinja.firstRange(of: "<|im_start|>system\n"),
           let e = jinja[r.upperBound...].firstRange(of: "<|im_end|>") {
            let s = String(jinja[r.upperBound..<e.lowerBound])
            defaultSystemPrompt = s.contains("{") || s.contains("'") ? nil : s
        } else {
            defaultSystemPrompt = nil
        }
    }

    public func render(_ messages: [Message], addGenerationPrompt: Bool = true) -> String {
        var s = ""
        if let sys = defaultSystemPrompt, messages.first?.role != "system" {
            s += "<|im_start|>system\n\(sys)<|im_end|>\n"
        }
        for m in messages { s += "<|im_start|>\(m.role)\n\(m.content)<|im_end|>\n" }
        if addGenerationPrompt { s += "<|im_start|>assistant\n" }
        return s
    }

    public func render(user: String) -> String { render([Message(role: "user", content: user)]) }
}
