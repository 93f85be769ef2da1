import Foundation
import HamletCore
import HamletNet
import HamletProtocol
import HamletStore

/// What a session does after login.
enum SyncMode: Sendable {
    /// Push, pull, verify.
    case sync
    /// Rebuild from a snapshot, then push and pull.
    case resync
    /// Pull, then compare digests; no push, no repair.
    case verify
}

/// One connection to the hub: login, then push / pull / resync / verify.
///
/// The protocol's decisions are `NodeSessionMachine`'s (what each hub message means, when to resync, what
/// to check in an ack, a page or a snapshot); this class does the I/O and the replica work it asks for.
/// Lines are framed by the same `LineFramer` as the hub's. Every line read has a deadline (`ioTimeout`) and
/// the hub's length cap; every ack and page is stored as it arrives, so a connection lost at any point loses
/// nothing and the next session carries on.
final class SyncSession {
    private var replica: Replica
    private let directory: String
    private let options: SyncOptions
    private let socket: ClientSocket
    private var framer = LineFramer(maxLine: Limits.standard.maxLine)
    private var machine = NodeSessionMachine()
    private let budget: SyncBudget
    private var batchCounter: Int64 = 0
    private(set) var summary = SyncSummary()

    /// Opens the replica, reads its hub settings and connects.
    /// - Parameter budget: The time left to wait on the hub (shared by the retries of one sync); a fresh
    ///   `options.timeout` when nil.
    init(directory: String, options: SyncOptions, budget: SyncBudget? = nil) throws {
        self.directory = directory
        self.options = options
        let budget = budget ?? SyncBudget(timeout: options.timeout)
        self.budget = budget
        let replica = try SyncSession.store("opening the replica") { try Replica.open(directory: directory) }
        self.replica = replica
        let info = try SyncSession.store("reading the replica settings") { try replica.info() }
        guard let hub = info.hub, !hub.isEmpty else {
            throw SyncError(.notConfigured, "the replica names no hub address; set it with hamlet init --hub HOST:PORT",
                            zh: "本节点还没有设置镇中心地址：请用 hamlet init --hub 地址:端口 设置")
        }
        let address: SocketAddress
        do { address = try SocketAddress(parsing: hub) } catch {
            throw SyncError(.notConfigured, "the hub address in the replica is not host:port: \(error)",
                            zh: "本节点记下的镇中心地址 \(hub) 不是 地址:端口 的格式")
        }
        guard !budget.isExpired() else { throw budget.expired }
        do {
            socket = try ClientSocket.connect(to: address, timeout: min(options.connectTimeout, budget.remaining()))
        } catch {
            if budget.isExpired() { throw budget.expired }
            throw SyncError(.unreachable, "cannot reach the hub at \(address): \(error)",
                            zh: "连不上镇中心 \(address)：请检查网络，或问镇管理员镇中心是否在运行，稍后再同步")
        }
    }

    deinit { socket.close() }

    private var limits: Limits { machine.limits }

    // MARK: Session

    func run(_ mode: SyncMode) throws -> SyncSummary {
        let started = options.wallClock()
        let info = try store("reading the replica settings") { try replica.info() }
        let secret = try readSecret(info)
        let hello = ClientMessage.Hello(node: info.node, client: "hamlet/0.1", hub: info.hubID ?? "", epoch: info.epoch,
                                        cursor: info.cursor, clock: options.wallClock(), schema: replica.schema.version)
        try request(machine.start(hello: hello, village: info.village, nextSeq: info.nextSeq, asked: mode == .resync,
                                  mayRepair: mode != .verify))
        guard case .prove(let nonce) = try answer() else { throw unexpected() }
        guard let proof = Credentials.proof(secret: secret, nonce: nonce, node: info.node) else {
            throw SyncError(.protocol, "the hub's challenge is not a hex nonce")
        }
        try request(machine.prove(proof))
        guard case .welcomed(let welcome, let verdict) = try answer() else { throw unexpected() }
        framer.maxLine = welcome.limits.maxLine
        if let hubSchema = welcome.schema {
            // The township added tables or fields: migrate the replica in place first, pending changes kept.
            replica = try store("upgrading the replica's schema") { try replica.adopt(hubSchema) }
            summary.schemaUpgraded = replica.schema.version
        }
        summary.hubID = welcome.hub
        summary.head = welcome.head

        // A restored hub lost changes it had acknowledged: push them again.
        if try store("checking acknowledged changes", { try replica.hasAcknowledged(after: welcome.lastSeq) }) {
            summary.requeued = try store("requeueing changes") { try replica.requeue(after: welcome.lastSeq) }
        }
        if let verdict {
            try resync(verdict)
        } else {
            try store("recording the hub") { try replica.setHub(id: welcome.hub, epoch: welcome.epoch) }
        }
        if mode != .verify { try push() }
        try pull()
        // After the pull, so that the decisions' row changes are in the replica before their outcomes.
        if mode != .verify && machine.features.contains(ProtocolFeature.outcomes) { try askOutcomes() }
        if options.verify || mode == .verify {
            var (match, repair) = try verify()
            if let repair {
                try resync(repair)
                try push()
                try pull()
                (match, _) = try verify()
            }
            summary.verify = match ? "match" : "mismatch"
        }
        if case .send(let bye) = machine.bye() {
            try? write(Codec.encode(bye))
            if let m = try? receiveMessage(deadline: budget.deadline(within: .seconds(2))) { _ = machine.receive(m) }
        }
        machine.closed()
        let end = try store("reading the cursor") { try replica.info() }
        summary.cursor = end.cursor
        summary.durationMillis = max(0, options.wallClock() - started)
        try store("recording the sync") {
            try replica.recordSync(at: options.wallClock(), result: summary.line, resultZH: summary.lineZH,
                                   verify: summary.verify == "skipped" ? nil : summary.verify)
        }
        return summary
    }

