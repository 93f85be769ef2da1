import Foundation
import HamletCore

/// The last 比对 result of each web session, so the page can offer it for download as CSV and xlsx.
///
/// It holds names and 身份证号, so it lives in memory only: never logged, never written to disk. It is bounded:
/// one result per session (a new upload replaces the last), dropped `lifetime` after it was made, and at most
/// `maxSessions` sessions at once (the oldest result goes first).
///
/// `@unchecked Sendable`: `entries` is guarded by `lock` (an `NSLock`); the rest is immutable.
package final class CompareResults: @unchecked Sendable {
    /// One kept result.
    package struct Entry: Sendable {
        /// The comparison.
        package var result: ListComparison
        /// The uploaded file's name as the browser sent it (shown, never used as a path).
        package var fileName: String
        /// When it was made.
        package var madeAt: ContinuousClock.Instant
    }

    /// How long a result is kept.
    package let lifetime: Duration
    /// The most sessions holding a result at once.
    package let maxSessions: Int
    private let now: @Sendable () -> ContinuousClock.Instant
    private let lock = NSLock()
    // Guarded by `lock`: session id → its last result.
    private var entries: [String: Entry] = [:]

    /// Creates an empty cache.
    /// - Parameters:
    ///   - lifetime: How long a result is kept; 30 minutes by default.
    ///   - maxSessions: Sessions holding a result at once; 16 by default.
    ///   - now: The clock; the continuous clock by default (tests pass their own).
    package init(lifetime: Duration = .seconds(30 * 60), maxSessions: Int = 16,
                 now: @escaping @Sendable () -> ContinuousClock.Instant = { .now }) {
        self.lifetime = lifetime
        self.maxSessions = max(1, maxSessions)
        self.now = now
    }

    /// Keeps a session's result, replacing its last one.
    /// - Parameters:
    ///   - result: The comparison.
    ///   - fileName: The uploaded file's name.
    ///   - session: The web session id.
    package func put(_ result: ListComparison, fileName: String, session: String) {
        lock.lock()
        defer { lock.unlock() }
        let instant = now()
        dropExpiredLocked(instant)
        entries[session] = nil
        while entries.count >= maxSessions, let oldest = entries.min(by: { $0.value.madeAt < $1.value.madeAt })?.key {
            entries[oldest] = nil
        }
        entries[session] = Entry(result: result, fileName: fileName, madeAt: instant)
    }

    /// A session's last result, unless it has expired.
    /// - Parameter session: The web session id.
    /// - Returns: The entry, or nil.
    package func entry(session: String) -> Entry? {
        lock.lock()
        defer { lock.unlock() }
        dropExpiredLocked(now())
        return entries[session]
    }

    /// The number of results held (expired ones included until the next call drops them).
    package var count: Int {
        lock.lock()
        defer { lock.unlock() }
        return entries.count
    }

    /// Drops every result (the console stopping).
    package func removeAll() {
        lock.lock()
        entries.removeAll()
        lock.unlock()
    }

    private func dropExpiredLocked(_ instant: ContinuousClock.Instant) {
        let cutoff = instant.advanced(by: .zero - lifetime)
        entries = entries.filter { $0.value.madeAt > cutoff }
    }
}
