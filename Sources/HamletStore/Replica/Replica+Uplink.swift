import HamletCore

/// One row the county changed, as the upstream replica last pulled it, for the downlink (issue 18).
public struct CountyRow: Sendable {
    /// The row's table and id.
    public var key: RowKey
    /// The row as the county sent it.
    public var row: TierRow
    /// The county `hseq` that last touched it.
    public var hseq: Int64
    /// True when the row left the township's villages at the county (moved to another township's village): the
    /// township tombstones its copy, so it leaves the villages' nodes (the county and the new township hold it live).
    public var left = false
}

/// The upstream replica of a township hub's uplink (issue 18): an ordinary node replica whose scope is the
/// township's villages. Its local writes stand for what the township accepted; they skip the clerk's checks
/// (the township hub judged them already) and carry the export mark in the same transaction.
extension Replica {
    /// Meta key: the township `hseq` up to which changes were handed to this replica.
    public static let exportMarkKey = "uplink_export_mark"
    /// Meta key: the county cursor up to which pulled rows were written into the township hub.
    public static let downlinkMarkKey = "uplink_downlink_mark"

    /// Meta key: the county epoch the downlink mark counts in.
    static let countyEpochKey = "uplink_county_epoch"
    /// Meta key: the township hub epoch the export mark counts in.
    public static let townshipEpochKey = "uplink_township_epoch"

    /// Follows the township hub into a new epoch (it was restored from a backup): the export mark goes back to where
    /// the two histories part (`hseq`s above it are new changes under reused numbers) and the downlink compares every
    /// row again, so what the township lost comes back down from the county. One transaction.
    /// - Parameters:
    ///   - epoch: The township hub's epoch now.
    ///   - sharedUpTo: The last `hseq` the township's history shares with an earlier epoch (nil: none).
    /// - Returns: True when the marks moved.
    /// - Throws: `StoreError`.
    @discardableResult
    public func followTownship(epoch: String, sharedUpTo: (String) -> Int64?) throws -> Bool {
        try connection.transaction {
            let stored = try meta(Self.townshipEpochKey)
            guard let stored, stored != epoch else {
                if stored == nil { try setMeta(Self.townshipEpochKey, epoch) }
                return false
            }
            try setMeta(Self.exportMarkKey, String(min(try exportMark(), sharedUpTo(stored) ?? 0)))
            try setMeta(Self.downlinkMarkKey, "0")
            try setMeta(Self.townshipEpochKey, epoch)
            return true
        }
    }

    /// The export mark (0 before the first export).
    /// - Throws: `StoreError`.
    public func exportMark() throws -> Int64 { Int64(try meta(Self.exportMarkKey) ?? "") ?? 0 }

    /// The downlink mark (0 before the first downlink).
    /// - Throws: `StoreError`.
    public func downlinkMark() throws -> Int64 { Int64(try meta(Self.downlinkMarkKey) ?? "") ?? 0 }

    /// A row as this replica means it now: the shadow with the outstanding edits laid over it.
    /// - Returns: nil when the replica never held the row (or it left the scope).
    /// - Throws: `StoreError`.
    public func tierRow(table: String, id: String) throws -> TierRow? {
        guard let t = schema.table(named: table) else { return nil }
        let s = try shadow(table: t.name, id: id)
        if let visible = try visibleRow(t, id: id) { return TierRow(values: visible, mergedInto: s?.mergedInto) }
        guard let s, !s.gone else { return nil }
        return TierRow(values: s.values, deleted: true, mergedInto: s.mergedInto)
    }

