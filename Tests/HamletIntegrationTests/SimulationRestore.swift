import Foundation
import HamletCore
import HamletProtocol
import HamletStore
import Testing

/// A copy of the hub taken by `hamlet hub backup`, and what the simulation knew then, to put back on restore.
struct SimBackup {
    /// The backup folder (its `hub.sqlite` is the copy).
    var directory: String
    /// The hub's head when the copy was taken.
    var head: Int64
    /// How many events had reached the hub (the copy is the replay of exactly these).
    var events: Int
    /// How many operator writes had been made (the later ones are lost by a restore: the known limit).
    var operatorWritten: Int
    var dismissals: [String: (value: Value, at: Int64)]
    /// The hostile node's `lastSeq` at the hub.
    var hostileHighest: Int64
}

/// A session that ended with an error before it pushed or pulled (the client prints it and stops).
struct SessionFailed: Error {
    var node: String
}

/// Backup and restore of the hub, and the nodes' sessions as the real client runs them (`SyncSession`):
/// at login a node learns `lastSeq`, requeues acknowledged changes above it, and resyncs when
/// `ResyncPolicy` says so (a restored hub has a new epoch); a batch refused as a gap is answered by
/// sending everything again from the `seq` the hub expects.
extension Simulation {
    /// `hamlet hub backup --to DIR`: SQLite's online copy, marked so that a hub started from it takes a new epoch.
    mutating func takeBackup() throws {
        stats.backups += 1
        let dir = root.file("backup-\(stats.backups)")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try hub.backup(to: HubStore.path(in: dir))
        let copy = try HubStore.open(directory: dir)
        try copy.setMeta("restored", "1")
        copy.close()
        backup = SimBackup(directory: dir, head: try hub.head(), events: events.count, operatorWritten: operatorWritten.count,
                           dismissals: dismissals, hostileHighest: try hub.lastSeq(node: HostileNode.id))
    }

    /// The hub's file replaced by the backup's and the hub started from it, as `hub serve` does for a marked
    /// copy: a new epoch forked at the copy's head. Operator writes after the backup are gone (DESIGN's known
    /// limit); nodes find out at their next session. The hostile node, too, sends again what the hub lost.
    mutating func restoreBackup() throws {
        guard let b = backup else { return }
        backup = nil
        inspector.close()
        hub.close()
        let dir = root.file("hub")
        let path = HubStore.path(in: dir)
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        try FileManager.default.copyItem(atPath: HubStore.path(in: b.directory), toPath: path)
        hub = try HubStore.open(directory: dir)
        #expect(try hub.meta("restored") == "1", "the copy is marked as a backup")
        let before = try hub.lineage().count
        _ = try hub.forkEpoch()
        inspector = try hub.sqliteFile()
        stats.restores += 1
        #expect(try hub.head() == b.head, "the restored hub is the copy")
        #expect(try hub.lineage().count == before + 1 && hub.lineage().last?.forkHseq == b.head, "a new epoch forked at the copy's head")
        events = Array(events.prefix(b.events)) + [.restore(epoch: try hub.epoch(), lineage: try hub.meta("lineage") ?? "")]
        // Exactly the operator writes made after the backup are lost: they, and only they, are above its head.
        for (k, w) in operatorWritten.enumerated() where (k < b.operatorWritten) != (w.hseq <= b.head) {
            Issue.record("operator write \(w.table) \(w.row).\(w.field) at hseq \(w.hseq), \(k < b.operatorWritten ? "before" : "after") the backup at \(b.head)")
        }
        stats.operatorLost += operatorWritten.count - b.operatorWritten
        operatorWritten.removeLast(operatorWritten.count - b.operatorWritten)
        dismissals = b.dismissals
        let hostileLast = try hub.lastSeq(node: HostileNode.id)
        #expect(hostileLast == b.hostileHighest)
        let lost = hostile.held.filter { $0.key > hostileLast }.map(\.value.change)
        hostile.resend = (hostile.resend + lost).sorted { $0.seq < $1.seq }
        hostile.held = hostile.held.filter { $0.key <= hostileLast }
        hostile.highest = hostileLast
        for n in nodes {
            let last = try hub.lastSeq(node: n.id)
            pushed[n.id] = pushed[n.id]?.filter { $0 <= last }
        }
    }

