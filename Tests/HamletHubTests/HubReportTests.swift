import Foundation
import HamletCore
import HamletStore
import HamletTestSupport
import Testing

/// Issue 14 at the hub: the report read from a real hub equals Core's over the same rows; a transfer
/// is one village's 迁出 and the other's 迁入; an open or merged duplicate counts once; deleted rows never.
@Suite(.serialized)
struct HubReportTests {
    static let township = SeedGenerator(seed: 41, villageCount: 3, peoplePerVillage: 300).generate()
    /// 2026-01-15 12:00 in Shanghai: after the register date (2025-12-31), so January 2026 starts empty.
    static let january15: Int64 = 1_768_449_600_000
    static let action = OperatorAction(name: "镇管理员", wallMillis: january15)

    static func loadedHub(_ dir: TempDir) throws -> HubStore {
        let store = try HubStore.create(directory: dir.path)
        for table in ["households", "people", "events", "visits", "benefits", "pregnancies", "contraception"] {
            guard let t = store.schema.table(named: table) else { continue }
            let rows = township.rows(table).map { (id: $0["id"] ?? "", values: Township.fields(of: $0, table: t)) }
            try store.load(table: table, rows: rows, action: action)
        }
        return store
    }

    func change(_ node: String, _ seq: Int64, _ row: String, _ values: Fields, op: ChangeOp = .put, rowBase: Int64 = 0) -> Change {
        Change(node: node, seq: seq, table: "people", row: row, op: op, values: values, bases: values.mapValues { _ in rowBase },
               rowBase: rowBase, hlc: HLC(wall: Self.january15 + seq, counter: 0, node: node), author: "村专干", epoch: "")
    }

    @Test("the hub's report equals Core's over the same rows, for a month, a quarter and a year")
    func hubEqualsCore() throws {
        let dir = TempDir("hub-report")
        defer { dir.remove() }
        let store = try Self.loadedHub(dir)
        let engine = ReportEngine(ReportInput(township: Self.township))
        for text in ["2025-11", "2025-Q4", "2025"] {
            let period = try ReportPeriod(parsing: text)
            let hub = try store.report(period: period, checks: false, wallMillis: Self.january15)
            #expect(hub == engine.report(for: period), "\(text)")
        }
        let year = try ReportPeriod(parsing: "2025")
        let one = try store.report(period: year, village: "北赵", checks: false, wallMillis: Self.january15)
        #expect(Array(one.villages.keys) == ["北赵"] && one.township == engine.report(for: year).township)
        let november = try ReportPeriod(parsing: "2025-11")
        #expect(try store.shortfall(period: november, wallMillis: Self.january15)
                    == ShortfallSignal.flags(current: engine.report(for: november), previous: engine.report(for: november.previous),
                                             sameLastYear: engine.report(for: november.sameLastYear)))
        #expect(throws: ReportError.self) {
            try store.report(period: try ReportPeriod(parsing: "2025"), village: "没有村", checks: false, wallMillis: Self.january15)
        }
    }

    @Test("a transfer counts once as 迁出 and once as 迁入; duplicates count once, open or merged; deleted rows never")
    func transfersDuplicatesAndDeletes() throws {
        let dir = TempDir("hub-report")
        defer { dir.remove() }
        let store = try Self.loadedHub(dir)
        let january = try ReportPeriod(parsing: "2026-01")
        let (north, south) = (Self.township.villages[0], Self.township.villages[1])
        let before = try store.report(period: january, checks: false, wallMillis: Self.january15)
        func figure(_ r: Report, _ v: String?, _ key: String) -> Int64 { (v.map { r.villages[$0] } ?? r.township)?[key]?.integer ?? -1 }

        // 1. A transfer from north to south on 2026-01-15.
        let mover = try #require(Self.township.people.first { $0["village"] == north && $0["residence"] == "resident" && $0["sex"] == "F" })
        try store.operatorEdit(table: "people", id: mover["id"] ?? "", values: ["village": .text(south)], action: Self.action)
        let moved = try store.report(period: january, checks: false, wallMillis: Self.january15)
        #expect(figure(moved, north, "moves_out") == 1 && figure(moved, south, "moves_in") == 1)
        #expect(figure(moved, north, "moves_in") == 0 && figure(moved, south, "moves_out") == 0)
        #expect(figure(moved, nil, "moves_in") == 0 && figure(moved, nil, "moves_out") == 0, "inside the township: no township move")
        #expect(figure(moved, north, "population_end") == figure(before, north, "population_end") - 1)
        #expect(figure(moved, south, "population_end") == figure(before, south, "population_end") + 1)
        #expect(figure(moved, nil, "population_end") == figure(before, nil, "population_end"))
        let december = try store.report(period: try ReportPeriod(parsing: "2025-12"), checks: false, wallMillis: Self.january15)
        #expect(figure(december, north, "moves_out") == 0, "December is not touched by a January transfer")

        // 2. South registers someone of north's again (same 身份证号): an open duplicate, counted once, in north.
        try store.addNode(id: "south-1", village: south, secretHash: String(repeating: "0", count: 64), wallMillis: Self.january15)
        let twin = try #require(Self.township.people.first { $0["village"] == north && $0["id"] != mover["id"] && $0["national_id"] != nil })
        var rng = SystemRandomNumberGenerator()
        let again = RowID.make(unixMillis: Self.january15, using: &rng)
        var values: Fields = ["village": .text(south)]
        for k in ["name", "sex", "birth_date", "national_id"] { values[k] = twin[k].map { .text($0) } ?? .null }
        let source = BatchSource(node: "south-1", village: south)
        let dup = try store.reconcile([change("south-1", 1, again, values)], from: source, wallMillis: Self.january15)[0]
        let conflict = try #require(dup.conflicts.first, "the national-ID check opened a duplicate")
        let open = try store.report(period: january, checks: false, wallMillis: Self.january15)
        #expect(figure(open, nil, "population_end") == figure(moved, nil, "population_end"))
        #expect(figure(open, south, "population_end") == figure(moved, south, "population_end"))
        #expect(figure(open, south, "open_duplicates") == 1)
        try store.mergeDuplicate(conflict, keep: twin["id"], action: Self.action)
        let merged = try store.report(period: january, checks: false, wallMillis: Self.january15)
        #expect(figure(merged, nil, "population_end") == figure(moved, nil, "population_end"))
        #expect(figure(merged, south, "open_duplicates") == 0)

        // 3. A baby born on 2026-01-10, entered, then deleted: a birth while it stands, none after.
        let baby = RowID.make(unixMillis: Self.january15 + 1, using: &rng)
        let born = try store.reconcile([change("south-1", 2, baby, ["village": .text(south), "name": .text("赵小宝"), "sex": .text("M"),
                                                                    "birth_date": .text("2026-01-10")])],
                                       from: source, wallMillis: Self.january15)[0]
        let hseq = try #require(born.hseq)
        #expect(figure(try store.report(period: january, checks: false, wallMillis: Self.january15), south, "births_male") == 1)
        let gone = try store.reconcile([change("south-1", 3, baby, [:], op: .delete, rowBase: hseq)], from: source,
                                       wallMillis: Self.january15)[0]
        #expect(gone.status == .applied)
        let after = try store.report(period: january, checks: false, wallMillis: Self.january15)
        #expect(figure(after, south, "births") == 0 && figure(after, nil, "births") == 0)
        #expect(after.township["population_end"] == merged.township["population_end"])
    }
}
