import HamletCore
import HamletTestSupport
import Testing
@testable import HamletStore

/// Conflict outcomes (issue 11, item 9): what the hub tells a node of its conflicts, and what the replica keeps.
@Suite struct OutcomeTests {
    let east = BatchSource(node: "east-1", village: "东村")
    let east2 = BatchSource(node: "east-2", village: "东村")
    let west = BatchSource(node: "west-1", village: "西村")
    let person = "01900000-0000-7000-8000-0000000000a1"
    let twin = "01900000-0000-7000-8000-0000000000a2"
    let westTwin = "01900000-0000-7000-8000-0000000000a3"

    func change(_ s: BatchSource, _ seq: Int64, _ row: String, _ values: Fields, base: Int64 = 0, wall: Int64) -> Change {
        Change(node: s.node, seq: seq, table: "people", row: row, op: .put, values: values, bases: values.mapValues { _ in base },
               rowBase: base, hlc: HLC(wall: wall, counter: 0, node: s.node), author: "测试员", epoch: "")
    }

    func personFields(_ village: String) -> Fields {
        ["village": .text(village), "name": .text("张丽"), "sex": .text("F"), "birth_date": .text("1990-03-02"),
         "national_id": .text("370481199003021224")]
    }

    @Test("the hub tells a node of its village's conflicts and its own changes', with the decision, the value taken and a merge's survivor; the rest it leaves out like ids that do not exist")
    func hubOutcomes() throws {
        let dir = TempDir("hub")
        defer { dir.remove() }
        let h = try HubStore.create(directory: dir.path)
        let v = try #require(try h.reconcile([change(east, 1, person, personFields("东村"), wall: 1)], from: east, wallMillis: 0)[0].hseq)
        // Two phone conflicts on one field (east-2 against east-1, then east-1 against east-2), one decision clears it.
        _ = try h.reconcile([change(east, 2, person, ["phone": .text("13800000001")], base: v, wall: 10)], from: east, wallMillis: 0)
        let first = try #require(try h.reconcile([change(east2, 1, person, ["phone": .text("13900000002")], base: v, wall: 11)],
                                                 from: east2, wallMillis: 0)[0].conflicts.first)
        let second = try #require(try h.reconcile([change(east, 3, person, ["phone": .text("13700000003")], base: v, wall: 12)],
                                                  from: east, wallMillis: 0)[0].conflicts.first)
        try h.resolveField(second, choice: .value(.null), action: OperatorAction(name: "镇管理员", wallMillis: 500, note: "号码已停用"))
        // 东村 registers her again: a duplicate, merged into the first row.
        let dupResult = try h.reconcile([change(east, 4, twin, personFields("东村"), wall: 20)], from: east, wallMillis: 0)[0]
        let dup = try #require(dupResult.conflicts.first)
        try h.mergeDuplicate(dup, keep: person, action: OperatorAction(name: "镇管理员", wallMillis: 600))
        // 西村 registers her too: a duplicate of its own (the village of its row), dismissed.
        let westDup = try #require(try h.reconcile([change(west, 1, westTwin, personFields("西村"), wall: 30)], from: west, wallMillis: 0)[0]
            .conflicts.first)

        let seen = try h.outcomes(of: [westDup, second, first, dup, first, 999, -3], village: "东村", node: "east-2")
        #expect(seen.map(\.id) == [first, second, dup], "by id, each once; 西村's conflict and unknown ids left out")
        let decided = try #require(seen.first { $0.id == second })
        #expect(decided.status == "resolved" && decided.resolution == "new value" && decided.resolvedBy == "镇管理员"
                    && decided.resolvedAt == 500 && decided.note == "号码已停用" && decided.value == .null && decided.field == "phone")
        let superseded = try #require(seen.first { $0.id == first })
        #expect(superseded.resolution == "superseded by #\(second)" && superseded.value == .null, "the deciding change's value")
        let merged = try #require(seen.first { $0.id == dup })
        #expect(merged.resolution == "merge" && merged.survivor == person && merged.value == nil)

        // A node sees its own changes' conflicts wherever they are; another village's node sees none of 东村's.
        #expect(try h.outcomes(of: [westDup], village: "西村", node: "west-1").map(\.status) == ["open"])
        #expect(try h.outcomes(of: [first, second, dup], village: "西村", node: "west-1").isEmpty)
        #expect(try h.outcomes(of: [westDup], village: "东村", node: "east-1").isEmpty)
        try h.dismissDuplicate(westDup, action: OperatorAction(name: "镇管理员", wallMillis: 700, note: "两个人"))
        let dismissed = try #require(try h.outcomes(of: [westDup], village: "西村", node: "west-1").first)
        #expect(dismissed.resolution == "dismissed" && dismissed.note == "两个人" && dismissed.survivor == nil)

        // Undoing the merge reopens the conflict: open again, and says why.
        try h.unmerge(dup, action: OperatorAction(name: "镇管理员", wallMillis: 800, note: "搞错了"))
        let reopened = try #require(try h.outcomes(of: [dup], village: "东村", node: "east-1").first)
        #expect(reopened.status == "open" && reopened.resolution == "unmerged" && reopened.note == "搞错了" && reopened.survivor == nil)
    }

    @Test("the replica counts a conflicted change settled once every conflict it opened is closed, asks again about merges only, and forgets outcomes a requeue or another epoch makes stale")
    func replicaKeepsOutcomes() throws {
        let dir = TempDir("replica")
        defer { dir.remove() }
        var r = try Replica.create(directory: dir.path, node: "east-1", village: "东村", hub: nil, secretFile: nil)
        var rng = SystemRandomNumberGenerator()
        for i in 0..<3 {
            _ = try r.insert(table: "people", values: ["name": .text("人\(i)"), "sex": .text("F"), "birth_date": .text("1990-01-01")],
                             author: "t", wallMillis: 1, rng: &rng)
        }
        try r.recordResults([ChangeResult(seq: 1, status: .conflict, hseq: 1, conflicts: [1, 2]),
                             ChangeResult(seq: 2, status: .conflict, hseq: 2, conflicts: [3]),
                             ChangeResult(seq: 3, status: .conflict, hseq: 3, conflicts: [4])], wallMillis: 1)
        #expect(try r.conflictsToAsk() == [1, 2, 3, 4])
        #expect(try r.status().conflicted == 3 && r.status().settled == 0)

        let settled = try r.recordOutcomes([
            ConflictOutcome(id: 1, kind: "field", status: "resolved", field: "name", resolution: "take hub", resolvedBy: "a", resolvedAt: 5,
                            value: .text("人零")),
            ConflictOutcome(id: 2, kind: "field", status: "open"),
            ConflictOutcome(id: 3, kind: "duplicate", status: "resolved", resolution: "merge", resolvedBy: "a", resolvedAt: 6, survivor: "x"),
            ConflictOutcome(id: 4, kind: "delete", status: "resolved", resolution: "keep", resolvedBy: "a", resolvedAt: 7),
        ], wallMillis: 10)
        #expect(settled == 3)
        #expect(try r.status().conflicted == 1 && r.status().settled == 2, "change 1 still has conflict 2 open")
        #expect(try r.conflictsToAsk() == [2, 3], "open ones, and a merge (unmerge reopens it)")
        #expect(try r.knownOutcomes()[1]?.value == .text("人零"))
        let log = try r.log(pendingOnly: false)
        let known = try r.knownOutcomes()
        #expect(log.map { Replica.isSettled($0, known) } == [false, true, true])
        // Asking again about the same conflicts counts nothing new.
        #expect(try r.recordOutcomes([ConflictOutcome(id: 4, kind: "delete", status: "resolved", resolution: "keep")], wallMillis: 11) == 0)

        // A replica made before outcomes were kept gets the table on open.
        try r.connection.execute("DROP TABLE _outcomes")
        r = try Replica.open(directory: dir.path)
        #expect(try r.knownOutcomes().isEmpty && r.status().conflicted == 3)
        _ = try r.recordOutcomes([ConflictOutcome(id: 3, kind: "duplicate", status: "resolved", resolution: "merge", survivor: "x"),
                                  ConflictOutcome(id: 4, kind: "delete", status: "resolved", resolution: "keep")], wallMillis: 12)

        // A restored hub lost changes 2 and 3: they go back to pending, and what was known of their conflicts goes.
        #expect(try r.requeue(after: 1) == 2)
        #expect(try r.knownOutcomes().isEmpty)
        #expect(try r.status().conflicted == 1 && r.status().settled == 0)

        // Acknowledged again with other conflict ids, and one the node knew of before: asked afresh.
        _ = try r.recordOutcomes([ConflictOutcome(id: 1, kind: "field", status: "resolved", resolution: "take hub")], wallMillis: 13)
        try r.recordResults([ChangeResult(seq: 1, status: .conflict, hseq: 1, conflicts: [1]),
                             ChangeResult(seq: 2, status: .conflict, hseq: 4, conflicts: [5])], wallMillis: 14)
        #expect(try r.conflictsToAsk() == [1, 5])
    }
}
