import Foundation
import HamletCore
import HamletHub
import HamletNet
import HamletProtocol
import HamletStore
import HamletTestSupport
import Testing

/// Collects the hub's log lines and lets a test wait for one.
///
/// `@unchecked Sendable`: `lines` is guarded by `condition` (an `NSCondition`).
final class LogCollector: HubLogger, @unchecked Sendable {
    private let condition = NSCondition()
    private var lines: [String] = []

    func log(_ line: String) {
        condition.lock()
        lines.append(line)
        condition.broadcast()
        condition.unlock()
    }

    var all: [String] {
        condition.lock()
        defer { condition.unlock() }
        return lines
    }

    /// Waits until some line satisfies `predicate`; returns it, or nil after `timeout`.
    func wait(timeout: Duration = .seconds(10), for predicate: (String) -> Bool) -> String? {
        let deadline = Date(timeIntervalSinceNow: Double(timeout.components.seconds))
        condition.lock()
        defer { condition.unlock() }
        while true {
            if let line = lines.first(where: predicate) { return line }
            guard condition.wait(until: deadline) else { return lines.first(where: predicate) }
        }
    }
}

/// A registered node: id, village and secret.
struct TestNode {
    var id: String
    var village: String
    var secret: String
}

/// A hub folder with three nodes (two in beizhao, one in nanzhuang) and a running `HubServer` on 127.0.0.1:0.
///
/// `@unchecked Sendable`: every stored property is immutable and itself thread-safe (the server, the logger) or a value.
final class HubFixture: @unchecked Sendable {
    let dir: TempDir
    let logger = LogCollector()
    let server: HubServer
    let address: SocketAddress
    let nodes: [String: TestNode]
    let hubID: String
    let epoch: String
    let limits: Limits

    static let testLimits = makeLimits(maxLine: 1 << 20, maxBatch: 200, pageSize: 10, idleTimeout: 10, readTimeout: 5)

    static func makeLimits(maxLine: Int, maxBatch: Int, pageSize: Int, idleTimeout: Int, readTimeout: Int) -> Limits {
        var l = Limits.standard
        l.maxLine = maxLine
        l.maxBatch = maxBatch
        l.pageSize = pageSize
        l.idleTimeout = idleTimeout
        l.readTimeout = readTimeout
        return l
    }
    static let fastThrottle = AuthThrottlePolicy(baseDelay: .milliseconds(20), maxDelay: .milliseconds(100), maxFailures: 3,
                                                 window: .seconds(60))

    init(limits: Limits = HubFixture.testLimits, throttle: AuthThrottlePolicy = HubFixture.fastThrottle, readers: Int = 2,
         prepare: (HubStore) throws -> Void = { _ in }, configure: (inout HubServerConfiguration) -> Void = { _ in }) throws {
        dir = TempDir("hub")
        let store = try HubStore.create(directory: dir.path)
        var nodes: [String: TestNode] = [:]
        for (id, village) in [("beizhao", "beizhao"), ("beizhao-doctor", "beizhao"), ("nanzhuang", "nanzhuang")] {
            let secret = Credentials.makeSecret()
            let key = try #require(Credentials.storedKey(secret: secret))
            try store.addNode(id: id, village: village, secretHash: key, wallMillis: wallMillisNow())
            nodes[id] = TestNode(id: id, village: village, secret: secret)
        }
        try prepare(store)
        hubID = try store.hubID()
        epoch = try store.epoch()
        self.nodes = nodes
        self.limits = limits
        var configuration = HubServerConfiguration(
            directory: dir.path, listen: .loopback(), limits: limits, readers: readers, logger: logger,
            authThrottle: throttle)
        configure(&configuration)
        server = try HubServer(configuration: configuration)
        address = try server.start().protocol
    }

    deinit {
        server.stop(grace: .seconds(1))
        dir.remove()
    }

    func node(_ id: String) -> TestNode {
        guard let node = nodes[id] else { preconditionFailure("no test node \(id)") }
        return node
    }

    func connect() throws -> RawClient {
        RawClient(try ClientSocket.connect(to: address, timeout: .seconds(5)))
    }

    /// Connects, says hello and proves the secret; returns the client and the welcome.
    func login(_ id: String, hub: String = "", epoch: String = "", cursor: Int64 = 0) throws -> (RawClient, HubMessage.Welcome) {
        let client = try connect()
        let welcome = try client.login(node(id), hub: hub, epoch: epoch, cursor: cursor)
        return (client, welcome)
    }

