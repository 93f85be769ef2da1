import HamletCore

/// The hub side of a session as a pure state machine (PROTOCOL.md §4):
/// `hello → challenge → auth → welcome → (push | pull | verify | outcomes | resync)* → bye`, with the welcome's resync
/// verdict enforced until a snapshot completes.
///
/// It decides what each message means in the current state and returns an action; the caller does the
/// I/O and the store work, then reports back (`authenticated(_:)`, `acknowledged(_:)`, `paged(cursor:head:)`,
/// `snapshotSent(head:)`, `seqGap(expected:)`). One request is in flight at a time: the caller reads the next
/// message only after reporting the previous one's outcome.
public struct HubSessionMachine: Sendable {
    /// The authenticated node and what the session knows of the hub.
    public struct Peer: Sendable, Equatable {
        /// The logged-in node.
        public var node: String
        /// Its village (the scope of its pulls, verifies and snapshots).
        public var village: String
        /// The highest head this session has shown the node (welcome, ack, page, snapshot): a pull cursor
        /// beyond it is a future the hub never had.
        public var head: Int64

        /// Creates a peer.
        public init(node: String, village: String, head: Int64) {
            self.node = node
            self.village = village
            self.head = head
        }
    }

    /// Where the session stands.
    public enum State: Sendable, Equatable {
        /// Connected; the first message must be `hello`.
        case awaitingHello
        /// A challenge was sent; the next message must be `auth`.
        case awaitingAuth(node: String, nonce: String, hello: ClientMessage.Hello)
        /// The proof is being checked; no message is read meanwhile.
        case authenticating(node: String, hello: ClientMessage.Hello)
        /// Logged in: push, pull, verify, outcomes, resync and bye are allowed.
        case ready(Peer)
        /// Logged in, but the node must resync first: only resync and bye are allowed.
        case mustResync(Peer, reason: ResyncReason)
        /// A snapshot is streaming; no message is read meanwhile.
        case resyncing(Peer)
        /// The session is over (bye, a fatal error, or the connection closed).
        case closed
    }

    /// What the caller must do next.
    public enum Action: Sendable, Equatable {
        /// Send a challenge with this nonce.
        case sendChallenge(nonce: String)
        /// Look up the node and check the proof; report with `authenticated(_:)` or `authFailed()`.
        case verify(node: String, proof: String, nonce: String, hello: ClientMessage.Hello)
        /// Send this welcome.
        case sendWelcome(HubMessage.Welcome)
        /// Reconcile a batch for the node; report with `acknowledged(_:)` or `seqGap(expected:)`, then send the ack.
        case push(Peer, batch: Int64, changes: [Change])
        /// Serve a pull page; report with `paged(cursor:head:)`.
        case pull(Peer, cursor: Int64, limit: Int)
        /// Compare digests.
        case verifyDigest(Peer, digest: ScopeDigest)
        /// Read where these conflicts stand, keeping those the peer may see (its village's, or opened by its
        /// changes), and send them in `conflicts`.
        case outcomes(Peer, conflicts: [Int64])
        /// Stream a snapshot; report with `snapshotSent(head:)`.
        case resync(Peer)
        /// Send a non-fatal error (`fatal: false`); the session stays as it is.
        case refuse(ProtocolError, expectedSeq: Int64?)
        /// Send a fatal error, then close.
        case fail(ProtocolError)
        /// Say bye and close.
        case bye
    }

    /// Where the session stands.
    public private(set) var state: State = .awaitingHello
    /// The limits in force.
    public let limits: Limits

    /// Creates a machine in `awaitingHello`.
    /// - Parameter limits: The limits the hub announces and enforces.
    public init(limits: Limits = .standard) {
        self.limits = limits
    }

    /// Handles one decoded message.
    /// - Parameters:
    ///   - message: The message.
    ///   - nonce: Makes a fresh challenge nonce (called only for an accepted `hello`).
    /// - Returns: What to do.
    public mutating func receive(_ message: ClientMessage, nonce: () -> String) -> Action {
        switch (state, message) {
        case (.closed, _):
            return .fail(ProtocolError(.outOfOrder, "session is closed"))
        case (_, .bye):
            state = .closed
            return .bye
        case (.awaitingHello, .hello(let h)):
            guard h.proto == protocolVersion else {
                return close(.unsupportedVersion, "this hub speaks protocol \(protocolVersion)")
            }
            guard h.cursor >= 0 else { return close(.badField, "hello.cursor must not be negative") }
            let n = nonce()
            state = .awaitingAuth(node: h.node, nonce: n, hello: h)
            return .sendChallenge(nonce: n)
        case (.awaitingAuth(let node, let n, let hello), .auth(let proof)):
            state = .authenticating(node: node, hello: hello)
            return .verify(node: node, proof: proof, nonce: n, hello: hello)
        case (.ready(let peer), .push(let batch, let changes)):
            guard changes.count <= limits.maxBatch else {
                return close(.batchTooLarge, "a push holds at most \(limits.maxBatch) changes")
            }
            return .push(peer, batch: batch, changes: changes)
        case (.ready, .pull(let cursor, _)) where cursor < 0, (.mustResync, .pull(let cursor, _)) where cursor < 0:
            return close(.badField, "pull.cursor must not be negative")
        case (.ready(let peer), .pull(let cursor, let limit)):
            if let reason = ResyncPolicy.beforePull(cursor: cursor, head: peer.head) {
                state = .mustResync(peer, reason: reason)
                return .refuse(ProtocolError(.resyncRequired, "the cursor is beyond the hub's head \(peer.head); resync"), expectedSeq: nil)
            }
            return .pull(peer, cursor: cursor, limit: min(max(limit ?? limits.pageSize, 1), limits.pageSize))
        case (.ready(let peer), .verify(let digest)):
            return .verifyDigest(peer, digest: digest)
        case (.ready(let peer), .outcomes(let ids)):
            guard ids.count <= limits.maxBatch else {
                return close(.batchTooLarge, "an outcomes request names at most \(limits.maxBatch) conflicts")
            }
            return .outcomes(peer, conflicts: ids)
        case (.ready(let peer), .resync), (.mustResync(let peer, _), .resync):
            state = .resyncing(peer)
            return .resync(peer)
        case (.mustResync(_, let reason), .push), (.mustResync(_, let reason), .pull), (.mustResync(_, let reason), .verify),
             (.mustResync(_, let reason), .outcomes):
            return .refuse(ProtocolError(.resyncRequired, "\(message.type) is refused until the node resyncs (\(reason.rawValue))"),
                           expectedSeq: nil)
        default:
            return close(.outOfOrder, "\(message.type) is not allowed now")
        }
    }

