import Foundation
import Testing
@testable import HamletCore
import HamletTestSupport

@Suite("Seed generator")
struct SeedTests {
    static let tables = ["households", "people", "events", "visits", "benefits", "pregnancies", "contraception"]

    /// The parameters of the committed `seeds/` files.
    static let sample = SeedGenerator(seed: 2026, villages: ["北赵", "南赵", "东庄"], peoplePerVillage: 90)

    /// A mid-sized township shared by the checks below.
    static let township = SeedGenerator(seed: 11, villageCount: 6, peoplePerVillage: 600).generate()

    @Test func randomIsXoshiro256StarStar() {
        // Reference values from the published SplitMix64 seeding and xoshiro256** step.
        var r = SeedRandom(seed: 0)
        #expect([r.next(), r.next(), r.next()] == [0x99EC_5F36_CB75_F2B4, 0xBF6E_1F78_4956_452A, 0x1A5F_849D_4933_E6E0])
        var s = SeedRandom(seed: 2026)
        #expect([s.next(), s.next(), s.next()] == [0x92E0_1159_2E98_AE15, 0x489F_3794_6D6D_18D8, 0xD000_9E27_9D9C_DEDA])
        var t = SeedRandom(seed: 1)
        for _ in 0..<10_000 {
            let v = t.int(3...9)
            #expect((3...9).contains(v))
        }
        #expect(t.weighted(cumulative: [0, 0, 5]) == 2)
    }

