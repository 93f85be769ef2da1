import Foundation
import HamletCore
import HamletNode
import HamletStore
import HamletTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

// Issue 5 end to end with real processes: `hamlet hub serve` as a child, nodes made
// and synced with `hamlet init` / `hamlet sync`, every store a real SQLite file.

// MARK: Fixture

/// A hub folder made with `hub init` and `hub add-node`, served by a `hub serve` child
/// behind a `TCPProxy` (so nodes keep one address across hub restarts), and node
/// folders made with `hamlet init --hub <proxy> --secret-file …`.
final class ProcTownship {
    let tmp: TempDir
    let hub: HamletDir
    let proxy: TCPProxy
    private(set) var server: HubProcess?
    private(set) var nodes: [String: HamletDir] = [:]
    private(set) var villages: [String: String] = [:]

    /// - Parameter nodes: `(node, village)` pairs, registered at the hub and initialised with the CLI.
    init(_ label: String, nodes list: [(String, String)], serve: Bool = true,
         sourceLocation: SourceLocation = #_sourceLocation) throws {
        tmp = TempDir(label)
        hub = HamletDir(tmp.file("hub"))
        proxy = try TCPProxy(target: 1)
        let made = try hub.run(["hub", "init"])
        try #require(made.status == 0, "hub init: \(made)", sourceLocation: sourceLocation)
        for (node, village) in list {
            let secret = secretPath(node)
            let r = try hub.run(["hub", "add-node", node, "--village", village, "--secret-out", secret])
            try #require(r.status == 0, "add-node \(node): \(r)", sourceLocation: sourceLocation)
            let dir = HamletDir(tmp.file("node-\(node)"))
            let i = try dir.run(["init", "--node", node, "--village", village, "--hub", proxy.address, "--secret-file", secret])
            try #require(i.status == 0, "init \(node): \(i)", sourceLocation: sourceLocation)
            nodes[node] = dir
            villages[node] = village
        }
        if serve { try startHub() }
    }

    func secretPath(_ node: String) -> String { tmp.file("\(node).secret") }

    subscript(_ node: String) -> HamletDir { nodes[node] ?? HamletDir(tmp.file("node-\(node)")) }

    /// Starts `hub serve` and points the proxy at it.
    func startHub() throws {
        let s = try Hamlet.startServer(dir: hub.path)
        proxy.target = s.port
        server = s
    }

    /// SIGTERM; returns how it ended.
    @discardableResult
    func stopHub() -> ProcessResult? {
        defer { server = nil }
        return server?.stop()
    }

    /// SIGKILL.
    @discardableResult
    func killHub() -> ProcessResult? {
        defer { server = nil }
        return server?.kill()
    }

    /// `hamlet sync --json` on a node; the summary, or the failed result.
    func sync(_ node: String, _ extra: [String] = [], sourceLocation: SourceLocation = #_sourceLocation) throws -> SyncSummary {
        let r = try self[node].run(["sync", "--json"] + extra)
        try #require(r.status == 0, "sync \(node): \(r)", sourceLocation: sourceLocation)
        return try r.decode(SyncSummary.self)
    }

    /// A read-only look at the hub store.
    func store() throws -> HubStore { try HubStore.open(directory: hub.path, readOnly: true) }

    func finish() {
        if let s = server { _ = s.stop(timeout: .seconds(5)) }
        server = nil
        proxy.stop()
        tmp.remove()
    }

