import HamletCore
import HamletTestSupport
import Testing
@testable import HamletStore

/// Issue 10, item 11: revival done whole (DESIGN rules 5, 6 and 8), through the store.
@Suite struct HubRevivalTests {
    let east = BatchSource(node: "east-1", village: "东村")
    let east2 = BatchSource(node: "east-2", village: "东村")
    let p1 = "01900000-0000-7000-8000-0000000000a1"
    let p2 = "01900000-0000-7000-8000-0000000000a2"
    let e1 = "01900000-0000-7000-8000-0000000000e1"
    let e2 = "01900000-0000-7000-8000-0000000000e2"
    let nid = "370481199003021224"

    func change(_ s: BatchSource, _ seq: Int64, _ table: String, _ row: String, _ values: Fields = [:], op: ChangeOp = .put,
                base: Int64 = 0, wall: Int64) -> Change {
        Change(node: s.node, seq: seq, table: table, row: row, op: op, values: values, bases: values.mapValues { _ in base },
               rowBase: base, hlc: HLC(wall: wall, counter: 0, node: s.node), author: "测试员", epoch: "")
    }

    func person(_ id: String = "370481199003021224") -> Fields {
        ["village": .text("东村"), "name": .text("王秀英"), "sex": .text("F"), "birth_date": .text("1990-03-02"), "national_id": .text(id)]
    }

    func event(_ person: String) -> Fields {
        ["village": .text("东村"), "person": .text(person), "kind": .text("marriage"), "date": .text("2012-05-01")]
    }

    func row(_ h: HubStore, _ table: String, _ id: String) throws -> HubRow {
        try #require(try h.row(h.schema.table(named: table)!, id: id))
    }

    func openDuplicates(_ h: HubStore) throws -> [ConflictRecord] {
        try h.conflicts(status: "open", kind: .duplicate)
    }

    @Test func aRevivedRowRevivesTheRowItReferences() throws {
        let dir = TempDir("hub")
        defer { dir.remove() }
        let h = try HubStore.create(directory: dir.path)
        _ = try h.reconcile([change(east, 1, "people", p1, person(), wall: 1), change(east, 2, "events", e1, event(p1), wall: 2)],
                            from: east, wallMillis: 0)
        let seen = try h.head()
        // east-1 deletes the event, then the person (nothing live references her any more).
        let d = try h.reconcile([change(east, 3, "events", e1, op: .delete, base: seen, wall: 3),
                                 change(east, 4, "people", p1, op: .delete, base: seen, wall: 4)], from: east, wallMillis: 0)
        #expect(d.allSatisfy { $0.status == .applied })
        #expect(try row(h, "people", p1).deleted)
        // east-2, offline since, edits the event's detail: the event revives, and so must its person.
        let r = try h.reconcile([change(east2, 1, "events", e1, ["detail": .text("补录")], base: 2, wall: 5)], from: east2, wallMillis: 0)
        #expect(r[0].status == .conflict)
        #expect(try !row(h, "events", e1).deleted)
        #expect(try !row(h, "people", p1).deleted, "a live row never references a deleted one")
    }

    @Test func revivalThroughAReferenceRunsTheDuplicateCheck() throws {
        let dir = TempDir("hub")
        defer { dir.remove() }
        let h = try HubStore.create(directory: dir.path)
        _ = try h.reconcile([change(east, 1, "people", p1, person(), wall: 1)], from: east, wallMillis: 0)
        _ = try h.reconcile([change(east, 2, "people", p1, op: .delete, base: 1, wall: 2)], from: east, wallMillis: 0)
        _ = try h.reconcile([change(east, 3, "people", p2, person(), wall: 3)], from: east, wallMillis: 0)
        #expect(try openDuplicates(h).isEmpty, "P1 is deleted: no duplicate yet")
        // east-2 records an event for P1 (it never saw the delete): P1 revives, and now two live rows hold one ID.
        let r = try h.reconcile([change(east2, 1, "events", e1, event(p1), wall: 4)], from: east2, wallMillis: 0)
        #expect(r[0].status == .conflict)
        #expect(try !row(h, "people", p1).deleted)
        let dups = try openDuplicates(h)
        #expect(dups.count == 1)
        #expect(Set([dups.first?.row, dups.first?.otherRow]) == Set([p1, p2]))
    }

