import Foundation
import HamletCore
import HamletTestSupport
import Testing

// Issue 14 through the built binary: the report equals a brute-force recount from `hamlet hub export`, and a
// close followed by a late entry shows 上报数 beside 当前数 and lists the entry.

private let zh = ["LANG": "zh_CN.UTF-8"]

@Suite("月报 through the CLI (issue 14)", .serialized)
struct ReportCLITests {
    /// Rows of an export (codes), as dictionaries.
    static func export(_ hub: HamletDir, _ table: String) throws -> [[String: String]] {
        let r = try hub.run(["hub", "export", table, "--codes"])
        try #require(r.status == 0, "\(r)")
        return try CSVTable.read(r.stdout).rows.map(\.fields)
    }

    @Test("hub report --json equals a recount from the exports: births by sex, deaths, moves per village, the sex ratio — for a year, a quarter and a month")
    func reportEqualsTheRecount() throws {
        let tmp = TempDir("report-recount")
        defer { tmp.remove() }
        let hub = HamletDir(tmp.file("hub"))
        try must(hub, ["hub", "init"])
        try must(hub, ["seed", "--villages", "3", "--people", "120"])
        let people = try Self.export(hub, "people"), events = try Self.export(hub, "events")
        let villageOf = Dictionary(people.map { ($0["id"] ?? "", $0["village"] ?? "") }, uniquingKeysWith: { a, _ in a })
        for period in ["2025", "2025-Q2", "2025-06", "2024-11"] {
            let p = try ReportPeriod(parsing: period)
            let inPeriod = { (d: String?) in d.map { $0 >= p.from.description && $0 <= p.to.description } ?? false }
            let r = try hub.run(["hub", "report", "--period", period, "--json"])
            try #require(r.status == 0, "\(r)")
            let json = try #require(try r.json() as? [String: Any])
            let villages = try #require(json["villages"] as? [String: [String: Any]])
            var expected: [String: [String: Int]] = [:]
            for v in Set(villageOf.values) { expected[v] = ["births_male": 0, "births_female": 0, "deaths": 0, "moves_in": 0, "moves_out": 0] }
            for person in people where inPeriod(person["birth_date"]) {
                expected[person["village"] ?? "", default: [:]][person["sex"] == "M" ? "births_male" : "births_female", default: 0] += 1
            }
            var dead = Set<String>(), movedIn = Set<String>(), movedOut = Set<String>()
            for e in events where inPeriod(e["date"]) {
                let who = e["person"] ?? "", village = e["village"] ?? ""
                switch e["kind"] {
                case "death" where dead.insert(who).inserted: expected[villageOf[who] ?? village, default: [:]]["deaths", default: 0] += 1
                case "move_in" where movedIn.insert(who + village).inserted: expected[village, default: [:]]["moves_in", default: 0] += 1
                case "move_out" where movedOut.insert(who + village).inserted: expected[village, default: [:]]["moves_out", default: 0] += 1
                default: break
                }
            }
            for (v, figures) in expected {
                let got = try #require(villages[v], "\(period): no \(v) in \(villages.keys)")
                for (key, n) in figures { #expect(got[key] as? Int == n, "\(period) \(v) \(key): \(got[key] ?? "nil") vs recount \(n)") }
                let boys = figures["births_male"] ?? 0, girls = figures["births_female"] ?? 0
                if girls > 0 {
                    let ratio = try #require(got["sex_ratio_at_birth"] as? Double, "\(period) \(v)")
                    #expect(abs(ratio - (Double(boys) / Double(girls) * 100 * 100).rounded() / 100) < 0.001, "\(period) \(v) ratio \(ratio)")
                } else {
                    #expect(got["sex_ratio_at_birth"] == nil || got["sex_ratio_at_birth"] is NSNull, "no girls: no ratio (\(period) \(v))")
                }
            }
            let township = try #require(json["township"] as? [String: Any])
            let births = expected.values.reduce(0) { $0 + ($1["births_male"] ?? 0) + ($1["births_female"] ?? 0) }
            #expect(township["births"] as? Int == births, "\(period) township births")
        }
    }

    @Test("close a month, then a late entry: the report shows 上报数 beside 当前数, hub report changes lists it as 补录, and nothing is refused")
    func closeThenLateEntry() throws {
        let town = try ProcTownship("report-close", nodes: [("bz1", "北赵")])
        defer { town.finish() }
        let hub = town.hub, bz1 = town["bz1"]
        try must(bz1, ["add", "person", "--name", "王小明", "--sex", "男", "--birth-date", "2026-10-15"])
        _ = try town.sync("bz1")
        let closed = try hub.run(["hub", "report", "close", "2026-10", "--operator", "镇管理员李明"], env: zh)
        #expect(closed.status == 0 && closed.stdout.contains("已截止 2026年10月"), "\(closed)")
        let late = try must(bz1, ["add", "person", "--name", "王小红", "--sex", "女", "--birth-date", "2026-10-20"])
        let pushed = try town.sync("bz1")
        #expect(pushed.rejected == 0, "late data is never refused")

        let json = try #require(try hub.run(["hub", "report", "--period", "2026-10", "--json"]).json() as? [String: Any])
        let close = try #require(json["closed"] as? [String: Any], "\(json.keys)")
        #expect(close["closed_by"] as? String == "镇管理员李明" && close["changes"] as? Int == 1, "\(close)")
        let diffs = try #require(close["differences"] as? [[String: Any]])
        let births = diffs.filter { $0["indicator"] as? String == "births" }
        #expect(births.count == 2 && births.allSatisfy { $0["reported"] as? Int == 1 && $0["current"] as? Int == 2 }, "\(births)")
        #expect((json["township"] as? [String: Any])?["births"] as? Int == 2)

        let text = try hub.run(["hub", "report", "--period", "2026-10"], env: zh)
        #expect(text.stdout.contains("上报数") && text.stdout.contains("当前数") && text.stdout.contains("截止后收到补录/更正 1 条"), "\(text.stdout)")
        let changes = try hub.run(["hub", "report", "changes", "2026-10", "--json"])
        let list = try #require(try changes.json() as? [[String: Any]])
        #expect(list.count == 1 && list[0]["row"] as? String == late && list[0]["late_entry"] as? Bool == true, "\(list)")
        #expect(try hub.run(["hub", "report", "changes", "2026-10"], env: zh).stdout.contains("补录"))
        #expect(try hub.run(["hub", "report", "changes", "2026-09"], env: zh).status == 65, "a period never closed")
        #expect(try hub.run(["hub", "report", "--period", "2026-13"]).status == 64)

        // The node's own report, offline.
        let mine = try #require(try bz1.run(["report", "--period", "2026-10", "--json"]).json() as? [String: Any])
        #expect((mine["township"] as? [String: Any])?["births"] as? Int == 2)
    }
}
