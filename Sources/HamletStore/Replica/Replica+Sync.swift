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
    ///
    /// The results' `_changes` updates are written up to `ReplicaSQL.maxBatch` to a statement (`ResultUpdates`), where
    /// each was once an `UPDATE` of its own: the largest part of a node's push. A result that rebuilds a visible row,
    /// a parked one, or a `seq` met twice first writes those queued before it, so every statement and every rebuild
    /// sees the log exactly as the one-at-a-time order left it.
    public func recordResults(_ results: [ChangeResult], wallMillis: Int64) throws {
        try connection.transaction {
            let info = try self.info()
            var queued = ResultUpdates(wallMillis: wallMillis)
            for r in results {
                if r.status == .parked || queued.holds(r.seq) { try writeResults(&queued) }
                guard r.status != .parked else {
                    // Still ours to send: stays pending, with the hub's note.
                    try connection.run("UPDATE _changes SET code = ?2, message = ?3 WHERE seq = ?1 AND state = 'pending'",
                                       [.integer(r.seq), r.code.map { .text($0) } ?? .null, r.message.map { .text($0) } ?? .null])
                    continue
                }
                // What was known of these ids belongs to the conflicts as last asked: ask afresh.
                if !r.conflicts.isEmpty { try forgetOutcomes(r.conflicts) }
                queued.add(r)
                // A rejected change leaves the overlay now; so does an accepted one whose hseq the cursor
                // already passed (an ack lost and re-sent after a pull or a resync).
                if r.status == .rejected || (r.hseq ?? Int64.max) <= info.cursor {
                    try writeResults(&queued)
                    if let row = try connection.row("SELECT tbl, row_id FROM _changes WHERE seq = ?1", [.integer(r.seq)]),
                       let t = schema.table(named: try row.text(0)) {
                        try rebuildVisible(t, id: try row.text(1), cursor: info.cursor, node: info.node)
                    }
                } else if queued.isFull {
                    try writeResults(&queued)
                }
            }
            try writeResults(&queued)
        }
    }

    /// Writes the queued results' updates and empties the queue.
    private func writeResults(_ queued: inout ResultUpdates) throws {
        guard !queued.args.isEmpty else { return }
        try runBatched(queued.args, width: ResultUpdates.width) { sql.recordResults(rows: $0) }
        queued.removeAll()
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

/// Accepted, conflicted and rejected results waiting to be written to `_changes` by one multi-row `UPDATE`
/// (`ReplicaSQL.recordResults`): `seq, state, hseq, code, message, conflicts, acked_at` each, as the one-row
/// `UPDATE` bound them.
struct ResultUpdates {
    /// The values one result binds.
    static let width = 7
    private(set) var args: [Value] = []
    private var seqs = Set<Int64>()
    private let wallMillis: Int64

    init(wallMillis: Int64) { self.wallMillis = wallMillis }

    /// True when a result for `seq` is queued: a second one must wait for the first to be written.
    func holds(_ seq: Int64) -> Bool { seqs.contains(seq) }

    /// True when the queue fills one statement.
    var isFull: Bool { args.count >= ReplicaSQL.maxBatch * Self.width }

    /// Queues a result that is not `parked`.
    mutating func add(_ r: ChangeResult) {
        let state: String
        switch r.status {
        case .applied: state = "accepted"
        case .conflict: state = "conflicted"
        case .rejected: state = "rejected"
        case .parked: preconditionFailure("a parked result keeps its change pending: it is written on its own")
        }
        seqs.insert(r.seq)
        args.append(.integer(r.seq))
        args.append(.text(state))
        args.append(r.hseq.map { .integer($0) } ?? .null)
        args.append(r.code.map { .text($0) } ?? .null)
        args.append(r.message.map { .text($0) } ?? .null)
        args.append(r.conflicts.isEmpty ? .null : .text(JSONText.encode(r.conflicts)))
        args.append(.integer(wallMillis))
    }

    mutating func removeAll() {
        args.removeAll(keepingCapacity: true)
        seqs.removeAll(keepingCapacity: true)
    }
}
