import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Why a connection was closed, as reported to `ConnectionHandler.connectionClosed(_:reason:)`.
public enum CloseReason: String, Sendable, Hashable {
    /// The peer closed its end (EOF), after any pending output was flushed.
    case peerClosed = "peer-closed"
    /// The peer reset the connection, or a read or write failed.
    case reset = "reset"
    /// The connection's deadline passed, or a write made no progress within `writeTimeout`.
    case timeout = "timeout"
    /// Unsent output grew past `maxPendingWriteBytes` (the peer does not read).
    case writeOverflow = "write-overflow"
    /// `Connection.close(afterFlush:)` was called.
    case closedByHandler = "closed-by-handler"
    /// `EventLoop.stop(gracePeriod:)` closed it when the grace period ran out.
    case serverShutdown = "server-shutdown"
}

/// Receives the events of one connection.
///
/// Every method is called only on the event-loop thread and must not block: hand slow work to a worker
/// thread (after `pauseReading()`), and reply from there with `Connection.send(_:)`.
public protocol ConnectionHandler: AnyObject {
    /// The connection was accepted; its default deadline (`idleTimeout` from now) is already set.
    /// - Parameter connection: The new connection.
    func connectionOpened(_ connection: Connection)

    /// Bytes arrived. Chunk boundaries are arbitrary: frame them yourself.
    /// - Parameters:
    ///   - bytes: The bytes, at most 64 KiB per call.
    ///   - connection: The connection they arrived on.
    func received(_ bytes: [UInt8], on connection: Connection)

    /// The connection is closed; it is called exactly once, and the loop drops the handler afterwards.
    /// - Parameters:
    ///   - connection: The closed connection.
    ///   - reason: Why it closed.
    func connectionClosed(_ connection: Connection, reason: CloseReason)

    /// The server began a graceful stop: finish the current exchange and close, before the grace period ends.
    /// The default implementation does nothing.
    /// - Parameter connection: The connection to wind down.
    func shutdownRequested(on connection: Connection)
}

extension ConnectionHandler {
    /// Does nothing: connections are closed with `.serverShutdown` when the grace period ends.
    /// - Parameter connection: The connection to wind down.
    public func shutdownRequested(on connection: Connection) {}
}

/// One accepted TCP connection of an `EventLoop`.
///
/// `send`, `close`, `pauseReading`, `resumeReading`, `setDeadline`, `pendingWriteBytes` and `waitForOutput`
/// are safe from any thread: they change state under `lock` and wake the loop, which does all socket I/O.
///
/// `@unchecked Sendable`: the fields marked "guarded by `lock`" are only touched while holding `lock`
/// (an `NSCondition`); the fields marked "loop thread only" are only touched on the loop's thread.
public final class Connection: @unchecked Sendable {
    enum CloseRequest {
        case none
        case afterFlush
        case now
    }

    /// A process-unique identifier, for logs and maps.
    public let id: UInt64
    /// The remote address.
    public let peer: SocketAddress
    /// The local address the peer connected to.
    public let local: SocketAddress?

    let loop: EventLoop
    let listener: Listener
    let lock = NSCondition()

    // Guarded by `lock`.
    var output: [UInt8] = []
    var outputHead = 0
    var isClosed = false
    var closeRequest = CloseRequest.none
    var hasOverflowed = false
    var isReadingPaused = false
    var requestedDeadline: ContinuousClock.Instant?
    var isQueued = false
    var outputWaiters = 0
    var isTrustRequested = false

    // Loop thread only.
    let fd: Int32
    var handler: (any ConnectionHandler)?
    var registeredEvents: UInt32 = 0
    var deadline: ContinuousClock.Instant?
    var writeStallSince: ContinuousClock.Instant?
    var hasOutput = false
    var peerSentEOF = false
    var loopPaused = false
    var loopClosing = false
    var isCountedTrusted = false

    init(id: UInt64, fd: Int32, peer: SocketAddress, local: SocketAddress?, loop: EventLoop, listener: Listener) {
        self.id = id
        self.fd = fd
        self.peer = peer
        self.local = local
        self.loop = loop
        self.listener = listener
    }

