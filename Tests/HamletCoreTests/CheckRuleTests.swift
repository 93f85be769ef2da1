import Foundation
import Testing
@testable import HamletCore

// 逻辑核查 (issue 13): each rule, one by one, with a table of cases: the rows of a small
// register, whose card is read, and exactly which records the rule names.

/// A small register built row by row for one case.
struct CheckRegister {
    var rows: [CheckRow] = []
    private var n = 0

    mutating func next(_ prefix: String) -> String { n += 1; return "\(prefix)\(n)" }

    @discardableResult
    mutating func person(_ id: String, _ sex: String, _ birth: String, _ extra: [String: String] = [:]) -> String {
        var f: Fields = ["village": .text("北赵"), "name": .text("人\(id)"), "sex": .text(sex), "birth_date": .text(birth)]
        for (k, v) in extra { f[k] = .text(v) }
        rows.append(CheckRow(table: "people", id: id, fields: f))
        return id
    }

    @discardableResult
    mutating func row(_ table: String, _ values: [String: String], id: String? = nil, amount: Int64? = nil) -> String {
        let rid = id ?? next(String(table.prefix(1)))
        var f: Fields = ["village": .text("北赵")]
        for (k, v) in values { f[k] = .text(v) }
        if let amount { f["amount"] = .integer(amount) }
        rows.append(CheckRow(table: table, id: rid, fields: f))
        return rid
    }

    /// The records `rule` names on anyone's card, as `table/id`.
    func named(by rule: String, today: String = "2026-06-01") -> Set<String> {
        let engine = CheckEngine(today: CalendarDate(today)!)
        return Set(engine.findings(in: CheckData(rows: rows), only: [rule]).map { "\($0.table)/\($0.row)" })
    }
}

@Suite("Logic-check rules (逻辑核查)")
struct CheckRuleTests {
    @Test func everyDeclaredRuleHasLogicAndBack() {
        let declared = Set(CheckRuleSet.register.rules.map(\.id))
        #expect(declared == CheckEngine.implemented)
        #expect(declared.count == CheckRuleSet.register.rules.count, "rule ids are unique")
        for r in CheckRuleSet.register.rules {
            #expect(!r.message.zh.isEmpty && !r.message.en.isEmpty && !r.label.zh.isEmpty)
            #expect(!r.message.zh.contains(where: { $0.isASCII && $0.isLetter && !"{}".contains($0) }) || r.message.zh.contains("{"),
                    "\(r.id): Chinese message")
            let schema = Schema.register
            for t in r.tables { #expect(schema.table(named: t) != nil, "\(r.id) reads \(t)") }
        }
    }

    @Test func pregnancyCareForAMan() {
        var r = CheckRegister()
        r.person("m", "M", "1990-01-01")
        r.person("w", "F", "1990-01-01")
        let bad = r.row("visits", ["person": "m", "kind": "prenatal", "date": "2026-01-01"])
        let ring = r.row("visits", ["person": "m", "kind": "ring_check", "date": "2026-01-01"])
        r.row("visits", ["person": "m", "kind": "health_check", "date": "2026-01-01"])
        r.row("visits", ["person": "w", "kind": "prenatal", "date": "2026-01-01"])
        #expect(r.named(by: "pregnancy-care-for-man") == ["visits/\(bad)", "visits/\(ring)"])
    }

    @Test func pregnancyAndIUDForAMan() {
        var r = CheckRegister()
        r.person("m", "M", "1990-01-01")
        r.person("w", "F", "1990-01-01")
        let p = r.row("pregnancies", ["woman": "m", "found_on": "2026-01-01", "status": "ongoing"])
        r.row("pregnancies", ["woman": "w", "found_on": "2026-01-01", "status": "ongoing"])
        let iud = r.row("contraception", ["person": "m", "method": "iud", "since": "2020-01-01"])
        r.row("contraception", ["person": "m", "method": "sterilization", "since": "2020-01-01"])
        r.row("contraception", ["person": "w", "method": "iud", "since": "2020-01-01"])
        #expect(r.named(by: "pregnancy-for-man") == ["pregnancies/\(p)"])
        #expect(r.named(by: "iud-for-man") == ["contraception/\(iud)"])
    }

