import HamletCore

/// One page of hub outcomes for a village.
public struct PullPage: Sendable {
    public var items: [PullItem]
    /// The cursor to store with this page.
    public var cursor: Int64
    /// The hub's head when the page was read.
    public var head: Int64
    /// True when the cursor reached the head.
    public var done: Bool
}

extension HubStore {
    /// The rows of `village` changed after `cursor`, each sent whole with its
    /// current state, and the rows that left it as `leave`, in `hseq` order.
    /// Read it inside a read transaction for a consistent page.
    public func pull(village: String, after cursor: Int64, limit: Int) throws -> PullPage {
        try connection.transaction(.deferred) {
            let head = try head()
            let args: [Value] = [.text(village), .integer(cursor), .integer(Int64(limit + 1))]
            var sources = try schema.tables.map { try tableSource($0, sql: pullSelect($0), args: args, cap: limit + 1) }
            let departures = try connection.statement(
                "SELECT hseq, tbl, id FROM departures WHERE village = ?1 AND hseq > ?2 ORDER BY hseq LIMIT ?3")
            try departures.bind(args)
            sources.append(PullSource(statement: departures, hseqColumn: 0, cap: limit + 1) { s in
                let r = s.row()
                return .leave(table: try r.text(1), id: try r.text(2), hseq: try r.int(0))
            })
            // Whole hseq groups: never split the rows one change touched across pages (HubStore+PullMerge.swift).
            return try mergedPage(&sources, eager: [], cursor: cursor, head: head, limit: limit)
        }
    }

    /// The statement reading a village's rows of `t` changed after a cursor, built once per table.
    func pullSelect(_ t: TableSchema) -> String { sql(t).pullSelect }

    /// A snapshot page of every row of `village` with id after `afterID`, in
    /// `(table order, id)` order, for resync. Read inside one read transaction
    /// across pages for a consistent snapshot.
    public func snapshot(village: String, table: TableSchema, afterID: String, limit: Int) throws -> [RowState] {
        try connection.rows("""
            SELECT \(SchemaSQL.columns(table, extra: HubStore.rowMeta)) FROM \(SchemaSQL.quote(table.name))
            WHERE \(SchemaSQL.quote(schema.scope)) = ?1 AND id > ?2 ORDER BY id LIMIT ?3
            """, [.text(village), .text(afterID), .integer(Int64(limit))]).map { try decodeRowState(table, $0) }
    }

    /// The digest of the village's rows, comparable with `Replica.digest()`.
    public func fullDigest(village: String) throws -> ScopeDigest {
        try connection.transaction(.deferred) {
            var b = DigestBuilder(schema: schema)
            for t in schema.tables {
                let s = try connection.statement("""
                    SELECT \(SchemaSQL.columns(t, extra: HubStore.rowMeta)) FROM \(SchemaSQL.quote(t.name))
                    WHERE \(SchemaSQL.quote(schema.scope)) = ?1
                    """)
                try s.bind([.text(village)])
                while try s.step() { b.add(try decodeRowState(t, s.row())) }
            }
            return b.finish()
        }
    }
}
