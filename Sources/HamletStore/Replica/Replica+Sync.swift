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

    /// Applies one page of hub outcomes: shadow rows, the visible rows with
    /// outstanding edits re-applied, the cursor and the clock, in one transaction.
    public func applyPage(_ items: [PullItem], cursor: Int64, hubClock: HLC?, wallMillis: Int64) throws {
        try connection.transaction {
            let info = try self.info()
            var touched: [(TableSchema, String)] = []
            var seen = Set<RowKey>()
            // The page's digest moves, summed per table and written once at the end (not a read and a write per row).
            var digestMoves = DigestMoves()
            for item in items {
                switch item {
                case .put(let row):
                    guard let t = schema.table(named: row.table) else { continue }
                    let before = try countedShadowHash(table: t.name, id: row.id)
                    try connection.run("""
                        INSERT OR REPLACE INTO _shadow (tbl, id, village, vals, vers, deleted, merged_into, hseq, gone)
                        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 0)
                        """, [.text(t.name), .text(row.id), row.values[schema.scope] ?? .null,
                              .text(JSONText.encode(row.values)), .text(JSONText.encode(row.versions)),
                              .integer(row.deleted ? 1 : 0), row.mergedInto.map { .text($0) } ?? .null, .integer(row.hseq)])
                    // The row as just stored in the shadow hashes as the page's row (the stored JSON round-trips exactly).
                    let after = DigestBuilder.rowHash(row)
                    digestMoves.add(table: t.name, count: before == nil ? 1 : 0, xor: [before, after].compactMap { $0 })
                    if seen.insert(RowKey(t.name, row.id)).inserted { touched.append((t, row.id)) }
                case .leave(let table, let id, let leftAt):
                    guard let t = schema.table(named: table) else { continue }
                    if let before = try countedShadowHash(table: t.name, id: id) { digestMoves.add(table: t.name, count: -1, xor: [before]) }
                    try connection.run("UPDATE _shadow SET gone = 1 WHERE tbl = ?1 AND id = ?2", [.text(t.name), .text(id)])
                    try noteLeave(table: t.name, id: id, hseq: leftAt)  // issue 18: the uplink's downlink (Replica+Uplink.swift)
                    if seen.insert(RowKey(t.name, id)).inserted { touched.append((t, id)) }
                }
            }
            for (table, move) in digestMoves.tables { try adjustDigest(table: table, count: move.count, xor: [move.xor]) }
            let newCursor = max(cursor, info.cursor)
            try setMeta("cursor", String(newCursor))
            // Changes the cursor passed leave the overlay: rebuild their rows too.
            for r in try connection.rows("""
                SELECT DISTINCT tbl, row_id FROM _changes
                WHERE state IN ('accepted','conflicted') AND hseq > ?1 AND hseq <= ?2
                """, [.integer(info.cursor), .integer(newCursor)]) {
                if let t = schema.table(named: try r.text(0)), seen.insert(RowKey(t.name, try r.text(1))).inserted {
                    touched.append((t, try r.text(1)))
                }
            }
            // Rows with local changes still laid over them are rebuilt from shadow + overlay; the
            // rest (nearly every row of a pull) are written straight from the page.
            var overlaid = Set<RowKey>()
            for r in try connection.rows("""
                SELECT DISTINCT tbl, row_id FROM _changes
                WHERE state = 'pending' OR (state IN ('accepted','conflicted') AND hseq > ?1)
                """, [.integer(newCursor)]) {
                overlaid.insert(RowKey(try r.text(0), try r.text(1)))
            }
            var direct: [RowKey: RowState] = [:]
            for case .put(let row) in items { direct[RowKey(row.table, row.id)] = row }
            for (t, id) in touched {
                let key = RowKey(t.name, id)
                if !overlaid.contains(key), let row = direct[key] {
                    if row.deleted {
                        try connection.run(sql.table(t).delete, [.text(id)])
                    } else {
                        try writeVisible(t, id: id, values: row.values)
                    }
                } else {
                    try rebuildVisible(t, id: id, cursor: newCursor, node: info.node)
                }
            }
            if let hubClock {
                var clock = HybridClock(node: info.node, last: try meta("hlc").flatMap { HLC($0) })
                clock.observe(hubClock, wallMillis: wallMillis)
                try setMeta("hlc", clock.last.description)
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
