import HamletCore

/// The readers by scope (issue 18): a village scope reads exactly as before (`pull(village:)` and friends); a
/// township scope reads the union of its villages. A row moving between two villages of one township is no
/// `leave` for the township: it arrives whole at its new `hseq`.
extension HubStore {
    /// One pull page for a scope. See `pull(village:after:limit:)`.
    /// - Throws: `StoreError`.
    public func pull(scope: NodeScope, after cursor: Int64, limit: Int) throws -> PullPage {
        guard case .township(_, let villages) = scope else { return try pull(village: scope.villages[0], after: cursor, limit: limit) }
        return try connection.transaction(.deferred) {
            let head = try head()
            guard !villages.isEmpty else { return PullPage(items: [], cursor: max(cursor, head), head: head, done: true) }
            let inList = Self.inList(villages.count, from: 3)
            let args = [.integer(cursor), .integer(Int64(limit + 1))] + villages.map { Value.text($0) }
            var sources = try schema.tables.map { t in
                try tableSource(t, sql: """
                    SELECT \(SchemaSQL.columns(t, extra: HubStore.rowMeta)) FROM \(SchemaSQL.quote(t.name))
                    WHERE \(SchemaSQL.quote(schema.scope)) IN \(inList) AND _hseq > ?1 ORDER BY _hseq LIMIT ?2
                    """, args: args, cap: limit + 1)
            }
            let inside = Set(villages)
            let departures = try connection.statement(
                "SELECT hseq, tbl, id FROM departures WHERE village IN \(inList) AND hseq > ?1 ORDER BY hseq LIMIT ?2")
            try departures.bind(args)
            sources.append(PullSource(statement: departures, hseqColumn: 0, cap: limit + 1) { [unowned self] s in
                let r = s.row()
                let table = try r.text(1), id = try r.text(2)
                // Still inside the township: it is sent whole at its later hseq, not as a leave.
                if let t = schema.table(named: table), let now = try row(t, id: id)?.scope(schema), inside.contains(now) { return nil }
                return .leave(table: table, id: id, hseq: try r.int(0))
            })
            return try mergedPage(&sources, eager: [sources.count - 1], cursor: cursor, head: head, limit: limit)
        }
    }

    /// Whole `hseq` groups up to `limit` items (never the rows one change touched split across pages): the page
    /// of a village's pull and of a township's.
    static func page(_ all: [(Int64, PullItem)], cursor: Int64, head: Int64, limit: Int) -> PullPage {
        let candidates = all.sorted { $0.0 < $1.0 }
        var items: [PullItem] = []
        var last = cursor
        var i = 0
        while i < candidates.count {
            let h = candidates[i].0
            var j = i
            while j < candidates.count && candidates[j].0 == h { j += 1 }
            if items.count >= limit && !items.isEmpty { break }
            items += candidates[i..<j].map(\.1)
            last = h
            i = j
        }
        let done = i >= candidates.count
        return PullPage(items: items, cursor: done ? max(last, head) : last, head: head, done: done)
    }

    /// A snapshot page of a scope's rows, in id order. See `snapshot(village:table:afterID:limit:)`.
    /// - Throws: `StoreError`.
    public func snapshot(scope: NodeScope, table: TableSchema, afterID: String, limit: Int) throws -> [RowState] {
        guard case .township(_, let villages) = scope else {
            return try snapshot(village: scope.villages[0], table: table, afterID: afterID, limit: limit)
        }
        guard !villages.isEmpty else { return [] }
        return try connection.rows("""
            SELECT \(SchemaSQL.columns(table, extra: HubStore.rowMeta)) FROM \(SchemaSQL.quote(table.name))
            WHERE \(SchemaSQL.quote(schema.scope)) IN \(Self.inList(villages.count, from: 3)) AND id > ?1 ORDER BY id LIMIT ?2
            """, [.text(afterID), .integer(Int64(limit))] + villages.map { .text($0) }).map { try decodeRowState(table, $0) }
    }

    /// The maintained digest of a scope: a township's is the union of its villages'.
    /// - Throws: `StoreError`.
    public func digest(scope: NodeScope) throws -> ScopeDigest {
        guard case .township(_, let villages) = scope else { return try digest(village: scope.villages[0]) }
        return ScopeDigest.union(try villages.map { try digest(village: $0) }, schema: schema)
    }

    /// Rows of a scope changed after `cursor`. See `waiting(village:after:)`.
    /// - Throws: `StoreError`.
    public func waiting(scope: NodeScope, after cursor: Int64) throws -> Int {
        try scope.villages.reduce(0) { $0 + (try waiting(village: $1, after: cursor)) }
    }

    /// `(?3, ?4, …)`: `count` placeholders numbered from `from`.
    static func inList(_ count: Int, from: Int) -> String {
        "(" + (0..<count).map { "?\(from + $0)" }.joined(separator: ", ") + ")"
    }
}
