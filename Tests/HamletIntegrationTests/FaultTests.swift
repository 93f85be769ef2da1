import Foundation
import HamletCore
import HamletNode
import HamletStore
import HamletTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

// Faults with real processes (issue 5): connections cut mid-push and mid-pull by a
// proxy, the hub killed with SIGKILL during a big push, the hub down, a wrong secret,
// `sync --watch` and `hub serve` stopped by SIGTERM.

@Suite("Faults with real processes", .serialized)
struct FaultTests {
    @Test("a connection cut mid-push: acked batches stay accepted, the next sync sends only the rest, nothing applied twice")
    func cutMidPush() throws {
        let town = try ProcTownship("fault-push", nodes: [("bz1", "北赵"), ("bz2", "北赵")])
        defer { town.finish() }
        let bz1 = town["bz1"]
        try must(bz1, ["import", "people", "--file", try peopleCSV(town.tmp, count: 2_000)])
        #expect(try bz1.log(pending: true).count == 2_000)

        // A batch of 500 people is ~215 kB on the wire. Every attempt of this sync (the first and
        // its two retries) is cut after 300 kB upstream: one batch acked, the next cut half-way.
        town.proxy.cutNext(3, up: 300_000)
        let cut = try bz1.run(["sync", "--json"])
        #expect(cut.status == 75, "an interrupted sync is a temporary failure: \(cut)")
        #expect(town.proxy.cuts == 3)
        let pendingAfterCut = try bz1.log(pending: true).count
        let head = try town.store().head()
        #expect(pendingAfterCut > 0 && pendingAfterCut < 2_000, "acked batches are marked, the rest pending (\(pendingAfterCut))")
        #expect(head >= Int64(2_000 - pendingAfterCut) && head < 2_000, "the hub holds what it acked (head \(head))")

        // The next sync goes on where it stopped.
        let s = try town.sync("bz1")
        #expect(s.rejected == 0 && s.verify == "match", "\(s)")
        #expect(s.pushed == pendingAfterCut, "only what the hub had not acked is sent again: \(s)")
        #expect(try town.store().head() == 2_000)
        _ = try town.sync("bz2")
        try town.expectConverged()
        try town.expectExactlyOnce()
    }

    @Test("a connection cut mid-pull keeps the pages already stored; the next sync pulls only the rest")
    func cutMidPull() throws {
        let town = try ProcTownship("fault-pull", nodes: [("bz1", "北赵"), ("bz2", "北赵")])
        defer { town.finish() }
        try must(town["bz1"], ["import", "people", "--file", try peopleCSV(town.tmp, count: 2_000)])
        _ = try town.sync("bz1")
        let head = try town.store().head()
        #expect(head == 2_000)

        // A page of 500 people is ~220 kB: each of the three attempts stores a page and is cut in the next.
        town.proxy.cutNext(3, down: 300_000)
        let cut = try town["bz2"].run(["sync", "--json"])
        #expect(cut.status == 75, "\(cut)")
        #expect(town.proxy.cuts == 3)
        let cursor = try #require(try town["bz2"].status()["cursor"] as? Int)
        #expect(cursor > 0 && cursor < 2_000, "whole pages were stored before the cut (cursor \(cursor))")
        let rowsBefore = try town["bz2"].rows("people").count
        #expect(rowsBefore == cursor, "rows stored match the cursor")

        let s = try town.sync("bz2")
        #expect(s.pulled == 2_000 - cursor, "pulled only the rest: \(s)")
        #expect(s.verify == "match" && s.cursor == head)
        try town.expectConverged()
        try town.expectExactlyOnce()
    }

