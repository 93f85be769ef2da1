import Foundation
import HamletNet

/// Collects values from any thread and lets a test wait for a condition with a deadline.
///
/// `@unchecked Sendable`: `values` is guarded by `condition` (an `NSCondition`).
final class Recorder<Value>: @unchecked Sendable {
    private let condition = NSCondition()
    private var values: [Value] = []

    func append(_ value: Value) {
        condition.lock()
        values.append(value)
        condition.broadcast()
        condition.unlock()
    }

    var snapshot: [Value] {
        condition.lock()
        defer { condition.unlock() }
        return values
    }

    /// Waits until `predicate` holds for the recorded values, or `timeout` passes.
    @discardableResult
    func wait(timeout: Duration = .seconds(5), until predicate: ([Value]) -> Bool) -> Bool {
        let deadline = Date(timeIntervalSinceNow: seconds(timeout))
        condition.lock()
        defer { condition.unlock() }
        while !predicate(values) {
            guard condition.wait(until: deadline) else { return predicate(values) }
        }
        return true
    }
}

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
}

func deadline(_ duration: Duration = .seconds(5)) -> ContinuousClock.Instant {
    ContinuousClock.now.advanced(by: duration)
}

/// An event loop on its own thread with one listener on 127.0.0.1, port 0.
final class TestServer {
    let loop: EventLoop
    let address: SocketAddress

    init(
        configuration: ServerConfiguration = ServerConfiguration(),
        handlerFactory: @escaping @Sendable (Connection) -> any ConnectionHandler
    ) throws {
        loop = try EventLoop()
        address = try loop.listen(on: .loopback(), configuration: configuration, handlerFactory: handlerFactory)
        loop.startThread(name: "test-event-loop")
    }

    func connect() throws -> ClientSocket {
        try ClientSocket.connect(to: address, timeout: .seconds(5))
    }

    func stop(gracePeriod: Duration = .zero) {
        loop.stop(gracePeriod: gracePeriod)
    }
}

/// Echoes every chunk back and records close reasons.
final class EchoHandler: ConnectionHandler {
    let closes: Recorder<CloseReason>

    init(closes: Recorder<CloseReason>) {
        self.closes = closes
    }

    func connectionOpened(_ connection: Connection) {}

    func received(_ bytes: [UInt8], on connection: Connection) {
        connection.send(bytes)
    }

    func connectionClosed(_ connection: Connection, reason: CloseReason) {
        closes.append(reason)
    }
}

/// Echoes complete lines; a started line must finish within `lineTimeout`, like the hub's session.
final class LineEchoHandler: ConnectionHandler {
    let lineTimeout: Duration
    let closes: Recorder<CloseReason>
    private var partial: [UInt8] = []

    init(lineTimeout: Duration, closes: Recorder<CloseReason>) {
        self.lineTimeout = lineTimeout
        self.closes = closes
    }

    func connectionOpened(_ connection: Connection) {}

    func received(_ bytes: [UInt8], on connection: Connection) {
        var lineStarted = partial.isEmpty
        partial.append(contentsOf: bytes)
        while let newline = partial.firstIndex(of: UInt8(ascii: "\n")) {
            connection.send(Array(partial[...newline]))
            partial.removeSubrange(...newline)
            lineStarted = true
        }
        // Idle timeout between lines; a started line must complete within `lineTimeout`, however slowly it trickles.
        if partial.isEmpty {
            connection.setDeadline(after: nil)
        } else if lineStarted {
            connection.setDeadline(after: lineTimeout)
        }
    }

    func connectionClosed(_ connection: Connection, reason: CloseReason) {
        closes.append(reason)
    }
}

extension ClientSocket {
    /// Reads exactly `count` bytes or throws.
    func readExactly(_ count: Int, deadline: ContinuousClock.Instant) throws -> [UInt8] {
        var result: [UInt8] = []
        while result.count < count {
            let chunk = try read(upTo: count - result.count, deadline: deadline)
            guard !chunk.isEmpty else { throw NetError(.closed, "EOF after \(result.count) of \(count) bytes") }
            result.append(contentsOf: chunk)
        }
        return result
    }

    /// Reads until EOF, dropping the bytes; returns how many arrived.
    func drainToEOF(deadline: ContinuousClock.Instant) throws -> Int {
        var total = 0
        while true {
            let chunk = try read(upTo: 64 * 1024, deadline: deadline)
            if chunk.isEmpty { return total }
            total += chunk.count
        }
    }
}

extension Array where Element == UInt8 {
    init(_ text: String) {
        self = Array(text.utf8)
    }
}
