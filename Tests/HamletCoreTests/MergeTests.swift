import Testing
@testable import HamletCore
import HamletTestSupport

// MARK: - A small in-memory hub around the pure merge

private let east = "东村"
private let west = "西村"
/// Node → village. `NodeID.hub` (the operator) has none.
private let villages: [String: String] = ["east-1": east, "east-2": east, "east-3": east, "west-1": west]

private func rid(_ i: Int) -> String {
    var r = CoreTestRNG(seed: UInt64(i) &* 7919)
    return RowID.make(unixMillis: 1_700_000_000_000 + Int64(i), using: &r)
}

private let P = rid(1)      // 王秀英, 东村
private let P2 = rid(2)
private let H = rid(3)
private let H2 = rid(4)
private let H3 = rid(5)
private let E = rid(6)
private let nobody = rid(99)

private let nid = "370481199003021224"

private func person(_ village: String = east, name: String = "王秀英", id: String = nid) -> Fields {
    ["village": .text(village), "name": .text(name), "sex": .text("F"), "birth_date": .text("1990-03-02"),
     "national_id": .text(id), "phone": .text("13812345678"), "current_address": .text("东村3组12号")]
}

private func household(_ village: String = east) -> Fields {
    ["village": .text(village), "address": .text("东村3组12号")]
}

private func stamp(_ wall: Int64, _ node: String, _ counter: Int64 = 0) -> HLC {
    HLC(wall: wall, counter: counter, node: node)
}

/// A change: every field's base is `base` unless `bases` says otherwise; `rowBase` defaults to `base`.
private func change(_ node: String, _ seq: Int64 = 1, table: String = "people", row: String, op: ChangeOp = .put,
                    _ values: Fields = [:], base: Int64 = 0, bases: [String: Int64] = [:], rowBase: Int64? = nil,
                    wall: Int64, counter: Int64 = 0) -> Change {
    var b: [String: Int64] = [:]
    for k in values.keys { b[k] = bases[k] ?? base }
    return Change(node: node, seq: seq, table: table, row: row, op: op, values: values, bases: b,
                  rowBase: rowBase ?? base, hlc: stamp(wall, node, counter), author: "测试", epoch: "e1")
}

private struct TestHub {
    var schema = Schema.register
    var rows: [RowKey: HubRow] = [:]
    var hseq: Int64 = 0
    var mapBase: (Int64) -> Int64? = { $0 }
    var conflicts: [ConflictDraft] = []
    /// (hseq, row, village left), as the store's departures table records transfers.
    var departures: [(Int64, RowKey, String)] = []
    /// hseq → (row, values the change that took it wrote), as the store's log.
    var logged: [Int64: (RowKey, Fields)] = [:]

    func row(_ id: String, _ table: String = "people") -> HubRow? { rows[RowKey(table, id)] }

    /// The merge's reads over the in-memory rows, as the store answers them.
    struct Reads: MergeReads {
        let hub: TestHub
        func reference(_ key: RowKey) throws -> ReferenceState? {
            guard let r = hub.rows[key] else { return nil }
            if let s = r.mergedInto { return .merged(into: s) }
            let birth = r.values["birth_date"]?.text
            return r.deleted ? .deleted(birthDate: birth) : .live(birthDate: birth)
        }
        func row(_ key: RowKey) throws -> HubRow? { hub.rows[key] }
        func holders(_ key: UniqueValue) throws -> [String] {
            hub.rows.values.filter { $0.table == key.table && !$0.deleted && $0.mergedInto == nil && $0.values[key.field] == key.value }
                .map(\.id).sorted()
        }
        func referrers(_ key: RowKey) throws -> [String] {
            hub.rows.values.filter { r in
                !r.deleted && r.mergedInto == nil
                    && hub.schema.table(named: r.table)!.referenceFields.contains { $0.references == key.table && r.values[$0.name]?.text == key.id }
            }.map { "\($0.table):\($0.id)" }.sorted()
        }
        func village(of key: RowKey, at hseq: Int64) throws -> String? {
            hub.departures.first { $0.1 == key && $0.0 > hseq }?.2
        }
        func value(of key: RowKey, field: String, setAt hseq: Int64) throws -> Value?? {
            guard let values = hub.logged[hseq], values.0 == key else { return nil }
            return .some(values.1[field])
        }
    }

    func context(_ c: Change, village: String?, forceReview: Bool = false) -> MergeContext {
        let t = schema.table(named: c.table)!
        let facts = try! MergeFacts.gather(for: c, onto: rows[RowKey(c.table, c.row)], table: t, schema: schema,
                                           mapBase: mapBase, reads: Reads(hub: self))
        var ctx = MergeContext(schema: schema, table: t, writerVillage: village, hseq: hseq + 1, mapBase: mapBase, facts: facts)
        ctx.forceReview = forceReview
        return ctx
    }

    func village(of node: String) -> String? { node == NodeID.hub ? nil : villages[node]! }

    /// What the merge decides for `c` now, without recording it.
    func decide(_ c: Change, forceReview: Bool = false) -> MergeOutcome {
        Merge.reconcile(c, onto: rows[RowKey(c.table, c.row)], context: context(c, village: village(of: c.node), forceReview: forceReview))
    }

    /// Decides and records, as the store would (a redirect is not followed).
    @discardableResult
    mutating func push(_ c: Change) -> MergeOutcome {
        let out = decide(c)
        record(out, change: c)
        return out
    }

    mutating func record(_ out: MergeOutcome, change: Change? = nil) {
        guard case .apply(let a) = out else { return }
        hseq += 1
        if let change { logged[hseq] = (RowKey(change.table, change.row), change.values) }
        let key = RowKey(a.row.table, a.row.id)
        if let old = rows[key]?.values["village"]?.text, let new = a.row.values["village"]?.text, old != new {
            departures.append((hseq, key, old))
        }
        rows[key] = a.row
        for k in a.revive {
            rows[k]?.deleted = false
            rows[k]?.deletion = nil
            rows[k]?.hseq = hseq
        }
        conflicts += a.conflicts
    }

    /// Creates a person (by east-1 unless told) and returns its hseq.
    @discardableResult
    mutating func seedPerson(_ id: String = P, by node: String = "east-1", _ fields: Fields = person(), wall: Int64 = 1_000) -> Int64 {
        let out = push(change(node, row: id, fields, wall: wall))
        precondition(out.applied?.created == true, "seed failed: \(out)")
        return hseq
    }

