import Foundation
import HamletCore
import HamletTestSupport
import Testing
@testable import HamletStore

/// `recordResults` writes the hub's results many to a statement (issue 17): on random replicas (pulled rows, local
/// inserts, edits and deletions, known conflict outcomes) and random results (every status, hseqs on both sides of
/// the cursor, repeated and unknown seqs, conflicts, notes), the replica it leaves must be the one the one-row-at-a-time
/// recording (kept here as `recordOneByOne`) leaves, table by table and row by row.
@Suite struct ReplicaRecordResultsTests {

    /// The recording as it was before issue 17: one `UPDATE` per result, each rebuild right after its own update.
    static func recordOneByOne(_ r: Replica, _ results: [ChangeResult], wallMillis: Int64) throws {
        try r.connection.transaction {
            let info = try r.info()
            for res in results {
                let state: String
                switch res.status {
                case .applied: state = "accepted"
                case .conflict: state = "conflicted"
                case .rejected: state = "rejected"
                case .parked:
                    try r.connection.run("UPDATE _changes SET code = ?2, message = ?3 WHERE seq = ?1 AND state = 'pending'",
                                         [.integer(res.seq), res.code.map { .text($0) } ?? .null, res.message.map { .text($0) } ?? .null])
                    continue
                }
                let conflicts: Value = res.conflicts.isEmpty ? .null : .text(JSONText.encode(res.conflicts))
                try r.forgetOutcomes(res.conflicts)
                try r.connection.run("""
                    UPDATE _changes SET state = ?2, hseq = ?3, code = ?4, message = ?5, conflicts = ?6, acked_at = ?7
                    WHERE seq = ?1
                    """, [.integer(res.seq), .text(state), res.hseq.map { .integer($0) } ?? .null,
                          res.code.map { .text($0) } ?? .null, res.message.map { .text($0) } ?? .null, conflicts,
                          .integer(wallMillis)])
                if res.status == .rejected || (res.hseq ?? Int64.max) <= info.cursor,
                   let row = try r.connection.row("SELECT tbl, row_id FROM _changes WHERE seq = ?1", [.integer(res.seq)]),
                   let t = r.schema.table(named: try row.text(0)) {
                    try r.rebuildVisible(t, id: try row.text(1), cursor: info.cursor, node: info.node)
                }
            }
        }
    }

    /// Every row of every table, as text, sorted: two replicas with equal dumps hold the same.
    static func dump(_ r: Replica) throws -> [String: [String]] {
        var out: [String: [String]] = [:]
        for t in try r.connection.rows("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name") {
            let name = try t.text(0)
            out[name] = try r.connection.rows("SELECT * FROM \"\(name)\"").map { "\($0.values)" }.sorted()
        }
        return out
    }

    /// A replica built from `seed`: households pulled up to hseq 40 (the cursor), then local inserts, edits and
    /// deletions of pulled and new rows, and outcomes known for conflicts 1…30. The same seed builds the same replica.
    static func makeReplica(_ dir: String, seed: UInt64) throws -> Replica {
        var rng = SplitMix(state: seed)
        let r = try Replica.create(directory: dir, node: "beizhao", village: "北赵", hub: nil, secretFile: nil)
        var ids: [String] = []
        var items: [PullItem] = []
        for hseq in Int64(1)...40 {
            let id = RowID.make(unixMillis: 1_700_000_000_000 + hseq, using: &rng)
            ids.append(id)
            items.append(.put(RowState(table: "households", id: id, values: ["village": .text("北赵"), "address": .text("旧址\(hseq)")],
                                       versions: ["village": hseq, "address": hseq], deleted: false, mergedInto: nil, hseq: hseq)))
        }
        try r.applyPage(items, cursor: 40, hubClock: nil, wallMillis: 1)
        try r.recordOutcomes((1...30).map { ConflictOutcome(id: $0, kind: "field", status: $0 % 2 == 0 ? "open" : "resolved") },
                             wallMillis: 2)
        var live = Set(ids)
        for n in 0..<(60 + rng.below(60)) {
            let wall = Int64(1_700_000_100_000 + n)
            switch rng.below(4) {
            case 0:
                let id = RowID.make(unixMillis: wall, using: &rng)
                _ = try r.insert(table: "households", id: id, values: ["address": .text("新址\(n)")], author: "t", wallMillis: wall, rng: &rng)
                ids.append(id)
                live.insert(id)
            case 1 where !live.isEmpty:
                let id = live.sorted()[rng.below(live.count)]
                _ = try r.delete(table: "households", id: id, author: "t", wallMillis: wall)
                live.remove(id)
            default:
                guard !live.isEmpty else { continue }
                let id = live.sorted()[rng.below(live.count)]
                let values: Fields = rng.below(3) == 0 ? ["phone": .text("1390000\(String(format: "%04d", n))")] : ["address": .text("改址\(n)")]
                _ = try r.update(table: "households", id: id, values: values, author: "t", wallMillis: wall)
            }
        }
        return r
    }