    @Test("the hub killed with SIGKILL during a big push and restarted: the next sync converges, nothing applied twice")
    func hubKilledMidPush() throws {
        let town = try ProcTownship("fault-kill", nodes: [("bz1", "北赵"), ("bz2", "北赵")])
        defer { town.finish() }
        let bz1 = town["bz1"]
        try must(bz1, ["import", "people", "--file", try peopleCSV(town.tmp, count: 2_000)])
        // A slow link, so the push is surely under way when the hub dies.
        town.proxy.throttle(.milliseconds(2))
        let sync = try bz1.start(["sync", "--json"])
        let underWay = sync.waitForLine(in: .stderr, timeout: .seconds(30)) { line in
            guard line.hasPrefix("push "), let done = Int(line.dropFirst(5).prefix { $0.isNumber }) else { return false }
            return done >= 500 && done < 2_000
        }
        #expect(underWay != nil, "progress shows the push under way: \(sync.text(.stderr))")
        let killed = try #require(town.killHub())
        #expect(killed.signal == SIGKILL)
        town.proxy.throttle(nil)
        let headAfterKill = try town.store().head()
        #expect(headAfterKill >= 500 && headAfterKill < 2_000, "the kill came mid-push (hub head \(headAfterKill))")
        #expect(try town.store().sqliteFile().scalar("PRAGMA integrity_check").text == "ok")

        // Restart at once: the running sync's retry may reach the new hub, or give up with 75.
        try town.startHub()
        let result = sync.wait(timeout: .seconds(30))
        #expect(result.status == 0 || result.status == 75, "\(result)")
        let s = try town.sync("bz1")
        #expect(s.rejected == 0 && s.verify == "match", "\(s)")
        #expect(try town.store().head() == 2_000, "each change applied once")
        _ = try town.sync("bz2")
        try town.expectConverged()
        try town.expectExactlyOnce()
        // The digests agree: hamlet verify on both nodes (in expectConverged) and the hub's own count.
        #expect(try town.store().rows(table: "people").count == 2_000)
    }

    @Test("two syncs of one node at once (a watcher and the clerk) and local edits during the pull: converged, nothing twice")
    func concurrentSyncsAndEdits() throws {
        let town = try ProcTownship("fault-concurrent", nodes: [("bz1", "北赵"), ("bz2", "北赵")])
        defer { town.finish() }
        try must(town["bz1"], ["import", "people", "--file", try peopleCSV(town.tmp, count: 1_000)])
        try must(town["bz2"], ["import", "people", "--file", try peopleCSV(town.tmp, count: 300, prefix: "乙", start: 1_000)])
        _ = try town.sync("bz1")
        let bz2 = town["bz2"]
        let first = try bz2.start(["sync", "--json"])
        let second = try bz2.start(["sync", "--json"])
        var added: [String] = []
        for i in 0..<5 {
            let r = try bz2.run(Registry.person("新\(i)", birth: "2001-01-0\(i + 1)", sequence: 600 + i))
            #expect(r.status == 0, "a clerk's edit during a sync is not refused: \(r)")
            added.append(r.line)
        }
        for p in [first, second] {
            let r = p.wait(timeout: .seconds(60))
            #expect(r.status == 0, "\(r)")
        }
        _ = try town.sync("bz2")
        _ = try town.sync("bz1")
        try town.expectConverged()
        try town.expectExactlyOnce()
        #expect(try town.store().head() == 1_305)
        let atHub = Set(try town.store().rows(table: "people").map(\.id))
        #expect(added.allSatisfy { atHub.contains($0) })
    }

    @Test("sync with the hub down exits 75 quickly, and changes nothing")
    func hubDown() throws {
        let town = try ProcTownship("fault-down", nodes: [("bz1", "北赵")], serve: false)
        defer { town.finish() }
        // A node pointed straight at a loopback port nobody listens on.
        let closed = try rawConnectableClosedPort()
        let bz1 = HamletDir(town.tmp.file("node-direct"))
        try must(bz1, ["init", "--node", "bz1", "--village", "北赵", "--hub", "127.0.0.1:\(closed)",
                       "--secret-file", town.secretPath("bz1")])
        try must(bz1, Registry.person("张丽"))
        let before = try bz1.fingerprint()
        let r = try bz1.run(["sync"], timeout: .seconds(30))
        #expect(r.status == 75, "\(r)")
        #expect(r.stderr.contains("error[unreachable]") || r.stderr.contains("unreachable"), "\(r.stderr)")
        #expect(r.elapsed < .seconds(10), "retries are short (\(r.elapsed))")
        #expect(try bz1.fingerprint() == before)
    }

