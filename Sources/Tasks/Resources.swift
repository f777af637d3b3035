import Foundation

/// Finds Rollbook's installation root (the directory holding `templates/`), so the tool
/// works from any working directory: $ROLLBOOK_HOME, then the working directory and its
/// parents, then the executable's directory and its parents (the binary lives in
/// `.build/release` inside the checkout).
public enum Resources {
    public static let root: String = {
        let fm = FileManager.default
        func has(_ d: URL) -> Bool { fm.fileExists(atPath: d.appendingPathComponent("templates/prompts").path) }
        if let h = ProcessInfo.processInfo.environment["ROLLBOOK_HOME"], !h.isEmpty, has(URL(fileURLWithPath: h)) {
            return h
        }
        var starts = [URL(fileURLWithPath: fm.currentDirectoryPath)]
        let exe = URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath()
        if let p = try? fm.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            starts.append(URL(fileURLWithPath: p).deletingLastPathComponent())
        }
        starts.append(exe.deletingLastPathComponent())
        for s in starts {
            var d = s.standardizedFileURL
            for _ in 0..<6 {
                if has(d) { return d.path }
                let up = d.deletingLastPathComponent()
                if up.path == d.path { break }
                d = up
            }
        }
        return fm.currentDirectoryPath
    }()

    public static var promptDirectory: String { root + "/templates/prompts" }
}
