import Foundation
import HamletCore
import HamletNet
import HamletProtocol
import HamletStore

/// One node's connection: frames lines, decodes them, drives `HubSessionMachine`, and hands store work to the
/// writer (pushes) or the reader pool (logins, pulls, verifies, outcomes, resyncs).
///
/// The protocol state (awaiting hello or auth, ready, must resync, resyncing, closed, the welcome's verdict and
/// the head the node has seen) lives in the machine; this class keeps only I/O state (a job running, reading
/// paused, a line started, the connection finishing, deadlines) and what the close log line reports.
///
/// At most one message is in flight: while a job runs, reading is paused (the kernel buffers what the node sends)
/// and later lines wait in the framer; the job's completion resumes. Lines are decoded on the hub's session workers,
/// never on the event-loop thread. Deadlines are the session's own (checked by
/// the server's sweeper, which sends `error timeout` before closing); the connection's deadline trails them by
/// `backstop` in case the peer never reads that error.
///
/// `@unchecked Sendable`: every `var` is guarded by `lock` (an `NSLock`); `connection` is thread-safe; the rest
/// is immutable. Lock order: the session's lock, then the connection's (the loop never calls into a session while
/// holding a connection's lock).
final class HubSession: ConnectionHandler, @unchecked Sendable {
    /// How long the connection's own deadline trails the session's, so the `error timeout` line can be flushed.
    static let backstop = Duration.seconds(5)
    /// The deadline while a job (a batch, a page, a snapshot page) runs.
    static let jobTimeout = Duration.seconds(600)
    /// A well-formed stored key no secret hashes to, checked for unknown nodes so both paths cost the same.
    static let decoyStoredKey = String(repeating: "0", count: 64)
    /// Resync waits until the pending output drops below this before reading the next page.
    static let resyncOutputThreshold = 1 << 20

    struct Stats {
        var pushed = 0
        var accepted = 0
        var conflicts = 0
        var rejected = 0
        var pulled = 0
        var parked = 0
        /// The node's cursor as last known (hello, then each page or snapshot).
        var cursor: Int64?
        var resync = false
    }

    struct ResyncAborted: Error {
        var code: ErrorCode
        var message: String
    }

    let connection: HamletNet.Connection
    let context: HubContext
    let limits: Limits
    let openedAt = ContinuousClock.now

    let lock = NSLock()
    // Guarded by `lock`.
    var framer: LineFramer
    var machine: HubSessionMachine
    var isBusy = false
    /// The bytes of the current line admitted by `PushQueue.admit` (0: none), given back when its job is done.
    var admittedBytes = 0
    var isFinished = false
    var isReadingPaused = false
    var isLineStarted = false
    var isShutdownPending = false
    var deadline: ContinuousClock.Instant
    /// Until `auth` arrives, the login deadline (`loginTimeout` from connect) caps every other deadline.
    var loginDeadline: ContinuousClock.Instant?
    var outcome: String?
    /// For the close log line: the node named in hello, and the node once authenticated (the machine
    /// forgets both when it closes).
    var claimedNode: String?
    var node: String?
    var skewMillis: Int64?
    /// A failed login's reply (the machine's `auth-failed`) and when it is due (held back by the throttle).
    var authFailure: (due: ContinuousClock.Instant, error: ProtocolError)?
    var stats = Stats()

    init(connection: HamletNet.Connection, context: HubContext) {
        self.connection = connection
        self.context = context
        self.limits = context.limits
        framer = LineFramer(maxLine: context.limits.maxLine)
        machine = HubSessionMachine(limits: context.limits)
        deadline = ContinuousClock.now.advanced(by: .seconds(context.limits.idleTimeout))
        loginDeadline = openedAt.advanced(by: context.loginTimeout)
    }

    // MARK: ConnectionHandler (loop thread)

    func connectionOpened(_ connection: HamletNet.Connection) {
        context.register(self, id: connection.id)
        lock.lock()
        setDeadlineLocked(.seconds(limits.idleTimeout))
        lock.unlock()
    }