    @Test("a wrong secret or an unregistered node exits 77 and pushes nothing")
    func wrongSecret() throws {
        let town = try ProcTownship("fault-secret", nodes: [("bz1", "北赵")])
        defer { town.finish() }
        // A node initialised with a secret the hub never issued.
        let fake = town.tmp.file("fake.secret")
        try Data((String(repeating: "ab", count: 32) + "\n").utf8).write(to: URL(fileURLWithPath: fake))
        let impostor = HamletDir(town.tmp.file("node-impostor"))
        try must(impostor, ["init", "--node", "bz1", "--village", "北赵", "--hub", town.proxy.address, "--secret-file", fake])
        try must(impostor, Registry.person("冒名"))
        let r = try impostor.run(["sync"])
        #expect(r.status == 77, "\(r)")
        #expect(r.stderr.contains("auth"), "\(r.stderr)")
        #expect(try impostor.log(pending: true).count == 1, "still pending")
        // A node the hub does not know, with a real secret of another node.
        let stranger = HamletDir(town.tmp.file("node-stranger"))
        try must(stranger, ["init", "--node", "xz", "--village", "北赵", "--hub", town.proxy.address,
                            "--secret-file", town.secretPath("bz1")])
        try must(stranger, Registry.person("陌生"))
        #expect(try stranger.run(["sync"]).status == 77)
        #expect(try town.store().head() == 0, "nothing reached the hub")
        // The real node with its real secret, but a replica made for another village: refused at login.
        let misplaced = HamletDir(town.tmp.file("node-misplaced"))
        try must(misplaced, ["init", "--node", "bz1", "--village", "南赵", "--hub", town.proxy.address,
                             "--secret-file", town.secretPath("bz1")])
        let m = try misplaced.run(["sync"])
        #expect(m.status == 77, "\(m)")
        #expect(m.stderr.contains("another village"), "\(m.stderr)")
        #expect(try town.store().head() == 0, "nothing reached the hub")
        // The real node still syncs.
        try must(town["bz1"], Registry.person("张丽"))
        #expect(try town.sync("bz1").accepted == 1)
    }

