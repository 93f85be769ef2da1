import CEpoll
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// One epoll loop on one dedicated thread, serving any number of listening addresses.
///
/// Start it with `run()` on a thread of its own (or `startThread(name:)`), add listeners with
/// `listen(on:configuration:handlerFactory:)` before or after, and end it with `stop(gracePeriod:)`.
/// Sockets are level-triggered; deadlines are checked on a 100 ms tick.
///
/// `@unchecked Sendable`: fields marked "guarded by `lock`" (an `NSCondition`) are only touched while holding it;
/// fields marked "loop thread only" are only touched inside `run()`; the rest are immutable or atomic.
public final class EventLoop: @unchecked Sendable {
    private enum Phase {
        case idle
        case running
        case finished
    }

    private static let wakeToken: UInt64 = 0
    private static let tick = Duration.milliseconds(100)
    private static let readChunk = 64 * 1024

    private let epollFD: Int32
    private let wakeFD: Int32
    private let nextID = Atomic<UInt64>(1)
    private let openConnections = Atomic<Int>(0)
    private let refusedConnections = Atomic<Int>(0)

    private let lock = NSCondition()
    // Guarded by `lock`.
    private var queued: [Connection] = []
    private var pendingListeners: [Listener] = []
    private var isWakePending = false
    private var stopDeadline: ContinuousClock.Instant?
    private var phase = Phase.idle
    private var loopThread: pthread_t?

    // Loop thread only.
    private var connections: [UInt64: Connection] = [:]
    private var listeners: [UInt64: Listener] = [:]
    private var isStopping = false
    private var graceDeadline = ContinuousClock.now
    private let readBuffer: UnsafeMutableRawBufferPointer

    /// Creates the epoll instance and its wake-up eventfd.
    /// - Throws: `NetError` with `.ioFailed` when the process is out of descriptors.
    public init() throws {
        let epoll = epoll_create1(Int32(EPOLL_CLOEXEC))
        let epollErrno = errno
        guard epoll >= 0 else { throw NetError(.ioFailed, errno: epollErrno, "cannot create an epoll instance") }
        let wake = eventfd(0, Int32(EFD_NONBLOCK) | Int32(EFD_CLOEXEC))
        let wakeErrno = errno
        guard wake >= 0 else {
            Sys.close(epoll)
            throw NetError(.ioFailed, errno: wakeErrno, "cannot create the event loop's eventfd")
        }
        var event = epoll_event()
        event.events = EPOLLIN.rawValue
        event.data.u64 = EventLoop.wakeToken
        let added = epoll_ctl(epoll, EPOLL_CTL_ADD, wake, &event)
        let addErrno = errno
        guard added == 0 else {
            Sys.close(wake)
            Sys.close(epoll)
            throw NetError(.ioFailed, errno: addErrno, "cannot register the event loop's eventfd")
        }
        epollFD = epoll
        wakeFD = wake
        readBuffer = .allocate(byteCount: EventLoop.readChunk, alignment: 16)
    }

    deinit {
        for listener in pendingListeners { Sys.close(listener.fd) }
        Sys.close(wakeFD)
        Sys.close(epollFD)
        readBuffer.deallocate()
    }

    /// The number of open connections across all listeners.
    public var connectionCount: Int {
        openConnections.load(ordering: .relaxed)
    }

    /// Connections closed at accept since the loop started: over `maxConnections` or over an address's limits.
    public var refusedCount: Int {
        refusedConnections.load(ordering: .relaxed)
    }

