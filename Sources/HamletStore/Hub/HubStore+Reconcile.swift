import HamletCore

/// Who is writing a batch into the hub.
public struct BatchSource: Sendable {
    public var node: String
    public var village: String
    public init(node: String, village: String) {
        self.node = node
        self.village = village
    }
}

extension HubStore {
    /// Reconciles one batch from a node in one SQLite transaction and returns a
    /// result per change. Every `(node, seq)` is the session's node's: a change naming
    /// another node is rejected under the sender's `seq`. Re-sent changes get their
    /// original result; a re-sent `(node, seq)` with other content is refused as
    /// `seq-reused`; a `seq` below 1 is rejected alone; a bad change is rejected alone.
    /// - Throws: `SeqGap` when the batch's new `seq`s do not continue the node's received
    ///   ones in order (nothing applied); `StoreError` when the store fails. The whole
    ///   batch is rolled back then.
    public func reconcile(_ changes: [Change], from source: BatchSource, wallMillis: Int64) throws -> [ChangeResult] {
        try connection.transaction { try reconcileInTransaction(changes, hashes: nil, prepared: nil, from: source, wallMillis: wallMillis) }
    }

    /// The body of `reconcile`: runs inside the caller's transaction (or savepoint). `hashes`, when given, are the
    /// changes' `contentHash`es in order, computed by the caller; `prepared`, the rest of the caller's work on
    /// each change (`PushBatch`), made against this store's schema.
    func reconcileInTransaction(_ changes: [Change], hashes: [String]?, prepared: [PreparedChange]?, from source: BatchSource,
                                wallMillis: Int64) throws -> [ChangeResult] {
        try inBatch(changes) { try reconcileBatch(changes, hashes: hashes, prepared: prepared, from: source, wallMillis: wallMillis) }
    }

    private func reconcileBatch(_ changes: [Change], hashes: [String]?, prepared: [PreparedChange]?, from source: BatchSource,
                                wallMillis: Int64) throws -> [ChangeResult] {
        precondition(hashes == nil || hashes?.count == changes.count, "one hash per change")
        precondition(prepared == nil || prepared?.count == changes.count, "one prepared change per change")
        if let expected = SeqOrder.gap(in: changes.map(\.seq), highest: try highestSeq(node: source.node)) {
            throw SeqGap(expected: expected)
        }
        var state = BatchState(head: try head(), clock: HybridClock(node: NodeID.hub, last: try clock()), wallMillis: wallMillis)
        state.township = try townshipWriter(node: source.node)  // issue 18: nil for a village node
        state.mayHaveParked = try connection.row("SELECT 1 FROM parked LIMIT 1") != nil
        var results: [ChangeResult] = []
        results.reserveCapacity(changes.count)
        var known = try receivedSeqs(node: source.node, among: changes)
        for (i, change) in changes.enumerated() {
            guard change.seq >= 1 else {
                results.append(ChangeResult(seq: change.seq, status: .rejected, code: Rejection.Code.invalidChange.rawValue,
                                            message: "seq must be 1 or more"))
                continue
            }
            let hash = hashes?[i] ?? change.contentHash
            if known.contains(change.seq), let previous = try previousResult(node: source.node, seq: change.seq, hash: hash) {
                results.append(previous)
                continue
            }
            known.insert(change.seq)
            results.append(try reconcileOne(change, hash: hash, prepared: prepared?[i], from: source, state: &state))
        }
        try setMeta("hlc", state.clock.last.description)
        return results
    }

    /// What a batch carries from one change to the next.
    struct BatchState {
        var head: Int64
        var clock: HybridClock
        var wallMillis: Int64
        var mappers: [String: (Int64) -> Int64?] = [:]
        /// Issue 18: a township node's villages (HubStore+Township.swift); nil for a village node.
        var township: TownshipWriter?
        /// False while the hub holds no parked change at all (read once per batch, set when one is parked): the
        /// usual case, where the two parking reads per change are spared.
        var mayHaveParked = true
    }

