import Foundation
import Inference
import TestSupport

enum TestModels {
    static let repoRoot = FixtureDir.repoRoot
    static let defaultPath = repoRoot.appendingPathComponent("data/models/SmolLM2-135M-Instruct.Q4_1.gguf").path
    static let ggufFixtures = repoRoot.appendingPathComponent("Tests/GGUFTests/Fixtures")
    static func fixture(_ name: String) -> String { ggufFixtures.appendingPathComponent(name).path }

    /// The default model, loaded once (run `make model` first; `make test` does).
    nonisolated(unsafe) static let smollm: Model = {
        do { return try Model(path: defaultPath) } catch { fatalError("cannot load the default model: \(error) (run `make model`)") }
    }()
}