    @Test func villageByVillageGivesTheSameRowsAsTheWhole() {
        let g = SeedGenerator(seed: 42, villageCount: 3, peoplePerVillage: 120)
        let whole = g.generate()
        var parts: [String: [[String: String]]] = [:]
        var seen: [Int] = []
        g.generate(byVillage: { village in
            seen.append(village.rowCount)
            for t in Self.tables { parts[t, default: []] += village.rows(t) }
        })
        #expect(seen.count == 3 && seen.allSatisfy { $0 > 0 })
        for t in Self.tables { #expect(parts[t] ?? [] == whole.rows(t), "table \(t)") }
    }

    @Test func sameSeedSameBytesDifferentSeedDiffers() {
        let g = SeedGenerator(seed: 42, villageCount: 2, peoplePerVillage: 150)
        let a = g.generate()
        let b = g.generate()
        var other = g
        other.seed = 43
        let c = other.generate()
        for t in Self.tables {
            #expect(a.csv(table: t) == b.csv(table: t), "table \(t)")
        }
        #expect(a.csv(table: "people") != c.csv(table: "people"))
        #expect(a.csv(table: "households") != c.csv(table: "households"))
    }

    @Test func villageNames() {
        let names = SeedGenerator.villageNames(count: 80)
        #expect(names.count == 80)
        #expect(Set(names).count == 80)
        #expect(Array(names.prefix(5)) == ["北赵", "南赵", "东庄", "西河", "李家营"])
        #expect(SeedGenerator.villageNames(count: 80) == names)
        #expect(SeedGenerator.villageNames(count: 600).count == 600)
    }

    @Test func everyRowValidates() throws {
        for t in [Self.township, Self.sample.generate()] {
            let issues = Self.validationIssues(t)
            #expect(issues.isEmpty, "\(issues.prefix(5))")
        }
    }

    @Test func validationCheckCatchesABrokenRow() throws {
        var t = Self.sample.generate()
        var person = t.people[0]
        let id = try #require(person["national_id"])
        person["national_id"] = String(id.prefix(17)) + (id.hasSuffix("0") ? "1" : "0")
        t.people[0] = person
        t.visits[0]["date"] = "1850-01-01"
        let codes = Self.validationIssues(t)
        #expect(codes.contains { $0.contains("invalid-national-id") })
        #expect(codes.contains { $0.contains("date-before-birth") })
    }

    /// Every issue `Validator` finds in any row, checking every field, with a lookup over the generated rows.
    static func validationIssues(_ t: Township) -> [String] {
        var live: [String: [String: ReferencedRow]] = [:]
        for name in tables {
            var rows: [String: ReferencedRow] = [:]
            for r in t.rows(name) { rows[r["id"] ?? ""] = ReferencedRow(isLive: true, birthDate: r["birth_date"]) }
            live[name] = rows
        }
        let validator = Validator()
        var out: [String] = []
        for name in tables {
            guard let table = t.schema.table(named: name) else { out.append("no table \(name)"); continue }
            let all = Set(table.fields.map(\.name))
            for r in t.rows(name) {
                if !RowID.isValid(r["id"] ?? "") { out.append("\(name): bad id") }
                let found = validator.issues(row: Township.fields(of: r, table: table), table: table, checkFields: all) {
                    live[$0]?[$1]
                }
                out += found.map { "\($0.safeMessage) [\($0.code.rawValue)] \($0.value ?? "")" }
            }
        }
        return out
    }

    @Test func nationalIDsAgreeAndAreDistinct() throws {
        var seen = Set<String>()
        for p in Self.township.people {
            let text = try #require(p["national_id"])
            guard case .success(let id) = NationalID.parse(text) else {
                Issue.record("invalid national ID")
                continue
            }
            #expect(id.text == text)
            #expect(id.birthDate.description == p["birth_date"])
            #expect(id.sex == p["sex"])
            #expect(seen.insert(text).inserted, "duplicate national ID")
        }
        #expect(seen.count == Self.township.people.count)
    }

    @Test func mothersWereOfAge() throws {
        let t = Self.township
        var births: [String: CalendarDate] = [:]
        var sexes: [String: String] = [:]
        for p in t.people {
            births[p["id"] ?? ""] = CalendarDate(p["birth_date"] ?? "")
            sexes[p["id"] ?? ""] = p["sex"]
        }
        #expect(t.mothers.count > 100)
        for (child, mother) in t.mothers {
            let c = try #require(births[child])
            let m = try #require(births[mother])
            #expect(sexes[mother] == "F")
            // Never before she turned 15; in fact 18–40.
            let fifteen = try #require(CalendarDate(year: m.year + 15, month: m.month, day: min(m.day, 28)))
            #expect(c >= fifteen)
            let age = c.year - m.year - ((c.month, c.day) < (m.month, m.day) ? 1 : 0)
            #expect((18...40).contains(age), "mother aged \(age)")
        }
    }

    @Test func eventsAndVisitsFallBetweenBirthAndTheRegisterDate() throws {
        let t = Self.township
        var births: [String: String] = [:]
        for p in t.people { births[p["id"] ?? ""] = p["birth_date"] }
        let asOf = t.asOf.description
        var kinds = Set<String>()
        for row in t.events + t.visits {
            let birth = try #require(births[row["person"] ?? ""])
            let date = try #require(row["date"])
            #expect(date >= birth)
            #expect(date <= asOf)
            kinds.insert(row["kind"] ?? "")
        }
        for k in ["birth", "marriage", "divorce", "death", "move_in", "move_out",
                  "health_check", "prenatal", "postnatal", "child_health", "follow_up", "ring_check", "pregnancy_check"] {
            #expect(kinds.contains(k), "no \(k) rows")
        }
        for e in t.events where e["kind"] == "birth" {
            #expect(e["date"] == births[e["person"] ?? ""])
        }
    }

    @Test func householdsAreWholeAndHeaded() throws {
        let t = Self.township
        var members: [String: [[String: String]]] = [:]
        for p in t.people { members[p["household"] ?? "", default: []].append(p) }
        var deadIDs = Set<String>()
        for e in t.events where e["kind"] == "death" { deadIDs.insert(e["person"] ?? "") }
        var addresses = Set<String>()
        for h in t.households {
            let list = members[h["id"] ?? ""] ?? []
            #expect((1...6).contains(list.count))
            let head = try #require(h["head"])
            #expect(list.contains { $0["id"] == head })
            #expect(!deadIDs.contains(head))
            let address = try #require(h["address"])
            #expect(address.hasPrefix((h["village"] ?? "") + "村") && address.hasSuffix("号"))
            #expect(addresses.insert(address).inserted, "duplicate address")
        }
        let resident = t.people.filter { $0["residence"] == "resident" }.count
        #expect(resident * 10 > t.people.count * 7, "most people are resident")
    }

    @Test func benefitsAreWellFormed() throws {
        let t = Self.township
        #expect(!t.benefits.isEmpty)
        var programs = Set<String>()
        var lifecycles = Set<String>()
        var periods = Set<String>()
        var paidToSomeoneElse = 0
        let year = String(t.asOf.year)
        for b in t.benefits {
            programs.insert(b["program"] ?? "")
            lifecycles.insert(b["lifecycle"] ?? "")
            periods.insert(b["period"] ?? "")
            #expect(b["person"] != nil || b["household"] != nil)
            #expect((b["status"] == "paid") == (b["paid_on"] != nil))
            if b["lifecycle"] == "ended" {
                // 退出: no money, a reason, no payee.
                #expect(b["amount"] == "0" && b["end_reason"] != nil && b["payee"] == nil)
            } else {
                #expect(Int(b["amount"] ?? "") ?? 0 > 0)
                #expect(b["payee"] != nil && b["account_last4"]?.count == 4 && b["end_reason"] == nil)
                if let person = b["person"], b["payee"] != person { paidToSomeoneElse += 1 }
            }
            // Past years are paid within their year.
            if let period = b["period"], period < year, b["lifecycle"] != "ended" {
                #expect(b["status"] == "paid" && b["paid_on"]?.hasPrefix(period) == true)
            }
        }
        #expect(programs == ["国家奖扶", "省级奖扶", "独生子女父母奖励", "特别扶助"])
        #expect(lifecycles == ["new", "continuing", "ended"])
        #expect(periods == [String(t.asOf.year - 2), String(t.asOf.year - 1), year])
        #expect(paidToSomeoneElse > 0, "some elders' money is collected by a family member (代领)")
    }

    /// 孩次 as the register derives it: each linked child's order among its mother's children.
    static func birthOrders(_ t: Township) -> [String: BirthOrder] {
        var byMother: [String: [BirthOrder.Child]] = [:]
        for p in t.people {
            guard let m = p["mother"], let id = p["id"], let b = p["birth_date"] else { continue }
            byMother[m, default: []].append(BirthOrder.Child(id: id, birthDate: b))
        }
        var out: [String: BirthOrder] = [:]
        for children in byMother.values { for o in BirthOrder.of(children) { out[o.id] = o } }
        return out
    }

    /// A township big enough for the figures to settle.
    static let large = SeedGenerator(seed: 5, villageCount: 12, peoplePerVillage: 1500).generate()

    @Test func mothersAndFathersAreLinkedAndListedFirst() throws {
        let t = Self.township
        var seen: [String: [String: String]] = [:]
        var fathers = 0
        for p in t.people {
            let id = try #require(p["id"])
            #expect(p["mother"] == t.mothers[id])
            for parent in [p["mother"], p["father"]].compactMap({ $0 }) {
                let row = try #require(seen[parent], "a parent comes before the child")
                #expect(row["household"] == p["household"])
            }
            if let f = p["father"] {
                fathers += 1
                #expect(seen[f]?["sex"] == "M")
            }
            seen[id] = p
        }
        #expect(t.mothers.count > 100 && fathers > 100)
    }

    @Test func birthOrderMixAndSexRatioAreThoseTheOfficesReport() throws {
        let t = Self.large
        let orders = Self.birthOrders(t)
        var sexes: [String: String] = [:]
        for p in t.people { sexes[p["id"] ?? ""] = p["sex"] }
        // Births of the last five years by 孩次, as the 出生 figure counts them.
        let since = CalendarDate(year: t.asOf.year - 4, month: 1, day: 1)?.description ?? ""
        var mix: [BirthOrder.Category: Int] = [:]
        var boys: [Bool: Int] = [:], girls: [Bool: Int] = [:]
        var twins = 0
        // The sex ratio over fifteen years of births (still all at home: older daughters have
        // mostly married out of the register), for enough births to settle.
        let fifteen = CalendarDate(year: t.asOf.year - 14, month: 1, day: 1)?.description ?? ""
        for o in orders.values where o.birthDate >= fifteen {
            if o.birthDate >= since { mix[o.category, default: 0] += 1 }
            let later = o.order > 1
            if sexes[o.id] == "M" { boys[later, default: 0] += 1 } else { girls[later, default: 0] += 1 }
            if o.isMultipleBirth { twins += 1 }
        }
        let recent = Double(mix.values.reduce(0, +))
        let share = { (c: BirthOrder.Category) in Double(mix[c] ?? 0) / max(recent, 1) }
        let ratio = { (later: Bool?) -> Double in
            let b = later.map { boys[$0] ?? 0 } ?? boys.values.reduce(0, +)
            let g = later.map { girls[$0] ?? 0 } ?? girls.values.reduce(0, +)
            return 100 * Double(b) / Double(max(g, 1))
        }
        print("births since \(since): \(Int(recent)); 一孩 \(share(.first)) 二孩 \(share(.second)) 多孩 \(share(.higher)); "
              + "sex ratio \(ratio(nil)) (一孩 \(ratio(false)), 二孩+ \(ratio(true))); twins \(twins) of \(orders.count)")
        #expect(recent > 500)
        #expect((0.52...0.68).contains(share(.first)))
        #expect((0.22...0.38).contains(share(.second)))
        #expect((0.05...0.16).contains(share(.higher)))
        #expect((105...120).contains(ratio(nil)))
        #expect(ratio(true) > ratio(false))
        #expect(twins > 0)
    }

    @Test func pregnanciesCloseWithTheirChildAndCoverEveryState() throws {
        for t in [Self.township, Self.sample.generate()] {
            var people: [String: [String: String]] = [:]
            for p in t.people { people[p["id"] ?? ""] = p }
            var states = Set<String>()
            for p in t.pregnancies {
                let status = try #require(p["status"])
                states.insert(status)
                let woman = try #require(people[p["woman"] ?? ""])
                #expect(woman["sex"] == "F" && p["responsible"] != nil)
                let found = try #require(p["found_on"])
                #expect(found <= t.asOf.description)
                switch status {
                case "born":
                    let child = try #require(people[p["child"] ?? ""])
                    #expect(child["mother"] == woman["id"] && p["ended_on"] == child["birth_date"])
                    #expect(found < (p["ended_on"] ?? ""))
                case "ongoing":
                    #expect(p["ended_on"] == nil && p["child"] == nil && (p["expected_on"] ?? "") > t.asOf.description)
                default:
                    #expect(p["end_kind"] != nil && p["child"] == nil && found < (p["ended_on"] ?? ""))
                }
            }
            #expect(states == ["ongoing", "born", "ended"])
        }
    }

    @Test func contraceptionAndRoundsFollowMarriedWomenOfChildbearingAge() throws {
        let t = Self.township
        var people: [String: [String: String]] = [:]
        for p in t.people { people[p["id"] ?? ""] = p }
        func age(_ birth: String, on day: CalendarDate) -> Int {
            guard let b = CalendarDate(birth) else { return -1 }
            return day.year - b.year - ((day.month, day.day) < (b.month, b.day) ? 1 : 0)
        }
        var methods = Set<String>()
        var iud: [String: [(String, String?)]] = [:]
        for c in t.contraception {
            let p = try #require(people[c["person"] ?? ""])
            #expect(p["sex"] == "F" && p["marital_status"] == "married")
            #expect((15...49).contains(age(p["birth_date"] ?? "", on: t.asOf)))
            methods.insert(c["method"] ?? "")
            #expect((c["status"] == "stopped") == (c["until"] != nil))
            if let until = c["until"] { #expect(until > (c["since"] ?? "")) }
            if c["method"] == "iud" { iud[c["person"] ?? "", default: []].append((c["since"] ?? "", c["until"])) }
        }
        #expect(methods == ["iud", "sterilization", "implant", "drugs", "other"])
        let year = t.asOf.year
        var rounds = Set<String>()
        for v in t.visits where v["kind"] == "ring_check" || v["kind"] == "pregnancy_check" {
            let round = try #require(v["round"])
            rounds.insert(round)
            let date = try #require(v["date"])
            #expect(date.hasPrefix(String(year)))
            if v["kind"] == "ring_check" {
                // 查环 only for a woman whose IUD was in place that day.
                #expect(iud[v["person"] ?? ""]?.contains { $0.0 <= date && ($0.1.map { date < $0 } ?? true) } == true)
            }
        }
        #expect(rounds == ["\(year)年3月", "\(year)年7月", "\(year)年11月"])
    }

    @Test func idsAreTimeOrderedAndUnique() {
        let t = Self.township
        var all = Set<String>()
        for name in Self.tables {
            let ids = t.rows(name).map { $0["id"] ?? "" }
            #expect(ids == ids.sorted(), "\(name) ids out of order")
            for id in ids { all.insert(id) }
        }
        #expect(all.count == t.rowCount)
    }

    @Test func csvReadsBackAsTheRows() throws {
        let t = Self.sample.generate()
        for name in Self.tables {
            let text = t.csv(table: name)
            #expect(!text.hasPrefix("\u{FEFF}"))
            let table = try CSVTable.read(text)
            #expect(table.header == t.columns(name))
            #expect(table.rows.count == t.rows(name).count)
            for (read, row) in zip(table.rows, t.rows(name)) {
                for col in table.header { #expect((read.fields[col] ?? "") == (row[col] ?? "")) }
            }
        }
    }

    /// The committed sample in `seeds/` is exactly what the generator makes. When the
    /// generator changes on purpose, rewrite the files with
    /// `HAMLET_REGENERATE_SEEDS=1 swift test --filter committedSeedsMatchTheGenerator`.
    @Test func committedSeedsMatchTheGenerator() throws {
        let root = try #require(Self.repositoryRoot(), "no seeds/ folder above \(#filePath)")
        let t = Self.sample.generate()
        if ProcessInfo.processInfo.environment["HAMLET_REGENERATE_SEEDS"] == "1" {
            for name in Self.tables {
                try Data(t.csv(table: name).utf8).write(to: root.appendingPathComponent("seeds/\(name).csv"))
            }
        }
        for name in Self.tables {
            let url = root.appendingPathComponent("seeds/\(name).csv")
            let committed = try Data(contentsOf: url)
            #expect(committed == Data(t.csv(table: name).utf8), "seeds/\(name).csv differs from the generator's output")
        }
        for name in Self.tables {
            let rows = t.rows(name).count
            #expect(rows > 0, "\(name)")
        }
        let perVillage = Dictionary(grouping: t.people, by: { $0["village"] ?? "" }).mapValues(\.count)
        for v in ["北赵", "南赵", "东庄"] { #expect((60...120).contains(perVillage[v] ?? 0)) }
    }

    /// The nearest folder above this file that holds `seeds/README.md`.
    static func repositoryRoot(from file: String = #filePath) -> URL? {
        var dir = URL(fileURLWithPath: file).deletingLastPathComponent()
        while dir.path != "/" {
            if FileManager.default.fileExists(atPath: dir.appendingPathComponent("seeds/README.md").path) { return dir }
            dir = dir.deletingLastPathComponent()
        }
        return nil
    }
}