    @discardableResult
    mutating func seedHousehold(_ id: String, by node: String = "east-1", _ fields: Fields = household(), wall: Int64 = 1_000) -> Int64 {
        let out = push(change(node, table: "households", row: id, fields, wall: wall))
        precondition(out.applied?.created == true, "seed failed: \(out)")
        return hseq
    }

    /// Marks `loser` as merged into `survivor` (the operator's merge, done by the store).
    mutating func mergeAway(_ loser: String, into survivor: String, table: String = "people") {
        rows[RowKey(table, loser)]?.mergedInto = survivor
        rows[RowKey(table, loser)]?.deleted = true
    }
}

extension MergeOutcome {
    var applied: Applied? {
        if case .apply(let a) = self { return a }
        return nil
    }
    var rejection: Rejection? {
        if case .reject(let r) = self { return r }
        return nil
    }
}

// MARK: - Tests

@Suite struct MergeTests {
    @Test func createStoresEveryValueAtOneVersion() throws {
        var hub = TestHub()
        var fields = person()
        fields["marital_status"] = .null
        let a = try #require(hub.push(change("east-1", row: P, fields, wall: 1_000)).applied)
        #expect(a.created)
        #expect(a.conflicts.isEmpty && a.revive.isEmpty)
        #expect(a.row.values == person(), "nulls are not stored")
        #expect(a.changedFields == person().keys.sorted())
        #expect(a.row.hseq == 1 && !a.row.deleted)
        let v = FieldVersion(hseq: 1, hlc: stamp(1_000, "east-1"), writers: ["east-1"])
        #expect(a.row.versions == person().mapValues { _ in v })
    }

    @Test func createOfAnExistingRowIsAConcurrentEdit() throws {
        // A second "create" of the same id is an edit on base 0.
        var hub = TestHub()
        hub.seedPerson()
        let a = try #require(hub.push(change("east-2", row: P, ["phone": .text("13900000000")], wall: 2_000)).applied)
        #expect(!a.created)
        #expect(a.conflicts.map(\.kind) == [.field])
    }

    @Test func editOrDeleteOfAnUnknownRowIsRefused() {
        var hub = TestHub()
        #expect(hub.push(change("east-1", row: P, ["phone": .text("13900000000")], base: 3, wall: 2_000)).rejection?.code == "unknown-row")
        #expect(hub.push(change("east-1", row: P, op: .delete, rowBase: 3, wall: 2_000)).rejection?.code == "unknown-row")
        #expect(hub.push(change("east-1", row: P, op: .delete, wall: 2_000)).rejection?.code == "unknown-row")
    }

    @Test func twoNodesEditDifferentFieldsOfOnePerson() throws {
        var hub = TestHub()
        hub.seedPerson()
        let a = try #require(hub.push(change("east-1", 2, row: P, ["phone": .text("13900000001")], base: 1, wall: 3_000)).applied)
        let b = try #require(hub.push(change("east-2", row: P, ["name": .text("王秀芳")], base: 1, wall: 2_000)).applied)
        #expect(a.conflicts.isEmpty && b.conflicts.isEmpty)
        #expect(b.changedFields == ["name"])
        let row = try #require(hub.row(P))
        #expect(row.values["phone"] == .text("13900000001"))
        #expect(row.values["name"] == .text("王秀芳"))
        #expect(row.versions["phone"]?.hseq == 2 && row.versions["phone"]?.writers == ["east-1"])
        #expect(row.versions["name"]?.hseq == 3 && row.versions["name"]?.writers == ["east-2"])
        #expect(row.hseq == 3)
    }

