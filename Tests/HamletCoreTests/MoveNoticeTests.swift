import Testing
@testable import HamletCore

@Suite("迁入迁出通报: MoveLedger and MoveNotice")
struct MoveNoticeTests {
    typealias E = MoveLedger.Event

    static func day(_ s: String) -> CalendarDate {
        guard let d = CalendarDate(s) else { preconditionFailure("\(s) is a date") }
        return d
    }
    static let people = [
        MoveLedger.Person(id: "p1", name: "王秀英", nationalIDLast4: "0023", village: "南赵", sex: "F", birthDate: "1998-03-02"),
        MoveLedger.Person(id: "p2", name: "李娜", nationalIDLast4: nil, village: "北赵", sex: "F", birthDate: "2000-01-01"),
    ]
    static func t(_ p: String, _ from: String, _ to: String, _ d: String) -> MoveLedger.Transfer {
        MoveLedger.Transfer(person: p, from: from, to: to, date: day(d))
    }
    static func e(_ p: String, _ v: String, _ k: E.Kind, _ d: String, _ detail: String? = nil) -> E {
        E(person: p, village: v, kind: k, date: day(d), detail: detail)
    }
    static let nov = ReportPeriod.month(2026, 11) ?? .month(2000, 1)!

    /// (case, transfers, events, expected scope/from/to/date/reason/received of the one move)
    static let single: [(String, [MoveLedger.Transfer], [E], MoveLedger.Move.Scope, String?, String?, String, String?, String?)] = [
        ("transfer alone: dated by the hub, not received", [t("p1", "北赵", "南赵", "2026-11-05")], [],
         .within, "北赵", "南赵", "2026-11-05", nil, nil),
        ("move_out before the transfer dates it and gives the reason", [t("p1", "北赵", "南赵", "2026-11-05")],
         [e("p1", "南赵", .moveOut, "2026-11-03", "婚迁，迁往南赵")], .within, "北赵", "南赵", "2026-11-03", "婚迁，迁往南赵", nil),
        ("move_in on the day receives it", [t("p1", "北赵", "南赵", "2026-11-05")],
         [e("p1", "南赵", .moveIn, "2026-11-05")], .within, "北赵", "南赵", "2026-11-05", nil, "2026-11-05"),
        ("move_in before the move does not receive it (it is its own move into the township)", [t("p1", "北赵", "南赵", "2026-11-05")],
         [e("p1", "南赵", .moveIn, "2026-11-01")], .within, "北赵", "南赵", "2026-11-05", nil, nil),
        ("move_out after the transfer is not its event (a later move out of the township)", [t("p1", "北赵", "南赵", "2026-11-05")],
         [e("p1", "南赵", .moveOut, "2026-11-20", "务工")], .within, "北赵", "南赵", "2026-11-05", nil, nil),
        ("hamlet move's move_out dated after the hub's day (a clock ahead) is still its event", [t("p1", "北赵", "南赵", "2026-11-05")],
         [e("p1", "南赵", .moveOut, "2026-11-06", "迁往南赵（婚迁），原村北赵")], .within, "北赵", "南赵", "2026-11-06", "迁往南赵（婚迁），原村北赵", nil),
        ("hamlet move's move_out with no transfer (her village change waits in a conflict): between villages, not received",
         [], [e("p1", "南赵", .moveOut, "2026-11-06", "迁往南赵（务工），原村北赵")], .within, "北赵", "南赵", "2026-11-06", "迁往南赵（务工），原村北赵", nil),
        ("move_out alone: out of the township", [], [e("p2", "北赵", .moveOut, "2026-11-10", "务工，迁往济南")],
         .outOfTownship, "北赵", nil, "2026-11-10", "务工，迁往济南", nil),
        ("move_in alone: into the township, received", [], [e("p2", "北赵", .moveIn, "2026-11-10", "因婚从外县迁入")],
         .intoTownship, nil, "北赵", "2026-11-10", "因婚从外县迁入", "2026-11-10"),
    ]

    @Test(arguments: single.indices)
    func pairsOneMove(_ i: Int) throws {
        let (name, transfers, events, scope, from, to, date, reason, received) = Self.single[i]
        let ledger = MoveLedger(people: Self.people, transfers: transfers, events: events, villages: ["北赵", "南赵"])
        let first = try #require(ledger.moves.first { $0.date == date }, "\(name)")
        #expect(first.scope == scope, "\(name)")
        #expect(first.from == from && first.to == to, "\(name)")
        #expect(first.reason == reason, "\(name)")
        #expect(first.received == received, "\(name)")
    }

