import HamletCore

/// One entry of the node's change log.
public struct ChangeRecord: Sendable, Codable {
    public var change: Change
    /// `pending`, `accepted`, `conflicted` or `rejected`.
    public var state: String
    public var hseq: Int64?
    public var code: String?
    public var message: String?
    public var conflicts: [Int64]
    /// Wall-clock time of the edit (milliseconds), for display.
    public var madeAt: Int64
}

/// The hub's state of one row as the node last pulled it.
struct ShadowRow {
    var values: Fields
    var versions: [String: Int64]
    var deleted: Bool
    var mergedInto: String?
    var hseq: Int64
    var gone: Bool
}

extension Replica {
    static let changeColumns = "seq, tbl, row_id, op, vals, bases, row_base, hlc, author, epoch, made_at, state, hseq, code, message, conflicts"

    /// A stored version map (`_changes.bases`, `_shadow.vers`). One as the writer writes it — `{"name":integer,…}`, no
    /// escape — is read straight from the bytes (`JSONText.plainFields`); anything else by the general reader, which
    /// decides (a push read every pending change's bases through it: a sixth of reading them).
    /// - Throws: `StoreError.corrupt` when the text is not a version map.
    static func versionMap(_ text: String) throws -> [String: Int64] {
        guard let plain = JSONText.plainFields(text) else { return try JSONText.decode([String: Int64].self, text) }
        var map: [String: Int64] = [:]
        map.reserveCapacity(plain.count)
        for (k, v) in plain {
            guard case .integer(let n) = v else { return try JSONText.decode([String: Int64].self, text) }
            map[k] = n
        }
        return map
    }

    func decodeChange(_ r: Row, node: String) throws -> ChangeRecord {
        let values = try JSONText.decode(Fields.self, try r.text(4))
        let bases = try Replica.versionMap(try r.text(5))
        guard let hlc = HLC(try r.text(7)), let op = ChangeOp(rawValue: try r.text(3)) else {
            throw StoreError(.corrupt, "change \(try r.int(0)) is malformed")
        }
        let change = Change(node: node, seq: try r.int(0), table: try r.text(1), row: try r.text(2), op: op, values: values,
                            bases: bases, rowBase: try r.int(6), hlc: hlc, author: try r.text(8), epoch: try r.text(9))
        let conflicts = try r.optionalText(15).map { try JSONText.decode([Int64].self, $0) } ?? []
        return ChangeRecord(change: change, state: try r.text(11), hseq: r[12].integer, code: r.optionalText(13),
                            message: r.optionalText(14), conflicts: conflicts, madeAt: try r.int(10))
    }

    /// Changes still laid over the shadow for one row, in `seq` order: pending,
    /// or accepted/conflicted at an `hseq` the cursor has not reached (rule 2).
    func outstanding(table: String, id: String, cursor: Int64, node: String) throws -> [ChangeRecord] {
        try connection.rows("""
            SELECT \(Replica.changeColumns) FROM _changes
            WHERE tbl = ?1 AND row_id = ?2 AND (state = 'pending' OR (state IN ('accepted','conflicted') AND hseq > ?3))
            ORDER BY seq
            """, [.text(table), .text(id), .integer(cursor)]).map { try decodeChange($0, node: node) }
    }

    func shadow(table: String, id: String) throws -> ShadowRow? {
        guard let r = try connection.row(
            "SELECT vals, vers, deleted, merged_into, hseq, gone FROM _shadow WHERE tbl = ?1 AND id = ?2",
            [.text(table), .text(id)]) else { return nil }
        return ShadowRow(values: try JSONText.decode(Fields.self, try r.text(0)),
                         versions: try Replica.versionMap(try r.text(1)),
                         deleted: try r.int(2) != 0, mergedInto: r.optionalText(3), hseq: try r.int(4), gone: try r.int(5) != 0)
    }

    /// The row the clerk sees now (nil when absent or deleted).
    public func visibleRow(_ t: TableSchema, id: String) throws -> Fields? {
        guard let r = try connection.row("SELECT \(SchemaSQL.columns(t)) FROM \(SchemaSQL.quote(t.name)) WHERE id = ?1",
                                         [.text(id)]) else { return nil }
        var f: Fields = [:]
        for (i, field) in t.fields.enumerated() where !r[i + 1].isNull { f[field.name] = r[i + 1] }
        return f
    }

    /// Recomputes the visible row: the shadow with the outstanding changes re-applied.
    /// A row that left or was deleted at the hub stays visible while local changes to it are outstanding (rule 3).
    func rebuildVisible(_ t: TableSchema, id: String, cursor: Int64, node: String) throws {
        let shadow = try shadow(table: t.name, id: id)
        let pending = try outstanding(table: t.name, id: id, cursor: cursor, node: node)
        var values: Fields? = nil
        if let s = shadow, !s.deleted, !s.gone { values = s.values }
        // A ghost whose shadow is gone (it left before this node pulled it) keeps its last values (rule 3).
        let last = shadow == nil && !pending.isEmpty ? try visibleRow(t, id: id) : nil
        for c in pending {
            switch c.change.op {
            case .put:
                var v = values ?? shadow?.values ?? last ?? [:]
                for (k, x) in c.change.values { v[k] = x.isNull ? nil : x }
                values = v
            case .delete:
                values = nil
            }
        }
        if let values, values[schema.scope] != nil {
            try writeVisible(t, id: id, values: values)
        } else {
            // Nothing to show (deleted), or edits of a row this replica never held whole: the change
            // stays in the log, pending, and the row appears when the hub sends it.
            try connection.run(sql.table(t).delete, [.text(id)])
        }
        if let s = shadow, s.gone, pending.isEmpty {
            try connection.run("DELETE FROM _shadow WHERE tbl = ?1 AND id = ?2", [.text(t.name), .text(id)])
        }
    }

    func writeVisible(_ t: TableSchema, id: String, values: Fields) throws {
        var args: [Value] = [.text(id)]
        for f in t.fields { args.append(values[f.name] ?? .null) }
        try connection.run(sql.table(t).upsert, args)
    }
}
