import HamletCore

/// Storing conflicts, and the duplicate conflicts' own life: one open conflict per pair,
/// closed as moot when the pair no longer shares a live value, dismissed as 非同一人 by the
/// operator (and not reopened while the shared value stays the same).
extension HubStore {
    /// Stores a conflict the merge opened.
    /// - Returns: the conflict's id (an open one for the same pair when there is one), or nil when a
    ///   duplicate pair was dismissed by the operator for the same shared value.
    /// - Throws: `StoreError`.
    func openConflict(_ c: ConflictDraft, change: Change?, hseq: Int64) throws -> Int64? {
        let t = schema.table(named: c.table)
        let current = try t.flatMap { try row($0, id: c.row) }
        var hubValue = c.hubValue
        if c.kind == .duplicate, let other = c.otherRow {
            // A pair already in an open duplicate conflict never gets a second one (revival, re-registration).
            if let open = try pairConflict(c.table, c.row, other, status: "open") { return try open.int("id") }
            let shared = c.field.flatMap { current?.value($0) }
            if let field = c.field, let t, let shared,
               let dismissed = try pairConflict(c.table, c.row, other, status: "resolved", resolution: "dismissed"),
               dismissed.optionalText("hub_value") == JSONText.encode(shared), let at = dismissed["resolution_hseq"].integer {
                // Dismissed as 非同一人 for this value: stays dismissed until one of the two IDs is written again.
                let otherRow = try row(t, id: other)
                let untouched = [current, otherRow].allSatisfy { ($0?.version(field)?.hseq ?? 0) <= at }
                if untouched { return nil }
            }
            hubValue = shared
        }
        try connection.run("""
            INSERT INTO conflicts (kind, tbl, row_id, field, other_row, village, base, incoming, incoming_node, incoming_seq,
              incoming_hlc, incoming_author, incoming_hseq, incoming_won, hub_value, hub_version, reason)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)
            """, [.text(c.kind.rawValue), .text(c.table), .text(c.row), c.field.map { .text($0) } ?? .null,
                  c.otherRow.map { .text($0) } ?? .null, .text(current?.value(schema.scope)?.text ?? ""), .integer(c.base),
                  c.incoming.map { .text(JSONText.encode($0)) } ?? .null,
                  change.map { .text($0.node) } ?? .null, change.map { .integer($0.seq) } ?? .null,
                  change.map { .text($0.hlc.description) } ?? .null, change.map { .text($0.author) } ?? .null,
                  .integer(hseq), .integer(c.incomingWon ? 1 : 0),
                  hubValue.map { .text(JSONText.encode($0)) } ?? .null, VersionCodec.encode(c.hubVersion), .text(c.reason)])
        return connection.lastInsertRowID
    }

    /// The newest duplicate conflict of a pair in a state, either way round.
    func pairConflict(_ table: String, _ a: String, _ b: String, status: String, resolution: String? = nil) throws -> Row? {
        try connection.row("""
            SELECT id, hub_value, resolution_hseq FROM conflicts WHERE kind = 'duplicate' AND status = ?4 AND tbl = ?1
              AND ((row_id = ?2 AND other_row = ?3) OR (row_id = ?3 AND other_row = ?2))
              AND (?5 IS NULL OR resolution = ?5)
            ORDER BY id DESC LIMIT 1
            """, [.text(table), .text(a), .text(b), .text(status), resolution.map { .text($0) } ?? .null])
    }

    /// Closes as moot the open duplicate conflicts of a row that was just deleted, merged away, or
    /// whose unique value changed, when its pair no longer shares a live value (the reason stays in history).
    /// - Throws: `StoreError`.
    func closeMootDuplicates(_ t: TableSchema, row: HubRow, previous: HubRow?, hseq: Int64) throws {
        guard let previous, !t.uniqueFields.isEmpty else { return }
        let uniqueMoved = t.uniqueFields.contains { previous.value($0.name) != row.value($0.name) }
        guard uniqueMoved || (row.deleted && !previous.deleted) || (row.mergedInto != nil && previous.mergedInto == nil) else { return }
        for r in try connection.rows("""
            SELECT id, row_id, other_row, field FROM conflicts
            WHERE kind = 'duplicate' AND status = 'open' AND tbl = ?1 AND (row_id = ?2 OR other_row = ?2)
            """, [.text(t.name), .text(row.id)]) {
            let otherID = try r.text("row_id") == row.id ? try r.text("other_row") : try r.text("row_id")
            let field = try r.text("field")
            let other = try self.row(t, id: otherID)
            let shared = !row.deleted && other.map { !$0.deleted && $0.value(field) != nil && $0.value(field) == row.value(field) } ?? false
            guard !shared else { continue }
            try connection.run("""
                UPDATE conflicts SET status = 'resolved', resolved_by = '@hub', resolution = 'moot', resolution_hseq = ?2,
                  note = 'the two rows no longer share a live value'
                WHERE id = ?1
                """, [.integer(try r.int("id")), .integer(hseq)])
        }
    }

    /// Dismisses a duplicate conflict: the operator judged the two rows different people (非同一人).
    /// The pair does not reopen while the value they share stays the same.
    /// - Throws: `OperatorError` (not-found, already-resolved, wrong-kind) or `StoreError`.
    public func dismissDuplicate(_ id: Int64, action: OperatorAction) throws {
        try connection.transaction {
            let c = try openConflictForAction(id, kinds: [.duplicate])
            let shared = try schema.table(named: c.table).flatMap { try row($0, id: c.row) }.flatMap { r in c.field.flatMap { r.value($0) } }
            try closeConflict(id, resolution: "dismissed", hseq: try head(), action: action)
            try connection.run("UPDATE conflicts SET hub_value = ?2 WHERE id = ?1",
                               [.integer(id), shared.map { .text(JSONText.encode($0)) } ?? .null])
        }
    }
}
