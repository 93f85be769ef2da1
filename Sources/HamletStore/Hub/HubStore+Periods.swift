import Foundation
import HamletCore

/// A change the hub took in after a cut-off (a period's close, or its reporting deadline) to a row dated
/// inside the period: what makes 当前数 differ from 上报数, or a village late.
public struct PeriodChange: Sendable, Codable, Hashable {
    public var hseq: Int64
    /// The node (or `@hub` for an operator) that wrote it, and who.
    public var node: String
    public var author: String
    public var table: String
    public var row: String
    /// The row's village now.
    public var village: String
    public var op: String
    public var receivedAt: Int64
    /// The row's date that puts it in the period (birth date, event date, paid on …).
    public var date: String
    /// 补录 (late entry: the row first reached the hub after the cut-off) rather than 更正 (a correction of a row it had).
    public var isLateEntry: Bool

    enum CodingKeys: String, CodingKey {
        case hseq, node, author, table, row, village, op, date
        case receivedAt = "received_at", isLateEntry = "late_entry"
    }
}

/// A period closed (截止): the figures as reported (上报数), frozen with the hub's head at the time.
public struct PeriodClose: Sendable, Codable, Hashable {
    public var period: String
    public var closedAt: Int64
    public var closedBy: String
    /// The hub's head when it was closed: changes after it are the period's 补录/更正.
    public var head: Int64
    /// The report as it stood, as JSON (the `hamlet hub report --json` document).
    public var figures: String
}

/// Where a change's cut-off lies: after a hub sequence number (a close) or after a wall-clock time (a deadline).
public enum PeriodCutoff: Sendable {
    case afterHseq(Int64)
    case receivedAfter(Int64)
}

extension HubStore {
    static let periodClosesSQL = """
        CREATE TABLE IF NOT EXISTS period_closes (
          period TEXT PRIMARY KEY, closed_at INTEGER NOT NULL, closed_by TEXT NOT NULL, head INTEGER NOT NULL,
          figures TEXT NOT NULL) WITHOUT ROWID
        """

    /// The date field that places a row of each table in a period (the one reports count by).
    public static let periodDateField: [String: String] = [
        "people": "birth_date", "events": "date", "visits": "date", "benefits": "paid_on",
        "pregnancies": "found_on", "contraception": "since",
    ]

    /// Changes taken in after `cutoff` to rows dated from `from` to `to` (inclusive), oldest first.
    /// - Throws: `StoreError`.
    public func changes(dated from: CalendarDate, _ to: CalendarDate, after cutoff: PeriodCutoff) throws -> [PeriodChange] {
        try read {
            var out: [PeriodChange] = []
            let (condition, bound): (String, Int64) = {
                switch cutoff {
                case .afterHseq(let h): return ("l.hseq > ?1", h)
                case .receivedAfter(let t): return ("l.received_at > ?1", t)
                }
            }()
            for (table, field) in HubStore.periodDateField.sorted(by: { $0.key < $1.key }) {
                guard let t = schema.table(named: table), t.name == table, t.field(field) != nil else { continue }
                let date = SchemaSQL.quote(field), scope = SchemaSQL.quote(schema.scope)
                let rows = try connection.rows("""
                    SELECT l.hseq, l.node, l.author, l.row_id, r.\(scope), l.op, l.received_at, r.\(date),
                           (SELECT min(f.hseq) FROM log f WHERE f.tbl = l.tbl AND f.row_id = l.row_id) AS first,
                           (SELECT min(f.received_at) FROM log f WHERE f.tbl = l.tbl AND f.row_id = l.row_id) AS first_at
                    FROM log l JOIN \(SchemaSQL.quote(table)) r ON r.id = l.row_id
                    WHERE l.tbl = ?4 AND \(condition) AND r.\(date) BETWEEN ?2 AND ?3
                    ORDER BY l.hseq
                    """, [.integer(bound), .text(from.description), .text(to.description), .text(table)])
                for r in rows {
                    let first = try r.int(8), firstAt = try r.int(9)
                    let late: Bool
                    switch cutoff {
                    case .afterHseq(let h): late = first > h
                    case .receivedAfter(let t): late = firstAt > t
                    }
                    out.append(PeriodChange(hseq: try r.int(0), node: try r.text(1), author: try r.text(2), table: table,
                                            row: try r.text(3), village: try r.text(4), op: try r.text(5), receivedAt: try r.int(6),
                                            date: try r.text(7), isLateEntry: late))
                }
            }
            return out.sorted { $0.hseq < $1.hseq }
        }
    }

    /// Closes a period: freezes the figures as reported. Closing again replaces them (a re-report), keeping the
    /// newer head. - Throws: `StoreError`.
    public func closePeriod(_ period: String, figures: String, by: String, wallMillis: Int64) throws -> PeriodClose {
        try write {
            try connection.execute(HubStore.periodClosesSQL)
            let close = PeriodClose(period: period, closedAt: wallMillis, closedBy: by, head: try head(), figures: figures)
            try connection.run("INSERT OR REPLACE INTO period_closes (period, closed_at, closed_by, head, figures) VALUES (?1, ?2, ?3, ?4, ?5)",
                               [.text(period), .integer(wallMillis), .text(by), .integer(close.head), .text(figures)])
            return close
        }
    }

