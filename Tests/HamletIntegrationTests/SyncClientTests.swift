import Foundation
import HamletCore
import HamletHub
import HamletNet
import HamletNode
import HamletProtocol
import HamletStore
import HamletTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

// MARK: Fixtures

/// Drops the hub's log lines (tests check state, not logs).
struct QuietLogger: HubLogger {
    func log(_ line: String) {}
}

/// Valid register values for tests.
enum Register {
    static func person(_ name: String, village: String, index: Int, sex: String = "F") -> Fields {
        let birth = CalendarDate(year: 1960 + index % 40, month: 1 + index % 12, day: 1 + index % 28) ?? CalendarDate(year: 1980, month: 1, day: 1)!
        let sequence = (index * 2 + (sex == "M" ? 1 : 0)) % 1000
        return ["village": .text(village), "name": .text(name), "sex": .text(sex), "birth_date": .text(birth.description),
                "national_id": .text(NationalID.make(region: 430521, birth: birth, sequence: sequence))]
    }
}

/// A hub store in a temp folder, served by an in-process `HubServer` on a loopback port.
final class HubFixture {
    let directory: String
    private(set) var server: HubServer?
    private(set) var address: SocketAddress = .loopback()
    var limits: Limits

    init(directory: String, limits: Limits = .standard) throws {
        self.directory = directory
        self.limits = limits
        if !FileManager.default.fileExists(atPath: HubStore.path(in: directory)) {
            _ = try HubStore.create(directory: directory)
        }
    }

    /// Registers a node and returns its secret.
    func register(node: String, village: String, secret: String = Credentials.makeSecret()) throws -> String {
        let store = try HubStore.open(directory: directory)
        try store.addNode(id: node, village: village, secretHash: Credentials.storedKey(secret: secret) ?? "",
                          wallMillis: wallMillisNow())
        return secret
    }

    func start() throws {
        let s = try HubServer(configuration: HubServerConfiguration(
            directory: directory, listen: .loopback(), limits: limits, readers: 2, logger: QuietLogger(),
            authThrottle: AuthThrottlePolicy(baseDelay: .milliseconds(10), maxDelay: .milliseconds(50), maxFailures: 100,
                                             window: .seconds(60))))
        address = try s.start().protocol
        server = s
    }

    func stop() {
        server?.stop(grace: .seconds(2))
        server = nil
    }

    /// A fresh read of the hub store.
    func store() throws -> HubStore { try HubStore.open(directory: directory, readOnly: true) }
}

/// A node folder with its replica and secret file.
struct NodeFixture {
    let node: String
    let village: String
    let directory: String

    init(root: TempDir, node: String, village: String, hub: HubFixture, register: Bool = true) throws {
        self.node = node
        self.village = village
        directory = root.file("node-\(node)")
        let secret = register ? try hub.register(node: node, village: village) : Credentials.makeSecret()
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let secretPath = (directory as NSString).appendingPathComponent("node.secret")
        try (secret + "\n").write(toFile: secretPath, atomically: true, encoding: .utf8)
        _ = try Replica.create(directory: directory, node: node, village: village, hub: hub.address.description,
                               secretFile: secretPath)
    }

    func replica() throws -> Replica { try Replica.open(directory: directory) }

    /// Points the replica at the hub's current address (the port changes when a hub restarts).
    func point(at hub: HubFixture) throws {
        try replica().setMeta("hub", hub.address.description)
    }

    func sync(_ options: SyncOptions = SyncOptions(retries: 0)) throws -> SyncSummary {
        try SyncClient.sync(directory: directory, options: options)
    }
}

/// Every replica's digest equals the hub's digest of its village, and its visible tables equal the hub's live rows.
func expectConverged(_ nodes: [NodeFixture], hub: HubFixture, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let store = try hub.store()
    for n in nodes {
        let r = try n.replica()
        #expect(try r.digest() == store.digest(village: n.village), "digest of \(n.node)", sourceLocation: sourceLocation)
        for t in r.schema.tables {
            var visible: [String: Fields] = [:]
            for (id, f) in try r.list(table: t.name, limit: 1_000_000) { visible[id] = f }
            var live: [String: Fields] = [:]
            for row in try store.snapshot(village: n.village, table: t, afterID: "", limit: 1_000_000) where !row.deleted {
                live[row.id] = row.values
            }
            #expect(visible == live, "visible \(t.name) of \(n.node)", sourceLocation: sourceLocation)
        }
        #expect(try r.log(pendingOnly: true).isEmpty, "nothing pending on \(n.node)", sourceLocation: sourceLocation)
    }
}

