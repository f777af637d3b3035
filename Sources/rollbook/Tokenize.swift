import ArgumentParser
import Foundation
import Inference

struct Tokenize: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Tokenize text with a model's tokenizer.")

    @OptionGroup var modelOptions: ModelOptions
    @Argument(help: "Text to tokenize.") var text: String
    @Flag(inversion: .prefixedNo, help: "Parse special-token texts such as <|im_start|>.") var special = true
    @Flag(name: .long, help: "Emit JSON {ids, pieces}.") var json = false

    func run() throws {
        let model = try Model(path: try ModelCatalog.resolve(modelOptions.model))
        let tok = model.tokenizer
        let ids = tok.encode(text, parseSpecial: special)
        let pieces = ids.map { tok.pieces[$0] }
        if json {
            struct Out: Encodable { var ids: [Int]; var pieces: [String]; var text: [String] }
            try writeJSON(Out(ids: ids, pieces: pieces, text: ids.map { tok.displayPiece($0) }))
        } else {
            for (i, id) in ids.enumerated() { print("\(id)\t\(pieces[i])") }
        }
    }
}
