import Foundation
import HamletCore
import HamletStore
import Testing

/// A registered node that logs in as itself and misbehaves (a stolen laptop, a buggy
/// client): it forges changes naming honest nodes, sends gaps, descending and
/// non-positive `seq`s, and re-sends its own `seq`s with other content, mixed with
/// ordinary changes of its own. It keeps no replica: it builds changes by hand.
struct HostileNode {
    static let id = "h1"
    let village: String
    var clock = HybridClock(node: HostileNode.id)
    /// The highest `seq` the hub should hold from this node by the seq rules: the model
    /// the hub's `lastSeq` is checked against.
    var highest: Int64 = 0
    /// Every change the hub holds under this node's id, with its first result.
    var held: [Int64: (change: Change, result: ChangeResult)] = [:]
    /// Content hashes of the changes it forged (naming another node).
    var forged: Set<String> = []
    /// What a restore lost of the changes it sent, in `seq` order: sent again at its next session.
    var resend: [Change] = []

    init(village: String) { self.village = village }

    /// Whether the rules refuse a batch as a gap (DESIGN rule 11, PROTOCOL.md §7), written from
    /// the rule's text: a held `seq` (or one earlier in the batch) is a re-send, a `seq` below 1
    /// is refused alone, any other `seq` must be the next one.
    /// - Returns: the `seq` the hub should name as expected (the one after `highest`: nothing of a
    ///   refused batch is taken, so the node pushes again from there), or nil when the batch is in order.
    static func gap(in seqs: [Int64], highest: Int64) -> Int64? {
        var held = highest
        for s in seqs where s >= 1 {
            if s <= held { continue }
            if s != held + 1 { return highest + 1 }
            held = s
        }
        return nil
    }
}

extension Simulation {
    /// One misdeed (or an honest-looking change) of the hostile node, pushed at once.
    mutating func hostileStep() throws {
        if !hostile.resend.isEmpty { return try hostileResend() }
        let next = hostile.highest + 1
        var batch: [Change] = []
        switch rng.below(10) {
        case 0, 1:
            // Ordinary changes of its own, so it has seqs to re-send and rows in play.
            for k in 0..<Int64(rng.int(1...3)) { batch.append(try hostileOwn(seq: next + k)) }
        case 2, 3:
            // (a) A forgery naming an honest node with one of its not-yet-pushed seqs, alone or after an own change.
            if rng.chance(30) { batch.append(try hostileOwn(seq: next)) }
            batch.append(try forgery(seq: nil))
        case 4:
            // (a) A forgery carrying the sender's own next seq: it passes the order check and must be
            // rejected under the sender's seq, never the named node's.
            batch.append(try forgery(seq: next))
            if rng.chance(50) { batch.append(try hostileOwn(seq: next + 1)) }
        case 5:
            // (b) A gap, perhaps after an in-order change (nothing of the batch may land).
            if rng.chance(50) { batch.append(try hostileOwn(seq: next)) }
            batch.append(try hostileOwn(seq: next + Int64(batch.count) + Int64(rng.int(1...5))))
        case 6:
            // (b) Descending.
            batch = [try hostileOwn(seq: next + 1), try hostileOwn(seq: next)]
        case 7:
            // (b) seq 0 or negative, mixed with an in-order change: refused alone, recorded nowhere.
            let bad = try hostileOwn(seq: rng.pick([0, -1, -Int64(rng.int(2...1_000))]))
            let good = try hostileOwn(seq: next)
            batch = rng.chance(50) ? [bad, good] : [good, bad]
        default:
            // (c) Re-sends one of its own seqs: with other content (seq-reused), or the same (original result).
            let seqs = hostile.held.keys.sorted()
            guard !seqs.isEmpty else { return }
            var c = try #require(hostile.held[rng.pick(seqs)]).change
            if rng.chance(75) {
                c.author = "改写-\(rng.int(1...99))"
                c.hlc = hostile.clock.tick(wallMillis: clock)
            }
            batch = [c]
            if rng.chance(30) { batch.append(try hostileOwn(seq: next)) }
        }
        try sendHostile(batch)
    }

