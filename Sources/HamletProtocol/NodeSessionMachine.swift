import HamletCore

/// The node side of a session as a pure state machine (PROTOCOL.md §4, §13).
///
/// Events in: the node's own decisions (`start`, `prove`, `push`, `pull`, `verify`, `outcomes`, `resync`, `bye`) and each
/// message received from the hub (`receive(_:)`). Actions out: a message to send, or what the received
/// message means for the replica (apply an ack, a page, snapshot rows; start a resync; push again from a
/// `seq`; close with a failure). The caller (`SyncSession`) does the I/O and the store work. The machine
/// checks what the hub sends against what was asked (the batch an ack answers, a page's cursor, a snapshot's
/// count and head) and keeps the resync verdict (`ResyncPolicy`): while one stands, it refuses to push,
/// pull or verify.
public struct NodeSessionMachine: Sendable {
    /// Where the session stands.
    public enum State: Sendable, Equatable {
        /// Not started.
        case idle
        /// `hello` sent.
        case awaitingChallenge
        /// A challenge arrived: the caller must compute the proof and call `prove(_:)`.
        case proving(nonce: String)
        /// `auth` sent.
        case awaitingWelcome
        /// Logged in, no request in flight.
        case ready
        /// A push is in flight.
        case awaitingAck(batch: Int64, seqs: [Int64])
        /// A pull is in flight.
        case awaitingPage(cursor: Int64)
        /// A verify is in flight.
        case awaitingVerified
        /// An `outcomes` request is in flight, for these conflict ids.
        case awaitingConflicts(asked: [Int64])
        /// `resync` sent; `snapshot-begin` is due.
        case awaitingSnapshot(reason: ResyncReason)
        /// A snapshot is streaming.
        case receivingSnapshot(Snapshot)
        /// `bye` sent.
        case awaitingBye
        /// Over.
        case closed
    }

    /// A snapshot in progress.
    public struct Snapshot: Sendable, Equatable {
        /// Why the node resyncs.
        public var reason: ResyncReason
        /// `snapshot-begin.head`.
        public var head: Int64
        /// `snapshot-begin.epoch`.
        public var epoch: String
        /// `snapshot-begin.hub`.
        public var hub: String
        /// Rows received so far.
        public var rows: Int64
    }

    /// Why the session cannot go on.
    public enum Failure: Sendable, Equatable {
        /// The hub sent an error (fatal, or one this client does not recover from).
        case hub(code: ErrorCode, message: String, retryAfter: Int?)
        /// The hub sent something the protocol does not allow here.
        case unexpected(String)
        /// The hub registered this node for another village than the replica's.
        case wrongVillage
        /// The caller asked for something this state forbids (a client bug).
        case misuse(String)
    }

    /// What the caller must do.
    public enum Action: Sendable, Equatable {
        /// Send this message.
        case send(ClientMessage)
        /// Compute the proof for this nonce and call `prove(_:)`.
        case prove(nonce: String)
        /// Logged in: adopt the limits and clock; when `resync` is set, resync before anything else,
        /// otherwise record the hub's identity and epoch.
        case welcomed(HubMessage.Welcome, resync: ResyncReason?)
        /// Record these per-change results.
        case applyAck(batch: Int64, results: [ChangeResult])
        /// Store this page with its cursor in one transaction; pull again unless `done`.
        case applyPage(items: [PullItem], cursor: Int64, head: Int64, done: Bool, clock: HLC?)
        /// The hub refused a batch with `seq-gap`: re-read the log and push again, in order, every change from
        /// this `seq` on (the lower of `expected_seq` and the refused batch's first `seq`), once.
        case repush(from: Int64)
        /// The hub refused a request with `resync-required`: call `resync(_:)`.
        case startResync(ResyncReason)
        /// The verify answer; when `resync` is set, repair by one resync.
        case verified(match: Bool, tables: [String], resync: ResyncReason?)
        /// Store where these conflicts stand (each one asked about; the hub leaves out those the node may not see).
        case applyOutcomes([ConflictOutcome])
        /// A snapshot starts: open a rebuild.
        case beginSnapshot(Snapshot)
        /// Add these rows to the rebuild.
        case applyRows([RowState])
        /// The snapshot is complete and consistent: swap the rebuild in.
        case finishSnapshot(Snapshot, lastSeq: Int64, clock: HLC?)
        /// The hub answered bye: the session is over.
        case finished
        /// Give up: the session is over.
        case fail(Failure)
    }

