import Foundation

/// How a sync runs: batch size, timeouts, retries, verification, clock and progress.
public struct SyncOptions: Sendable {
    /// Changes per push (capped by the hub's `max_batch`) and rows asked per pull page (capped by `page_size`).
    public var batchSize: Int
    /// How long the TCP handshake may take.
    public var connectTimeout: Duration
    /// How long each line from the hub may take to arrive (and each write to go out).
    public var ioTimeout: Duration
    /// How many times a whole session is retried when the hub is unreachable (backoff 1 s, 2 s, 4 s …).
    public var retries: Int
    /// The longest a sync waits on the hub in all: connect, reads, writes and retries draw on it, each message from
    /// the hub renews it (see `SyncBudget`). When it runs out the sync fails as unreachable.
    public var timeout: Duration
    /// Compare digests with the hub at the end of a sync (and repair by resync on a mismatch).
    public var verify: Bool
    /// The wall clock in milliseconds since 1970 (injected for tests).
    public var wallClock: @Sendable () -> Int64
    /// Called after each push batch, pull page and snapshot page.
    public var progress: (@Sendable (SyncProgress) -> Void)?

    /// Creates options; every parameter has the shipped default.
    public init(batchSize: Int = 500, connectTimeout: Duration = .seconds(5), ioTimeout: Duration = .seconds(30),
                retries: Int = 2, timeout: Duration = .seconds(60), verify: Bool = true,
                wallClock: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1000) },
                progress: (@Sendable (SyncProgress) -> Void)? = nil) {
        self.batchSize = batchSize
        self.connectTimeout = connectTimeout
        self.ioTimeout = ioTimeout
        self.retries = retries
        self.timeout = timeout
        self.verify = verify
        self.wallClock = wallClock
        self.progress = progress
    }
}

/// Where a long sync stands, for a progress line.
public struct SyncProgress: Sendable, Hashable {
    /// The phase of the session.
    public enum Phase: String, Sendable, Hashable {
        /// Sending local changes.
        case push
        /// Receiving hub changes.
        case pull
        /// Receiving a snapshot (resync).
        case snapshot
    }
    /// The phase.
    public var phase: Phase
    /// Changes pushed or rows received so far in this phase.
    public var done: Int
    /// The total when known (changes to push, or the hub's head minus the cursor for pulls, in `hseq`).
    public var total: Int?
    /// Changes or rows per second since the phase began.
    public var perSecond: Double

    /// Creates a progress report.
    public init(phase: Phase, done: Int, total: Int?, perSecond: Double) {
        self.phase = phase
        self.done = done
        self.total = total
        self.perSecond = perSecond
    }
}