    /// An ordinary change of the hostile node: a household of its village, or an edit of a live
    /// row of its village made on the hub's current versions.
    mutating func hostileOwn(seq: Int64) throws -> Change {
        let epoch = try hub.epoch()
        let stamp = hostile.clock.tick(wallMillis: clock)
        let author = "clerk-\(HostileNode.id)"
        if rng.chance(50), let t = hub.schema.table(named: rng.chance(70) ? "people" : "households") {
            let live = try hub.snapshot(village: hostile.village, table: t, afterID: "", limit: 100_000).filter { !$0.deleted }
            if !live.isEmpty {
                let row = live[rng.below(live.count)]
                let values = randomEdit(table: t.name).filter { $0.key != "name" }
                if !values.isEmpty {
                    return Change(node: HostileNode.id, seq: seq, table: t.name, row: row.id, op: .put, values: values,
                                  bases: Dictionary(uniqueKeysWithValues: values.keys.map { ($0, row.versions[$0] ?? 0) }),
                                  rowBase: row.hseq, hlc: stamp, author: author, epoch: epoch)
                }
            }
        }
        let values: Fields = ["village": .text(hostile.village), "address": .text("\(rng.int(1...99))号")]
        return Change(node: HostileNode.id, seq: seq, table: "households", row: RowID.make(unixMillis: clock, using: &rng),
                      op: .put, values: values, bases: values.mapValues { _ in 0 }, rowBase: 0, hlc: stamp, author: author,
                      epoch: epoch)
    }

    /// A change naming an honest node: a copy (exact, or altered) of one of its pending changes the hub has not
    /// received yet, or a made-up household with the node's next seq. `seq` nil keeps the honest node's seq.
    mutating func forgery(seq: Int64?) throws -> Change {
        let victim = nodes[rng.below(nodes.count)]
        let unpushed = try victim.replica.pendingChanges(limit: 1_000).filter { !(pushed[victim.id]?.contains($0.seq) ?? false) }
        var c: Change
        if let copy = unpushed.isEmpty ? nil : unpushed[rng.below(unpushed.count)] {
            c = copy
            if rng.chance(60) {
                c.author = "冒名"
                if c.op == .put, let f = c.values.keys.sorted().first(where: { ["name", "address", "phone"].contains($0) }) {
                    c.values[f] = f == "phone" ? .text("13000000000") : .text(f == "name" ? "冒名" : "冒名1号")
                }
            }
        } else {
            let values: Fields = ["village": .text(victim.village), "address": .text("冒名\(rng.int(1...9))号")]
            c = Change(node: victim.id, seq: try hub.lastSeq(node: victim.id) + 1, table: "households",
                       row: RowID.make(unixMillis: clock, using: &rng), op: .put, values: values, bases: values.mapValues { _ in 0 },
                       rowBase: 0, hlc: hostile.clock.tick(wallMillis: clock), author: "冒名", epoch: try hub.epoch())
        }
        if let seq { c.seq = seq }
        hostile.forged.insert(c.contentHash)
        stats.hostileForged += 1
        return c
    }