// MARK: Tests

@Suite("Sync client over loopback TCP", .serialized)
struct SyncClientTests {
    @Test("two nodes of one village and one of another converge; conflicts appear at the hub")
    func convergence() throws {
        let tmp = TempDir("sync-converge")
        defer { tmp.remove() }
        let hub = try HubFixture(directory: tmp.file("hub"))
        try hub.start()
        defer { hub.stop() }
        let a1 = try NodeFixture(root: tmp, node: "a1", village: "东村", hub: hub)
        let a2 = try NodeFixture(root: tmp, node: "a2", village: "东村", hub: hub)
        let b1 = try NodeFixture(root: tmp, node: "b1", village: "西村", hub: hub)
        var rng = SystemRandomNumberGenerator()
        let now = wallMillisNow()

        // a1 registers three people; a2 gets them.
        var ids: [String] = []
        do {
            let r = try a1.replica()
            for (i, name) in ["王芳", "李娜", "张伟"].enumerated() {
                ids.append(try r.insert(table: "people", values: Register.person(name, village: "东村", index: i),
                                        author: "clerk-a1", wallMillis: now + Int64(i), rng: &rng).id)
            }
        }
        let first = try a1.sync()
        #expect(first.pushed == 3 && first.accepted == 3 && first.rejected == 0)
        #expect(first.verify == "match")
        let got = try a2.sync()
        #expect(got.pulled == 3)
        #expect(try a2.replica().list(table: "people").count == 3)

        // Offline edits: the same field on two nodes (a review conflict), different fields, a delete, another village.
        try a1.replica().update(table: "people", id: ids[0], values: ["name": .text("王芳芳")], author: "clerk-a1", wallMillis: now + 100)
        try a1.replica().update(table: "people", id: ids[1], values: ["phone": .text("13800138000")], author: "clerk-a1",
                                wallMillis: now + 101)
        try a2.replica().update(table: "people", id: ids[0], values: ["name": .text("王小芳")], author: "doctor-a2", wallMillis: now + 102)
        try a2.replica().update(table: "people", id: ids[1], values: ["marital_status": .text("married")], author: "doctor-a2",
                                wallMillis: now + 103)
        try a2.replica().delete(table: "people", id: ids[2], author: "doctor-a2", wallMillis: now + 104)
        _ = try b1.replica().insert(table: "people", values: Register.person("赵敏", village: "西村", index: 7),
                                    author: "clerk-b1", wallMillis: now + 105, rng: &rng)

        let s2 = try a2.sync()
        #expect(s2.pushed == 3 && s2.accepted == 3)
        _ = try b1.sync()
        let s1 = try a1.sync()
        #expect(s1.pushed == 2)
        #expect(s1.conflicted == 1, "the name edited on both nodes")
        _ = try a2.sync()
        _ = try b1.sync()

        let store = try hub.store()
        let conflicts = try store.conflicts()
        #expect(conflicts.contains { $0.row == ids[0] && $0.field == "name" })
        #expect(try store.conflicts(village: "西村").isEmpty)
        try expectConverged([a1, a2, b1], hub: hub)
        // Edits to different fields of one row both hold.
        let row = try #require(try a1.replica().list(table: "people", filters: [("id", .text(ids[1]))]).first?.1)
        #expect(row["phone"] == .text("13800138000") && row["marital_status"] == .text("married"))
        #expect(try a1.replica().list(table: "people").count == 2)
        #expect(try b1.replica().list(table: "people").count == 1)
        let status = try a1.replica().info()
        #expect(status.lastSyncResult?.contains("pushed") == true)
        #expect(status.verify == "match")
    }

