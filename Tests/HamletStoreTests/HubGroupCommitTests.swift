import Foundation
import HamletCore
import HamletTestSupport
import Testing
@testable import HamletStore

/// Issue 17, item 3: group commit. Batches reconciled together in one transaction must give every batch exactly
/// what it would have got alone, in the same order, and leave the same store.
@Suite struct HubGroupCommitTests {
    static let sources = [BatchSource(node: "w1", village: "西村"), BatchSource(node: "w2", village: "西村"),
                          BatchSource(node: "e1", village: "东村"), BatchSource(node: "e2", village: "东村")]

    static func id(_ n: Int) -> String {
        "01900000-0000-7000-8000-\(String(repeating: "0", count: 12 - String(n).count))\(n)"
    }

    /// A random batch for `source`: new households in its village, edits of earlier ones (some its own, some the
    /// other village's: out of scope), sometimes a seq gap or a re-send.
    static func batch(_ source: BatchSource, next: inout Int64, rows: inout [(Int, String)], rng: inout SeedRandom) -> [Change] {
        var out: [Change] = []
        let firstSeq = rng.next() % 8 == 0 ? max(1, next - 2) : next    // a re-send of the last two
        var seq = firstSeq
        for _ in 0..<(1 + Int(rng.next() % 6)) {
            let edit = !rows.isEmpty && rng.next() % 2 == 0
            let n: Int
            let village: String
            if edit {
                (n, village) = rows[Int(rng.next() % UInt64(rows.count))]
            } else {
                n = rows.count + 1
                village = source.village
                rows.append((n, village))
            }
            var values: Fields = edit ? ["address": .text("\(village)\(rng.next() % 50)号")]
                                      : ["village": .text(village), "address": .text("\(village)\(n)号")]
            // Now and then a change of the wrong shape: the worker's check and the writer's must refuse it alike.
            switch rng.next() % 16 {
            case 0: values["no_such_field"] = .text("x")
            case 1: values["address"] = .integer(7)
            case 2: values["address"] = .text(" 前后有空格 ")
            default: break
            }
            out.append(Change(node: source.node, seq: seq, table: "households", row: id(n), op: .put, values: values,
                              bases: values.mapValues { _ in 0 }, rowBase: 0,
                              hlc: HLC(wall: 1_000 + seq, counter: 0, node: source.node), author: "测试员", epoch: ""))
            seq += 1
        }
        if rng.next() % 10 == 0, out.count > 1 { out.remove(at: 0) }    // a gap (unless it was a re-send)
        if firstSeq == next || out.first?.seq == next { next = max(next, seq) }
        return out
    }

    @Test("seeded: groups of random batches give each batch the results and the store it gets alone")
    func groupEqualsOneByOne() throws {
        let seed = UInt64(ProcessInfo.processInfo.environment["HAMLET_GROUP_SEED"] ?? "") ?? 17
        print("group commit seed: \(seed) (HAMLET_GROUP_SEED)")
        var rng = SeedRandom(seed: seed)
        let dirA = TempDir("hub-group"), dirB = TempDir("hub-alone")
        defer { dirA.remove(); dirB.remove() }
        let grouped = try HubStore.create(directory: dirA.path)
        let alone = try HubStore.create(directory: dirB.path)
        var next: [String: Int64] = [:]
        var rows: [(Int, String)] = []
        var gaps = 0, conflicts = 0
        for round in 0..<60 {
            var group: [PushBatch] = []
            for _ in 0..<(1 + Int(rng.next() % 6)) {
                let s = Self.sources[Int(rng.next() % UInt64(Self.sources.count))]
                var n = next[s.node, default: 1]
                let changes = Self.batch(s, next: &n, rows: &rows, rng: &rng)
                // Prepared on the "worker" against the store's schema, as the hub's sessions do, or not at all.
                group.append(PushBatch(changes: changes, source: s, wallMillis: Int64(round),
                                       schema: rng.next() % 4 == 0 ? nil : grouped.schema))
                // A batch refused for a gap moves nothing forward: recompute from what the store will take.
                next[s.node] = n
            }
            let together = try grouped.reconcile(group: group)
            for (b, got) in zip(group, together) {
                let expected: Result<[ChangeResult], any Error>
                do { expected = .success(try alone.reconcile(b.changes, from: b.source, wallMillis: b.wallMillis)) } catch { expected = .failure(error) }
                switch (got, expected) {
                case (.success(let g), .success(let e)):
                    #expect(g == e, "round \(round), node \(b.source.node)")
                    conflicts += g.filter { $0.status == .conflict }.count
                case (.failure(let g as SeqGap), .failure(let e as SeqGap)):
                    #expect(g.expected == e.expected)
                    gaps += 1
                default:
                    Issue.record("round \(round): grouped \(got), alone \(expected)")
                }
            }
            // Keep the generator's idea of each node's next seq honest after refusals.
            for s in Self.sources { next[s.node] = try grouped.lastSeq(node: s.node) + 1 }
        }
        #expect(try grouped.head() == alone.head())
        for v in ["西村", "东村"] {
            #expect(try grouped.digest(village: v) == alone.digest(village: v))
            #expect(try grouped.digest(village: v) == grouped.fullDigest(village: v), "the maintained digest survives savepoints")
        }
        let refused = try alone.connection.scalar("SELECT count(*) FROM rejected").integer ?? 0
        print("group commit: head \(try grouped.head()), \(gaps) batches refused for a gap, \(conflicts) conflicts, \(refused) changes refused")
        #expect(gaps > 0 && conflicts >= 0 && refused > 0)
    }

    @Test("a batch refused inside a group leaves nothing, and the batches around it commit")
    func refusedBatchInTheMiddle() throws {
        let dir = TempDir("hub-group")
        defer { dir.remove() }
        let h = try HubStore.create(directory: dir.path)
        func put(_ s: BatchSource, _ seq: Int64, _ n: Int) -> Change {
            Change(node: s.node, seq: seq, table: "households", row: Self.id(n), op: .put,
                   values: ["village": .text(s.village), "address": .text("\(s.village)\(n)号")], bases: ["village": 0, "address": 0],
                   rowBase: 0, hlc: HLC(wall: Int64(n), counter: 0, node: s.node), author: "测试员", epoch: "")
        }
        let w1 = Self.sources[0], e1 = Self.sources[2]
        let results = try h.reconcile(group: [
            PushBatch(changes: [put(w1, 1, 1)], source: w1, wallMillis: 0),
            PushBatch(changes: [put(e1, 2, 2)], source: e1, wallMillis: 0),     // e1 has sent nothing: seq 2 is a gap
            PushBatch(changes: [put(e1, 1, 3), put(w1, 2, 4)], source: e1, wallMillis: 0),
        ])
        #expect((try? results[0].get())?.map(\.status) == [.applied])
        guard case .failure(let gap as SeqGap) = results[1] else { Issue.record("no gap: \(results[1])"); return }
        #expect(gap.expected == 1)
        #expect((try? results[2].get())?.map(\.status) == [.applied, .rejected], "e1's change naming w1 is refused alone")
        #expect(try h.head() == 2)
        #expect(try h.lastSeq(node: "e1") == 2 && h.lastSeq(node: "w1") == 1)
    }
}