    func received(_ bytes: [UInt8], on connection: HamletNet.Connection) {
        lock.lock()
        defer { lock.unlock() }
        guard !isFinished else { return }
        framer.append(bytes)
        pumpLocked()
    }

    func shutdownRequested(on connection: HamletNet.Connection) {
        lock.lock()
        defer { lock.unlock() }
        guard !isFinished else { return }
        if isBusy {
            isShutdownPending = true
        } else {
            failLocked(.shuttingDown, "the hub is stopping; reconnect later")
        }
    }

    func connectionClosed(_ connection: HamletNet.Connection, reason: CloseReason) {
        lock.lock()
        isFinished = true
        machine.failed()
        if outcome == nil {
            switch reason {
            case .peerClosed: outcome = "peer-closed"
            case .reset: outcome = "reset"
            case .timeout: outcome = "timeout"
            case .writeOverflow: outcome = "write-overflow"
            case .closedByHandler: outcome = "closed"
            case .serverShutdown: outcome = "shutdown"
            }
        }
        let result = outcome ?? "closed"
        let node = self.node
        let claimed = claimedNode
        let skew = skewMillis
        let stats = self.stats
        lock.unlock()

        context.unregister(id: connection.id)
        releaseAdmitted()
        let shown = (node ?? claimed).map { NodeID.isValid($0) ? $0 : "(invalid)" } ?? "-"
        let ms = openedAt.duration(to: .now) / .milliseconds(1)
        var line = "conn=\(connection.id) peer=\(connection.peer) node=\(shown) outcome=\(result)"
        line += " pushed=\(stats.pushed) accepted=\(stats.accepted) conflicts=\(stats.conflicts)"
        line += " rejected=\(stats.rejected) parked=\(stats.parked) pulled=\(stats.pulled) resync=\(stats.resync ? "yes" : "no")"
        if let skew { line += " skew_ms=\(skew)" }
        line += " ms=\(Int(ms))"
        context.logger.log(line)
        if let node {
            let address = connection.peer.description
            let logger = context.logger
            let id = connection.id
            let cursor = stats.cursor
            context.writer.submit { store in
                do {
                    try store.recordSession(node: node, wallMillis: HubSession.wallMillis(), address: address,
                                            result: result, skewMillis: skew, cursor: cursor)
                } catch {
                    logger.log("conn=\(id) node=\(node) cannot record the session: \(error)")
                }
            }
        }
    }

    // MARK: Deadlines (sweeper thread)

    /// Sends `error timeout` and closes when the session's deadline has passed.
    func checkDeadline(now: ContinuousClock.Instant) {
        lock.lock()
        defer { lock.unlock() }
        guard !isFinished else { return }
        if let failure = authFailure, now >= failure.due {
            failLocked(failure.error.code, failure.error.message)
            return
        }
        guard now >= deadline else { return }
        if let login = loginDeadline, now >= login {
            failLocked(.timeout, "log in (hello, then auth) within \(context.loginTimeout) of connecting")
        } else if isBusy {
            failLocked(.timeout, "the request took too long")
        } else if isLineStarted {
            failLocked(.timeout, "a line must arrive within \(limits.readTimeout) s of its first byte")
        } else {
            failLocked(.timeout, "no message for \(limits.idleTimeout) s")
        }
    }

    // MARK: Pumping lines

    func setDeadlineLocked(_ duration: Duration) {
        let now = ContinuousClock.now
        deadline = now.advanced(by: duration)
        if let login = loginDeadline, login < deadline { deadline = login }
        connection.setDeadline(after: now.duration(to: deadline) + HubSession.backstop)
    }

