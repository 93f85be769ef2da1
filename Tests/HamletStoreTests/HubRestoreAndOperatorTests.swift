import Foundation
import HamletCore
import HamletTestSupport
import Testing
@testable import HamletStore

/// Issue 19: parking, scope after a restore, and operator actions held to the merge rules.
@Suite struct HubRestoreAndOperatorTests {
    let n1 = BatchSource(node: "n1", village: "东村")
    let n2 = BatchSource(node: "n2", village: "东村")
    let w1 = BatchSource(node: "w1", village: "西村")
    let p = "01900000-0000-7000-8000-0000000000a1"
    let p2 = "01900000-0000-7000-8000-0000000000a2"
    let hh = "01900000-0000-7000-8000-0000000000b1"
    let e = "01900000-0000-7000-8000-0000000000e1"
    let op = OperatorAction(name: "镇管理员", wallMillis: 1)

    func change(_ s: BatchSource, _ seq: Int64, _ table: String, _ row: String, _ values: Fields = [:], op: ChangeOp = .put,
                base: Int64 = 0, epoch: String = "", wall: Int64) -> Change {
        Change(node: s.node, seq: seq, table: table, row: row, op: op, values: values, bases: values.mapValues { _ in base },
               rowBase: base, hlc: HLC(wall: wall, counter: 0, node: s.node), author: "测试员", epoch: epoch)
    }

    func person(_ village: String = "东村", household: String? = nil, id: String = "370481199003021224") -> Fields {
        var f: Fields = ["village": .text(village), "name": .text("王秀英"), "sex": .text("F"), "birth_date": .text("1990-03-02"),
                         "national_id": .text(id)]
        if let household { f["household"] = .text(household) }
        return f
    }

    func make(_ dir: TempDir) throws -> HubStore {
        let h = try HubStore.create(directory: dir.path)
        for (id, v) in [("n1", "东村"), ("n2", "东村"), ("w1", "西村")] {
            try h.addNode(id: id, village: v, secretHash: String(repeating: "0", count: 64), wallMillis: 0)
        }
        return h
    }

    /// Copies the hub aside now; `restore` puts the copy back with a new epoch, as `hub backup` + restart do.
    func backup(_ h: HubStore, _ dir: TempDir) throws -> String {
        let copy = dir.path + "-backup.sqlite"
        try h.backup(to: copy)
        return copy
    }

    func restore(_ copy: String, _ dir: TempDir) throws -> HubStore {
        let path = HubStore.path(in: dir.path)
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        try FileManager.default.copyItem(atPath: copy, toPath: path)
        let h = try HubStore.open(directory: dir.path)
        _ = try h.forkEpoch()
        return h
    }

    func row(_ h: HubStore, _ table: String, _ id: String) throws -> HubRow? { try h.row(h.schema.table(named: table)!, id: id) }

    @Test func case1ADeleteOfARowTheRestoredHubHasNotSeenIsParked() throws {
        let dir = TempDir("hub")
        defer { dir.remove() }
        var h = try make(dir)
        let copy = try backup(h, dir)
        let epoch = try h.epoch()
        _ = try h.reconcile([change(n1, 1, "people", p, person(), wall: 1)], from: n1, wallMillis: 0)
        h = try restore(copy, dir)
        // n2 pulled P before the restore, and deletes it; n1 then pushes its insert again.
        let d = try h.reconcile([change(n2, 1, "people", p, op: .delete, base: 1, epoch: epoch, wall: 2)], from: n2, wallMillis: 0)
        #expect(d[0].status == .parked)
        _ = try h.reconcile([change(n1, 1, "people", p, person(), wall: 1)], from: n1, wallMillis: 0)
        let r = try #require(try row(h, "people", p))
        let held = try h.conflicts(kind: .delete)
        #expect(r.deleted || !held.isEmpty, "the delete was applied (or held as a delete conflict), not lost")
    }

    @Test func case2aALaterEditQueuesBehindAParkedInsert() throws {
        let dir = TempDir("hub")
        defer { dir.remove() }
        let h = try make(dir)
        // n2's insert names a household the hub has not seen: parked; its next edit of P must wait behind it.
        let a = try h.reconcile([change(n2, 1, "people", p, person(household: hh), wall: 1),
                                 change(n2, 2, "people", p, ["phone": .text("13900000000")], base: 0, wall: 2)], from: n2, wallMillis: 0)
        #expect(a.map(\.status) == [.parked, .parked])
        _ = try h.reconcile([change(n1, 1, "households", hh, ["village": .text("东村"), "address": .text("东村1号")], wall: 3)],
                            from: n1, wallMillis: 0)
        let r = try #require(try row(h, "people", p))
        #expect(r.values["phone"] == .text("13900000000") && r.values["household"] == .text(hh))
        #expect(try h.lastSeq(node: "n2") == 2)
    }

