import HamletCore
import HamletTestSupport
import Testing
@testable import HamletStore

/// Issue 10, items 1 and 5: a change's identity is the session's node, seqs continue the
/// received prefix, and a read or write failure anywhere in a batch commits nothing.
@Suite struct HubSeqRuleTests {
    let w1 = BatchSource(node: "w1", village: "西村")
    let w2 = BatchSource(node: "w2", village: "西村")

    func household(_ s: BatchSource, _ seq: Int64, _ n: Int, node: String? = nil) -> Change {
        let id = "01900000-0000-7000-8000-\(String(repeating: "0", count: 12 - String(n).count))\(n)"
        return Change(node: node ?? s.node, seq: seq, table: "households", row: id, op: .put,
                      values: ["village": .text(s.village), "address": .text("西村\(n)号")], bases: ["village": 0, "address": 0],
                      rowBase: 0, hlc: HLC(wall: Int64(n), counter: 0, node: node ?? s.node), author: "测试员", epoch: "")
    }

    @Test func aForgedChangeNeverSpoilsTheNamedNodesSeq() throws {
        let dir = TempDir("hub")
        defer { dir.remove() }
        let h = try HubStore.create(directory: dir.path)
        _ = try h.reconcile([household(w2, 1, 1)], from: w2, wallMillis: 0)
        // w1, logged in as itself, sends a change naming w2 with w2's next seq.
        let forged = try h.reconcile([household(w1, 1, 9, node: "w2"), ], from: w1, wallMillis: 0)
        #expect(forged[0].status == .rejected && forged[0].code == "invalid-change")
        #expect(try h.lastSeq(node: "w1") == 1, "the forgery used the sender's seq")
        #expect(try h.lastSeq(node: "w2") == 1)
        // w2's real change with that seq lands.
        let real = try h.reconcile([household(w2, 2, 2)], from: w2, wallMillis: 0)
        #expect(real[0].status == .applied)
        #expect(try h.lastSeq(node: "w2") == 2)
    }

    @Test func seqsBelowOneAreRejectedAloneAndRecordedNowhere() throws {
        let dir = TempDir("hub")
        defer { dir.remove() }
        let h = try HubStore.create(directory: dir.path)
        let r = try h.reconcile([household(w1, 0, 1), household(w1, -3, 2), household(w1, 1, 3)], from: w1, wallMillis: 0)
        #expect(r.map(\.status) == [.rejected, .rejected, .applied])
        #expect(r[0].code == "invalid-change" && r[1].code == "invalid-change")
        #expect(try h.lastSeq(node: "w1") == 1)
        #expect(try h.head() == 1)
    }

    @Test(arguments: [[2], [1, 3], [2, 1], [1, 2, 4, 3]])
    func aGapRefusesTheWholeBatch(seqs: [Int64]) throws {
        let dir = TempDir("hub")
        defer { dir.remove() }
        let h = try HubStore.create(directory: dir.path)
        let batch = seqs.enumerated().map { household(w1, $0.element, $0.offset + 1) }
        #expect(throws: SeqGap.self) { try h.reconcile(batch, from: w1, wallMillis: 0) }
        #expect(try h.head() == 0, "nothing of the batch was applied")
        #expect(try h.lastSeq(node: "w1") == 0)
        // In order, the same changes are taken.
        let sorted = batch.sorted { $0.seq < $1.seq }.filter { $0.seq <= Int64(batch.count) }
        let ok = try h.reconcile(sorted.enumerated().map { household(w1, Int64($0.offset + 1), $0.offset + 1) }, from: w1, wallMillis: 0)
        #expect(ok.allSatisfy { $0.status == .applied })
    }

    @Test func theGapNamesTheExpectedSeqAndResendsStayExact() throws {
        let dir = TempDir("hub")
        defer { dir.remove() }
        let h = try HubStore.create(directory: dir.path)
        let first = try h.reconcile([household(w1, 1, 1), household(w1, 2, 2)], from: w1, wallMillis: 0)
        do {
            _ = try h.reconcile([household(w1, 2, 2), household(w1, 4, 4)], from: w1, wallMillis: 0)
            Issue.record("a gap was taken")
        } catch let gap as SeqGap {
            #expect(gap.expected == 3)
        }
        // A re-send of 1…2 with the next one is fine; the re-sent ones get their original results.
        let again = try h.reconcile([household(w1, 1, 1), household(w1, 2, 2), household(w1, 3, 3), household(w1, 3, 3)],
                                    from: w1, wallMillis: 0)
        #expect(again[0].hseq == first[0].hseq && again[0].resent && again[1].resent)
        #expect(again[2].status == .applied && again[3].resent && again[3].hseq == again[2].hseq)
        #expect(try h.head() == 3)
    }

