import HamletCore

extension HubStore {
    /// Loads a row with its versions and flags.
    public func row(_ t: TableSchema, id: String) throws -> HubRow? {
        if rowsCached, let cached = batchRows[RowKey(t.name, id)] { return cached }
        guard let r = try connection.row(rowSelect(t), [.text(id)]) else { return nil }
        return try decodeRow(t, r)
    }

    /// The statement reading one whole row by id, built once per table.
    func rowSelect(_ t: TableSchema) -> String { sql(t).rowSelect }

    /// A row read by `rowSelect`'s columns, kept by its table's layout (the columns are the fields in order).
    func decodeRow(_ t: TableSchema, _ r: Row) throws -> HubRow {
        let n = t.fields.count + 1
        let (versions, extra) = VersionCodec.decode(try r.text(n), layout: t.layout)
        return HubRow(t, id: try r.text(0), cells: Array(r.values[1..<n]), versions: versions, extraVersions: extra,
                      deleted: try r.int(n + 1) != 0, deletion: VersionCodec.decodeOne(r.optionalText(n + 2)),
                      mergedInto: r.optionalText(n + 3), hseq: try r.int(n + 4))
    }

    /// The wire form of a stored row, reading only the versions' `hseq`s.
    func decodeRowState(_ t: TableSchema, _ r: Row) throws -> RowState {
        var values: Fields = [:]
        for (i, f) in t.fields.enumerated() where !r[i + 1].isNull { values[f.name] = r[i + 1] }
        let n = t.fields.count + 1
        return RowState(table: t.name, id: try r.text(0), values: values, versions: VersionCodec.hseqs(try r.text(n)),
                        deleted: try r.int(n + 1) != 0, mergedInto: r.optionalText(n + 3), hseq: try r.int(n + 4))
    }

    /// A row as stored, as the digest and the pull see it (lighter than `row(_:id:)`: versions as hseqs only).
    func storedState(_ t: TableSchema, id: String) throws -> RowState? {
        guard let r = try connection.row(rowSelect(t), [.text(id)]) else { return nil }
        return try decodeRowState(t, r)
    }

    /// Writes a row's full state.
    func writeRow(_ t: TableSchema, _ row: HubRow) throws {
        // The row as stored (read here, not trusted from the caller): its hash leaves its village's digest.
        try writeRow(t, row, oldState: try storedState(t, id: row.id))
    }

    /// Writes a row's full state over `stored`, the row as this transaction read it from the store (nil: absent),
    /// sparing the read `writeRow(_:_:)` makes. Only for a row read in this transaction and not written since.
    func writeRow(_ t: TableSchema, _ row: HubRow, replacing stored: HubRow?) throws {
        precondition(stored.map { $0.id == row.id && $0.table == t.name } ?? true, "replacing another row")
        try updateDigest(t, old: stored, new: row)
        if let stored { try update(t, row, over: stored) } else { try store(t, row) }
        noteWritten(t, row)
    }

    /// Writes `row` over `stored` (the same row as stored now), setting only the fields whose value changed and the
    /// bookkeeping columns: SQLite then rewrites only the indexes of changed fields (and the pull's `_hseq` index),
    /// where the upsert rewrote every index of the table. The statement is built once per table and set of fields.
    private func update(_ t: TableSchema, _ row: HubRow, over stored: HubRow) throws {
        let row = row.adopting(t.layout), stored = stored.adopting(t.layout)
        var mask: UInt64 = 0
        var args: [Value] = [.text(row.id)]
        for i in t.fields.indices {
            let new = row.cells[i]
            guard new != stored.cells[i] else { continue }
            guard i < 64 else { return try store(t, row) }
            mask |= 1 << UInt64(i)
            args.append(new)
        }
        args += bookkeeping(t, row)
        try connection.run(sql(t).update(mask), args)
    }

    /// The values of `rowMeta`'s columns for `row`, in that order.
    private func bookkeeping(_ t: TableSchema, _ row: HubRow) -> [Value] {
        [.text(VersionCodec.encode(row.adopting(t.layout))), .integer(row.deleted ? 1 : 0),
         VersionCodec.encode(row.deletion), row.mergedInto.map { .text($0) } ?? .null, .integer(row.hseq)]
    }

    /// `UPDATE` of the fields in `mask` (bit i: the table's field i) and the bookkeeping columns, by id (`?1`).
    /// A changed pinyin-sorted field clears the row's sort key, as the upsert does.
    static func updateSQL(_ t: TableSchema, fields mask: UInt64) -> String {
        var sets: [String] = []
        for (i, f) in t.fields.enumerated() where i < 64 && mask & (1 << UInt64(i)) != 0 {
            sets.append("\(SchemaSQL.quote(f.name)) = ?\(sets.count + 2)")
        }
        for name in HubStore.rowMeta { sets.append("\(name) = ?\(sets.count + 2)") }
        if let i = t.fields.firstIndex(where: { $0.sort == "pinyin" }), i < 64, mask & (1 << UInt64(i)) != 0 {
            sets.append("\"_sort\" = NULL")
        }
        return "UPDATE \(SchemaSQL.quote(t.name)) SET \(sets.joined(separator: ", ")) WHERE id = ?1"
    }

    private func writeRow(_ t: TableSchema, _ row: HubRow, oldState: RowState?) throws {
        try updateDigest(t, old: oldState, new: row)
        try store(t, row)
        noteWritten(t, row)
    }

    /// The row's upsert alone; its digest is the caller's.
    private func store(_ t: TableSchema, _ row: HubRow) throws {
        let row = row.adopting(t.layout)
        var args: [Value] = [.text(row.id)]
        args += row.cells
        args += bookkeeping(t, row)
        try connection.run(sql(t).upsert, args)
    }

