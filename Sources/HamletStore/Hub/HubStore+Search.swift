import HamletCore

/// What a search found: the rows of each searchable table, at most the limit in all, and how many matched.
public struct SearchResults: Sendable {
    /// The rows shown, table by table in schema order (people before households when the schema lists them so);
    /// live rows first, then names in pinyin order.
    public var rows: [HubRow]
    /// How many rows matched in all (more than `rows.count` when the limit cut).
    public var total: Int

    /// Whether the limit cut the list.
    public var isTruncated: Bool { total > rows.count }
}

/// The operator page's search (`/search?q=`): people by name, 身份证号 or address, households by address.
///
/// A table is searched when it has a title (``RowLabeler/titleField``: 姓名, 地址). Text matches inside the title
/// and the table's other personal text fields (现住址), and inside the title of a referenced table whose title is
/// not a name (a person's 户 by its address); SQLite's `instr` compares whole characters, so Chinese matches
/// character by character. Digits match the end of the 身份证号; 18 characters the whole of it.
///
/// The query is personal data: it is bound as an SQL argument, never logged, never stored.
extension HubStore {
    /// Rows matching a search, every state (deleted and merged-away rows too: their history is what the operator
    /// may be looking for), live rows first.
    ///
    /// - Parameters:
    ///   - search: The classified query.
    ///   - limit: The most rows returned in all.
    /// - Returns: The rows and the number that matched.
    /// - Throws: `StoreError` when a read fails.
    public func search(_ search: RecordSearch, limit: Int) throws -> SearchResults {
        var out = SearchResults(rows: [], total: 0)
        for t in schema.tables {
            guard let (condition, args) = searchCondition(t, search) else { continue }
            let q = SchemaSQL.quote(t.name)
            let count = try connection.scalar("SELECT count(*) FROM \(q) WHERE \(condition)", args).integer ?? 0
            guard count > 0 else { continue }
            out.total += Int(count)
            let room = limit - out.rows.count
            guard room > 0 else { continue }
            if !connection.isReadOnly { try fillSortKeys(t) }
            let rows = try connection.rows("""
                SELECT \(SchemaSQL.columns(t, extra: HubStore.rowMeta)) FROM \(q) WHERE \(condition)
                ORDER BY _deleted, _merged_into IS NOT NULL, _sort IS NULL, _sort, id LIMIT \(room)
                """, args)
            out.rows += try rows.map { try decodeRow(t, $0) }
        }
        return out
    }

    /// The WHERE clause and its arguments for one table, or nil when the table is not searched this way.
    func searchCondition(_ t: TableSchema, _ search: RecordSearch) -> (String, [Value])? {
        let labeler = RowLabeler(table: t, scope: schema.scope)
        guard let title = labeler.titleField else { return nil }
        let idColumn = labeler.nationalIDField.map { SchemaSQL.quote($0.name) }
        switch search.kind {
        case .nationalID(let id):
            guard let idColumn else { return nil }
            return ("upper(\(idColumn)) = ?1", [.text(id)])
        case .idSuffix(let digits):
            guard let idColumn else { return nil }
            return ("upper(substr(\(idColumn), -\(digits.count))) = ?1", [.text(digits)])
        case .labeled(let name, let suffix):
            guard let idColumn, labeler.titleIsName else { return nil }
            return ("instr(\(SchemaSQL.quote(title.name)), ?1) > 0 AND upper(substr(\(idColumn), -\(suffix.count))) = ?2",
                    [.text(name), .text(suffix)])
        case .text(let text):
            var clauses = t.fields.filter { $0.type == .text && $0.name != schema.scope && ($0.name == title.name || $0.personal) }
                .map { "instr(lower(\(SchemaSQL.quote($0.name))), lower(?1)) > 0" }
            for f in t.referenceFields {
                guard let target = f.references.flatMap(schema.table(named:)) else { continue }
                let targetLabeler = RowLabeler(table: target, scope: schema.scope)
                guard let targetTitle = targetLabeler.titleField, !targetLabeler.titleIsName else { continue }
                clauses.append("\(SchemaSQL.quote(f.name)) IN (SELECT id FROM \(SchemaSQL.quote(target.name)) "
                               + "WHERE instr(lower(\(SchemaSQL.quote(targetTitle.name))), lower(?1)) > 0)")
            }
            return ("(" + clauses.joined(separator: " OR ") + ")", [.text(text)])
        }
    }
}