    /// Writes the export's changes as local changes and moves the export mark, in one transaction: a kill
    /// before the commit leaves neither, after it both. Compare-and-set: when the mark is no longer `from` (another
    /// uplink of the same township exported meanwhile) nothing is written.
    /// - Parameters:
    ///   - writes: The changes, in the township's order.
    ///   - from: The mark the writes were planned on.
    ///   - mark: The township `hseq` they cover.
    ///   - authors: Who made each row's latest change in the township (the node id, or the operator's name).
    ///   - wallMillis: The wall clock.
    /// - Throws: `StoreError`; nothing is written then.
    public func recordExport(_ writes: [UplinkWrite], from: Int64, mark: Int64, authors: [RowKey: String], wallMillis: Int64) throws {
        try connection.transaction {
            guard try exportMark() == from else { return }
            for w in writes {
                let info = try self.info()
                let author: String
                switch w {
                case .put(let table, let id, _), .delete(let table, let id): author = authors[RowKey(table, id)] ?? info.node
                }
                switch w {
                case .put(let table, let id, let values):
                    let t = try self.table(table)
                    let fresh = try shadow(table: t.name, id: id) == nil && visibleRow(t, id: id) == nil
                    var (bases, rowBase) = fresh ? (values.mapValues { _ in Int64(0) }, Int64(0))
                                                 : try basesFor(t, id: id, fields: Array(values.keys), info: info)
                    // Both tiers changed these since they last agreed: judged concurrent at the county.
                    for f in try takeContested(table: t.name, id: id) where values[f] != nil { bases[f] = 0 }
                    _ = try appendChange(t, id: id, op: .put, values: values, bases: bases, rowBase: rowBase,
                                         author: author, wallMillis: wallMillis, info: info)
                    try rebuildVisible(t, id: id, cursor: info.cursor, node: info.node)
                case .delete(let table, let id):
                    let t = try self.table(table)
                    let (_, rowBase) = try basesFor(t, id: id, fields: [], info: info)
                    _ = try appendChange(t, id: id, op: .delete, values: [:], bases: [:], rowBase: rowBase,
                                         author: author, wallMillis: wallMillis, info: info)
                    try rebuildVisible(t, id: id, cursor: info.cursor, node: info.node)
                }
            }
            try setMeta(Self.exportMarkKey, String(mark))
        }
    }

    /// Rows the county changed after the downlink mark, oldest first, and the mark to store once they are written
    /// into the township. A row with local edits still outstanding stops the page there (its outcome is not final).
    /// - Parameter limit: Rows per page.
    /// - Returns: The rows and the next mark; the mark equals the current one when nothing is new.
    /// - Throws: `StoreError`.
    public func countyChanges(limit: Int) throws -> (rows: [CountyRow], mark: Int64) {
        try connection.transaction(.deferred) {
            let info = try self.info()
            // A county restored from a backup (new epoch, or a cursor below the mark): everything is compared again.
            let countedIn = try meta(Self.countyEpochKey)
            let stored = try downlinkMark()
            let from = (countedIn == nil || countedIn == info.epoch) && stored <= info.cursor ? stored : 0
            var out: [CountyRow] = []
            var mark = info.cursor
            let kept = try connection.row("SELECT 1 FROM sqlite_master WHERE name = '_uplink_left'") != nil
            let left = kept ? "UNION ALL SELECT tbl, id, '{}', 0, NULL, hseq, 1, '{}' FROM _uplink_left WHERE hseq > ?1 AND hseq <= ?2" : ""
            for r in try connection.rows("""
                SELECT tbl, id, vals, deleted, merged_into, hseq, gone, vers FROM _shadow WHERE hseq > ?1 AND hseq <= ?2 AND gone = 0
                \(left) ORDER BY 6, 1, 2
                """, [.integer(from), .integer(info.cursor)]) {
                let table = try r.text(0), id = try r.text(1), hseq = try r.int(5)
                let full = out.count >= limit && out.last.map { $0.hseq != hseq } == true
                let waiting = try !outstanding(table: table, id: id, cursor: info.cursor, node: info.node).isEmpty
                if full || waiting {
                    mark = hseq - 1
                    break
                }
                out.append(CountyRow(key: RowKey(table, id),
                                     row: TierRow(values: try JSONText.decode(Fields.self, try r.text(2)), deleted: try r.int(3) != 0,
                                                  mergedInto: r.optionalText(4),
                                                  versions: try Replica.versionMap(try r.text(7))),
                                     hseq: hseq, left: try r.int(6) != 0))
            }
            // Rows of one hseq are taken whole or not at all.
            out.removeAll { $0.hseq > mark }
            return (out, max(from, mark))
        }
    }