    // (first node, wall, counter), (second node, wall, counter): both edit phone on base 1.
    @Test(arguments: [
        ("east-1", Int64(2_000), Int64(0), "east-2", Int64(3_000), Int64(0)),   // second later: wins
        ("east-1", 3_000, 0, "east-2", 2_000, 0),                              // second earlier: first stays
        ("east-1", 2_000, 5, "east-2", 2_000, 6),                              // counter decides
        ("east-1", 2_000, 5, "east-2", 2_000, 5),                              // equal stamps: node id east-2 > east-1
        ("east-2", 2_000, 5, "east-1", 2_000, 5),
        ("east-3", 2_000, 5, "east-2", 2_000, 5),
        ("east-1", 1_700_000_000_000, 0, "east-2", 5_000, 0),                 // a clock days behind loses
    ])
    func sameFieldDifferentValuesOpensAReviewConflict(n1: String, w1: Int64, c1: Int64, n2: String, w2: Int64, c2: Int64) throws {
        var hub = TestHub()
        hub.seedPerson()
        let v1 = Value.text("13800000001")
        let v2 = Value.text("13900000002")
        let first = change(n1, 2, row: P, ["phone": v1], base: 1, wall: w1, counter: c1)
        let second = change(n2, 2, row: P, ["phone": v2], base: 1, wall: w2, counter: c2)
        #expect(try #require(hub.push(first).applied).conflicts.isEmpty)
        let a = try #require(hub.push(second).applied)
        let secondWins = second.hlc > first.hlc
        let row = try #require(hub.row(P))
        #expect(row.values["phone"] == (secondWins ? v2 : v1))
        #expect(row.versions["phone"] == (secondWins ? FieldVersion(hseq: 3, hlc: second.hlc, writers: [n2])
                                                     : FieldVersion(hseq: 2, hlc: first.hlc, writers: [n1])))
        #expect(a.changedFields == (secondWins ? ["phone"] : []))
        let c = try #require(a.conflicts.first)
        #expect(a.conflicts.count == 1)
        #expect(c.kind == .field && c.table == "people" && c.row == P && c.field == "phone")
        #expect(c.base == 1)
        #expect(c.incoming == v2 && c.hubValue == v1, "both values are retrievable")
        #expect(c.hubVersion == FieldVersion(hseq: 2, hlc: first.hlc, writers: [n1]))
        #expect(c.incomingWon == secondWins)
        #expect(!c.reason.contains("1380") && !c.reason.contains("1390"))
        #expect(row.hseq == 3, "a conflict touches the row")
    }

    @Test func sameFieldSameValueMergesSilentlyAndRecordsTheWriter() throws {
        var hub = TestHub()
        hub.seedPerson()
        let x = Value.text("13900000001")
        hub.push(change("east-1", 2, row: P, ["phone": x], base: 1, wall: 3_000))
        let b = try #require(hub.push(change("east-2", 1, row: P, ["phone": x], base: 1, wall: 2_000)).applied)
        #expect(b.conflicts.isEmpty)
        #expect(b.changedFields.isEmpty, "the value and its version do not change")
        var row = try #require(hub.row(P))
        #expect(row.values["phone"] == x)
        #expect(row.versions["phone"] == FieldVersion(hseq: 2, hlc: stamp(3_000, "east-1"), writers: ["east-1", "east-2"]))
        // Rule 4: east-2's next edit of the field, still on base 1 (rule 1), counts as its own write.
        let y = Value.text("13900000002")
        let c = try #require(hub.push(change("east-2", 2, row: P, ["phone": y], base: 1, wall: 2_001)).applied)
        #expect(c.conflicts.isEmpty)
        row = try #require(hub.row(P))
        #expect(row.values["phone"] == y)
        #expect(row.versions["phone"]?.writers == ["east-2"])
        // Writing the same value again adds nobody twice.
        let d = try #require(hub.push(change("east-1", 3, row: P, ["phone": y], base: 2, wall: 3_001)).applied)
        #expect(d.conflicts.isEmpty)
        #expect(hub.row(P)?.versions["phone"]?.writers == ["east-2", "east-1"])
    }

    @Test func oneNodeEditingAFieldTwiceOnTheSameBaseIsItsOwnWrite() throws {
        var hub = TestHub()
        hub.seedPerson()
        hub.push(change("east-1", 2, row: P, ["phone": .text("13900000001")], base: 1, wall: 3_000))
        let a = try #require(hub.push(change("east-1", 3, row: P, ["phone": .text("13900000002")], base: 1, wall: 3_001)).applied)
        #expect(a.conflicts.isEmpty)
        #expect(a.changedFields == ["phone"])
        #expect(hub.row(P)?.values["phone"] == .text("13900000002"))
        #expect(hub.row(P)?.versions["phone"] == FieldVersion(hseq: 3, hlc: stamp(3_001, "east-1"), writers: ["east-1"]))
        // Only another writer in between makes it concurrent.
        hub.push(change("east-2", 1, row: P, ["phone": .text("13900000003")], base: 3, wall: 3_002))
        let b = try #require(hub.push(change("east-1", 4, row: P, ["phone": .text("13900000004")], base: 1, wall: 3_003)).applied)
        #expect(b.conflicts.map(\.kind) == [.field])
    }

    @Test(arguments: [(Int64(2_000), Int64(3_000)), (3_000, 2_000), (2_000, 2_000)])
    func lwwFieldConcurrentLaterStampWinsSilently(w1: Int64, w2: Int64) throws {
        var hub = TestHub()
        hub.seedPerson()
        let first = change("east-1", 2, row: P, ["current_address": .text("县城幸福路1号")], base: 1, wall: w1)
        let second = change("east-2", 1, row: P, ["current_address": .text("广东省深圳市")], base: 1, wall: w2)
        hub.push(first)
        let a = try #require(hub.push(second).applied)
        #expect(a.conflicts.isEmpty)
        let winner = second.hlc > first.hlc ? second : first
        #expect(hub.row(P)?.values["current_address"] == winner.values["current_address"])
        #expect(hub.row(P)?.versions["current_address"]?.hlc == winner.hlc)
    }

    @Test(arguments: ["current_address", "phone", "name"])
    func operatorValueSticksAgainstAConcurrentNodeWrite(field: String) throws {
        var hub = TestHub()
        hub.seedPerson()
        let op: Value = field == "phone" ? .text("13700000000") : field == "name" ? .text("王秀瑛") : .text("镇政府核实地址")
        let node: Value = field == "phone" ? .text("13900000000") : field == "name" ? .text("王小英") : .text("外出务工")
        let o = try #require(hub.push(change(NodeID.hub, row: P, [field: op], base: 1, wall: 2_000)).applied)
        #expect(o.conflicts.isEmpty)
        #expect(hub.row(P)?.versions[field]?.writers == [NodeID.hub], "operator actions are written by @hub")
        // A node edit on the old base with a much later stamp.
        let a = try #require(hub.push(change("east-2", row: P, [field: node], base: 1, wall: 9_999_999_999)).applied)
        #expect(hub.row(P)?.values[field] == op)
        #expect(a.changedFields.isEmpty)
        let c = try #require(a.conflicts.first)
        #expect(a.conflicts.count == 1)
        #expect(c.kind == .field && c.field == field && !c.incomingWon)
        #expect(c.incoming == node && c.hubValue == op)
        #expect(c.reason.contains("operator"))
        // A node that saw the operator's value edits it normally.
        let b = try #require(hub.push(change("east-1", 2, row: P, [field: node], base: 2, wall: 3_000)).applied)
        #expect(b.conflicts.isEmpty)
        #expect(hub.row(P)?.values[field] == node)
    }

    @Test func aStaleOperatorWriteOnAnLwwFieldIsRefusedNotLostSilently() throws {
        // A node whose clock runs days ahead sets the address; the operator, on the older version, corrects it.
        var hub = TestHub()
        hub.seedPerson()
        hub.push(change("east-1", 2, row: P, ["current_address": .text("外出务工")], base: 1, wall: 9_999_999_999))
        let out = hub.push(change(NodeID.hub, row: P, ["current_address": .text("镇政府核实地址")], base: 1, wall: 5_000))
        // Operator writes are compare-and-set (rule 14): the field moved since it was shown.
        #expect(out.rejection?.code == "stale")
        #expect(hub.row(P)?.values["current_address"] == .text("外出务工"), "nothing applied")
        // Shown the new version, the operator's word sticks.
        let again = try #require(hub.push(change(NodeID.hub, row: P, ["current_address": .text("镇政府核实地址")], base: 2, wall: 5_001)).applied)
        #expect(again.conflicts.isEmpty)
        #expect(hub.row(P)?.values["current_address"] == .text("镇政府核实地址"))
    }

    @Test func aSelfConsistentChangeIsAcceptedWithAReviewWhenAConcurrentWinnerMakesTheRowInconsistent() throws {
        var hub = TestHub()
        hub.seedPerson()
        let birth = CalendarDate(year: 1990, month: 3, day: 2)!
        let otherIDSameBirth = NationalID.make(region: 370481, birth: birth, sequence: 124)
        hub.push(change("east-2", row: P, ["national_id": .text(otherIDSameBirth)], base: 1, wall: 5_000))
        // east-1 corrects birth date and ID together (consistent), with an earlier stamp: its ID loses provisionally.
        let newBirth = CalendarDate(year: 1991, month: 1, day: 1)!
        let idFor1991 = NationalID.make(region: 370481, birth: newBirth, sequence: 122)
        let out = hub.decide(change("east-1", 2, row: P, ["birth_date": .text("1991-01-01"), "national_id": .text(idFor1991)],
                                    base: 1, wall: 3_000))
        let a = try #require(out.applied, "a self-consistent change is never rejected because a concurrent value won")
        let c = try #require(a.conflicts.first { $0.field == "national_id" })
        #expect(c.incoming == .text(idFor1991) && c.hubValue == .text(otherIDSameBirth))
        #expect(c.reason.contains("national-id-birth-date-mismatch"), "the conflict names the rule: \(c.reason)")
        // A change inconsistent on its own terms (it saw the ID it contradicts) is still rejected.
        let bad = hub.decide(change("east-1", 3, row: P, ["birth_date": .text("1991-01-01")], base: 2, wall: 6_000))
        #expect(bad.rejection?.code == "national-id-birth-date-mismatch")
        // One that did not see the concurrent ID is kept with a review naming the rule: the operator decides.
        let blind = try #require(hub.decide(change("east-1", 3, row: P, ["birth_date": .text("1991-01-01")], base: 1, wall: 6_000)).applied)
        #expect(blind.conflicts.contains { $0.reason.contains("national-id-birth-date-mismatch") })
    }

    // MARK: deletes

    @Test func deleteArrivingAfterAConcurrentEditIsHeld() throws {
        var hub = TestHub()
        hub.seedPerson()
        hub.push(change("east-2", row: P, ["phone": .text("13900000001")], base: 1, wall: 2_000))
        let a = try #require(hub.push(change("east-1", 2, row: P, op: .delete, rowBase: 1, wall: 3_000)).applied)
        let row = try #require(hub.row(P))
        #expect(!row.deleted && row.deletion == nil)
        #expect(row.values["phone"] == .text("13900000001"))
        #expect(a.changedFields.isEmpty)
        let c = try #require(a.conflicts.first)
        #expect(a.conflicts.count == 1)
        #expect(c.kind == .delete && c.row == P && !c.incomingWon && c.base == 1)
    }

    @Test func deleteThatSawEverythingTombstones() throws {
        var hub = TestHub()
        hub.seedPerson()
        hub.push(change("east-2", row: P, ["phone": .text("13900000001")], base: 1, wall: 2_000))
        let a = try #require(hub.push(change("east-1", 2, row: P, op: .delete, rowBase: 2, wall: 3_000)).applied)
        #expect(a.conflicts.isEmpty)
        let row = try #require(hub.row(P))
        #expect(row.deleted)
        #expect(row.deletion == FieldVersion(hseq: 3, hlc: stamp(3_000, "east-1"), writers: ["east-1"]))
        #expect(row.values == a.row.values, "a tombstone keeps its last values")
    }

    @Test func deleteAfterOnlyOwnEditsTombstones() throws {
        var hub = TestHub()
        hub.seedPerson()
        hub.push(change("east-1", 2, row: P, ["phone": .text("13900000001")], base: 1, wall: 2_000))
        let a = try #require(hub.push(change("east-1", 3, row: P, op: .delete, rowBase: 1, wall: 3_000)).applied)
        #expect(a.conflicts.isEmpty)
        #expect(hub.row(P)?.deleted == true)
    }

    @Test func editAfterAConcurrentDeleteRevivesTheRow() throws {
        var hub = TestHub()
        hub.seedPerson()
        hub.push(change("east-1", 2, row: P, op: .delete, rowBase: 1, wall: 2_000))
        #expect(hub.row(P)?.deleted == true)
        let deletion = hub.row(P)?.deletion
        let a = try #require(hub.push(change("east-2", row: P, ["phone": .text("13900000001")], base: 1, wall: 1_500)).applied)
        let row = try #require(hub.row(P))
        #expect(!row.deleted && row.deletion == nil)
        #expect(row.values["phone"] == .text("13900000001"))
        #expect(row.values["name"] == .text("王秀英"), "the row comes back whole")
        #expect(a.changedFields == ["phone"])
        let c = try #require(a.conflicts.first { $0.kind == .delete })
        #expect(c.incomingWon && c.row == P && c.hubVersion == deletion)
    }

    @Test func deleteOfARowLiveRowsReferenceIsHeld() throws {
        var hub = TestHub()
        hub.seedHousehold(H)
        var fields = person()
        fields["household"] = .text(H)
        hub.seedPerson(P, fields)
        let a = try #require(hub.push(change("east-1", 3, table: "households", row: H, op: .delete, rowBase: 2, wall: 3_000)).applied)
        #expect(hub.row(H, "households")?.deleted == false)
        let c = try #require(a.conflicts.first)
        #expect(a.conflicts.count == 1 && c.kind == .delete && c.table == "households" && !c.incomingWon)
        #expect(c.reason.contains("reference"))
        // Once nothing live references it, the delete goes through.
        #expect(hub.push(change("east-1", 4, row: P, op: .delete, rowBase: 3, wall: 3_001)).applied?.conflicts == [])
        #expect(hub.push(change("east-1", 5, table: "households", row: H, op: .delete, rowBase: 4, wall: 3_002)).applied?.conflicts == [])
        #expect(hub.row(H, "households")?.deleted == true)
    }

    @Test func deleteOfATombstoneOrAMergedAwayRowIsANoop() {
        var hub = TestHub()
        hub.seedPerson()
        hub.seedPerson(P2, person(name: "王秀英", id: nid))
        hub.push(change("east-1", 3, row: P, op: .delete, rowBase: 2, wall: 2_000))
        #expect(hub.push(change("east-2", row: P, op: .delete, rowBase: 1, wall: 2_001)) == .noop)
        hub.mergeAway(P2, into: P)
        #expect(hub.push(change("east-2", 2, row: P2, op: .delete, rowBase: 2, wall: 2_002)) == .noop)
    }

    // MARK: scope and transfers

    @Test func owningVillageTransfersTheRow() throws {
        var hub = TestHub()
        hub.seedPerson()
        let a = try #require(hub.push(change("east-1", 2, row: P, ["village": .text(west), "residence": .text("moved_out")],
                                             base: 1, wall: 2_000)).applied)
        #expect(a.conflicts.isEmpty)
        #expect(a.changedFields == ["residence", "village"])
        #expect(hub.row(P)?.scope(hub.schema) == west)
        // Now the other village's nodes may edit it, and the old village's nodes that saw the move may not.
        #expect(hub.push(change("west-1", row: P, ["residence": .text("moved_in")], base: 2, wall: 2_100)).applied != nil)
        #expect(hub.push(change("east-2", row: P, ["phone": .text("13900000001")], base: 3, wall: 2_200)).rejection?.code == "out-of-scope")
        #expect(hub.push(change("east-2", row: P, op: .delete, rowBase: 3, wall: 2_200)).rejection?.code == "out-of-scope")
    }

    @Test func aNodeOfAnotherVillageCannotTouchARowItNeverOwned() {
        var hub = TestHub()
        hub.seedPerson()
        let rowBase = hub.hseq
        #expect(hub.push(change("west-1", row: P, ["phone": .text("13900000001")], base: rowBase, wall: 2_000)).rejection?.code == "out-of-scope")
        #expect(hub.push(change("west-1", row: P, ["village": .text(west)], base: rowBase, wall: 2_000)).rejection?.code == "out-of-scope")
        #expect(hub.push(change("west-1", row: P, op: .delete, rowBase: rowBase, wall: 2_000)).rejection?.code == "out-of-scope")
        #expect(hub.row(P)?.scope(hub.schema) == east)
    }

    @Test func aNodeOfAnotherVillageCannotTouchARowItNeverOwnedWithRowBaseZero() {
        var hub = TestHub()
        hub.seedPerson()
        do {
            #expect(hub.decide(change("west-1", row: P, ["phone": .text("13900000001")], base: 0, wall: 2_000)).rejection?.code == "out-of-scope")
            #expect(hub.decide(change("west-1", row: P, ["village": .text(west)], base: 0, wall: 9_000)).rejection != nil)
            #expect(hub.decide(change("west-1", row: P, op: .delete, rowBase: 0, wall: 2_000)).rejection?.code == "out-of-scope")
        }
    }

    @Test func anEditMadeBeforeATransferIsAccepted() throws {
        var hub = TestHub()
        hub.seedPerson()
        hub.push(change("east-1", 2, row: P, ["village": .text(west)], base: 1, wall: 2_000))
        // east-2 edited offline on base 1, before it learnt of the transfer (rule 7).
        let a = try #require(hub.push(change("east-2", row: P, ["phone": .text("13900000001")], base: 1, wall: 1_900)).applied)
        #expect(a.conflicts.isEmpty)
        #expect(hub.row(P)?.values["phone"] == .text("13900000001"))
        #expect(hub.row(P)?.scope(hub.schema) == west, "the edit does not pull the row back")
        // A concurrent transfer elsewhere by a node that owned the row at its base is a review conflict.
        let b = try #require(hub.push(change("east-2", 2, row: P, ["village": .text("北村")], base: 1, wall: 1_950)).applied)
        #expect(b.conflicts.map(\.kind) == [.field])
        #expect(hub.row(P)?.scope(hub.schema) == west, "the earlier stamp loses provisionally")
    }

    @Test func theOwningNodeMayCorrectItsOwnTransfer() {
        var hub = TestHub()
        hub.seedPerson()
        hub.push(change("east-1", 2, row: P, ["village": .text(west)], base: 1, wall: 2_000))
        // The clerk picked the wrong village and corrects it before syncing: same base (rule 1), owned at the base.
        let out = hub.decide(change("east-1", 3, row: P, ["village": .text("北村")], base: 1, wall: 2_001))
        do {
            #expect(out.rejection == nil)
        }
    }

    @Test func aNodeCannotCreateARowInAnotherVillage() throws {
        var hub = TestHub()
        #expect(hub.push(change("west-1", row: P, person(east), wall: 1_000)).rejection?.code == "out-of-scope")
        #expect(hub.push(change("west-1", row: P, { var f = person(); f["village"] = nil; return f }(), wall: 1_000)).rejection?.code
                == "out-of-scope", "a row without a village is in nobody's scope")
        let a = try #require(hub.push(change(NodeID.hub, row: P, person(east), wall: 1_000)).applied, "the operator may")
        #expect(a.row.versions["name"]?.writers == [NodeID.hub])
    }

    // MARK: shape and validation

    @Test func unknownFieldIsRefused() {
        var hub = TestHub()
        var fields = person()
        fields["nickname"] = .text("小英")
        #expect(hub.push(change("east-1", row: P, fields, wall: 1_000)).rejection?.code == "unknown-field")
        hub.seedPerson()
        #expect(hub.push(change("east-1", 2, row: P, ["id": .text(P2)], base: 1, wall: 2_000)).rejection?.code == "unknown-field")
        #expect(hub.push(change("east-1", 2, row: P, ["Phone": .text("13900000000")], base: 1, wall: 2_000)).rejection?.code == "unknown-field")
    }

    @Test(arguments: [
        ("sex", Value.text("X"), ValidationIssue.Code.invalidEnum, "X"),
        ("sex", .text("女"), .invalidEnum, "女"),
        ("birth_date", .text("2023-02-29"), .invalidDate, "2023-02-29"),
        ("birth_date", .text("1990-03-03"), .nationalIDBirthDate, nid),
        ("sex", .text("M"), .nationalIDSex, nid),
        ("phone", .text("12345"), .invalidPhone, "12345"),
        ("national_id", .text("370481199003021225"), .invalidNationalID, "370481199003021225"),
        ("national_id", .text("440301198506150032"), .nationalIDBirthDate, "440301198506150032"),
        ("name", .null, .missingField, "王秀英"),
        ("name", .text(String(repeating: "王", count: 41)), .tooLong, "王王王王"),
        ("name", .text(" 王秀英"), .invalidText, "王秀英"),
        ("household", .text("not-a-row"), .invalidReference, "not-a-row"),
        ("village", .integer(3), .invalidText, "3"),
        ("village", .null, .missingField, east),
    ])
    func invalidValuesAreRejectedWithTheValidationCode(field: String, value: Value, code: ValidationIssue.Code, secret: String) {
        var hub = TestHub()
        // On create…
        var fields = person()
        fields[field] = value
        let created = hub.decide(change("east-1", row: P, fields, wall: 1_000)).rejection
        #expect(created?.code == code.rawValue)
        #expect(created.map { !$0.message.contains(secret) } ?? false, "\(created?.message ?? "")")
        // …and on update.
        hub.seedPerson()
        let updated = hub.decide(change("east-1", 2, row: P, [field: value], base: 1, wall: 2_000)).rejection
        #expect(updated?.code == code.rawValue)
        #expect(updated.map { !$0.message.contains(secret) } ?? false, "\(updated?.message ?? "")")
        #expect(hub.row(P)?.values == person())
    }

    @Test func aLosingConcurrentValueIsStillValidated() {
        var hub = TestHub()
        hub.seedPerson()
        hub.push(change("east-1", 2, row: P, ["phone": .text("13900000001")], base: 1, wall: 5_000))
        #expect(hub.push(change("east-2", row: P, ["phone": .text("139")], base: 1, wall: 1_000)).rejection?.code == "invalid-phone")
    }

    @Test func eventDateOnlyUpdateBeforeBirthIsRejected() throws {
        var hub = TestHub()
        hub.seedPerson()
        let event: Fields = ["village": .text(east), "person": .text(P), "kind": .text("marriage"), "date": .text("2015-10-01")]
        #expect(hub.push(change("east-1", 2, table: "events", row: E, event, wall: 2_000)).applied != nil)
        var early = event
        early["date"] = .text("1980-01-01")
        #expect(hub.decide(change("east-2", table: "events", row: rid(7), early, wall: 2_001)).rejection?.code == "date-before-birth")
        let out = hub.decide(change("east-1", 3, table: "events", row: E, ["date": .text("1980-01-01")], base: 2, wall: 2_002))
        do {
            #expect(out.rejection?.code == "date-before-birth")
        }
    }

    // MARK: references

    @Test func referenceToAMergedRowIsRepointedToTheSurvivor() throws {
        var hub = TestHub()
        hub.seedHousehold(H)
        hub.seedHousehold(H2)
        hub.seedHousehold(H3)
        hub.seedPerson()
        hub.mergeAway(H, into: H2, table: "households")
        hub.mergeAway(H2, into: H3, table: "households")
        let a = try #require(hub.push(change("east-1", 2, row: P, ["household": .text(H)], base: 4, wall: 2_000)).applied)
        #expect(a.row.values["household"] == .text(H3), "chains are followed")
        #expect(a.conflicts.isEmpty && a.revive.isEmpty)
        // On create too, and across tables.
        hub.seedPerson(P2, person(name: "李四", id: "440301198506150032").merging(["sex": .text("M"), "birth_date": .text("1985-06-15")]) { $1 })
        hub.mergeAway(P2, into: P)
        let e = try #require(hub.push(change("east-2", table: "events", row: E,
                                             ["village": .text(east), "person": .text(P2), "kind": .text("birth"), "date": .text("2020-01-01")],
                                             wall: 3_000)).applied)
        #expect(e.row.values["person"] == .text(P))
        // Repointing onto the value the hub already holds is no change at all.
        let same = try #require(hub.push(change("east-2", 2, row: P, ["household": .text(H2)], base: 4, wall: 3_001)).applied)
        #expect(same.conflicts.isEmpty)
        #expect(hub.row(P)?.values["household"] == .text(H3))
    }

    @Test func referenceToAMissingRowIsRefused() {
        var hub = TestHub()
        hub.seedPerson()
        #expect(hub.push(change("east-1", 2, row: P, ["household": .text(nobody)], base: 1, wall: 2_000)).rejection?.code == "missing-reference")
        let event: Fields = ["village": .text(east), "person": .text(nobody), "kind": .text("birth"), "date": .text("2020-01-01")]
        let r = hub.push(change("east-1", table: "events", row: E, event, wall: 2_000)).rejection
        #expect(r?.code == "missing-reference")
        #expect(r.map { !$0.message.contains(nobody) } ?? false)
    }

    @Test func referenceToADeletedRowRevivesIt() throws {
        var hub = TestHub()
        hub.seedHousehold(H)
        hub.seedPerson()
        hub.push(change("east-1", 2, table: "households", row: H, op: .delete, rowBase: 2, wall: 1_500))
        #expect(hub.row(H, "households")?.deleted == true)
        let a = try #require(hub.push(change("east-2", row: P, ["household": .text(H)], base: 2, wall: 2_000)).applied)
        #expect(a.revive == [RowKey("households", H)])
        let c = try #require(a.conflicts.first)
        #expect(a.conflicts.count == 1 && c.kind == .delete && c.table == "households" && c.row == H && c.incomingWon)
        #expect(hub.row(H, "households")?.deleted == false)
    }

    // MARK: merged-away rows (rule 9)

    @Test func aWriteToAMergedAwayRowIsRedirectedAndReviewedOnTheSurvivor() throws {
        var hub = TestHub()
        hub.seedPerson()
        hub.seedPerson(P2, person(name: "王秀英", id: nid).merging(["phone": .text("13700000000")]) { $1 })
        hub.mergeAway(P2, into: P)
        let write = change("east-2", row: P2, ["phone": .text("13900000009"), "name": .text("王秀英"),
                                              "current_address": .text("外出务工")], base: 2, wall: 9_000)
        #expect(hub.decide(write) == .redirect(survivor: P))
        var onSurvivor = write
        onSurvivor.row = P
        let a = try #require(hub.decide(onSurvivor, forceReview: true).applied)
        #expect(a.row == hub.row(P), "the hub's values win")
        #expect(a.changedFields.isEmpty && a.revive.isEmpty && !a.created)
        #expect(a.conflicts.map(\.field) == ["current_address", "phone"], "every differing value, lww fields too")
        #expect(a.conflicts.allSatisfy { $0.kind == .field && !$0.incomingWon && $0.row == P })
        #expect(a.conflicts.first?.incoming == .text("外出务工") && a.conflicts.first?.hubValue == .text("东村3组12号"))
        // A merged-away row is never revived by a write.
        #expect(hub.row(P2)?.mergedInto == P)
    }

    @Test func aForcedReviewDoesNotClaimToReviveAReferencedRow() throws {
        var hub = TestHub()
        hub.seedHousehold(H)
        hub.seedPerson()
        hub.push(change("east-1", 2, table: "households", row: H, op: .delete, rowBase: 2, wall: 1_500))
        var write = change("east-2", row: P, ["household": .text(H)], base: 2, wall: 9_000)
        write.row = P
        let a = try #require(hub.decide(write, forceReview: true).applied)
        #expect(a.conflicts.contains { $0.kind == .field && $0.field == "household" })
        do {
            #expect(a.conflicts.allSatisfy { $0.kind != .delete } || a.revive == [RowKey("households", H)])
        }
    }

    @Test func aWriteFromAnotherVillageToAMergedAwayRowIsOutOfScope() {
        var hub = TestHub()
        hub.seedPerson()
        hub.seedPerson(P2)
        hub.mergeAway(P2, into: P)
        let out = hub.decide(change("west-1", row: P2, ["phone": .text("13900000009")], base: 2, wall: 9_000))
        do {
            #expect(out.rejection?.code == "out-of-scope")
        }
    }

    // MARK: duplicates (rule 8)

    @Test func aNewRowWithALiveNationalIDOpensADuplicateConflict() throws {
        var hub = TestHub()
        hub.seedPerson()
        // Registered again in her husband's village: the row is still created.
        let a = try #require(hub.push(change("west-1", row: P2, person(west, name: "王秀英"), wall: 5_000)).applied)
        #expect(a.created)
        let c = try #require(a.conflicts.first)
        #expect(a.conflicts.count == 1)
        #expect(c.kind == .duplicate && c.row == P2 && c.otherRow == P && c.field == "national_id")
        #expect(!c.reason.contains(nid))
        #expect(hub.row(P2)?.deleted == false && hub.row(P)?.deleted == false, "both stay live")
    }

    @Test func anIDChangeOrARevivalOntoALiveIDOpensADuplicateConflict() throws {
        var hub = TestHub()
        hub.seedPerson()
        let other = "440301198506150032"
        hub.seedPerson(P2, person(name: "李四", id: other).merging(["sex": .text("M"), "birth_date": .text("1985-06-15")]) { $1 })
        // P2's ID corrected to P's: duplicate.
        let fix = try #require(hub.push(change("east-2", row: P2, ["national_id": .text(nid), "sex": .text("F"), "birth_date": .text("1990-03-02")],
                                               base: 2, wall: 3_000)).applied)
        #expect(fix.conflicts.map(\.kind) == [.duplicate])
        #expect(fix.conflicts.first?.otherRow == P)
        // An unrelated edit does not re-open it.
        #expect(hub.push(change("east-2", 2, row: P2, ["phone": .text("13900000000")], base: 2, rowBase: 3, wall: 3_001)).applied?.conflicts == [])
        // P deleted, then revived by a concurrent edit while P2 holds the ID: duplicate again.
        hub.push(change("east-1", 2, row: P, op: .delete, rowBase: 4, wall: 4_000))
        #expect(hub.row(P)?.deleted == true)
        let revived = try #require(hub.push(change("east-3", row: P, ["phone": .text("13600000000")], base: 1, rowBase: 1, wall: 3_500)).applied)
        #expect(Set(revived.conflicts.map(\.kind)) == [.delete, .duplicate])
        #expect(revived.conflicts.first { $0.kind == .duplicate }?.otherRow == P2)
    }

    // MARK: epochs (rule 10)

    @Test func anUnknownEpochBaseNeverFastForwards() throws {
        var hub = TestHub()
        hub.seedPerson()
        hub.push(change("east-1", 2, row: P, ["phone": .text("13900000001")], base: 1, wall: 2_000))
        // Control: on a known base the edit fast-forwards.
        let known = try #require(hub.decide(change("east-2", row: P, ["phone": .text("13900000002")], base: 2, wall: 3_000)).applied)
        #expect(known.conflicts.isEmpty)
        hub.mapBase = { _ in nil }
        let unknown = try #require(hub.decide(change("east-2", row: P, ["phone": .text("13900000002")], base: 2, wall: 3_000)).applied)
        #expect(unknown.conflicts.map(\.kind) == [.field])
        #expect(unknown.conflicts.first?.incomingWon == true, "later stamp still wins provisionally")
        // A field never set at the hub has nothing to conflict with.
        let fresh = try #require(hub.decide(change("east-2", row: P, ["marital_status": .text("married")], base: 2, wall: 3_000)).applied)
        #expect(fresh.conflicts.isEmpty && fresh.changedFields == ["marital_status"])
        // A delete on an unknown base is concurrent with every other writer's field.
        let del = try #require(hub.decide(change("east-2", row: P, op: .delete, rowBase: 2, wall: 3_000)).applied)
        #expect(del.conflicts.map(\.kind) == [.delete] && !del.row.deleted)
        // Scope on an unknown base cannot be judged: the values are held for review, never refused (rule 10).
        hub.push(change("east-1", 3, row: P, ["village": .text(west)], base: 2, wall: 2_500))
        let held = try #require(hub.decide(change("east-2", row: P, ["name": .text("王小英")], base: 1, wall: 3_000)).applied)
        #expect(held.changedFields.isEmpty && held.conflicts.map(\.kind) == [.field])
        #expect(held.conflicts.first?.reason.contains("restored") == true && held.conflicts.first?.incomingWon == false)
        // A node that never held the row (row base 0) is still out of scope.
        #expect(hub.decide(change("east-2", row: P, ["name": .text("王小英")], base: 0, wall: 3_000)).rejection?.code == "out-of-scope")
    }

    @Test func mapBaseTranslatesBasesFromAnotherEpoch() throws {
        var hub = TestHub()
        hub.seedPerson()
        hub.push(change("east-1", 2, row: P, ["phone": .text("13900000001")], base: 1, wall: 2_000))
        hub.mapBase = { $0 == 102 ? 2 : $0 <= 1 ? $0 : nil }
        let a = try #require(hub.decide(change("east-2", row: P, ["phone": .text("13900000002")], base: 102, wall: 3_000)).applied)
        #expect(a.conflicts.isEmpty && a.changedFields == ["phone"])
    }

    // MARK: properties over seeded random histories

    /// Values a node may write: never the value the field already has (a node sends the fields it changed).
    private static let pool: [String: [Value]] = [
        "current_address": [.text("县城幸福路1号"), .text("广东省深圳市"), .text("外出务工")],
        "phone": [.text("13700000002"), .text("13900000001"), .text("0571-88888888")],
        "name": [.text("王晓英"), .text("王秀瑛"), .text("王小英")],
        "marital_status": [.text("single"), .text("married"), .text("divorced")],
        "residence": [.text("resident"), .text("moved_out")],
    ]

    private static func randomChange(_ node: String, _ rng: inout CoreTestRNG) -> Change {
        var fields: Fields = [:]
        let names = Array(pool.keys).sorted()
        for _ in 0..<Int.random(in: 1...3, using: &rng) {
            let f = names.randomElement(using: &rng)!
            fields[f] = pool[f]!.randomElement(using: &rng)!
        }
        return change(node, 2, row: P, fields, base: 1, wall: Int64.random(in: 2_000...2_003, using: &rng),
                      counter: Int64.random(in: 0...1, using: &rng))
    }

    @Test func concurrentPairsGiveTheSameResultInEitherOrder() throws {
        let seed: UInt64 = 0x4A31_E7
        print("MergeTests.concurrentPairsGiveTheSameResultInEitherOrder seed \(seed)")
        var rng = CoreTestRNG(seed: seed)
        let schema = Schema.register.table(named: "people")!
        var base = TestHub()
        base.seedPerson()
        for i in 0..<400 {
            let nodes = ["east-1", "east-2", "east-3"].shuffled(using: &rng)
            let a = Self.randomChange(nodes[0], &rng)
            let b = Self.randomChange(nodes[1], &rng)
            var ab = base, ba = base
            let ab1 = ab.push(a), ab2 = ab.push(b)
            let ba1 = ba.push(b), ba2 = ba.push(a)
            for out in [ab1, ab2, ba1, ba2] { #expect(out.applied != nil, "case \(i): \(out)") }
            let rowAB = try #require(ab.row(P)), rowBA = try #require(ba.row(P))
            var expectedConflicts = 0
            for f in Set(a.values.keys).union(b.values.keys) {
                let expected: Value?
                switch (a.values[f], b.values[f]) {
                case let (va?, vb?):
                    expected = va == vb ? va : (a.hlc > b.hlc ? va : vb)
                    if va != vb && schema.field(f)!.merge == .review { expectedConflicts += 1 }
                case let (va?, nil): expected = va
                case let (nil, vb?): expected = vb
                case (nil, nil): expected = nil
                }
                #expect(rowAB.values[f] == rowBA.values[f], "case \(i) field \(f): \(a) / \(b)")
                #expect(rowAB.values[f] == expected, "case \(i) field \(f)")
                if a.values[f] != b.values[f] {
                    #expect(rowAB.versions[f]?.hlc == rowBA.versions[f]?.hlc, "case \(i) field \(f): same winning stamp")
                }
                if a.values[f] != nil, a.values[f] == b.values[f] {
                    #expect(Set(rowAB.versions[f]?.writers ?? []) == [a.node, b.node])
                    #expect(Set(rowBA.versions[f]?.writers ?? []) == [a.node, b.node])
                }
            }
            #expect(ab.conflicts.count == expectedConflicts, "case \(i)")
            #expect(ba.conflicts.count == expectedConflicts, "case \(i)")
            #expect(Set(ab.conflicts.compactMap(\.field)) == Set(ba.conflicts.compactMap(\.field)))
            // Untouched fields keep their creation values.
            for (f, v) in person() where a.values[f] == nil && b.values[f] == nil {
                #expect(rowAB.values[f] == v && rowBA.values[f] == v)
            }
        }
    }

    @Test func theWinnerAmongManyConcurrentWritersIsTheLatestStampInAnyOrder() throws {
        let seed: UInt64 = 0xC0FF_EE
        print("MergeTests.theWinnerAmongManyConcurrentWritersIsTheLatestStampInAnyOrder seed \(seed)")
        var rng = CoreTestRNG(seed: seed)
        for i in 0..<200 {
            var hub = TestHub()
            hub.seedPerson()
            // Three distinct values, so the equal-value rule does not apply.
            let values = Self.pool["current_address"]!.shuffled(using: &rng)
            let changes = ["east-1", "east-2", "east-3"].enumerated().map { j, n in
                change(n, 2, row: P, ["current_address": values[j]], base: 1, wall: Int64.random(in: 2_000...2_002, using: &rng))
            }.shuffled(using: &rng)
            for c in changes { #expect(hub.push(c).applied?.conflicts == [], "case \(i): lww is silent") }
            let latest = changes.max { $0.hlc < $1.hlc }!
            #expect(hub.row(P)?.values["current_address"] == latest.values["current_address"], "case \(i)")
        }
    }

    @Test func anEqualValueMergeKeepsTheLaterStampForLaterComparisons() throws {
        // A writes x at 5, B writes x at 3, C writes y at 4, all concurrent on base 1.
        // Order A, B, C keeps x (A's stamp is the latest); order B, A, C must too.
        let a = change("east-1", 2, row: P, ["current_address": .text("县城幸福路1号")], base: 1, wall: 5_000)
        let b = change("east-2", 2, row: P, ["current_address": .text("县城幸福路1号")], base: 1, wall: 3_000)
        let c = change("east-3", 2, row: P, ["current_address": .text("广东省深圳市")], base: 1, wall: 4_000)
        var hub1 = TestHub(), hub2 = TestHub()
        hub1.seedPerson(); hub2.seedPerson()
        for x in [a, b, c] { hub1.push(x) }
        for x in [b, a, c] { hub2.push(x) }
        #expect(hub1.row(P)?.values["current_address"] == .text("县城幸福路1号"))
        do {
            #expect(hub2.row(P)?.values["current_address"] == .text("县城幸福路1号"))
        }
    }

    @Test func reassertingTheBaseValueIsNoChangeInEitherOrder() {
        // A (east-1, the field's last writer) puts the phone it already had; B (east-2) changes it. Both on base 1.
        let a = change("east-1", 2, row: P, ["phone": .text("13812345678")], base: 1, wall: 5_000)
        let b = change("east-2", 1, row: P, ["phone": .text("13900000001")], base: 1, wall: 4_000)
        var ab = TestHub(), ba = TestHub()
        ab.seedPerson(); ba.seedPerson()
        ab.push(a); ab.push(b)
        ba.push(b); ba.push(a)
        #expect(ab.row(P)?.values["phone"] == .text("13900000001"), "A was a no-op, B fast-forwards")
        #expect(ba.row(P)?.values["phone"] == .text("13900000001"), "A re-asserts the value at its base: no change")
        #expect(ba.conflicts.isEmpty && ab.conflicts.isEmpty)
    }

    @Test func sameInputsSameOutcome() {
        let seed: UInt64 = 0xD00D
        print("MergeTests.sameInputsSameOutcome seed \(seed)")
        var rng = CoreTestRNG(seed: seed)
        var hub = TestHub()
        hub.seedHousehold(H)
        hub.seedPerson()
        for i in 0..<300 {
            let node = ["east-1", "east-2", "east-3", "west-1", NodeID.hub].randomElement(using: &rng)!
            var c = Self.randomChange(node, &rng)
            c.seq = Int64(i + 10)
            if Bool.random(using: &rng) { c.op = .delete; c.values = [:]; c.bases = [:] }
            c.rowBase = Int64.random(in: 0...hub.hseq, using: &rng)
            for k in c.bases.keys { c.bases[k] = Int64.random(in: 0...hub.hseq, using: &rng) }
            let first = hub.decide(c)
            let again = hub.decide(c)
            #expect(first == again, "case \(i)")
            if case .apply = first, Int.random(in: 0..<4, using: &rng) == 0 { hub.record(first) }
        }
    }
}
