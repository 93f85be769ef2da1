import Foundation
import HamletCore
import HamletHub
import HamletNet
import HamletProtocol
import HamletStore
import HamletTestSupport
import Testing

/// `outcomes` → `conflicts` over real TCP, in raw lines (PROTOCOL §5, §11): announced in the welcome, answered
/// for the conflicts a node may see, silent about the others, and refused where the state machine says so.
@Suite(.serialized)
struct HubOutcomesTests {
    /// A field conflict in beizhao (the clerk against the doctor), settled by the operator with the clerk's value,
    /// and one in nanzhuang (the node against an operator correction), still open. Returns both ids.
    static func conflicts(_ hub: HubFixture) throws -> (beizhao: Int64, nanzhuang: Int64) {
        let a = hub.node("beizhao"), b = hub.node("beizhao-doctor"), n = hub.node("nanzhuang")
        let (clerk, _) = try hub.login("beizhao")
        let (doctor, _) = try hub.login("beizhao-doctor")
        let (south, _) = try hub.login("nanzhuang")
        defer { clerk.close(); doctor.close(); south.close() }
        let row = Changes.newRowID()
        _ = try clerk.push(1, [Changes.household(a, seq: 1, row: row)])
        _ = try doctor.push(1, [Changes.edit(b, seq: 1, row: row, field: "address", value: .text("北赵村二组 3 号"), base: 1)])
        let mine = try clerk.push(2, [Changes.edit(a, seq: 2, row: row, field: "address", value: .text("北赵村三组 8 号"), base: 1)])
        let beizhao = try #require(mine.first?.conflicts.first)

        let southRow = Changes.newRowID()
        let created = try south.push(1, [Changes.household(n, seq: 1, row: southRow, address: "南庄一组 1 号")])
        let base = try #require(created.first?.hseq)
        // The operator corrects the address at the hub meanwhile (the hub keeps serving).
        let store = try HubStore.open(directory: hub.dir.path)
        try store.operatorEdit(table: "households", id: southRow, values: ["address": .text("南庄一组 2 号")],
                               action: OperatorAction(name: "镇管理员", wallMillis: 1_767_229_000_000))
        let theirs = try south.push(2, [Changes.edit(n, seq: 2, row: southRow, field: "address", value: .text("南庄一组 3 号"), base: base)])
        let nanzhuang = try #require(theirs.first?.conflicts.first)

        try store.resolveField(beizhao, choice: .village,
                               action: OperatorAction(name: "镇管理员李明", wallMillis: 1_767_229_200_000, note: "核实过户口本"))
        return (beizhao, nanzhuang)
    }

    @Test("the welcome announces outcomes; a node hears of its village's conflicts with the decision, the value, who, when and the note, and of nothing else")
    func outcomesOfConflictsTheNodeMaySee() throws {
        let hub = try HubFixture()
        let ids = try Self.conflicts(hub)

        let (clerk, welcome) = try hub.login("beizhao")
        defer { clerk.close() }
        #expect(welcome.features == ["outcomes"])
        try clerk.send(#"{"type":"outcomes","conflicts":[\#(ids.beizhao),\#(ids.nanzhuang),999,-1,\#(ids.beizhao)]}"#)
        guard case .conflicts(let got) = try clerk.read() else { Issue.record("no conflicts answer"); return }
        let settled = try #require(got.first)
        #expect(got.count == 1, "nanzhuang's conflict, an unknown id and a negative one are left out; a repeat answered once")
        #expect(settled.id == ids.beizhao && settled.kind == "field" && settled.status == "resolved" && settled.table == "households"
                    && settled.field == "address")
        #expect(settled.resolution == "take village" && settled.value == .text("北赵村三组 8 号"))
        #expect(settled.resolvedBy == "镇管理员李明" && settled.resolvedAt == 1_767_229_200_000 && settled.note == "核实过户口本")

        // Another node of the village sees it too (it is the village's); the other village does not, and cannot
        // tell it from an id that does not exist: the two answers are the same bytes.
        let (doctor, _) = try hub.login("beizhao-doctor")
        defer { doctor.close() }
        try doctor.send(.outcomes(conflicts: [ids.beizhao]))
        guard case .conflicts(let seen) = try doctor.read() else { Issue.record("no answer"); return }
        #expect(seen.map(\.id) == [ids.beizhao])
        let (south, _) = try hub.login("nanzhuang")
        defer { south.close() }
        try south.send(#"{"type":"outcomes","conflicts":[\#(ids.beizhao)]}"#)
        let hidden = try #require(try south.readLine())
        try south.send(#"{"type":"outcomes","conflicts":[424242]}"#)
        let absent = try #require(try south.readLine())
        #expect(hidden == absent && hidden == #"{"conflicts":[],"type":"conflicts"}"#)
        try south.send(#"{"type":"outcomes","conflicts":[\#(ids.nanzhuang)]}"#)
        guard case .conflicts(let own) = try south.read() else { Issue.record("no answer"); return }
        #expect(own.map(\.status) == ["open"] && own.first?.resolution == nil && own.first?.value == nil)
        // The session goes on as usual afterwards.
        #expect(try south.pull(cursor: 0).done)
    }

    @Test("outcomes before login is out-of-order, a bad id is bad-field, more than max_batch ids is batch-too-large (all fatal); in must-resync it is resync-required and the session stays")
    func outcomesWhereTheStateMachineSaysNo() throws {
        let hub = try HubFixture()
        let early = try hub.connect()
        defer { early.close() }
        try early.send(#"{"type":"outcomes","conflicts":[1]}"#)
        try early.expectError(.outOfOrder)
        early.expectClosed()

        let (typo, _) = try hub.login("beizhao")
        defer { typo.close() }
        try typo.send(#"{"type":"outcomes","conflicts":[1,"2"]}"#)
        let bad = try typo.expectErrorLine(.badField)
        #expect(bad.message == "wrong type at conflicts.1: expected an integer within 64 bits")
        typo.expectClosed()

        let (greedy, _) = try hub.login("beizhao")
        defer { greedy.close() }
        try greedy.send(.outcomes(conflicts: Array(1...Int64(hub.limits.maxBatch + 1))))
        try greedy.expectError(.batchTooLarge)
        greedy.expectClosed()

        let (stale, welcome) = try hub.login("beizhao", hub: "another-hub")
        defer { stale.close() }
        #expect(welcome.resync)
        try stale.send(.outcomes(conflicts: [1]))
        try stale.expectError(.resyncRequired)
        try stale.send(.bye)
        #expect(try stale.read() == .bye)
    }
}
