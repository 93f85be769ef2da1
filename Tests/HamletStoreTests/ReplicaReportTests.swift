import HamletCore
import HamletTestSupport
import Testing
@testable import HamletStore

/// Issue 14 on a node: the village's report over its visible rows, offline.
@Suite struct ReplicaReportTests {
    @Test("a node's report counts its village's rows: a duplicate entry once, a deleted row never, move events as moves")
    func villageReport() throws {
        let dir = TempDir("replica-report")
        defer { dir.remove() }
        let r = try Replica.create(directory: dir.path, node: "bz-1", village: "北赵", hub: nil, secretFile: nil)
        var rng = SystemRandomNumberGenerator()
        let now: Int64 = 1_764_500_000_000
        func add(_ table: String, _ values: Fields) throws -> String {
            try r.insert(table: table, values: values, author: "村专干", wallMillis: now, rng: &rng).id
        }
        let mother = try add("people", ["name": .text("王芳"), "sex": .text("F"), "birth_date": .text("1992-04-01"),
                                         "marital_status": .text("married")])
        let idCard = NationalID.make(region: 370481, birth: try #require(CalendarDate("2026-11-05")), sequence: 12)
        let baby: Fields = ["name": .text("李小花"), "sex": .text("F"), "birth_date": .text("2026-11-05"),
                            "national_id": .text(idCard), "mother": .text(mother)]
        let child = try add("people", baby)
        _ = try add("people", baby)
        let boy = try add("people", ["name": .text("李小龙"), "sex": .text("M"), "birth_date": .text("2026-11-09"), "mother": .text(mother)])
        _ = try add("events", ["person": .text(child), "kind": .text("birth"), "date": .text("2026-11-05")])
        _ = try add("events", ["person": .text(mother), "kind": .text("move_in"), "date": .text("2026-11-02")])
        _ = try r.delete(table: "people", id: boy, author: "村专干", wallMillis: now)

        let report = try r.report(period: try ReportPeriod(parsing: "2026-11"))
        let v = try #require(report.villages["北赵"])
        #expect(Array(report.villages.keys) == ["北赵"])
        #expect(v["births"] == .integer(1) && v["births_female"] == .integer(1) && v["births_male"] == .integer(0))
        #expect(v["births_by_order"]?["1"] == .integer(1) && v["sex_ratio_at_birth"] == .decimal(0))
        #expect(v["population_end"] == .integer(2) && v["moves_in"] == .integer(1) && v["married_women_15_49"] == .integer(1))
        #expect(v["open_conflicts"] == .missing, "a node has no conflict counts of the hub's kind")
        #expect(report.township == v)
    }
}
