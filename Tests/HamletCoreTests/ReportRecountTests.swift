import Foundation
import Testing
@testable import HamletCore

/// Issue 14, item 2: the report's figures recounted by brute force — naive loops over the generated
/// township's rows, written here without the engine — for a month, a quarter and a year, exactly equal.
@Suite("Report recount")
struct ReportRecountTests {
    static let township = SeedGenerator(seed: 14, villageCount: 4, peoplePerVillage: 500).generate()
    static let engine = ReportEngine(ReportInput(township: township))

    /// The naive figures of one village (nil: the township) for one period.
    struct Recount: Equatable {
        var populationEnd = 0, birthsMale = 0, birthsFemale = 0, deaths = 0, marriages = 0, movesIn = 0, movesOut = 0
        var byOrder = ["1": 0, "2": 0, "3+": 0, "unknown": 0]
        var sexRatio: ReportValue = .missing
    }

    static func recount(_ village: String?, from: String, to: String) -> Recount {
        let t = township
        var r = Recount()
        func here(_ row: [String: String]) -> Bool { village == nil || row["village"] == village }
        func inPeriod(_ d: String?) -> Bool { guard let d else { return false }; return d >= from && d <= to }
        let deathEvents = t.events.filter { $0["kind"] == "death" }
        for p in t.people where here(p) {
            let id = p["id"] ?? "", born = p["birth_date"] ?? ""
            var died = false
            for e in deathEvents where e["person"] == id && (e["date"] ?? "") <= to { died = true }
            if born <= to && !died { r.populationEnd += 1 }
            guard inPeriod(born) else { continue }
            if p["sex"] == "M" { r.birthsMale += 1 } else if p["sex"] == "F" { r.birthsFemale += 1 }
            // 孩次: how many of the mother's children were born before this one (ties by id), plus one.
            guard let mother = p["mother"], !mother.isEmpty, t.people.contains(where: { $0["id"] == mother }) else {
                r.byOrder["unknown", default: 0] += 1
                continue
            }
            var order = 1
            for c in t.people where c["mother"] == mother && c["id"] != id {
                let cb = c["birth_date"] ?? ""
                if cb < born || (cb == born && (c["id"] ?? "") < id) { order += 1 }
            }
            r.byOrder[order >= 3 ? "3+" : String(order), default: 0] += 1
        }
        func people(_ kind: String) -> Int {
            var who = Set<String>()
            for e in t.events where here(e) && e["kind"] == kind && inPeriod(e["date"]) { who.insert(e["person"] ?? "") }
            return who.count
        }
        r.deaths = people("death")
        r.marriages = people("marriage")
        r.movesIn = people("move_in")
        r.movesOut = people("move_out")
        if r.birthsFemale > 0 {
            r.sexRatio = .decimal((Double(r.birthsMale) * 100 / Double(r.birthsFemale) * 100).rounded() / 100)
        }
        return r
    }

    static func figures(_ f: [String: ReportValue]) -> Recount {
        func n(_ k: String) -> Int { Int(f[k]?.integer ?? -1) }
        var r = Recount(populationEnd: n("population_end"), birthsMale: n("births_male"), birthsFemale: n("births_female"),
                        deaths: n("deaths"), marriages: n("marriages"), movesIn: n("moves_in"), movesOut: n("moves_out"))
        r.byOrder = (f["births_by_order"]?.object ?? [:]).mapValues { Int($0.integer ?? -1) }
        r.sexRatio = f["sex_ratio_at_birth"] ?? .missing
        return r
    }

    @Test(arguments: ["2025-11", "2025-Q4", "2025", "2024-Q2"])
    func engineEqualsTheNaiveRecount(_ text: String) throws {
        let period = try ReportPeriod(parsing: text)
        let report = Self.engine.report(for: period)
        let (from, to) = (period.from.description, period.to.description)
        #expect(Self.figures(report.township) == Self.recount(nil, from: from, to: to), "township \(text)")
        var births = 0
        for v in Self.township.villages {
            let naive = Self.recount(v, from: from, to: to)
            births += naive.birthsMale + naive.birthsFemale
            #expect(Self.figures(try #require(report.villages[v])) == naive, "\(v) \(text)")
        }
        if period.kind != .month { #expect(births > 0, "the period has births to count") }
    }

    @Test func theYearHasMovesDeathsAndMarriagesToCount() throws {
        let r = Self.engine.report(for: try ReportPeriod(parsing: "2025"))
        for key in ["deaths", "marriages", "moves_out", "births_male", "births_female"] {
            #expect((r.township[key]?.integer ?? 0) > 0, "\(key) is exercised")
        }
    }
}
