import Foundation
import GGUF

/// What identifies a model file without its weights: architecture, quantisation, size.
public struct ModelIdentity: Sendable {
    public var architecture: String
    /// The most common tensor type by bytes (e.g. "Q4_1"), which is what people call the quantisation.
    public var quantisation: String
    public var fileBytes: Int

    public static func read(path: String) throws -> ModelIdentity {
        let f = try GGUFFile(path: path)
        var bytes = [String: Int]()
        for t in f.tensors { bytes[t.type.name, default: 0] += t.byteCount }
        let quant = bytes.max { ($0.value, $1.key) < ($1.value, $0.key) }?.key ?? "?"
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue ?? 0
        return ModelIdentity(architecture: (try? f.string(Arch.architecture)) ?? "?", quantisation: quant,
                             fileBytes: size)
    }
}
