import Foundation

/// A prompt template from templates/prompts/NAME.txt; `{{question}}` is replaced by the
/// problem text. Lines starting with `#` at the top are comments.
public struct PromptTemplate: Sendable, Equatable {
    public let name: String
    public let text: String

    public init(name: String, text: String) {
        self.name = name
        self.text = text.split(separator: "\n", omittingEmptySubsequences: false)
            .drop { $0.hasPrefix("#") }.joined(separator: "\n")
    }

    public static func load(name: String, directory: String) throws -> PromptTemplate {
        let p = URL(fileURLWithPath: directory).appendingPathComponent(name + ".txt").path
        guard let d = FileManager.default.contents(atPath: p) else { throw TaskError.unknownTemplate(name) }
        return PromptTemplate(name: name, text: String(decoding: d, as: UTF8.self))
    }

    public func render(_ p: Problem) -> String {
        text.replacingOccurrences(of: "{{question}}", with: p.question)
            .trimmingCharacters(in: .newlines)
    }
}
