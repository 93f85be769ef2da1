import HamletCore
import HamletTestSupport
import Testing
@testable import HamletStore

/// Issue 18 at the county's store: a township node's scope is the villages it claims by writing in them.
@Suite struct TownshipScopeTests {
    let east = BatchSource(node: "up-east", village: "东镇")
    let west = BatchSource(node: "up-west", village: "西镇")
    let village = BatchSource(node: "v1", village: "丁村")

    func create(_ s: BatchSource, _ seq: Int64, _ id: Int, _ v: String) -> Change {
        Change(node: s.node, seq: seq, table: "households", row: String(format: "01900000-0000-7000-8000-%012d", id), op: .put,
               values: ["village": .text(v), "address": .text("\(v)\(id)号")], bases: ["village": 0, "address": 0], rowBase: 0,
               hlc: HLC(wall: seq, counter: 0, node: s.node), author: "测试员", epoch: "")
    }

    func county(_ dir: TempDir) throws -> HubStore {
        let h = try HubStore.create(directory: dir.path)
        try h.addTownshipNode(id: east.node, township: "东镇", secretHash: "x", wallMillis: 0)
        try h.addTownshipNode(id: west.node, township: "西镇", secretHash: "y", wallMillis: 0)
        try h.addNode(id: village.node, village: "丁村", secretHash: "z", wallMillis: 0)
        return h
    }

    @Test func theFirstTownshipToWriteAVillageClaimsIt() throws {
        let dir = TempDir("county")
        defer { dir.remove() }
        let h = try county(dir)
        #expect(try h.reconcile([create(east, 1, 1, "甲村"), create(east, 2, 2, "乙村")], from: east, wallMillis: 0).map(\.status) == [.applied, .applied])
        let refused = try h.reconcile([create(west, 1, 3, "甲村"), create(west, 2, 4, "丙村")], from: west, wallMillis: 0)
        #expect(refused.map(\.status) == [.rejected, .applied])
        #expect(refused[0].code == Rejection.Code.outOfScope.rawValue)
        #expect(try h.villages(ofTownship: "东镇") == ["乙村", "甲村"].sorted())
        #expect(try h.scope(node: west.node, village: "西镇") == .township("西镇", villages: ["丙村"]))
        // A village node at the same hub keeps its one-village scope.
        #expect(try h.scope(node: village.node, village: "丁村") == .village("丁村"))
        #expect(try h.reconcile([create(village, 1, 5, "甲村")], from: village, wallMillis: 0)[0].status == .rejected)
        // Another township cannot edit a claimed village's row either.
        var edit = create(west, 3, 1, "甲村")
        edit.values = ["address": .text("改")]
        edit.bases = ["address": 1]
        edit.rowBase = 1
        #expect(try h.reconcile([edit], from: west, wallMillis: 0)[0].code == Rejection.Code.outOfScope.rawValue)
        #expect(try h.isCounty())
    }

    @Test func aMoveInsideTheTownshipIsNoLeaveAndItsDigestIsItsVillages() throws {
        let dir = TempDir("county")
        defer { dir.remove() }
        let h = try county(dir)
        _ = try h.reconcile([create(east, 1, 1, "甲村"), create(east, 2, 2, "乙村")], from: east, wallMillis: 0)
        var move = create(east, 3, 1, "乙村")
        move.values = ["village": .text("乙村")]
        move.bases = ["village": 1]
        move.rowBase = 1
        #expect(try h.reconcile([move], from: east, wallMillis: 0)[0].status == .applied)
        let scope = try h.scope(node: east.node, village: "东镇")
        let page = try h.pull(scope: scope, after: 0, limit: 100)
        #expect(page.done && page.items.count == 2)
        #expect(!page.items.contains { if case .leave = $0 { true } else { false } }, "no leave inside the township")
        // Moved out to another township's village: a leave for 东镇.
        var out = create(east, 4, 1, "甲村")
        out.values = ["village": .text("丙村")]
        out.bases = ["village": 3]
        out.rowBase = 3
        _ = try h.reconcile([create(west, 1, 9, "丙村")], from: west, wallMillis: 0)
        #expect(try h.reconcile([out], from: east, wallMillis: 0)[0].status == .applied)
        let later = try h.pull(scope: try h.scope(node: east.node, village: "东镇"), after: page.cursor, limit: 100)
        #expect(later.items.count == 1 && later.items.contains { if case .leave = $0 { true } else { false } })
        let union = ScopeDigest.union(try scope.villages.map { try h.fullDigest(village: $0) }, schema: h.schema)
        #expect(try h.digest(scope: scope) == union)
        #expect(try h.snapshot(scope: scope, table: try #require(h.schema.table(named: "households")), afterID: "", limit: 10).count == 1)
    }
}
