import HamletCore

extension HubStore {
    /// Calls `body` with each row of a table in export order, read one at a time from a single statement, so an
    /// export of a million rows never holds them all: the streamed twin of `rows(table:village:includeDeleted:)`,
    /// with the same rows in the same order (by pinyin of the name where the table has one, else by id).
    ///
    /// Only the id and the schema's fields are read (no version records), which is all an export writes. The one
    /// statement reads one WAL snapshot, so rows committed meanwhile are not half-seen; on a read-only connection
    /// rows whose sort key is missing come after the others, as `rows` gives them (call `prepareExport(table:)`
    /// on a writable connection first to fill the keys).
    /// - Parameters:
    ///   - name: The table.
    ///   - village: One village only, or nil for all.
    ///   - includeDeleted: Whether tombstones are included.
    ///   - body: Called with each row's id and values; throwing stops the read and rethrows.
    /// - Throws: `OperatorError` `.notFound` for an unknown table, `StoreError` from SQLite, or what `body` throws.
    public func forEachExportRow(table name: String, village: String? = nil, includeDeleted: Bool = false,
                                 _ body: (_ id: String, _ values: Fields) throws -> Void) throws {
        guard let t = schema.table(named: name) else {
            throw OperatorError(code: .notFound, message: "no table \(name)", zh: "没有「\(name)」这个表")
        }
        try withExportSettings {
            if !connection.isReadOnly { try fillSortKeys(t) }
            try scan(t, village: village, includeDeleted: includeDeleted, body)
        }
    }

    /// Steps through the export's one statement, calling `body` with each row.
    private func scan(_ t: TableSchema, village: String?, includeDeleted: Bool,
                      _ body: (_ id: String, _ values: Fields) throws -> Void) throws {
        var clauses: [String] = []
        var args: [Value] = []
        if !includeDeleted { clauses.append("_deleted = 0") }
        if let village { args.append(.text(village)); clauses.append("\(SchemaSQL.quote(schema.scope)) = ?\(args.count)") }
        let w = clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND ")
        // The order of `rows(table:village:includeDeleted:)`, so both give the same bytes.
        let s = try connection.statement(
            "SELECT \(SchemaSQL.columns(t)) FROM \(SchemaSQL.quote(t.name)) \(w) ORDER BY _sort IS NULL, _sort, id")
        defer { s.reset() }  // ends the read snapshot even when `body` throws
        try s.bind(args)
        while try s.step() {
            guard let id = s.value(0).text else { throw StoreError(.corrupt, "column id is NULL where a value is required") }
            var values: Fields = [:]
            for (i, f) in t.fields.enumerated() {
                let v = s.value(i + 1)
                if !v.isNull { values[f.name] = v }
            }
            try body(id, values)
        }
    }

    /// The page cache an export scan uses, in KiB.
    static let exportCacheKiB = 8192

    /// Fills the table's missing pinyin sort keys, so that a later `forEachExportRow` on a read-only connection
    /// gives rows in the same order as this writable one would. Does nothing on a read-only connection.
    /// - Parameter name: The table.
    /// - Throws: `OperatorError` `.notFound` for an unknown table, `StoreError` from SQLite.
    public func prepareExport(table name: String) throws {
        guard let t = schema.table(named: name) else {
            throw OperatorError(code: .notFound, message: "no table \(name)", zh: "没有「\(name)」这个表")
        }
        try withExportSettings { if !connection.isReadOnly { try fillSortKeys(t) } }
    }

    /// Runs `body` with a small page cache and an ORDER BY sorter that spills to temporary files instead of
    /// memory: a scan of the whole table (the sort-key fill's, the export's) then takes flat memory however large
    /// the table is. The connection's own settings come back afterwards.
    private func withExportSettings(_ body: () throws -> Void) throws {
        try connection.execute("PRAGMA cache_size=-\(HubStore.exportCacheKiB); PRAGMA temp_store=FILE")
        defer { try? connection.execute("PRAGMA cache_size=-\(Connection.Options().cacheSizeKiB); PRAGMA temp_store=MEMORY") }
        try body()
    }
}