    /// Where the session stands.
    public private(set) var state: State = .idle
    /// The standing resync verdict, nil when none.
    public private(set) var verdict: ResyncReason?
    /// True once a snapshot was swapped in this session.
    public private(set) var resynced = false
    /// The highest head the hub has shown.
    public private(set) var head: Int64 = 0
    /// The limits the hub announced (the defaults before `welcome`).
    public private(set) var limits = Limits.standard
    /// The optional requests the hub announced in `welcome.features` (none before `welcome`).
    public private(set) var features: Set<String> = []

    private var hello: ClientMessage.Hello?
    private var village = ""
    private var nextSeq: Int64 = 1
    private var asked = false
    private var mayRepair = true
    private var gapRetried = false

    /// Creates a machine in `idle`.
    public init() {}

    // MARK: The node's decisions

    /// Opens the session.
    /// - Parameters:
    ///   - hello: The hello to send (the node's stored hub, epoch and cursor).
    ///   - village: The replica's village (the welcome must name the same).
    ///   - nextSeq: The `seq` the node's next change will take.
    ///   - asked: The clerk asked for a resync.
    ///   - mayRepair: A verify mismatch may be repaired by a resync (false for `hamlet verify`).
    /// - Returns: `send(hello)`.
    public mutating func start(hello: ClientMessage.Hello, village: String, nextSeq: Int64, asked: Bool, mayRepair: Bool) -> Action {
        guard state == .idle else { return misuse("start") }
        self.hello = hello
        self.village = village
        self.nextSeq = nextSeq
        self.asked = asked
        self.mayRepair = mayRepair
        state = .awaitingChallenge
        return .send(.hello(hello))
    }

    /// Answers the challenge.
    /// - Parameter proof: The proof for the nonce (`Credentials.proof`).
    /// - Returns: `send(auth)`.
    public mutating func prove(_ proof: String) -> Action {
        guard case .proving = state else { return misuse("auth") }
        state = .awaitingWelcome
        return .send(.auth(proof: proof))
    }

    /// Pushes a batch (at most `max_batch` changes, ascending `seq`).
    /// - Parameters:
    ///   - batch: The batch number the ack must echo.
    ///   - changes: The changes.
    /// - Returns: `send(push)`, or `fail(misuse)` when a verdict stands or a request is in flight.
    public mutating func push(batch: Int64, changes: [Change]) -> Action {
        guard state == .ready, verdict == nil else { return misuse("push") }
        guard !changes.isEmpty, changes.count <= limits.maxBatch else { return misuse("push of \(changes.count) changes") }
        state = .awaitingAck(batch: batch, seqs: changes.map(\.seq))
        return .send(.push(batch: batch, changes: changes))
    }

    /// Asks for the next page after `cursor`.
    /// - Parameters:
    ///   - cursor: The stored cursor.
    ///   - limit: Items wanted per page.
    /// - Returns: `send(pull)`, or `fail(misuse)`.
    public mutating func pull(cursor: Int64, limit: Int?) -> Action {
        guard state == .ready, verdict == nil else { return misuse("pull") }
        state = .awaitingPage(cursor: cursor)
        return .send(.pull(cursor: cursor, limit: limit))
    }

