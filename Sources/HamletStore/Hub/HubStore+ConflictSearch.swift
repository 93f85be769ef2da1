import HamletCore

/// The conflict list's search: conflicts about the rows the operator page's search finds (a person by name or
/// 身份证号, a household by address), about rows that reference such a person (her events, visits, benefits, the
/// household she heads), about a row by its id or the end of it, or one conflict by `#` and its number.
///
/// The query is personal data: bound as SQL arguments, never logged, never stored.
extension HubStore {
    /// The fewest characters of a row id matched as its end (the pages show the last 8).
    static let minimumRowIDSuffix = 6

    /// The condition selecting conflicts a search finds.
    ///
    /// - Parameters:
    ///   - search: The classified query.
    ///   - args: Empty on entry (the record search's conditions number their arguments from `?1`); the arguments.
    /// - Returns: A condition on the `conflicts` table.
    func conflictSearchClause(_ search: RecordSearch, args: inout [Value]) -> String {
        precondition(args.isEmpty, "the record search's conditions number their arguments from ?1")
        var tables: [(TableSchema, [String])] = []
        for t in schema.tables {
            var matches: [String] = []
            if let (condition, searchArgs) = searchCondition(t, search) {
                matches.append(condition)
                args = searchArgs  // the same for every table: the query's own parts
            }
            for f in t.referenceFields {
                guard let target = f.references.flatMap(schema.table(named:)), target.name != t.name,
                      RowLabeler(table: target, scope: schema.scope).titleIsName,
                      let (condition, searchArgs) = searchCondition(target, search) else { continue }
                matches.append("\(SchemaSQL.quote(f.name)) IN (SELECT id FROM \(SchemaSQL.quote(target.name)) WHERE \(condition))")
                args = searchArgs
            }
            if !matches.isEmpty { tables.append((t, matches)) }
        }
        var ors: [String] = []
        for (t, matches) in tables {
            args.append(.text(t.name))
            let ids = "SELECT id FROM \(SchemaSQL.quote(t.name)) WHERE \(matches.joined(separator: " OR "))"
            ors.append("(tbl = ?\(args.count) AND (row_id IN (\(ids)) OR other_row IN (\(ids))))")
        }
        let text = search.text.lowercased()
        if text.hasPrefix("#"), let number = Int64(text.dropFirst()) {
            args.append(.integer(number))
            ors.append("id = ?\(args.count)")
        }
        if text.count >= HubStore.minimumRowIDSuffix, text.allSatisfy({ $0.isHexDigit || $0 == "-" }) {
            args.append(.text(text))
            let p = "?\(args.count)"
            ors.append("row_id = \(p) OR other_row = \(p) OR substr(row_id, -length(\(p))) = \(p) OR substr(other_row, -length(\(p))) = \(p)")
        }
        return ors.isEmpty ? "0" : "(" + ors.joined(separator: " OR ") + ")"
    }
}
