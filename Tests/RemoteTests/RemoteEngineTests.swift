import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
#if canImport(Glibc)
import Glibc
#endif
import Store
import Testing
import TestSupport

/// The remote engine against a real OpenAI-compatible server: llama.cpp's server
/// (llama-cpp-python[server], installed into .venv-server by `make test`) serving the default
/// model, and a real HTTP proxy in front of it that injects 503, 429, 502 and dropped
/// connections.
@Suite(.serialized) struct RemoteEngineTests {
    static let python = RollbookCLI.root.appendingPathComponent(".venv-server/bin/python").path
    static let proxyScript = FixtureDir.repoRoot.appendingPathComponent("Tests/RemoteTests/Fixtures/flaky_proxy.py").path

    /// A port nobody listens on right now.
    static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) } }
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
        return Int(UInt16(bigEndian: addr.sin_port))
    }

    /// GET url; true when it answers 200 within a second.
    static func answers(_ url: String) -> Bool {
        let sem = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var ok = false
        var req = URLRequest(url: URL(string: url)!)
        req.timeoutInterval = 1
        URLSession.shared.dataTask(with: req) { _, resp, _ in
            ok = (resp as? HTTPURLResponse)?.statusCode == 200
            sem.signal()
        }.resume()
        sem.wait()
        return ok
    }

    static func launch(_ args: [String], readyAt url: String) throws -> Process {
        guard FileManager.default.isExecutableFile(atPath: python) else {
            Issue.record("\(python) is missing: run scripts/install-llama-server.sh (make test does)")
            throw CancellationError()
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: python)
        p.arguments = args
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        let deadline = Date().addingTimeInterval(120)
        while !answers(url) {
            guard p.isRunning, Date() < deadline else {
                p.terminate()
                Issue.record("\(args.joined(separator: " ")) did not come up at \(url)")
                throw CancellationError()
            }
            Thread.sleep(forTimeInterval: 0.2)
        }
        return p
    }

    static func llamaServer(port: Int) throws -> Process {
        try launch(["-m", "llama_cpp.server", "--model", RollbookCLI.defaultModel, "--host", "127.0.0.1",
                    "--port", "\(port)", "--model_alias", "smollm2", "--n_ctx", "2048", "--n_threads", "1"],
                   readyAt: "http://127.0.0.1:\(port)/v1/models")
    }

    /// The same server with its embeddings endpoint on (it still serves completions).
    static func llamaServerWithEmbeddings(port: Int) throws -> Process {
        try launch(["-m", "llama_cpp.server", "--model", RollbookCLI.defaultModel, "--host", "127.0.0.1",
                    "--port", "\(port)", "--model_alias", "smollm2", "--n_ctx", "2048", "--n_threads", "1",
                    "--embedding", "true"],
                   readyAt: "http://127.0.0.1:\(port)/v1/models")
    }

    static func kill(_ p: Process) {
        Glibc.kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
    }

    static func writePlan(_ dir: URL, name: String, url: String, problems: Int = 4, n: Int = 2,
                          temperatures: String = "[0.0, 0.8]", maxTokens: Int = 16, template: String = "few-shot",
                          extra: String = "") throws -> String {
        let path = dir.appendingPathComponent("\(name).yaml").path
        try """
            name: \(name)
            tasks: builtin:arithmetic?count=\(problems)&seed=11
            template: \(template)
            max_tokens: \(maxTokens)
            seed: 5
            grid: {temperatures: \(temperatures), layers: [0], n: \(n)}
            engine: {kind: openai, url: \(url.hasPrefix("[") ? url : "\"\(url)\""), model: smollm2, concurrency: 2, \
            timeout: 60\(extra)}
            """.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static func run(_ plan: String, store: String) throws -> (RollbookCLI.Result, [String: Any]) {
        let r = try RollbookCLI.run(["run", plan, "--store", store, "--json", "--quiet"])
        let j = r.status == 0 ? try RollbookCLI.json(r.stdout) : [:]
        return (r, j)
    }

    @Test func servesCachesRetriesAndMatchesTheServer() throws {
        let dir = try RollbookCLI.tempDir("remote")
        defer { try? FileManager.default.removeItem(at: dir) }
        let port = Self.freePort()
        let server = try Self.llamaServer(port: port)
        defer { if server.isRunning { Self.kill(server) } }
        let url = "http://127.0.0.1:\(port)/v1"

        // 2 problems x (greedy once + 2 samples at 0.8) = 6 rollouts, with the top 3
        // log-probs per token (llama-cpp-python computes them slowly, hence the small plan).
        let plan = try Self.writePlan(dir, name: "remote", url: url, problems: 2, maxTokens: 12, extra: ", top_logprobs: 3")
        let store = dir.appendingPathComponent("s.sqlite").path
        let (r1, j1) = try Self.run(plan, store: store)
        #expect(r1.status == 0, "\(r1.stderr)")
        #expect(j1["planned"] as? Int == 6 && j1["generated"] as? Int == 6)
        let direct = try RolloutStore(path: store).rollouts(run: "remote")
        #expect(direct.count == 6)
        for r in direct {
            #expect(r.tokenCount > 0 && r.tokenCount <= 12)
            #expect(r.meanLogprob < 0 && r.meanEntropy > 0 && r.tokens.count == r.tokenCount * TokenRecord.size)
            #expect(["stop", "length"].contains(r.finishReason))
        }
        // The analysis runs on remote rollouts as on local ones.
        let a = try RollbookCLI.run(["analyze", "remote", "--store", store, "--json", "--resamples", "50"])
        #expect(a.status == 0, "\(a.stderr)")
        let aj = try RollbookCLI.json(a.stdout)["report"] as? [String: Any]
        #expect(aj?["pools"] != nil && aj?["cells"] != nil)

        // A misnamed model is refused with the names the server has.
        let wrong = try Self.writePlan(dir, name: "wrong", url: url)
        try String(contentsOfFile: wrong, encoding: .utf8).replacingOccurrences(of: "model: smollm2", with: "model: nope")
            .write(toFile: wrong, atomically: true, encoding: .utf8)
        let (rw, _) = try Self.run(wrong, store: store)
        #expect(rw.status != 0)
        #expect(rw.stderr.contains("no model \"nope\"") && rw.stderr.contains("smollm2"), "\(rw.stderr)")

        // Through a proxy that fails 4 of the requests: every rollout still arrives (with
        // concurrency one request can meet all 4 faults, so it gets 5 retries), and
        // with the same seeds the server returns the same text.
        let pport = Self.freePort()
        let faults = dir.appendingPathComponent("faults.log").path
        let proxy = try Self.launch([Self.proxyScript, "\(pport)", url, faults], readyAt: "http://127.0.0.1:\(pport)/v1/models")
        defer { if proxy.isRunning { Self.kill(proxy) } }
        let viaProxy = try Self.writePlan(dir, name: "proxied", url: "http://127.0.0.1:\(pport)/v1", problems: 2, maxTokens: 12,
                                          extra: ", top_logprobs: 3, retries: 5")
        let store2 = dir.appendingPathComponent("s2.sqlite").path
        let (r2, j2) = try Self.run(viaProxy, store: store2)
        #expect(r2.status == 0, "\(r2.stderr)")
        #expect(j2["generated"] as? Int == 6)
        let injected = (try? String(contentsOfFile: faults, encoding: .utf8)) ?? ""
        #expect(injected.split(separator: "\n").count == 4, "faults injected: \(injected)")
        let proxied = Dictionary(uniqueKeysWithValues: try RolloutStore(path: store2).rollouts(run: "proxied").map {
            ("\($0.problemID)/\($0.temperature)/\($0.sampleIndex)", $0)
        })
        // What is guaranteed: the same rollouts (problem, cell, sample) arrive, each with one
        // log-prob record per token. A server's logits are not stable across calls (prompt
        // cache, batch composition: differences of 0.1 nats were seen), so the values are
        // checked to be log-probabilities, and their largest difference is printed, not asserted.
        // (Keys differ: a server's rollouts are keyed by its URL, and the proxy's is another.)
        #expect(Set(proxied.keys) == Set(direct.map { "\($0.problemID)/\($0.temperature)/\($0.sampleIndex)" }))
        var sameText = 0, largest: Float = 0
        for r in direct {
            let p = try #require(proxied["\(r.problemID)/\(r.temperature)/\(r.sampleIndex)"])
            let a = TokenRecord.unpack(p.tokens)
            #expect(a.count == p.tokenCount && a.allSatisfy { $0.logprob.isFinite && $0.logprob <= 0 })
            guard p.response == r.response else { continue }
            sameText += 1
            let b = TokenRecord.unpack(r.tokens)
            #expect(a.count == b.count)
            for (x, y) in zip(a, b) { largest = max(largest, abs(x.logprob - y.logprob)) }
        }
        print("remote: \(sameText) of \(direct.count) proxied rollouts have the direct run's text; "
              + "largest log-prob difference \(largest)")

        // With the server gone, a rerun is served from the store and never calls out.
        Self.kill(server)
        let (r3, j3) = try Self.run(plan, store: store)
        #expect(r3.status == 0, "\(r3.stderr)")
        #expect(j3["cached"] as? Int == 6 && j3["generated"] as? Int == 0)
    }

    @Test func aServerThatDiesMidRunLosesNothingAndTheRunResumes() throws {
        let dir = try RollbookCLI.tempDir("remote-dies")
        defer { try? FileManager.default.removeItem(at: dir) }
        let port = Self.freePort()
        var server = try Self.llamaServer(port: port)
        defer { if server.isRunning { Self.kill(server) } }
        let url = "http://127.0.0.1:\(port)/v1"
        // The chat API this time (the server applies the model's chat template).
        let plan = try Self.writePlan(dir, name: "dies", url: url, problems: 6, n: 8, temperatures: "[0.8]",
                                      maxTokens: 32, template: "zero-shot", extra: ", retries: 1, api: chat, top_logprobs: 0")
        let store = dir.appendingPathComponent("s.sqlite").path
        let errFile = dir.appendingPathComponent("err.txt")
        _ = FileManager.default.createFile(atPath: errFile.path, contents: nil)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: RollbookCLI.binary)
        p.arguments = ["run", plan, "--store", store, "--quiet"]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = try FileHandle(forWritingTo: errFile)
        try p.run()
        // Kill the server once a few rollouts are committed.
        var seen = 0
        let deadline = Date().addingTimeInterval(300)
        while seen < 4 && p.isRunning && Date() < deadline {
            Thread.sleep(forTimeInterval: 0.3)
            seen = (try? RolloutStore(path: store).rollouts(run: "dies", withTokens: false).count) ?? 0
        }
        #expect(seen >= 4 && p.isRunning, "the run should still be going (seen \(seen))")
        Self.kill(server)
        p.waitUntilExit()
        let stderr = try String(contentsOf: errFile, encoding: .utf8)
        #expect(p.terminationStatus != 0)
        #expect(stderr.contains(url) && stderr.contains("run again to resume"), "\(stderr)")
        let kept = try RolloutStore(path: store).rollouts(run: "dies")
        #expect(kept.count >= seen && kept.count < 48)
        #expect(kept.contains { $0.tokenCount > 0 }, "token counts come from the server's usage without log-probs")

        // Back up on the same port: the rerun sends only what is missing.
        server = try Self.llamaServer(port: port)
        let (r, j) = try Self.run(plan, store: store)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(j["cached"] as? Int == kept.count && j["generated"] as? Int == 48 - kept.count)
        print("remote kill test: \(kept.count) of 48 stored when the server died; \(48 - kept.count) sent on resume")
    }

    /// Starts `rollbook run` in the background; stderr goes to a file.
    static func startRun(_ plan: String, store: String, err: URL) throws -> Process {
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: RollbookCLI.binary)
        p.arguments = ["run", plan, "--store", store, "--quiet"]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = try FileHandle(forWritingTo: err)
        try p.run()
        return p
    }

    /// Waits until the run has committed `count` rollouts (or stopped); returns how many it has.
    static func waitFor(_ count: Int, run: String, store: String, while p: Process) -> Int {
        var seen = 0
        let deadline = Date().addingTimeInterval(300)
        while seen < count && p.isRunning && Date() < deadline {
            Thread.sleep(forTimeInterval: 0.3)
            seen = (try? RolloutStore(path: store).rollouts(run: run, withTokens: false).count) ?? 0
        }
        return seen
    }

    /// A pool of two real servers. One killed mid-run slows the run, which completes with
    /// every rollout; the keys are the pool's, not a server's (a one-server pool of the
    /// survivor finds them all cached). With every server gone the run stops with one error
    /// naming them, keeping what arrived, and resumes on a server that is back.
    @Test func aPoolOutlivesADeadServerAndStopsOnlyWhenAllAreDown() throws {
        let dir = try RollbookCLI.tempDir("remote-pool")
        defer { try? FileManager.default.removeItem(at: dir) }
        let pa = Self.freePort()
        var a = try Self.llamaServer(port: pa)
        defer { if a.isRunning { Self.kill(a) } }
        let pb = Self.freePort()
        let b = try Self.llamaServer(port: pb)
        defer { if b.isRunning { Self.kill(b) } }
        let (ua, ub) = ("http://127.0.0.1:\(pa)/v1", "http://127.0.0.1:\(pb)/v1")
        let extra = ", retries: 2, top_logprobs: 0"
        let plan = try Self.writePlan(dir, name: "pool", url: "[\"\(ua)\", \"\(ub)\"]", problems: 6, n: 8,
                                      temperatures: "[0.8]", maxTokens: 32, template: "zero-shot", extra: extra)
        let store = dir.appendingPathComponent("s.sqlite").path
        let p = try Self.startRun(plan, store: store, err: dir.appendingPathComponent("err1.txt"))
        let seen = Self.waitFor(4, run: "pool", store: store, while: p)
        #expect(seen >= 4 && p.isRunning, "the run should still be going (seen \(seen))")
        Self.kill(a)
        p.waitUntilExit()
        let err1 = try String(contentsOf: dir.appendingPathComponent("err1.txt"), encoding: .utf8)
        #expect(p.terminationStatus == 0, "\(err1)")
        let all = try RolloutStore(path: store).rollouts(run: "pool", withTokens: false)
        #expect(all.count == 48 && Set(all.map(\.key)).count == 48)
        let survivor = try Self.writePlan(dir, name: "pool", url: "[\"\(ub)\"]", problems: 6, n: 8,
                                          temperatures: "[0.8]", maxTokens: 32, template: "zero-shot", extra: extra)
        let (r, j) = try Self.run(survivor, store: store)
        #expect(r.status == 0 && j["cached"] as? Int == 48 && j["generated"] as? Int == 0, "\(r.stdout) \(r.stderr)")

        // A is down from the start, B dies mid-run: one error naming both, nothing lost.
        let plan2 = try Self.writePlan(dir, name: "pool2", url: "[\"\(ua)\", \"\(ub)\"]", problems: 6, n: 8,
                                       temperatures: "[0.8]", maxTokens: 32, template: "zero-shot", extra: extra)
        let store2 = dir.appendingPathComponent("s2.sqlite").path
        let err2 = dir.appendingPathComponent("err2.txt")
        let p2 = try Self.startRun(plan2, store: store2, err: err2)
        let seen2 = Self.waitFor(4, run: "pool2", store: store2, while: p2)
        #expect(seen2 >= 4 && p2.isRunning, "the run should still be going (seen \(seen2))")
        Self.kill(b)
        p2.waitUntilExit()
        let stderr = try String(contentsOf: err2, encoding: .utf8)
        #expect(p2.terminationStatus != 0)
        #expect(stderr.contains("all 2 servers failed") && stderr.contains(ua) && stderr.contains(ub)
                && stderr.contains("run again to resume") && stderr.split(separator: "\n").count == 1, "\(stderr)")
        let kept = try RolloutStore(path: store2).rollouts(run: "pool2", withTokens: false).count
        #expect(kept >= seen2 && kept < 48)
        a = try Self.llamaServer(port: pa)
        let (r2, j2) = try Self.run(plan2, store: store2)
        #expect(r2.status == 0, "\(r2.stderr)")
        #expect(j2["cached"] as? Int == kept && j2["generated"] as? Int == 48 - kept)
        print("remote pool test: \(seen) stored when A died, all 48 done on B; \(kept) kept when both were down")
    }

    @Test func anUnreachableServerIsOneClearError() throws {
        let dir = try RollbookCLI.tempDir("remote-none")
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = "http://127.0.0.1:\(Self.freePort())/v1"
        let plan = try Self.writePlan(dir, name: "none", url: url, extra: ", retries: 0")
        let store = dir.appendingPathComponent("s.sqlite").path
        let (r, _) = try Self.run(plan, store: store)
        #expect(r.status != 0)
        #expect(r.stderr.contains(url) && r.stderr.contains("is the server running"), "\(r.stderr)")
        #expect(r.stderr.split(separator: "\n").count == 1)
        #expect(try RolloutStore(path: store).rollouts(run: "none").isEmpty)
    }

    /// Remote parity: `features: embeddings` gives a remote run T2 features (the server's last
    /// hidden state of each prompt, one layer of the model's width) and so the budget
    /// predictor; `top_logprobs: all` against a server that cannot return full distributions
    /// (llama-cpp-python keys alternatives by their text) says so and leaves self-certainty
    /// unknown rather than computing it from a partial distribution.
    @Test func embeddingsGiveT2FeaturesAndPartialDistributionsAreFlagged() throws {
        let dir = try RollbookCLI.tempDir("remote-parity")
        defer { try? FileManager.default.removeItem(at: dir) }
        let port = Self.freePort()
        let server = try Self.llamaServerWithEmbeddings(port: port)
        defer { if server.isRunning { Self.kill(server) } }
        let url = "http://127.0.0.1:\(port)/v1"
        let store = dir.appendingPathComponent("s.sqlite").path

        let plan = try Self.writePlan(dir, name: "t2", url: url, problems: 6, n: 2, temperatures: "[0.8]",
                                      maxTokens: 8, extra: ", top_logprobs: 0, features: embeddings")
        try (String(contentsOfFile: plan, encoding: .utf8) + "\nfeatures: true\n")
            .write(toFile: plan, atomically: true, encoding: .utf8)
        let (r, j) = try Self.run(plan, store: store)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(j["generated"] as? Int == 12)
        let features = try RolloutStore(path: store).featuresByProblem(run: "t2")
        #expect(features.count == 6)
        for (p, f) in features {
            #expect(f.count == 1 && f[0].count == 576 && f[0].contains { $0 != 0 }, "\(p): \(f.map(\.count))")
        }
        let a = try RollbookCLI.run(["analyze", "t2", "--store", store, "--json", "--resamples", "50"])
        #expect(a.status == 0, "\(a.stderr)")
        let predictor = (try RollbookCLI.json(a.stdout)["report"] as? [String: Any])?["budget_predictor"]
            as? [String: Any]
        #expect((predictor?["layer_errors"] as? [Any])?.count == 1, "the predictor runs on the one remote layer")
        // A rerun asks the server for nothing.
        let (again, j2) = try Self.run(plan, store: store)
        #expect(again.status == 0 && j2["generated"] as? Int == 0)

        let full = try Self.writePlan(dir, name: "full", url: url, problems: 1, n: 1, temperatures: "[0.0]",
                                      maxTokens: 3, extra: ", top_logprobs: all, vocab_size: 49152")
        let f = try RollbookCLI.run(["run", full, "--store", store, "--json"])
        #expect(f.status == 0, "\(f.stderr)")
        #expect(f.stderr.contains("of 49152 alternatives") && f.stderr.contains("self-certainty is not computed"),
                "\(f.stderr)")
        let rows = try RolloutStore(path: store).rollouts(run: "full")
        #expect(rows.count == 1 && rows.allSatisfy { $0.selfCertainty == 0 && $0.meanEntropy > 0 })
        let missing = try Self.writePlan(dir, name: "nov", url: url, extra: ", top_logprobs: all")
        let m = try RollbookCLI.run(["run", missing, "--store", store, "--json"])
        #expect(m.status != 0 && m.stderr.contains("needs engine.vocab_size"), "\(m.stderr)")
    }
}