    @Test func motherAges() {
        var r = CheckRegister()
        r.person("m8", "F", "2016-01-01")
        r.person("c8", "F", "2024-06-01", ["mother": "m8"])        // born to an 8-year-old: refuse
        r.person("m14", "F", "2010-01-01")
        r.person("c14", "F", "2024-06-01", ["mother": "m14"])      // 14: warn
        r.person("m30", "F", "1994-01-01")
        r.person("c30", "M", "2024-06-01", ["mother": "m30"])      // 30: nothing
        r.person("m56", "F", "1960-01-01")
        r.person("c56", "M", "2016-06-01", ["mother": "m56"])      // 56: warn
        r.person("m12", "F", "2012-01-01")                         // a birthday that day: 12 exactly is not refused
        r.person("c12", "M", "2024-01-01", ["mother": "m12"])
        r.person("f8", "M", "2016-01-01")
        r.person("cf", "M", "2024-06-01", ["father": "f8"])        // fathers: the field rule's business
        let v = r.row("visits", ["person": "m8", "kind": "prenatal", "date": "2024-03-01"])
        let p = r.row("pregnancies", ["woman": "m14", "found_on": "2024-01-01", "status": "born"])
        #expect(r.named(by: "mother-too-young") == ["people/c8", "visits/\(v)"])
        #expect(r.named(by: "mother-age-unusual") == ["people/c14", "people/c56", "people/c12", "pregnancies/\(p)"])
    }

    @Test func marriedUnderAge() {
        var r = CheckRegister()
        r.person("g10", "F", "2016-01-01", ["marital_status": "married"])  // 10 and married
        r.person("g20", "F", "2006-05-31", ["marital_status": "married"])  // 20 the day before: fine
        r.person("b21", "M", "2005-01-01", ["marital_status": "divorced"]) // 21: a man under 22
        r.person("s10", "M", "2016-01-01", ["marital_status": "single"])
        r.person("w", "F", "1990-01-01", ["marital_status": "married"])
        let e9 = r.row("events", ["person": "w", "kind": "marriage", "date": "1999-01-01"])  // married at 9
        r.row("events", ["person": "w", "kind": "marriage", "date": "2012-01-01"])          // at 22: fine
        r.person("old", "F", "1960-06-01")
        r.row("events", ["person": "old", "kind": "marriage", "date": "1979-07-01"])        // 19 under the 1950 law (18): fine
        let e80 = r.row("events", ["person": "old", "kind": "marriage", "date": "1981-01-01"]) // 20 is the age from 1981: 20 is fine…
        r.person("man", "M", "1960-06-01")
        let e81 = r.row("events", ["person": "man", "kind": "marriage", "date": "1981-07-01"]) // …a man of 21 in 1981 is not
        #expect(r.named(by: "married-under-age") == ["people/g10", "people/b21", "events/\(e9)", "events/\(e81)"])
        _ = e80
    }

    @Test func birthsAndMothers() {
        var r = CheckRegister()
        r.person("mum", "F", "1990-01-01")
        r.person("aunt", "F", "1988-01-01")
        r.person("kid", "M", "2020-05-01", ["mother": "mum"])
        r.row("events", ["person": "kid", "kind": "birth", "date": "2020-05-01"], id: "e1")
        r.row("events", ["person": "kid", "kind": "birth", "date": "2020-05-02"], id: "e2")
        r.row("pregnancies", ["woman": "mum", "child": "kid", "found_on": "2019-09-01", "status": "born"], id: "p1")
        r.row("pregnancies", ["woman": "aunt", "child": "kid", "found_on": "2019-09-02", "status": "born"], id: "p2")
        #expect(r.named(by: "birth-recorded-twice") == ["events/e2"])
        #expect(r.named(by: "birth-event-date") == ["events/e2"])
        #expect(r.named(by: "two-mothers") == ["pregnancies/p2"])
    }

    @Test func afterDeath() {
        var r = CheckRegister()
        r.person("old", "F", "1940-01-01")
        r.row("events", ["person": "old", "kind": "death", "date": "2025-03-01"])
        let v = r.row("visits", ["person": "old", "kind": "health_check", "date": "2026-01-01"])
        r.row("visits", ["person": "old", "kind": "health_check", "date": "2025-03-01"])   // same day: fine
        let paid = r.row("benefits", ["person": "old", "program": "国家奖扶", "status": "paid", "paid_on": "2025-06-01"], amount: 96000)
        r.row("benefits", ["person": "old", "program": "国家奖扶", "status": "eligible"], amount: 96000)
        #expect(r.named(by: "after-death") == ["visits/\(v)", "benefits/\(paid)"])
    }

