import Foundation

/// Run progress on stderr: a redrawn bar on a terminal (rollouts done/total, tokens/s,
/// cache hits, ETA), plain lines every 10 s otherwise, nothing when quiet.
public final class RunProgress: @unchecked Sendable {
    public enum Style { case bar, lines, quiet }
    let style: Style
    var total = 0, cached = 0, done = 0, tokens = 0
    var start = Date()
    var lastDraw = Date.distantPast
    let label: String

    public init(style: Style, label: String = "run") {
        self.style = style; self.label = label
    }

    /// `.bar` when stderr is a terminal, else `.lines`; `.quiet` when asked.
    public static func automatic(quiet: Bool, label: String = "run") -> RunProgress {
        RunProgress(style: quiet ? .quiet : (isatty(2) != 0 ? .bar : .lines), label: label)
    }

    func start(total: Int, cached: Int) {
        self.total = total; self.cached = cached; done = 0; tokens = 0; start = Date()
        draw(force: true)
    }

    func advance(rollouts: Int, tokens t: Int) {
        done += rollouts; tokens += t
        draw(force: false)
    }

    /// A line about the run (a server going down or up), above the bar; nothing when quiet.
    func note(_ text: String) {
        switch style {
        case .quiet: return
        case .bar: FileHandle.standardError.write("\r\(text)\u{1b}[K\n".data(using: .utf8)!)
        case .lines: FileHandle.standardError.write("\(text)\n".data(using: .utf8)!)
        }
        if style == .bar { draw(force: true) }
    }

    func finish() {
        draw(force: true)
        if style == .bar { FileHandle.standardError.write("\n".data(using: .utf8)!) }
    }

    var line: String {
        let elapsed = max(Date().timeIntervalSince(start), 1e-3)
        let rate = Double(tokens) / elapsed
        let todo = total - cached
        let eta = done > 0 ? elapsed / Double(done) * Double(max(0, todo - done)) : 0
        let finished = cached + done
        let pct = total > 0 ? 100 * finished / total : 100
        return String(format: "%@ %d/%d rollouts (%d%%), %d cached, %.0f tokens/s, ETA %@",
                      label, finished, total, pct, cached, rate, RunProgress.clock(eta))
    }

    static func clock(_ s: Double) -> String {
        let t = Int(s.rounded())
        return t >= 3600 ? String(format: "%dh%02dm", t / 3600, t / 60 % 60) : String(format: "%dm%02ds", t / 60,
                                                                                      t % 60)
    }

    func draw(force: Bool) {
        let now = Date()
        switch style {
        case .quiet: return
        case .bar:
            guard force || now.timeIntervalSince(lastDraw) > 0.2 else { return }
            let width = 24
            let frac = total > 0 ? Double(cached + done) / Double(total) : 1
            let filled = Int(frac * Double(width))
            let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
            FileHandle.standardError.write("\r[\(bar)] \(line)\u{1b}[K".data(using: .utf8)!)
        case .lines:
            guard force || now.timeIntervalSince(lastDraw) > 10 else { return }
            FileHandle.standardError.write("\(line)\n".data(using: .utf8)!)
        }
        lastDraw = now
    }
}
