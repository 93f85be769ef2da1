import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A loopback TCP proxy for fault tests with child processes: nodes are given its
/// address, it forwards to a target port that can change (a hub restarted on a new
/// port), and it can cut the next connections after a number of bytes in either
/// direction, drop the hub's ack, cut right after a push went through, or forward
/// slowly. Plain blocking sockets, two threads per connection.
public final class TCPProxy: @unchecked Sendable {
    /// What the proxy does to one connection.
    public struct Fault: Sendable, CustomStringConvertible {
        /// Cut (both ends shut) once this many bytes went node → hub.
        public var up: Int = .max
        /// Cut once this many bytes went hub → node.
        public var down: Int = .max
        /// The hub's first `ack` line is never forwarded: the connection is cut in its place
        /// (the hub applied the batch, the node never learns it).
        public var dropAck = false
        /// Cut right after the node's first `push` line has been forwarded whole.
        public var cutAfterPush = false

        public init(up: Int = .max, down: Int = .max, dropAck: Bool = false, cutAfterPush: Bool = false) {
            self.up = up
            self.down = down
            self.dropAck = dropAck
            self.cutAfterPush = cutAfterPush
        }

        /// No fault: the connection is forwarded whole.
        public static let none = Fault()

        public var description: String {
            var parts: [String] = []
            if up != .max { parts.append("cut up \(up) B") }
            if down != .max { parts.append("cut down \(down) B") }
            if dropAck { parts.append("drop ack") }
            if cutAfterPush { parts.append("cut after push") }
            return parts.isEmpty ? "none" : parts.joined(separator: ", ")
        }
    }

    // `lock` guards every var below.
    private let lock = NSLock()
    private var targetPort: UInt16
    private var plan: [Fault] = []
    private var cutCount = 0
    private var accepted = 0
    private var delay: Double = 0
    private var upBytes = 0
    private var downBytes = 0
    private var stopped = false
    private var live: [Int: Link] = [:]
    private var nextLink = 0
    private let listener: Int32
    /// The port nodes connect to.
    public let port: UInt16

    /// `127.0.0.1:PORT`.
    public var address: String { "127.0.0.1:\(port)" }

    /// Listens on a fresh loopback port and forwards to `target`.
    /// - Throws: `ProcessRunnerError` when the socket cannot be bound.
    public init(target: UInt16) throws {
        _ = ignoreSIGPIPE
        targetPort = target
        (listener, port) = try TCPProxy.listenOnLoopback(backlog: 64)
        let t = Thread { [self] in acceptLoop() }
        t.start()
    }