    @Test func datesInTheFutureAndBeforeBirth() {
        var r = CheckRegister()
        r.person("p", "M", "1990-01-01")
        let future = r.row("events", ["person": "p", "kind": "move_out", "date": "2031-01-01"])
        r.row("events", ["person": "p", "kind": "move_in", "date": "2026-06-02"])          // tomorrow: clocks differ
        let early = r.row("events", ["person": "p", "kind": "marriage", "date": "1989-12-31"])
        r.row("pregnancies", ["woman": "p", "found_on": "2026-05-01", "expected_on": "2026-12-01", "status": "ongoing"])
        #expect(r.named(by: "future-date") == ["events/\(future)"])
        #expect(r.named(by: "before-birth") == ["events/\(early)"])
    }

    @Test func pregnancies() {
        var r = CheckRegister()
        r.person("w", "F", "1995-01-01")
        r.row("pregnancies", ["woman": "w", "found_on": "2026-01-01", "status": "ongoing"], id: "p1")
        r.row("pregnancies", ["woman": "w", "found_on": "2026-02-01", "status": "ongoing"], id: "p2")
        r.person("v", "F", "1995-01-01")
        r.row("pregnancies", ["woman": "v", "found_on": "2025-01-01", "expected_on": "2025-08-01", "status": "ongoing"], id: "p3")
        r.row("pregnancies", ["woman": "v", "found_on": "2024-01-01", "status": "born"], id: "p4")
        r.person("u", "F", "1995-01-01")
        r.row("pregnancies", ["woman": "u", "found_on": "2025-07-01", "status": "ongoing"], id: "p5")  // 48 weeks on 2026-06-01
        r.row("pregnancies", ["woman": "u", "found_on": "2025-08-01", "status": "ended"], id: "p6")
        #expect(r.named(by: "two-ongoing-pregnancies") == ["pregnancies/p2"])
        #expect(r.named(by: "pregnancy-overdue") == ["pregnancies/p3", "pregnancies/p5"])
    }

    @Test func onlyChildRewardAndAmounts() {
        var r = CheckRegister()
        r.person("dad", "M", "1970-01-01")
        r.person("c1", "F", "1995-01-01", ["father": "dad"])
        r.person("c2", "F", "2000-01-01", ["father": "dad"])
        let late = r.row("benefits", ["person": "dad", "program": "独生子女父母奖励", "status": "paid", "paid_on": "2001-01-01"], amount: 12000)
        r.row("benefits", ["person": "dad", "program": "独生子女父母奖励", "status": "paid", "paid_on": "1999-01-01"], amount: 12000)
        r.person("mum", "F", "1970-01-01", ["household": "h1"])
        r.row("households", ["head": "mum", "address": "北赵村1号"], id: "h1")
        r.person("d1", "F", "1995-01-01", ["mother": "mum"])
        r.person("d2", "F", "1997-01-01", ["mother": "mum"])
        r.row("events", ["person": "d1", "kind": "death", "date": "1996-01-01"])     // one living child at a time
        r.row("benefits", ["household": "h1", "program": "独生子女父母奖励", "status": "paid", "paid_on": "2000-01-01"], amount: 12000)
        let big = r.row("benefits", ["household": "h1", "program": "国家奖扶", "status": "paid", "paid_on": "2020-01-01"], amount: 999_900)
        #expect(r.named(by: "only-child-reward-with-siblings") == ["benefits/\(late)"])
        #expect(r.named(by: "benefit-amount-range") == ["benefits/\(big)"])
    }

    @Test func residenceAndHeads() {
        var r = CheckRegister()
        r.person("gone", "F", "1990-01-01", ["residence": "resident", "household": "h1"])
        r.row("events", ["person": "gone", "kind": "move_out", "date": "2024-01-01"])
        r.person("back", "F", "1990-01-01", ["residence": "resident"])
        r.row("events", ["person": "back", "kind": "move_out", "date": "2024-01-01"])
        r.row("events", ["person": "back", "kind": "move_in", "date": "2025-01-01"])
        r.person("left", "F", "1990-01-01", ["residence": "moved_out"])
        r.row("events", ["person": "left", "kind": "move_out", "date": "2024-01-01"])
        r.row("households", ["head": "gone", "address": "一号"], id: "h1")
        r.row("households", ["head": "back", "address": "二号"], id: "h2")
        #expect(r.named(by: "moved-out-still-resident") == ["people/gone"])
        #expect(r.named(by: "head-not-in-household") == ["households/h2"])
    }