    /// Queues bytes for sending; the loop writes them when the socket is writable.
    ///
    /// If the unsent output then exceeds `maxPendingWriteBytes`, the connection is closed with
    /// `.writeOverflow`: keep single messages well below that cap, and use `waitForOutput(below:timeout:)` to stream.
    /// - Parameter bytes: The bytes to send.
    /// - Returns: `false` when the connection is closed or closing, and the bytes were dropped.
    @discardableResult
    public func send(_ bytes: [UInt8]) -> Bool {
        lock.lock()
        guard !isClosed, closeRequest == .none, !hasOverflowed else {
            lock.unlock()
            return false
        }
        output.append(contentsOf: bytes)
        if output.count - outputHead > listener.configuration.maxPendingWriteBytes {
            hasOverflowed = true
            output = []
            outputHead = 0
        }
        let accepted = !hasOverflowed
        let mustQueue = markQueuedLocked()
        lock.unlock()
        if mustQueue { loop.enqueue(self) }
        return accepted
    }

    /// Closes the connection.
    /// - Parameter afterFlush: `true` to stop reading, send what is queued, then close (reason `.closedByHandler`);
    ///   `false` to drop unsent output and close at once.
    public func close(afterFlush: Bool) {
        update { $0.closeRequest = afterFlush && $0.closeRequest != .now ? .afterFlush : .now }
    }

    /// Stops delivering `received` events until `resumeReading()`; the kernel buffers what the peer sends.
    public func pauseReading() {
        update { $0.isReadingPaused = true }
    }

    /// Resumes delivering `received` events after `pauseReading()`.
    public func resumeReading() {
        update { $0.isReadingPaused = false }
    }

    /// Sets the connection's single deadline: when it passes, the loop closes the connection with `.timeout`.
    ///
    /// The loop never moves the deadline by itself: a handler that wants an idle timeout calls
    /// `setDeadline(after: nil)` when a message completes, and a shorter `setDeadline(after:)` when a message starts.
    /// Checks run on a 100 ms tick.
    /// - Parameter duration: Time from now; `nil` means the configuration's `idleTimeout` from now.
    public func setDeadline(after duration: Duration?) {
        let deadline = ContinuousClock.now.advanced(by: duration ?? listener.configuration.idleTimeout)
        update { $0.requestedDeadline = deadline }
    }

    /// Vouches for the connection (say, after its login): it stops counting against the listener's
    /// `maxUntrustedPerAddress`, and only `maxConnectionsPerAddress` still applies to it. Idempotent.
    public func markTrusted() {
        update { $0.isTrustRequested = true }
    }

    /// The number of queued bytes the kernel has not accepted yet.
    public var pendingWriteBytes: Int {
        lock.lock()
        defer { lock.unlock() }
        return output.count - outputHead
    }

    /// `true` once the loop has closed the connection.
    public var isOpen: Bool {
        lock.lock()
        defer { lock.unlock() }
        return !isClosed
    }

    /// Blocks a worker thread until unsent output drops below `threshold`, the connection closes, or `timeout` passes.
    ///
    /// Never call it on the loop thread (it would wait for itself): that is a precondition failure.
    /// - Parameters:
    ///   - threshold: Return once fewer than this many bytes are pending.
    ///   - timeout: The longest wait.
    /// - Returns: `true` when the output is below `threshold` and the connection is open; `false` on timeout or close.
    public func waitForOutput(below threshold: Int, timeout: Duration) -> Bool {
        precondition(!loop.isLoopThread, "waitForOutput(below:timeout:) would block the event loop on itself")
        let deadline = ContinuousClock.now.advanced(by: timeout)
        lock.lock()
        defer { lock.unlock() }
        outputWaiters += 1
        defer { outputWaiters -= 1 }
        while !isClosed && output.count - outputHead >= threshold {
            let remaining = ContinuousClock.now.duration(to: deadline)
            guard remaining > .zero else { return false }
            let seconds = Double(remaining.components.seconds) + Double(remaining.components.attoseconds) * 1e-18
            _ = lock.wait(until: Date(timeIntervalSinceNow: seconds))
        }
        return !isClosed
    }

    // MARK: Internal

    private func update(_ change: (Connection) -> Void) {
        lock.lock()
        guard !isClosed else {
            lock.unlock()
            return
        }
        change(self)
        let mustQueue = markQueuedLocked()
        lock.unlock()
        if mustQueue { loop.enqueue(self) }
    }

    /// Call with `lock` held. Returns `true` when the caller must hand the connection to the loop.
    private func markQueuedLocked() -> Bool {
        if isQueued { return false }
        isQueued = true
        return true
    }

    /// Loop thread: reads level-triggered input only when nobody asked to pause or close.
    var wantsRead: Bool {
        !loopPaused && !loopClosing && !peerSentEOF
    }
}

extension Connection: CustomStringConvertible {
    /// `#id peer`.
    public var description: String { "#\(id) \(peer)" }
}
