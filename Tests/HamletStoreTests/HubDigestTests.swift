import HamletCore
import HamletTestSupport
import Testing
@testable import HamletStore

/// Issue 20 item 3: the hub keeps each village's digest as rows are written; a full count is the oracle.
extension HubStoreTests {
    private func expectDigestsMatch(_ h: HubStore, _ why: String) throws {
        for v in ["东村", "西村"] {
            #expect(try h.digest(village: v) == h.fullDigest(village: v), "\(why): \(v)")
        }
    }

    @Test func theMaintainedDigestFollowsWritesTransfersMergesAndAnOldHub() throws {
        let dir = TempDir("hub")
        defer { dir.remove() }
        let (h, v) = try seeded(dir)
        try expectDigestsMatch(h, "seeded")
        _ = try h.reconcile([change(east, 3, "people", person, ["phone": .text("13800000001")], base: v, wall: 10)], from: east, wallMillis: 0)
        try expectDigestsMatch(h, "an edit")
        var f = personFields("西村", household: hhWest)
        f["name"] = .text("张丽")
        _ = try h.reconcile([change(west, 2, "people", twin, f, wall: 20)], from: west, wallMillis: 0)
        try expectDigestsMatch(h, "a duplicate")
        let dup = try #require(try h.conflicts(kind: .duplicate).first)
        _ = try h.mergeDuplicate(dup.id, keep: person, action: OperatorAction(name: "镇管理员", wallMillis: 30))
        try expectDigestsMatch(h, "a merge across villages")
        _ = try h.reconcile([change(east, 4, "people", person, ["village": .text("西村")], base: try h.head(), wall: 40)], from: east, wallMillis: 0)
        #expect(try h.row(h.schema.table(named: "people")!, id: person)?.values["village"] == .text("西村"))
        try expectDigestsMatch(h, "a transfer")
        _ = try h.reconcile([change(west, 3, "people", person, [:], op: .delete, base: try h.head(), wall: 50)], from: west, wallMillis: 0)
        try expectDigestsMatch(h, "a delete")

        // A hub made before digests were kept: filled once by a full pass when opened for writing.
        let file = try h.sqliteFile()
        try file.execute("DROP TABLE village_digests")
        try file.execute("DELETE FROM meta WHERE key = 'digests'")
        file.close()
        let reopened = try HubStore.open(directory: dir.path)
        try expectDigestsMatch(reopened, "an old hub reopened")
        #expect(try reopened.digest(village: "东村").tables["households"]?.count == 1)
    }
}