    /// Stores the downlink mark, and the fields both tiers changed (`UplinkPlan.contested`) for the next export.
    /// - Throws: `StoreError`.
    public func setDownlinkMark(_ mark: Int64, contested: [RowKey: [String]] = [:]) throws {
        try connection.transaction {
            try connection.execute(Self.contestedTableSQL)
            for (key, fields) in contested {
                for f in fields {
                    try connection.run("INSERT OR IGNORE INTO _uplink_contested (tbl, id, field) VALUES (?1, ?2, ?3)",
                                       [.text(key.table), .text(key.id), .text(f)])
                }
            }
            try setMeta(Self.downlinkMarkKey, String(mark))
            try setMeta(Self.countyEpochKey, try info().epoch)
            if try connection.row("SELECT 1 FROM sqlite_master WHERE name = '_uplink_left'") != nil {
                try connection.run("DELETE FROM _uplink_left WHERE hseq <= ?1", [.integer(mark)])
            }
        }
    }

    /// Makes this replica an uplink's: the pulled rows' `hseq` index the downlink reads by, and the table of rows that
    /// left the township (a `leave` removes the shadow row, so the downlink would not see it otherwise).
    /// - Throws: `StoreError`.
    public func ensureUplinkIndex() throws {
        try connection.transaction {
            try connection.execute("CREATE INDEX IF NOT EXISTS _shadow_hseq ON _shadow (hseq)")
            try connection.execute(Self.leftTableSQL)
            try connection.execute("CREATE INDEX IF NOT EXISTS _uplink_left_hseq ON _uplink_left (hseq)")
            try setMeta(Self.uplinkKey, "1")
        }
    }

    static let contestedTableSQL = "CREATE TABLE IF NOT EXISTS _uplink_contested (tbl TEXT NOT NULL, id TEXT NOT NULL, field TEXT NOT NULL, PRIMARY KEY (tbl, id, field)) WITHOUT ROWID"
    static let leftTableSQL = "CREATE TABLE IF NOT EXISTS _uplink_left (tbl TEXT NOT NULL, id TEXT NOT NULL, hseq INTEGER NOT NULL)"

    /// Meta key set on an uplink's replica.
    static let uplinkKey = "uplink"

    /// The contested fields of a row (`UplinkPlan.contested`), forgotten as they are read: the export that reads
    /// them writes them with base 0 in the same transaction.
    func takeContested(table: String, id: String) throws -> [String] {
        guard try connection.row("SELECT 1 FROM sqlite_master WHERE name = '_uplink_contested'") != nil else { return [] }
        let fields = try connection.rows("SELECT field FROM _uplink_contested WHERE tbl = ?1 AND id = ?2",
                                         [.text(table), .text(id)]).map { try $0.text(0) }
        try connection.run("DELETE FROM _uplink_contested WHERE tbl = ?1 AND id = ?2", [.text(table), .text(id)])
        return fields
    }

    /// Records a `leave` for the downlink, on an uplink's replica only (a village node's pull writes nothing more).
    func noteLeave(table: String, id: String, hseq: Int64) throws {
        guard try meta(Self.uplinkKey) == "1" else { return }
        // A resync's new file copies meta, not this table: made again here when missing.
        try connection.execute(Self.leftTableSQL)
        try connection.run("INSERT INTO _uplink_left (tbl, id, hseq) VALUES (?1, ?2, ?3)", [.text(table), .text(id), .integer(hseq)])
    }
}