    @Test func case2bAParkedReferenceNeverLandsOnTopOfALaterOne() throws {
        let dir = TempDir("hub")
        defer { dir.remove() }
        let h = try make(dir)
        let event: Fields = ["village": .text("东村"), "person": .text(p), "kind": .text("marriage"), "date": .text("2012-05-01")]
        _ = try h.reconcile([change(n1, 1, "people", p, person(), wall: 1), change(n1, 2, "events", e, event, wall: 2)],
                            from: n1, wallMillis: 0)
        // n2 points the event at P2 (unseen: parked), then back at P (must queue, not apply at once).
        let r = try h.reconcile([change(n2, 1, "events", e, ["person": .text(p2)], base: 2, wall: 3),
                                 change(n2, 2, "events", e, ["person": .text(p)], base: 2, wall: 4)], from: n2, wallMillis: 0)
        #expect(r.map(\.status) == [.parked, .parked])
        _ = try h.reconcile([change(n1, 3, "people", p2, person(id: "370481199003021240"), wall: 5)], from: n1, wallMillis: 0)
        #expect(try row(h, "events", e)?.values["person"] == .text(p), "n2's later value is the last word")
    }

    @Test func case3AnEditAtAnUnknownBaseAfterATransferIsHeldForReviewNotRejected() throws {
        let dir = TempDir("hub")
        defer { dir.remove() }
        var h = try make(dir)
        _ = try h.reconcile([change(n1, 1, "people", p, person(), wall: 1)], from: n1, wallMillis: 0)
        let copy = try backup(h, dir)
        let epoch = try h.epoch()
        _ = try h.reconcile([change(n1, 2, "people", p, ["phone": .text("13800000000")], base: 1, wall: 2)], from: n1, wallMillis: 0)
        h = try restore(copy, dir)
        // After the restore, n1 transfers P to 西村 on the known base 1.
        _ = try h.reconcile([change(n1, 2, "people", p, ["village": .text("西村")], base: 1, wall: 3)], from: n1, wallMillis: 0)
        // n2's edit was made in the old epoch on base 2 (above the fork): its scope cannot be judged.
        let r = try h.reconcile([change(n2, 1, "people", p, ["phone": .text("13700000000")], base: 2, epoch: epoch, wall: 4)],
                                from: n2, wallMillis: 0)
        #expect(r[0].status == .conflict, "\(r)")
        let c = try #require(try h.conflicts(kind: .field).first { $0.row == p && $0.field == "phone" })
        #expect(c.incoming == .text("13700000000") && c.reason.contains("restored"))
    }

    @Test func case4And5KeepRevivesWholeAndRunsTheDuplicateCheck() throws {
        let dir = TempDir("hub")
        defer { dir.remove() }
        let h = try make(dir)
        let event: Fields = ["village": .text("东村"), "person": .text(p), "kind": .text("marriage"), "date": .text("2012-05-01")]
        _ = try h.reconcile([change(n1, 1, "people", p, person(), wall: 1), change(n1, 2, "events", e, event, wall: 2)],
                            from: n1, wallMillis: 0)
        // n2 edits E while n1 deletes E (held: a delete conflict, E kept); the operator deletes E, then n1 deletes P.
        _ = try h.reconcile([change(n2, 1, "events", e, ["detail": .text("补录")], base: 2, wall: 3)], from: n2, wallMillis: 0)
        _ = try h.reconcile([change(n1, 3, "events", e, op: .delete, base: 2, wall: 4)], from: n1, wallMillis: 0)
        let held = try #require(try h.conflicts(kind: .delete).first { $0.row == e })
        _ = try h.resolveDelete(held.id, keep: false, expectedRowVersion: try row(h, "events", e)?.hseq, action: op)
        _ = try h.reconcile([change(n1, 4, "people", p, op: .delete, base: 2, wall: 5)], from: n1, wallMillis: 0)
        #expect(try row(h, "people", p)?.deleted == true)
        // P2 takes P's ID meanwhile.
        _ = try h.reconcile([change(n1, 5, "people", p2, person(), wall: 6)], from: n1, wallMillis: 0)
        // The operator reopens the decision on E: keep. E comes back, so P comes back, and P meets P2's ID.
        let closed = try #require(try h.conflict(held.id))
        #expect(closed.status == "resolved")
        try h.connection.run("UPDATE conflicts SET status = 'open' WHERE id = ?1", [.integer(held.id)])
        _ = try h.resolveDelete(held.id, keep: true, expectedRowVersion: try row(h, "events", e)?.hseq, action: op)
        #expect(try row(h, "events", e)?.deleted == false)
        #expect(try row(h, "people", p)?.deleted == false, "a kept row never points at a dead one")
        let dups = try h.conflicts(kind: .duplicate)
        #expect(dups.contains { Set([$0.row, $0.otherRow]) == Set([p, p2]) }, "two live rows with one ID open a duplicate")
    }