    @Test("a change the hub rejects stays in the node's log, marked rejected, and the row shows the hub's value")
    func rejectedChangeStays() throws {
        let tmp = TempDir("sync-reject")
        defer { tmp.remove() }
        let hub = try HubFixture(directory: tmp.file("hub"))
        try hub.start()
        defer { hub.stop() }
        let a1 = try NodeFixture(root: tmp, node: "a1", village: "东村", hub: hub)
        var rng = SystemRandomNumberGenerator()
        let r = try a1.replica()
        let id = try r.insert(table: "people", values: Register.person("王芳", village: "东村", index: 1), author: "c",
                              wallMillis: wallMillisNow(), rng: &rng).id
        _ = try a1.sync()
        let bad = try r.update(table: "people", id: id, values: ["name": .text("王芳二")], author: "c", wallMillis: wallMillisNow())
        // Tamper with the stored change so that the hub's validation refuses it (local validation would not let it in).
        try r.sqliteFile().run("UPDATE _changes SET vals = ?2 WHERE seq = ?1", [.integer(bad.seq), .text(#"{"sex":"X"}"#)])
        try r.sqliteFile().run("UPDATE _changes SET bases = ?2 WHERE seq = ?1",
                             [.integer(bad.seq), .text(#"{"sex":1}"#)])
        let s = try a1.sync()
        #expect(s.rejected == 1 && s.pushed == 1)
        let log = try a1.replica().log(pendingOnly: false)
        let entry = try #require(log.first { $0.change.seq == bad.seq })
        #expect(entry.state == "rejected")
        #expect(entry.code != nil && entry.message != nil)
        #expect(try a1.replica().list(table: "people").first?.1["name"] == .text("王芳"))
        // A second sync does not push it again.
        #expect(try a1.sync().pushed == 0)
        try expectConverged([a1], hub: hub)
    }

    @Test("resync rebuilds the replica, keeps unpushed edits and pushes them")
    func resyncKeepsPendingEdits() throws {
        let tmp = TempDir("sync-resync")
        defer { tmp.remove() }
        let hub = try HubFixture(directory: tmp.file("hub"))
        try hub.start()
        defer { hub.stop() }
        let a1 = try NodeFixture(root: tmp, node: "a1", village: "东村", hub: hub)
        let a2 = try NodeFixture(root: tmp, node: "a2", village: "东村", hub: hub)
        var rng = SystemRandomNumberGenerator()
        var ids: [String] = []
        for i in 0..<30 {
            ids.append(try a1.replica().insert(table: "people", values: Register.person("人\(i)", village: "东村", index: i),
                                               author: "c", wallMillis: wallMillisNow(), rng: &rng).id)
        }
        _ = try a1.sync()
        _ = try a2.sync()
        // Offline on a2: an edit, an insert, a delete, then an edit of a field a1 also changes.
        try a2.replica().update(table: "people", id: ids[0], values: ["phone": .text("13900000000")], author: "d", wallMillis: wallMillisNow())
        let newID = try a2.replica().insert(table: "people", values: Register.person("新人", village: "东村", index: 99),
                                            author: "d", wallMillis: wallMillisNow(), rng: &rng).id
        try a2.replica().delete(table: "people", id: ids[5], author: "d", wallMillis: wallMillisNow())
        try a1.replica().update(table: "people", id: ids[1], values: ["name": .text("改名")], author: "c", wallMillis: wallMillisNow())
        _ = try a1.sync()

        let pages = Lines()
        let options = SyncOptions(batchSize: 7, retries: 0, progress: { p in pages.append(p.phase.rawValue) })
        let s = try SyncClient.resync(directory: a2.directory, options: options)
        #expect(s.resynced && s.resyncReason == "asked")
        #expect(s.snapshotRows == 30)
        #expect(s.pushed == 3 && s.accepted == 3)
        #expect(s.verify == "match")
        #expect(pages.all.contains("snapshot"))
        #expect(!FileManager.default.fileExists(atPath: Replica.path(in: a2.directory) + ".resync"))
        let r = try a2.replica()
        #expect(try r.list(table: "people", filters: [("id", .text(newID))]).count == 1)
        #expect(try r.list(table: "people", filters: [("id", .text(ids[1]))]).first?.1["name"] == .text("改名"))
        #expect(try r.log(pendingOnly: false).filter { $0.state == "accepted" }.count == 3)
        _ = try a1.sync()
        try expectConverged([a1, a2], hub: hub)
    }

    @Test("a replaced hub (new store, same node registered) makes the node resync and re-push what it lost")
    func replacedHubForcesResync() throws {
        let tmp = TempDir("sync-replaced")
        defer { tmp.remove() }
        let hub = try HubFixture(directory: tmp.file("hub"))
        try hub.start()
        let a1 = try NodeFixture(root: tmp, node: "a1", village: "东村", hub: hub)
        var rng = SystemRandomNumberGenerator()
        for i in 0..<5 {
            _ = try a1.replica().insert(table: "people", values: Register.person("人\(i)", village: "东村", index: i),
                                        author: "c", wallMillis: wallMillisNow(), rng: &rng)
        }
        _ = try a1.sync()
        hub.stop()

        let secret = try String(contentsOfFile: (a1.directory as NSString).appendingPathComponent("node.secret"), encoding: .utf8)
        let hub2 = try HubFixture(directory: tmp.file("hub2"))
        _ = try hub2.register(node: "a1", village: "东村", secret: secret.trimmingCharacters(in: .whitespacesAndNewlines))
        try hub2.start()
        defer { hub2.stop() }
        try a1.point(at: hub2)
        let s = try a1.sync()
        #expect(s.resynced)
        #expect(s.resyncReason == "hub replaced")
        #expect(s.requeued == 5 && s.pushed == 5)
        #expect(s.hubID == (try hub2.store().hubID()))
        #expect(try hub2.store().head() == 5)
        try expectConverged([a1], hub: hub2)
        #expect(try a1.sync().resynced == false)
    }

    @Test("a connection cut mid-push loses nothing; the next sync converges with nothing applied twice",
          arguments: [(up: 2_000, down: Int.max), (up: Int.max, down: 1_200)])
    func cutMidPush(limits: (up: Int, down: Int)) throws {
        let tmp = TempDir("sync-cut")
        defer { tmp.remove() }
        let hub = try HubFixture(directory: tmp.file("hub"))
        try hub.start()
        defer { hub.stop() }
        let proxy = try TCPProxy(target: hub.address.port)
        proxy.cutNext(1, up: limits.up, down: limits.down)
        defer { proxy.stop() }
        let a1 = try NodeFixture(root: tmp, node: "a1", village: "东村", hub: hub)
        try a1.replica().setMeta("hub", "127.0.0.1:\(proxy.port)")
        var rng = SystemRandomNumberGenerator()
        for i in 0..<40 {
            _ = try a1.replica().insert(table: "people", values: Register.person("人\(i)", village: "东村", index: i),
                                        author: "c", wallMillis: wallMillisNow(), rng: &rng)
        }
        let options = SyncOptions(batchSize: 4, retries: 0)
        #expect(throws: SyncError.self) { try a1.sync(options) }
        #expect(proxy.cuts >= 1)
        let afterCut = try a1.replica().log(pendingOnly: false)
        #expect(afterCut.contains { $0.state == "pending" }, "the cut came before the last ack")

        let s = try a1.sync(options)
        #expect(s.rejected == 0)
        let store = try hub.store()
        #expect(try store.head() == 40, "each change applied once")
        #expect(try store.lastSeq(node: "a1") == 40)
        #expect(try a1.replica().log(pendingOnly: false).allSatisfy { $0.state == "accepted" })
        try expectConverged([a1], hub: hub)
    }

    @Test("errors map to codes: unreachable, refused, not configured")
    func errorCodes() throws {
        let tmp = TempDir("sync-errors")
        defer { tmp.remove() }
        let hub = try HubFixture(directory: tmp.file("hub"))
        try hub.start()
        let good = try NodeFixture(root: tmp, node: "a1", village: "东村", hub: hub)
        let stranger = try NodeFixture(root: tmp, node: "zz", village: "东村", hub: hub, register: false)
        do {
            _ = try stranger.sync()
            Issue.record("an unregistered node synced")
        } catch let e as SyncError {
            #expect(e.code == .refused && e.hubCode == "auth-failed" && e.exitCode == 77)
        }
        try good.replica().setMeta("hub", nil)
        do {
            _ = try good.sync()
            Issue.record("synced without a hub address")
        } catch let e as SyncError {
            #expect(e.code == .notConfigured && e.exitCode == 64)
        }
        try good.replica().setMeta("hub", hub.address.description)
        hub.stop()
        do {
            _ = try good.sync()
            Issue.record("synced with the hub stopped")
        } catch let e as SyncError {
            #expect(e.code == .unreachable && e.exitCode == 75)
        }
        do {
            _ = try SyncClient.sync(directory: tmp.file("nowhere"), options: SyncOptions(retries: 0))
            Issue.record("synced without a replica")
        } catch let e as SyncError {
            #expect(e.code == .notConfigured)
        }
    }

    @Test("watch syncs soon after a local edit and stops when asked")
    func watchPicksUpEdits() throws {
        let tmp = TempDir("sync-watch")
        defer { tmp.remove() }
        let hub = try HubFixture(directory: tmp.file("hub"))
        try hub.start()
        defer { hub.stop() }
        let a1 = try NodeFixture(root: tmp, node: "a1", village: "东村", hub: hub)
        let stop = Flag()
        let lines = Lines()
        let dir = a1.directory
        let t = Thread {
            SyncClient.watch(directory: dir, options: SyncOptions(verify: false), interval: .seconds(600),
                             shouldStop: { stop.value }, log: { lines.append($0) })
            stop.done()
        }
        t.start()
        defer { stop.set() }
        #expect(waitUntil(.seconds(10)) { lines.count >= 1 }, "the first sync runs at once")
        var rng = SystemRandomNumberGenerator()
        _ = try a1.replica().insert(table: "people", values: Register.person("王芳", village: "东村", index: 1), author: "c",
                                    wallMillis: wallMillisNow(), rng: &rng)
        #expect(waitUntil(.seconds(10)) { (try? hub.store().head()) == 1 }, "the edit reached the hub without waiting the interval")
        #expect(lines.all.allSatisfy { $0.hasPrefix("sync ok") })
        stop.set()
        #expect(waitUntil(.seconds(5)) { stop.finished })
    }
}

@Suite("Replica rebuild", .serialized)
struct ReplicaRebuildTests {
    @Test("a stale .resync file is replaced; cancel leaves the old replica whole; finish swaps in the snapshot and keeps the log")
    func rebuildSwap() throws {
        let tmp = TempDir("rebuild")
        defer { tmp.remove() }
        let dir = tmp.file("node")
        var rng = SystemRandomNumberGenerator()
        var old: Replica? = try Replica.create(directory: dir, node: "a1", village: "东村", hub: nil, secretFile: nil)
        let mine = try #require(old).insert(table: "people", values: Register.person("王芳", village: "东村", index: 1), author: "c",
                                             wallMillis: wallMillisNow(), rng: &rng)
        let resyncPath = Replica.path(in: dir) + ".resync"
        try Data("not a database".utf8).write(to: URL(fileURLWithPath: resyncPath))
        let hubRow = RowState(table: "people", id: RowID.make(unixMillis: wallMillisNow(), using: &rng),
                              values: Register.person("李娜", village: "东村", index: 2), versions: ["name": 3, "village": 3],
                              deleted: false, mergedInto: nil, hseq: 3)

        let abandoned = try ReplicaRebuild(replica: try #require(old))
        try abandoned.add([hubRow])
        abandoned.cancel()
        #expect(!FileManager.default.fileExists(atPath: resyncPath))
        #expect(try #require(old).list(table: "people").count == 1)

        let rebuild = try ReplicaRebuild(replica: try #require(old))
        try rebuild.add([hubRow])
        let fresh = try rebuild.finish(head: 3, epoch: "e1", hubID: "h1", lastSeq: 0, clock: nil)
        old = nil
        let info = try fresh.info()
        #expect(info.cursor == 3 && info.epoch == "e1" && info.hubID == "h1" && info.nextSeq == mine.seq + 1)
        #expect(Set(try fresh.list(table: "people").map(\.0)) == [mine.id, hubRow.id])
        #expect(try fresh.log(pendingOnly: true).map(\.change.seq) == [mine.seq])
        #expect(!FileManager.default.fileExists(atPath: resyncPath))
        // rule 11: a hub holding later seqs from this node moves next_seq past them.
        let again = try ReplicaRebuild(replica: fresh)
        let bumped = try again.finish(head: 3, epoch: "e1", hubID: "h1", lastSeq: 40, clock: nil)
        #expect(try bumped.info().nextSeq == 41)
        #expect(try bumped.list(table: "people").count == 1, "the snapshot was empty; the pending insert stays")
    }
}

// MARK: Small thread-safe helpers

final class Flag: @unchecked Sendable {
    // `lock` guards both flags.
    private let lock = NSLock()
    private var raised = false
    private var ended = false
    var value: Bool { lock.withLock { raised } }
    var finished: Bool { lock.withLock { ended } }
    func set() { lock.withLock { raised = true } }
    func done() { lock.withLock { ended = true } }
}

final class Lines: @unchecked Sendable {
    // `lock` guards `items`.
    private let lock = NSLock()
    private var items: [String] = []
    func append(_ s: String) { lock.withLock { items.append(s) } }
    var count: Int { lock.withLock { items.count } }
    var all: [String] { lock.withLock { items } }
}

/// Polls `condition` every 20 ms until it holds or `timeout` passes.
func waitUntil(_ timeout: Duration, _ condition: () -> Bool) -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if condition() { return true }
        Thread.sleep(forTimeInterval: 0.02)
    }
    return condition()
}

// MARK: The node against a scripted hub

/// A hub played from a script over real loopback TCP, for answers a real hub gives only in rare states
/// (`seq-gap`, `resync-required`): each client line is decoded with the protocol's codec, recorded, and
/// answered with the messages `answer` returns (given the message and the ones received before it).
/// One connection at a time, on a thread of its own.
final class ScriptedHub: @unchecked Sendable {
    typealias Answer = @Sendable (ClientMessage, [ClientMessage]) -> [HubMessage]
    // `lock` guards `log` and `stopped`.
    private let lock = NSLock()
    private var log: [ClientMessage] = []
    private var stopped = false
    private let listener: Int32
    private let answer: Answer
    private let lineEnd: [UInt8]
    /// `127.0.0.1:PORT`.
    let address: String

    /// Listens on a fresh loopback port.
    /// - Parameters:
    ///   - crlf: End the hub's lines with `\r\n` instead of `\n`.
    ///   - answer: The script.
    init(crlf: Bool = false, answer: @escaping Answer) throws {
        _ = ignoreSIGPIPE
        self.answer = answer
        lineEnd = crlf ? [13, 10] : [10]
        let (fd, port) = try TCPProxy.listenOnLoopback(backlog: 8)
        listener = fd
        address = "127.0.0.1:\(port)"
        Thread { [self] in serve() }.start()
    }

    deinit { stop() }

    /// Every message received so far, in order.
    var received: [ClientMessage] { lock.withLock { log } }

    /// The `type`s received so far.
    var types: [String] { received.map(\.type) }

    func stop() {
        let first: Bool = lock.withLock {
            defer { stopped = true }
            return !stopped
        }
        guard first else { return }
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    private func serve() {
        while true {
            let fd = accept(listener, nil, nil)
            if fd < 0 {
                if errno == EINTR { continue }
                return
            }
            converse(fd)
            close(fd)
        }
    }

    private func converse(_ fd: Int32) {
        var framer = LineFramer(maxLine: 64 << 20)
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { return }
            framer.append(Array(buffer[0..<n]))
            while let line = try? framer.next() {
                guard let message = try? Codec.decodeClient(line) else { return }
                let before: [ClientMessage] = lock.withLock {
                    defer { log.append(message) }
                    return log
                }
                for reply in answer(message, before) {
                    let bytes = Array(Codec.encode(reply).dropLast()) + lineEnd
                    let sent = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                    if sent != bytes.count { return }
                }
                if message == .bye { return }
            }
        }
    }

    /// The ordinary answers: a challenge, a welcome (`last_seq` as given), every push applied, empty pages,
    /// verify matches, an empty snapshot, bye.
    static func ordinary(_ m: ClientMessage, lastSeq: Int64 = 0) -> [HubMessage] {
        switch m {
        case .hello: return [.challenge(nonce: String(repeating: "ab", count: 32))]
        case .auth:
            return [.welcome(.init(hub: "h", epoch: "e", head: 0, lastSeq: lastSeq, village: "东村", resync: false, reason: nil,
                                   limits: .standard, clock: nil))]
        case .push(let batch, let changes):
            return [.ack(batch: batch, results: changes.map { ChangeResult(seq: $0.seq, status: .applied, hseq: $0.seq) })]
        case .pull(let cursor, _): return [.page(items: [], cursor: cursor, head: cursor, done: true, clock: nil)]
        case .verify: return [.verified(match: true, tables: [])]
        // Never asked: this hub's welcome announces no features (an older hub).
        case .outcomes: return [.conflicts([])]
        case .resync:
            return [.snapshotBegin(head: 0, epoch: "e", hub: "h"), .snapshotEnd(head: 0, count: 0, lastSeq: lastSeq, clock: nil)]
        case .bye: return [.bye]
        }
    }

    /// A push's seqs.
    static func seqs(_ m: ClientMessage) -> [Int64] {
        if case .push(_, let changes) = m { return changes.map(\.seq) }
        return []
    }
}

struct TestError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

@Suite("Sync client against a scripted hub", .serialized)
struct ScriptedHubTests {
    /// A replica of node a1 (东村) pointing at `hub`, with `count` local inserts (seqs 1…count).
    func node(_ tmp: TempDir, hub: ScriptedHub, inserts count: Int) throws -> String {
        let directory = tmp.file("node")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let secretPath = (directory as NSString).appendingPathComponent("node.secret")
        try (Credentials.makeSecret() + "\n").write(toFile: secretPath, atomically: true, encoding: .utf8)
        let replica = try Replica.create(directory: directory, node: "a1", village: "东村", hub: hub.address, secretFile: secretPath)
        var rng = SystemRandomNumberGenerator()
        for i in 0..<count {
            _ = try replica.insert(table: "people", values: Register.person("人\(i)", village: "东村", index: i), author: "c",
                                   wallMillis: wallMillisNow(), rng: &rng)
        }
        return directory
    }

    static let options = SyncOptions(ioTimeout: .seconds(10), retries: 0, verify: false)

    static func gap(_ expected: Int64) -> HubMessage {
        .error(code: .seqGap, message: "push again from seq \(expected)", fatal: false, retryAfter: nil, expectedSeq: expected)
    }

    @Test("seq-gap: the node puts back what the hub lost and pushes again from expected_seq, rejected changes included")
    func seqGapIsRepushedOnce() throws {
        let tmp = TempDir("scripted-gap")
        defer { tmp.remove() }
        // A hub restored from a backup lost seq 1 (which it had rejected) and seq 2 (accepted): welcome says
        // last_seq 0, so the node re-queues seq 2 at once; the gap then brings back the rejected seq 1.
        let hub = try ScriptedHub { m, before in
            if case .push = m, !before.contains(where: { $0.type == "push" }) { return [ScriptedHubTests.gap(1)] }
            return ScriptedHub.ordinary(m)
        }
        defer { hub.stop() }
        let directory = try node(tmp, hub: hub, inserts: 4)
        let replica = try Replica.open(directory: directory)
        try replica.recordResults([ChangeResult(seq: 1, status: .rejected, code: "invalid-enum", message: "people.sex"),
                                   ChangeResult(seq: 2, status: .applied, hseq: 2)], wallMillis: wallMillisNow())
        let s = try SyncClient.sync(directory: directory, options: Self.options)
        #expect(hub.types == ["hello", "auth", "push", "push", "pull", "bye"])
        let pushes = hub.received.filter { $0.type == "push" }.map(ScriptedHub.seqs)
        #expect(pushes == [[2, 3, 4], [1, 2, 3, 4]])
        #expect(s.pushed == 4 && s.accepted == 4 && s.requeued == 2)
        #expect(try Replica.open(directory: directory).log(pendingOnly: false).allSatisfy { $0.state == "accepted" })
    }

    @Test("seq-gap naming a seq the node's log does not hold (a damaged log) ends the sync with a clear error")
    func seqGapBeyondTheLog() throws {
        let tmp = TempDir("scripted-gap-beyond")
        defer { tmp.remove() }
        let hub = try ScriptedHub { m, _ in
            if case .push = m { return [ScriptedHubTests.gap(1)] }
            return ScriptedHub.ordinary(m)
        }
        defer { hub.stop() }
        let directory = try node(tmp, hub: hub, inserts: 3)
        try Replica.open(directory: directory).sqliteFile().run("DELETE FROM _changes WHERE seq = 1", [])
        do {
            _ = try SyncClient.sync(directory: directory, options: Self.options)
            Issue.record("the sync succeeded")
        } catch let e as SyncError {
            #expect(e.code == .protocol && e.hubCode == "seq-gap")
            #expect(e.message.contains("seq 1") && e.message.contains("hamlet resync"))
        }
        #expect(try Replica.open(directory: directory).log(pendingOnly: true).map(\.change.seq) == [2, 3])
        #expect(hub.types.filter { $0 == "push" }.count == 1)
    }

    @Test("a second seq-gap in one session ends the sync")
    func secondSeqGapFails() throws {
        let tmp = TempDir("scripted-gap-twice")
        defer { tmp.remove() }
        let hub = try ScriptedHub { m, _ in
            if case .push = m { return [ScriptedHubTests.gap(9)] }
            return ScriptedHub.ordinary(m)
        }
        defer { hub.stop() }
        let directory = try node(tmp, hub: hub, inserts: 2)
        do {
            _ = try SyncClient.sync(directory: directory, options: Self.options)
            Issue.record("the sync succeeded")
        } catch let e as SyncError {
            #expect(e.code == .protocol && e.hubCode == "seq-gap")
        }
        #expect(hub.received.filter { $0.type == "push" }.map(ScriptedHub.seqs) == [[1, 2], [1, 2]])
    }

    @Test("resync-required in answer to a pull: the node resyncs on the same connection and pulls again; lines may end in \\r\\n")
    func resyncRequiredOnPull() throws {
        let tmp = TempDir("scripted-resync")
        defer { tmp.remove() }
        let hub = try ScriptedHub(crlf: true) { m, before in
            if case .pull = m, !before.contains(where: { $0.type == "pull" }) {
                return [.error(code: .resyncRequired, message: "pull is refused until the node resyncs", fatal: false, retryAfter: nil,
                               expectedSeq: nil)]
            }
            return ScriptedHub.ordinary(m)
        }
        defer { hub.stop() }
        let directory = try node(tmp, hub: hub, inserts: 1)
        let s = try SyncClient.sync(directory: directory, options: Self.options)
        #expect(hub.types == ["hello", "auth", "push", "pull", "resync", "pull", "bye"])
        #expect(s.resynced && s.resyncReason == "the hub asked")
        #expect(s.accepted == 1)
    }

    @Test("a welcome with resync:true is obeyed before anything else is sent")
    func welcomeVerdictFirst() throws {
        let tmp = TempDir("scripted-welcome")
        defer { tmp.remove() }
        let hub = try ScriptedHub { m, _ in
            if case .auth = m {
                return [.welcome(.init(hub: "h", epoch: "e", head: 0, lastSeq: 0, village: "东村", resync: true, reason: "hub replaced",
                                       limits: .standard, clock: nil))]
            }
            return ScriptedHub.ordinary(m)
        }
        defer { hub.stop() }
        let directory = try node(tmp, hub: hub, inserts: 1)
        let s = try SyncClient.sync(directory: directory, options: Self.options)
        #expect(hub.types == ["hello", "auth", "resync", "push", "pull", "bye"])
        #expect(s.resynced && s.resyncReason == "hub replaced")
    }
}