    /// Takes the next complete line, if no job is running, and dispatches it.
    func pumpLocked() {
        guard !isBusy, !isFinished else { return }
        let line: [UInt8]?
        do {
            line = try framer.next()
        } catch {
            failLocked(.lineTooLong, "a line may hold at most \(limits.maxLine) bytes")
            return
        }
        guard let line else {
            if framer.hasPartialLine && !isLineStarted {
                isLineStarted = true
                setDeadlineLocked(.seconds(limits.readTimeout))
            }
            if isReadingPaused {
                isReadingPaused = false
                connection.resumeReading()
            }
            return
        }
        isLineStarted = false
        isBusy = true
        if !isReadingPaused {
            isReadingPaused = true
            connection.pauseReading()
        }
        setDeadlineLocked(HubSession.jobTimeout)
        if line.count >= PushQueue.admissionThreshold {
            // A long line (a push) is decoded only once admitted; until then it waits as bytes (GroupCommit.swift).
            let n = line.count
            guard context.pushes.admit(bytes: n, resume: { [self] in resumeAdmitted(line, bytes: n) }) else { return }
            admittedBytes = n
        }
        if !context.workers.submit({ [self] in handle(line) }) {
            failLocked(.shuttingDown, "the hub is stopping; reconnect later")
        }
    }

    /// A held line's turn: its bytes are admitted; handle it unless the session ended meanwhile.
    func resumeAdmitted(_ line: [UInt8], bytes: Int) {
        lock.lock()
        guard !isFinished else {
            lock.unlock()
            context.pushes.release(bytes: bytes)
            return
        }
        admittedBytes = bytes
        lock.unlock()
        if !context.workers.submit({ [self] in handle(line) }) {
            fail(.shuttingDown, "the hub is stopping; reconnect later")
        }
    }

    /// Gives back the admitted bytes of the session's line, once (its job is done, or the session ended).
    func releaseAdmitted() {
        lock.lock()
        let n = admittedBytes
        admittedBytes = 0
        lock.unlock()
        if n > 0 { context.pushes.release(bytes: n) }
    }

    /// The current job is done: go idle, or wind down when the server is stopping.
    func finishJob() {
        releaseAdmitted()
        lock.lock()
        defer { lock.unlock() }
        isBusy = false
        guard !isFinished else { return }
        if isShutdownPending {
            failLocked(.shuttingDown, "the hub is stopping; reconnect later")
            return
        }
        isLineStarted = false
        setDeadlineLocked(.seconds(limits.idleTimeout))
        pumpLocked()
    }

    func send(_ message: HubMessage) {
        connection.send(Codec.encode(message))
    }

    func fail(_ code: ErrorCode, _ message: String, retryAfter: Int? = nil) {
        lock.lock()
        defer { lock.unlock() }
        failLocked(code, message, retryAfter: retryAfter)
    }

    /// Sends a fatal error, closes after the flush, and records the outcome.
    func failLocked(_ code: ErrorCode, _ message: String, retryAfter: Int? = nil) {
        guard !isFinished else { return }
        isFinished = true
        machine.failed()
        switch code {
        case .authFailed: outcome = "auth-failed"
        case .rateLimited: outcome = "rate-limited"
        case .timeout: outcome = "timeout"
        case .shuttingDown: outcome = "shutdown"
        case .unavailable: outcome = "unavailable"
        case .internal: outcome = "internal"
        default: outcome = "protocol-error:\(code.rawValue)"
        }
        send(.error(code: code, message: message, fatal: true, retryAfter: retryAfter, expectedSeq: nil))
        connection.close(afterFlush: true)
        connection.setDeadline(after: HubSession.backstop)
    }

    func storeFailed(_ error: any Error, during what: String) {
        // Store errors carry no record values (StoreError messages name tables and SQL, never bound arguments).
        context.logger.log("conn=\(connection.id) store error during \(what): \(error)")
        fail(.unavailable, "the hub's store failed during \(what); nothing was committed; retry later")
    }

    /// The `rate-limited` message: which lock it is cannot be told apart from outside, so it names both.
    static func rateLimitedMessage(_ wait: Int) -> String {
        "too many failed logins for this node from this address, or from this address in all; retry after \(wait) s"
    }

    static func wallMillis() -> Int64 { Int64((Date().timeIntervalSince1970 * 1000).rounded()) }