    /// Sends the replica's digest.
    /// - Parameter digest: The digest.
    /// - Returns: `send(verify)`, or `fail(misuse)`.
    public mutating func verify(_ digest: ScopeDigest) -> Action {
        guard state == .ready, verdict == nil else { return misuse("verify") }
        state = .awaitingVerified
        return .send(.verify(digest: digest))
    }

    /// Asks where conflicts stand (the ones the node's changes opened and it does not yet know closed).
    /// - Parameter conflicts: The conflict ids, at most `max_batch`, at least one.
    /// - Returns: `send(outcomes)`, or `fail(misuse)` when the hub did not announce `outcomes`, a verdict stands,
    ///   a request is in flight, or the list is empty or too long.
    public mutating func outcomes(_ conflicts: [Int64]) -> Action {
        guard state == .ready, verdict == nil else { return misuse("outcomes") }
        guard features.contains(ProtocolFeature.outcomes) else { return misuse("outcomes to a hub that did not announce them") }
        guard !conflicts.isEmpty, conflicts.count <= limits.maxBatch else { return misuse("outcomes for \(conflicts.count) conflicts") }
        state = .awaitingConflicts(asked: conflicts)
        return .send(.outcomes(conflicts: conflicts))
    }

    /// Asks for a snapshot.
    /// - Parameter reason: Why (the verdict, when one stands).
    /// - Returns: `send(resync)`, or `fail(misuse)`.
    public mutating func resync(_ reason: ResyncReason) -> Action {
        guard state == .ready else { return misuse("resync") }
        state = .awaitingSnapshot(reason: verdict ?? reason)
        return .send(.resync)
    }

    /// Ends the session.
    /// - Returns: `send(bye)`.
    public mutating func bye() -> Action {
        guard state != .closed, state != .idle else { return misuse("bye") }
        state = .awaitingBye
        return .send(.bye)
    }

    /// The connection is gone (or the caller gave up).
    public mutating func closed() {
        state = .closed
    }

    // MARK: The hub's messages

    /// Handles one message from the hub.
    /// - Parameter message: The decoded message.
    /// - Returns: What it means.
    public mutating func receive(_ message: HubMessage) -> Action {
        if case .error(let code, let text, let fatal, let retryAfter, let expectedSeq) = message {
            return hubError(code, text, fatal: fatal, retryAfter: retryAfter, expectedSeq: expectedSeq)
        }
        switch (state, message) {
        case (.awaitingChallenge, .challenge(let nonce)):
            state = .proving(nonce: nonce)
            return .prove(nonce: nonce)
        case (.awaitingWelcome, .welcome(let w)):
            guard w.village == village else { return fail(.wrongVillage) }
            guard let hello else { return misuse("welcome before hello") }
            limits = w.limits
            features = Set(w.features ?? [])
            head = w.head
            verdict = ResyncPolicy.afterWelcome(.init(hello: hello, welcome: w, nextSeq: nextSeq, asked: asked))
            state = .ready
            return .welcomed(w, resync: verdict)
        case (.awaitingAck(let batch, let seqs), .ack(let got, let results)):
            guard got == batch else { return fail(.unexpected("the hub acknowledged batch \(got), not \(batch)")) }
            guard results.count == seqs.count, Set(results.map(\.seq)) == Set(seqs) else {
                return fail(.unexpected("the hub's ack does not answer every change of batch \(batch)"))
            }
            head = max(head, results.compactMap(\.hseq).max() ?? head)
            state = .ready
            return .applyAck(batch: batch, results: results)
        case (.awaitingPage(let cursor), .page(let items, let next, let pageHead, let done, let clock)):
            guard next >= cursor, done || next > cursor else {
                return fail(.unexpected("a pull page did not advance the cursor from \(cursor)"))
            }
            head = max(head, pageHead)
            state = .ready
            return .applyPage(items: items, cursor: next, head: pageHead, done: done, clock: clock)
        case (.awaitingVerified, .verified(let match, let tables)):
            state = .ready
            let reason = ResyncPolicy.afterVerify(match: match, resynced: resynced, mayRepair: mayRepair)
            verdict = reason
            return .verified(match: match, tables: tables, resync: reason)
        case (.awaitingConflicts(let asked), .conflicts(let outcomes)):
            let ids = outcomes.map(\.id)
            guard Set(ids).isSubset(of: asked), Set(ids).count == ids.count else {
                return fail(.unexpected("the hub answered about conflicts this node did not ask about"))
            }
            state = .ready
            return .applyOutcomes(outcomes)
        case (.awaitingSnapshot(let reason), .snapshotBegin(let h, let epoch, let hub)):
            let s = Snapshot(reason: reason, head: h, epoch: epoch, hub: hub, rows: 0)
            state = .receivingSnapshot(s)
            return .beginSnapshot(s)
        case (.receivingSnapshot(var s), .rows(let rows)):
            s.rows += Int64(rows.count)
            state = .receivingSnapshot(s)
            return .applyRows(rows)
        case (.receivingSnapshot(let s), .snapshotEnd(let h, let count, let lastSeq, let clock)):
            guard count == s.rows else { return fail(.unexpected("the snapshot announced \(count) rows but sent \(s.rows)")) }
            guard h == s.head else { return fail(.unexpected("the snapshot ended at head \(h), not \(s.head)")) }
            verdict = nil
            resynced = true
            head = max(head, h)
            state = .ready
            return .finishSnapshot(s, lastSeq: lastSeq, clock: clock)
        case (.awaitingBye, .bye):
            state = .closed
            return .finished
        case (_, .bye):
            return fail(.unexpected("the hub ended the session"))
        default:
            return fail(.unexpected("the hub sent \(message.type) where \(expecting) was expected"))
        }
    }