    /// Reconciles one change that the hub has not taken before (or that was parked).
    func reconcileOne(_ change: Change, hash: String, prepared: PreparedChange? = nil, from source: BatchSource,
                      state: inout BatchState) throws -> ChangeResult {
        let wallMillis = state.wallMillis
        guard change.node == source.node else {
            // Recorded under the sender's seq, never the named node's: no node can spoil another's changes.
            return try reject(change, hash: hash, Rejection(.invalidChange, "change names another node than the session's"),
                              wallMillis, node: source.node)
        }
        guard let t = schema.table(named: change.table), t.name == change.table else {
            return try reject(change, hash: hash, Rejection(code: ValidationIssue.Code.unknownTable.rawValue,
                                                             message: "no table \(change.table)"), wallMillis)
        }
        guard RowID.isValid(change.row) else {
            return try reject(change, hash: hash, Rejection(.invalidChange, "row id is not a UUID"), wallMillis)
        }
        let mapper: (Int64) -> Int64?
        if let m = state.mappers[change.epoch] { mapper = m } else {
            mapper = try baseMapper(for: change.epoch)
            state.mappers[change.epoch] = mapper
        }
        // A node's later change to a row it has a parked change for queues behind it (rule 13).
        if state.mayHaveParked, let ahead = try parkedAhead(of: change, node: source.node) {
            return try park(change, hash: hash, waitsFor: ahead, wallMillis: wallMillis)
        }
        let hseq = state.head + 1
        // Read everything the decision needs (each read throws), decide purely, then apply.
        let current = try row(t, id: change.row)
        var ctx = MergeContext(schema: schema, table: t, writerVillage: source.village, hseq: hseq, mapBase: mapper,
                               facts: try MergeFacts.gather(for: change, onto: current, table: t, schema: schema,
                                                            mapBase: mapper, reads: MergeReader(store: self)))
        ctx.shapeChecked = prepared?.shapeChecked ?? false
        if var w = state.township {  // issue 18: a township node writes its villages (HubStore+Township.swift)
            ctx.writerVillages = try claimScope(change, creates: current == nil, &w, wallMillis: wallMillis)
            state.township = w
        }
        var outcome = Merge.reconcile(change, onto: current, context: ctx)
        // The row the outcome is decided on: the survivor when the change names a merged-away row.
        var decidedOn = current
        if case .redirect(let survivor) = outcome {
            guard let s = try row(t, id: survivor) else {
                return try reject(change, hash: hash, Rejection(.unknownRow, "merged row's survivor is missing"), wallMillis)
            }
            ctx.facts = try MergeFacts.gather(for: change, onto: s, table: t, schema: schema, mapBase: mapper,
                                              reads: MergeReader(store: self))
            ctx.forceReview = true
            outcome = Merge.reconcile(change, onto: s, context: ctx)
            decidedOn = s
        }
        if change.hlc > state.clock.last { state.clock.observe(change.hlc, wallMillis: 0) }
        switch outcome {
        case .reject(let r):
            // A change naming a row or a reference the hub has never seen (possible after
            // a restore) is parked, not rejected, and applied when that row arrives (rule 13).
            if let waitsFor = waitingFor(change, table: t, current: current, rejection: r, facts: ctx.facts) {
                state.mayHaveParked = true
                return try park(change, hash: hash, waitsFor: waitsFor, wallMillis: wallMillis)
            }
            return try reject(change, hash: hash, r, wallMillis)
        case .redirect:
            return try reject(change, hash: hash, Rejection(.unknownRow, "merge chain too long"), wallMillis)
        case .noop:
            try appendLog(change, hseq: hseq, hash: hash, wallMillis: wallMillis, values: prepared?.logValues)
            state.head = hseq
            return ChangeResult(seq: change.seq, status: .applied, hseq: hseq)
        case .apply(let applied):
            // Compared with the survivor, not the loser: a loser in another village must not record a departure
            // of the survivor (which made honest edits of the survivor look out of scope at older bases).
            let ids = try apply(applied, change: change, table: t, previous: decidedOn, hseq: hseq)
            try appendLog(change, hseq: hseq, hash: hash, wallMillis: wallMillis, values: prepared?.logValues)
            state.head = hseq
            if applied.created, state.mayHaveParked { try unpark(RowKey(t.name, change.row), state: &state) }
            return ChangeResult(seq: change.seq, status: ids.isEmpty ? .applied : .conflict, hseq: hseq, conflicts: ids)
        }
    }

    /// The village a row belonged to at `hseq`: the village it left at its first
    /// transfer after `hseq`, or nil when it has not moved since (its current village).
    /// - Throws: `StoreError`.
    func village(of table: String, _ id: String, at hseq: Int64) throws -> String? {
        try connection.row("SELECT village FROM departures WHERE tbl = ?1 AND id = ?2 AND hseq > ?3 ORDER BY hseq LIMIT 1",
                           [.text(table), .text(id), .integer(hseq)])?.optionalText(0)
    }