    private func readSecret(_ info: ReplicaInfo) throws -> String {
        guard let file = info.secretFile, !file.isEmpty else {
            throw SyncError(.notConfigured, "the replica names no secret file; set it with hamlet init --secret-file PATH",
                            zh: "本节点还没有设置密钥文件：请用 hamlet init --secret-file 文件 设置")
        }
        let path = file.hasPrefix("/") ? file : (directory as NSString).appendingPathComponent(file)
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SyncError(.notConfigured, "cannot read the secret file \(path)", zh: "读不到密钥文件 \(path)")
        }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard text.count == 64, text.allSatisfy(\.isHexDigit) else {
            throw SyncError(.notConfigured, "the secret file \(path) does not hold 64 hex digits",
                            zh: "密钥文件 \(path) 的内容不对（应是镇中心生成的64位密钥），请向镇管理员重新领取")
        }
        return text
    }

    // MARK: Push

    /// Pushes every pending change, oldest first, in batches that fit the hub's limits.
    private func push() throws {
        let clock = ContinuousClock.now
        var size = max(1, min(options.batchSize, limits.maxBatch))
        var sent = 0
        let total = try store("counting pending changes") { try replica.pendingCount() }
        var lastSent: Int64 = 0
        while true {
            var changes = try store("reading pending changes") { try replica.pendingChanges(limit: size, after: lastSent) }
            if changes.isEmpty { return }
            let line: [UInt8]
            (changes, line, size) = try fitBatch(changes, size: size)
            switch try sendBatch(changes, line: line) {
            case .applyAck(_, let results):
                try record(results, of: changes)
                lastSent = changes.map(\.seq).max() ?? lastSent
                sent += changes.count
                report(.push, done: sent, total: max(total, sent), since: clock)
            case .repush(let expected):
                let resent = try repush(from: expected, size: size)
                lastSent = max(lastSent, resent.last)
                sent += resent.count
            case .startResync(let reason):
                try resync(reason)
                lastSent = 0
            default:
                throw unexpected()
            }
        }
    }

    /// Shrinks a batch until its line fits `max_line`.
    /// - Returns: The batch, its encoded line, and the batch size to use from now on.
    private func fitBatch(_ batch: [Change], size: Int) throws -> ([Change], [UInt8], Int) {
        var changes = batch
        var size = size
        var line = Codec.encode(ClientMessage.push(batch: batchCounter + 1, changes: changes))
        while line.count - 1 > limits.maxLine && changes.count > 1 {
            size = max(1, changes.count / 2)
            changes = Array(changes.prefix(size))
            line = Codec.encode(ClientMessage.push(batch: batchCounter + 1, changes: changes))
        }
        guard line.count - 1 <= limits.maxLine else {
            throw SyncError(.protocol, "change \(changes.first?.seq ?? 0) is longer than the hub's line limit")
        }
        return (changes, line, size)
    }

    /// Sends one batch (its line already encoded) and returns what the hub's answer means.
    private func sendBatch(_ changes: [Change], line: [UInt8]) throws -> NodeSessionMachine.Action {
        batchCounter += 1
        let action = machine.push(batch: batchCounter, changes: changes)
        guard case .send = action else {
            try request(action)
            throw unexpected()
        }
        try write(line)
        return try answer()
    }

    private func record(_ results: [ChangeResult], of changes: [Change]) throws {
        try store("recording the hub's results") { try replica.recordResults(results, wallMillis: options.wallClock()) }
        summary.pushed += changes.count
        for r in results {
            switch r.status {
            case .applied: summary.accepted += 1
            case .conflict: summary.conflicted += 1
            case .rejected: summary.rejected += 1
            case .parked: summary.parked += 1
            }
        }
    }

    /// After `seq-gap`: the hub lacks `expected` and what follows (a hub restored from a backup lost changes it
    /// had answered, rejected ones included), and applied nothing of the refused batch. Puts the acknowledged
    /// ones back to pending and pushes every change from `expected` on, in order, once. A second gap ends the
    /// sync (the machine refuses it).
    /// - Returns: How many changes were sent and the last `seq` sent.
    private func repush(from expected: Int64, size: Int) throws -> (count: Int, last: Int64) {
        let holds = try store("reading the change log") { try replica.log(pendingOnly: false).contains { $0.change.seq == expected } }
        guard holds else {
            throw SyncError(.protocol, "the hub expects seq \(expected) next, which this node's log does not hold; "
                            + "run hamlet resync", hubCode: ErrorCode.seqGap.rawValue)
        }
        let requeued = try store("requeueing changes") { try replica.requeue(after: expected - 1) }
        let entries = try store("reading the change log") {
            try replica.log(pendingOnly: false).filter { $0.change.seq >= expected && ($0.state == "pending" || $0.state == "rejected") }
        }
        summary.requeued += requeued + entries.filter { $0.state == "rejected" }.count
        let again = entries.map(\.change)
        var count = 0
        var last = expected - 1
        var rest = again[...]
        var size = size
        while !rest.isEmpty {
            let batch: [Change]
            let line: [UInt8]
            (batch, line, size) = try fitBatch(Array(rest.prefix(size)), size: size)
            rest = rest.dropFirst(batch.count)
            guard case .applyAck(_, let results) = try sendBatch(batch, line: line) else { throw unexpected() }
            try record(results, of: batch)
            count += batch.count
            last = batch.last?.seq ?? last
        }
        return (count, last)
    }

    // MARK: Pull

    /// Pulls every page after the replica's cursor, each stored in one transaction as it arrives.
    ///
    /// The next page is asked for as soon as a page arrives, before that page is stored: the hub reads and encodes
    /// page N+1 while the node stores page N (one request in flight at a time, the same messages in the same order),
    /// and the node receives and decodes it meanwhile on another thread (`MessagePrefetch`).
    /// A page that fails to store ends the session, as before; its cursor was not stored, so the next sync asks again.
    private func pull() throws {
        let clock = ContinuousClock.now
        var rows = 0
        let limit = max(1, min(options.batchSize, limits.pageSize))
        var cursor = try store("reading the cursor") { try replica.info().cursor }
        try request(machine.pull(cursor: cursor, limit: limit))
        var action = try answer()
        while true {
            switch action {
            case .applyPage(let items, let next, let head, let done, let hubClock):
                // The stored cursor becomes max(next, cursor) = next (the machine checked that the page advanced it).
                cursor = max(next, cursor)
                var prefetch: MessagePrefetch?
                if !done {
                    try request(machine.pull(cursor: cursor, limit: limit))
                    let deadline = budget.deadline(within: options.ioTimeout)
                    prefetch = MessagePrefetch { [self] in try receiveMessage(deadline: deadline) }
                }
                do {
                    try store("applying a pull page") {
                        try replica.applyPage(items, cursor: next, hubClock: hubClock, wallMillis: options.wallClock())
                    }
                } catch {
                    _ = prefetch?.wait()  // the worker uses the socket: done with it before the session goes
                    throw error
                }
                rows += items.count
                summary.pulled += items.count
                summary.head = max(summary.head, head)
                report(.pull, done: rows, total: nil, since: clock)
                guard let prefetch else { return }
                action = try answer(prefetch.wait())
            case .startResync(let reason):
                try resync(reason)
                cursor = try store("reading the cursor") { try replica.info().cursor }
                try request(machine.pull(cursor: cursor, limit: limit))
                action = try answer()
            default:
                throw unexpected()
            }
        }
    }

    // MARK: Outcomes

    /// Asks where the conflicts the node's changes opened stand (those not yet known closed), in requests of at
    /// most `max_batch` ids, and stores each answer as it arrives.
    private func askOutcomes() throws {
        var ids = try store("reading conflicted changes") { try replica.conflictsToAsk() }[...]
        let size = max(1, limits.maxBatch)
        while !ids.isEmpty {
            let batch = Array(ids.prefix(size))
            try request(machine.outcomes(batch))
            switch try answer() {
            case .applyOutcomes(let outcomes):
                summary.settled += try store("storing conflict outcomes") {
                    try replica.recordOutcomes(outcomes, wallMillis: options.wallClock())
                }
                ids = ids.dropFirst(batch.count)
            case .startResync(let reason):
                try resync(reason)
                ids = try store("reading conflicted changes") { try replica.conflictsToAsk() }[...]
            default:
                throw unexpected()
            }
        }
    }

    // MARK: Verify

    /// Compares digests; returns the answer and the policy's repair verdict.
    private func verify() throws -> (match: Bool, repair: ResyncReason?) {
        let digest = try store("computing the digest") { try replica.digest() }
        try request(machine.verify(digest))
        switch try answer() {
        case .verified(let match, _, let repair):
            return (match, repair)
        case .startResync(let reason):
            try resync(reason)
            return try verify()
        default:
            throw unexpected()
        }
    }

    // MARK: Resync

    private func resync(_ reason: ResyncReason) throws {
        let clock = ContinuousClock.now
        try request(machine.resync(reason))
        guard case .beginSnapshot = try answer() else { throw unexpected() }
        let rebuild = try store("starting the rebuild") { try ReplicaRebuild(replica: replica) }
        var finished = false
        defer { if !finished { rebuild.cancel() } }
        while true {
            switch try answer() {
            case .applyRows(let rows):
                try store("storing snapshot rows") { try rebuild.add(rows) }
                report(.snapshot, done: Int(rebuild.rowCount), total: nil, since: clock)
            case .finishSnapshot(let snapshot, let lastSeq, let hubClock):
                guard snapshot.rows == rebuild.rowCount else {
                    throw SyncError(.protocol, "the snapshot sent \(snapshot.rows) rows but \(rebuild.rowCount) were stored")
                }
                finished = true
                replica = try store("swapping in the rebuilt replica") {
                    try rebuild.finish(head: snapshot.head, epoch: snapshot.epoch, hubID: snapshot.hub, lastSeq: lastSeq, clock: hubClock)
                }
                summary.resynced = true
                summary.resyncReason = snapshot.reason.rawValue
                summary.snapshotRows = Int(snapshot.rows)
                summary.head = max(summary.head, snapshot.head)
                summary.hubID = snapshot.hub
                return
            default:
                throw unexpected()
            }
        }
    }

    // MARK: I/O

    /// Performs a request the machine allowed (`send`), or throws what it refused.
    private func request(_ action: NodeSessionMachine.Action) throws {
        switch action {
        case .send(let m): try write(Codec.encode(m))
        case .fail(let failure): throw SyncSession.error(failure)
        default: throw unexpected()
        }
    }

    /// Reads the hub's next message (or takes `received`, read ahead) and returns what the machine makes of it;
    /// a failure is thrown.
    private func answer(_ received: Result<HubMessage, any Error>? = nil) throws -> NodeSessionMachine.Action {
        let m: HubMessage
        do {
            m = try received?.get() ?? receiveMessage(deadline: budget.deadline(within: options.ioTimeout))
        } catch {
            machine.closed()
            throw error
        }
        let action = machine.receive(m)
        if case .fail(let failure) = action { throw SyncSession.error(failure) }
        return action
    }

    private func write(_ bytes: [UInt8]) throws {
        do {
            try socket.write(bytes, deadline: budget.deadline(within: options.ioTimeout))
        } catch {
            if budget.isExpired() { throw budget.expired }
            throw SyncError(.unreachable, "lost the connection to the hub while sending: \(error)")
        }
    }

    /// The next line, framed by `LineFramer`, decoded. The whole line must arrive by `deadline`.
    private func receiveMessage(deadline: ContinuousClock.Instant) throws -> HubMessage {
        while true {
            let line: [UInt8]?
            do {
                line = try framer.next()
            } catch {
                throw SyncError(.protocol, "the hub sent a line longer than \(framer.maxLine) bytes")
            }
            if let line {
                do {
                    let message = try Codec.decodeHub(line)
                    budget.renew()
                    return message
                } catch {
                    throw SyncError(.protocol, "the hub sent a line this client cannot read (\(error))")
                }
            }
            let chunk: [UInt8]
            do {
                chunk = try socket.read(upTo: 64 * 1024, deadline: deadline)
            } catch {
                if budget.isExpired() { throw budget.expired }
                throw SyncError(.unreachable, "lost the connection to the hub while waiting: \(error)")
            }
            guard !chunk.isEmpty else {
                throw SyncError(.unreachable, framer.hasPartialLine ? "the hub closed the connection in the middle of a line"
                                                                    : "the hub closed the connection")
            }
            framer.append(chunk)
        }
    }

    private func unexpected() -> SyncError {
        SyncError(.protocol, "the hub sent another message where \(machine.expecting) was expected")
    }

    private func report(_ phase: SyncProgress.Phase, done: Int, total: Int?, since start: ContinuousClock.Instant) {
        guard let progress = options.progress else { return }
        let elapsed = ContinuousClock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        progress(SyncProgress(phase: phase, done: done, total: total, perSecond: seconds > 0 ? Double(done) / seconds : 0))
    }

    private func store<T>(_ doing: String, _ body: () throws -> T) throws -> T {
        try SyncSession.store(doing, body)
    }
}

@available(*, unavailable)
extension SyncSession: Sendable {}
