import Dispatch
import Foundation
import HamletNet
import Testing

@Suite(.serialized) struct EventLoopTests {
    init() {
        NetSystem.ignoreSIGPIPE()
        NetSystem.raiseOpenFileLimit()
    }

    @Test func echoesThroughTheLoop() throws {
        let closes = Recorder<CloseReason>()
        let server = try TestServer { _ in EchoHandler(closes: closes) }
        defer { server.stop() }
        let client = try server.connect()
        #expect(client.peerAddress == server.address)
        #expect(client.localAddress.isLoopback)

        try client.write([UInt8]("hello"), deadline: deadline())
        #expect(try client.readExactly(5, deadline: deadline()) == [UInt8]("hello"))

        // Large enough to need several partial writes on both sides.
        let pattern = (0..<65_521).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        var big: [UInt8] = []
        for _ in 0..<32 { big.append(contentsOf: pattern) }
        try client.write(big, deadline: deadline())
        #expect(try client.readExactly(big.count, deadline: deadline()) == big)

        client.shutdownWrite()
        #expect(try client.read(upTo: 10, deadline: deadline()).isEmpty)
        #expect(closes.wait { $0 == [.peerClosed] })
    }

    @Test func readLineHandlesChunkBoundariesAndCaps() throws {
        let text = [UInt8]("alpha\nbe\n\n" + String(repeating: "x", count: 10) + "\n" + String(repeating: "y", count: 11) + "\n")
        // Sends the text one byte per send from a worker thread, then closes.
        final class TrickleHandler: ConnectionHandler {
            let text: [UInt8]
            init(text: [UInt8]) { self.text = text }
            func connectionOpened(_ connection: Connection) {
                let text = text
                Thread.detachNewThread {
                    for byte in text { connection.send([byte]) }
                    connection.close(afterFlush: true)
                }
            }
            func received(_ bytes: [UInt8], on connection: Connection) {}
            func connectionClosed(_ connection: Connection, reason: CloseReason) {}
        }
        let server = try TestServer { _ in TrickleHandler(text: text) }
        defer { server.stop() }
        let client = try server.connect()
        #expect(try client.readLine(maxLength: 10, deadline: deadline()) == [UInt8]("alpha"))
        #expect(try client.readLine(maxLength: 10, deadline: deadline()) == [UInt8]("be"))
        #expect(try client.readLine(maxLength: 10, deadline: deadline()) == [])
        #expect(try client.readLine(maxLength: 10, deadline: deadline()) == [UInt8](String(repeating: "x", count: 10)))
        #expect {
            try client.readLine(maxLength: 10, deadline: deadline())
        } throws: { error in
            (error as? NetError)?.code == .lineTooLong
        }

