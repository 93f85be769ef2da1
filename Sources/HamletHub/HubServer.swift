import Foundation
import HamletCore
import HamletNet
import HamletProtocol
import HamletStore

/// What every session shares: the writer, the reader pool, the login throttle, limits and the log.
///
/// `@unchecked Sendable`: `sessions` and `isStopping` are guarded by `lock` (an `NSLock`); everything else is
/// immutable or Sendable by itself.
final class HubContext: @unchecked Sendable {
    let writer: StorePool
    /// Pushes waiting for the writer, reconciled a group per transaction.
    let pushes: PushQueue
    let readers: StorePool
    let workers: WorkerPool
    let throttle: AuthThrottle
    let limits: Limits
    let logger: any HubLogger
    let writeTimeout: Duration
    let loginTimeout: Duration
    /// The writer store's schema: each push's shape is checked against it on the session's worker (`PushBatch`).
    let schema: Schema

    private let lock = NSLock()
    // Guarded by `lock`.
    private var sessions: [UInt64: HubSession] = [:]
    private var isStopping = false

    init(writer: StorePool, readers: StorePool, workers: WorkerPool, throttle: AuthThrottle, limits: Limits, logger: any HubLogger,
         writeTimeout: Duration, loginTimeout: Duration, schema: Schema, pushAdmissionBytes: Int) {
        self.schema = schema
        pushes = PushQueue(maxAdmittedBytes: pushAdmissionBytes)
        self.writer = writer
        self.readers = readers
        self.workers = workers
        self.throttle = throttle
        self.limits = limits
        self.logger = logger
        self.writeTimeout = writeTimeout
        self.loginTimeout = loginTimeout
    }

    func register(_ session: HubSession, id: UInt64) {
        lock.lock()
        sessions[id] = session
        lock.unlock()
    }

    func unregister(id: UInt64) {
        lock.lock()
        sessions[id] = nil
        lock.unlock()
    }

    var liveSessions: [HubSession] {
        lock.lock()
        defer { lock.unlock() }
        return Array(sessions.values)
    }

    /// True once `HubServer.stop(grace:)` began.
    var stopping: Bool {
        lock.lock()
        defer { lock.unlock() }
        return isStopping
    }

    func markStopping() {
        lock.lock()
        isStopping = true
        lock.unlock()
    }
}

/// The township hub's TCP server: accepts node sessions (the sync protocol of `Protocol/PROTOCOL.md`) and,
/// optionally, the operator web page, on one epoll event loop.
///
/// One writer thread owns the writer `HubStore` and reconciles batches one at a time in arrival order; a pool of
/// reader connections serves logins, pulls, verifies and resyncs from WAL snapshots. The event-loop thread never
/// touches SQLite.
///
/// `@unchecked Sendable`: `phase`, `context`, `loop` and `sweeper` are guarded by `condition` (an `NSCondition`);
/// `configuration` is immutable.
public final class HubServer: @unchecked Sendable {
    private enum Phase {
        case created
        case running
        case stopping
        case stopped
    }

    /// The configuration the server was made with.
    public let configuration: HubServerConfiguration

    private let condition = NSCondition()
    // Guarded by `condition`.
    private var phase = Phase.created
    private var context: HubContext?
    private var loop: EventLoop?
    private var sweeper: Thread?

    /// Creates a server; nothing is opened or bound until `start()`.
    /// - Parameter configuration: Folder, addresses, limits, readers, logger.
    /// - Throws: `HubServerError` with `.invalidConfiguration` when a limit is out of range.
    public init(configuration: HubServerConfiguration) throws {
        let l = configuration.limits
        guard configuration.readers >= 1, configuration.readers <= 256 else {
            throw HubServerError(.invalidConfiguration, "readers must be between 1 and 256")
        }
        guard configuration.maxPreLoginPerAddress >= 1, configuration.maxConnectionsPerAddress >= 1,
              configuration.loginTimeout >= .milliseconds(100) else {
            throw HubServerError(.invalidConfiguration, "per-address limits must allow one connection and logins 100 ms")
        }
        guard l.maxLine >= 1024, l.maxBatch >= 1, l.pageSize >= 1, l.idleTimeout >= 1, l.readTimeout >= 1 else {
            throw HubServerError(.invalidConfiguration,
                                 "limits must allow lines of 1 KiB, one change per push, one row per page and 1 s timeouts")
        }
        self.configuration = configuration
    }

