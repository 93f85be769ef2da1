import Foundation
import Testing
@testable import HamletCore

/// Issue 14 (月报): periods, each indicator over a hand-made register, the never-counted-twice
/// rules, money in fen, the 漏报 flag.
@Suite("Report")
struct ReportTests {
    @Test(arguments: [
        ("2026-11", "2026-11-01", "2026-11-30", "2026年11月", "November 2026", "2026-10", "2025-11"),
        ("2026-01", "2026-01-01", "2026-01-31", "2026年1月", "January 2026", "2025-12", "2025-01"),
        ("2024-02", "2024-02-01", "2024-02-29", "2024年2月", "February 2024", "2024-01", "2023-02"),
        ("2026-Q4", "2026-10-01", "2026-12-31", "2026年第四季度", "Q4 2026", "2026-Q3", "2025-Q4"),
        ("2026-q1", "2026-01-01", "2026-03-31", "2026年第一季度", "Q1 2026", "2025-Q4", "2025-Q1"),
        ("2026", "2026-01-01", "2026-12-31", "2026年", "2026", "2025", "2025"),
    ])
    func periods(_ row: (String, String, String, String, String, String, String)) throws {
        let p = try ReportPeriod(parsing: row.0)
        #expect(p.from.description == row.1 && p.to.description == row.2)
        #expect(p.label(chinese: true) == row.3 && p.label(chinese: false) == row.4)
        #expect(p.previous.description == row.5 && p.sameLastYear.description == row.6)
        #expect(try ReportPeriod(parsing: p.description) == p)
    }

    @Test(arguments: ["2026-13", "2026-00", "2026-Q5", "2026-Q0", "26-11", "2026/11", "2026-1", "", "十一月", "2026-11-01"])
    func badPeriods(_ text: String) {
        #expect(throws: ReportError.self) { try ReportPeriod(parsing: text) }
        do { _ = try ReportPeriod(parsing: text) } catch {
            #expect(error.code == .invalidPeriod && error.zh.contains("2026年第4季度") && error.message.contains("2026-11"))
        }
    }

    @Test func everyIndicatorHasItsDefinitionOnce() throws {
        #expect(Set(Indicator.all.map(\.key)).count == Indicator.all.count)
        for i in Indicator.all {
            #expect(!i.label.zh.isEmpty && !i.label.en.isEmpty && !i.definition.zh.isEmpty && !i.definition.en.isEmpty, "\(i.key)")
            #expect(i.key.allSatisfy { $0.isLowercase || $0.isNumber || $0 == "_" }, "\(i.key) is snake_case")
        }
        let report = ReportEngine(ReportInput(villages: ["北赵"])).report(for: try ReportPeriod(parsing: "2026-11"))
        #expect(Set(report.township.keys) == Set(Indicator.all.map(\.key)), "every key computed, none extra")
    }

    // MARK: a small hand-made register

    static func id(_ n: Int) -> String { "0190000\(n < 10 ? "0" : "")\(n)-0000-7000-8000-000000000000" }