    /// The proof checked out: the welcome's verdict decides whether the session is ready or must resync.
    /// - Parameter welcome: The welcome to send (its `head`, `village`, `resync` and `reason`).
    /// - Returns: `sendWelcome`, or `fail` when no proof was being checked.
    public mutating func authenticated(_ welcome: HubMessage.Welcome) -> Action {
        guard case .authenticating(let node, _) = state else {
            return close(.internal, "a login completed outside authentication")
        }
        let peer = Peer(node: node, village: welcome.village, head: welcome.head)
        state = welcome.resync ? .mustResync(peer, reason: ResyncReason.fromWire(welcome.reason)) : .ready(peer)
        return .sendWelcome(welcome)
    }

    /// The proof did not check out: the session ends (the caller may delay the error, as the throttle says).
    /// - Returns: `fail(auth-failed)`.
    public mutating func authFailed() -> Action {
        close(.authFailed, "unknown node or wrong proof")
    }

    /// A batch was reconciled: the session's head moves to the highest `hseq` it took.
    /// - Parameter results: The per-change results sent in the ack.
    public mutating func acknowledged(_ results: [ChangeResult]) {
        raiseHead(results.compactMap(\.hseq).max())
    }

    /// A batch was refused whole because its new `seq`s do not continue the node's received prefix in order.
    /// - Parameter expected: The `seq` the hub expected where the batch left the order.
    /// - Returns: `refuse(seq-gap)` carrying `expected`; the session stays ready.
    public mutating func seqGap(expected: Int64) -> Action {
        .refuse(ProtocolError(.seqGap, "the push's new seqs do not continue this node's seqs in order (seq \(expected) was expected); "
                              + "nothing of it was applied"), expectedSeq: expected)
    }

    /// A pull page was sent.
    /// - Parameters:
    ///   - cursor: The page's cursor.
    ///   - head: The page's head.
    public mutating func paged(cursor: Int64, head: Int64) {
        raiseHead(max(cursor, head))
    }

    /// A snapshot completed: the verdict is lifted and the session is ordinary `ready`.
    /// - Parameter head: The snapshot's head.
    public mutating func snapshotSent(head: Int64) {
        guard case .resyncing(var peer) = state else { return }
        peer.head = max(peer.head, head)
        state = .ready(peer)
    }

    /// A framing or decoding error: the session ends.
    /// - Parameter error: The error to send.
    /// - Returns: `fail(error)`.
    public mutating func decodeFailed(_ error: ProtocolError) -> Action {
        close(error.code, error.message)
    }

    /// The session ended for a reason outside the protocol (the connection closed, a timeout, shutdown,
    /// a store failure).
    public mutating func failed() {
        state = .closed
    }

    /// The claimed node (after hello) or the authenticated one.
    public var node: String? {
        switch state {
        case .awaitingAuth(let node, _, _), .authenticating(let node, _): return node
        case .ready(let p), .mustResync(let p, _), .resyncing(let p): return p.node
        case .awaitingHello, .closed: return nil
        }
    }

    /// The authenticated peer, if any.
    public var peer: Peer? {
        switch state {
        case .ready(let p), .mustResync(let p, _), .resyncing(let p): return p
        default: return nil
        }
    }

    /// True once the session is over.
    public var isClosed: Bool { state == .closed }

    private mutating func close(_ code: ErrorCode, _ message: String) -> Action {
        state = .closed
        return .fail(ProtocolError(code, message))
    }

    private mutating func raiseHead(_ value: Int64?) {
        guard let value else { return }
        switch state {
        case .ready(var p):
            p.head = max(p.head, value)
            state = .ready(p)
        case .mustResync(var p, let reason):
            p.head = max(p.head, value)
            state = .mustResync(p, reason: reason)
        case .resyncing(var p):
            p.head = max(p.head, value)
            state = .resyncing(p)
        default:
            break
        }
    }
}