    /// Opens the store, starts the writer and reader threads, binds the addresses and starts the event loop on a
    /// thread of its own.
    ///
    /// Also raises the open-file limit and ignores `SIGPIPE`. A store marked restored (a backup copy started as a
    /// hub) takes a new epoch first, so nodes resync.
    /// - Returns: The bound protocol address, and the web address when the web page is served.
    /// - Throws: `StoreError` when the hub store cannot be opened; `NetError` (`.bindFailed`) when an address cannot
    ///   be bound; `HubServerError` (`.alreadyStarted`) on a second call.
    @discardableResult
    public func start() throws -> (protocol: SocketAddress, web: SocketAddress?) {
        condition.lock()
        guard phase == .created else {
            condition.unlock()
            throw HubServerError(.alreadyStarted, "the hub server was already started")
        }
        phase = .running
        condition.unlock()

        var started = false
        defer {
            if !started {
                condition.lock()
                phase = .stopped
                condition.broadcast()
                condition.unlock()
            }
        }

        let config = configuration
        NetSystem.ignoreSIGPIPE()
        NetSystem.raiseOpenFileLimit()

        let writerStore = try HubStore.open(directory: config.directory)
        if try writerStore.meta("restored") == "1" {
            let previous = try writerStore.epoch()
            let epoch = try writerStore.forkEpoch()
            config.logger.log("hub restored from a backup: new epoch \(epoch) (was \(previous)) at hseq \(try writerStore.head()); nodes will resync")
        }
        var readerStores: [HubStore] = []
        for _ in 0..<config.readers {
            readerStores.append(try HubStore.open(directory: config.directory, readOnly: true))
        }
        let hubID = try writerStore.hubID()
        let epoch = try writerStore.epoch()
        let head = try writerStore.head()

        let writer = StorePool(name: "hamlet-hub-writer", stores: [writerStore])
        let readers = StorePool(name: "hamlet-hub-reader", stores: readerStores)
        let workers = WorkerPool(name: "hamlet-hub-session", threads: max(2, ProcessInfo.processInfo.activeProcessorCount))
        let context = HubContext(writer: writer, readers: readers, workers: workers, throttle: AuthThrottle(policy: config.authThrottle),
                                 limits: config.limits, logger: config.logger, writeTimeout: config.writeTimeout,
                                 loginTimeout: config.loginTimeout, schema: writerStore.schema,
                                 pushAdmissionBytes: config.pushAdmissionBytes)
        let loop: EventLoop
        let bound: SocketAddress
        var webBound: SocketAddress?
        do {
            loop = try EventLoop()
            let net = ServerConfiguration(
                maxConnections: config.maxConnections,
                idleTimeout: .seconds(config.limits.idleTimeout) + HubSession.backstop,
                writeTimeout: config.writeTimeout,
                maxPendingWriteBytes: max(8 << 20, 2 * config.limits.maxLine + (1 << 20)),
                maxUntrustedPerAddress: config.maxPreLoginPerAddress,
                maxConnectionsPerAddress: min(config.maxConnectionsPerAddress, config.maxConnections))
            bound = try loop.listen(on: config.listen, configuration: net) { connection in
                HubSession(connection: connection, context: context)
            }
            if let web = config.web, let factory = config.webHandlerFactory {
                // The page's header deadline is the sync port's line deadline (`read_timeout`): a request, or the
                // wait for the next one, must arrive within it. Page connections are never trusted, so each address
                // holds at most `maxPreLoginPerAddress` of them.
                let page = ServerConfiguration(idleTimeout: .seconds(config.limits.readTimeout), writeTimeout: config.writeTimeout,
                                               maxUntrustedPerAddress: config.maxPreLoginPerAddress)
                webBound = try loop.listen(on: web, configuration: page, handlerFactory: factory)
            }
        } catch {
            writer.drainAndStop()
            readers.drainAndStop()
            workers.drainAndStop()
            throw error
        }

        let sweeper = Thread { [context, loop] in
            var refusal = RefusalReport(every: .seconds(60))
            while !context.stopping {
                let now = ContinuousClock.now
                for session in context.liveSessions { session.checkDeadline(now: now) }
                if let line = refusal.line(total: loop.refusedCount, now: now) { context.logger.log(line) }
                Thread.sleep(forTimeInterval: 0.1)
            }
        }
        sweeper.name = "hamlet-hub-deadlines"

        condition.lock()
        self.context = context
        self.loop = loop
        self.sweeper = sweeper
        condition.unlock()
        started = true
        sweeper.start()
        loop.startThread(name: "hamlet-hub-loop")
        config.logger.log("hub \(hubID) epoch \(epoch) head \(head) listening \(bound)"
                          + (webBound.map { " web \($0)" } ?? "") + " readers \(config.readers)")
        return (bound, webBound)
    }

