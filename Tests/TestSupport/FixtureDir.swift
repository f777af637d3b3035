import Foundation

/// The fixture folder of a test target (Tests/<target>/Fixtures), found from this file's
/// place in the repository.
public struct FixtureDir: Sendable {
    public let target: String
    public init(target: String) { self.target = target }

    public static let repoRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    public func url(_ name: String) -> URL {
        FixtureDir.repoRoot.appendingPathComponent("Tests/\(target)/Fixtures/\(name)")
    }
    public func path(_ name: String) -> String { url(name).path }
    public func json(_ name: String) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(contentsOf: url(name))) as! [String: Any]
    }
}