    /// Binds and listens on `address`, serving each accepted connection with a handler from `handlerFactory`.
    ///
    /// Callable from any thread, before or after `run()` starts.
    /// - Parameters:
    ///   - address: Where to listen; port 0 picks a free port.
    ///   - configuration: Limits for connections on this address.
    ///   - handlerFactory: Makes one handler per connection, on the loop thread.
    /// - Returns: The bound address, with the real port.
    /// - Throws: `NetError` with `.bindFailed`, or `.closed` once `stop(gracePeriod:)` was called.
    @discardableResult
    public func listen(
        on address: SocketAddress,
        configuration: ServerConfiguration = ServerConfiguration(),
        handlerFactory: @escaping @Sendable (Connection) -> any ConnectionHandler
    ) throws -> SocketAddress {
        let fd: Int32
        switch Sys.makeStreamSocket(family: address.addressFamily) {
        case .success(let value): fd = value
        case .failure(let code): throw NetError(.bindFailed, errno: code, "cannot create a socket to listen on \(address)")
        }
        var keep = false
        defer { if !keep { Sys.close(fd) } }
        _ = Sys.setIntOption(fd, level: SOL_SOCKET, name: SO_REUSEADDR, value: 1)
        let bound = address.withSockAddr { bind(fd, $0, $1) }
        let bindErrno = errno
        guard bound == 0 else {
            throw NetError(.bindFailed, errno: bindErrno, "cannot bind \(address); is another process using the port?")
        }
        let listening = Glibc.listen(fd, configuration.backlog)
        let listenErrno = errno
        guard listening == 0 else { throw NetError(.bindFailed, errno: listenErrno, "cannot listen on \(address)") }
        guard let actual = Sys.localAddress(fd) else {
            throw NetError(.bindFailed, errno: errno, "cannot read the bound address of \(address)")
        }
        let listener = Listener(
            id: nextID.wrappingAdd(1, ordering: .relaxed).oldValue,
            fd: fd,
            address: actual,
            configuration: configuration,
            handlerFactory: handlerFactory
        )
        lock.lock()
        guard stopDeadline == nil, phase != .finished else {
            lock.unlock()
            throw NetError(.closed, "the event loop is stopping; cannot listen on \(address)")
        }
        pendingListeners.append(listener)
        let mustWake = markWakeLocked()
        lock.unlock()
        keep = true
        if mustWake { wake() }
        return actual
    }

    /// Runs the loop on the calling thread until `stop(gracePeriod:)` completes. Returns at once if already stopped.
    public func run() {
        lock.lock()
        guard phase == .idle else {
            lock.unlock()
            return
        }
        phase = .running
        loopThread = pthread_self()
        lock.unlock()

        var events = [epoll_event](repeating: epoll_event(), count: 256)
        var nextScan = ContinuousClock.now.advanced(by: EventLoop.tick)
        while true {
            let ready = events.withUnsafeMutableBufferPointer { buffer in
                epoll_wait(epollFD, buffer.baseAddress, Int32(buffer.count), Int32(EventLoop.tick.roundedUpMilliseconds))
            }
            let waitErrno = errno
            if ready < 0 && waitErrno != EINTR {
                preconditionFailure("epoll_wait failed with errno \(waitErrno) on a valid epoll descriptor")
            }
            for index in 0..<max(0, Int(ready)) {
                dispatch(events[index])
            }
            drainShared()
            let now = ContinuousClock.now
            if now >= nextScan {
                scan(now: now)
                nextScan = now.advanced(by: EventLoop.tick)
            }
            if isStopping && (connections.isEmpty || now >= graceDeadline) { break }
        }
        finish()
    }

    /// Starts `run()` on a new thread.
    /// - Parameter name: The thread's name, for debuggers.
    /// - Returns: The started thread.
    @discardableResult
    public func startThread(name: String = "hamlet-event-loop") -> Thread {
        let thread = Thread { [self] in run() }
        thread.name = name
        thread.start()
        return thread
    }

    /// Stops accepting at once, gives connections up to `gracePeriod` to finish, then closes the rest with
    /// `.serverShutdown` and ends `run()`.
    ///
    /// Thread-safe. From any thread but the loop's, it waits until `run()` has returned (if it is running).
    /// Handlers learn of the stop through `shutdownRequested(on:)`.
    /// - Parameter gracePeriod: How long open connections may take to finish.
    public func stop(gracePeriod: Duration) {
        lock.lock()
        if phase == .finished {
            lock.unlock()
            return
        }
        if stopDeadline == nil {
            stopDeadline = ContinuousClock.now.advanced(by: gracePeriod)
        }
        if phase == .idle {
            // Not running yet: stop accepting now; `run()` will return at once when it starts.
            for listener in pendingListeners { Sys.close(listener.fd) }
            pendingListeners.removeAll()
        }
        let mustWake = markWakeLocked()
        let mustWait = phase == .running && !isLoopThreadLocked
        lock.unlock()
        if mustWake { wake() }
        guard mustWait else { return }
        lock.lock()
        while phase != .finished { lock.wait() }
        lock.unlock()
    }