    /// Every node: `hamlet verify` says match; nothing pending; `list --json` of every
    /// table equals the hub's live rows of its village; `hub export people --village`
    /// parses back to the same people.
    func expectConverged(_ names: [String]? = nil, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let store = try self.store()
        for node in names ?? nodes.keys.sorted() {
            let dir = self[node]
            let village = villages[node] ?? ""
            let v = try dir.run(["verify"])
            #expect(v.status == 0 && v.stdout.hasPrefix("match"), "verify \(node): \(v)", sourceLocation: sourceLocation)
            #expect(try dir.log(pending: true).isEmpty, "nothing pending on \(node)", sourceLocation: sourceLocation)
            for t in ["households", "people", "events", "visits", "benefits"] {
                var live: [String: [String: String]] = [:]
                for row in try store.rows(table: t, village: village) {
                    live[row.id] = row.values.compactMapValues { $0.isNull ? nil : $0.description }
                }
                let visible = try dir.rows(t)
                #expect(visible == live, "\(t) of \(node) equals the hub's \(village) rows", sourceLocation: sourceLocation)
            }
            let export = try hub.run(["hub", "export", "people", "--village", village])
            #expect(export.status == 0, sourceLocation: sourceLocation)
            let csv = try CSVTable.read(bytes: [UInt8](export.stdoutData))
            var exported: [String: [String: String]] = [:]
            for (_, fields) in csv.rows {
                exported[fields["id"] ?? ""] = fields.filter { $0.key != "id" && !$0.value.isEmpty }
            }
            #expect(exported == (try dir.rows("people")), "hub export of \(village) equals \(node)'s people",
                    sourceLocation: sourceLocation)
        }
    }

    /// The hub's log holds each (node, seq) once, and as many entries from a node as it has changes.
    func expectExactlyOnce(sourceLocation: SourceLocation = #_sourceLocation) throws {
        let store = try self.store()
        let twice = try store.sqliteFile().rows("SELECT node, seq, count(*) FROM log GROUP BY node, seq HAVING count(*) > 1")
        #expect(twice.isEmpty, "a change applied twice", sourceLocation: sourceLocation)
        for (node, dir) in nodes {
            let log = try dir.log()
            let accepted = log.filter { ($0["state"] as? String) != "rejected" }.count
            let held = try store.sqliteFile().scalar("SELECT count(*) FROM log WHERE node = ?1", [.text(node)]).integer ?? -1
            #expect(Int(held) == accepted, "hub log entries from \(node)", sourceLocation: sourceLocation)
            #expect(try store.lastSeq(node: node) == Int64(log.count), "last seq of \(node)", sourceLocation: sourceLocation)
        }
    }
}

/// The permission bits of a file.
func fileMode(_ path: String) -> mode_t? {
    var st = stat()
    guard stat(path, &st) == 0 else { return nil }
    return st.st_mode & 0o777
}

/// Runs a command that must succeed; returns trimmed stdout.
@discardableResult
func must(_ dir: HamletDir, _ args: [String], sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
    let r = try dir.run(args)
    try #require(r.status == 0, "\(args.joined(separator: " ")): \(r)", sourceLocation: sourceLocation)
    return r.line
}

/// Writes a people CSV of `count` valid rows (names 人0…) and returns its path.
func peopleCSV(_ tmp: TempDir, count: Int, prefix: String = "人", start: Int = 0) throws -> String {
    var lines = ["name,sex,birth_date,national_id,phone"]
    for i in start..<(start + count) {
        let year = 1940 + i % 60
        let month = 1 + i % 12
        let day = 1 + i % 28
        let birth = "\(year)-\(month < 10 ? "0" : "")\(month)-\(day < 10 ? "0" : "")\(day)"
        let sex = i % 2 == 0 ? "F" : "M"
        let id = Registry.nationalID(birth: birth, sex: sex, sequence: i % 499, region: 110101 + (i / 499) % 50)
        lines.append("\(prefix)\(i),\(sex),\(birth),\(id),1390000\(String(format: "%04d", i % 10000))")
    }
    let path = tmp.file("\(prefix)-\(start)-\(count).csv")
    try Data((lines.joined(separator: "\r\n") + "\r\n").utf8).write(to: URL(fileURLWithPath: path))
    return path
}

// MARK: Tests

