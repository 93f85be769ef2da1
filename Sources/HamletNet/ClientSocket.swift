#if canImport(Glibc)
import Glibc
#endif

/// A blocking TCP client socket with deadlines, for the node's sync client and for tests.
///
/// The descriptor is non-blocking underneath; every read and write waits with `poll` until its deadline.
/// Use one `ClientSocket` from one thread at a time. `deinit` closes the descriptor.
public final class ClientSocket {
    private var fd: Int32
    private var buffer: [UInt8] = []
    private var bufferHead = 0
    /// Bytes from `bufferHead` already searched for a newline.
    private var scannedCount = 0

    /// The local end of the connection.
    public let localAddress: SocketAddress
    /// The remote end of the connection.
    public let peerAddress: SocketAddress

    private init(fd: Int32, local: SocketAddress, peer: SocketAddress) {
        self.fd = fd
        self.localAddress = local
        self.peerAddress = peer
    }

    deinit {
        if fd >= 0 { Sys.close(fd) }
    }

    /// `true` once `close()` has been called.
    public var isClosed: Bool { fd < 0 }

    /// Connects to `address`, waiting at most `timeout`.
    /// - Parameters:
    ///   - address: The server address.
    ///   - source: The local address to bind first (port 0 picks one), or nil to let the kernel choose; tests use
    ///     it to connect from another loopback address (127.0.0.2).
    ///   - timeout: How long to wait for the TCP handshake.
    /// - Returns: A connected socket with `TCP_NODELAY` set.
    /// - Throws: `NetError` with `.connectionRefused`, `.timeout`, or `.connectFailed` (also when `source` cannot be
    ///   bound).
    public static func connect(to address: SocketAddress, from source: SocketAddress? = nil,
                               timeout: Duration) throws -> ClientSocket {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        let fd: Int32
        switch Sys.makeStreamSocket(family: address.addressFamily) {
        case .success(let value): fd = value
        case .failure(let code): throw NetError(.connectFailed, errno: code, "cannot create a socket to connect to \(address)")
        }
        var keep = false
        defer { if !keep { Sys.close(fd) } }
        if let source {
            let bound = source.withSockAddr { bind(fd, $0, $1) }
            let bindErrno = errno
            guard bound == 0 else { throw NetError(.connectFailed, errno: bindErrno, "cannot bind the local address \(source)") }
        }

        let result = address.withSockAddr { Glibc.connect(fd, $0, $1) }
        let code = errno
        if result != 0 {
            // EINTR on a non-blocking connect still completes asynchronously, like EINPROGRESS.
            guard code == EINPROGRESS || code == EINTR || code == EAGAIN else {
                throw connectError(code, address)
            }
            switch Sys.poll(fd, events: Int16(POLLOUT), deadline: deadline) {
            case .success(true): break
            case .success(false):
                throw NetError(.timeout, "connecting to \(address) took longer than \(timeout); check that the hub is reachable")
            case .failure(let pollCode): throw NetError(.connectFailed, errno: pollCode, "waiting to connect to \(address) failed")
            }
            let pending = Sys.socketError(fd)
            guard pending == 0 else { throw connectError(pending, address) }
        }
        Sys.setNoDelay(fd)
        guard let local = Sys.localAddress(fd) else {
            throw NetError(.connectFailed, errno: errno, "cannot read the local address after connecting to \(address)")
        }
        keep = true
        return ClientSocket(fd: fd, local: local, peer: address)
    }

    private static func connectError(_ code: Int32, _ address: SocketAddress) -> NetError {
        switch code {
        case ECONNREFUSED:
            NetError(.connectionRefused, errno: code, "\(address) refused the connection; is the hub running on that port?")
        case ETIMEDOUT:
            NetError(.timeout, errno: code, "connecting to \(address) timed out; check the network")
        default:
            NetError(.connectFailed, errno: code, "cannot connect to \(address)")
        }
    }

    /// Writes all of `bytes`, waiting for buffer space until `deadline`.
    /// - Parameters:
    ///   - bytes: The bytes to send.
    ///   - deadline: When to give up.
    /// - Throws: `NetError` with `.timeout`, `.connectionReset`, `.closed` or `.ioFailed`.
    public func write(_ bytes: [UInt8], deadline: ContinuousClock.Instant) throws {
        try checkOpen()
        var offset = 0
        while offset < bytes.count {
            let outcome = bytes.withUnsafeBytes { raw in
                Sys.send(fd, UnsafeRawBufferPointer(rebasing: raw[offset...]))
            }
            switch outcome {
            case .success(let written):
                offset += written
            case .failure(let code) where code == EAGAIN || code == EWOULDBLOCK:
                try wait(for: Int16(POLLOUT), deadline: deadline, doing: "writing")
            case .failure(let code):
                throw transferError(code, doing: "writing")
            }
        }
    }