    // MARK: Cross-thread plumbing

    var isLoopThread: Bool {
        lock.lock()
        defer { lock.unlock() }
        return isLoopThreadLocked
    }

    private var isLoopThreadLocked: Bool {
        guard let loopThread else { return false }
        return pthread_equal(loopThread, pthread_self()) != 0
    }

    /// Hands a connection with changed state to the loop; called by `Connection` without its lock held.
    func enqueue(_ connection: Connection) {
        lock.lock()
        queued.append(connection)
        let mustWake = markWakeLocked()
        lock.unlock()
        if mustWake { wake() }
    }

    private func markWakeLocked() -> Bool {
        if isWakePending { return false }
        isWakePending = true
        return true
    }

    private func wake() {
        var one: UInt64 = 1
        _ = Sys.retrying { Int(Glibc.write(wakeFD, &one, MemoryLayout<UInt64>.size)) }
    }

    // MARK: Loop thread

    private func drainShared() {
        lock.lock()
        let changed = queued
        queued.removeAll(keepingCapacity: true)
        let newListeners = pendingListeners
        pendingListeners.removeAll()
        let stopAt = stopDeadline
        isWakePending = false
        lock.unlock()

        for listener in newListeners {
            if isStopping {
                Sys.close(listener.fd)
            } else {
                register(listener)
            }
        }
        if let stopAt, !isStopping { beginStop(graceDeadline: stopAt) }
        for connection in changed { apply(connection) }
    }

    private func register(_ listener: Listener) {
        var event = epoll_event()
        event.events = EPOLLIN.rawValue
        event.data.u64 = listener.id
        let added = epoll_ctl(epollFD, EPOLL_CTL_ADD, listener.fd, &event)
        guard added == 0 else {
            Sys.close(listener.fd)
            return
        }
        listeners[listener.id] = listener
    }

    private func beginStop(graceDeadline deadline: ContinuousClock.Instant) {
        isStopping = true
        graceDeadline = deadline
        for listener in listeners.values {
            _ = epoll_ctl(epollFD, EPOLL_CTL_DEL, listener.fd, nil)
            Sys.close(listener.fd)
        }
        listeners.removeAll()
        for connection in Array(connections.values) where connections[connection.id] != nil {
            connection.handler?.shutdownRequested(on: connection)
        }
    }

    private func finish() {
        if !isStopping { beginStop(graceDeadline: .now) }
        while !connections.isEmpty {
            for connection in Array(connections.values) {
                close(connection, reason: .serverShutdown)
            }
            drainShared()
        }
        lock.lock()
        phase = .finished
        loopThread = nil
        for listener in pendingListeners { Sys.close(listener.fd) }
        pendingListeners.removeAll()
        queued.removeAll()
        lock.broadcast()
        lock.unlock()
    }

    private func dispatch(_ event: epoll_event) {
        let token = event.data.u64
        if token == EventLoop.wakeToken {
            var count: UInt64 = 0
            _ = Glibc.read(wakeFD, &count, MemoryLayout<UInt64>.size)
            return
        }
        if let listener = listeners[token] {
            accept(on: listener)
        } else if let connection = connections[token] {
            handle(event.events, on: connection)
        }
    }