@Suite("Multi-process sync: a hub process and node processes", .serialized)
struct MultiProcessSyncTests {
    @Test("add-node writes each secret once with mode 0600 and refuses to overwrite")
    func secrets() throws {
        let town = try ProcTownship("mp-secrets", nodes: [("bz1", "北赵"), ("bz2", "北赵"), ("nz", "南赵")], serve: false)
        defer { town.finish() }
        for n in ["bz1", "bz2", "nz"] {
            let path = town.secretPath(n)
            #expect(fileMode(path) == 0o600, "\(n).secret is 0600")
            let text = try String(contentsOfFile: path, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(text.count == 64 && text.allSatisfy(\.isHexDigit), "256 random bits in hex")
        }
        let first = try Data(contentsOf: URL(fileURLWithPath: town.secretPath("bz1")))
        // Registering the node again is refused; its secret file is untouched.
        let again = try town.hub.run(["hub", "add-node", "bz1", "--village", "北赵", "--secret-out", town.tmp.file("other.secret")])
        #expect(again.status == 65 && again.stderr.contains("already registered"), "\(again)")
        #expect(!FileManager.default.fileExists(atPath: town.tmp.file("other.secret")))
        // A new node may not overwrite an existing secret file, and is not registered.
        let clobber = try town.hub.run(["hub", "add-node", "xz", "--village", "西赵", "--secret-out", town.secretPath("bz1")])
        #expect(clobber.status != 0, "\(clobber)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: town.secretPath("bz1"))) == first)
        let nodes = try #require(try town.hub.run(["hub", "nodes", "--json"]).json() as? [[String: Any]])
        #expect(Set(nodes.compactMap { $0["node"] as? String }) == ["bz1", "bz2", "nz"])
        // The hub keeps only a hash: the secret is nowhere in its file.
        let hubBytes = try Data(contentsOf: URL(fileURLWithPath: town.hub.file("hub.sqlite")))
        let secret = String(decoding: first, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(hubBytes.range(of: Data(secret.utf8)) == nil)
    }

    @Test("three nodes edit offline, sync in different orders, and every replica equals the hub for its village")
    func threeNodesConverge() throws {
        let town = try ProcTownship("mp-converge", nodes: [("bz1", "北赵"), ("bz2", "北赵"), ("nz", "南赵")])
        defer { town.finish() }
        let bz1 = town["bz1"], bz2 = town["bz2"], nz = town["nz"]
        let household = try must(bz1, ["add", "household", "--address", "北赵村三组12号", "--phone", "13800000000"])
        let zhang = try must(bz1, ["add", "person", "--name", "张丽", "--sex", "F", "--birth-date", "1990-03-02",
                                   "--national-id", "370481199003021224", "--household", household])
        let li = try must(bz1, Registry.person("李娜", birth: "1985-01-01", sequence: 5, household: household))
        let wang = try must(bz1, Registry.person("王五", sex: "M", birth: "1970-06-06", sequence: 7))
        let first = try town.sync("bz1")
        #expect(first.pushed == 4 && first.accepted == 4 && first.conflicted == 0 && first.verify == "match")
        #expect(try town.sync("bz2").pulled == 4)
        let nzFirst = try town.sync("nz")
        #expect(nzFirst.pulled == 0, "another village's rows never reach 南赵")

        // Offline: the same phone edited differently on the two 北赵 nodes; a delete racing an edit;
        // different fields of one row; the same national ID registered in 南赵; new rows everywhere.
        try must(bz1, ["edit", "person", zhang, "--phone", "13900000001"])
        try must(bz2, ["edit", "person", zhang, "--phone", "13900000002"])
        try must(bz1, ["delete", "person", li])
        try must(bz2, ["edit", "person", li, "--marital-status", "married"])
        try must(bz1, ["edit", "person", wang, "--phone", "13700000007"])
        try must(bz2, ["edit", "person", wang, "--current-address", "北赵村, 五组"])
        let visit = try must(bz2, ["add", "visit", "--person", zhang, "--kind", "health_check", "--date", "2024-05-01", "--result", "正常"])
        let nzHousehold = try must(nz, ["add", "household", "--address", "南赵村一组1号"])
        let nzZhang = try must(nz, ["add", "person", "--name", "张丽", "--sex", "F", "--birth-date", "1990-03-02",
                                    "--national-id", "370481199003021224", "--household", nzHousehold])
        try must(nz, Registry.person("赵敏", birth: "2001-02-03", sequence: 9, household: nzHousehold))

        // Sync in an order different from the edits.
        let s1 = try town.sync("nz")
        #expect(s1.pushed == 3 && s1.conflicted == 1, "the duplicate national ID: \(s1)")
        let s2 = try town.sync("bz2")
        #expect(s2.pushed == 4 && s2.conflicted == 0 && s2.rejected == 0)
        let s3 = try town.sync("bz1")
        #expect(s3.pushed == 3 && s3.conflicted == 2, "the phone and the delete: \(s3)")
        #expect(s3.pulled >= 3)
        _ = try town.sync("bz2")
        _ = try town.sync("nz")

        try town.expectConverged()
        try town.expectExactlyOnce()

        // Both edits of different fields hold; the row edited concurrently with its delete is kept.
        let people = try bz1.rows("people")
        #expect(people[wang]?["phone"] == "13700000007" && people[wang]?["current_address"] == "北赵村, 五组")
        #expect(people[li]?["marital_status"] == "married", "delete vs edit: the row is kept for the operator")
        #expect(try bz1.rows("visits")[visit] != nil)
        #expect(try nz.rows("people")[nzZhang] != nil && nz.rows("people")[zhang] == nil)

        // The conflicts are at the hub.
        let listed = try town.hub.run(["hub", "conflicts", "--json"])
        let conflicts = try listed.decode([ConflictRecord].self)
        #expect(conflicts.contains { $0.kind == .field && $0.row == zhang && $0.field == "phone" && $0.village == "北赵" })
        #expect(conflicts.contains { $0.kind == .delete && $0.row == li && $0.incomingNode == "bz1" })
        #expect(conflicts.contains { $0.kind == .duplicate && $0.village == "南赵" && Set([$0.row, $0.otherRow]) == [nzZhang, zhang] })
        #expect(conflicts.count == 3, "\(conflicts.map { "\($0.kind) \($0.field ?? "")" })")
        // The nodes see their own conflicted changes.
        #expect(try bz1.status()["conflicted"] as? Int == 2)
        let field = try #require(conflicts.first { $0.kind == .field })
        #expect(Set([field.incoming, field.hubValue]) == [.text("13900000001"), .text("13900000002")])
    }

    @Test("resync with a pending edit rebuilds the replica, keeps the edit and pushes it")
    func resyncKeepsPending() throws {
        let town = try ProcTownship("mp-resync", nodes: [("bz1", "北赵"), ("bz2", "北赵")])
        defer { town.finish() }
        let bz1 = town["bz1"], bz2 = town["bz2"]
        let ids = try (0..<3).map { try must(bz1, Registry.person("人\($0)", birth: "1980-01-1\($0)", sequence: $0)) }
        _ = try town.sync("bz1")
        _ = try town.sync("bz2")
        try must(bz1, ["edit", "person", ids[1], "--name", "改名"])
        _ = try town.sync("bz1")
        // bz2: an edit and a new row, not pushed.
        try must(bz2, ["edit", "person", ids[0], "--phone", "13900000000"])
        let mine = try must(bz2, Registry.person("新人", birth: "2000-01-01", sequence: 40))
        #expect(try bz2.log(pending: true).count == 2)

        let r = try bz2.run(["resync", "--json"])
        #expect(r.status == 0, "\(r)")
        let s = try r.decode(SyncSummary.self)
        #expect(s.resynced && s.snapshotRows == 3)
        #expect(s.pushed == 2 && s.accepted == 2 && s.verify == "match", "\(s)")
        let rows = try bz2.rows("people")
        #expect(rows[ids[0]]?["phone"] == "13900000000" && rows[ids[1]]?["name"] == "改名" && rows[mine] != nil)
        let shown = try #require(try bz2.run(["show", "person", ids[0], "--json"]).json() as? [String: Any])
        #expect((shown["versions"] as? [String: Any])?["phone"] != nil, "the pushed edit now has a hub version")
        #expect(try town.store().rows(table: "people").first { $0.id == ids[0] }?.values["phone"] == .text("13900000000"))
        _ = try town.sync("bz1")
        try town.expectConverged()
        try town.expectExactlyOnce()
    }

    @Test("hub backup while serving; restore after more syncs; lost changes come back from the nodes, nodes past the restore resync")
    func backupAndRestore() throws {
        let town = try ProcTownship("mp-restore", nodes: [("bz1", "北赵"), ("bz2", "北赵"), ("nz", "南赵")])
        defer { town.finish() }
        let bz1 = town["bz1"], bz2 = town["bz2"], nz = town["nz"]
        var names: Set<String> = []
        for i in 0..<3 { try must(bz1, Registry.person("甲\(i)", birth: "1980-02-1\(i)", sequence: i)); names.insert("甲\(i)") }
        try must(nz, Registry.person("丙0", birth: "1981-03-01", sequence: 3)); names.insert("丙0")
        _ = try town.sync("bz1")
        _ = try town.sync("nz")
        _ = try town.sync("bz2")

        let backup = town.tmp.file("hub-backup")
        let b = try town.hub.run(["hub", "backup", "--to", backup, "--json"])
        #expect(b.status == 0, "\(b)")
        #expect(FileManager.default.fileExists(atPath: (backup as NSString).appendingPathComponent("hub.sqlite")))
        let headAtBackup = try town.store().head()

        // After the backup: new rows and edits from bz1 and nz; bz2 pulls past the backup point.
        for i in 3..<5 { try must(bz1, Registry.person("甲\(i)", birth: "1980-02-1\(i)", sequence: i)); names.insert("甲\(i)") }
        let edited = try #require(try bz1.rows("people").first { $0.value["name"] == "甲0" }?.key)
        try must(bz1, ["edit", "person", edited, "--phone", "13911112222"])
        try must(nz, Registry.person("丙1", birth: "1981-03-02", sequence: 4)); names.insert("丙1")
        _ = try town.sync("bz1")
        _ = try town.sync("nz")
        let past = try town.sync("bz2")
        #expect(past.cursor > headAtBackup)

        // Stop, restore by copying the backup folder over the hub folder, restart.
        let stopped = try #require(town.stopHub())
        #expect(stopped.status == 0 && stopped.signal == nil, "SIGTERM stops the hub cleanly: \(stopped)")
        let fm = FileManager.default
        // Replace the folder's contents (a stale WAL left beside the file would be replayed over
        // the copy: see `restoreByCopyingOver`).
        for f in try fm.contentsOfDirectory(atPath: town.hub.path) { try fm.removeItem(atPath: town.hub.file(f)) }
        for f in try fm.contentsOfDirectory(atPath: backup) {
            let dest = town.hub.file(f)
            if fm.fileExists(atPath: dest) { try fm.removeItem(atPath: dest) }
            try fm.copyItem(atPath: (backup as NSString).appendingPathComponent(f), toPath: dest)
        }
        try town.startHub()
        #expect(try town.store().head() == headAtBackup)

        let r1 = try town.sync("bz1")
        #expect(r1.requeued >= 3, "bz1's lost inserts and edit are pushed again: \(r1)")
        let r3 = try town.sync("nz")
        #expect(r3.requeued >= 1, "\(r3)")
        let r2 = try town.sync("bz2")
        #expect(r2.resynced, "bz2 pulled past the restored head: \(r2)")
        for n in ["bz1", "nz", "bz2"] { _ = try town.sync(n) }

        try town.expectConverged()
        try town.expectExactlyOnce()
        let atHub = Set(try town.store().rows(table: "people").compactMap { $0.values["name"]?.text })
        #expect(atHub == names, "nothing lost")
        #expect(try bz2.rows("people")[edited]?["phone"] == "13911112222")
        #expect(try nz.rows("people").count == 2)
    }

    @Test("restoring by copying the backup folder over a cleanly stopped hub's folder gives the backup's state")
    func restoreByCopyingOver() throws {
        let town = try ProcTownship("mp-copyover", nodes: [("bz1", "北赵")])
        defer { town.finish() }
        let bz1 = town["bz1"]
        for i in 0..<3 { try must(bz1, Registry.person("甲\(i)", birth: "1980-02-1\(i)", sequence: i)) }
        _ = try town.sync("bz1")
        let backup = town.tmp.file("hub-backup")
        try must(town.hub, ["hub", "backup", "--to", backup])
        let headAtBackup = try town.store().head()
        for i in 3..<6 { try must(bz1, Registry.person("甲\(i)", birth: "1980-02-1\(i)", sequence: i)) }
        _ = try town.sync("bz1")
        let stopped = try #require(town.stopHub())
        #expect(stopped.status == 0 && stopped.signal == nil, "\(stopped)")
        let fm = FileManager.default
        let leftovers = try fm.contentsOfDirectory(atPath: town.hub.path).filter { $0.hasSuffix("-wal") || $0.hasSuffix("-shm") }
        // `cp -R hub-backup/. hub/`: what "copy the folder back" means to an operator.
        for f in try fm.contentsOfDirectory(atPath: backup) {
            let dest = town.hub.file(f)
            if fm.fileExists(atPath: dest) { try fm.removeItem(atPath: dest) }
            try fm.copyItem(atPath: (backup as NSString).appendingPathComponent(f), toPath: dest)
        }
        let restored = try HubStore.open(directory: town.hub.path, readOnly: true)
        #expect(leftovers.isEmpty, "a cleanly stopped hub leaves no WAL: \(leftovers)")
        #expect(try restored.head() == headAtBackup, "the restored hub is at the backup's head")
        #expect(try restored.meta("restored") == "1", "the backup's restored marker survives")
        restored.close()
        // The restored hub takes a new epoch; bz1 re-pushes what it lost and converges.
        try town.startHub()
        let again = try town.sync("bz1")
        #expect(again.requeued == 3, "\(again)")
        _ = try town.sync("bz1")
        try town.expectConverged()
        try town.expectExactlyOnce()
        #expect(try town.store().rows(table: "people").count == 6)
    }
}
