import Foundation
import HamletCore
import HamletTestSupport
import Testing
@testable import HamletStore

/// Issue 15 item 4: a duplicate merge across villages (因婚两次录入) moves the loser's records to the surviving
/// village, with 迁出/迁入 events, instead of leaving them behind pointing at a person that village cannot see.
extension HubStoreTests {
    private static let ids = (visit: "01900000-0000-7000-8000-0000000000b1", event: "01900000-0000-7000-8000-0000000000b2",
                              benefit: "01900000-0000-7000-8000-0000000000b3", child: "01900000-0000-7000-8000-0000000000b4")

    /// 张丽 in 东村 (`person`) and again in 西村 (`twin`) with her visit, marriage event, benefit, a child and the
    /// 西村 household she heads; returns the hub and the duplicate conflict's id.
    private func twiceRegistered(_ dir: TempDir) throws -> (HubStore, Int64) {
        let (h, _) = try seeded(dir)
        var f = personFields("西村", household: hhWest)
        f["name"] = .text("张丽")
        let ids = Self.ids
        _ = try h.reconcile([
            change(west, 2, "people", twin, f, wall: 20),
            change(west, 3, "visits", ids.visit, ["village": .text("西村"), "person": .text(twin), "kind": .text("health_check"),
                                                  "date": .text("2026-10-01")], wall: 21),
            change(west, 4, "events", ids.event, ["village": .text("西村"), "person": .text(twin), "kind": .text("marriage"),
                                                  "date": .text("2026-09-01")], wall: 22),
            change(west, 5, "benefits", ids.benefit, ["village": .text("西村"), "person": .text(twin), "household": .text(hhWest),
                                                      "program": .text("奖扶"), "amount": .integer(960), "status": .text("eligible")], wall: 23),
            change(west, 6, "people", ids.child, ["village": .text("西村"), "mother": .text(twin), "name": .text("张小丽"),
                                                  "sex": .text("F"), "birth_date": .text("2026-10-20")], wall: 24),
            change(west, 7, "households", hhWest, ["head": .text(twin)], base: 2, wall: 25),
        ], from: west, wallMillis: 0)
        let c = try #require(try h.conflicts(kind: .duplicate).first)
        return (h, c.id)
    }

    @Test func mergeAcrossVillagesMovesHerRecordsWithEventsAndUnmergePutsThemBack() throws {
        let dir = TempDir("hub")
        defer { dir.remove() }
        let (h, conflict) = try twiceRegistered(dir)
        let ids = Self.ids
        let cursorWest = try h.head()
        let day = Int64(Date().timeIntervalSince1970 * 1000)
        let m = try h.mergeDuplicate(conflict, keep: person, action: OperatorAction(name: "镇管理员", wallMillis: day))
        func values(_ table: String, _ id: String) throws -> Fields { try #require(try h.row(h.schema.table(named: table)!, id: id)).values.filter { !$0.value.isNull } }

        #expect(m.move?.from == "西村" && m.move?.to == "东村" && m.move?.events.count == 2)
        for (t, id) in [("visits", ids.visit), ("events", ids.event)] {
            #expect(try values(t, id)["village"] == .text("东村") && values(t, id)["person"] == .text(person))
        }
        #expect(try values("benefits", ids.benefit)["household"] == nil)        // the household stays in 西村
        #expect(try values("households", hhWest)["head"] == nil && values("households", hhWest)["village"] == .text("西村"))
        #expect(try values("people", ids.child)["mother"] == .text(person) && values("people", ids.child)["village"] == .text("西村"))
        let events = try m.move?.events.map { try values("events", $0) } ?? []
        #expect(Set(events.compactMap { $0["kind"] }) == [.text("move_out"), .text("move_in")])
        #expect(events.allSatisfy { $0["village"] == .text("东村") && $0["person"] == .text(person) })

        // 西村 is told its rows left; 东村 receives them.
        let west = try h.pull(village: "西村", after: cursorWest, limit: 1000).items
        let left = Set(west.compactMap { if case let .leave(_, id, _) = $0 { id } else { nil } })
        #expect(left == [ids.visit, ids.event, ids.benefit])

        // The notice counts one move, 西村 → 东村, received.
        let today = CalendarDate(unixMillis: day, zone: try h.timeZone())
        let notice = try h.moveNotice(period: try #require(ReportPeriod.month(today.year, today.month)), wallMillis: day)
        #expect(notice.township.within.count == 1)
        #expect(notice.township.within.first.map { ($0.from, $0.to, $0.received != nil) } ?? ("", "", false) == ("西村", "东村", true))

        _ = try h.unmerge(conflict, action: OperatorAction(name: "镇管理员", wallMillis: day + 1))
        for (t, id) in [("visits", ids.visit), ("events", ids.event)] {
            #expect(try values(t, id)["village"] == .text("西村") && values(t, id)["person"] == .text(twin))
        }
        #expect(try values("benefits", ids.benefit)["household"] == .text(hhWest))
        #expect(try values("households", hhWest)["head"] == .text(twin))
        #expect(try values("people", ids.child)["mother"] == .text(twin))
        for e in m.move?.events ?? [] { #expect(try h.row(h.schema.table(named: "events")!, id: e)?.deleted == true) }
        let after = try h.moveNotice(period: try #require(ReportPeriod.month(today.year, today.month)), wallMillis: day)
        #expect(after.township.within.isEmpty)
    }

    @Test func mergeMoveDateIsCheckedAndWithinOneVillageNothingMoves() throws {
        let dir = TempDir("hub")
        defer { dir.remove() }
        let (h, conflict) = try twiceRegistered(dir)
        #expect(throws: OperatorError.self) {
            try h.mergeDuplicate(conflict, keep: person, moveDate: "2026-02-30", action: OperatorAction(name: "镇管理员", wallMillis: 1))
        }
        #expect(try h.conflict(conflict)?.status == "open")
    }
}
