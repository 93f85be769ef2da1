import Foundation
import HamletCore

extension Replica {
    /// Pending changes to push, oldest first, after `seq` (a sync pushes each once).
    public func pendingChanges(limit: Int, after seq: Int64 = 0) throws -> [Change] {
        let node = try info().node
        return try connection.rows("SELECT \(Replica.changeColumns) FROM _changes WHERE state = 'pending' AND seq > ?2 ORDER BY seq LIMIT ?1",
                                   [.integer(Int64(limit)), .integer(seq)]).map { try decodeChange($0, node: node).change }
    }

    /// Marks pushed changes from the hub's per-change results, in one transaction.
    /// A rejected change leaves the overlay at once; an accepted one when the cursor reaches its `hseq`.
    public func recordResults(_ results: [ChangeResult], wallMillis: Int64) throws {
        try connection.transaction {
            let info = try self.info()
            for r in results {
                let state: String
                switch r.status {
                case .applied: state = "accepted"
                case .conflict: state = "conflicted"
                case .rejected: state = "rejected"
                case .parked:
                    // Still ours to send: stays pending, with the hub's note.
                    try connection.run("UPDATE _changes SET code = ?2, message = ?3 WHERE seq = ?1 AND state = 'pending'",
                                       [.integer(r.seq), r.code.map { .text($0) } ?? .null, r.message.map { .text($0) } ?? .null])
                    continue
                }
                let conflicts: Value = r.conflicts.isEmpty ? .null : .text(JSONText.encode(r.conflicts))
                // What was known of these ids belongs to the conflicts as last asked: ask afresh.
                try forgetOutcomes(r.conflicts)
                try connection.run("""
                    UPDATE _changes SET state = ?2, hseq = ?3, code = ?4, message = ?5, conflicts = ?6, acked_at = ?7
                    WHERE seq = ?1
                    """, [.integer(r.seq), .text(state), r.hseq.map { .integer($0) } ?? .null,
                          r.code.map { .text($0) } ?? .null, r.message.map { .text($0) } ?? .null, conflicts,
                          .integer(wallMillis)])
                // A rejected change leaves the overlay now; so does an accepted one whose hseq the cursor
                // already passed (an ack lost and re-sent after a pull or a resync).
                if r.status == .rejected || (r.hseq ?? Int64.max) <= info.cursor,
                   let row = try connection.row("SELECT tbl, row_id FROM _changes WHERE seq = ?1", [.integer(r.seq)]),
                   let t = schema.table(named: try row.text(0)) {
                    try rebuildVisible(t, id: try row.text(1), cursor: info.cursor, node: info.node)
                }
            }
        }
    }

    /// Records the hub's identity and epoch after a hello.
    public func setHub(id: String, epoch: String) throws {
        try connection.transaction {
            try setMeta("hub_id", id)
            try setMeta("epoch", epoch)
        }
    }

    /// After a hub restore: changes above the hub's last `seq` from this node go back to pending, to be pushed again.
    /// - Returns: how many changes will be re-pushed.
    @discardableResult
    public func requeue(after lastSeq: Int64) throws -> Int {
        try connection.transaction {
            let n = try connection.run("""
                UPDATE _changes SET state = 'pending', hseq = NULL, code = NULL, message = NULL, conflicts = NULL
                WHERE seq > ?1 AND state IN ('accepted','conflicted')
                """, [.integer(lastSeq)])
            // The restored hub may give those conflict ids to other conflicts: forget what was known of them.
            try pruneOutcomes()
            return n
        }
    }

    /// Records the outcome of a sync for `status`: the line in English (`status --json`, logs) and, when
    /// given, in Chinese (what `status` shows under zh, in meta `last_sync_result_zh`).
    public func recordSync(at wallMillis: Int64, result: String, resultZH: String? = nil, verify: String?) throws {
        try connection.transaction {
            try setMeta("last_sync_at", String(wallMillis))
            try setMeta("last_sync_result", result)
            try setMeta("last_sync_result_zh", resultZH)
            if let verify { try setMeta("verify", verify) }
        }
    }
}

extension Replica {
    /// True when a change above `lastSeq` is marked accepted or conflicted: the hub lost
    /// changes it had acknowledged (a restore), so they must be pushed again.
    /// - Throws: `StoreError`.
    public func hasAcknowledged(after lastSeq: Int64) throws -> Bool {
        try connection.row(
            "SELECT 1 FROM _changes WHERE seq > ?1 AND state IN ('accepted','conflicted') LIMIT 1", [.integer(lastSeq)]) != nil
    }

    /// How many changes wait to be pushed.
    /// - Throws: `StoreError`.
    public func pendingCount() throws -> Int {
        Int(try connection.scalar("SELECT count(*) FROM _changes WHERE state = 'pending'").integer ?? 0)
    }

    /// Runs `body` in one write transaction (an import, a bulk load): every local write inside
    /// commits together or not at all.
    /// - Throws: `StoreError`, or what `body` throws; the transaction is rolled back then.
    public func write<T>(_ body: () throws -> T) throws -> T {
        try connection.transaction(.immediate, body)
    }
}
