import Foundation
import HamletTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

// Issue 16, item 5: `hamlet sync` has one budget for the whole wait on the hub (`--timeout`), and a busy replica
// is a temporary failure (75) everywhere, as the README's exit-code table says.

/// A loopback listener that never accepts: the kernel completes the handshake, then nothing is ever said.
final class StalledListener {
    let fd: Int32
    let port: UInt16

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, len) == 0 && getsockname(fd, $0, &len) == 0
            }
        }
        guard ok, listen(fd, 16) == 0 else {
            close(fd)
            throw ProcessRunnerError("stalled listener: errno \(errno)")
        }
        self.fd = fd
        port = UInt16(bigEndian: addr.sin_port)
    }

    deinit { close(fd) }
}

@Suite("Deadlines and exit codes of sync", .serialized)
struct DeadlineCLITests {
    @Test("a hub that accepts and never answers: sync --timeout 3 exits 75 in about 3 s, retries included")
    func stalledHubEndsAtTheBudget() throws {
        let town = try ProcTownship("stalled", nodes: [("bz1", "北赵")], serve: false)
        defer { town.finish() }
        let stalled = try StalledListener()
        let bz1 = HamletDir(town.tmp.file("node-stalled"))
        try must(bz1, ["init", "--node", "bz1", "--village", "北赵", "--hub", "127.0.0.1:\(stalled.port)",
                       "--secret-file", town.secretPath("bz1")])
        let r = try bz1.run(["sync", "--timeout", "3"], timeout: .seconds(60))
        print("measured: sync --timeout 3 against a stalled hub ended after \(r.elapsed) with \(r.status)")
        #expect(r.status == 75, "\(r)")
        #expect(r.elapsed >= .milliseconds(2_800) && r.elapsed < .seconds(6), "ended after \(r.elapsed)")
        #expect(r.stderr.contains("3 s") && r.stderr.contains("--timeout"), "\(r.stderr)")
        let zh = try bz1.run(["sync", "--timeout", "2", "--lang", "zh"], timeout: .seconds(60))
        #expect(zh.status == 75 && zh.stderr.contains("2 秒内没有回应"), "\(zh)")
        let bad = try bz1.run(["sync", "--timeout", "0"])
        #expect(bad.status == 64, "\(bad)")
    }

    @Test("resync while a sync of the same node runs exits 75 (busy), not 74")
    func resyncDuringSyncIsBusy() throws {
        let town = try ProcTownship("busy", nodes: [("bz1", "北赵")])
        defer { town.finish() }
        let bz1 = town["bz1"]
        try must(bz1, ["import", "people", "--file", try peopleCSV(town.tmp, count: 2_000)])
        // A slow link keeps the sync (and its open replica) busy while the resync runs.
        town.proxy.throttle(.milliseconds(2))
        let sync = try bz1.start(["sync", "--json"])
        let underWay = sync.waitForLine(in: .stderr, timeout: .seconds(30)) { $0.hasPrefix("push ") }
        #expect(underWay != nil, "the sync is under way: \(sync.text(.stderr))")
        let resync = try bz1.run(["resync"], timeout: .seconds(120))
        town.proxy.throttle(nil)
        let done = sync.wait(timeout: .seconds(120))
        #expect(resync.status == 75, "resync during a sync: \(resync)")
        #expect(resync.stderr.contains("error[busy]"), "\(resync.stderr)")
        #expect(done.status == 0, "the sync itself finishes: \(done)")
    }
}