    @Test func noticeListsAMoveOnBothSidesAndOnceForTheTownship() throws {
        let ledger = MoveLedger(people: Self.people, transfers: [Self.t("p1", "北赵", "南赵", "2026-11-05")],
                                events: [Self.e("p1", "南赵", .moveOut, "2026-11-04", "婚迁"), Self.e("p2", "北赵", .moveOut, "2026-11-10", "务工"),
                                         Self.e("p1", "南赵", .moveIn, "2026-12-02")],
                                villages: ["北赵", "南赵", "东赵"])
        let n = ledger.notice(for: Self.nov)
        #expect(n.villages.map(\.village) == ["东赵", "北赵", "南赵"])
        let north = try #require(n.villages.first { $0.village == "北赵" })
        let south = try #require(n.villages.first { $0.village == "南赵" })
        #expect(north.out.map(\.name) == ["王秀英", "李娜"] && north.inCount == 0)
        #expect(south.in.map(\.name) == ["王秀英"] && south.outCount == 0)
        #expect(south.in.first?.received == "2026-12-02", "received in December, shown on November's notice")
        #expect(n.township.within.count == 1 && n.township.out.count == 1 && n.township.in.isEmpty)
        #expect(n.only(village: "东赵")?.township.within.isEmpty == true)
        #expect(n.only(village: "西赵") == nil)
        // December: the receipt is not a move into the township.
        let dec = ledger.notice(for: ReportPeriod.month(2026, 12) ?? Self.nov)
        #expect(dec.township.in.isEmpty && dec.villages.allSatisfy { $0.in.isEmpty && $0.out.isEmpty })
    }

    @Test func aSecondReceptionOfOneMoveIsNotAMoveIntoTheTownship() {
        let ledger = MoveLedger(people: Self.people, transfers: [Self.t("p1", "北赵", "南赵", "2026-11-05")],
                                events: [Self.e("p1", "南赵", .moveOut, "2026-11-04", "迁往南赵（婚迁），原村北赵"),
                                         Self.e("p1", "南赵", .moveIn, "2026-11-06", "自北赵迁入"), Self.e("p1", "南赵", .moveIn, "2026-11-07", "自北赵迁入")],
                                villages: ["北赵", "南赵"])
        #expect(ledger.moves.count == 1 && ledger.moves.first?.received == "2026-11-06")
        // A move_in from outside the township is its own move even then.
        let outside = MoveLedger(people: Self.people, transfers: [Self.t("p1", "北赵", "南赵", "2026-11-05")],
                                 events: [Self.e("p1", "南赵", .moveIn, "2026-11-06", "自北赵迁入"), Self.e("p1", "南赵", .moveIn, "2026-11-08", "自外县迁入")],
                                 villages: ["北赵", "南赵"])
        #expect(outside.moves.map(\.scope) == [.within, .intoTownship])
    }

    /// (case, move day, move_in day, today, listed?)
    static let waiting: [(String, String, String?, String, Bool)] = [
        ("30 days old, no move_in", "2026-10-01", nil, "2026-10-31", true),
        ("29 days old", "2026-10-02", nil, "2026-10-31", false),
        ("received late is still received", "2026-09-01", "2026-10-20", "2026-10-31", false),
        ("a move_in before the move does not count", "2026-09-01", "2026-08-20", "2026-10-31", true),
    ]

    @Test(arguments: waiting.indices)
    func unreceivedAfterThirtyDays(_ i: Int) {
        let (name, moved, moveIn, today, listed) = Self.waiting[i]
        let events = moveIn.map { [Self.e("p1", "南赵", .moveIn, $0)] } ?? []
        let ledger = MoveLedger(people: Self.people, transfers: [Self.t("p1", "北赵", "南赵", moved)], events: events, villages: [])
        #expect(ledger.unreceived(olderThan: 30, today: Self.day(today)).map(\.person) == (listed ? ["p1"] : []), "\(name)")
    }

    @Test func twoMovesOfOnePersonPairTheirOwnEvents() {
        let ledger = MoveLedger(people: Self.people,
                                transfers: [Self.t("p1", "北赵", "南赵", "2026-03-05"), Self.t("p1", "南赵", "东赵", "2026-11-05")],
                                events: [Self.e("p1", "东赵", .moveOut, "2026-03-01", "婚迁"), Self.e("p1", "东赵", .moveIn, "2026-03-10"),
                                         Self.e("p1", "东赵", .moveOut, "2026-11-01", "务工")],
                                villages: [])
        #expect(ledger.moves.map(\.reason) == ["婚迁", "务工"])
        #expect(ledger.moves.map(\.received) == ["2026-03-10", nil])
        #expect(ledger.moves.allSatisfy { $0.scope == .within })
    }

    @Test func sheetIsGuardedTextWithBOM() {
        let people = [MoveLedger.Person(id: "p9", name: "=HYPERLINK(1)", nationalIDLast4: "0012", village: "南赵", sex: "M", birthDate: nil)]
        let ledger = MoveLedger(people: people, transfers: [Self.t("p9", "北赵", "南赵", "2026-11-05")], events: [], villages: [])
        var n = ledger.notice(for: Self.nov)
        n.unreceived = ledger.unreceived(olderThan: 30, today: Self.day("2026-12-31"))
        let csv = MoveNoticeSheet(n).csv(chinese: true)
        #expect(csv.hasPrefix("\u{FEFF}村,类别,姓名"))
        #expect(csv.contains("'=HYPERLINK(1)") && !csv.contains(",=HYPERLINK"))
        #expect(csv.contains("超过30天未接收") && csv.contains("待接收"))
        let rows = MoveNoticeSheet(n).rows(chinese: false)
        #expect(rows.count == 1 + 2 + 1 + 1)
        #expect(MoveNoticeSheet(n).xlsx(chinese: true, sheetName: "通报").starts(with: [0x50, 0x4B]))
    }
}
