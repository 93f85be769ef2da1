import HamletCore
import HamletTestSupport
import Testing
@testable import HamletStore

/// The hub store through its public calls: reconcile, pull, resolutions.
@Suite struct HubStoreTests {
    let east = BatchSource(node: "east-1", village: "东村")
    let east2 = BatchSource(node: "east-2", village: "东村")
    let west = BatchSource(node: "west-1", village: "西村")
    let hhEast = "01900000-0000-7000-8000-000000000001"
    let hhWest = "01900000-0000-7000-8000-000000000002"
    let person = "01900000-0000-7000-8000-0000000000a1"
    let twin = "01900000-0000-7000-8000-0000000000a2"

    func change(_ s: BatchSource, _ seq: Int64, _ table: String, _ row: String, _ values: Fields = [:], op: ChangeOp = .put,
                base: Int64 = 0, rowBase: Int64? = nil, wall: Int64) -> Change {
        Change(node: s.node, seq: seq, table: table, row: row, op: op, values: values,
               bases: values.mapValues { _ in base }, rowBase: rowBase ?? base,
               hlc: HLC(wall: wall, counter: 0, node: s.node), author: "测试员", epoch: "")
    }

    func personFields(_ village: String, household: String) -> Fields {
        ["village": .text(village), "household": .text(household), "name": .text("张丽"), "sex": .text("F"),
         "birth_date": .text("1990-03-02"), "national_id": .text("370481199003021224")]
    }

    /// A hub with one household per village and one person in 东村; returns the person's hseq.
    func seeded(_ dir: TempDir) throws -> (HubStore, Int64) {
        let h = try HubStore.create(directory: dir.path)
        _ = try h.reconcile([change(east, 1, "households", hhEast, ["village": .text("东村"), "address": .text("东村1号")], wall: 1)],
                            from: east, wallMillis: 0)
        _ = try h.reconcile([change(west, 1, "households", hhWest, ["village": .text("西村"), "address": .text("西村1号")], wall: 1)],
                            from: west, wallMillis: 0)
        let r = try h.reconcile([change(east, 2, "people", person, personFields("东村", household: hhEast), wall: 2)], from: east, wallMillis: 0)
        return (h, r[0].hseq ?? 0)
    }

    @Test func differentFieldsMergeAndSameFieldConflicts() throws {
        let dir = TempDir("hub")
        defer { dir.remove() }
        let (h, v) = try seeded(dir)
        let a = try h.reconcile([change(east, 3, "people", person, ["phone": .text("13800000001")], base: v, wall: 10)], from: east, wallMillis: 0)
        let b = try h.reconcile([change(east2, 1, "people", person, ["current_address": .text("东村2号")], base: v, wall: 11)], from: east2, wallMillis: 0)
        #expect(a[0].status == .applied && b[0].status == .applied)
        let c = try h.reconcile([change(east2, 2, "people", person, ["phone": .text("13900000002")], base: v, wall: 12)], from: east2, wallMillis: 0)
        #expect(c[0].status == .conflict)
        let row = try #require(try h.row(h.schema.table(named: "people")!, id: person))
        #expect(row.values["phone"] == .text("13900000002"))  // later HLC wins provisionally
        #expect(row.values["current_address"] == .text("东村2号"))
        let conflict = try #require(try h.conflict(c[0].conflicts[0]))
        #expect(conflict.incoming == .text("13900000002") && conflict.hubValue == .text("13800000001"))
    }

    @Test func resentBatchesAreNeverAppliedTwiceAndReusedSeqIsRefused() throws {
        let dir = TempDir("hub")
        defer { dir.remove() }
        let (h, v) = try seeded(dir)
        let batch = [change(east, 3, "people", person, ["phone": .text("13800000001")], base: v, wall: 10),
                     change(east, 4, "people", person, ["sex": .text("X")], base: v, wall: 11),
                     change(east, 5, "people", person, ["marital_status": .text("married")], base: v, wall: 12)]
        let first = try h.reconcile(batch, from: east, wallMillis: 0)
        #expect(first.map(\.status) == [.applied, .rejected, .applied])   // the bad change is rejected alone
        let head = try h.head()
        let again = try h.reconcile(batch, from: east, wallMillis: 0)
        #expect(again.map(\.hseq) == first.map(\.hseq) && again.allSatisfy(\.resent))
        #expect(try h.head() == head)
        let reused = try h.reconcile([change(east, 3, "people", person, ["phone": .text("13700000000")], base: v, wall: 13)], from: east, wallMillis: 0)
        #expect(reused[0].code == "seq-reused")
    }

