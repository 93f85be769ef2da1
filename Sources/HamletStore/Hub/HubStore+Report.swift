import Foundation
import HamletCore

/// The township's report (月报) at the hub: the live rows read once, the figures made by
/// `ReportEngine` in Core. Read only.
extension HubStore {
    /// What a report is made from: every live row (`_deleted = 0 AND _merged_into IS NULL`), the
    /// transfers of people between villages (from `departures`, dated by the day the hub received
    /// the change, in its time zone), and per village the open conflicts, open duplicates and,
    /// when `checks` is true, open 核查 items.
    ///
    /// The villages are those with a registered node or a live person, sorted.
    /// - Parameters:
    ///   - periods: read only what reports of these periods need (faster; the input then serves
    ///     only periods between the earliest start and the latest end: `ReportInput.covers(_:)`);
    ///     empty (the default) reads every row.
    ///   - checks: count 核查 items (the rules over the whole township: seconds the first time,
    ///     then reused while nothing is written); false leaves `check_items` out of the quality counts (0).
    ///   - wallMillis: now, for the rules' day.
    /// - Returns: the input.
    /// - Throws: `StoreError`.
    ///   - byTownship: at a county hub, one column per township (issue 18, `ReportInput.grouped(by:)`).
    public func reportInput(covering periods: [ReportPeriod] = [], checks: Bool = true, byTownship: Bool = false,
                            wallMillis: Int64 = Int64(Date().timeIntervalSince1970 * 1000)) throws -> ReportInput {
        try read {
            let live = "_deleted = 0 AND _merged_into IS NULL"
            let scope = SchemaSQL.quote(schema.scope)
            var villages = Set(try connection.rows("SELECT village FROM nodes").map { try $0.text(0) })
            // Issue 18: a township node's `village` is its township's name, a column only when grouped by township;
            // every village a township claimed has its column (or counts for its township) even with no one left.
            let claimed = try townshipOfVillage()
            if !byTownship { villages.subtract(Set(claimed.values)) }
            villages.formUnion(claimed.keys)
            if schema.table(named: "people") != nil {
                for r in try connection.rows("SELECT DISTINCT \(scope) FROM people WHERE \(live) AND \(scope) IS NOT NULL") {
                    villages.insert(try r.text(0))
                }
            }
            var reads = ReportReads(connection: connection, schema: schema, live: live, village: nil)
            reads.window = ReportReads.window(periods)
            var input = try reads.input(villages: villages.sorted())
            input.moves = try reportMoves()
            input.quality = try reportQuality(checks: checks, wallMillis: wallMillis)
            return byTownship ? input.grouped(by: try townshipOfVillage()) : input
        }
    }

    /// Transfers of live people between villages, oldest first: each departure's village is where the
    /// row left, the next departure's (or the row's village now) where it went.
    func reportMoves() throws -> [ReportInput.Move] {
        guard schema.table(named: "people") != nil else { return [] }
        let zone = try timeZone()
        let scope = SchemaSQL.quote(schema.scope)
        let s = try connection.statement("""
            SELECT d.id, d.village, l.received_at, p.\(scope) FROM departures d
              JOIN people p ON p.id = d.id AND p._deleted = 0 AND p._merged_into IS NULL
              LEFT JOIN log l ON l.hseq = d.hseq
            WHERE d.tbl = 'people' ORDER BY d.id, d.hseq
            """)
        try s.bind([])
        defer { s.reset() }
        var rows: [(id: String, from: String, at: Int64, now: String)] = []
        let c = Cells(statement: s)
        while try s.step() {
            rows.append((try c.id(), c.text(1) ?? "", c.integer(2) ?? 0, c.text(3) ?? ""))
        }
        var out: [ReportInput.Move] = []
        for (i, r) in rows.enumerated() {
            let to = i + 1 < rows.count && rows[i + 1].id == r.id ? rows[i + 1].from : r.now
            out.append(ReportInput.Move(person: r.id, from: r.from, to: to,
                                        date: CalendarDate(unixMillis: r.at, zone: zone).description))
        }
        return out + (try mergeMoves())
    }

    /// The moves recorded by duplicate merges across villages still in force (an unmerged one reopens its conflict):
    /// from the loser's village to the survivor's, on the move's day.
    func mergeMoves() throws -> [ReportInput.Move] {
        try connection.rows("""
            SELECT details FROM conflicts WHERE kind = 'duplicate' AND status = 'resolved' AND resolution = 'merge'
              AND details LIKE '%"move":{%'
            """).compactMap { r in
            let record = try JSONText.decode(MergeRecord.self, r.text(0))
            guard let m = record.move else { return nil }
            return ReportInput.Move(person: record.survivor, from: m.from, to: m.to, date: m.date)
        }
    }

    /// Open conflicts (duplicates apart), open duplicates and open 核查 items per village, now.
    func reportQuality(checks: Bool, wallMillis: Int64) throws -> [String: ReportInput.Quality] {
        var out: [String: ReportInput.Quality] = [:]
        for r in try connection.rows("""
            SELECT village, kind = 'duplicate', count(*) FROM conflicts WHERE status = 'open' GROUP BY village, kind = 'duplicate'
            """) {
            let v = try r.text(0)
            if try r.int(1) != 0 { out[v, default: .init()].openDuplicates += Int(try r.int(2)) }
            else { out[v, default: .init()].openConflicts += Int(try r.int(2)) }
        }
        if checks {
            for (v, rules) in try check(wallMillis: wallMillis).counts {
                out[v, default: .init()].checkItems += rules.values.reduce(0, +)
            }
        }
        return out
    }

    /// The report for a period: the township and every village, or one village (the township's
    /// figures stay, for the total row).
    /// - Parameters:
    ///   - period: the period.
    ///   - village: only this village, nil for all.
    ///   - checks: count 核查 items (see `reportInput(checks:wallMillis:)`).
    ///   - wallMillis: now.
    /// - Returns: the report.
    /// - Throws: `ReportError` (`unknown-village`), `StoreError`.
    ///   - byTownship: at a county hub, one column per township (issue 18).
    public func report(period: ReportPeriod, village: String? = nil, checks: Bool = true, byTownship: Bool = false,
                       wallMillis: Int64) throws -> Report {
        let input = try reportInput(covering: [period], checks: checks, byTownship: byTownship, wallMillis: wallMillis)
        let report = ReportEngine(input).report(for: period)
        guard let village else { return report }
        return try report.only(village: village)
    }
}

extension HubStore {
    /// The 漏报 signal for a period: each village's (and the township's) births and first marriages
    /// against the previous period and the same period last year (`ShortfallSignal.flags`), from one read.
    /// - Parameters:
    ///   - period: the period.
    ///   - wallMillis: now.
    /// - Returns: the flags (empty when nothing dropped by more than 30%).
    /// - Throws: `StoreError`.
    public func shortfall(period: ReportPeriod, byTownship: Bool = false, wallMillis: Int64) throws -> [ShortfallFlag] {
        let periods = [period, period.previous, period.sameLastYear]
        let engine = ReportEngine(try reportInput(covering: periods, checks: false, byTownship: byTownship, wallMillis: wallMillis))
        // A year's previous period is the same period last year: compared once.
        return ShortfallSignal.flags(current: engine.report(for: period), previous: engine.report(for: period.previous),
                                     sameLastYear: period.sameLastYear == period.previous ? nil : engine.report(for: period.sameLastYear))
    }
}
