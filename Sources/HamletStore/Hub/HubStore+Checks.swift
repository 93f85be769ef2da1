import Foundation
import HamletCore
import Synchronization

/// An operator's 已核实 mark: the record was looked at and the facts are right (or cannot be fixed here).
public struct CheckMark: Sendable, Codable, Hashable {
    public var by: String
    public var at: Int64
    public var note: String
}

/// One item of the hub's 核查 list: a finding, and the operator's mark when there is one.
public struct CheckItem: Sendable {
    public var finding: CheckFinding
    public var mark: CheckMark?
}

/// The 核查 list at the hub, as the page and `hamlet hub check` show it.
public struct CheckReport: Sendable {
    /// Open items (and, when asked for, verified ones), by village, rule and record.
    public var items: [CheckItem]
    /// The day the rules stood on (the hub's time zone).
    public var today: CalendarDate
    /// Open items per village and rule (verified ones left out).
    public var counts: [String: [String: Int]] {
        var out: [String: [String: Int]] = [:]
        for i in items where i.mark == nil { out[i.finding.village, default: [:]][i.finding.rule, default: 0] += 1 }
        return out
    }
}

/// The last whole-township run of the rules per hub, reused while nothing was written and the day
/// is the same (the page and `hub check` are then instant after the first run; a township takes seconds).
private let lastCheckRun = Mutex<[String: (head: Int64, today: CalendarDate, findings: [CheckFinding])]>([:])

extension HubStore {
    static let checkMarksSQL = """
        CREATE TABLE IF NOT EXISTS check_marks (
          rule TEXT NOT NULL, tbl TEXT NOT NULL, row_id TEXT NOT NULL, by TEXT NOT NULL, at INTEGER NOT NULL,
          note TEXT NOT NULL, PRIMARY KEY (rule, tbl, row_id)) WITHOUT ROWID
        """

    /// The hub's day now, in its time zone (meta `time_zone`).
    public func today(wallMillis: Int64) throws -> CalendarDate {
        let zone = try timeZone()
        return CalendarDate(unixMillis: wallMillis, zone: zone)
    }

    /// Runs every rule over the hub's live rows: nothing is refused here (data from the field is
    /// already real); what breaks a rule is listed until an edit fixes it or an operator marks it.
    /// - Parameters:
    ///   - village: only items of this village.
    ///   - rules: only these rule ids.
    ///   - includeVerified: also list items an operator marked 已核实.
    ///   - wallMillis: now.
    /// - Throws: `StoreError`.
    public func check(village: String? = nil, rules: Set<String>? = nil, includeVerified: Bool = false,
                      wallMillis: Int64) throws -> CheckReport {
        try read {
            let today = try self.today(wallMillis: wallMillis)
            let marks = try checkMarks()
            var items: [CheckItem] = []
            for f in try allFindings(today: today) where (village == nil || f.village == village) && (rules?.contains(f.rule) ?? true) {
                let mark = marks[f.key]
                if mark == nil || includeVerified { items.append(CheckItem(finding: f, mark: mark)) }
            }
            return CheckReport(items: items, today: today)
        }
    }

    /// Every finding of every rule over every live card (call inside a read): the last run's when the hub's
    /// head and the day are unchanged, else a fresh run.
    func allFindings(today: CalendarDate) throws -> [CheckFinding] {
        let head = try self.head()
        // Keyed by the hub's identity and epoch too: a folder restored from a backup starts a new epoch.
        let key = "\(try hubID())|\(try meta("epoch") ?? "")|\(schema.version)|\(directory)"
        if let last = lastCheckRun.withLock({ $0[key] }), last.head == head, last.today == today { return last.findings }
        let reads = CheckReads(connection: connection, schema: schema, live: "_deleted = 0 AND _merged_into IS NULL")
        let findings = CheckEngine(schema: schema, today: today).findings(in: try reads.all())
        lastCheckRun.withLock { $0[key] = (head, today, findings) }
        return findings
    }

    /// Every 已核实 mark.
    func checkMarks() throws -> [CheckKey: CheckMark] {
        guard try connection.scalar("SELECT count(*) FROM sqlite_master WHERE name = 'check_marks'").integer ?? 0 > 0 else { return [:] }
        var out: [CheckKey: CheckMark] = [:]
        for r in try connection.rows("SELECT rule, tbl, row_id, by, at, note FROM check_marks") {
            out[CheckKey(rule: try r.text(0), table: try r.text(1), row: try r.text(2))] =
                CheckMark(by: try r.text(3), at: try r.int(4), note: try r.text(5))
        }
        return out
    }

    /// The mark on one item, if any.
    public func checkMark(_ key: CheckKey) throws -> CheckMark? { try checkMarks()[key] }

    /// Marks an item 已核实 with the operator's note (required): it leaves the open list and the mark
    /// is kept with the record's history. Refused (`not-found`) when the record does not break the rule now.
    /// - Throws: `OperatorError` (not-found, invalid) or `StoreError`.
    public func markChecked(_ key: CheckKey, action: OperatorAction) throws {
        guard let note = action.note?.trimmingCharacters(in: .whitespacesAndNewlines), !note.isEmpty else {
            throw OperatorError(code: .invalid, message: "a note is required: say what was verified", zh: "请写明核实情况（备注必填）")
        }
        try write {
            let report = try check(rules: [key.rule], includeVerified: true, wallMillis: action.wallMillis)
            guard report.items.contains(where: { $0.finding.key == key }) else {
                throw OperatorError(code: .notFound, message: "this record does not break rule \(key.rule) now",
                                    zh: "这条记录现在没有违反这条规则，无需核实")
            }
            try connection.execute(HubStore.checkMarksSQL)
            try connection.run("INSERT OR REPLACE INTO check_marks (rule, tbl, row_id, by, at, note) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                               [.text(key.rule), .text(key.table), .text(key.row), .text(action.name),
                                .integer(action.wallMillis), .text(note)])
        }
    }

    /// The marks on one record (for its history page).
    public func checkMarks(table: String, id: String) throws -> [(CheckKey, CheckMark)] {
        try checkMarks().filter { $0.key.table == table && $0.key.row == id }.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }
}
