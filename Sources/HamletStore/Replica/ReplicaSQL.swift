import HamletCore

/// The replica's per-table statements, built once when the replica opens (its schema is fixed for its life) instead of
/// once per row: a pull writes every row through the same upsert, and building that text (and hashing a fresh copy for
/// the statement cache) cost about 5% of a pull.
struct ReplicaSQL {
    /// The statements of one register table.
    struct Table {
        /// `INSERT OR REPLACE` of the visible row, every column (`SchemaSQL.upsert`).
        let upsert: String
        /// `DELETE` of the visible row by id.
        let delete: String
    }

    private let tables: [String: Table]

    init(schema: Schema) {
        var tables: [String: Table] = [:]
        for t in schema.tables {
            tables[t.name] = Table(upsert: SchemaSQL.upsert(t), delete: "DELETE FROM \(SchemaSQL.quote(t.name)) WHERE id = ?1")
        }
        self.tables = tables
    }

    /// The statements of `t` (built on the spot for a table outside the schema the replica opened with).
    func table(_ t: TableSchema) -> Table {
        tables[t.name] ?? Table(upsert: SchemaSQL.upsert(t), delete: "DELETE FROM \(SchemaSQL.quote(t.name)) WHERE id = ?1")
    }
}
