import Foundation
import HamletCore
import HamletTestSupport
import Testing
@testable import HamletStore

/// Issue 17 item 2: a batch reads the rows it names together and answers the merge from that copy, kept as the
/// batch writes. The oracle is the same hub without the copy (a read per change): every batch must get the same
/// results and leave the same rows, on a generated village's register with creates, edits of rows written earlier
/// in the same batch, concurrent edits from a second node, deletes of referenced rows and revivals.
struct BatchRowCacheTests {
    struct Writer {
        var node: String
        var seq: Int64 = 0
        var clock: Int64 = 0
        mutating func change(_ t: String, _ row: String, _ op: ChangeOp, _ values: Fields, base: Int64) -> Change {
            seq += 1
            clock += 1
            return Change(node: node, seq: seq, table: t, row: row, op: op, values: values,
                          bases: values.mapValues { _ in base }, rowBase: base,
                          hlc: HLC(wall: 1_700_000_000_000 + clock, counter: 0, node: node), author: "测试员", epoch: "")
        }
    }

    @Test("seeded: batches with the row copy and the log written together get the results, rows and log of batches without")
    func cachedEqualsUncached() throws {
        let seed = ProcessInfo.processInfo.environment["HAMLET_SEED"].flatMap(UInt64.init) ?? UInt64.random(in: 1...UInt64.max)
        print("BatchRowCacheTests seed: \(seed) (HAMLET_SEED=\(seed) replays it)")
        var rng = SeedRandom(seed: seed)
        let township = SeedGenerator(seed: seed % 1_000, villages: ["北赵"], peoplePerVillage: 40).generate()
        let dirs = (TempDir("rows-cached"), TempDir("rows-read"))
        defer { dirs.0.remove(); dirs.1.remove() }
        let cached = try HubStore.create(directory: dirs.0.path)
        let read = try HubStore.create(directory: dirs.1.path)
        read.batchRowCache = false
        read.batchLogRows = false
        var pending: [Change] = []
        var a = Writer(node: "beizhao"), b = Writer(node: "beizhao-2")
        var live: [(table: String, id: String, values: Fields)] = []
        var hseqOf: [String: Int64] = [:]
        var statuses: [String: Int] = [:]
        func flush(_ w: String) throws {
            guard !pending.isEmpty else { return }
            // Now and then a change sent twice in one batch: the second gets the first's result from the log.
            if rng.next() % 4 == 0, let again = pending.randomElement(using: &rng) { pending.append(again) }
            let source = BatchSource(node: w, village: "北赵")
            let r1 = try cached.reconcile(pending, from: source, wallMillis: 1)
            let r2 = try read.reconcile(pending, from: source, wallMillis: 1)
            #expect(r1 == r2, "seed \(seed)")
            for (c, r) in zip(pending, r1) {
                if let h = r.hseq { hseqOf[c.row] = h }
                statuses[r.status.rawValue, default: 0] += 1
            }
            pending = []
        }
        for table in ["households", "people", "events", "visits", "pregnancies"] {
            guard let t = cached.schema.table(named: table) else { continue }
            for row in township.rows(table) {
                var values = Township.fields(of: row, table: t).filter { !$0.value.isNull }
                if table == "households" { values["head"] = nil }
                let id = row["id"] ?? ""
                pending.append(a.change(table, id, .put, values, base: 0))
                live.append((table, id, values))
                // Now and then: an edit of a row this batch (or an earlier one) wrote, by the same node…
                if rng.next() % 5 == 0, let (tt, target, v) = live.randomElement(using: &rng), let f = v.keys.sorted().first(where: { $0 == "phone" || $0 == "address" || $0 == "result" || $0 == "detail" }) {
                    pending.append(a.change(tt, target, .put, [f: .text("改\(rng.next() % 100)")], base: hseqOf[target] ?? 0))
                }
                // …a delete (of rows others reference too: the delete conflict keeps them)…
                if rng.next() % 23 == 0, let (tt, target, _) = live.randomElement(using: &rng) {
                    pending.append(a.change(tt, target, .delete, [:], base: hseqOf[target] ?? 0))
                }
                if pending.count >= 1 + Int(rng.next() % 60) { try flush(a.node) }
                // …and a second node's concurrent edits at stale bases, in batches of its own.
                if rng.next() % 9 == 0, let (tt, target, v) = live.randomElement(using: &rng), v["village"] != nil {
                    try flush(a.node)
                    let field = tt == "people" ? "phone" : tt == "households" ? "address" : v.keys.sorted().first { $0 == "result" || $0 == "detail" }
                    if let field {
                        pending.append(b.change(tt, target, .put, [field: .text(tt == "people" ? "1390000\(1000 + rng.next() % 8999)" : "乙\(rng.next() % 9)")],
                                                base: max(0, (hseqOf[target] ?? 1) - 1)))
                        try flush(b.node)
                    }
                }
            }
        }
        try flush(a.node)
        print("BatchRowCacheTests: \(statuses.sorted { $0.key < $1.key })")
        #expect((statuses["conflict"] ?? 0) > 0 && (statuses["applied"] ?? 0) > 100)
        #expect(try cached.head() == read.head() && cached.head() > 100)
        #expect(try cached.fullDigest(village: "北赵") == read.fullDigest(village: "北赵"))
        #expect(try cached.digest(village: "北赵") == cached.fullDigest(village: "北赵"))
        for t in cached.schema.tables {
            let all = "SELECT \(SchemaSQL.columns(t, extra: HubStore.rowMeta)) FROM \(SchemaSQL.quote(t.name)) ORDER BY id"
            #expect(try cached.connection.rows(all).map(\.values) == read.connection.rows(all).map(\.values), "\(t.name), seed \(seed)")
        }
        let log = "SELECT * FROM log ORDER BY hseq"
        #expect(try cached.connection.rows(log).map(\.values) == read.connection.rows(log).map(\.values), "log, seed \(seed)")
        let conflicts = "SELECT kind, tbl, row_id, field, status FROM conflicts ORDER BY id"
        #expect(try cached.connection.rows(conflicts).map(\.values) == read.connection.rows(conflicts).map(\.values))
    }
}
