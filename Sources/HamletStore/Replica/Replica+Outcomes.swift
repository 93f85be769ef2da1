import HamletCore

/// What the node knows of how the conflicts its changes opened were settled (issue 11, item 9).
///
/// A pushed change that opened conflicts stays `conflicted` in `_changes` (with the conflict ids); after each pull,
/// a sync asks the hub about the ones not yet known closed and keeps the answers in `_outcomes`, one row per
/// conflict. A change counts as settled once every conflict it opened is closed. The table is the replica's own
/// additive upgrade: made on open when missing, carried through a resync, and forgotten for conflict ids no change
/// names any more (a requeue after a hub restore, whose ids the restored hub may give to other conflicts).
extension Replica {
    static let outcomesTableSQL = """
        CREATE TABLE IF NOT EXISTS _outcomes (
          conflict INTEGER PRIMARY KEY, kind TEXT NOT NULL, status TEXT NOT NULL, tbl TEXT, row_id TEXT, field TEXT,
          resolution TEXT, resolved_by TEXT, resolved_at INTEGER, note TEXT, value TEXT, survivor TEXT,
          checked_at INTEGER NOT NULL)
        """
    static let outcomeColumns = "conflict, kind, status, tbl, row_id, field, resolution, resolved_by, resolved_at, note, value, survivor"

    /// Makes `_outcomes` in a replica created before outcomes were kept (read first, so an up-to-date replica
    /// takes no write lock on open).
    /// - Throws: `StoreError`.
    func ensureOutcomesTable() throws {
        guard try connection.row("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_outcomes'") == nil else { return }
        try connection.execute(Replica.outcomesTableSQL)
    }

    /// The conflicts a sync should ask the hub about: every conflict the node's conflicted changes opened,
    /// except those already known closed. A merge is asked about again: it is the one decision the operator
    /// can undo (`hub unmerge` reopens the conflict).
    /// - Returns: Conflict ids, ascending.
    /// - Throws: `StoreError`.
    public func conflictsToAsk() throws -> [Int64] {
        let known = try knownOutcomes()
        return try openedConflicts().filter { id in
            guard let o = known[id], o.isClosed else { return true }
            return o.resolution == "merge" || o.survivor != nil
        }
    }

    /// Stores where conflicts stand, as the hub said, in one transaction.
    /// - Parameters:
    ///   - outcomes: The hub's answer.
    ///   - wallMillis: When it was asked.
    /// - Returns: How many of them are newly known closed.
    /// - Throws: `StoreError`.
    @discardableResult
    public func recordOutcomes(_ outcomes: [ConflictOutcome], wallMillis: Int64) throws -> Int {
        try connection.transaction {
            let before = try knownOutcomes()
            var settled = 0
            for o in outcomes {
                if o.isClosed && before[o.id]?.isClosed != true { settled += 1 }
                try connection.run("""
                    INSERT OR REPLACE INTO _outcomes (\(Replica.outcomeColumns), checked_at)
                    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
                    """, [.integer(o.id), .text(o.kind), .text(o.status), text(o.table), text(o.row), text(o.field),
                          text(o.resolution), text(o.resolvedBy), o.resolvedAt.map { .integer($0) } ?? .null, text(o.note),
                          o.value.map { .text(JSONText.encode($0)) } ?? .null, text(o.survivor), .integer(wallMillis)])
            }
            return settled
        }
    }

    /// Every outcome the node knows, by conflict id.
    /// - Throws: `StoreError`.
    public func knownOutcomes() throws -> [Int64: ConflictOutcome] {
        var out: [Int64: ConflictOutcome] = [:]
        for r in try connection.rows("SELECT \(Replica.outcomeColumns) FROM _outcomes") {
            let o = ConflictOutcome(id: try r.int(0), kind: try r.text(1), status: try r.text(2), table: r.optionalText(3),
                                    row: r.optionalText(4), field: r.optionalText(5), resolution: r.optionalText(6),
                                    resolvedBy: r.optionalText(7), resolvedAt: r[8].integer, note: r.optionalText(9),
                                    value: try r.optionalText(10).map { try JSONText.decode(Value.self, $0) },
                                    survivor: r.optionalText(11))
            out[o.id] = o
        }
        return out
    }

    /// True when `record` opened conflicts and every one of them is known closed.
    /// - Parameters:
    ///   - record: A change-log entry.
    ///   - known: From `knownOutcomes()`.
    public static func isSettled(_ record: ChangeRecord, _ known: [Int64: ConflictOutcome]) -> Bool {
        record.state == "conflicted" && !record.conflicts.isEmpty && record.conflicts.allSatisfy { known[$0]?.isClosed == true }
    }

    /// The changes of one row that opened conflicts, oldest first (for `hamlet show`).
    /// - Throws: `StoreError`.
    public func conflictedChanges(table: String, id: String) throws -> [ChangeRecord] {
        let node = try info().node
        return try connection.rows("""
            SELECT \(Replica.changeColumns) FROM _changes WHERE tbl = ?1 AND row_id = ?2 AND state = 'conflicted' ORDER BY seq
            """, [.text(table), .text(id)]).map { try decodeChange($0, node: node) }
    }

    /// Conflicted changes counted by whether a conflict they opened is still open, or all are settled.
    /// - Throws: `StoreError`.
    func conflictCounts() throws -> (open: Int, settled: Int) {
        let known = try knownOutcomes()
        var open = 0
        var settled = 0
        for r in try connection.rows("SELECT conflicts FROM _changes WHERE state = 'conflicted'") {
            let ids = try r.optionalText(0).map { try JSONText.decode([Int64].self, $0) } ?? []
            if !ids.isEmpty && ids.allSatisfy({ known[$0]?.isClosed == true }) { settled += 1 } else { open += 1 }
        }
        return (open, settled)
    }

    /// Forgets outcomes of conflicts no conflicted change names any more. Inside the caller's transaction.
    /// - Throws: `StoreError`.
    func pruneOutcomes() throws {
        let named = Set(try openedConflicts())
        for r in try connection.rows("SELECT conflict FROM _outcomes") where !named.contains(try r.int(0)) {
            try connection.run("DELETE FROM _outcomes WHERE conflict = ?1", [.integer(try r.int(0))])
        }
    }

    /// Forgets what is known of these conflicts (a change acknowledged again names them afresh). Inside the
    /// caller's transaction.
    /// - Throws: `StoreError`.
    func forgetOutcomes(_ ids: [Int64]) throws {
        for id in ids { try connection.run("DELETE FROM _outcomes WHERE conflict = ?1", [.integer(id)]) }
    }

    /// Every conflict id the node's conflicted changes name, ascending, each once.
    private func openedConflicts() throws -> [Int64] {
        var ids = Set<Int64>()
        for r in try connection.rows("SELECT conflicts FROM _changes WHERE state = 'conflicted' AND conflicts IS NOT NULL") {
            ids.formUnion(try JSONText.decode([Int64].self, try r.text(0)))
        }
        return ids.sorted()
    }

    private func text(_ s: String?) -> Value { s.map { .text($0) } ?? .null }
}