    /// What the current state waits for, in words.
    public var expecting: String {
        switch state {
        case .idle, .ready, .proving, .closed: return "nothing"
        case .awaitingChallenge: return "challenge"
        case .awaitingWelcome: return "welcome"
        case .awaitingAck: return "ack"
        case .awaitingPage: return "page"
        case .awaitingVerified: return "verified"
        case .awaitingConflicts: return "conflicts"
        case .awaitingSnapshot: return "snapshot-begin"
        case .receivingSnapshot: return "rows or snapshot-end"
        case .awaitingBye: return "bye"
        }
    }

    private mutating func hubError(_ code: ErrorCode, _ text: String, fatal: Bool, retryAfter: Int?, expectedSeq: Int64?) -> Action {
        if !fatal {
            switch (state, code) {
            case (.awaitingAck(_, let seqs), .seqGap):
                guard let expected = expectedSeq, expected > 0 else {
                    return fail(.unexpected("the hub reported seq-gap without a usable expected_seq"))
                }
                guard !gapRetried else { return fail(.hub(code: code, message: text, retryAfter: nil)) }
                gapRetried = true
                state = .ready
                // Nothing of the refused batch was applied: push again from its first seq when that is lower.
                return .repush(from: min(expected, seqs.min() ?? expected))
            case (.awaitingAck, .resyncRequired), (.awaitingPage, .resyncRequired), (.awaitingVerified, .resyncRequired),
                 (.awaitingConflicts, .resyncRequired):
                guard !resynced else { return fail(.hub(code: code, message: text, retryAfter: nil)) }
                let reason = verdict ?? .hubAsked
                verdict = reason
                state = .ready
                return .startResync(reason)
            default:
                break
            }
        }
        return fail(.hub(code: code, message: text, retryAfter: retryAfter))
    }

    private mutating func fail(_ failure: Failure) -> Action {
        state = .closed
        return .fail(failure)
    }

    private mutating func misuse(_ what: String) -> Action {
        fail(.misuse("\(what) is not allowed \(state == .closed ? "after the session closed" : "now")"))
    }
}