    /// Insert or update of a whole row. The pinyin sort key is kept while the name
    /// stays the same and cleared when it changes; `fillSortKeys` computes missing
    /// keys in bulk before a sorted read (the ICU transform costs ~25 µs a name,
    /// too much for the reconcile path).
    static func upsertSQL(_ t: TableSchema) -> String {
        let names = ["id"] + t.fields.map { SchemaSQL.quote($0.name) } + HubStore.rowMeta
        let params = (1...names.count).map { "?\($0)" }.joined(separator: ",")
        var sets = names.dropFirst().map { "\($0) = excluded.\($0)" }
        if let f = t.fields.first(where: { $0.sort == "pinyin" }) {
            let n = SchemaSQL.quote(f.name)
            sets.append("\"_sort\" = CASE WHEN excluded.\(n) IS \(n) THEN \"_sort\" ELSE NULL END")
        }
        return "INSERT INTO \(SchemaSQL.quote(t.name)) (\(names.joined(separator: ","))) VALUES (\(params)) "
            + "ON CONFLICT(id) DO UPDATE SET " + sets.joined(separator: ", ")
    }

    /// Computes the missing pinyin sort keys of a table (rows written since the last sorted read).
    func fillSortKeys(_ t: TableSchema) throws {
        guard let f = t.fields.first(where: { $0.sort == "pinyin" }) else { return }
        let n = SchemaSQL.quote(f.name)
        let q = SchemaSQL.quote(t.name)
        try dropStaleSortKeys(t)
        // Through the table once by id (a rescan from the start for each batch made the fill quadratic).
        var after = ""
        while true {
            let missing = try connection.rows(
                "SELECT id, \(n) FROM \(q) WHERE id > ?1 AND \"_sort\" IS NULL AND \(n) IS NOT NULL ORDER BY id LIMIT 2000", [.text(after)])
            guard let last = missing.last else { return }
            after = try last.text(0)
            try connection.transaction {
                for r in missing {
                    try connection.run("UPDATE \(q) SET \"_sort\" = ?2 WHERE id = ?1", [r[0], .text(sortKeys.key(try r.text(1)))])
                }
            }
        }
    }

    /// The wire form of a row.
    public func rowState(_ row: HubRow) -> RowState {
        RowState(table: row.table, id: row.id, values: row.values, versions: row.versions.mapValues(\.hseq),
                 deleted: row.deleted, mergedInto: row.mergedInto, hseq: row.hseq)
    }

    /// The state of a referenced row, for the merge and the operator's checks.
    /// - Throws: `StoreError`.
    func referenceState(_ table: String, _ id: String) throws -> ReferenceState? {
        if rowsCached, let t = schema.table(named: table), let cached = batchRows[RowKey(t.name, id)] {
            // The batch's copy of the row (HubStore+BatchRows.swift) says what the read below would.
            guard let row = cached else { return nil }
            if let m = row.mergedInto { return .merged(into: m) }
            let birth = row.value("birth_date")?.text
            return row.deleted ? .deleted(birthDate: birth) : .live(birthDate: birth)
        }
        guard let select = sql(named: table)?.referenceSelect, let r = try connection.row(select, [.text(id)]) else { return nil }
        if let m = r.optionalText(1) { return .merged(into: m) }
        return try r.int(0) != 0 ? .deleted(birthDate: r.optionalText(2)) : .live(birthDate: r.optionalText(2))
    }

    /// Live rows holding `value` in the unique field, in id order.
    /// - Throws: `StoreError`.
    func holders(_ table: String, _ field: String, _ value: Value) throws -> [String] {
        guard let select = sql(named: table)?.holders(field) else { return [] }
        return try connection.rows(select, [value]).map { try $0.text(0) }
    }

    /// Live rows that reference `(table, id)`, as `table:id`.
    /// - Throws: `StoreError`.
    func referrers(_ table: String, _ id: String, limit: Int = 50) throws -> [String] {
        var out: [String] = []
        for other in schema.tables {
            for f in other.referenceFields where f.references == table {
                let rows = try connection.rows(
                    "SELECT id FROM \(SchemaSQL.quote(other.name)) WHERE \(SchemaSQL.quote(f.name)) = ?1 AND _deleted = 0 LIMIT ?2",
                    [.text(id), .integer(Int64(limit))])
                out += try rows.map { "\(other.name):\(try $0.text(0))" }
            }
        }
        return out
    }
}

/// The merge's reads, answered from the hub store; every read throws (read → decide → apply).
struct MergeReader: MergeReads {
    let store: HubStore

    func reference(_ key: RowKey) throws -> ReferenceState? { try store.referenceState(key.table, key.id) }

    func row(_ key: RowKey) throws -> HubRow? {
        guard let t = store.schema.table(named: key.table) else { return nil }
        return try store.row(t, id: key.id)
    }

    func holders(_ key: UniqueValue) throws -> [String] { try store.holders(key.table, key.field, key.value) }

    func referrers(_ key: RowKey) throws -> [String] { try store.referrers(key.table, key.id) }

    func village(of key: RowKey, at hseq: Int64) throws -> String? { try store.village(of: key.table, key.id, at: hseq) }

    func value(of key: RowKey, field: String, setAt hseq: Int64) throws -> Value?? {
        try store.flushLog()
        guard let r = try store.connection.row("SELECT vals FROM log WHERE hseq = ?1 AND tbl = ?2 AND row_id = ?3",
                                               [.integer(hseq), .text(key.table), .text(key.id)]) else { return nil }
        return .some(try JSONText.decode(Fields.self, try r.text(0))[field])
    }
}
