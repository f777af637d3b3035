import ArgumentParser
import Foundation
import GGUF
import Inference

struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print a GGUF file's metadata and tensor table.")

    @Argument(help: "A .gguf path or a model alias.") var model: String
    @Flag(name: .long, help: "Emit JSON.") var json = false

    func run() throws {
        let f = try GGUFFile(path: try ModelCatalog.resolve(model))
        // Whether Rollbook can run it, and if not what the file asks for that it lacks
        // (architecture, tokenizer, tensor type, an unimplemented feature), in one sentence.
        var cannotRun: String? = nil
        if f.tensors.isEmpty {
            do {
                _ = try Model.tokenizer(file: f)
                cannotRun = "a vocabulary-only file (no tensors); `rollbook tokenize --model \(f.path)` reads it"
            } catch { cannotRun = "\(error)" }
        } else {
            do { _ = try Model(file: f) } catch { cannotRun = "\(error)" }
        }
        if json {
            struct T: Encodable { var name: String; var type: String; var dims: [Int]; var offset: Int; var bytes: Int }
            struct Out: Encodable {
                var path: String; var version: UInt32; var alignment: Int; var metadata: [String: String]
                var tensors: [T]; var runnable: Bool; var cannotRun: String?
                enum CodingKeys: String, CodingKey {
                    case path, version, alignment, metadata, tensors, runnable, cannotRun = "cannot_run"
                }
            }
            var md = [String: String]()
            for k in f.keys { md[k] = f.metadata[k]!.summary }
            try writeJSON(Out(path: f.path, version: f.version, alignment: f.alignment, metadata: md,
                              tensors: f.tensors.map {
                                  T(name: $0.name, type: $0.type.name, dims: $0.dims, offset: $0.offset,
                                    bytes: $0.byteCount)
                              }, runnable: cannotRun == nil, cannotRun: cannotRun))
            return
        }
        print("\(f.path): GGUF v\(f.version), \(f.metadata.count) metadata keys, "
              + "\(f.tensors.count) tensors, alignment \(f.alignment)")
        print(cannotRun.map { "Rollbook cannot run it: \($0)" } ?? "Rollbook runs it.")
        print("\nmetadata:")
        let w = f.keys.map(\.count).max() ?? 0
        for k in f.keys {
            print("  " + k.padding(toLength: w, withPad: " ", startingAt: 0) + "  " + f.metadata[k]!.summary)
        }
        print("\ntensors:")
        let nw = f.tensors.map(\.name.count).max() ?? 0
        var total = 0
        var byType = [String: Int]()
        for t in f.tensors {
            total += t.byteCount
            byType[t.type.name, default: 0] += 1
            let dims = t.dims.map(String.init).joined(separator: " x ")
            print("  " + t.name.padding(toLength: nw, withPad: " ", startingAt: 0) + "  "
                  + t.type.name.padding(toLength: 5, withPad: " ", startingAt: 0) + "  "
                  + dims.padding(toLength: 14, withPad: " ", startingAt: 0) + "  \(t.byteCount) bytes")
        }
        let types = byType.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ")
        print("\n\(f.tensors.count) tensors (\(types)), "
              + "\(String(format: "%.1f", Double(total) / 1_048_576)) MiB of tensor data")
    }
}