    /// A read-only view of the hub's state that bad input must not change: head, rejected, conflicts, clock.
    func fingerprint() throws -> String {
        let store = try HubStore.open(directory: dir.path, readOnly: true)
        let c = try store.sqliteFile()
        let rejected = try c.scalar("SELECT count(*) FROM rejected").integer ?? -1
        let conflicts = try c.scalar("SELECT count(*) FROM conflicts").integer ?? -1
        let rows = try c.scalar("SELECT count(*) FROM households").integer ?? -1
        return "head=\(try store.head()) rejected=\(rejected) conflicts=\(conflicts) rows=\(rows) clock=\(try store.meta("hlc") ?? "")"
    }

    func openStore() throws -> HubStore {
        try HubStore.open(directory: dir.path, readOnly: true)
    }

    /// Waits for the close log line of a connection from `local` (the client's address) and returns it.
    func closeLine(of client: RawClient) -> String? {
        let peer = "peer=\(client.socket.localAddress) "
        return logger.wait { $0.contains(peer) && $0.contains("outcome=") }
    }
}

/// A test client that speaks raw lines.
final class RawClient {
    let socket: ClientSocket
    init(_ socket: ClientSocket) { self.socket = socket }

    static func deadline(_ d: Duration = .seconds(10)) -> ContinuousClock.Instant { .now.advanced(by: d) }

    func send(_ text: String) throws {
        try socket.write(Array(text.utf8) + [10], deadline: RawClient.deadline())
    }

    func sendBytes(_ bytes: [UInt8]) throws {
        try socket.write(bytes, deadline: RawClient.deadline())
    }

    func send(_ message: ClientMessage) throws {
        try socket.write(Codec.encode(message), deadline: RawClient.deadline())
    }

    /// The next line as text, nil at EOF.
    func readLine(timeout: Duration = .seconds(10)) throws -> String? {
        try socket.readLine(maxLength: 64 << 20, deadline: RawClient.deadline(timeout)).map { String(decoding: $0, as: UTF8.self) }
    }

