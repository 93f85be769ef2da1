import HamletCore
import Testing

@Suite("Moves: which rows follow a person, the move plan, the arrival rule")
struct MoveTests {
    @Test("the rows that follow a person: every required reference to people, plus benefits' person and payee")
    func followers() {
        let rules = MoveFollowers.rules(.register).map(\.description)
        #expect(rules == ["events.person", "visits.person", "benefits.person", "benefits.payee", "pregnancies.woman", "contraception.person"])
        // Optional references across villages stay: a child's mother, a pregnancy's child.
        #expect(!rules.contains("people.mother") && !rules.contains("pregnancies.child"))
    }

    @Test("the 迁出 detail reads back what it wrote; other wording is not a move")
    func detail() {
        let d = MoveDetail(destination: "南赵", reason: .marriage, origin: "北赵")
        #expect(d.text == "迁往南赵（婚迁），原村北赵")
        #expect(MoveDetail.parse(d.text) == d)
        #expect(MoveDetail.parse("外出打工") == nil && MoveDetail.parse("迁往南赵") == nil)
        #expect(MoveReason(text: "务工") == .work && MoveReason(text: "other") == .other && MoveReason(text: "逃跑") == nil)
    }

    private let today = CalendarDate(year: 2026, month: 11, day: 30)!

    private func input(destination: String = "南赵", date: String? = nil, village: String = "北赵") -> MovePlan.Input {
        MovePlan.Input(person: "p", personValues: ["village": .text(village), "household": .text("h"), "name": .text("李梅")],
                       ownVillage: "北赵", destination: destination, reason: .marriage, date: date, today: today,
                       dependents: [("visits", "v", ["village": .text("北赵"), "person": .text("p")]),
                                    ("benefits", "b", ["village": .text("北赵"), "person": .text("p"), "household": .text("h")])],
                       headed: ["h"])
    }

    @Test("a move: the 迁出 event, her village and household, the household's head, each dependent, the event again")
    func plan() throws {
        let plan = try MovePlan.decide(input(), schema: .register)
        #expect(plan.date == "2026-11-30")
        #expect(plan.writes.map(\.kind) == [.insertEvent, .update(table: "people", id: "p"), .update(table: "households", id: "h"),
                                            .update(table: "visits", id: "v"), .update(table: "benefits", id: "b"), .moveEvent])
        #expect(plan.writes[0].values["kind"] == .text("move_out") && plan.writes[0].values["detail"] == .text("迁往南赵（婚迁），原村北赵"))
        #expect(plan.writes[1].values == ["village": .text("南赵"), "household": .null])
        #expect(plan.writes[2].values == ["head": .null])
        #expect(plan.writes[3].values == ["village": .text("南赵")])
        #expect(plan.writes[4].values == ["village": .text("南赵"), "household": .null])
        #expect(plan.writes[5].values == ["village": .text("南赵")])
    }

    @Test("refusals: no destination, own village, a bad or far-future date, someone not in the village")
    func refusals() {
        #expect(throws: MoveRefusal.noDestination) { try MovePlan.decide(input(destination: "  "), schema: .register) }
        #expect(throws: MoveRefusal.sameVillage("北赵")) { try MovePlan.decide(input(destination: "北赵"), schema: .register) }
        #expect(throws: MoveRefusal.invalidDate("2026-02-30")) { try MovePlan.decide(input(date: "2026-02-30"), schema: .register) }
        #expect(throws: MoveRefusal.futureDate("2026-12-02")) { try MovePlan.decide(input(date: "2026-12-02"), schema: .register) }
        #expect(throws: MoveRefusal.notInVillage) { try MovePlan.decide(input(village: "南赵"), schema: .register) }
        #expect((try? MovePlan.decide(input(date: "2026-12-01"), schema: .register)) != nil, "tomorrow is allowed")
    }

    private func event(_ id: String, _ person: String, _ kind: String, _ date: String, detail: String? = nil) -> ArrivalRule.Event {
        var v: Fields = ["kind": .text(kind), "date": .text(date), "person": .text(person)]
        if let detail { v["detail"] = .text(detail) }
        return ArrivalRule.Event(id: id, person: person, values: v)
    }

    @Test("awaiting: the latest 迁出 with no 迁入 on or after it, for people of the village only")
    func arrivals() {
        let detail = "迁往南赵（务工），原村北赵"
        let events = [
            event("e1", "a", "move_out", "2026-11-01", detail: detail),                      // waiting
            event("e2", "b", "move_out", "2026-10-01"), event("e3", "b", "move_in", "2026-10-01"), // received the same day
            event("e4", "c", "move_out", "2025-01-01"), event("e5", "c", "move_in", "2025-02-01"),
            event("e6", "c", "move_out", "2026-09-01"),                                        // moved again: waiting
            event("e7", "d", "move_out", "2026-11-02"),                                        // not in the village
            event("e8", "a", "marriage", "2026-11-05"),
        ]
        let waiting = ArrivalRule.awaiting(people: ["a", "b", "c"], events: events)
        #expect(waiting.map(\.person) == ["c", "a"])
        #expect(waiting.last == Arrival(person: "a", date: "2026-11-01", origin: "北赵", reason: .work, event: "e1"))
        #expect(waiting.first?.origin == nil && waiting.first?.event == "e6")
        #expect(ArrivalRule.awaiting(people: [], events: events).isEmpty)
        // In 南赵 her move to 南赵 is an arrival; an older move of hers to 东赵 she carries (merged across villages) is not.
        #expect(ArrivalRule.awaiting(people: ["a", "b", "c"], events: events, village: "南赵").map(\.person) == ["a"],
                "c's hand-written 迁出 means she left, not that she arrives")
        let carried = events + [event("e9", "a", "move_out", "2026-11-20", detail: "迁往东赵（婚迁），原村南赵")]
        #expect(ArrivalRule.awaiting(people: ["a"], events: carried, village: "南赵").first?.event == "e1")
        #expect(ArrivalRule.awaiting(people: ["a"], events: carried).first?.event == "e9")
    }

    @Test("the monthly report counts a carried 迁出 event for the village she left, not the one that holds it now")
    func reportCountsTheOrigin() throws {
        var input = ReportInput(villages: ["北赵", "南赵"])
        let her = "01900000-0000-7000-8000-000000000001"
        input.people = [ReportInput.Person(id: her, village: "南赵", sex: "F", birthDate: "1995-04-02", residence: "resident")]
        input.events = [ReportInput.Event(id: "01900000-0000-7000-8000-000000000002", person: her, village: "南赵", kind: "move_out",
                                          date: "2026-11-01", origin: MoveDetail.parse("迁往南赵（婚迁），原村北赵")?.origin)]
        let r = ReportEngine(input).report(for: try ReportPeriod(parsing: "2026-11"))
        #expect(r.villages["北赵"]?["moves_out"] == .integer(1) && r.villages["南赵"]?["moves_out"] == .integer(0), "\(r.villages)")
    }
}
