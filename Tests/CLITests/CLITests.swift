import Foundation
import TestSupport
import Testing

/// Short names for the shared CLI helper.
enum CLI {
    static var binary: String { RollbookCLI.binary }
    static func fixture(_ name: String) -> String { RollbookCLI.root.appendingPathComponent("Tests/GGUFTests/Fixtures/" + name).path }
    static func run(_ args: [String], stdin: String? = nil) throws -> RollbookCLI.Result { try RollbookCLI.run(args, stdin: stdin) }
    static func json(_ s: String) throws -> [String: Any] { try RollbookCLI.json(s) }
}

@Suite(.serialized) struct CLITests {
    @Test func binaryExists() { #expect(FileManager.default.isExecutableFile(atPath: CLI.binary), "run `swift build -c release` first") }

    @Test func tokenizeJSON() throws {
        let r = try CLI.run(["tokenize", "--model", "smollm2-135m-instruct", "Hello world <|im_end|>", "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let j = try CLI.json(r.stdout)
        let ids = try #require(j["ids"] as? [Int]), pieces = try #require(j["pieces"] as? [String])
        #expect(ids == [19556, 905, 216, 2] && pieces.count == ids.count)
    }

    @Test func logitsJSON() throws {
        let r = try CLI.run(["logits", "--prompt", "The capital of France is", "--top", "3", "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let top = try #require(try CLI.json(r.stdout)["top"] as? [[String: Any]])
        #expect(top.count == 3)
        #expect(top[0]["id"] as? Int == 7042 && top[0]["piece"] as? String == " Paris")
        #expect(top[0]["logit"] is Double && (top[0]["logprob"] as! Double) < 0)
    }

    @Test func generateJSONIsDeterministic() throws {
        let args = ["generate", "--prompt", "Count: 1, 2, 3,", "--temperature", "0.9", "--seed", "7", "--max-tokens", "12", "--json"]
        let a = try CLI.run(args), b = try CLI.run(args)
        #expect(a.status == 0, "\(a.stderr)")
        let j = try CLI.json(a.stdout)
        var ja = j, jb = try CLI.json(b.stdout)
        for k in ["prefill_seconds", "decode_seconds"] { ja[k] = nil; jb[k] = nil }
        #expect(NSDictionary(dictionary: ja).isEqual(to: jb), "same seed, same rollout")
        let ids = try #require(j["ids"] as? [Int])
        let tokens = try #require(j["tokens"] as? [[String: Any]])
        #expect(ids.count == 12 && tokens.count == 12 && j["finish_reason"] as? String == "length")
        #expect(j["text"] is String)
        for t in tokens { for k in ["id", "logprob", "entropy", "gated", "iterations"] { #expect(t[k] != nil, "token key \(k)") } }
    }

    /// Rollouts do not depend on the thread count: a prompt of several hundred tokens (under
    /// numerics 3 several 32-token attention blocks, every matrix in several 128-row blocks,
    /// split over the threads) gives the same rollouts, EGLR included, on one thread as on two.
    @Test func rolloutsDoNotDependOnTheThreadCount() throws {
        let prompt = String(repeating: "A farmer has 17 cows, buys 23 more and sells 9 of them. ", count: 16)
            + "How many cows are left?"
        let args = ["generate", "--prompt", prompt, "--temperature", "0.8", "--n", "10", "--layers", "2",
                    "--tau", "1.0", "--max-tokens", "16", "--json"]
        var runs = [[NSDictionary]]()
        for threads in ["1", "2"] {
            let r = try RollbookCLI.run(args, environment: ["ROLLBOOK_THREADS": threads])
            #expect(r.status == 0, "\(r.stderr)")
            runs.append(try r.stdout.split(separator: "\n").map { line in
                var j = try CLI.json(String(line))
                for k in ["prefill_seconds", "decode_seconds"] { j[k] = nil }
                return NSDictionary(dictionary: j)
            })
        }
        // Ten rows: grouped attention jobs and the per-row work split over both threads.
        #expect(runs[0].count == 10 && runs[0] == runs[1], "rollouts on 1 and 2 threads")
        let prompted = try #require(runs[0].first?["prompt_ids"] as? [Int])
        #expect(prompted.count > 200)
    }

    @Test func chatGenerationStopsAtEndOfTurn() throws {
        let r = try CLI.run(["generate", "--chat", "--prompt", "Say hi.", "--max-tokens", "200", "--json"])
        #expect(r.status == 0)
        let j = try CLI.json(r.stdout)
        #expect(j["finish_reason"] as? String == "eos")
        #expect(!(j["text"] as! String).contains("<|im_end|>"))
    }

    @Test func inspectPrintsTensorTable() throws {
        let r = try CLI.run(["inspect", "smollm2-135m-instruct"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("general.architecture") && r.stdout.contains("blk.29.ffn_down.weight") && r.stdout.contains("Q4_1"))
    }

    static let badInputs: [(file: String, message: String)] = [
        ("does_not_exist.gguf", "no such file"),
        ("bad_magic.gguf", "not a GGUF file"),
        ("truncated_header.gguf", "truncated or corrupt"),
        ("truncated_data.gguf", "outside the data section"),
        ("unknown_arch.gguf", "unknown architecture 'mamba'"),
        ("missing_tensor.gguf", "'blk.1.ffn_up.weight' is missing"),
        ("unsupported_type.gguf", "Q2_K"),
    ]

    @Test(arguments: 0..<badInputs.count)
    func badModelFile(_ i: Int) throws {
        let (file, message) = Self.badInputs[i]
        let r = try CLI.run(["generate", "--model", CLI.fixture(file), "--prompt", "hi", "--max-tokens", "2"])
        #expect(r.status != 0)
        #expect(r.stdout.isEmpty)
        let lines = r.stderr.split(separator: "\n")
        #expect(lines.count == 1, "one clear error line: \(r.stderr)")
        #expect(r.stderr.contains(file) && r.stderr.contains(message), "\(r.stderr)")
    }

    @Test func gradeJSONL() throws {
        let input = #"{"gold": "18", "response": "so she makes $18.\n#### 18"}"# + "\n" + #"{"gold": 3, "response": "no idea"}"# + "\n"
        let r = try CLI.run(["grade"], stdin: input)
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n").map { try! CLI.json(String($0)) }
        #expect(lines.count == 2)
        #expect(lines[0]["correct"] as? Bool == true && lines[0]["rule"] as? String == "hash" && lines[0]["class"] as? String == "18")
        #expect(lines[1]["correct"] as? Bool == false && lines[1]["rule"] as? String == "none")
        for l in lines { for k in ["extracted", "class", "correct", "rule"] { #expect(l.keys.contains(k), "key \(k)") } }
    }

    @Test func gradeNamesTheBadLine() throws {
        let r = try CLI.run(["grade"], stdin: #"{"gold": "1", "response": "1"}"# + "\n{not json\n")
        #expect(r.status != 0 && r.stderr.contains("stdin:2") && r.stderr.split(separator: "\n").count == 1, "\(r.stderr)")
        let m = try CLI.run(["grade"], stdin: #"{"response": "1"}"# + "\n")
        #expect(m.status != 0 && m.stderr.contains("stdin:1") && m.stderr.contains("'gold'"), "\(m.stderr)")
    }

    @Test func invalidOptionIsRejectedBeforeLoading() throws {
        let r = try CLI.run(["generate", "--prompt", "hi", "--temperature", "-1"])
        #expect(r.status != 0 && r.stderr.contains("--temperature"))
    }
}
