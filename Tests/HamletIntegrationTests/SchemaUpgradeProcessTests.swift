import Foundation
import HamletCore
import HamletStore
import HamletTestSupport
import Testing

/// Issue 12, item 5: a hub and two nodes made by Hamlet's first release, with an unpushed edit,
/// upgrade — the hub to a deployment's schema with a new table and fields — and sync: the edit
/// arrives, the nodes adopt the hub's schema at login, `verify` matches. Real processes, real files.
@Suite("Schema upgrades across offline nodes", .serialized)
struct SchemaUpgradeProcessTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/release-1").path

    @Test("release-1 stores upgrade on first open; a new schema reaches offline nodes; the pending edit arrives")
    func releaseOneUpgrades() throws {
        let tmp = TempDir("schema-upgrade")
        defer { tmp.remove() }
        let fm = FileManager.default
        for item in ["hub", "bz1", "bz2", "bz1.secret", "bz2.secret"] {
            try fm.copyItem(atPath: (Self.fixtures as NSString).appendingPathComponent(item), toPath: tmp.file(item))
        }
        let hub = HamletDir(tmp.file("hub"))
        // The deployment adds 监护人, 备注, a 接种 table and an 入户 visit kind to the shipped register, with the hub stopped.
        let v2 = SchemaFixtures.withAdditions()
        try v2.encoded(pretty: true).write(toFile: tmp.file("v2.json"), atomically: true, encoding: .utf8)
        let dry = try hub.run(["hub", "schema", "--file", tmp.file("v2.json"), "--dry-run"])
        #expect(dry.status == 0 && dry.stdout.contains("vaccinations"), "\(dry)")
        let up = try hub.run(["hub", "schema", "--file", tmp.file("v2.json")])
        #expect(up.status == 0, "\(up)")
        let bad = try hub.run(["hub", "schema", "--file", tmp.file("v2.json")])
        #expect(bad.status == 65, "the same version again is not an upgrade: \(bad)")
        let server = try Hamlet.startServer(dir: hub.path)
        defer { _ = server.stop() }
        let serving = try hub.run(["hub", "schema", "--file", tmp.file("v2.json")])
        #expect(serving.status == 75 && serving.stderr.contains("hub-serving"), "no upgrade under a serving hub: \(serving)")
        for node in ["bz1", "bz2"] {
            // Point the copied replica at this hub and its copied secret.
            let c = try Connection(path: tmp.file("\(node)/replica.sqlite"))
            try c.setMeta("hub", "127.0.0.1:\(server.port)")
            try c.setMeta("secret_file", tmp.file("\(node).secret"))
            c.close()
        }
        let bz1 = HamletDir(tmp.file("bz1")), bz2 = HamletDir(tmp.file("bz2"))
        #expect(try bz1.log(pending: true).count == 1, "the release-1 replica kept its unpushed edit")
        let s1 = try bz1.run(["sync", "--json"])
        #expect(s1.status == 0, "\(s1)")
        let summary = try s1.decode(SyncSummaryLine.self)
        #expect(summary.accepted == 1 && summary.schemaUpgraded == v2.version, "\(s1.stdout)")
        #expect(try bz2.run(["sync"]).status == 0)
        // The new table and fields work on both nodes; the edit made under the old schema arrived whole.
        let person = try #require(try bz1.rows("people").first?.key)
        let added = try bz2.run(["add", "vaccination", "--person", person, "--given-on", "2026-10-01"])
        #expect(added.status == 0, "\(added)")
        #expect(try bz2.run(["edit", "person", person, "--note", "新字段"]).status == 0)
        #expect(try bz2.run(["sync"]).status == 0)
        #expect(try bz1.run(["sync"]).status == 0)
        let people = try bz1.rows("people")
        #expect(people[person]?["phone"] == "13900000001" && people[person]?["note"] == "新字段")
        #expect(try bz1.rows("vaccinations").count == 1)
        for dir in [bz1, bz2] {
            let v = try dir.run(["verify"])
            #expect(v.status == 0 && v.stdout.hasPrefix("match"), "\(v)")
        }
    }

    /// The parts of `sync --json` this test reads.
    struct SyncSummaryLine: Decodable {
        var accepted: Int
        var schemaUpgraded: Int?
    }
}