    @Test func aLegacyHoleIsReportedAsTheEndOfThePrefixAndCanBeFilled() throws {
        let dir = TempDir("hub")
        defer { dir.remove() }
        let h = try HubStore.create(directory: dir.path)
        _ = try h.reconcile([household(w1, 1, 1)], from: w1, wallMillis: 0)
        // A hub before the seq rules took seq 3 without 2: write it the way it did.
        try h.connection.run("UPDATE log SET seq = 3 WHERE node = 'w1' AND seq = 1")
        _ = try h.reconcile([household(w1, 1, 5)], from: w1, wallMillis: 0)
        #expect(try h.lastSeq(node: "w1") == 1, "welcome.last_seq is the contiguous prefix")
        let fill = try h.reconcile([household(w1, 2, 2)], from: w1, wallMillis: 0)
        #expect(fill[0].status == .applied)
        #expect(try h.lastSeq(node: "w1") == 3)
    }

    /// A hub with a household and a person of 西村 written by w1 (seqs 1–2) and w2's concurrent phone (w2 seq 1).
    func seeded(_ path: String) throws -> HubStore {
        let h = try HubStore.create(directory: path)
        let hh = household(w1, 1, 1)
        let person = Change(node: "w1", seq: 2, table: "people", row: personID, op: .put,
                            values: ["village": .text("西村"), "household": .text(hh.row), "name": .text("张丽"), "sex": .text("F"),
                                     "birth_date": .text("1990-03-02"), "national_id": .text("370481199003021224"),
                                     "phone": .text("13800000000")],
                            bases: [:], rowBase: 0, hlc: HLC(wall: 2, counter: 0, node: "w1"), author: "测试员", epoch: "")
        _ = try h.reconcile([hh, person], from: w1, wallMillis: 0)
        _ = try h.reconcile([edit(w2, 1, ["phone": .text("13900000000")], base: 2)], from: w2, wallMillis: 0)
        return h
    }

    let personID = "01900000-0000-7000-8000-0000000000a1"

    func edit(_ s: BatchSource, _ seq: Int64, _ values: Fields, base: Int64, op: ChangeOp = .put, table: String = "people",
              row: String? = nil) -> Change {
        Change(node: s.node, seq: seq, table: table, row: row ?? personID, op: op, values: values, bases: values.mapValues { _ in base },
               rowBase: base, hlc: HLC(wall: 10 + seq, counter: 0, node: s.node), author: "测试员", epoch: "")
    }

    /// A batch that makes the merge read every kind of fact: references, holders of an ID,
    /// the village at a base, a value at a base, referrers of a deleted row.
    func factBatch() -> [Change] {
        let event = Change(node: "w1", seq: 5, table: "events", row: "01900000-0000-7000-8000-0000000000e1", op: .put,
                           values: ["village": .text("西村"), "person": .text(personID), "kind": .text("marriage"),
                                    "date": .text("2012-05-01")],
                           bases: [:], rowBase: 0, hlc: HLC(wall: 15, counter: 0, node: "w1"), author: "测试员", epoch: "")
        return [household(w1, 3, 3),
                edit(w1, 4, ["phone": .text("13800000000"), "national_id": .text("370481199003021224")], base: 2),
                event,
                edit(w1, 6, [:], base: 3, op: .delete, table: "households", row: household(w1, 3, 3).row)]
    }

    @Test func aReadFailureAtAnySiteRollsTheBatchBackWhole() throws {
        // Every statement a reconcile prepares, failed one at a time, leaves the store as it was.
        let dir = TempDir("hub")
        defer { dir.remove() }
        let h = try seeded(dir.path)
        var seen: [String] = []
        h.connection.injectFault = { sql in
            if !seen.contains(sql) { seen.append(sql) }
            return false
        }
        let results = try h.reconcile(factBatch(), from: w1, wallMillis: 0)
        h.connection.injectFault = nil
        #expect(results.allSatisfy { $0.status != .rejected }, "\(results)")
        for read in ["FROM departures", "_deleted = 0 ORDER BY id", "SELECT vals FROM log WHERE hseq", "_deleted = 0 LIMIT",
                     "SELECT _deleted, _merged_into"] {
            #expect(seen.contains { $0.contains(read) }, "the batch never read \(read)")
        }
        for (i, site) in seen.enumerated() {
            let d = TempDir("hub-fault")
            defer { d.remove() }
            let f = try seeded(d.path)
            let before = try f.head()
            f.connection.injectFault = { $0 == site }
            #expect(throws: StoreError.self, "site \(i)") { try f.reconcile(factBatch(), from: w1, wallMillis: 0) }
            f.connection.injectFault = nil
            #expect(try f.head() == before, "site \(i) committed part of a batch")
            #expect(try f.lastSeq(node: "w1") == 2)
            #expect(try f.reconcile(factBatch(), from: w1, wallMillis: 0) == results, "site \(i)")
        }
    }

    @Test func aTransactionSQLiteRolledBackOnItsOwnIsReported() throws {
        let dir = TempDir("conn")
        defer { dir.remove() }
        let c = try Connection(path: dir.path + "/t.sqlite")
        try c.execute("CREATE TABLE t (x INTEGER)")
        #expect(throws: StoreError.self) {
            try c.transaction {
                try c.run("INSERT INTO t VALUES (1)")
                // SQLite ends the transaction itself; a caller that swallows it must not go on committing.
                try? c.execute("ROLLBACK")
                try c.run("INSERT INTO t VALUES (2)")
            }
        }
        #expect(try c.scalar("SELECT count(*) FROM t") == .integer(0), "nothing committed outside the transaction")
    }
}
