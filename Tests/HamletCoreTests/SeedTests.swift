import Foundation
import Testing
@testable import HamletCore

@Suite("Seed generator")
struct SeedTests {
    static let tables = ["households", "people", "events", "visits", "benefits"]

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
                  "health_check", "prenatal", "postnatal", "child_health", "follow_up"] {
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
        for b in t.benefits {
            programs.insert(b["program"] ?? "")
            #expect(b["person"] != nil || b["household"] != nil)
            #expect((b["status"] == "paid") == (b["paid_on"] != nil))
            #expect(Int(b["amount"] ?? "") ?? 0 > 0)
        }
        #expect(programs == ["国家奖扶", "省级奖扶", "独生子女父母奖励"])
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
            #expect(rows > 0)
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