    /// 北赵: a mother with three children (the third born 2026-11-05, a girl), a boy born 2026-11-20 to
    /// another mother (her first), entered twice (two rows, one 身份证号) and with two birth events;
    /// a death, a marriage (first) and a remarriage; 南赵: a move-in event.
    static func register() -> ReportInput {
        var input = ReportInput(villages: ["北赵", "南赵"])
        typealias P = ReportInput.Person
        input.people = [
            P(id: id(1), village: "北赵", sex: "F", birthDate: "1990-01-01", nationalID: "A1", maritalStatus: "married", residence: "resident"),
            P(id: id(2), village: "北赵", sex: "M", birthDate: "2015-03-01", nationalID: "A2", mother: id(1)),
            P(id: id(3), village: "北赵", sex: "F", birthDate: "2018-03-01", nationalID: "A3", mother: id(1)),
            P(id: id(4), village: "北赵", sex: "F", birthDate: "2026-11-05", nationalID: "A4", mother: id(1)),
            P(id: id(5), village: "北赵", sex: "F", birthDate: "1995-05-05", nationalID: "A5", maritalStatus: "married", residence: "moved_out"),
            P(id: id(6), village: "北赵", sex: "M", birthDate: "2026-11-20", nationalID: "A6", mother: id(5)),
            P(id: id(7), village: "南赵", sex: "M", birthDate: "2026-11-20", nationalID: "A6", mother: id(5)),
            P(id: id(8), village: "北赵", sex: "M", birthDate: "1940-01-01", nationalID: "A8", maritalStatus: "widowed"),
            P(id: id(9), village: "南赵", sex: "M", birthDate: "1994-01-01", nationalID: "A9", maritalStatus: "married"),
            P(id: id(10), village: "南赵", sex: "F", birthDate: "1970-01-01", nationalID: "A10", maritalStatus: "married", residence: "moved_in"),
        ]
        typealias E = ReportInput.Event
        input.events = [
            E(id: id(31), person: id(6), village: "北赵", kind: "birth", date: "2026-11-20"),
            E(id: id(32), person: id(7), village: "南赵", kind: "birth", date: "2026-11-20"),
            E(id: id(33), person: id(8), village: "北赵", kind: "death", date: "2026-11-11"),
            E(id: id(34), person: id(9), village: "南赵", kind: "marriage", date: "2026-11-02"),
            E(id: id(35), person: id(10), village: "南赵", kind: "marriage", date: "1990-01-01"),
            E(id: id(36), person: id(10), village: "南赵", kind: "marriage", date: "2026-11-03"),
            E(id: id(37), person: id(10), village: "南赵", kind: "move_in", date: "2026-11-03"),
            E(id: id(38), person: id(10), village: "南赵", kind: "move_in", date: "2026-11-04"),
        ]
        input.contraception = [
            .init(id: id(40), person: id(1), village: "北赵", method: "drugs", since: "2019-01-01", status: "active"),
            .init(id: id(41), person: id(1), village: "北赵", method: "iud", since: "2026-11-25", status: "active"),
            .init(id: id(42), person: id(5), village: "北赵", method: "iud", since: "2020-01-01", until: "2026-02-01", status: "stopped"),
        ]
        input.pregnancies = [
            .init(id: id(50), woman: id(1), village: "北赵", foundOn: "2026-04-01", status: "born", endedOn: "2026-11-05"),
            .init(id: id(51), woman: id(5), village: "北赵", foundOn: "2026-03-01", status: "born", endedOn: "2026-11-20"),
            .init(id: id(52), woman: id(10), village: "南赵", foundOn: "2026-11-10", status: "ongoing"),
            .init(id: id(53), woman: id(10), village: "南赵", foundOn: "2026-11-10", status: "ongoing"),
        ]
        input.visits = [
            .init(id: id(60), person: id(1), village: "北赵", kind: "ring_check", date: "2026-11-12", round: "2026年11月"),
            .init(id: id(61), person: id(1), village: "北赵", kind: "pregnancy_check", date: "2026-11-13", round: "2026年11月"),
            .init(id: id(62), person: id(4), village: "北赵", kind: "child_health", date: "2026-11-28"),
        ]
        input.benefits = [
            .init(id: id(70), person: id(8), household: nil, village: "北赵", program: "国家奖扶", amountFen: 96_000, status: "paid",
                  paidOn: "2026-11-03", period: "2026", lifecycle: "new"),
            .init(id: id(71), person: nil, household: "H1", village: "北赵", program: "独生子女父母奖励", amountFen: 120, status: "paid",
                  paidOn: "2026-11-04", period: "2026", lifecycle: "continuing"),
            .init(id: id(72), person: id(9), household: nil, village: "南赵", program: "国家奖扶", amountFen: 96_000, status: "confirmed",
                  paidOn: nil, period: "2026", lifecycle: "continuing"),
        ]
        input.quality = ["北赵": .init(openConflicts: 1, openDuplicates: 1, checkItems: 3)]
        return input
    }

