import ArgumentParser
import Foundation
import GGUF
import Inference

struct Tokenize: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Tokenize text with a model's tokenizer.")

    @OptionGroup var modelOptions: ModelOptions
    @Argument(help: "Text to tokenize.") var text: String
    @Flag(inversion: .prefixedNo, help: "Parse special-token texts such as <|im_start|>.") var special = true
    @Flag(name: .long, help: "Emit JSON {ids, pieces}.") var json = false
    @Flag(inversion: .prefixedNo, help: "Add the BOS token when the vocabulary asks for it (default).")
    var bos = true

    func run() throws {
        // The tokenizer alone: a vocab-only GGUF (no tensors) tokenizes as well as a model.
        let tok = try Model.tokenizer(file: GGUFFile(path: try ModelCatalog.resolve(modelOptions.model)))
        let ids = tok.encode(text, parseSpecial: special, addBOS: bos ? nil : false)
        let pieces = ids.map { tok.pieces[$0] }
        if json {
            struct Out: Encodable { var ids: [Int]; var pieces: [String]; var text: [String] }
            try writeJSON(Out(ids: ids, pieces: pieces, text: ids.map { tok.displayPiece($0) }))
        } else {
            for (i, id) in ids.enumerated() { print("\(id)\t\(pieces[i])") }
        }
    }
}
