import ArgumentParser
import Foundation
import Tasks

struct Grade: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Grade responses: JSONL {gold, response} lines on stdin, one JSON verdict per line out.",
        discussion: """
            Verdicts are written as each line is graded. A line that is not a JSON object with string \
            (or number) fields 'gold' and 'response' gets {"line": N, "error": "..."} in its place; \
            the other lines are still graded, and the exit status is non-zero at the end.
            """)

    @Option(name: .long, help: "Read this file instead of stdin.") var input: String?

    func run() throws {
        let name = input ?? "stdin"
        let handle: FileHandle
        if let input {
            guard let h = FileHandle(forReadingAtPath: input) else {
                throw InputError("\(input): cannot read the file")
            }
            handle = h
        } else {
            handle = FileHandle.standardInput
        }
        let grader = Grader()
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var errors = [String]()
        var lineNo = 0
        var pending = Data()
        let out = FileHandle.standardOutput

        func emit(_ d: Data) { var d = d; d.append(0x0A); out.write(d) }

        func handleLine(_ raw: Data) {
            lineNo += 1
            var bytes = raw
            if bytes.last == 0x0D { bytes.removeLast() }
            let text = String(decoding: bytes, as: UTF8.self)
            if text.trimmingCharacters(in: .whitespaces).isEmpty { return }
            switch verdict(text, grader: grader) {
            case .success(let v):
                emit((try? enc.encode(v)) ?? Data(#"{"error":"could not encode the verdict","line":\#(lineNo)}"#.utf8))
            case .failure(let e):
                errors.append("\(name):\(lineNo): \(e.message)")
                let obj = LineError(line: lineNo, error: e.message)
                emit((try? enc.encode(obj)) ?? Data(#"{"error":"bad line","line":\#(lineNo)}"#.utf8))
            }
        }

        // Stream: read chunks, grade each complete line as soon as it arrives.
        while true {
            let chunk = handle.availableData
            if chunk.isEmpty { break }
            pending.append(chunk)
            while let nl = pending.firstIndex(of: 0x0A) {
                handleLine(pending[pending.startIndex..<nl])
                pending = Data(pending[(nl + 1)...])
            }
        }
        if !pending.isEmpty { handleLine(pending) }
        if let first = errors.first {
            let more = errors.count > 1 ? " (and \(errors.count - 1) more bad line\(errors.count > 2 ? "s" : ""))" : ""
            throw InputError(first + more)
        }
    }

    struct LineError: Encodable { var line: Int; var error: String }
    struct LineFailure: Error { var message: String }

    func verdict(_ line: String, grader: Grader) -> Result<Verdict, LineFailure> {
        guard let obj = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
            return .failure(LineFailure(message: "not a JSON object"))
        }
        func field(_ k: String) -> Result<String, LineFailure> {
            switch obj[k] {
            case let s as String: return .success(s)
            case let n as NSNumber: return .success(n.stringValue)
            case nil: return .failure(LineFailure(message: "missing field '\(k)'"))
            default: return .failure(LineFailure(message: "field '\(k)' must be a string or number"))
            }
        }
        switch (field("response"), field("gold")) {
        case (.success(let r), .success(let g)): return .success(grader.grade(response: r, gold: g))
        case (.failure(let e), _), (_, .failure(let e)): return .failure(e)
        }
    }
}
