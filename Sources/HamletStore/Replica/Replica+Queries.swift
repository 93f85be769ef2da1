import HamletCore

/// Counts for `hamlet status`.
public struct ReplicaStatus: Sendable, Codable {
    public var node: String
    public var village: String
    public var hub: String?
    public var pending: Int
    public var accepted: Int
    /// Changes with a conflict still open at the hub (as last asked).
    public var conflicted: Int
    /// Changes whose every conflict the hub has closed (resolved, merged, dismissed, moot, superseded).
    public var settled: Int
    public var rejected: Int
    public var cursor: Int64
    public var rows: [String: Int]
    public var lastSyncAt: Int64?
    public var lastSyncResult: String?
    public var verify: String?
    /// People of the village who arrived by a move and are not received yet (待接收).
    public var awaiting: Int = 0
}

/// One row with what `hamlet show` prints: values, hub versions, outstanding edits.
public struct RowDetail: Sendable {
    public var table: TableSchema
    public var id: String
    public var values: Fields
    public var versions: [String: Int64]
    public var outstanding: [ChangeRecord]
    public var rejected: [ChangeRecord]
}

/// One page of a list: the rows shown and how many matched.
public struct ListPage: Sendable {
    /// The rows shown, in list order: (id, fields).
    public var rows: [(String, Fields)]
    /// How many rows matched before the limit.
    public var total: Int
    /// Whether the limit cut rows off.
    public var isTruncated: Bool { rows.count < total }
}

extension Replica {
    /// Live rows of a table, filtered by exact field values; see ``list(table:where:limit:)``.
    /// - Throws: `ReplicaError.unknownField` for a filter on an unknown field.
    public func list(table name: String, filters: [(String, Value)] = [], limit: Int = 10_000) throws -> [(String, Fields)] {
        try list(table: name, where: filters.map { RowFilter(field: $0.0, op: .equals, value: $0.1) }, limit: limit).rows
    }

    /// Live rows of a table that pass every filter, sorted, then cut to `limit`:
    /// names in pinyin order (surnames read as surnames, ü after u), else id
    /// (creation) order. Sorting comes first, so the rows shown are the first
    /// of the whole list, and ``ListPage/total`` says how many there were.
    ///
    /// - Parameters:
    ///   - name: The table, plural or singular.
    ///   - filters: Conditions on fields (or `id`); `=` with a null value finds empty fields.
    ///   - limit: The most rows to return.
    /// - Returns: The rows and the count before the cut.
    /// - Throws: `ReplicaError.unknownField` for a filter on an unknown field; `StoreError`.
    public func list(table name: String, where filters: [RowFilter], limit: Int) throws -> ListPage {
        let t = try table(name)
        var clauses: [String] = []
        var args: [Value] = []
        for filter in filters {
            guard t.field(filter.field) != nil || filter.field == "id" else {
                throw ReplicaError(.unknownField, "\(t.name) has no field \(filter.field)", zh: Replica.noFieldZH(t, filter.field))
            }
            args.append(filter.value)
            let column = SchemaSQL.quote(filter.field)
            let p = "?\(args.count)"
            switch filter.op {
            case .equals: clauses.append("\(column) IS \(p)")
            case .less: clauses.append("\(column) < \(p)")
            case .lessOrEqual: clauses.append("\(column) <= \(p)")
            case .greater: clauses.append("\(column) > \(p)")
            case .greaterOrEqual: clauses.append("\(column) >= \(p)")
            case .prefix: clauses.append("substr(\(column), 1, length(\(p))) = \(p)")
            }
        }
        let whereSQL = clauses.isEmpty ? "" : " WHERE " + clauses.joined(separator: " AND ")
        let rows = try connection.rows(
            "SELECT \(SchemaSQL.columns(t)) FROM \(SchemaSQL.quote(t.name))\(whereSQL) ORDER BY id", args)
        var out = try rows.map { r in
            var f: Fields = [:]
            for (i, field) in t.fields.enumerated() where !r[i + 1].isNull { f[field.name] = r[i + 1] }
            return (try r.text(0), f)
        }
        // Names in pinyin order, as at the hub; rows without a name keep id (creation) order.
        if let sortField = t.fields.first(where: { $0.sort == "pinyin" })?.name {
            var keys = SortKeyCache()
            let keyed = out.map { ($0, $0.1[sortField]?.text.map { keys.key($0) } ?? "") }
            out = keyed.sorted { $0.1 == $1.1 ? $0.0.0 < $1.0.0 : $0.1 < $1.1 }.map(\.0)
        }
        let total = out.count
        return ListPage(rows: Array(out.prefix(max(0, limit))), total: total)
    }

    /// Every field of one row, its hub version and the local edits not yet taken in.
    /// - Throws: `ReplicaError.notFound`.
    public func detail(table name: String, id: String) throws -> RowDetail {
        let t = try table(name)
        let info = try self.info()
        let visible = try visibleRow(t, id: id)
        let s = try shadow(table: t.name, id: id)
        guard visible != nil || s != nil else { throw ReplicaError(.notFound, "no \(t.singular) \(id) in this replica", zh: "本节点没有编号为 \(id) 的\(t.label.zh)记录") }
        let pending = try outstanding(table: t.name, id: id, cursor: info.cursor, node: info.node)
        let rejected = try connection.rows(
            "SELECT \(Replica.changeColumns) FROM _changes WHERE tbl = ?1 AND row_id = ?2 AND state = 'rejected' ORDER BY seq",
            [.text(t.name), .text(id)]).map { try decodeChange($0, node: info.node) }
        return RowDetail(table: t, id: id, values: visible ?? [:], versions: s?.versions ?? [:],
                         outstanding: pending, rejected: rejected)
    }

    /// Pending / accepted / conflicted (still open) / settled / rejected counts and the last sync.
    public func status() throws -> ReplicaStatus {
        let info = try self.info()
        var counts: [String: Int] = [:]
        for r in try connection.rows("SELECT state, count(*) FROM _changes GROUP BY state") {
            counts[try r.text(0)] = Int(try r.int(1))
        }
        var rows: [String: Int] = [:]
        for t in schema.tables {
            rows[t.name] = Int(try connection.scalar("SELECT count(*) FROM \(SchemaSQL.quote(t.name))").integer ?? 0)
        }
        let conflicts = try conflictCounts()
        return ReplicaStatus(node: info.node, village: info.village, hub: info.hub, pending: counts["pending"] ?? 0,
                             accepted: counts["accepted"] ?? 0, conflicted: conflicts.open, settled: conflicts.settled,
                             rejected: counts["rejected"] ?? 0, cursor: info.cursor, rows: rows,
                             lastSyncAt: info.lastSyncAt, lastSyncResult: info.lastSyncResult, verify: info.verify,
                             awaiting: try arrivals().count)
    }

    /// The change log, newest last; `pendingOnly` keeps changes not yet acknowledged.
    public func log(pendingOnly: Bool, limit: Int = 1_000_000) throws -> [ChangeRecord] {
        let node = try info().node
        let filter = pendingOnly ? "WHERE state = 'pending'" : ""
        return try connection.rows("SELECT \(Replica.changeColumns) FROM _changes \(filter) ORDER BY seq LIMIT ?1",
                                   [.integer(Int64(limit))]).map { try decodeChange($0, node: node) }
    }
}