    /// The close of a period, if it was closed.
    public func periodClose(_ period: String) throws -> PeriodClose? {
        try read {
            guard try connection.scalar("SELECT count(*) FROM sqlite_master WHERE name = 'period_closes'").integer ?? 0 > 0,
                  let r = try connection.row("SELECT period, closed_at, closed_by, head, figures FROM period_closes WHERE period = ?1",
                                             [.text(period)]) else { return nil }
            return PeriodClose(period: try r.text(0), closedAt: try r.int(1), closedBy: try r.text(2), head: try r.int(3),
                               figures: try r.text(4))
        }
    }

    /// Each village's last session in a window (after `after`, up to and including `upTo`), over all its nodes.
    public func lastSessions(after: Int64, upTo: Int64) throws -> [String: Int64] {
        try read {
            var out: [String: Int64] = [:]
            for r in try connection.rows("""
                SELECT n.village, max(s.at) FROM sessions s JOIN nodes n ON n.id = s.node
                WHERE s.at > ?1 AND s.at <= ?2 GROUP BY n.village
                """, [.integer(after), .integer(upTo)]) {
                if let at = r[1].integer { out[try r.text(0)] = at }
            }
            return out
        }
    }

    /// When each village's nodes last reached the hub (the latest of its nodes), for timeliness.
    public func lastSeenByVillage() throws -> [String: Int64] {
        try read {
            var out: [String: Int64] = [:]
            for r in try connection.rows("SELECT village, max(last_seen) FROM nodes GROUP BY village") {
                if let seen = r[1].integer { out[try r.text(0)] = seen }
            }
            return out
        }
    }
}

extension HubStore {
    /// The first millisecond of a day in the hub's time zone.
    public func startOfDayMillis(_ day: CalendarDate) throws -> Int64 {
        let zone = try timeZone()
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let date = calendar.date(from: DateComponents(year: day.year, month: day.month, day: day.day)) ?? Date(timeIntervalSince1970: 0)
        return Int64((date.timeIntervalSince1970 * 1000).rounded())
    }

    /// Whether each village's data for `period` reached the hub by the deadline (day `deadlineDay` of the
    /// next month, to the end of that day in the hub's time zone): `ReportTimeliness`.
    /// - Throws: `StoreError`.
    /// - Parameter byTownship: at a county hub, late changes count for their village's township (issue 18).
    public func timeliness(period: ReportPeriod, villages: [String], deadlineDay: Int, byTownship: Bool = false,
                           wallMillis: Int64) throws -> ReportTimeliness {
        let group = byTownship ? try townshipOfVillage() : [:]
        let deadline = ReportTimeliness.deadline(of: period, day: deadlineDay)
        let deadlineEnd = try startOfDayMillis(deadline.adding(days: 1)) - 1
        let periodEnd = try startOfDayMillis(period.to.adding(days: 1)) - 1
        var late: [String: Int] = [:]
        for change in try changes(dated: period.from, period.to, after: .receivedAfter(deadlineEnd)) { late[group[change.village] ?? change.village, default: 0] += 1 }
        return ReportTimeliness.judge(deadline: deadline, deadlinePassed: wallMillis > deadlineEnd, villages: villages,
                                      lastSync: try lastSessions(after: periodEnd, upTo: deadlineEnd), lastSeen: try lastSeenByVillage(),
                                      deadlineEndMillis: deadlineEnd, lateChanges: late)
    }
}

/// A closed period as a report shows it: who closed it and when, how many late entries/corrections came
/// since, and every figure that differs from what was reported.
public struct ClosedReport: Sendable, Encodable {
    public var closedAt: Int64
    public var closedBy: String
    /// 补录/更正 taken in since the close (`changes(dated:after: .afterHseq(head))`).
    public var changes: Int
    public var differences: [ReportDifference]

    enum CodingKeys: String, CodingKey { case closedAt = "closed_at", closedBy = "closed_by", changes, differences }
}

extension HubStore {
    /// The close of `period` compared with `current` (this period's report now), or nil when it is not closed.
    /// - Throws: `StoreError`, or a decoding error if the stored figures are corrupt.
    public func closedReport(_ period: ReportPeriod, current: Report) throws -> ClosedReport? {
        guard let close = try periodClose(period.description) else { return nil }
        let reported = try JSONDecoder().decode(Report.self, from: Data(close.figures.utf8))
        let changes = try changes(dated: period.from, period.to, after: .afterHseq(close.head))
        return ClosedReport(closedAt: close.closedAt, closedBy: close.closedBy, changes: changes.count,
                            differences: current.differences(from: reported))
    }
}
