import Testing
@testable import HamletCore

/// The operator's decisions are pure and compare-and-set on what the operator was shown (rule 14).
@Suite struct OperatorDecisionTests {
    let schema = Schema.register
    var people: TableSchema { schema.table(named: "people")! }
    let a = "01900000-0000-7000-8000-0000000000a1"
    let b = "01900000-0000-7000-8000-0000000000a2"

    func row(_ id: String, _ values: Fields, hseq: Int64, versions: [String: Int64] = [:]) -> HubRow {
        HubRow(table: "people", id: id, values: values,
               versions: versions.mapValues { FieldVersion(hseq: $0, hlc: HLC(wall: $0, counter: 0, node: "n"), writers: ["n"]) }, hseq: hseq)
    }

    @Test func aFieldIsSetOnlyAtTheVersionShown() throws {
        let r = row(a, ["phone": .text("13800000000")], hseq: 5, versions: ["phone": 5])
        let ok = try OperatorDecision.setField(r, field: "phone", to: .text("13900000000"), shown: 5).get()
        #expect(ok.values["phone"] == .text("13900000000"))
        let stale = OperatorDecision.setField(r, field: "phone", to: .text("13900000000"), shown: 4)
        #expect(throws: OperatorRefusal(.stale, "phone changed since it was shown (version 4 → 5); look again",
                                         zh: "电话在显示之后又改过（版本 4 → 5），请重新查看", field: "phone", currentVersion: 5)) {
            try stale.get()
        }
        // Clearing a field is a value too.
        #expect(try OperatorDecision.setField(r, field: "phone", to: .null, shown: 5).get().values["phone"] == nil)
    }

    @Test func theShownVersionIsTheFieldRightAfterTheConflictOpened() {
        let hub = FieldVersion(hseq: 3, hlc: HLC(wall: 3, counter: 0, node: "n"), writers: ["n"])
        #expect(OperatorDecision.shownVersion(incomingWon: true, incomingHseq: 9, hubVersion: hub) == 9)
        #expect(OperatorDecision.shownVersion(incomingWon: false, incomingHseq: 9, hubVersion: hub) == 3)
        #expect(OperatorDecision.shownVersion(incomingWon: false, incomingHseq: 9, hubVersion: nil) == 0)
    }

    @Test(arguments: [true, false])
    func aDeleteIsSettledOnlyOnTheRowShown(keep: Bool) throws {
        var r = row(a, ["name": .text("王秀英")], hseq: 7)
        r.deleted = !keep
        #expect(try OperatorDecision.settleDelete(r, keep: keep, shownRow: 7, referrers: []).get().deleted == !keep)
        #expect(throws: OperatorRefusal.self) { try OperatorDecision.settleDelete(r, keep: keep, shownRow: 6, referrers: []).get() }
        if !keep {
            let refused = OperatorDecision.settleDelete(r, keep: false, shownRow: 7, referrers: ["events:x"])
            #expect(throws: OperatorRefusal.self) { try refused.get() }
        }
    }

    @Test func aMergeTakesChosenAndEmptyFieldsAndRefusesAMovedRow() throws {
        let s = row(a, ["village": .text("北赵"), "name": .text("王秀英"), "phone": .text("13800000000")], hseq: 4)
        let l = row(b, ["village": .text("南赵"), "name": .text("王秀瑛"), "phone": .text("13900000000"),
                        "current_address": .text("南赵3组")], hseq: 6)
        let plan = try OperatorDecision.merge(survivor: s, loser: l, fieldsFrom: ["name": b], table: people, scope: "village",
                                              shownRows: [a: 4, b: 6]).get()
        #expect(plan.survivor.values["name"] == .text("王秀瑛"), "chosen from the loser")
        #expect(plan.survivor.values["phone"] == .text("13800000000"), "kept")
        #expect(plan.survivor.values["current_address"] == .text("南赵3组"), "an empty field filled")
        #expect(plan.survivor.values["village"] == .text("北赵"))
        #expect(plan.before == ["name": .text("王秀英")] && plan.beforeEmpty == ["current_address"])
        #expect(plan.loser.deleted && plan.loser.mergedInto == a)
        #expect(throws: OperatorRefusal.self) {
            try OperatorDecision.merge(survivor: s, loser: l, fieldsFrom: [:], table: people, scope: "village", shownRows: [a: 4, b: 5]).get()
        }
        // Choosing the other row's empty value clears the field.
        let cleared = try OperatorDecision.merge(survivor: l, loser: s, fieldsFrom: ["current_address": a], table: people,
                                                 scope: "village", shownRows: [:]).get()
        #expect(cleared.survivor.values["current_address"] == nil && cleared.changed["current_address"] == .null)
        #expect(cleared.before["current_address"] == .text("南赵3组"))
        #expect(throws: OperatorRefusal.self) {
            try OperatorDecision.merge(survivor: s, loser: l, fieldsFrom: ["village": b], table: people, scope: "village", shownRows: [:]).get()
        }
    }

    @Test func acrossVillagesTheSurvivorNeverTakesTheOtherVillagesHousehold() throws {
        let s = row(a, ["village": .text("南赵"), "name": .text("李梅")], hseq: 4)
        let l = row(b, ["village": .text("北赵"), "name": .text("李梅"), "household": .text("h-north")], hseq: 6)
        let plan = try OperatorDecision.merge(survivor: s, loser: l, fieldsFrom: [:], table: people, scope: "village", shownRows: [:]).get()
        #expect(plan.survivor.values["household"] == nil && plan.changed.isEmpty, "her 北赵 household stays in 北赵")
        #expect(throws: OperatorRefusal.self) {
            try OperatorDecision.merge(survivor: s, loser: l, fieldsFrom: ["household": b], table: people, scope: "village", shownRows: [:]).get()
        }
        // Within one village the empty household is filled as any field.
        var near = l
        near.values["village"] = .text("南赵")
        let within = try OperatorDecision.merge(survivor: s, loser: near, fieldsFrom: [:], table: people, scope: "village", shownRows: [:]).get()
        #expect(within.survivor.values["household"] == .text("h-north"))
    }

    @Test func anUnmergeNeverUndoesALaterChange() throws {
        var survivor = row(a, ["name": .text("王秀瑛"), "current_address": .text("南赵3组")], hseq: 10,
                           versions: ["name": 10, "current_address": 10])
        var loser = row(b, ["name": .text("王秀瑛")], hseq: 11)
        loser.deleted = true
        loser.mergedInto = a
        let undo = try OperatorDecision.unmerge(survivor: survivor, loser: loser, before: ["name": .text("王秀英")],
                                                beforeEmpty: ["current_address"], mergeHseqs: [10, 11]).get()
        #expect(undo.survivor.values["name"] == .text("王秀英") && undo.survivor.values["current_address"] == nil)
        #expect(!undo.loser.deleted && undo.loser.mergedInto == nil)
        // A clerk corrected the address after the merge: undoing would lose it.
        survivor.versions["current_address"]?.hseq = 12
        let refused = OperatorDecision.unmerge(survivor: survivor, loser: loser, before: ["name": .text("王秀英")],
                                               beforeEmpty: ["current_address"], mergeHseqs: [10, 11])
        #expect(throws: OperatorRefusal.self) { try refused.get() }
    }
}