    /// A session's start, as `SyncSession.run` does it: the welcome's `lastSeq`, acknowledged changes above it
    /// requeued, then a resync when `ResyncPolicy` says so (another epoch, a cursor ahead), else the hub recorded.
    mutating func login(_ i: Int) throws {
        let r = nodes[i].replica
        let info = try r.info()
        let (hubID, epoch, head) = (try hub.hubID(), try hub.epoch(), try hub.head())
        let last = try hub.lastSeq(node: nodes[i].id)
        let hello = ClientMessage.Hello(node: info.node, client: "simulation", hub: info.hubID ?? "", epoch: info.epoch,
                                        cursor: info.cursor, clock: wall(i), schema: r.schema.version)
        let hubSays = ResyncPolicy.atLogin(.init(hello: hello, hub: hubID, epoch: epoch, head: head))
        let welcome = HubMessage.Welcome(hub: hubID, epoch: epoch, head: head, lastSeq: last, village: nodes[i].village,
                                         resync: hubSays != nil, reason: hubSays?.rawValue, limits: .standard, clock: try hub.clock())
        if try r.hasAcknowledged(after: last) {
            if stats.restores == 0 { Issue.record("\(nodes[i].id) holds acknowledged changes above lastSeq \(last) with no restore") }
            stats.requeued += try r.requeue(after: last)
        }
        if let reason = ResyncPolicy.afterWelcome(.init(hello: hello, welcome: welcome, nextSeq: info.nextSeq, asked: false)) {
            if stats.restores == 0 { Issue.record("\(nodes[i].id) told to resync (\(reason.rawValue)) though the hub was never restored") }
            try resync(i)
        } else if info.hubID != hubID || info.epoch != epoch {
            try r.setHub(id: hubID, epoch: epoch)
        }
    }

    /// What `hamlet resync` does: the hub's snapshot of the village streamed into a `ReplicaRebuild`, swapped in
    /// with the node's outstanding changes replayed on top.
    mutating func resync(_ i: Int) throws {
        let rebuild = try ReplicaRebuild(replica: nodes[i].replica)
        var finished = false
        defer { if !finished { rebuild.cancel() } }
        let head = try hub.head()
        for t in hub.schema.tables {
            var after = ""
            while true {
                let rows = try hub.snapshot(village: nodes[i].village, table: t, afterID: after, limit: 200)
                guard let last = rows.last else { break }
                try rebuild.add(rows)
                after = last.id
                if rows.count < 200 { break }
            }
        }
        nodes[i].replica = try rebuild.finish(head: head, epoch: try hub.epoch(), hubID: try hub.hubID(),
                                              lastSeq: try hub.lastSeq(node: nodes[i].id), clock: try hub.clock())
        finished = true
        stats.resyncs += 1
    }

    /// An honest batch refused as a gap is only right after a restore, when the batch skips `seq`s the node
    /// holds rejected above the hub's `lastSeq` (they are not pending, so not in the batch).
    func answerGap(_ i: Int, _ gap: SeqGap, seqs: [Int64]) throws {
        let node = nodes[i].id
        let last = try hub.lastSeq(node: node)
        let states = Dictionary(try nodes[i].replica.log(pendingOnly: false).map { ($0.change.seq, $0.state) }, uniquingKeysWith: { a, _ in a })
        let skipped = Set(gap.expected...max(gap.expected, seqs.max() ?? gap.expected)).subtracting(seqs)
        guard stats.restores > 0, gap.expected == last + 1, !skipped.isEmpty, skipped.allSatisfy({ states[$0] == "rejected" }) else {
            Issue.record("honest \(node) refused as a gap (expected \(gap.expected), lastSeq \(last)) for seqs \(seqs)")
            throw gap
        }
    }

    /// The client's answer to a gap (`SyncSession.repush`): acknowledged changes from `expected` on back to
    /// pending, then every change from there that is pending or rejected sent again, in order, once.
    /// - Returns: the last `seq` sent.
    mutating func repush(_ i: Int, from expected: Int64) throws -> Int64? {
        let r = nodes[i].replica
        let node = nodes[i].id
        stats.requeued += try r.requeue(after: expected - 1)
        let again = try r.log(pendingOnly: false)
            .filter { $0.change.seq >= expected && ($0.state == "pending" || $0.state == "rejected") }
            .map(\.change).sorted { $0.seq < $1.seq }
        stats.repushed += again.count
        var rest = again[...]
        while !rest.isEmpty {
            let batch = Array(rest.prefix(50))
            rest = rest.dropFirst(batch.count)
            let head = try hub.head()
            let results: [ChangeResult]
            do {
                results = try hub.reconcile(batch, from: BatchSource(node: node, village: nodes[i].village), wallMillis: clock)
            } catch let gap as SeqGap {
                Issue.record("honest \(node) refused as a gap again (expected \(gap.expected)) while sending again from \(expected)")
                throw gap
            }
            try took(i, batch, results, head: head, loseAck: false)
        }
        return again.last?.seq
    }

    /// The hostile node's next session after a restore: what the hub lost of its changes, sent again in order.
    mutating func hostileResend() throws {
        let batch = hostile.resend
        hostile.resend = []
        try sendHostile(batch)
    }

    /// Rule 13: a change stays parked only while the row it waits for has never reached the hub.
    mutating func checkParked(cause: String, what: String) throws {
        var found: [Finding] = []
        for r in try inspector.rows("SELECT node, seq, wait_tbl, wait_id FROM parked") {
            let (node, seq, table, id) = (try r.text(0), try r.int(1), try r.text(2), try r.text(3))
            guard let t = hub.schema.table(named: table) else { continue }
            if try hub.row(t, id: id) != nil {
                found.append(Finding(rule: "13", detail: "\(node) seq \(seq) stays parked though \(table) \(id) has arrived"))
            }
        }
        note(found, cause: cause, what: what)
    }
}