    /// Random results for the pending changes, in batches as pushes send them.
    static func makeBatches(_ pending: [Int64], _ rng: inout SplitMix) -> [[ChangeResult]] {
        var batches: [[ChangeResult]] = []
        var rest = pending[...]
        var hseq: Int64 = 41
        while !rest.isEmpty {
            let take = min(rest.count, 1 + rng.below(rng.below(4) == 0 ? 300 : 40))
            var batch: [ChangeResult] = []
            for seq in rest.prefix(take) {
                let statuses: [ChangeResult.Status] = [.applied, .applied, .applied, .conflict, .rejected, .parked]
                let status = statuses[rng.below(statuses.count)]
                // Mostly past the cursor (40); sometimes at or below it (an ack lost and re-sent), or none at all.
                let h: Int64? = switch rng.below(8) {
                case 0: Int64(1 + rng.below(40))
                case 1: nil
                default: { hseq += 1; return hseq }()
                }
                let conflicts = status == .conflict ? (0..<rng.below(3)).map { _ in Int64(1 + rng.below(35)) } : []
                let note = status == .rejected || status == .parked || rng.below(10) == 0
                batch.append(ChangeResult(seq: seq, status: status, hseq: status == .rejected || status == .parked ? nil : h,
                                          conflicts: conflicts, code: note ? "code\(rng.below(3))" : nil,
                                          message: note ? "message \(rng.below(3))" : nil))
                // A seq answered twice, or one this node never sent.
                if rng.below(25) == 0 {
                    let again = statuses[rng.below(statuses.count)]
                    batch.append(ChangeResult(seq: seq, status: again, hseq: again == .applied ? 900 + seq : nil, code: "again", message: "twice"))
                }
                if rng.below(40) == 0 { batch.append(ChangeResult(seq: 9_000 + seq, status: .applied, hseq: 5)) }
            }
            batches.append(batch)
            rest = rest.dropFirst(take)
        }
        return batches
    }

    @Test(arguments: 0..<6) func batchedRecordingLeavesWhatOneByOneLeft(round: Int) throws {
        let seed = ReplicaPullPageTests.seed &+ UInt64(round)
        print("ReplicaRecordResultsTests seed: \(seed) (HAMLET_SEED=\(seed &- UInt64(round)) replays the run)")
        let dir = TempDir("record-results")
        defer { dir.remove() }
        let fast = try Self.makeReplica(dir.path + "/fast", seed: seed)
        let slow = try Self.makeReplica(dir.path + "/slow", seed: seed)
        #expect(try Self.dump(fast) == Self.dump(slow), "seed \(seed): the two replicas differ before recording")
        let pending = try fast.pendingChanges(limit: 10_000).map(\.seq)
        var rng = SplitMix(state: seed ^ 0x5EED)
        for (n, batch) in Self.makeBatches(pending, &rng).enumerated() {
            try fast.recordResults(batch, wallMillis: 3 + Int64(n))
            try Self.recordOneByOne(slow, batch, wallMillis: 3 + Int64(n))
        }
        let (a, b) = (try Self.dump(fast), try Self.dump(slow))
        for table in Set(a.keys).union(b.keys).sorted() {
            let (x, y) = (Set(a[table] ?? []), Set(b[table] ?? []))
            #expect(a[table] == b[table], "seed \(seed): table \(table): batched only \(x.subtracting(y).sorted()), one by one only \(y.subtracting(x).sorted())")
        }
        #expect(try fast.digest() == fast.fullDigest(), "seed \(seed)")
    }
}