    // MARK: Handling one line (worker threads)

    func handle(_ line: [UInt8]) {
        let message: ClientMessage
        do {
            message = try Codec.decodeClient(line)
        } catch {
            lock.lock()
            let action = machine.decodeFailed(error)
            lock.unlock()
            perform(action)
            return
        }
        lock.lock()
        guard !isFinished else {
            lock.unlock()
            return
        }
        let action = machine.receive(message, nonce: { Credentials.makeNonce() })
        if case .hello(let hello) = message, case .sendChallenge = action {
            claimedNode = hello.node
            skewMillis = hello.clock.map { $0 - HubSession.wallMillis() }
        }
        lock.unlock()
        perform(action)
    }

    func perform(_ action: HubSessionMachine.Action) {
        switch action {
        case .sendChallenge(let nonce):
            lock.lock()
            let claimed = claimedNode ?? ""
            lock.unlock()
            if let wait = context.throttle.retryAfter(node: claimed, address: connection.peer.host) {
                fail(.rateLimited, HubSession.rateLimitedMessage(wait), retryAfter: wait)
                return
            }
            send(.challenge(nonce: nonce))
            finishJob()
        case .verify(let node, let proof, let nonce, let hello):
            // The proof is in: the login deadline has been met; the throttle and the store decide from here.
            lock.lock()
            loginDeadline = nil
            setDeadlineLocked(HubSession.jobTimeout)
            lock.unlock()
            // The throttle is decided here, at the proof, and the slot reserved at once: parallel sessions share it.
            switch context.throttle.begin(node: node, address: connection.peer.host) {
            case .refuse(let wait):
                fail(.rateLimited, HubSession.rateLimitedMessage(wait), retryAfter: wait)
            case .check(let ticket):
                if !context.readers.submit({ [self] store in
                    authenticate(store, node: node, proof: proof, nonce: nonce, hello: hello, ticket: ticket)
                }) {
                    context.throttle.abandoned(ticket)
                    fail(.shuttingDown, "the hub is stopping; reconnect later")
                }
            }
        case .sendWelcome(let welcome):
            send(.welcome(welcome))
            finishJob()
        case .push(let peer, let batch, let changes):
            let source = BatchSource(node: peer.node, village: peer.village)
            let pushes = context.pushes
            let token = pushes.enqueue(PushBatch(changes: changes, source: source, wallMillis: HubSession.wallMillis(),
                                                 schema: context.schema)) { [self] result in
                pushed(result, batch: batch, count: changes.count)
            }
            if !context.writer.submit({ store in pushes.drain(store) }), pushes.withdraw(token) {
                fail(.shuttingDown, "the hub is stopping; reconnect later")
            }
        case .pull(let peer, let cursor, let limit):
            submit(to: context.readers) { [self] store in pull(store, peer: peer, cursor: cursor, limit: limit) }
        case .verifyDigest(let peer, let digest):
            submit(to: context.readers) { [self] store in verify(store, peer: peer, digest: digest) }
        case .outcomes(let peer, let ids):
            submit(to: context.readers) { [self] store in outcomes(store, peer: peer, ids: ids) }
        case .resync(let peer):
            submit(to: context.readers) { [self] store in resync(store, peer: peer) }
        case .refuse(let error, let expectedSeq):
            send(.error(code: error.code, message: error.message, fatal: false, retryAfter: nil, expectedSeq: expectedSeq))
            finishJob()
        case .fail(let error):
            fail(error.code, error.message)
        case .bye:
            lock.lock()
            defer { lock.unlock() }
            guard !isFinished else { return }
            isFinished = true
            outcome = "ok"
            send(.bye)
            connection.close(afterFlush: true)
            connection.setDeadline(after: HubSession.backstop)
        }
    }

    func submit(to pool: StorePool, _ job: @escaping StorePool.Job) {
        if !pool.submit(job) {
            fail(.shuttingDown, "the hub is stopping; reconnect later")
        }
    }
}