    private func accept(on listener: Listener) {
        for _ in 0..<128 {
            var storage = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let fd = withUnsafeMutablePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    hamlet_accept_nonblocking(listener.fd, $0, &length)
                }
            }
            let code = errno
            guard fd >= 0 else {
                switch code {
                case EINTR, ECONNABORTED, EPROTO:
                    continue
                case EMFILE, ENFILE, ENOBUFS, ENOMEM:
                    // Out of descriptors: stop polling this listener for a tick instead of spinning.
                    var event = epoll_event()
                    event.data.u64 = listener.id
                    _ = epoll_ctl(epollFD, EPOLL_CTL_MOD, listener.fd, &event)
                    listener.resumeAt = ContinuousClock.now.advanced(by: EventLoop.tick)
                    return
                default:
                    return
                }
            }
            // Over the cap, or over the peer's share of it: closed before any handler sees it.
            guard !isStopping, listener.openCount < listener.configuration.maxConnections,
                  let peer = SocketAddress(storage: storage), listener.admission.admit(peer.host) == .admitted
            else {
                if !isStopping { refusedConnections.add(1, ordering: .relaxed) }
                Sys.close(fd)
                continue
            }
            Sys.setNoDelay(fd)
            let connection = Connection(
                id: nextID.wrappingAdd(1, ordering: .relaxed).oldValue,
                fd: fd,
                peer: peer,
                local: Sys.localAddress(fd),
                loop: self,
                listener: listener
            )
            var event = epoll_event()
            event.events = EPOLLIN.rawValue
            event.data.u64 = connection.id
            let added = epoll_ctl(epollFD, EPOLL_CTL_ADD, fd, &event)
            guard added == 0 else {
                listener.admission.release(peer.host, trusted: false)
                Sys.close(fd)
                continue
            }
            connection.registeredEvents = EPOLLIN.rawValue
            connection.deadline = ContinuousClock.now.advanced(by: listener.configuration.idleTimeout)
            connections[connection.id] = connection
            listener.openCount += 1
            openConnections.add(1, ordering: .relaxed)
            let handler = listener.handlerFactory(connection)
            connection.handler = handler
            handler.connectionOpened(connection)
        }
    }

    private func handle(_ events: UInt32, on connection: Connection) {
        let failed = events & (EPOLLERR.rawValue | EPOLLHUP.rawValue) != 0
        if (events & EPOLLIN.rawValue != 0 || failed) && connection.wantsRead {
            readOnce(connection)
            guard isOpen(connection) else { return }
        }
        if events & EPOLLOUT.rawValue != 0 {
            flush(connection)
            guard isOpen(connection) else { return }
            closeIfDone(connection)
            guard isOpen(connection) else { return }
        }
        if failed {
            close(connection, reason: events & EPOLLERR.rawValue != 0 ? .reset : .peerClosed)
            return
        }
        updateInterest(connection)
    }

    private func isOpen(_ connection: Connection) -> Bool {
        connections[connection.id] != nil
    }

    private func readOnce(_ connection: Connection) {
        switch Sys.recv(connection.fd, readBuffer) {
        case .success(0):
            connection.peerSentEOF = true
            closeIfDone(connection)
        case .success(let count):
            let bytes = [UInt8](UnsafeRawBufferPointer(rebasing: readBuffer[0..<count]))
            connection.handler?.received(bytes, on: connection)
        case .failure(let code) where code == EAGAIN || code == EWOULDBLOCK:
            return
        case .failure:
            close(connection, reason: .reset)
        }
    }

    /// Applies state changed by other threads (or by handlers) through the connection's lock.
    private func apply(_ connection: Connection) {
        guard isOpen(connection) else { return }
        connection.lock.lock()
        connection.isQueued = false
        let overflowed = connection.hasOverflowed
        let request = connection.closeRequest
        connection.loopPaused = connection.isReadingPaused
        let trusted = connection.isTrustRequested
        if let deadline = connection.requestedDeadline {
            connection.deadline = deadline
            connection.requestedDeadline = nil
        }
        connection.lock.unlock()

        if trusted && !connection.isCountedTrusted {
            connection.isCountedTrusted = true
            connection.listener.admission.trust(connection.peer.host)
        }
        if overflowed {
            close(connection, reason: .writeOverflow)
            return
        }
        if request == .now {
            close(connection, reason: .closedByHandler)
            return
        }
        connection.loopClosing = request == .afterFlush
        flush(connection)
        guard isOpen(connection) else { return }
        closeIfDone(connection)
        guard isOpen(connection) else { return }
        updateInterest(connection)
    }

    /// Writes as much pending output as the kernel takes.
    private func flush(_ connection: Connection) {
        var failure: Int32?
        var progressed = false
        connection.lock.lock()
        while connection.outputHead < connection.output.count {
            let head = connection.outputHead
            let outcome = connection.output.withUnsafeBytes { raw in
                Sys.send(connection.fd, UnsafeRawBufferPointer(rebasing: raw[head...]))
            }
            switch outcome {
            case .success(let count):
                connection.outputHead += count
                progressed = true
                continue
            case .failure(let code) where code == EAGAIN || code == EWOULDBLOCK:
                break
            case .failure(let code):
                failure = code
            }
            break
        }
        let remaining = connection.output.count - connection.outputHead
        if remaining == 0 {
            if connection.output.capacity > 256 * 1024 {
                connection.output = []
            } else {
                connection.output.removeAll(keepingCapacity: true)
            }
            connection.outputHead = 0
        } else if connection.outputHead >= 256 * 1024 && connection.outputHead * 2 >= connection.output.count {
            connection.output.removeSubrange(0..<connection.outputHead)
            connection.outputHead = 0
        }
        if progressed && connection.outputWaiters > 0 {
            connection.lock.broadcast()
        }
        connection.lock.unlock()

        if failure != nil {
            close(connection, reason: .reset)
            return
        }
        connection.hasOutput = remaining > 0
        if remaining == 0 {
            connection.writeStallSince = nil
        } else if progressed || connection.writeStallSince == nil {
            connection.writeStallSince = .now
        }
    }

    private func closeIfDone(_ connection: Connection) {
        guard !connection.hasOutput else { return }
        if connection.peerSentEOF {
            close(connection, reason: .peerClosed)
        } else if connection.loopClosing {
            close(connection, reason: .closedByHandler)
        }
    }

    private func updateInterest(_ connection: Connection) {
        var wanted: UInt32 = 0
        if connection.wantsRead { wanted |= EPOLLIN.rawValue }
        if connection.hasOutput { wanted |= EPOLLOUT.rawValue }
        guard wanted != connection.registeredEvents else { return }
        var event = epoll_event()
        event.events = wanted
        event.data.u64 = connection.id
        let changed = epoll_ctl(epollFD, EPOLL_CTL_MOD, connection.fd, &event)
        guard changed == 0 else {
            close(connection, reason: .reset)
            return
        }
        connection.registeredEvents = wanted
    }

    private func close(_ connection: Connection, reason: CloseReason) {
        guard connections.removeValue(forKey: connection.id) != nil else { return }
        connection.lock.lock()
        connection.isClosed = true
        connection.output = []
        connection.outputHead = 0
        connection.lock.broadcast()
        connection.lock.unlock()
        _ = epoll_ctl(epollFD, EPOLL_CTL_DEL, connection.fd, nil)
        Sys.close(connection.fd)
        connection.listener.openCount -= 1
        connection.listener.admission.release(connection.peer.host, trusted: connection.isCountedTrusted)
        openConnections.subtract(1, ordering: .relaxed)
        let handler = connection.handler
        connection.handler = nil
        handler?.connectionClosed(connection, reason: reason)
    }

    /// Closes connections past their deadline or with stalled output, and resumes paused listeners.
    private func scan(now: ContinuousClock.Instant) {
        var expired: [Connection] = []
        for connection in connections.values {
            if let deadline = connection.deadline, now >= deadline {
                expired.append(connection)
            } else if let stalled = connection.writeStallSince,
                      stalled.duration(to: now) >= connection.listener.configuration.writeTimeout {
                expired.append(connection)
            }
        }
        for connection in expired {
            close(connection, reason: .timeout)
        }
        for listener in listeners.values {
            guard let resumeAt = listener.resumeAt, now >= resumeAt else { continue }
            var event = epoll_event()
            event.events = EPOLLIN.rawValue
            event.data.u64 = listener.id
            _ = epoll_ctl(epollFD, EPOLL_CTL_MOD, listener.fd, &event)
            listener.resumeAt = nil
        }
    }
}