    /// Writes an accepted outcome: the row, revived references, departures, conflicts.
    /// - Returns: the ids of the conflicts opened.
    func apply(_ a: MergeOutcome.Applied, change: Change?, table t: TableSchema, previous: HubRow?, hseq: Int64) throws -> [Int64] {
        if previous != a.row || a.created {
            // `previous` is the row this change was decided on, read in this transaction (nil when it creates it).
            if let previous, previous.id == a.row.id {
                try writeRow(t, a.row, replacing: previous)
            } else if previous == nil, change != nil {
                // A change decided on no row: the read found none, so the change creates it.
                try writeRow(t, a.row, replacing: nil)
            } else {
                try writeRow(t, a.row)
            }
        }
        let scope = schema.scope
        if let old = previous?.value(scope)?.text, let new = a.row.value(scope)?.text, old != new {
            try connection.run("INSERT INTO departures (hseq, tbl, id, village) VALUES (?1, ?2, ?3, ?4)",
                               [.integer(hseq), .text(t.name), .text(a.row.id), .text(old)])
        }
        for key in a.revive {
            guard let rt = schema.table(named: key.table), var r = try row(rt, id: key.id) else { continue }
            r.deleted = false
            r.deletion = nil
            r.hseq = hseq
            try writeRow(rt, r)
        }
        try closeMootDuplicates(t, row: a.row, previous: previous, hseq: hseq)
        var ids: [Int64] = []
        for c in a.conflicts {
            if let id = try openConflict(c, change: change, hseq: hseq), !ids.contains(id) { ids.append(id) }
        }
        return ids
    }

    func reject(_ change: Change, hash: String, _ r: Rejection, _ wallMillis: Int64, node: String? = nil) throws -> ChangeResult {
        try connection.run("""
            INSERT OR IGNORE INTO rejected (node, seq, hash, code, message, body, received_at)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
            """, [.text(node ?? change.node), .integer(change.seq), .text(hash), .text(r.code), .text(r.message),
                  .text(JSONText.encode(change)), .integer(wallMillis)])
        return ChangeResult(seq: change.seq, status: .rejected, code: r.code, message: r.message)
    }

    /// The `seq`s of a batch the hub has received from the node before (accepted, rejected or parked):
    /// one range read per table instead of three lookups per change.
    func receivedSeqs(node: String, among changes: [Change]) throws -> Set<Int64> {
        guard let lo = changes.map(\.seq).min(), let hi = changes.map(\.seq).max() else { return [] }
        var seen = Set<Int64>()
        for table in ["log", "rejected", "parked"] {
            for r in try connection.rows("SELECT seq FROM \(table) WHERE node = ?1 AND seq BETWEEN ?2 AND ?3",
                                         [.text(node), .integer(lo), .integer(hi)]) {
                seen.insert(try r.int(0))
            }
        }
        return seen
    }

    /// The original result of a `(node, seq)` received before, or a `seq-reused`
    /// refusal when the content differs; nil when it is new.
    func previousResult(node: String, seq: Int64, hash: String) throws -> ChangeResult? {
        try flushLog()
        if let r = try connection.row("SELECT hseq, hash FROM log WHERE node = ?1 AND seq = ?2", [.text(node), .integer(seq)]) {
            guard try r.text(1) == hash else {
                return ChangeResult(seq: seq, status: .rejected, code: Rejection.Code.seqReused.rawValue,
                                    message: "seq \(seq) was already used for another change", resent: true)
            }
            let hseq = try r.int(0)
            let ids = try connection.rows("SELECT id FROM conflicts WHERE incoming_hseq = ?1 ORDER BY id", [.integer(hseq)]).map { try $0.int(0) }
            return ChangeResult(seq: seq, status: ids.isEmpty ? .applied : .conflict, hseq: hseq, conflicts: ids, resent: true)
        }
        if let r = try connection.row("SELECT hash FROM parked WHERE node = ?1 AND seq = ?2", [.text(node), .integer(seq)]) {
            guard try r.text(0) == hash else {
                return ChangeResult(seq: seq, status: .rejected, code: Rejection.Code.seqReused.rawValue,
                                    message: "seq \(seq) was already used for another change", resent: true)
            }
            // Sent again while parked: take it out and try it afresh.
            try connection.run("DELETE FROM parked WHERE node = ?1 AND seq = ?2", [.text(node), .integer(seq)])
            return nil
        }
        if let r = try connection.row("SELECT hash, code, message FROM rejected WHERE node = ?1 AND seq = ?2",
                                      [.text(node), .integer(seq)]) {
            guard try r.text(0) == hash else {
                return ChangeResult(seq: seq, status: .rejected, code: Rejection.Code.seqReused.rawValue,
                                    message: "seq \(seq) was already used for another change", resent: true)
            }
            return ChangeResult(seq: seq, status: .rejected, code: try r.text(1), message: try r.text(2), resent: true)
        }
        return nil
    }
}
