/// Chat formatting as llama.cpp's `llama_chat_apply_template` does it for the families models
/// ship: ChatML (SmolLM2, Qwen2; with a template's built-in default system prompt, which
/// SmolLM2 inserts when the conversation has none), Llama 3, Phi-3, Gemma and Mistral v7.
public struct ChatTemplate: Sendable, Equatable {
    public struct Message: Sendable, Equatable {
        public var role: String
        public var content: String
        public init(role: String, content: String) { self.role = role; self.content = content }
    }

    /// The families llama.cpp's `llama_chat_apply_template` formats, recognised from the
    /// model's Jinja `tokenizer.chat_template` by the markers each uses.
    public enum Format: String, Sendable, Equatable, CaseIterable {
        case chatml, llama3, phi3, gemma, mistralV7 = "mistral-v7"
    }

    public var format: Format
    /// ChatML: the system prompt a template inserts when a conversation has none (SmolLM2,
    /// Qwen2), as the model's own Jinja template does.
    public var defaultSystemPrompt: String?

    public init(format: Format = .chatml, defaultSystemPrompt: String? = nil) {
        self.format = format
        self.defaultSystemPrompt = defaultSystemPrompt
    }

    /// The template of a model's Jinja `tokenizer.chat_template`, or nil for a family Rollbook
    /// does not format (the prompt is then used raw).
    public init?(jinja: String) {
        func has(_ s: String) -> Bool { jinja.contains(s) }
        if has("<|im_start|>") {
            format = .chatml
            // SmolLM2 inserts `<|im_start|>system\n...<|im_end|>` when the conversation has no
            // system message; a literal (no Jinja expression inside) is that default prompt.
            if let r = jinja.firstRange(of: "<|im_start|>system\n"),
               let e = jinja[r.upperBound...].firstRange(of: "<|im_end|>") {
                let s = String(jinja[r.upperBound..<e.lowerBound])
                defaultSystemPrompt = s.contains("{") || s.contains("'") ? nil : s
            } else {
                defaultSystemPrompt = nil
            }
            return
        }
        defaultSystemPrompt = nil
        if has("[SYSTEM_PROMPT]") { format = .mistralV7 }
        else if has("<|start_header_id|>") && has("<|end_header_id|>") { format = .llama3 }
        else if has("<|assistant|>") && has("<|end|>") { format = .phi3 }
        else if has("<start_of_turn>") { format = .gemma }
        else { return nil }
    }

    /// Leading and trailing whitespace removed (llama.cpp's `trim`).
    static func trim(_ s: String) -> String {
        let ws: (Character) -> Bool = { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" || $0 == "\u{0B}" || $0 == "\u{0C}" }
        var sub = Substring(s)
        while let f = sub.first, ws(f) { sub = sub.dropFirst() }
        while let l = sub.last, ws(l) { sub = sub.dropLast() }
        return String(sub)
    }

    public func render(_ messages: [Message], addGenerationPrompt: Bool = true) -> String {
        var s = ""
        switch format {
        case .chatml:
            if let sys = defaultSystemPrompt, messages.first?.role != "system" {
                s += "<|im_start|>system\n\(sys)<|im_end|>\n"
            }
            for m in messages { s += "<|im_start|>\(m.role)\n\(m.content)<|im_end|>\n" }
            if addGenerationPrompt { s += "<|im_start|>assistant\n" }
        case .llama3:
            for m in messages { s += "<|start_header_id|>\(m.role)<|end_header_id|>\n\n\(Self.trim(m.content))<|eot_id|>" }
            if addGenerationPrompt { s += "<|start_header_id|>assistant<|end_header_id|>\n\n" }
        case .phi3:
            for m in messages { s += "<|\(m.role)|>\n\(m.content)<|end|>\n" }
            if addGenerationPrompt { s += "<|assistant|>\n" }
        case .gemma:
            // No system turn: the system text opens the next user turn.
            var system = ""
            for m in messages {
                if m.role == "system" { system += Self.trim(m.content); continue }
                let role = m.role == "assistant" ? "model" : m.role
                s += "<start_of_turn>\(role)\n"
                if !system.isEmpty && role != "model" { s += system + "\n\n"; system = "" }
                s += Self.trim(m.content) + "<end_of_turn>\n"
            }
            if addGenerationPrompt { s += "<start_of_turn>model\n" }
        case .mistralV7:
            for m in messages {
                switch m.role {
                case "system": s += "[SYSTEM_PROMPT] \(m.content)[/SYSTEM_PROMPT]"
                case "user": s += "[INST] \(m.content)[/INST]"
                default: s += " \(m.content)</s>"
                }
            }
        }
        return s
    }

    public func render(user: String) -> String { render([Message(role: "user", content: user)]) }
}
