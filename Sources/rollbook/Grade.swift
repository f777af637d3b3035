import ArgumentParser
import Foundation
import Tasks

struct Grade: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Grade responses: JSONL {gold, response} lines on stdin, one JSON verdict per line out.")

    @Option(name: .long, help: "Read this file instead of stdin.") var input: String?

    func run() throws {
        let name = input ?? "stdin"
        let data: Data
        if let input {
            guard let d = FileManager.default.contents(atPath: input) else {
                throw InputError("\(input): cannot read the file")
            }
            data = d
        } else {
            data = FileHandle.standardInput.readDataToEndOfFile()
        }
        let grader = Grader()
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var out = Data()
        for (i, line) in String(decoding: data, as: UTF8.self)
            .split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if line.trimmingCharacters(in: .whitespaces).isEmpty { continue }
            guard let obj = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                throw InputError("\(name):\(i + 1): not a JSON object")
            }
            func field(_ k: String) throws -> String {
                switch obj[k] {
                case let s as String: return s
                case let n as NSNumber: return n.stringValue
                case nil: throw InputError("\(name):\(i + 1): missing field '\(k)'")
                default: throw InputError("\(name):\(i + 1): field '\(k)' must be a string or number")
                }
            }
            let v = grader.grade(response: try field("response"), gold: try field("gold"))
            out.append(try enc.encode(v)); out.append(0x0A)
        }
        FileHandle.standardOutput.write(out)
    }
}
