import ArgumentParser
import Foundation
import Notebooks
import Reports
import Runner

struct Render: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Render a notebook: generate what the store lacks, analyse, write HTML, PDF, figures and CSV.")

    @Argument(help: "A Markdown notebook (e.g. notebooks/quickstart.md), or a .rollbook bundle (rendered offline).")
    var notebook: String
    @Option(name: .long, help: "Output folder (default reports/<name>).") var out: String?
    @Option(name: .long, help: "The SQLite rollout store (default: the notebook's, else data/rollbook.sqlite).")
    var store: String?
    @Flag(name: .long, help: "No progress output.") var quiet = false
    @Flag(name: .long, help: "Point the notebook's run name at its plan even if another file recorded it.")
    var replace = false
    @Flag(name: .long, help: "Never load a model or generate: render from the store alone (opened read-only).")
    var offline = false

    func run() throws {
        let progress = RunProgress.automatic(quiet: quiet, label: "render")
        let s = notebook.hasSuffix(".rollbook")
            ? try Bundler.render(notebook, outDir: out, progress: progress)
            : try NotebookExecutor.render(notebookPath: notebook, outDir: out, storePath: store, progress: progress,
                                          replace: replace, offline: offline)
        if !quiet {
            print(String(format: "%@/index.html and report.pdf: %d figures, %d tables; "
                             + "%d rollouts (%d cached, %d generated) in %.1fs; "
                             + "analysis %.2fs, rendering %.2fs; total %.1fs",
                         s.outDir, s.figures, s.tables, s.run.planned, s.run.cached, s.run.generated, s.run.seconds,
                         s.secondsAnalysis, s.secondsRender, s.secondsTotal))
        }
    }
}
