import HamletCore
import Testing

@Suite("A duplicate merge across villages is a move (MergeMove)")
struct MergeMoveTests {
    private func ref(_ table: String, _ id: String, _ field: String, _ village: String, _ extra: Fields = [:]) -> MergeMove.Reference {
        var values: Fields = ["village": .text(village), field: .text("loser")]
        for (k, v) in extra { values[k] = v }
        return MergeMove.Reference(table: table, id: id, field: field, values: values)
    }

    private var references: [MergeMove.Reference] {
        [ref("events", "e", "person", "北赵"),
         ref("visits", "v", "person", "北赵"),
         ref("benefits", "b", "payee", "北赵", ["household": .text("h")]),
         ref("households", "h", "head", "北赵"),
         ref("people", "child", "mother", "北赵"),
         ref("pregnancies", "preg", "child", "北赵"),
         ref("visits", "v2", "person", "南赵")]
    }

    @Test("across villages: her rows follow (household cleared), her household loses its head, crossing references are repointed in place")
    func across() {
        let m = MergeMove.plan(survivor: "s", survivorVillage: "南赵", loserVillage: "北赵", references: references,
                               schema: .register, reason: .marriage, date: "2026-11-30")
        #expect(m.from == "北赵" && m.to == "南赵")
        let byID = Dictionary(uniqueKeysWithValues: m.updates.map { ($0.id, $0) })
        #expect(byID["e"]?.kind == .follow && byID["e"]?.values == ["village": .text("南赵"), "person": .text("s")])
        #expect(byID["v"]?.kind == .follow)
        #expect(byID["b"]?.values == ["village": .text("南赵"), "payee": .text("s"), "household": .null])
        #expect(byID["b"]?.before == ["village": .text("北赵"), "payee": .text("loser"), "household": .text("h")])
        #expect(byID["h"]?.kind == .headCleared && byID["h"]?.values == ["head": .null] && byID["h"]?.before == ["head": .text("loser")])
        #expect(byID["child"]?.kind == .repoint && byID["child"]?.values == ["mother": .text("s")])
        #expect(byID["preg"]?.kind == .repoint)
        // Already in the survivor's village: only repointed.
        #expect(byID["v2"]?.kind == .repoint && byID["v2"]?.values == ["person": .text("s")])
        #expect(m.events.count == 2)
        #expect(m.events[0]["kind"] == .text("move_out") && m.events[0]["detail"] == .text("迁往南赵（婚迁），原村北赵"))
        #expect(m.events[1]["kind"] == .text("move_in") && m.events[1]["detail"] == .text("自北赵迁入"))
        #expect(m.events.allSatisfy { $0["village"] == .text("南赵") && $0["person"] == .text("s") && $0["date"] == .text("2026-11-30") })
    }

    @Test("within one village every reference is repointed and no event is made")
    func within() {
        let m = MergeMove.plan(survivor: "s", survivorVillage: "北赵", loserVillage: "北赵", references: references,
                               schema: .register, reason: .marriage, date: "2026-11-30")
        #expect(m.from == nil && m.events.isEmpty)
        #expect(m.updates.allSatisfy { $0.kind == .repoint && $0.values == [$0.field: .text("s")] })
    }
}