    @Test func case6And7ADuplicateClosesAsMootAndAMergeNeverJoinsDifferentPeople() throws {
        let dir = TempDir("hub")
        defer { dir.remove() }
        let h = try make(dir)
        _ = try h.reconcile([change(n1, 1, "people", p, person(), wall: 1), change(n1, 2, "people", p2, person(), wall: 2)],
                            from: n1, wallMillis: 0)
        let dup = try #require(try h.conflicts(kind: .duplicate).first)
        // P2's ID is corrected: they are different people. The conflict closes as moot, with the reason.
        _ = try h.reconcile([change(n1, 3, "people", p2, ["national_id": .text("370481199003021240")], base: 2, wall: 3)],
                            from: n1, wallMillis: 0)
        let moot = try #require(try h.conflict(dup.id))
        #expect(moot.status == "resolved" && moot.resolution == "moot" && moot.note?.isEmpty == false)
        #expect(throws: OperatorError.self) { try h.mergeDuplicate(dup.id, expectedRowVersions: [p: 9, p2: 9], action: op) }
        // One row deleted: the same.
        _ = try h.reconcile([change(n1, 4, "people", p2, ["national_id": .text("370481199003021224")], base: 3, wall: 4)],
                            from: n1, wallMillis: 0)
        let again = try #require(try h.conflicts(kind: .duplicate).first)
        _ = try h.reconcile([change(n1, 5, "people", p2, op: .delete, base: 4, wall: 5)], from: n1, wallMillis: 0)
        #expect(try h.conflict(again.id)?.resolution == "moot")
    }

    @Test func aDismissedPairDoesNotReopenUnlessAnIDChanges() throws {
        let dir = TempDir("hub")
        defer { dir.remove() }
        let h = try make(dir)
        _ = try h.reconcile([change(n1, 1, "people", p, person(), wall: 1), change(n1, 2, "people", p2, person(), wall: 2)],
                            from: n1, wallMillis: 0)
        let dup = try #require(try h.conflicts(kind: .duplicate).first)
        try h.dismissDuplicate(dup.id, action: OperatorAction(name: "镇管理员", wallMillis: 2, note: "非同一人：户籍核实"))
        #expect(try h.conflict(dup.id)?.resolution == "dismissed")
        // P is deleted and revived by a late event: same pair, same ID — stays dismissed.
        _ = try h.reconcile([change(n1, 3, "people", p, op: .delete, base: 1, wall: 3)], from: n1, wallMillis: 0)
        let event: Fields = ["village": .text("东村"), "person": .text(p), "kind": .text("marriage"), "date": .text("2012-05-01")]
        _ = try h.reconcile([change(n2, 1, "events", e, event, wall: 4)], from: n2, wallMillis: 0)
        #expect(try row(h, "people", p)?.deleted == false)
        #expect(try h.conflicts(kind: .duplicate).isEmpty, "a dismissed pair stays dismissed")
        // An ID changes and comes back to the shared value: a new look is due.
        _ = try h.reconcile([change(n1, 4, "people", p2, ["national_id": .text("370481199003021240")], base: 2, wall: 5)],
                            from: n1, wallMillis: 0)
        _ = try h.reconcile([change(n1, 5, "people", p2, ["national_id": .text("370481199003021224")], base: 9, wall: 6)],
                            from: n1, wallMillis: 0)
        let reopened = try h.conflicts(kind: .duplicate)
        #expect(reopened.count == 1 && reopened.first?.id != dup.id, "an ID written again is looked at again")
    }
}