    /// Pushes a hostile batch and checks the hub's answer against the seq and identity rules:
    /// a gap refuses the batch whole; a `seq` below 1 is rejected alone and recorded nowhere; a
    /// forgery is rejected `invalid-change` under the sender's seq; a held seq with other content
    /// is `seq-reused`, with the same content its original result; no honest node's `lastSeq` moves.
    mutating func sendHostile(_ batch: [Change]) throws {
        stats.hostileBatches += 1
        let source = BatchSource(node: HostileNode.id, village: hostile.village)
        let seqs = batch.map(\.seq)
        let honestBefore = try nodes.map { try hub.lastSeq(node: $0.id) }
        let headBefore = try hub.head()
        let expectedGap = HostileNode.gap(in: seqs, highest: hostile.highest)
        let results: [ChangeResult]
        do {
            results = try hub.reconcile(batch, from: source, wallMillis: clock)
        } catch let gap as SeqGap {
            stats.hostileGaps += 1
            if gap.expected != expectedGap {
                Issue.record("hostile batch \(seqs) after \(hostile.highest): hub says gap expecting \(gap.expected), rules say \(expectedGap.map(String.init) ?? "in order")")
            }
            #expect(try hub.head() == headBefore, "a batch refused as a gap applied nothing")
            try checkSeqsAfterHostile(honestBefore: honestBefore, batch: seqs)
            return
        }
        if let expectedGap { Issue.record("hostile batch \(seqs) after \(hostile.highest) was taken past the gap at \(expectedGap)") }
        events.append(.batch(RecordedBatch(changes: batch, source: source, wallMillis: clock)))
        note(try breaches(since: headBefore), cause: "hostile", what: "hostile batch \(seqs)")
        #expect(results.map(\.seq) == seqs)
        for (c, r) in zip(batch, results) {
            let what = "hostile seq \(c.seq) naming \(c.node)"
            if c.seq < 1 {
                stats.hostileNonPositive += 1
                if r.status != .rejected || r.code != Rejection.Code.invalidChange.rawValue { Issue.record("\(what): \(r.status.rawValue) \(r.code ?? "")") }
                continue
            }
            if let was = hostile.held[c.seq] {
                if was.change.contentHash != c.contentHash {
                    stats.hostileReused += 1
                    if r.code != Rejection.Code.seqReused.rawValue { Issue.record("\(what) re-sent with other content: \(r.status.rawValue) \(r.code ?? "")") }
                } else if was.result.status != .parked
                            && (!r.resent || r.status != was.result.status || r.hseq != was.result.hseq || r.code != was.result.code) {
                    Issue.record("\(what) re-sent unchanged got \(r.status.rawValue) \(r.code ?? "") hseq \(r.hseq ?? 0), first \(was.result.status.rawValue) \(was.result.code ?? "") hseq \(was.result.hseq ?? 0)")
                }
                continue
            }
            hostile.held[c.seq] = (c, r)
            hostile.highest = max(hostile.highest, c.seq)
            if c.node != HostileNode.id {
                if r.status != .rejected || r.code != Rejection.Code.invalidChange.rawValue { Issue.record("\(what) (forged): \(r.status.rawValue) \(r.code ?? "")") }
            } else if r.code == Rejection.Code.seqReused.rawValue || r.code == Rejection.Code.invalidChange.rawValue {
                Issue.record("\(what), new and well-formed: \(r.code ?? "")")
            } else if r.status == .parked {
                stats.parked += 1
            } else if r.status == .applied || r.status == .conflict {
                stats.hostileOwn += 1
                for (k, v) in c.values { written.append((HostileNode.id, c.seq, c.table, c.row, k, v)) }
            }
        }
        try checkSeqsAfterHostile(honestBefore: honestBefore, batch: seqs)
        try checkParked(cause: "hostile", what: "hostile batch \(seqs)")
    }

    /// The hostile node's `lastSeq` follows the rules' model and no honest node's moved.
    func checkSeqsAfterHostile(honestBefore: [Int64], batch seqs: [Int64]) throws {
        let last = try hub.lastSeq(node: HostileNode.id)
        if last != hostile.highest { Issue.record("after hostile batch \(seqs): hostile lastSeq \(last), rules say \(hostile.highest)") }
        for (n, before) in zip(nodes, honestBefore) {
            let after = try hub.lastSeq(node: n.id)
            if after != before { Issue.record("hostile batch \(seqs) moved lastSeq of honest \(n.id) from \(before) to \(after)") }
        }
    }
}
