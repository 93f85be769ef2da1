import HamletCore

extension HubStore {
    /// Loads rows straight into the hub as operator changes (synthetic townships
    /// for load tests, a first import of a township's registers): each row gets
    /// its own `hseq` and log entry, so it flows to the nodes like any change.
    /// Rows are written without merge (the caller vouches for them: generated
    /// or validated); one transaction per call. Pinyin sort keys are written too.
    /// - Returns: the last `hseq` given.
    @discardableResult
    public func load(table: String, rows: [(id: String, values: Fields)], action: OperatorAction) throws -> Int64 {
        guard let t = schema.table(named: table) else { throw StoreError(.notFound, "no table \(table)") }
        // The pinyin sort keys are written with the rows (memoised, cheap in bulk), so the first sorted read after
        // a big load has none to fill (issue 20, item 3); the key version is recorded first, or it would drop them.
        let sortField = t.fields.first { $0.sort == "pinyin" }
        if sortField != nil { try dropStaleSortKeys(t) }
        let sortSQL = "UPDATE \(SchemaSQL.quote(t.name)) SET \"_sort\" = ?2 WHERE id = ?1"
        return try connection.transaction {
            var hseq = try head()
            var clock = HybridClock(node: NodeID.hub, last: try clock())
            let logSQL = """
                INSERT INTO log (hseq, node, seq, tbl, row_id, op, vals, hlc, author, hash, received_at, note)
                VALUES (?1, ?2, ?1, ?3, ?4, 'load', ?5, ?6, ?7, '', ?8, NULL)
                """
            for (id, values) in rows {
                hseq += 1
                let stamp = clock.tick(wallMillis: action.wallMillis)
                let existing = try row(t, id: id)
                let v = FieldVersion(hseq: hseq, hlc: stamp, writers: [NodeID.hub])
                var r = existing ?? HubRow(t, id: id, values: [:], version: v, hseq: hseq)
                for (k, x) in values where !x.isNull {
                    r.setValue(x, named: k)
                    r.setVersion(v, named: k)
                }
                r.hseq = hseq
                try writeRow(t, r)
                if let f = sortField, let name = r.value(f.name)?.text {
                    try connection.run(sortSQL, [.text(id), .text(sortKeys.key(name))])
                }
                try connection.run(logSQL, [.integer(hseq), .text(NodeID.hub), .text(t.name), .text(id),
                                            .text(JSONText.encode(values)), .text(stamp.description), .text(action.name),
                                            .integer(action.wallMillis)])
            }
            try setMeta("hlc", clock.last.description)
            return hseq
        }
    }
}
