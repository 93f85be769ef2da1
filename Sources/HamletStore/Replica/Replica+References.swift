import HamletCore

/// References by what a clerk knows, and rows shown by their labels: the reads
/// behind ``ReferenceResolver`` and ``RowLabeler`` (read → decide: the rules
/// are in Core, these only read; every read throws).
extension Replica {
    /// Resolves what a clerk typed for a reference (a 身份证号, a name, an
    /// address, 8+ characters of an id, a whole id) to a row id of this replica.
    ///
    /// - Parameters:
    ///   - text: The flag value or cell.
    ///   - table: The referenced table, plural or singular (`people`, `household`).
    /// - Returns: The row id; `""` for empty text (an edit clears the field); a
    ///   whole UUID as typed (validation then checks the row exists).
    /// - Throws: `ReferenceError` (`missing-reference`, `ambiguous-reference`
    ///   with the candidates), `ReplicaError.unknownTable`, `StoreError`.
    public func resolveReference(_ text: String, to table: String) throws -> String {
        let t = try self.table(table)
        return try ReferenceResolver(table: t).resolve(text) { try referenceCandidates($0, in: t) }
    }

    /// The live rows of a table that match a query, each with the labels of
    /// the rows it references (a person's household address).
    ///
    /// - Parameters:
    ///   - query: What to match.
    ///   - t: The table.
    /// - Returns: The matching rows, by id; at most 50.
    /// - Throws: `ReplicaError.unknownField` for a query on a field the table lacks; `StoreError`.
    public func referenceCandidates(_ query: ReferenceQuery, in t: TableSchema) throws -> [ReferenceCandidate] {
        let sql: String
        let args: [Value]
        let table = SchemaSQL.quote(t.name)
        switch query {
        case .idFragment(let f):
            // Ids are lowercase hex; a fragment holds no LIKE wildcards (checked by the resolver).
            guard f.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) || $0 == 45 }) else { return [] }
            sql = "WHERE id LIKE ?1 || '%' OR id LIKE '%' || ?1"
            args = [.text(f)]
        case .equals(let field, let value):
            guard t.field(field) != nil else { throw ReplicaError(.unknownField, "\(t.name) has no field \(field)", zh: Replica.noFieldZH(t, field)) }
            sql = "WHERE \(SchemaSQL.quote(field)) = ?1"
            args = [.text(value)]
        case .contains(let field, let text):
            guard t.field(field) != nil else { throw ReplicaError(.unknownField, "\(t.name) has no field \(field)", zh: Replica.noFieldZH(t, field)) }
            sql = "WHERE instr(\(SchemaSQL.quote(field)), ?1) > 0"
            args = [.text(text)]
        }
        let rows = try connection.rows("SELECT \(SchemaSQL.columns(t)) FROM \(table) \(sql) ORDER BY id LIMIT 50", args)
        var found: [ReferenceCandidate] = []
        for r in rows {
            var f: Fields = [:]
            for (i, field) in t.fields.enumerated() where !r[i + 1].isNull { f[field.name] = r[i + 1] }
            found.append(ReferenceCandidate(id: try r.text(0), values: f))
        }
        // What each candidate references, by label (the household's address tells two 王秀英 apart).
        for field in t.referenceFields {
            guard let target = field.references.flatMap({ schema.table(named: $0) }) else { continue }
            let ids = Set(found.compactMap { $0.values[field.name]?.text })
            guard !ids.isEmpty else { continue }
            let labels = try rowLabels(target, ids: ids)
            for i in found.indices {
                if let id = found[i].values[field.name]?.text { found[i].references[field.name] = labels[id] }
            }
        }
        return found
    }

    /// Display labels of rows: `王秀英 *1224` for people, the address for
    /// households, with `#` and the short id only where two rows of the table
    /// share a label; rows of tables without a title (events) are labelled by
    /// the row they reference.
    ///
    /// - Parameters:
    ///   - t: The table.
    ///   - ids: The rows wanted. Rows this replica no longer shows (deleted, or
    ///     held only by the hub) are labelled from the hub's copy or the change log.
    /// - Returns: A label for every id asked (`#` and the short id when nothing better is known).
    /// - Throws: `StoreError`.
    public func rowLabels(_ t: TableSchema, ids: Set<String>) throws -> [String: String] {
        guard !ids.isEmpty else { return [:] }
        let labeler = RowLabeler(table: t, scope: schema.scope)
        var labels: [String: String?] = [:]
        if let title = labeler.titleField {
            // The whole table, so a label two rows share gets its short id wherever either is shown.
            let idColumn = labeler.nationalIDField.map { SchemaSQL.quote($0.name) } ?? "NULL"
            for r in try connection.rows("SELECT id, \(SchemaSQL.quote(title.name)), \(idColumn) FROM \(SchemaSQL.quote(t.name))") {
                var f: Fields = [title.name: r[1]]
                if let idField = labeler.nationalIDField { f[idField.name] = r[2] }
                labels[try r.text(0)] = labeler.label(f)
            }
            for id in ids where labels[id] == nil {
                labels[id] = try knownValues(t, id: id).flatMap { labeler.label($0) }
            }
        } else if let ref = t.referenceFields.first, let target = ref.references.flatMap({ schema.table(named: $0) }) {
            // An event or visit: the person it is about.
            var refs: [String: String] = [:]
            for id in ids {
                if let r = try knownValues(t, id: id)?[ref.name]?.text { refs[id] = r }
            }
            let targetLabels = try rowLabels(target, ids: Set(refs.values))
            for id in ids { labels[id] = refs[id].flatMap { targetLabels[$0] } }
        } else {
            for id in ids { labels[id] = .some(nil) }
        }
        let distinct = RowLabels.distinct(labels)
        return distinct.filter { ids.contains($0.key) }
    }

    /// A row's last known values: as shown, else the hub's copy (even deleted),
    /// else what the change log wrote.
    func knownValues(_ t: TableSchema, id: String) throws -> Fields? {
        if let v = try visibleRow(t, id: id) { return v }
        if let s = try shadow(table: t.name, id: id) { return s.values }
        var out: Fields? = nil
        for r in try connection.rows("SELECT vals FROM _changes WHERE tbl = ?1 AND row_id = ?2 AND op = 'put' ORDER BY seq",
                                     [.text(t.name), .text(id)]) {
            let v = try JSONText.decode(Fields.self, try r.text(0))
            out = (out ?? [:]).merging(v) { _, new in new }
        }
        return out
    }
}
