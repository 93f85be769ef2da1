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
/// Every line read has a deadline (`ioTimeout`) and the hub's length cap;
/// every ack and page is stored as it arrives, so a connection lost at any
/// point loses nothing and the next session carries on.
final class SyncSession {
    private var replica: Replica
    private let directory: String
    private let options: SyncOptions
    private let socket: ClientSocket
    private var limits = Limits.standard
    private var batchCounter: Int64 = 0
    private(set) var summary = SyncSummary()

    /// Opens the replica, reads its hub settings and connects.
    init(directory: String, options: SyncOptions) throws {
        self.directory = directory
        self.options = options
        let replica = try SyncSession.store("opening the replica") { try Replica.open(directory: directory) }
        self.replica = replica
        let info = try SyncSession.store("reading the replica settings") { try replica.info() }
        guard let hub = info.hub, !hub.isEmpty else {
            throw SyncError(.notConfigured, "the replica names no hub address; set it with hamlet init --hub HOST:PORT")
        }
        let address: SocketAddress
        do { address = try SocketAddress(parsing: hub) } catch {
            throw SyncError(.notConfigured, "the hub address in the replica is not host:port: \(error)")
        }
        do {
            socket = try ClientSocket.connect(to: address, timeout: options.connectTimeout)
        } catch {
            throw SyncError(.unreachable, "cannot reach the hub at \(address): \(error)")
        }
    }

    deinit { socket.close() }

    // MARK: Session

    func run(_ mode: SyncMode) throws -> SyncSummary {
        let started = options.wallClock()
        let info = try store("reading the replica settings") { try replica.info() }
        let secret = try readSecret(info)
        try send(.hello(.init(node: info.node, client: "hamlet/0.1", hub: info.hubID ?? "", epoch: info.epoch,
                              cursor: info.cursor, clock: options.wallClock())))
        guard case .challenge(let nonce) = try receive("challenge") else { throw unexpected("challenge") }
        guard let proof = Credentials.proof(secret: secret, nonce: nonce, node: info.node) else {
            throw SyncError(.protocol, "the hub's challenge is not a hex nonce")
        }
        try send(.auth(proof: proof))
        guard case .welcome(let welcome) = try receive("welcome") else { throw unexpected("welcome") }
        limits = welcome.limits
        guard welcome.village == info.village else {
            throw SyncError(.refused, "the hub registered this node for another village than the replica's; re-create the replica with the right --village")
        }
        summary.hubID = welcome.hub
        summary.head = welcome.head

        // A restored hub lost changes it had acknowledged: push them again.
        if try store("checking acknowledged changes", { try hasAcknowledged(after: welcome.lastSeq) }) {
            summary.requeued = try store("requeueing changes") { try replica.requeue(after: welcome.lastSeq) }
        }
        var reason: String? = nil
        if mode == .resync {
            reason = "asked"
        } else if welcome.resync {
            reason = welcome.reason ?? "the hub asked"
        } else if info.nextSeq <= welcome.lastSeq {
            reason = "the hub holds later changes from this node than its log"
        } else if info.cursor > 0, info.hubID != welcome.hub || info.epoch != welcome.epoch {
            reason = "another hub or epoch"
        }
        if let reason {
            try resync(reason: reason)
        } else {
            try store("recording the hub") { try replica.setHub(id: welcome.hub, epoch: welcome.epoch) }
        }
        if mode != .verify { try push() }
        try pull()
        if options.verify || mode == .verify {
            var match = try verify()
            if !match && mode != .verify && !summary.resynced {
                try resync(reason: "verify mismatch")
                try push()
                try pull()
                match = try verify()
            }
            summary.verify = match ? "match" : "mismatch"
        }
        try? send(.bye)
        if case .some(.bye) = try? receiveRaw(deadline: .now + .seconds(2)) {}
        let end = try store("reading the cursor") { try replica.info() }
        summary.cursor = end.cursor
        summary.durationMillis = max(0, options.wallClock() - started)
        try store("recording the sync") {
            try replica.recordSync(at: options.wallClock(), result: summary.line, verify: summary.verify == "skipped" ? nil : summary.verify)
        }
        return summary
    }