    /// The number of open connections (protocol and web).
    public var connectionCount: Int {
        condition.lock()
        defer { condition.unlock() }
        return loop?.connectionCount ?? 0
    }

    /// Blocks the calling thread until `stop(grace:)` has finished (returns at once if the server never started).
    public func wait() {
        condition.lock()
        while phase == .running || phase == .stopping { condition.wait() }
        condition.unlock()
    }

    /// Stops the server gracefully; thread-safe, and idempotent.
    ///
    /// Stops accepting at once; a session in the middle of a job (a batch being reconciled, a page being read)
    /// finishes it and sends its reply, then gets `error shutting-down`; idle sessions get `error shutting-down` at
    /// once; every connection is closed by the end of `grace`. Queued batches still commit, each session is
    /// recorded, then the writer and readers stop. Returns when all of that is done.
    /// - Parameter grace: How long open sessions may take to finish.
    public func stop(grace: Duration) {
        condition.lock()
        switch phase {
        case .created:
            phase = .stopped
            condition.broadcast()
            condition.unlock()
            return
        case .stopping, .stopped:
            while phase != .stopped { condition.wait() }
            condition.unlock()
            return
        case .running:
            phase = .stopping
        }
        let loop = self.loop
        let context = self.context
        condition.unlock()

        loop?.stop(gracePeriod: grace)
        context?.markStopping()
        context?.pushes.close()
        context?.workers.drainAndStop()
        context?.writer.drainAndStop()
        context?.readers.drainAndStop()
        if let context { context.logger.log("group commit: \(context.pushes.summary)") }
        context?.logger.log("hub stopped")

        condition.lock()
        phase = .stopped
        self.loop = nil
        self.context = nil
        condition.broadcast()
        condition.unlock()
    }
}

/// The hub server's error: a stable code and a message.
public struct HubServerError: Error, Sendable, CustomStringConvertible {
    /// Stable codes; add new ones, never rename.
    public enum Code: String, Sendable {
        /// A configuration value is out of range.
        case invalidConfiguration = "invalid-configuration"
        /// `start()` was called twice.
        case alreadyStarted = "already-started"
    }

    /// What went wrong.
    public var code: Code
    /// Says what failed and what to do.
    public var message: String

    /// Creates an error.
    /// - Parameters:
    ///   - code: The stable code.
    ///   - message: What failed and what to do.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// `hub[code]: message`.
    public var description: String { "hub[\(code.rawValue)]: \(message)" }
}

/// Says, at most once a `period`, how many connections were closed at accept since the last line (the cap, or an
/// address over its limits), so the operator sees a flood without a line per connection.
struct RefusalReport {
    let period: Duration
    private var reported = 0
    private var nextAt: ContinuousClock.Instant?

    init(every period: Duration) {
        self.period = period
    }

    /// The log line due now, if any.
    /// - Parameters:
    ///   - total: Connections refused since the loop started.
    ///   - now: The current instant.
    /// - Returns: A line when refusals happened and the last line is at least `period` old.
    mutating func line(total: Int, now: ContinuousClock.Instant) -> String? {
        guard total > reported else { return nil }
        if let nextAt, now < nextAt { return nil }
        let fresh = total - reported
        reported = total
        nextAt = now.advanced(by: period)
        return "refused \(fresh) connection(s) at accept: over the connection cap or an address's limits (per-address pre-login and share)"
    }
}