    /// A listening socket on a fresh loopback port (tests' fake hubs and this proxy).
    /// - Returns: the socket and its port.
    /// - Throws: `ProcessRunnerError` when the socket cannot be bound.
    public static func listenOnLoopback(backlog: Int32) throws -> (fd: Int32, port: UInt16) {
        _ = ignoreSIGPIPE
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ProcessRunnerError("socket: errno \(errno)") }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var addr = TCPProxy.loopback(0)
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, backlog) == 0 else {
            close(fd)
            throw ProcessRunnerError("bind: errno \(errno)")
        }
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
        }
        return (fd, UInt16(bigEndian: addr.sin_port))
    }

    /// Where new connections go.
    public var target: UInt16 {
        get { lock.withLock { targetPort } }
        set { lock.withLock { targetPort = newValue } }
    }

    /// The next `connections` connections are cut (both ends shut) once `up` bytes went
    /// node → hub or `down` bytes went hub → node; later ones are left whole.
    public func cutNext(_ connections: Int = 1, up: Int = .max, down: Int = .max) {
        plan(Array(repeating: Fault(up: up, down: down), count: connections))
    }

    /// The next connections get these faults, one each in order (replacing any plan left);
    /// later ones are left whole.
    public func plan(_ faults: [Fault]) {
        lock.withLock { plan = faults }
    }

    /// Forward in chunks of at most 1 KiB with this pause before each (nil: full speed).
    public func throttle(_ pause: Duration?) {
        lock.withLock { delay = pause?.seconds ?? 0 }
    }

    /// Connections cut so far (by bytes, a dropped ack or a cut after a push).
    public var cuts: Int { lock.withLock { cutCount } }

    /// Bytes forwarded node → hub and hub → node so far.
    public var bytes: (up: Int, down: Int) { lock.withLock { (upBytes, downBytes) } }

    /// Connections accepted so far.
    public var connections: Int { lock.withLock { accepted } }

    /// Stops accepting and shuts every open connection.
    public func stop() {
        let links: [Link] = lock.withLock {
            stopped = true
            return Array(live.values)
        }
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
        for l in links { l.cut() }
    }

    /// Shuts every open connection (the hub "vanishing"), keeping the listener.
    public func dropAll() {
        let links: [Link] = lock.withLock { Array(live.values) }
        for l in links { l.cut() }
    }

    deinit { if !stopped { stop() } }

    static func loopback(_ port: UInt16) -> sockaddr_in {
        var a = sockaddr_in()
        a.sin_family = sa_family_t(AF_INET)
        a.sin_port = port.bigEndian
        a.sin_addr.s_addr = inet_addr("127.0.0.1")
        return a
    }

    private func acceptLoop() {
        while true {
            let client = accept(listener, nil, nil)
            if client < 0 {
                if errno == EINTR { continue }
                return
            }
            let (target, fault, isStopped): (UInt16, Fault, Bool) = lock.withLock {
                accepted += 1
                let f = plan.isEmpty ? Fault.none : plan.removeFirst()
                return (targetPort, f, stopped)
            }
            if isStopped { close(client); return }
            let upstream = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var addr = TCPProxy.loopback(target)
            let connected = withUnsafePointer(to: &addr) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(upstream, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard connected == 0 else {
                // The hub is down: the node sees its connection closed at once.
                close(upstream)
                close(client)
                continue
            }
            let link = Link(client: client, upstream: upstream)
            let key: Int = lock.withLock {
                nextLink += 1
                live[nextLink] = link
                return nextLink
            }
            let finish: @Sendable () -> Void = { [weak self] in
                if link.end() { self?.lock.withLock { _ = self?.live.removeValue(forKey: key) } }
            }
            let upLine = fault.cutAfterPush ? LineTrigger.cutAfter("\"type\":\"push\"") : nil
            let downLine = fault.dropAck ? LineTrigger.cutBefore("\"type\":\"ack\"") : nil
            Thread { [self] in pump(client, upstream, fault.up, link, up: true, line: upLine); finish() }.start()
            Thread { [self] in pump(upstream, client, fault.down, link, up: false, line: downLine); finish() }.start()
        }
    }

    /// One proxied connection; the descriptors close when both pumps ended.
    final class Link: @unchecked Sendable {
        // `lock` guards `ended`.
        private let lock = NSLock()
        private var ended = 0
        let client: Int32
        let upstream: Int32
        init(client: Int32, upstream: Int32) {
            self.client = client
            self.upstream = upstream
        }
        func cut() {
            shutdown(client, Int32(SHUT_RDWR))
            shutdown(upstream, Int32(SHUT_RDWR))
        }
        /// True for the second caller, which closed both descriptors.
        func end() -> Bool {
            let last = lock.withLock { ended += 1; return ended == 2 }
            if last {
                close(client)
                close(upstream)
            }
            return last
        }
    }

    /// A line that ends a connection when it contains a pattern: forwarded then cut, or cut in its place.
    enum LineTrigger {
        case cutAfter(String)
        case cutBefore(String)

        var pattern: [UInt8] {
            switch self {
            case .cutAfter(let p), .cutBefore(let p): return Array(p.utf8)
            }
        }

        /// Takes the complete lines out of `held`: the bytes to forward now, and whether to cut after them.
        func take(_ held: inout [UInt8]) -> (forward: [UInt8], cut: Bool) {
            var forward: [UInt8] = []
            var start = 0
            while let end = held[start...].firstIndex(of: 10) {
                let line = held[start...end]
                if TCPProxy.contains(line, pattern) {
                    if case .cutAfter = self { forward += line }
                    held.removeAll()
                    return (forward, true)
                }
                forward += line
                start = end + 1
            }
            held.removeFirst(start)
            return (forward, false)
        }
    }

    static func contains(_ haystack: ArraySlice<UInt8>, _ needle: [UInt8]) -> Bool {
        guard let first = needle.first, haystack.count >= needle.count else { return false }
        var i = haystack.startIndex
        while i <= haystack.endIndex - needle.count {
            if haystack[i] == first && haystack[i..<(i + needle.count)].elementsEqual(needle) { return true }
            i += 1
        }
        return false
    }

    /// Writes all of `bytes`; false when the other side is gone.
    private func sendAll(_ fd: Int32, _ bytes: ArraySlice<UInt8>) -> Bool {
        var offset = bytes.startIndex
        while offset < bytes.endIndex {
            let w = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if w < 0 && errno == EINTR { continue }
            guard w > 0 else { return false }
            offset += w
        }
        return true
    }

    /// Forwards `from` → `to` until EOF, the byte `limit`, or the line `trigger` (which holds
    /// back each line until its newline arrives).
    private func pump(_ from: Int32, _ to: Int32, _ limit: Int, _ link: Link, up: Bool, line trigger: LineTrigger?) {
        var buffer = [UInt8](repeating: 0, count: 16384)
        var total = 0
        var held: [UInt8] = []
        while true {
            let pause = lock.withLock { delay }
            let want = pause > 0 ? 1024 : buffer.count
            let n = buffer.withUnsafeMutableBytes { recv(from, $0.baseAddress, want, 0) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                // EOF: pass the half-close on, so a clean bye still reaches the other side.
                _ = sendAll(to, held[...])
                shutdown(to, Int32(SHUT_WR))
                return
            }
            if pause > 0 { Thread.sleep(forTimeInterval: pause) }
            var out = Array(buffer[0..<n])
            var lineCut = false
            if let trigger {
                held += out
                (out, lineCut) = trigger.take(&held)
            }
            let allowed = limit == .max ? out.count : min(out.count, limit - total)
            guard sendAll(to, out[0..<allowed]) else { link.cut(); return }
            total += allowed
            lock.withLock { if up { upBytes += allowed } else { downBytes += allowed } }
            if lineCut || (limit != .max && total >= limit) {
                lock.withLock { cutCount += 1 }
                link.cut()
                return
            }
        }
    }
}