    /// The next hub message; fails the test at EOF.
    func read(timeout: Duration = .seconds(10)) throws -> HubMessage {
        let line = try #require(try socket.readLine(maxLength: 64 << 20, deadline: RawClient.deadline(timeout)),
                                "the hub closed the connection")
        return try Codec.decodeHub(line)
    }

    /// Reads an error line and checks its code and that it is fatal exactly when the code is; returns `retry_after`.
    @discardableResult
    func expectError(_ code: ErrorCode, timeout: Duration = .seconds(10),
                     sourceLocation: SourceLocation = #_sourceLocation) throws -> Int? {
        try expectErrorLine(code, timeout: timeout, sourceLocation: sourceLocation).retryAfter
    }

    /// Reads an error line and checks its code, its `fatal` flag and its message; returns the line's
    /// `message`, `retry_after` and `expected_seq`.
    @discardableResult
    func expectErrorLine(_ code: ErrorCode, timeout: Duration = .seconds(10), sourceLocation: SourceLocation = #_sourceLocation)
        throws -> (message: String, retryAfter: Int?, expectedSeq: Int64?) {
        let message = try read(timeout: timeout)
        guard case .error(let got, let text, let fatal, let retryAfter, let expectedSeq) = message else {
            Issue.record("expected error \(code.rawValue), got \(message.type)", sourceLocation: sourceLocation)
            return ("", nil, nil)
        }
        #expect(got == code, "message: \(text)", sourceLocation: sourceLocation)
        #expect(fatal == code.isFatal, sourceLocation: sourceLocation)
        #expect(!text.isEmpty, sourceLocation: sourceLocation)
        return (text, retryAfter, expectedSeq)
    }

    /// Expects the hub to close the connection (EOF or reset) within the timeout.
    func expectClosed(timeout: Duration = .seconds(10), sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            let line = try socket.readLine(maxLength: 64 << 20, deadline: RawClient.deadline(timeout))
            #expect(line == nil, "expected EOF, got a line", sourceLocation: sourceLocation)
        } catch let error as NetError {
            #expect(error.code == .connectionReset || error.code == .closed, "\(error)", sourceLocation: sourceLocation)
        } catch {
            Issue.record("unexpected \(error)", sourceLocation: sourceLocation)
        }
    }

    func helloLine(_ node: String, proto: Int = 1, hub: String = "", epoch: String = "", cursor: Int64 = 0) -> String {
        #"{"type":"hello","protocol":\#(proto),"node":"\#(node)","client":"hamlet-test/1","hub":"\#(hub)","epoch":"\#(epoch)","cursor":\#(cursor),"clock":\#(wallMillisNow())}"#
    }

    /// Sends hello; returns the challenge nonce.
    func hello(_ node: String, hub: String = "", epoch: String = "", cursor: Int64 = 0) throws -> String {
        try send(helloLine(node, hub: hub, epoch: epoch, cursor: cursor))
        let message = try read()
        guard case .challenge(let nonce) = message else {
            Issue.record("expected a challenge, got \(message)")
            return ""
        }
        return nonce
    }

    func login(_ node: TestNode, hub: String = "", epoch: String = "", cursor: Int64 = 0) throws -> HubMessage.Welcome {
        let nonce = try hello(node.id, hub: hub, epoch: epoch, cursor: cursor)
        let proof = try #require(Credentials.proof(secret: node.secret, nonce: nonce, node: node.id))
        try send(#"{"type":"auth","proof":"\#(proof)"}"#)
        let message = try read()
        guard case .welcome(let welcome) = message else {
            throw TestFailure("expected welcome, got \(message)")
        }
        return welcome
    }

    func push(_ batch: Int64, _ changes: [Change]) throws -> [ChangeResult] {
        try send(.push(batch: batch, changes: changes))
        let message = try read()
        guard case .ack(let got, let results) = message else { throw TestFailure("expected ack, got \(message)") }
        #expect(got == batch)
        return results
    }

    func pull(cursor: Int64, limit: Int? = nil) throws -> (items: [PullItem], cursor: Int64, head: Int64, done: Bool) {
        try send(.pull(cursor: cursor, limit: limit))
        let message = try read()
        guard case .page(let items, let next, let head, let done, _) = message else {
            throw TestFailure("expected page, got \(message)")
        }
        return (items, next, head, done)
    }

    /// Pulls until done; returns every item and the final cursor.
    func pullAll(from cursor: Int64 = 0, limit: Int? = nil) throws -> (items: [PullItem], cursor: Int64, pages: Int) {
        var all: [PullItem] = []
        var at = cursor
        var pages = 0
        while true {
            let page = try pull(cursor: at, limit: limit)
            pages += 1
            all += page.items
            #expect(page.cursor >= at)
            at = page.cursor
            if page.done { return (all, at, pages) }
            if pages > 10_000 { throw TestFailure("pull never finished") }
        }
    }

    func close() { socket.close() }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

/// Builds register changes.
enum Changes {
    static func newRowID() -> String {
        var rng = SystemRandomNumberGenerator()
        return RowID.make(unixMillis: wallMillisNow(), using: &rng)
    }

    static func stamp(_ node: String, counter: Int64 = 0) -> HLC {
        HLC(wall: wallMillisNow(), counter: counter, node: node)
    }

    /// A new household (address and village only).
    static func household(_ node: TestNode, seq: Int64, row: String = newRowID(), address: String = "北赵村一组 12 号",
                          village: String? = nil) -> Change {
        Change(node: node.id, seq: seq, table: "households", row: row, op: .put,
               values: ["village": .text(village ?? node.village), "address": .text(address)],
               bases: ["village": 0, "address": 0], rowBase: 0, hlc: stamp(node.id, counter: seq), author: "clerk", epoch: "")
    }

    /// An edit of one field of an existing row.
    static func edit(_ node: TestNode, seq: Int64, table: String = "households", row: String, field: String, value: Value,
                     base: Int64, epoch: String = "") -> Change {
        Change(node: node.id, seq: seq, table: table, row: row, op: .put, values: [field: value], bases: [field: base],
               rowBase: base, hlc: stamp(node.id, counter: seq), author: "clerk", epoch: epoch)
    }

    /// A new person with a bad `sex` value (rejected by validation).
    static func invalidPerson(_ node: TestNode, seq: Int64) -> Change {
        Change(node: node.id, seq: seq, table: "people", row: newRowID(), op: .put,
               values: ["village": .text(node.village), "name": .text("张三"), "sex": .text("X"), "birth_date": .text("1990-01-01")],
               bases: [:], rowBase: 0, hlc: stamp(node.id, counter: seq), author: "clerk", epoch: "")
    }
}

/// Waits until `condition` holds or `timeout` passes; polls every 20 ms.
func waitUntil(_ timeout: Duration = .seconds(10), _ condition: () throws -> Bool) rethrows -> Bool {
    let end = ContinuousClock.now.advanced(by: timeout)
    while ContinuousClock.now < end {
        if try condition() { return true }
        Thread.sleep(forTimeInterval: 0.02)
    }
    return try condition()
}
