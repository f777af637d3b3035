import ArgumentParser
import Foundation
import Inference
import Sampling

struct Logits: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the top next-token logits after a prompt.")

    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var promptOptions: PromptOptions
    @Option(name: .long, help: "How many candidates.") var top = 10
    @Flag(name: .long, help: "Emit JSON {top: [{id, logit, logprob, piece}]}.") var json = false

    func validate() throws {
        guard top >= 1 else { throw ValidationError("--top must be >= 1 (got \(top))") }
    }

    func run() throws {
        let model = try Model(path: try ModelCatalog.resolve(modelOptions.model))
        let ids = try promptIDs(model, promptOptions)
        let tr = Transformer(model: model, contextLength: ids.count + 1)
        let logits = try tr.forward(ids, cache: tr.makeCache())
        let st = Sampler.stats(logits)
        let order = logits.indices.sorted { logits[$0] != logits[$1] ? logits[$0] > logits[$1] : $0 < $1 }.prefix(top)
        struct Entry: Encodable { var id: Int; var logit: Float; var logprob: Float; var piece: String }
        let entries = order.map {
            Entry(id: $0, logit: logits[$0], logprob: logits[$0] - st.lse, piece: model.tokenizer.displayPiece($0))
        }
        if json {
            struct Out: Encodable { var top: [Entry]; var prompt_ids: [Int]; var entropy: Float }
            try writeJSON(Out(top: entries, prompt_ids: ids, entropy: st.entropy))
        } else {
            for e in entries {
                print(String(format: "%6d  %9.4f  %9.4f  ", e.id, e.logit, e.logprob) + e.piece.debugDescription)
            }
        }
    }
}

/// Tokenizes the prompt as llama.cpp does (special tokens parsed), optionally chat-wrapped.
func promptIDs(_ model: Model, _ p: PromptOptions) throws -> [Int] {
    var text = p.prompt
    if p.chat {
        guard let tpl = model.chatTemplate else {
            throw InputError("\(model.path): the model has no ChatML chat template; drop --chat")
        }
        text = tpl.render(user: p.prompt)
    }
    let ids = model.tokenizer.encode(text, parseSpecial: true)
    guard !ids.isEmpty else { throw ValidationError("--prompt is empty") }
    return ids
}
