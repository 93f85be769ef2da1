import Foundation
import HamletStore

/// The node's sync client: one call runs a whole session against the hub
/// named in the replica (push, pull, verify; resync when needed).
///
/// Every call blocks its thread (run it off the concurrency pool).
public enum SyncClient {
    /// Pushes pending changes, pulls the hub's changes, and verifies.
    /// Retries the whole session `options.retries` times when the hub is unreachable.
    /// - Parameters:
    ///   - directory: The node folder holding `replica.sqlite`.
    ///   - options: Limits, clock and progress.
    /// - Returns: What the sync did.
    /// - Throws: `SyncError` (`unreachable`, `refused`, `protocol`, `store`, `not-configured`).
    public static func sync(directory: String, options: SyncOptions = SyncOptions()) throws -> SyncSummary {
        try withRetries(options) { budget in try SyncSession(directory: directory, options: options, budget: budget).run(.sync) }
    }

    /// Rebuilds the replica from a snapshot of the hub, keeping unpushed edits, then pushes and pulls.
    /// - Parameters:
    ///   - directory: The node folder.
    ///   - options: Limits, clock and progress.
    /// - Returns: What the resync did.
    /// - Throws: `SyncError`.
    public static func resync(directory: String, options: SyncOptions = SyncOptions()) throws -> SyncSummary {
        try withRetries(options) { budget in try SyncSession(directory: directory, options: options, budget: budget).run(.resync) }
    }

    /// Pulls, then compares the replica's digest with the hub's; pushes nothing and repairs nothing.
    /// - Parameters:
    ///   - directory: The node folder.
    ///   - options: Limits, clock and progress.
    /// - Returns: The summary, `verify` `match` or `mismatch`.
    /// - Throws: `SyncError`.
    public static func verify(directory: String, options: SyncOptions = SyncOptions()) throws -> SyncSummary {
        try withRetries(options) { budget in try SyncSession(directory: directory, options: options, budget: budget).run(.verify) }
    }

    /// Syncs now and then until `shouldStop()` is true: every `interval`, or
    /// soon after local edits appear (checked every 2 s); after an unreachable hub it
    /// backs off, doubling up to 5 minutes. One log line per sync.
    /// - Parameters:
    ///   - directory: The node folder.
    ///   - options: Limits, clock and progress (retries inside one round are turned off: the loop retries).
    ///   - interval: The longest wait between syncs.
    ///   - shouldStop: Polled at least every 200 ms.
    ///   - chinese: Whether the lines are for a clerk reading Chinese.
    ///   - log: Receives one line per sync.
    public static func watch(directory: String, options: SyncOptions = SyncOptions(), interval: Duration, chinese: Bool = false,
                             shouldStop: @Sendable () -> Bool, log: @Sendable (String) -> Void) {
        var opts = options
        opts.retries = 0
        var backoff: Duration = .zero
        while !shouldStop() {
            var wait = interval
            var watchEdits = true
            do {
                let s = try SyncSession(directory: directory, options: opts).run(.sync)
                backoff = .zero
                log(chinese ? "同步完成：\(s.lineZH)" : "sync ok: \(s.line)")
            } catch let e as SyncError {
                if e.code == .unreachable {
                    backoff = backoff == .zero ? .seconds(5) : min(backoff * 2, .seconds(300))
                    wait = min(backoff, interval)
                    watchEdits = false
                    log(chinese ? "同步失败，\(wait.components.seconds) 秒后重试：\(e.message(chinese: true))" : "sync failed, retry in \(wait): \(e)")
                } else {
                    if let after = e.retryAfter { wait = max(wait, .seconds(after)) }
                    log(chinese ? "同步失败：[\(e.hubCode ?? e.code.rawValue)] \(e.message(chinese: true))" : "sync failed: \(e)")
                }
            } catch {
                log(chinese ? "同步失败：\(error)" : "sync failed: \(error)")
            }
            let seen = nextSeq(directory)
            let deadline = ContinuousClock.now + wait
            var nextPoll = ContinuousClock.now + .seconds(2)
            while !shouldStop() && ContinuousClock.now < deadline {
                Thread.sleep(forTimeInterval: 0.2)
                guard watchEdits, ContinuousClock.now >= nextPoll else { continue }
                nextPoll = ContinuousClock.now + .seconds(2)
                if let n = nextSeq(directory), let s = seen, n > s { break }
            }
        }
    }

    /// The replica's next `seq`: it grows with every local edit. Opened and closed each time,
    /// so a resync can swap the file.
    static func nextSeq(_ directory: String) -> Int64? {
        guard let r = try? Replica.open(directory: directory) else { return nil }
        return try? r.info().nextSeq
    }

    /// Runs `body` until it succeeds, fails otherwise than unreachable, runs out of retries, or the one budget
    /// (`options.timeout`) shared by every attempt and pause is spent.
    static func withRetries(_ options: SyncOptions, _ body: (SyncBudget) throws -> SyncSummary) throws -> SyncSummary {
        let budget = SyncBudget(timeout: options.timeout)
        var attempt = 0
        while true {
            do {
                return try body(budget)
            } catch let e as SyncError where e.code == .unreachable && attempt < options.retries {
                let pause = Duration.seconds(1 << min(attempt, 6))
                guard budget.remaining() > pause else { throw budget.isExpired() ? budget.expired : e }
                Thread.sleep(forTimeInterval: Double(1 << min(attempt, 6)))
                attempt += 1
            }
        }
    }
}
