import HamletCore

/// What one export pass read from the township hub: the rows its changes touched, in the order they were first
/// touched, and the mark to store with their writes.
public struct TownshipChanges: Sendable {
    /// The rows, as the township holds them now.
    public var rows: [HubRow]
    /// Who made the latest change of each row (recorded as the upstream change's author).
    public var authors: [RowKey: String]
    /// The township `hseq` the pass covers.
    public var mark: Int64
    /// True when the log holds nothing after `mark`.
    public var done: Bool
}

/// The township hub's side of the uplink (issue 18): the export reads the rows its accepted changes touched; the
/// downlink writes the county's outcomes as operator changes (author `UplinkPlan.downlinkAuthor`, op `county`), so
/// they enter the township's log and reach the villages' nodes on their next sync.
extension HubStore {
    /// The resolution a township conflict takes when the county's outcome for its field comes down.
    public static let countyResolution = "county"

    /// Rows touched by changes after `mark` (the downlink's own excepted), read in one transaction.
    /// - Parameters:
    ///   - mark: The export mark.
    ///   - limit: Log entries per pass.
    /// - Throws: `StoreError`.
    public func townshipChanges(after mark: Int64, limit: Int) throws -> TownshipChanges {
        try connection.transaction(.deferred) {
            let head = try head()
            let entries = try connection.rows("""
                SELECT hseq, tbl, row_id, node, author FROM log WHERE hseq > ?1 AND hseq <= ?2 ORDER BY hseq LIMIT ?3
                """, [.integer(mark), .integer(head), .integer(Int64(limit))])
            var keys: [RowKey] = []
            var authors: [RowKey: String] = [:]
            var last = mark
            for e in entries {
                last = try e.int(0)
                let node = try e.text(3), author = try e.text(4)
                if node == NodeID.hub && author == UplinkPlan.downlinkAuthor { continue }
                let key = RowKey(try e.text(1), try e.text(2))
                if authors.updateValue(node == NodeID.hub ? author : node, forKey: key) == nil { keys.append(key) }
            }
            let done = entries.count < limit
            var rows: [HubRow] = []
            for k in keys {
                if let t = schema.table(named: k.table), let r = try row(t, id: k.id) { rows.append(r) }
            }
            return TownshipChanges(rows: rows, authors: authors, mark: done ? max(head, mark) : last, done: done)
        }
    }

    /// Writes the county's outcomes into this township hub, in one transaction: each row that differs becomes an
    /// operator change, and an open field conflict on a field the county decided is closed as `county`.
    /// - Parameters:
    ///   - rows: Rows as the county last sent them.
    ///   - exportMark: The export mark (the township's own news above it is left alone).
    ///   - wallMillis: The wall clock, recorded with the changes.
    ///   - seenUpTo: The downlink mark before this pass (for `UplinkPlan.contested`).
    /// - Returns: How many rows changed, and the fields both tiers changed (left alone here, judged at the county).
    /// - Throws: `StoreError`; nothing is written then.
    @discardableResult
    public func applyCounty(_ rows: [CountyRow], exportMark: Int64, seenUpTo: Int64 = 0,
                            wallMillis: Int64) throws -> (changed: Int, contested: [RowKey: [String]]) {
        try connection.transaction {
            var clock = HybridClock(node: NodeID.hub, last: try clock())
            let action = OperatorAction(name: UplinkPlan.downlinkAuthor, wallMillis: wallMillis)
            var changed = 0
            var contested: [RowKey: [String]] = [:]
            // The villages this township's nodes serve: a row that left them here already (moved out by the township
            // itself) stays as it is, live in its new village, for the township's own count of 迁出.
            let served = Set(try nodes().map(\.village))
            for c in rows {
                guard let t = schema.table(named: c.key.table) else { continue }
                let current = try row(t, id: c.key.id)
                if c.left, !served.contains(current?.scope(schema) ?? "") { continue }
                // Moved out of the township at the county: tombstoned here, its values as they were.
                let county = c.left ? current.map { TierRow(values: $0.values, deleted: true, mergedInto: $0.mergedInto) } : c.row
                let both = c.left ? [] : UplinkPlan.contested(c.row, township: current, exportMark: exportMark, seenUpTo: seenUpTo)
                if !both.isEmpty { contested[c.key] = both }
                guard let county, let edit = UplinkPlan.downlink(county, township: current, exportMark: exportMark) else { continue }
                let previous = current ?? HubRow(table: t.name, id: c.key.id, values: [:], versions: [:], hseq: 0)
                var next = previous
                for (k, v) in edit.values { next.setValue(v, named: k) }
                next.deleted = edit.deleted
                next.mergedInto = edit.mergedInto
                let hseq = try operatorWrite(t, next, previous: previous, op: Self.countyResolution, values: edit.values,
                                             action: action, clock: &clock)
                for field in edit.values.keys.sorted() {
                    for id in try connection.rows("""
                        SELECT id FROM conflicts WHERE tbl = ?1 AND row_id = ?2 AND field = ?3 AND kind = 'field' AND status = 'open'
                        """, [.text(t.name), .text(c.key.id), .text(field)]).map({ try $0.int(0) }) {
                        try closeConflict(id, resolution: Self.countyResolution, hseq: hseq, action: action)
                    }
                }
                changed += 1
            }
            try setMeta("hlc", clock.last.description)
            return (changed, contested)
        }
    }
}