    @Test func handMadeRegister() throws {
        let r = ReportEngine(Self.register()).report(for: try ReportPeriod(parsing: "2026-11"))
        let bz = try #require(r.villages["北赵"]), nz = try #require(r.villages["南赵"])
        #expect(r.period == "2026-11" && r.from == "2026-11-01" && r.to == "2026-11-30")
        // The boy entered twice (two villages, one 身份证号) is one birth, in the village of the row made first.
        #expect(bz["births"] == .integer(2) && bz["births_male"] == .integer(1) && bz["births_female"] == .integer(1))
        #expect(nz["births"] == .integer(0) && r.township["births"] == .integer(2))
        #expect(bz["births_by_order"] == .object(["1": .integer(1), "2": .integer(0), "3+": .integer(1), "unknown": .integer(0)]))
        #expect(bz["sex_ratio_at_birth"] == .decimal(100) && bz["sex_ratio_at_birth_order2plus"] == .decimal(0))
        #expect(nz["sex_ratio_at_birth"] == .missing, "no girls: no ratio")
        // Population: 北赵 start 6 (1, 2, 3, 5, 8 and — no: 4 and 6 not born yet) → 5; end 5 + 2 births − 1 death = 6.
        #expect(bz["population_start"] == .integer(5) && bz["population_end"] == .integer(6))
        #expect(nz["population_end"] == .integer(2) && r.township["population_end"] == .integer(8))
        #expect(bz["deaths"] == .integer(1) && bz["population_age_60_plus"] == .integer(0))
        #expect(bz["women_15_49"] == .integer(2) && bz["married_women_15_49"] == .integer(2) && bz["migrants_out"] == .integer(1))
        #expect(nz["migrants_in"] == .integer(1) && nz["women_15_49"] == .integer(0), "born 1970: 56 at the end")
        #expect(nz["marriages"] == .integer(2) && nz["first_marriages"] == .integer(1))
        #expect(nz["moves_in"] == .integer(1), "two move-in events of one person: once")
        // Rates over the mean population (5 + 6) / 2 = 5.5.
        #expect(bz["birth_rate"] == .decimal(363.64) && bz["natural_growth_rate"] == .decimal(181.82))
        #expect(bz["contraception_by_method"]?["iud"] == .integer(1) && bz["contraception_by_method"]?["none"] == .integer(1))
        #expect(bz["long_acting_rate"] == .decimal(50))
        #expect(bz["ring_pregnancy_checked"] == .integer(1) && bz["ring_pregnancy_due"] == .integer(2)
                    && bz["ring_pregnancy_check_rate"] == .decimal(50))
        #expect(nz["ring_pregnancy_check_rate"] == .missing, "nobody due in 南赵")
        #expect(bz["pregnancies_ended"]?["born"] == .integer(2) && nz["pregnancies_new"] == .integer(1), "one woman, one found date: once")
        #expect(nz["pregnancies_ongoing_end"] == .integer(1))
        #expect(bz["visits_by_kind"]?["child_health"] == .integer(1) && bz["visits_by_kind"]?["ring_check"] == .integer(1))
        #expect(bz["open_conflicts"] == .integer(1) && nz["check_items"] == .integer(0) && r.township["check_items"] == .integer(3))
    }

    @Test func moneyIsIntegerFenShownAsYuanText() throws {
        let r = ReportEngine(Self.register()).report(for: try ReportPeriod(parsing: "2026-11"))
        let bz = try #require(r.villages["北赵"])
        #expect(bz["benefits_paid_fen"] == .integer(96_120) && bz["benefits_paid_yuan"] == .text("961.20"))
        #expect(bz["benefits"]?["独生子女父母奖励"] == .object(["new": .integer(0), "continuing": .integer(1), "ended": .integer(0),
                                                            "paid_fen": .integer(120), "paid_yuan": .text("1.20")]))
        #expect(r.villages["南赵"]?["benefits"]?["国家奖扶"]["paid_fen"] == .integer(0), "confirmed, not paid: no money")
        #expect(r.township["benefits"]?["国家奖扶"]["new"] == .integer(1) && r.township["benefits"]?["国家奖扶"]["continuing"] == .integer(1))
        #expect(ReportValue.yuan(fen: 5) == "0.05" && ReportValue.yuan(fen: -120) == "-1.20" && ReportValue.yuan(fen: 0) == "0.00")
        let json = String(decoding: try JSONEncoder().encode(r), as: UTF8.self)
        #expect(json.contains("\"benefits_paid_yuan\":\"961.20\"") && json.contains("\"sex_ratio_at_birth\":null"))
        #expect(try JSONDecoder().decode(Report.self, from: Data(json.utf8)) == r)
    }

    @Test func transferIsOneVillagesMoveOutAndTheOthersMoveIn() throws {
        var input = Self.register()
        input.moves = [.init(person: Self.id(9), from: "南赵", to: "北赵", date: "2026-11-15")]
        input.people[8].village = "北赵"
        let r = ReportEngine(input).report(for: try ReportPeriod(parsing: "2026-11"))
        #expect(r.villages["南赵"]?["moves_out"] == .integer(1) && r.villages["北赵"]?["moves_in"] == .integer(1))
        #expect(r.township["moves_out"] == .integer(0) && r.township["moves_in"] == .integer(1), "internal: only the move-in event")
        // Married on 11-02 while still in 南赵: the marriage stays there; at the end he is 北赵's.
        #expect(r.villages["南赵"]?["marriages"] == .integer(2) && r.villages["北赵"]?["population_end"] == .integer(7))
        let october = ReportEngine(input).report(for: try ReportPeriod(parsing: "2026-10"))
        #expect(october.villages["南赵"]?["population_end"] == .integer(2) && october.villages["北赵"]?["moves_in"] == .integer(0))
    }

    @Test func absentTablesShowMissingNotZero() throws {
        var input = Self.register()
        input.absentTables = ["pregnancies"]
        input.quality = nil
        let r = ReportEngine(input).report(for: try ReportPeriod(parsing: "2026-11"))
        #expect(r.township["pregnancies_new"] == .missing && r.township["open_conflicts"] == .missing)
        #expect(r.township["births"] == .integer(2))
    }

    @Test func shortfallFlagsADropOfMoreThanThirtyPercent() throws {
        func report(_ period: String, births: Int64, first: Int64) throws -> Report {
            Report(period: try ReportPeriod(parsing: period), township: ["births": .integer(births), "first_marriages": .integer(first)],
                   villages: ["北赵": ["births": .integer(births), "first_marriages": .integer(first)]])
        }
        let now = try report("2026-11", births: 6, first: 10)
        let flags = ShortfallSignal.flags(current: now, previous: try report("2026-10", births: 10, first: 10),
                                          sameLastYear: try report("2025-11", births: 8, first: 20))
        #expect(flags.count == 4, "births −40% on the previous month (township and 北赵), first marriages −50% on last year (both)")
        let b = try #require(flags.first { $0.village == "北赵" && $0.indicator == "births" })
        #expect(b.basis == .previous && b.dropPercent == 40 && b.message.zh.contains("北赵") && b.message.zh.contains("漏报"))
        #expect(!flags.contains { $0.indicator == "births" && $0.basis == .sameLastYear }, "8 → 6 is 25%: no flag")
        #expect(ShortfallSignal.flags(current: try report("2026-11", births: 0, first: 0),
                                      previous: try report("2026-10", births: 3, first: 4), sameLastYear: nil).isEmpty,
                "a base under 5 is too small to call")
    }
}
