import HamletCore

/// One row the county changed, as the upstream replica last pulled it, for the downlink (issue 18).
public struct CountyRow: Sendable {
    public var key: RowKey
    public var row: TierRow
    /// The county `hseq` that last touched it.
    public var hseq: Int64
}

/// The upstream replica of a township hub's uplink (issue 18): an ordinary node replica whose scope is the
/// township's villages. Its local writes stand for what the township accepted; they skip the clerk's checks
/// (the township hub judged them already) and carry the export mark in the same transaction.
extension Replica {
    /// Meta key: the township `hseq` up to which changes were handed to this replica.
    public static let exportMarkKey = "uplink_export_mark"
    /// Meta key: the county cursor up to which pulled rows were written into the township hub.
    public static let downlinkMarkKey = "uplink_downlink_mark"

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
    /// before the commit leaves neither, after it both.
    /// - Parameters:
    ///   - writes: The changes, in the township's order.
    ///   - mark: The township `hseq` they cover.
    ///   - authors: Who made each row's latest change in the township (the node id, or the operator's name).
    ///   - wallMillis: The wall clock.
    /// - Throws: `StoreError`; nothing is written then.
    public func recordExport(_ writes: [UplinkWrite], mark: Int64, authors: [RowKey: String], wallMillis: Int64) throws {
        try connection.transaction {
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
                    let (bases, rowBase) = fresh ? (values.mapValues { _ in Int64(0) }, Int64(0))
                                                 : try basesFor(t, id: id, fields: Array(values.keys), info: info)
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
            let from = try downlinkMark()
            var out: [CountyRow] = []
            var mark = info.cursor
            for r in try connection.rows("""
                SELECT tbl, id, vals, deleted, merged_into, hseq, gone FROM _shadow WHERE hseq > ?1 AND hseq <= ?2
                ORDER BY hseq, tbl, id
                """, [.integer(from), .integer(info.cursor)]) {
                let table = try r.text(0), id = try r.text(1), hseq = try r.int(5)
                let full = out.count >= limit && out.last.map { $0.hseq != hseq } == true
                let waiting = try !outstanding(table: table, id: id, cursor: info.cursor, node: info.node).isEmpty
                if full || waiting {
                    mark = hseq - 1
                    break
                }
                // A row that left the township (moved to another's village) stays as it is below.
                if try r.int(6) != 0 { continue }
                out.append(CountyRow(key: RowKey(table, id),
                                     row: TierRow(values: try JSONText.decode(Fields.self, try r.text(2)), deleted: try r.int(3) != 0,
                                                  mergedInto: r.optionalText(4)), hseq: hseq))
            }
            // Rows of one hseq are taken whole or not at all.
            out.removeAll { $0.hseq > mark }
            return (out, max(from, mark))
        }
    }

    /// Stores the downlink mark.
    /// - Throws: `StoreError`.
    public func setDownlinkMark(_ mark: Int64) throws {
        try connection.transaction { try setMeta(Self.downlinkMarkKey, String(mark)) }
    }

    /// The pulled rows' `hseq` index the downlink reads by (made once, on the uplink's replica only).
    /// - Throws: `StoreError`.
    public func ensureUplinkIndex() throws {
        try connection.execute("CREATE INDEX IF NOT EXISTS _shadow_hseq ON _shadow (hseq)")
    }
}
