import HamletCore

/// Parking (DESIGN rule 13): a change that names a row, or references a row, the hub has
/// never seen (possible after a restore) is held, not rejected — together with the same
/// node's later changes to the same row — and applied in the node's order when that row arrives.
extension HubStore {
    /// The row a refused change waits for, when it names one the hub has never seen: the row
    /// itself (an edit or a delete of a row the hub lacks), or a referenced row.
    func waitingFor(_ change: Change, table t: TableSchema, current: HubRow?, rejection r: Rejection, facts: MergeFacts) -> RowKey? {
        if current == nil, r.code == Rejection.Code.unknownRow.rawValue {
            return RowKey(t.name, change.row)
        }
        if r.code == ValidationIssue.Code.missingReference.rawValue {
            for f in t.referenceFields {
                if let id = change.values[f.name]?.text, let target = f.references, facts.reference(target, id) == nil {
                    return RowKey(target, id)
                }
            }
        }
        return nil
    }

    /// What an earlier parked change of the same node to the same row waits for; nil when none
    /// is parked (the common case costs one index probe).
    /// - Throws: `StoreError`.
    func parkedAhead(of change: Change, node: String) throws -> RowKey? {
        guard try connection.row("SELECT 1 FROM parked WHERE node = ?1 AND seq < ?2 LIMIT 1",
                                 [.text(node), .integer(change.seq)]) != nil else { return nil }
        for r in try connection.rows("SELECT wait_tbl, wait_id, body FROM parked WHERE node = ?1 AND seq < ?2 ORDER BY seq",
                                     [.text(node), .integer(change.seq)]) {
            let earlier = try JSONText.decode(Change.self, try r.text(2))
            if earlier.table == change.table && earlier.row == change.row {
                return RowKey(try r.text(0), try r.text(1))
            }
        }
        return nil
    }

    func park(_ change: Change, hash: String, waitsFor: RowKey, wallMillis: Int64) throws -> ChangeResult {
        try connection.run("""
            INSERT OR REPLACE INTO parked (node, seq, hash, wait_tbl, wait_id, body, received_at)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
            """, [.text(change.node), .integer(change.seq), .text(hash), .text(waitsFor.table), .text(waitsFor.id),
                  .text(JSONText.encode(change)), .integer(wallMillis)])
        return ChangeResult(seq: change.seq, status: .parked, code: Rejection.Code.unknownRow.rawValue,
                            message: "held until the hub receives the row it names")
    }

    /// Applies the changes parked for a row that has just arrived: nodes in the order their first
    /// waiting change arrived, each node's changes in its `seq` order (a re-sent change keeps its place).
    func unpark(_ key: RowKey, state: inout BatchState) throws {
        let waiting = try connection.rows("""
            SELECT p.node, p.seq, p.hash, p.body, n.village FROM parked p JOIN nodes n ON n.id = p.node
            WHERE p.wait_tbl = ?1 AND p.wait_id = ?2
            ORDER BY (SELECT min(q.received_at) FROM parked q WHERE q.node = p.node AND q.wait_tbl = ?1 AND q.wait_id = ?2),
              p.node, p.seq
            """, [.text(key.table), .text(key.id)])
        for w in waiting {
            try connection.run("DELETE FROM parked WHERE node = ?1 AND seq = ?2", [w[0], w[1]])
            let change = try JSONText.decode(Change.self, try w.text(3))
            // Issue 18: judged with the scope of the node that sent it, not of the batch that brought its row.
            let batchWriter = state.township
            state.township = try townshipWriter(node: try w.text(0))
            defer { state.township = batchWriter }
            _ = try reconcileOne(change, hash: try w.text(2), from: BatchSource(node: try w.text(0), village: try w.text(4)), state: &state)
        }
    }
}
