import Foundation

/// Spreads requests over one or more servers, each with `concurrency` requests in flight
/// and its own health. A retryable failure (429, 5xx, a dropped connection, a timeout)
/// marks the server down for a backoff (0.5 s doubling, at most 30 s) and puts the request
/// back in front of the queue, where the servers still up take it; a down server is tried
/// again with one request when its backoff ends, and is up again when that succeeds. Only
/// when every server has failed more than `retries` times in a row does the run stop.
/// Requests that fail together because their server went down count as one failure.
final class ServerPool: @unchecked Sendable {
    struct Health {
        /// Failed attempts in a row.
        var failures = 0
        var downUntil: Date? = nil
        /// A request is testing a down server.
        var probing = false
        /// Bumped at each change of state: failures of requests sent before it are not counted.
        var epoch = 0
        var lastError = ""
    }

    let clients: [OpenAIClient]
    let concurrency: Int
    let retries: Int
    private let cond = NSCondition()
    private var health: [Health]
    private var total = 0, next = 0, done = 0
    /// Requests that failed somewhere, taken before new ones.
    private var again = [Int]()
    /// Results not yet delivered (each run's own type: a completion, an embedding).
    private var arrived = [(Int, any Sendable)]()
    private var notes = [String]()
    private var failure: Error?

    init(clients: [OpenAIClient], concurrency: Int, retries: Int) {
        self.clients = clients; self.concurrency = concurrency; self.retries = retries
        health = clients.map { _ in Health() }
    }

    /// Marks a server down before any request (it did not answer at start).
    func startDown(_ s: Int, _ error: Error) {
        cond.withLock { fail(s, epoch: health[s].epoch, "\(error)", announce: false) }
    }

    /// Runs `work(client, i)` for every i in 0..<count on the servers' workers, handing each
    /// result (and each note on a server's health) to the caller's thread as it arrives.
    /// Results that arrive after a failure are still delivered before it is thrown.
    func run<T: Sendable>(count: Int, work: @escaping @Sendable (OpenAIClient, Int) throws -> T,
                          deliver: (Int, T) throws -> Void, note: (String) -> Void) throws {
        if count == 0 { return }
        cond.withLock { total = count; next = 0; done = 0; again = []; arrived = []; failure = nil }
        let workers = DispatchGroup()
        for s in clients.indices {
            for _ in 0..<concurrency {
                workers.enter()
                Thread { [self] in worker(s, work); workers.leave() }.start()
            }
        }
        func drain(wait: Bool) -> (results: [(Int, any Sendable)], notes: [String], over: Bool) {
            cond.withLock {
                if wait && arrived.isEmpty && notes.isEmpty && !over { _ = cond.wait(until: Date() + 0.05) }
                defer { arrived.removeAll(); notes.removeAll() }
                return (arrived, notes, over)
            }
        }
        do {
            while true {
                let (results, said, finished) = drain(wait: true)
                said.forEach(note)
                for (i, g) in results { try deliver(i, g as! T) }
                if finished { break }
            }
        } catch {
            // The caller could not take a result (a store error): stop sending.
            cond.withLock { if failure == nil { failure = error }; cond.broadcast() }
            workers.wait()
            throw error
        }
        workers.wait()
        let (results, said, _) = drain(wait: false)
        said.forEach(note)
        for (i, g) in results { try deliver(i, g as! T) }
        if let failure = cond.withLock({ failure }) { throw failure }
    }

    private var over: Bool { failure != nil || done == total }

    private func worker<T: Sendable>(_ s: Int, _ work: (OpenAIClient, Int) throws -> T) {
        while let (i, epoch) = take(s) {
            do {
                let g = try work(clients[s], i)
                cond.withLock { succeeded(s, i, g) }
            } catch let e as RemoteError where e.retryable {
                cond.withLock {
                    again.append(i)
                    fail(s, epoch: epoch, e.description)
                }
            } catch {
                cond.withLock { if failure == nil { failure = error }; cond.broadcast() }
            }
        }
    }

    /// The next request for server `s` and the server's epoch, waiting while it is down or
    /// nothing is queued; nil when the run is over.
    private func take(_ s: Int) -> (Int, Int)? {
        cond.withLock {
            while !over {
                let queued = !again.isEmpty || next < total
                guard queued else { cond.wait(); continue }
                if let until = health[s].downUntil {
                    if health[s].probing { cond.wait(); continue }
                    if Date() < until { _ = cond.wait(until: until); continue }
                    health[s].probing = true
                }
                let i: Int
                if let a = again.popLast() { i = a } else { i = next; next += 1 }
                return (i, health[s].epoch)
            }
            return nil
        }
    }

    /// Called with the lock held.
    private func succeeded(_ s: Int, _ i: Int, _ g: any Sendable) {
        if health[s].downUntil != nil {
            notes.append("\(clients[s].url): up again")
            health[s] = Health(epoch: health[s].epoch + 1)
        } else {
            health[s].failures = 0
        }
        arrived.append((i, g))
        done += 1
        cond.broadcast()
    }

    /// A failed attempt on server `s` begun at `epoch` (called with the lock held). The first
    /// failure in a row is announced; later ones only count.
    private func fail(_ s: Int, epoch: Int, _ error: String, announce: Bool = true) {
        defer { cond.broadcast() }
        guard health[s].epoch == epoch else { return }
        var h = health[s]
        h.failures += 1; h.epoch += 1; h.probing = false; h.lastError = error
        let wait = min(30, 0.5 * pow(2, Double(h.failures - 1)))
        h.downUntil = Date() + wait
        health[s] = h
        if health.allSatisfy({ $0.failures > retries }) {
            failure = RemoteError(exhausted())
            return
        }
        guard announce && h.failures == 1 else { return }
        let others = clients.count > 1 ? ", the other servers take its requests" : ""
        notes.append("\(error); retrying \(clients[s].url) in \(String(format: "%.1f", wait)) s\(others)")
    }

    /// Every server failed more than `retries` times in a row.
    private func exhausted() -> String {
        let each = health.map { "\($0.lastError) (gave up after \(OpenAIClient.attempts($0.failures)))" }
        return clients.count == 1 ? each[0] : "all \(clients.count) servers failed: " + each.joined(separator: "; ")
    }
}