    @Test func messagesNameThePersonInBothLanguages() throws {
        var r = CheckRegister()
        r.person("m", "M", "1990-01-01", ["name": "张三", "national_id": "370481199001011234"])
        r.row("visits", ["person": "m", "kind": "prenatal", "date": "2026-01-01"])
        let f = try #require(CheckEngine(today: CalendarDate("2026-06-01")!).findings(in: CheckData(rows: r.rows)).first)
        #expect(f.message.zh == "张三 *1234为男性，不能有「产前检查」随访")
        #expect(f.message.en.hasPrefix("张三 *1234 is male and cannot have a"))
        #expect(f.severity == .refuse && f.village == "北赵" && f.person == "m")
    }

    @Test func introducedIgnoresWhatWasAlreadyWrong() {
        let old = CheckFinding(rule: "a", severity: .refuse, table: "t", row: "1", person: "p", village: "v", date: nil,
                               message: Label(zh: "", en: ""))
        var new = old
        new.row = "2"
        #expect(CheckEngine.introduced(before: [old], after: [old, new]) == [new])
        #expect(CheckEngine.introduced(before: [old, new], after: [old]).isEmpty)
    }
}

@Suite("Logic checks over generated townships")
struct CheckSeedTests {
    /// The rows of a generated township as the rules read them (amounts as integers, as stored).
    static func data(_ t: Township) -> CheckData {
        var rows: [CheckRow] = []
        for table in CheckData.columns.keys {
            for r in t.rows(table) {
                var f: Fields = [:]
                for (k, v) in r where k != "id" && !v.isEmpty { f[k] = k == "amount" ? .integer(Int64(v) ?? -1) : .text(v) }
                rows.append(CheckRow(table: table, id: r["id"] ?? "", fields: f))
            }
        }
        return CheckData(rows: rows)
    }

    /// The generator makes a believable register: nothing impossible in it, so the shipped
    /// sample imports without a refusal. (Warnings it may have are listed for the record.)
    @Test func generatedRegistersHaveNothingImpossible() {
        for (seed, villages) in [(2026, ["北赵", "南赵", "东庄"]), (11, SeedGenerator.villageNames(count: 6))] {
            let t = SeedGenerator(seed: UInt64(seed), villages: villages, peoplePerVillage: 300).generate()
            let findings = CheckEngine(today: CalendarDate("2026-11-30")!).findings(in: Self.data(t))
            let refused = findings.filter { $0.severity == .refuse }
            #expect(refused.isEmpty, "seed \(seed): \(refused.prefix(3).map { "\($0.rule) \($0.message.en)" })")
            let byRule = Dictionary(grouping: findings, by: \.rule).mapValues(\.count)
            print("seed \(seed): warnings by rule \(byRule.sorted { $0.key < $1.key })")
        }
    }
}

@Suite("Dangling references (issue 15 item 5)")
struct DanglingReferenceTests {
    @Test func rowsNamingAPersonNotHeldAreListedParentsAreNot() {
        var r = CheckRegister()
        r.person("here", "F", "1990-01-01", ["mother": "elsewhere"])   // a mother in another village: allowed
        let visit = r.row("visits", ["person": "gone", "kind": "health_check", "date": "2026-01-01"])
        let paid = r.row("benefits", ["person": "here", "payee": "gone", "program": "国家奖扶", "status": "eligible"], amount: 96000)
        r.row("households", ["head": "gone", "address": "一号"], id: "h1")
        r.row("visits", ["person": "here", "kind": "health_check", "date": "2026-01-01"])
        #expect(r.named(by: "dangling-reference") == ["visits/\(visit)", "benefits/\(paid)", "households/h1"])
        let f = CheckEngine(today: CalendarDate("2026-06-01")!).findings(in: CheckData(rows: r.rows), only: ["dangling-reference"])
        #expect(f.first { $0.table == "visits" }?.message.zh == "这条随访记录的「人员」指向本村看不到的人（可能已迁走或已合并），请核对后改指或随人迁出")
    }
}