    private func readSecret(_ info: ReplicaInfo) throws -> String {
        guard let file = info.secretFile, !file.isEmpty else {
            throw SyncError(.notConfigured, "the replica names no secret file; set it with hamlet init --secret-file PATH")
        }
        let path = file.hasPrefix("/") ? file : (directory as NSString).appendingPathComponent(file)
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SyncError(.notConfigured, "cannot read the secret file \(path)")
        }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard text.count == 64, text.allSatisfy(\.isHexDigit) else {
            throw SyncError(.notConfigured, "the secret file \(path) does not hold 64 hex digits")
        }
        return text
    }

    private func hasAcknowledged(after lastSeq: Int64) throws -> Bool {
        try replica.hasAcknowledged(after: lastSeq)
    }

    // MARK: Push

    private func push() throws {
        let clock = ContinuousClock.now
        var size = max(1, min(options.batchSize, limits.maxBatch))
        var sent = 0
        let total = try store("counting pending changes") {
            try replica.pendingCount()
        }
        var lastSent: Int64 = 0
        while true {
            var changes = try store("reading pending changes") { try replica.pendingChanges(limit: size, after: lastSent) }
            if changes.isEmpty { return }
            batchCounter += 1
            var line = Codec.encode(ClientMessage.push(batch: batchCounter, changes: changes))
            while line.count - 1 > limits.maxLine && changes.count > 1 {
                size = max(1, changes.count / 2)
                changes = Array(changes.prefix(size))
                line = Codec.encode(ClientMessage.push(batch: batchCounter, changes: changes))
            }
            guard line.count - 1 <= limits.maxLine else {
                throw SyncError(.protocol, "change \(changes[0].seq) is longer than the hub's line limit")
            }
            try write(line)
            guard case .ack(let batch, let results) = try receive("ack") else { throw unexpected("ack") }
            guard batch == batchCounter else { throw SyncError(.protocol, "the hub acknowledged batch \(batch), not \(batchCounter)") }
            let sentSeqs = Set(changes.map(\.seq))
            guard Set(results.map(\.seq)) == sentSeqs else {
                throw SyncError(.protocol, "the hub's ack does not answer every change of batch \(batch)")
            }
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
            lastSent = changes.map(\.seq).max() ?? lastSent
            sent += changes.count
            report(.push, done: sent, total: max(total, sent), since: clock)
        }
    }

    // MARK: Pull

    private func pull() throws {
        let clock = ContinuousClock.now
        var rows = 0
        while true {
            let cursor = try store("reading the cursor") { try replica.info().cursor }
            try send(.pull(cursor: cursor, limit: max(1, min(options.batchSize, limits.pageSize))))
            guard case .page(let items, let next, let head, let done, let hubClock) = try receive("page") else {
                throw unexpected("page")
            }
            try store("applying a pull page") {
                try replica.applyPage(items, cursor: next, hubClock: hubClock, wallMillis: options.wallClock())
            }
            rows += items.count
            summary.pulled += items.count
            summary.head = max(summary.head, head)
            report(.pull, done: rows, total: nil, since: clock)
            if done { return }
            guard next > cursor else { throw SyncError(.protocol, "a pull page did not advance the cursor from \(cursor)") }
        }
    }

    // MARK: Verify

    private func verify() throws -> Bool {
        let digest = try store("computing the digest") { try replica.digest() }
        try send(.verify(digest: digest))
        guard case .verified(let match, _) = try receive("verified") else { throw unexpected("verified") }
        return match
    }

    // MARK: Resync

    private func resync(reason: String) throws {
        let clock = ContinuousClock.now
        try send(.resync)
        guard case .snapshotBegin(let beginHead, let epoch, let hub) = try receive("snapshot-begin") else {
            throw unexpected("snapshot-begin")
        }
        let rebuild = try store("starting the rebuild") { try ReplicaRebuild(replica: replica) }
        var finished = false
        defer { if !finished { rebuild.cancel() } }
        while true {
            switch try receive("rows") {
            case .rows(let rows):
                try store("storing snapshot rows") { try rebuild.add(rows) }
                report(.snapshot, done: Int(rebuild.rowCount), total: nil, since: clock)
            case .snapshotEnd(let head, let count, let lastSeq, let hubClock):
                guard count == rebuild.rowCount else {
                    throw SyncError(.protocol, "the snapshot announced \(count) rows but sent \(rebuild.rowCount)")
                }
                guard head == beginHead else {
                    throw SyncError(.protocol, "the snapshot ended at head \(head), not \(beginHead)")
                }
                finished = true
                replica = try store("swapping in the rebuilt replica") {
                    try rebuild.finish(head: head, epoch: epoch, hubID: hub, lastSeq: lastSeq, clock: hubClock)
                }
                summary.resynced = true
                summary.resyncReason = reason
                summary.snapshotRows = Int(count)
                summary.head = max(summary.head, head)
                summary.hubID = hub
                return
            default:
                throw unexpected("rows or snapshot-end")
            }
        }
    }

    // MARK: I/O

    private func send(_ m: ClientMessage) throws {
        try write(Codec.encode(m))
    }

    private func write(_ bytes: [UInt8]) throws {
        do {
            try socket.write(bytes, deadline: .now + options.ioTimeout)
        } catch {
            throw SyncError(.unreachable, "lost the connection to the hub while sending: \(error)")
        }
    }

    private func receiveRaw(deadline: ContinuousClock.Instant) throws -> HubMessage {
        let line: [UInt8]?
        do {
            line = try socket.readLine(maxLength: limits.maxLine, deadline: deadline)
        } catch let e as NetError where e.code == .lineTooLong {
            throw SyncError(.protocol, "the hub sent a line longer than \(limits.maxLine) bytes")
        } catch {
            throw SyncError(.unreachable, "lost the connection to the hub while waiting: \(error)")
        }
        guard let line else { throw SyncError(.unreachable, "the hub closed the connection") }
        do {
            return try Codec.decodeHub(line)
        } catch {
            throw SyncError(.protocol, "the hub sent a line this client cannot read (\(error))")
        }
    }

    /// The next message; a hub `error` becomes a `SyncError`.
    private func receive(_ expecting: String) throws -> HubMessage {
        let m = try receiveRaw(deadline: .now + options.ioTimeout)
        if case .error(let code, let message, _, let retryAfter) = m {
            throw SyncError.fromHub(code.rawValue, message, retryAfter: retryAfter)
        }
        return m
    }

    private func unexpected(_ what: String) -> SyncError {
        SyncError(.protocol, "the hub sent another message where \(what) was expected")
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

    static func store<T>(_ doing: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let e as SyncError {
            throw e
        } catch let e as StoreError where e.code == .notFound {
            throw SyncError(.notConfigured, "\(e.message); create the replica with hamlet init first")
        } catch {
            throw SyncError(.store, "the local replica failed while \(doing): \(error)")
        }
    }
}

@available(*, unavailable)
extension SyncSession: Sendable {}