    @Test func aPairInAnOpenDuplicateConflictNeverGetsASecondOne() throws {
        let dir = TempDir("hub")
        defer { dir.remove() }
        let h = try HubStore.create(directory: dir.path)
        _ = try h.reconcile([change(east, 1, "people", p1, person(), wall: 1), change(east, 2, "people", p2, person(), wall: 2)],
                            from: east, wallMillis: 0)
        #expect(try openDuplicates(h).count == 1)
        // P2 is deleted and revived by a reference while the duplicate is still open.
        _ = try h.reconcile([change(east, 3, "people", p2, op: .delete, base: 2, wall: 3)], from: east, wallMillis: 0)
        _ = try h.reconcile([change(east2, 1, "events", e2, event(p2), wall: 4)], from: east2, wallMillis: 0)
        #expect(try !row(h, "people", p2).deleted)
        let dups = try openDuplicates(h)
        #expect(dups.count == 1, "one conflict per pair")
        // Merging settles it; nothing of the pair stays open.
        let action = OperatorAction(name: "镇管理员", wallMillis: 10)
        let dup = try #require(dups.first)
        let shown = [p1: try row(h, "people", p1).hseq, p2: try row(h, "people", p2).hseq]
        _ = try h.mergeDuplicate(dup.id, expectedRowVersions: shown, action: action)
        #expect(try openDuplicates(h).isEmpty)
    }

    @Test func aMergeClosesATwinThatSlippedInBefore() throws {
        let dir = TempDir("hub")
        defer { dir.remove() }
        let h = try HubStore.create(directory: dir.path)
        _ = try h.reconcile([change(east, 1, "people", p1, person(), wall: 1), change(east, 2, "people", p2, person(), wall: 2)],
                            from: east, wallMillis: 0)
        let first = try #require(try openDuplicates(h).first)
        // A hub before this rule opened the same pair twice.
        try h.connection.run("""
            INSERT INTO conflicts (kind, tbl, row_id, field, other_row, village, incoming_hseq, reason)
            VALUES ('duplicate', 'people', ?1, 'national_id', ?2, '东村', 2, 'twin')
            """, [.text(p1), .text(p2)])
        #expect(try openDuplicates(h).count == 2)
        _ = try h.mergeDuplicate(first.id, expectedRowVersions: [p1: 2, p2: 2], action: OperatorAction(name: "镇管理员", wallMillis: 10))
        #expect(try openDuplicates(h).isEmpty, "the twin closes with the merge")
    }
}

/// Found by the simulation (seeds 15917497945, 154337600637, 38626147648): a change to a merged-away row in one
/// village, redirected to its survivor in another, recorded a departure of the survivor from the loser's village.
/// A later honest edit of the survivor by its own village, at a base before that, was then judged out of scope.
@Suite struct RedirectedChangeScopeTests {
    let east = BatchSource(node: "east-1", village: "东村")
    let south = BatchSource(node: "south-1", village: "南村")
    let loser = "01900000-0000-7000-8000-0000000000b1"
    let survivor = "01900000-0000-7000-8000-0000000000b2"

    func change(_ s: BatchSource, _ seq: Int64, _ row: String, _ values: Fields, base: Int64 = 0, wall: Int64) -> Change {
        Change(node: s.node, seq: seq, table: "people", row: row, op: .put, values: values, bases: values.mapValues { _ in base },
               rowBase: base, hlc: HLC(wall: wall, counter: 0, node: s.node), author: "测试员", epoch: "")
    }

    func person(_ village: String) -> Fields {
        ["village": .text(village), "name": .text("王秀英"), "sex": .text("F"), "birth_date": .text("1990-03-02"),
         "national_id": .text("370481199003021224")]
    }

    @Test func aRedirectedChangeRecordsNoDepartureOfTheSurvivor() throws {
        let dir = TempDir("hub")
        defer { dir.remove() }
        let h = try HubStore.create(directory: dir.path)
        _ = try h.reconcile([change(east, 1, loser, person("东村"), wall: 1)], from: east, wallMillis: 0)
        _ = try h.reconcile([change(south, 1, survivor, person("南村"), wall: 2)], from: south, wallMillis: 0)
        let southBase = try h.head()
        let dup = try #require(try h.conflicts(status: "open", kind: .duplicate).first)
        _ = try h.mergeDuplicate(dup.id, keep: survivor, action: OperatorAction(name: "镇管理员", wallMillis: 10))
        // 东村, not knowing of the merge, edits its row: redirected to the survivor, held for review.
        let redirected = try h.reconcile([change(east, 2, loser, ["current_address": .text("东村三组")], base: 1, wall: 3)],
                                         from: east, wallMillis: 0)
        #expect(redirected[0].status != .rejected, "\(redirected)")
        let departures = try h.connection.rows("SELECT hseq FROM departures WHERE id = ?1", [.text(survivor)])
        #expect(departures.isEmpty, "the survivor never left 南村")
        // 南村's own edit, made before it heard of any of this, is in scope.
        let own = try h.reconcile([change(south, 2, survivor, ["phone": .text("13900000001")], base: southBase, wall: 4)],
                                  from: south, wallMillis: 0)
        #expect(own[0].status != .rejected, "\(own[0].code ?? "") \(own[0].message ?? "")")
    }
}
