import HamletCore

/// The SQL the hub's hot paths run on one typed table, each statement built on first use and kept
/// (`HubStore.sql(_:)`): the reconcile reads and writes a row per change, the pull a page per request, so none of
/// this text is rebuilt (or re-hashed from scratch by the connection's statement cache) per row.
final class HubTableSQL {
    let table: TableSchema
    let scope: String

    init(_ table: TableSchema, scope: String) {
        self.table = table
        self.scope = scope
    }

    private var columns: String { SchemaSQL.columns(table, extra: HubStore.rowMeta) }
    private var name: String { SchemaSQL.quote(table.name) }

    /// One whole row by id.
    lazy var rowSelect = "SELECT \(columns) FROM \(name) WHERE id = ?1"
    /// Up to `HubStore.prefetchChunk` whole rows by id (`HubStore+BatchRows.swift`).
    lazy var prefetchSelect =
        "SELECT \(columns) FROM \(name) WHERE id IN (\((1...HubStore.prefetchChunk).map { "?\($0)" }.joined(separator: ",")))"
    /// A village's rows changed after a cursor, in `hseq` order, at most `?3`.
    lazy var pullSelect = "SELECT \(columns) FROM \(name) WHERE \(SchemaSQL.quote(scope)) = ?1 AND _hseq > ?2 ORDER BY _hseq LIMIT ?3"
    /// Insert or update of a whole row (`HubStore.upsertSQL`).
    lazy var upsert = HubStore.upsertSQL(table)
    /// A referenced row's state: tombstone, merge pointer, birth date (NULL where the table has none).
    lazy var referenceSelect =
        "SELECT _deleted, _merged_into, \(table.field("birth_date") != nil ? "birth_date" : "NULL") FROM \(name) WHERE id = ?1"

    private var updates: [UInt64: String] = [:]
    private var holders: [String: String] = [:]

    /// `UPDATE` of the fields in `mask` and the bookkeeping columns (`HubStore.updateSQL`).
    func update(_ mask: UInt64) -> String {
        if let sql = updates[mask] { return sql }
        let sql = HubStore.updateSQL(table, fields: mask)
        updates[mask] = sql
        return sql
    }

    /// Live rows holding a value of the unique field `field`, in id order; nil when the field is not unique.
    func holders(_ field: String) -> String? {
        if let sql = holders[field] { return sql }
        guard table.field(field)?.unique == true else { return nil }
        let sql = "SELECT id FROM \(name) WHERE \(SchemaSQL.quote(field)) = ?1 AND _deleted = 0 ORDER BY id"
        holders[field] = sql
        return sql
    }
}

extension HubStore {
    /// The statements of table `t`, built once.
    func sql(_ t: TableSchema) -> HubTableSQL {
        if let s = tableSQL[t.name] { return s }
        let s = HubTableSQL(t, scope: schema.scope)
        tableSQL[t.name] = s
        return s
    }

    /// The statements of the table named `name` (or its singular), nil when the schema has none.
    func sql(named name: String) -> HubTableSQL? {
        if let s = tableSQL[name] { return s }
        guard let t = schema.table(named: name) else { return nil }
        let s = sql(t)
        tableSQL[name] = s
        return s
    }
}
