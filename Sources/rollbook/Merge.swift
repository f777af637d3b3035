import ArgumentParser
import Foundation
import Store

struct Merge: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Unite stores (the shards of a run, bundles, other stores) into one, matching rows by key.")

    @Argument(help: "Stores or .rollbook bundles to merge.") var stores: [String]
    @Option(name: .long, help: "The store to merge into (created when absent).") var into: String

    func validate() throws {
        if stores.isEmpty { throw ValidationError("give at least one store to merge") }
    }

    func run() throws {
        try MergeReport.run(stores, into: into)
    }
}

/// `rollbook merge` and `rollbook import FILE.rollbook`: one merge (`RolloutStore.merge`),
/// one report. A line per input on stdout; on stderr the rows that conflict (kept as
/// stored) and the runs left as they were, and then exit status 2: everything else is merged
/// and committed, but the stores did not agree.
enum MergeReport {
    static let shownConflicts = 20

    static func run(_ inputs: [String], into target: String) throws {
        let summaries = try RolloutStore.merge(inputs, into: target)
        var disagreements = 0
        for s in summaries {
            let runs = s.runs.isEmpty ? "none" : s.runs.joined(separator: ", ")
            print("\(s.file): \(s.added) rollouts added, \(s.alreadyPresent) already present; runs \(runs)")
            for r in s.skippedRuns { warn("\(s.file): run \(r); not merged") }
            for c in s.conflicts.prefix(shownConflicts) { warn("\(c)") }
            if s.conflicts.count > shownConflicts {
                warn("\(s.file): \(s.conflicts.count - shownConflicts) more rows differ (kept as stored)")
            }
            disagreements += s.conflicts.count + s.skippedRuns.count
        }
        if disagreements > 0 {
            warn("\(target): merged, except \(disagreements) rows and runs that differ from what it holds (above)")
            throw ExitCode(2)
        }
    }

    static func warn(_ line: String) { FileHandle.standardError.write(Data((line + "\n").utf8)) }
}
