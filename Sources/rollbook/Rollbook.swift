import ArgumentParser
import Foundation
import Store

@main
struct Rollbook: ParsableCommand {
    static let version = RollbookVersion.number
    static let configuration = CommandConfiguration(
        commandName: "rollbook",
        abstract: "Notebook-style batch analytics for inference-time scaling research.",
        version: version,
        subcommands: [Inspect.self, Tokenize.self, Logits.self, Generate.self, Grade.self, Probe.self, Bench.self,
                      Run.self, Analyze.self, Export.self, Regrade.self, BundleCommand.self, Import.self, Merge.self,
                      Render.self, BenchAnalysis.self])
}

/// `--model` as a reusable option group.
struct ModelOptions: ParsableArguments {
    @Option(name: .long, help: "A .gguf path, or the alias 'smollm2-135m-instruct'.")
    var model: String = "smollm2-135m-instruct"
}

/// Prompt options shared by generate and logits.
struct PromptOptions: ParsableArguments {
    @Option(name: .long, help: "Prompt text; special tokens such as <|im_start|> are parsed.")
    var prompt: String

    @Flag(name: .long, help: "Wrap the prompt as a user message in the model's chat template.")
    var chat = false
}

func writeJSON<T: Encodable>(_ value: T) throws {
    let enc = JSONEncoder()
    enc.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    var data = try enc.encode(value)
    data.append(0x0A)
    FileHandle.standardOutput.write(data)
}

func peakRSSBytes() -> Int {
    var u = rusage()
    getrusage(RUSAGE_SELF.rawValue, &u)
    return Int(u.ru_maxrss) * 1024
}

/// A problem with the user's input found while running (printed as one line, no usage).
struct InputError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}