    @Test func duplicatesAcrossVillagesOpenAConflictAndBothRowsStay() throws {
        let dir = TempDir("hub")
        defer { dir.remove() }
        let (h, _) = try seeded(dir)
        var f = personFields("西村", household: hhWest)
        f["name"] = .text("张丽")
        let r = try h.reconcile([change(west, 2, "people", twin, f, wall: 20)], from: west, wallMillis: 0)
        #expect(r[0].status == .conflict)
        let c = try #require(try h.conflicts(kind: .duplicate).first)
        #expect(Set([c.row, c.otherRow]) == Set([person, twin]))
        // Merge: survivor keeps references; unmerge restores both exactly.
        let people = h.schema.table(named: "people")!
        let before = (try h.row(people, id: person)?.values, try h.row(people, id: twin)?.values)
        #expect(throws: OperatorError.self) {   // the survivor's village is not taken from the other row
            try h.mergeDuplicate(c.id, keep: person, fieldsFrom: ["village": twin], action: OperatorAction(name: "镇管理员", wallMillis: 4))
        }
        let m = try h.mergeDuplicate(c.id, keep: person, action: OperatorAction(name: "镇管理员", wallMillis: 5))
        #expect(try h.row(people, id: twin)?.mergedInto == person)
        #expect(throws: OperatorError.self) { try h.mergeDuplicate(c.id, action: OperatorAction(name: "另一人", wallMillis: 6)) }
        _ = try h.unmerge(c.id, action: OperatorAction(name: "镇管理员", wallMillis: 7))
        #expect(try h.row(people, id: person)?.values == before.0)
        #expect(try h.row(people, id: twin)?.values == before.1)
        #expect(try h.row(people, id: twin)?.deleted == false)
        #expect(m.hseqs.count >= 1)
    }

    @Test func transferSendsLeaveToTheOldVillageAndTheWholeRowToTheNew() throws {
        let dir = TempDir("hub")
        defer { dir.remove() }
        let (h, v) = try seeded(dir)
        let moved = try h.reconcile([change(east, 3, "people", person, ["village": .text("西村"), "household": .text(hhWest)], base: v, wall: 30)],
                                    from: east, wallMillis: 0)
        #expect(moved[0].status == .applied)
        let eastPage = try h.pull(village: "东村", after: v, limit: 100)
        #expect(eastPage.items.contains(.leave(table: "people", id: person, hseq: moved[0].hseq ?? 0)))
        let westPage = try h.pull(village: "西村", after: 0, limit: 100)
        let arrived = westPage.items.compactMap { item -> RowState? in if case .put(let r) = item, r.id == person { return r } else { return nil } }
        #expect(arrived.first?.values["name"] == .text("张丽"))
        // 东村 can no longer write it; an edit it made before the transfer is still accepted.
        let late = try h.reconcile([change(east2, 1, "people", person, ["phone": .text("13800000003")], base: v, wall: 29)], from: east2, wallMillis: 0)
        #expect(late[0].status != .rejected)
        let after = try h.reconcile([change(east2, 2, "people", person, ["phone": .text("13800000004")], base: moved[0].hseq ?? 0, wall: 31)],
                                    from: east2, wallMillis: 0)
        #expect(after[0].code == "out-of-scope")
    }

    @Test func resolutionsAreHubChangesAndCompareAndSet() throws {
        let dir = TempDir("hub")
        defer { dir.remove() }
        let (h, v) = try seeded(dir)
        _ = try h.reconcile([change(east, 3, "people", person, ["phone": .text("13800000001")], base: v, wall: 10)], from: east, wallMillis: 0)
        let c = try h.reconcile([change(east2, 1, "people", person, ["phone": .text("13900000002")], base: v, wall: 5)], from: east2, wallMillis: 0)
        let id = try #require(c[0].conflicts.first)
        let people = h.schema.table(named: "people")!
        let version = try #require(try h.row(people, id: person)?.versions["phone"]?.hseq)
        #expect(throws: OperatorError.self) {
            try h.resolveField(id, choice: .village, expectedVersion: version - 1, action: OperatorAction(name: "a", wallMillis: 1))
        }
        let head = try h.head()
        let hseq = try h.resolveField(id, choice: .village, expectedVersion: version, action: OperatorAction(name: "a", wallMillis: 1, note: "核实过"))
        #expect(hseq == head + 1)
        #expect(try h.row(people, id: person)?.values["phone"] == .text("13900000002"))
        let resolved = try #require(try h.conflict(id))
        #expect(resolved.status == "resolved" && resolved.resolvedBy == "a" && resolved.note == "核实过")
        do {
            try h.resolveField(id, choice: .hub, action: OperatorAction(name: "b", wallMillis: 2))
            Issue.record("second resolution must fail")
        } catch let e as OperatorError {
            #expect(e.code == .alreadyResolved && e.message.contains("already resolved by a"))
        }
        // The resolution reaches the village like any change.
        let page = try h.pull(village: "东村", after: head, limit: 10)
        #expect(page.items.contains { if case .put(let r) = $0 { return r.id == person && r.values["phone"] == .text("13900000002") } else { return false } })
        // A node edit concurrent with the operator's value opens a review conflict; the operator's value stays.
        let late = try h.reconcile([change(east, 4, "people", person, ["phone": .text("13700000000")], base: v, wall: 99)], from: east, wallMillis: 0)
        #expect(late[0].status == .conflict)
        #expect(try h.row(people, id: person)?.values["phone"] == .text("13900000002"))
    }

    @Test func deleteRacingAnEditKeepsTheRowAndOpensADeleteConflict() throws {
        let dir = TempDir("hub")
        defer { dir.remove() }
        let (h, v) = try seeded(dir)
        _ = try h.reconcile([change(east, 3, "people", person, ["phone": .text("13800000001")], base: v, wall: 10)], from: east, wallMillis: 0)
        let d = try h.reconcile([change(east2, 1, "people", person, op: .delete, rowBase: v, wall: 11)], from: east2, wallMillis: 0)
        #expect(d[0].status == .conflict)
        let people = h.schema.table(named: "people")!
        #expect(try h.row(people, id: person)?.deleted == false)
        let c = try #require(try h.conflicts(kind: .delete).first)
        try h.resolveDelete(c.id, keep: true, action: OperatorAction(name: "a", wallMillis: 1))
        #expect(try h.row(people, id: person)?.deleted == false)
    }

    @Test func aChangeNamingARowTheHubNeverSawIsParkedThenApplied() throws {
        let dir = TempDir("hub")
        defer { dir.remove() }
        let h = try HubStore.create(directory: dir.path)
        try h.addNode(id: "east-1", village: "东村", secretHash: String(repeating: "0", count: 64), wallMillis: 0)
        try h.addNode(id: "east-2", village: "东村", secretHash: String(repeating: "0", count: 64), wallMillis: 0)
        // After a restore the hub lacks the household east-1 made; east-2 edits it and adds a person in it.
        let edit = change(east2, 1, "households", hhEast, ["phone": .text("13800000009")], base: 3, wall: 10)
        var p = personFields("东村", household: hhEast)
        p["national_id"] = .null
        let newPerson = change(east2, 2, "people", person, p, wall: 11)
        let parked = try h.reconcile([edit, newPerson], from: east2, wallMillis: 0)
        #expect(parked.map(\.status) == [.parked, .parked])
        #expect(try h.head() == 0)
        // Re-sent while still waiting: parked again, never applied twice.
        #expect(try h.reconcile([edit], from: east2, wallMillis: 0).map(\.status) == [.parked])
        // east-1 re-pushes the household: the parked changes apply behind it.
        let created = try h.reconcile([change(east, 1, "households", hhEast, ["village": .text("东村"), "address": .text("东村1号")], wall: 1)],
                                      from: east, wallMillis: 0)
        #expect(created[0].status == .applied)
        let households = h.schema.table(named: "households")!
        #expect(try h.row(households, id: hhEast)?.values["phone"] == .text("13800000009"))
        #expect(try h.row(h.schema.table(named: "people")!, id: person) != nil)
        let again = try h.reconcile([edit, newPerson], from: east2, wallMillis: 0)
        #expect(again.allSatisfy { $0.resent && $0.status != .parked && $0.hseq != nil })
    }

    @Test func pullPagesCoverEveryRowOnceInHseqOrder() throws {
        let dir = TempDir("hub")
        defer { dir.remove() }
        let h = try HubStore.create(directory: dir.path)
        var changes: [Change] = []
        for i in 0..<250 {
            let id = RowID.make(unixMillis: 1_700_000_000_000 + Int64(i), using: &SplitMix.shared)
            changes.append(change(east, Int64(i + 1), "households", id, ["village": .text("东村"), "address": .text("东村\(i)号")], wall: Int64(i)))
        }
        _ = try h.reconcile(changes, from: east, wallMillis: 0)
        var cursor: Int64 = 0
        var seen: [String] = []
        while true {
            let p = try h.pull(village: "东村", after: cursor, limit: 40)
            for case .put(let r) in p.items { seen.append(r.id) }
            cursor = p.cursor
            if p.done { break }
        }
        #expect(seen.count == 250 && Set(seen).count == 250)
        #expect(cursor == (try h.head()))
        #expect(try h.pull(village: "西村", after: 0, limit: 40).items.isEmpty)
    }
}

extension SplitMix {
    /// One generator the hub store tests share.
    nonisolated(unsafe) static var shared = SplitMix()
}