    /// Reads up to `maxCount` bytes, waiting until `deadline` for at least one.
    /// - Parameters:
    ///   - maxCount: The most bytes to return.
    ///   - deadline: When to give up.
    /// - Returns: The bytes read; an empty array means the peer closed its end (EOF).
    /// - Throws: `NetError` with `.timeout`, `.connectionReset`, `.closed` or `.ioFailed`.
    public func read(upTo maxCount: Int, deadline: ContinuousClock.Instant) throws -> [UInt8] {
        try checkOpen()
        if bufferHead < buffer.count {
            let end = min(buffer.count, bufferHead + maxCount)
            let chunk = Array(buffer[bufferHead..<end])
            consumeBuffered(upTo: end)
            return chunk
        }
        return try receive(maxCount: maxCount, deadline: deadline)
    }

    /// Reads one `\n`-terminated line, buffering whatever follows it for the next call.
    /// - Parameters:
    ///   - maxLength: The longest line accepted, not counting the newline.
    ///   - deadline: When to give up.
    /// - Returns: The line without its `\n`, or `nil` on a clean EOF with nothing buffered.
    /// - Throws: `NetError` with `.lineTooLong`, `.closed` (EOF in the middle of a line), `.timeout`,
    ///   `.connectionReset` or `.ioFailed`.
    public func readLine(maxLength: Int, deadline: ContinuousClock.Instant) throws -> [UInt8]? {
        try checkOpen()
        while true {
            let scanStart = bufferHead + scannedCount
            if let newline = buffer[scanStart...].firstIndex(of: UInt8(ascii: "\n")) {
                guard newline - bufferHead <= maxLength else { throw lineTooLong(maxLength) }
                let line = Array(buffer[bufferHead..<newline])
                consumeBuffered(upTo: newline + 1)
                return line
            }
            scannedCount = buffer.count - bufferHead
            guard scannedCount <= maxLength else { throw lineTooLong(maxLength) }
            let chunk = try receive(maxCount: 64 * 1024, deadline: deadline)
            if chunk.isEmpty {
                if scannedCount == 0 { return nil }
                throw NetError(.closed, "the peer closed the connection in the middle of a line")
            }
            if bufferHead > 0 && bufferHead == buffer.count {
                buffer.removeAll(keepingCapacity: true)
                bufferHead = 0
            }
            buffer.append(contentsOf: chunk)
        }
    }

    /// Shuts down the sending direction; the peer reads EOF while this side can still read.
    public func shutdownWrite() {
        guard fd >= 0 else { return }
        _ = Glibc.shutdown(fd, Int32(SHUT_WR))
    }

    /// Closes the socket. Later calls throw `.closed`; closing twice is harmless.
    public func close() {
        guard fd >= 0 else { return }
        Sys.close(fd)
        fd = -1
    }

    // MARK: Private

    private func checkOpen() throws {
        guard fd >= 0 else { throw NetError(.closed, "the socket is already closed") }
    }

    private func lineTooLong(_ maxLength: Int) -> NetError {
        NetError(.lineTooLong, "a line is longer than \(maxLength) bytes")
    }

    private func consumeBuffered(upTo end: Int) {
        bufferHead = end
        scannedCount = 0
        if bufferHead == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            bufferHead = 0
        } else if bufferHead > 64 * 1024 && bufferHead * 2 > buffer.count {
            buffer.removeSubrange(0..<bufferHead)
            bufferHead = 0
        }
    }

    private func receive(maxCount: Int, deadline: ContinuousClock.Instant) throws -> [UInt8] {
        var chunk = [UInt8](repeating: 0, count: min(max(1, maxCount), 64 * 1024))
        while true {
            let outcome = chunk.withUnsafeMutableBytes { Sys.recv(fd, $0) }
            switch outcome {
            case .success(let count):
                chunk.removeSubrange(count...)
                return chunk
            case .failure(let code) where code == EAGAIN || code == EWOULDBLOCK:
                try wait(for: Int16(POLLIN), deadline: deadline, doing: "reading")
            case .failure(let code):
                throw transferError(code, doing: "reading")
            }
        }
    }

    private func wait(for events: Int16, deadline: ContinuousClock.Instant, doing action: String) throws {
        switch Sys.poll(fd, events: events, deadline: deadline) {
        case .success(true): return
        case .success(false): throw NetError(.timeout, "\(action) from \(peerAddress) passed its deadline")
        case .failure(let code): throw NetError(.ioFailed, errno: code, "waiting while \(action) \(peerAddress) failed")
        }
    }

    private func transferError(_ code: Int32, doing action: String) -> NetError {
        switch code {
        case ECONNRESET, EPIPE, ECONNABORTED:
            NetError(.connectionReset, errno: code, "\(peerAddress) reset the connection while \(action)")
        case ETIMEDOUT:
            NetError(.timeout, errno: code, "the connection to \(peerAddress) timed out while \(action)")
        default:
            NetError(.ioFailed, errno: code, "\(action) \(peerAddress) failed")
        }
    }
}

/// A `ClientSocket` belongs to one thread at a time.
@available(*, unavailable)
extension ClientSocket: Sendable {}