    @Test("sync --watch as a process syncs a local edit soon after it is made and stops with exit 0 on SIGTERM")
    func watchProcess() throws {
        let town = try ProcTownship("fault-watch", nodes: [("bz1", "北赵"), ("bz2", "北赵")])
        defer { town.finish() }
        let watch = try town["bz1"].start(["sync", "--watch", "--interval", "600"])
        defer { watch.kill() }
        #expect(watch.waitForLine(in: .stderr, timeout: .seconds(15)) { $0.hasPrefix("sync ok") } != nil,
                "the first sync runs at once: \(watch.text(.stderr))")
        let id = try must(town["bz1"], Registry.person("张丽"))
        let reached = try eventually(.seconds(15)) {
            try town.store().rows(table: "people").contains { $0.id == id }
        }
        #expect(reached, "the edit reached the hub without waiting the 600 s interval: \(watch.text(.stderr))")
        #expect(try eventually(.seconds(10)) { try town["bz1"].log(pending: true).isEmpty })
        // A change made elsewhere is not pulled until the next sync; the watcher keeps running.
        #expect(!watch.hasExited)
        watch.terminate()
        let r = watch.wait(timeout: .seconds(15))
        #expect(r.status == 0 && r.signal == nil && !r.timedOut, "SIGTERM stops the watcher cleanly: \(r)")
        #expect(!r.stderr.contains("sync failed"), "\(r.stderr)")
    }

    @Test("sync --watch keeps retrying while the hub is down and syncs once it is back")
    func watchWhileHubDown() throws {
        let town = try ProcTownship("fault-watch-down", nodes: [("bz1", "北赵")], serve: false)
        defer { town.finish() }
        let id = try must(town["bz1"], Registry.person("张丽"))
        let watch = try town["bz1"].start(["sync", "--watch", "--interval", "600"])
        defer { watch.kill() }
        #expect(watch.waitForLine(in: .stderr, timeout: .seconds(15)) { $0.contains("unreachable") || $0.contains("fail") } != nil,
                "one line per failed attempt: \(watch.text(.stderr))")
        try town.startHub()
        // The watcher's backoff starts at 5 s.
        let reached = try eventually(.seconds(20)) { try town.store().rows(table: "people").contains { $0.id == id } }
        #expect(reached, "\(watch.text(.stderr))")
        watch.terminate()
        let r = watch.wait(timeout: .seconds(15))
        #expect(r.status == 0 && r.signal == nil, "\(r)")
    }

    @Test("hub serve stops with exit 0 on SIGTERM and SIGINT, also with a client connected and idle")
    func serveStopsCleanly() throws {
        let tmp = TempDir("fault-serve")
        defer { tmp.remove() }
        let hub = HamletDir(tmp.file("hub"))
        try must(hub, ["hub", "init"])
        for sig in [SIGTERM, SIGINT] {
            let server = try Hamlet.startServer(dir: hub.path)
            // An idle client holding a connection open; its answered line shows the hub is serving.
            let fd = try rawConnect(server.port)
            defer { close(fd) }
            #expect(rawExchange(fd, "{}\n").contains("error"), "the hub answers a malformed line")
            server.process.send(sig)
            let r = server.process.wait(timeout: .seconds(15))
            #expect(r.status == 0 && r.signal == nil && !r.timedOut, "signal \(sig): \(r)")
            #expect(r.elapsed < .seconds(12), "the grace period bounds the stop")
            do {
                #expect(r.stderr.components(separatedBy: "\n").filter { $0 == "hub stopped" }.count == 1, "\(r.stderr)")
            }
        }
        #expect(try hub.run(["hub", "nodes", "--json"]).status == 0, "the store is usable afterwards")
    }

    @Test("a SIGTERM sent as soon as hub serve prints its listening line stops it with exit 0")
    func serveEarlySignal() throws {
        let tmp = TempDir("fault-early")
        defer { tmp.remove() }
        let hub = HamletDir(tmp.file("hub"))
        try must(hub, ["hub", "init"])
        var outcomes: [String] = []
        for _ in 0..<8 {
            let server = try Hamlet.startServer(dir: hub.path)
            server.process.terminate()
            let r = server.process.wait(timeout: .seconds(2))
            outcomes.append(r.timedOut ? "hung" : r.signal.map { "signal \($0)" } ?? "exit \(r.status)")
        }
        #expect(outcomes.allSatisfy { $0 == "exit 0" }, "signal handling is in place before 'listening' is printed: \(outcomes)")
    }
}

/// A blocking loopback TCP connection to `port`.
func rawConnect(_ port: UInt16) throws -> Int32 {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_port = port.bigEndian
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    let connected = withUnsafePointer(to: &addr) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard connected == 0 else {
        close(fd)
        throw ProcessRunnerError("connect to \(port): errno \(errno)")
    }
    return fd
}

/// Sends `line` and returns the first line that comes back within 5 s ("" if none).
func rawExchange(_ fd: Int32, _ line: String) -> String {
    let bytes = Array(line.utf8)
    _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    var got: [UInt8] = []
    let deadline = ContinuousClock.now + .seconds(5)
    while ContinuousClock.now < deadline, !got.contains(10) {
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&p, 1, 100) >= 0 else { break }
        if p.revents == 0 { continue }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if n <= 0 { break }
        got += buffer[0..<n]
    }
    return String(decoding: got, as: UTF8.self)
}

/// A loopback port that was just bound and closed: connecting to it is refused.
func rawConnectableClosedPort() throws -> UInt16 {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    var len = socklen_t(MemoryLayout<sockaddr_in>.size)
    let ok = withUnsafeMutablePointer(to: &addr) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) == 0 && getsockname(fd, $0, &len) == 0 }
    }
    close(fd)
    guard ok else { throw ProcessRunnerError("bind: errno \(errno)") }
    return UInt16(bigEndian: addr.sin_port)
}
