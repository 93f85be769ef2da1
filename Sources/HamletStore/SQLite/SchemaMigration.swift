import HamletCore

/// Applies a `SchemaUpgrade` to a store's typed tables, inside the caller's transaction:
/// new tables created, new fields added as columns (`ALTER TABLE … ADD COLUMN`), tables
/// whose constraints changed rebuilt with every row kept. Bookkeeping columns (`extra`,
/// the hub's packed versions and flags) are carried over as they are.
enum SchemaMigration {
    /// - Parameters:
    ///   - extra: the store's bookkeeping column definitions for every typed table.
    ///   - indexes: the indexes each typed table carries in this store.
    /// - Throws: `StoreError`; the caller's transaction rolls back then.
    static func apply(_ plan: SchemaUpgrade, from old: Schema, to new: Schema, on c: Connection, extra: [String],
                      indexes: (TableSchema) -> [String]) throws {
        for t in new.tables where plan.newTables.contains(t.name) {
            try c.execute(SchemaSQL.createTable(t, extra: extra))
        }
        for t in new.tables where !plan.rebuiltTables.contains(t.name) {
            for name in plan.newFields[t.name] ?? [] {
                guard let f = t.field(name) else { continue }
                try c.execute("ALTER TABLE \(SchemaSQL.quote(t.name)) ADD COLUMN \(SchemaSQL.column(f))")
            }
        }
        for t in new.tables where plan.rebuiltTables.contains(t.name) {
            guard let before = old.table(named: t.name) else { continue }
            try rebuild(t, keeping: before, on: c, extra: extra)
        }
        for t in new.tables {
            for sql in indexes(t) { try c.execute(sql) }
        }
    }

    /// Recreates a table under its new definition and copies every row (the columns the old one had).
    static func rebuild(_ t: TableSchema, keeping before: TableSchema, on c: Connection, extra: [String]) throws {
        let temp = "_rebuild_\(t.name)"
        try c.execute("DROP TABLE IF EXISTS \(SchemaSQL.quote(temp))")
        try c.execute(SchemaSQL.createTable(t, extra: extra, named: temp))
        let extraNames = extra.compactMap { $0.split(separator: " ").first.map(String.init) }
        let kept = (["id"] + before.fields.map { SchemaSQL.quote($0.name) } + extraNames).joined(separator: ", ")
        try c.execute("INSERT INTO \(SchemaSQL.quote(temp)) (\(kept)) SELECT \(kept) FROM \(SchemaSQL.quote(t.name))")
        try c.execute("DROP TABLE \(SchemaSQL.quote(t.name))")
        try c.execute("ALTER TABLE \(SchemaSQL.quote(temp)) RENAME TO \(SchemaSQL.quote(t.name))")
    }

    /// The schema a store was made with: its recorded document, or version 1 for stores made
    /// before stores recorded it.
    /// - Throws: `StoreError.incompatible` when the recorded document does not decode.
    static func stored(on c: Connection) throws -> Schema {
        guard let doc = try c.meta("schema") else { return .registerV1 }
        do { return try Schema.decode(Array(doc.utf8)) } catch {
            throw StoreError(.incompatible, "the store's recorded schema does not decode: \(error)")
        }
    }

    /// The schema a store opens with: the one it recorded, unless this program ships a newer one,
    /// which the store is then upgraded to (in one transaction; never for a read-only open). A
    /// recorded schema newer than the program's is used as it is: the schema is data (a deployment's
    /// own, or the hub's adopted by a node), and every part of Hamlet reads it from the store.
    /// - Throws: `StoreError.incompatible` when the upgrade is not allowed.
    static func open(on c: Connection, shipped: Schema, readOnly: Bool, extra: [String],
                     indexes: (TableSchema) -> [String]) throws -> Schema {
        let stored = try stored(on: c)
        guard shipped.version > stored.version, !readOnly else { return stored }
        return try upgrade(on: c, from: stored, to: shipped, extra: extra, indexes: indexes)
    }

    /// Moves a store from `stored` to `target` in one transaction and records `target`.
    /// - Throws: `StoreError.incompatible` when `target` is not an allowed upgrade of `stored`.
    static func upgrade(on c: Connection, from stored: Schema, to target: Schema, extra: [String],
                        indexes: (TableSchema) -> [String]) throws -> Schema {
        let plan: SchemaUpgrade
        do { plan = try target.upgrade(from: stored) } catch {
            throw StoreError(.incompatible, "cannot upgrade the store's schema from version \(stored.version) to \(target.version): \(error.message)")
        }
        try c.transaction {
            try apply(plan, from: stored, to: target, on: c, extra: extra, indexes: indexes)
            try c.setMeta("schema", target.encoded())
            try c.setMeta("schema_version", String(target.version))
        }
        return target
    }
}

/// The schema a store file records, read without opening the store for work (the CLI builds its
/// commands from it before it parses its arguments).
public enum StoredSchema {
    /// - Returns: the recorded schema (version 1 for a store that records none).
    /// - Throws: `StoreError` when the file cannot be read or its schema does not decode.
    public static func read(path: String) throws -> Schema {
        var o = Connection.Options()
        o.readOnly = true
        o.create = false
        let c = try Connection(path: path, options: o)
        defer { c.close() }
        return try SchemaMigration.stored(on: c)
    }
}