        // A clean EOF gives nil; EOF in the middle of a line is an error.
        let partialServer = try TestServer { _ in TrickleHandler(text: [UInt8]("one\ntw")) }
        defer { partialServer.stop() }
        let second = try partialServer.connect()
        #expect(try second.readLine(maxLength: 100, deadline: deadline()) == [UInt8]("one"))
        #expect {
            try second.readLine(maxLength: 100, deadline: deadline())
        } throws: { error in
            (error as? NetError)?.code == .closed
        }
        let cleanServer = try TestServer { _ in TrickleHandler(text: [UInt8]("last\n")) }
        defer { cleanServer.stop() }
        let third = try cleanServer.connect()
        #expect(try third.readLine(maxLength: 100, deadline: deadline()) == [UInt8]("last"))
        #expect(try third.readLine(maxLength: 100, deadline: deadline()) == nil)
    }

    @Test func pausedHandlerRepliesFromAWorker() throws {
        // Each chunk is handled on a worker while reading is paused; no chunk may arrive meanwhile.
        final class WorkerHandler: ConnectionHandler {
            let violations: Recorder<String>
            let busy = Flag()
            init(violations: Recorder<String>) { self.violations = violations }
            func connectionOpened(_ connection: Connection) {}
            func received(_ bytes: [UInt8], on connection: Connection) {
                if busy.value { violations.append("received while paused") }
                busy.value = true
                connection.pauseReading()
                Thread.detachNewThread { [busy] in
                    Thread.sleep(forTimeInterval: 0.02)  // Simulated work.
                    connection.send([UInt8]("done \(bytes.count)\n"))
                    busy.value = false
                    connection.resumeReading()
                }
            }
            func connectionClosed(_ connection: Connection, reason: CloseReason) {}
        }
        let violations = Recorder<String>()
        let server = try TestServer { _ in WorkerHandler(violations: violations) }
        defer { server.stop() }
        let client = try server.connect()
        var total = 0
        for round in 1...5 {
            let payload = [UInt8](repeating: UInt8(round), count: 100)
            try client.write(payload, deadline: deadline())
            // Every byte is acknowledged, possibly over several replies.
            var acknowledged = 0
            while acknowledged < payload.count {
                let line = try #require(try client.readLine(maxLength: 100, deadline: deadline()))
                let text = String(decoding: line, as: UTF8.self)
                acknowledged += try #require(Int(text.dropFirst(5)))
            }
            total += acknowledged
        }
        #expect(total == 500)
        #expect(violations.snapshot.isEmpty)
    }

    @Test func idleDeadlineClosesASilentClient() throws {
        let closes = Recorder<CloseReason>()
        let configuration = ServerConfiguration(idleTimeout: .milliseconds(300))
        let server = try TestServer(configuration: configuration) { _ in EchoHandler(closes: closes) }
        defer { server.stop() }
        let start = ContinuousClock.now
        let client = try server.connect()
        #expect(try client.read(upTo: 10, deadline: deadline()).isEmpty)
        let elapsed = start.duration(to: .now)
        #expect(elapsed >= .milliseconds(250))
        #expect(elapsed < .seconds(2))
        #expect(closes.wait { $0 == [.timeout] })
    }

    @Test func tricklingClientIsClosedWhileOthersAreServed() throws {
        let closes = Recorder<CloseReason>()
        let configuration = ServerConfiguration(idleTimeout: .seconds(10))
        let server = try TestServer(configuration: configuration) { _ in
            LineEchoHandler(lineTimeout: .milliseconds(700), closes: closes)
        }
        defer { server.stop() }

        let trickler = try server.connect()
        let tricklerDone = Recorder<Bool>()
        let tricklerBox = UncheckedBox(trickler)
        Thread.detachNewThread {
            // One byte every 200 ms, never a newline, until the server closes the connection.
            let socket = tricklerBox.value
            let stopAt = deadline(.seconds(5))
            while ContinuousClock.now < stopAt {
                do {
                    try socket.write([UInt8(ascii: "a")], deadline: deadline())
                } catch {
                    break
                }
                Thread.sleep(forTimeInterval: 0.2)
            }
            tricklerDone.append(true)
        }

        let prompt = try server.connect()
        for round in 0..<5 {
            let start = ContinuousClock.now
            try prompt.write([UInt8]("ping \(round)\n"), deadline: deadline())
            let line = try prompt.readLine(maxLength: 100, deadline: deadline())
            #expect(line == [UInt8]("ping \(round)"))
            // Served promptly: well inside the trickler's 700 ms line deadline, even on a busy machine.
            #expect(start.duration(to: .now) < .milliseconds(500))
            Thread.sleep(forTimeInterval: 0.05)
        }
        #expect(closes.wait { $0.contains(.timeout) })
        #expect(tricklerDone.wait { !$0.isEmpty })
        // The prompt client is still being served.
        try prompt.write([UInt8]("after\n"), deadline: deadline())
        #expect(try prompt.readLine(maxLength: 100, deadline: deadline()) == [UInt8]("after"))
        #expect(closes.snapshot == [.timeout])
    }

    @Test func sixHundredConcurrentConnections() throws {
        let closes = Recorder<CloseReason>()
        let server = try TestServer { _ in LineEchoHandler(lineTimeout: .seconds(5), closes: closes) }
        defer { server.stop() }
        var clients: [ClientSocket] = []
        for _ in 0..<600 {
            clients.append(try server.connect())
        }
        let active = clients[100...]
        for (index, client) in active.enumerated() {
            try client.write([UInt8]("echo \(index)\n"), deadline: deadline())
        }
        var echoed = 0
        for (index, client) in active.enumerated() {
            let line = try client.readLine(maxLength: 100, deadline: deadline())
            if line == [UInt8]("echo \(index)") { echoed += 1 }
        }
        #expect(echoed == 500)
        #expect(server.loop.connectionCount == 600)
        for client in clients { client.close() }
        #expect(closes.wait { $0.count == 600 })
        #expect(server.loop.connectionCount == 0)
    }

    @Test func writeOverflowClosesAClientThatNeverReads() throws {
        final class FloodHandler: ConnectionHandler {
            let closes: Recorder<CloseReason>
            init(closes: Recorder<CloseReason>) { self.closes = closes }
            func connectionOpened(_ connection: Connection) {
                Thread.detachNewThread {
                    let page = [UInt8](repeating: 7, count: 64 * 1024)
                    while connection.send(page) {}
                }
            }
            func received(_ bytes: [UInt8], on connection: Connection) {}
            func connectionClosed(_ connection: Connection, reason: CloseReason) { closes.append(reason) }
        }
        let closes = Recorder<CloseReason>()
        let configuration = ServerConfiguration(maxPendingWriteBytes: 256 * 1024)
        let server = try TestServer(configuration: configuration) { _ in FloodHandler(closes: closes) }
        defer { server.stop() }
        let client = try server.connect()
        #expect(closes.wait(timeout: .seconds(10)) { $0 == [.writeOverflow] })
        client.close()
    }

    @Test func waitForOutputStreamsWithinAMemoryBound() throws {
        final class StreamHandler: ConnectionHandler {
            let peaks: Recorder<Int>
            init(peaks: Recorder<Int>) { self.peaks = peaks }
            func connectionOpened(_ connection: Connection) {
                Thread.detachNewThread { [peaks] in
                    let page = [UInt8](repeating: 1, count: 64 * 1024)
                    var peak = 0
                    for _ in 0..<64 {
                        guard connection.waitForOutput(below: 128 * 1024, timeout: .seconds(5)) else { break }
                        connection.send(page)
                        peak = max(peak, connection.pendingWriteBytes)
                    }
                    peaks.append(peak)
                    connection.close(afterFlush: true)
                }
            }
            func received(_ bytes: [UInt8], on connection: Connection) {}
            func connectionClosed(_ connection: Connection, reason: CloseReason) {}
        }
        let peaks = Recorder<Int>()
        let configuration = ServerConfiguration(maxPendingWriteBytes: 256 * 1024)
        let server = try TestServer(configuration: configuration) { _ in StreamHandler(peaks: peaks) }
        defer { server.stop() }
        let client = try server.connect()
        #expect(try client.drainToEOF(deadline: deadline(.seconds(10))) == 64 * 64 * 1024)
        #expect(peaks.wait { !$0.isEmpty })
        #expect(peaks.snapshot.allSatisfy { $0 < 192 * 1024 })
    }

    @Test func maxConnectionsClosesTheExtraClient() throws {
        let closes = Recorder<CloseReason>()
        let configuration = ServerConfiguration(maxConnections: 2)
        let server = try TestServer(configuration: configuration) { _ in EchoHandler(closes: closes) }
        defer { server.stop() }
        let first = try server.connect()
        let second = try server.connect()
        let third = try server.connect()
        #expect(try third.read(upTo: 10, deadline: deadline()).isEmpty)
        try first.write([UInt8]("1"), deadline: deadline())
        try second.write([UInt8]("2"), deadline: deadline())
        #expect(try first.readExactly(1, deadline: deadline()) == [UInt8]("1"))
        #expect(try second.readExactly(1, deadline: deadline()) == [UInt8]("2"))
    }

    @Test func stopClosesClientsAfterTheGracePeriod() throws {
        // Odd connections wind down politely when asked; even ones ignore the request.
        final class PoliteHandler: ConnectionHandler {
            let closes: Recorder<CloseReason>
            init(closes: Recorder<CloseReason>) { self.closes = closes }
            func connectionOpened(_ connection: Connection) {}
            func received(_ bytes: [UInt8], on connection: Connection) { connection.send(bytes) }
            func shutdownRequested(on connection: Connection) {
                guard connection.id % 2 == 1 else { return }
                connection.send([UInt8]("bye\n"))
                connection.close(afterFlush: true)
            }
            func connectionClosed(_ connection: Connection, reason: CloseReason) { closes.append(reason) }
        }
        let closes = Recorder<CloseReason>()
        let server = try TestServer { _ in PoliteHandler(closes: closes) }
        var clients: [ClientSocket] = []
        for _ in 0..<4 {
            let client = try server.connect()
            try client.write([UInt8]("hi\n"), deadline: deadline())
            #expect(try client.readLine(maxLength: 10, deadline: deadline()) == [UInt8]("hi"))
            clients.append(client)
        }
        let start = ContinuousClock.now
        server.stop(gracePeriod: .milliseconds(300))
        let elapsed = start.duration(to: .now)
        #expect(elapsed >= .milliseconds(250))
        #expect(elapsed < .seconds(3))
        #expect(server.loop.connectionCount == 0)
        for client in clients {
            // Polite ones said goodbye first; all see EOF.
            while let line = try client.readLine(maxLength: 10, deadline: deadline()) {
                #expect(line == [UInt8]("bye"))
            }
        }
        let reasons = closes.snapshot
        #expect(reasons.count == 4)
        #expect(reasons.filter { $0 == .closedByHandler }.count == 2)
        #expect(reasons.filter { $0 == .serverShutdown }.count == 2)
        #expect(throws: NetError.self) { try server.connect() }
        #expect(throws: NetError.self) { try server.loop.listen(on: .loopback()) { _ in EchoHandler(closes: closes) } }
    }

    @Test func connectionRefusedAndTimeoutHaveCodes() throws {
        let closes = Recorder<CloseReason>()
        let server = try TestServer { _ in EchoHandler(closes: closes) }
        let address = server.address
        server.stop()
        #expect {
            try ClientSocket.connect(to: address, timeout: .seconds(2))
        } throws: { error in
            (error as? NetError)?.code == .connectionRefused && (error as? NetError)?.errno != nil
        }

        // A listener that never accepts, with a backlog of 0: once its queue is full, SYNs are dropped.
        let idleLoop = try EventLoop()
        let full = try idleLoop.listen(on: .loopback(), configuration: ServerConfiguration(backlog: 0)) { _ in
            EchoHandler(closes: closes)
        }
        var held: [ClientSocket] = []
        var timedOut = false
        for _ in 0..<8 {
            do {
                held.append(try ClientSocket.connect(to: full, timeout: .milliseconds(200)))
            } catch let error as NetError {
                #expect(error.code == .timeout)
                timedOut = true
                break
            }
        }
        #expect(timedOut)
        idleLoop.stop(gracePeriod: .zero)
    }
}

/// Moves a non-Sendable value to one other thread, which becomes its only user.
struct UncheckedBox<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}

/// A Boolean shared between threads.
///
/// `@unchecked Sendable`: `stored` is guarded by `lock`.
final class Flag: @unchecked Sendable {
    private let lock = NSLock()
    private var stored = false

    var value: Bool {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
}
