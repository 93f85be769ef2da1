import HamletCore

/// The hub side of a session as a pure state machine:
/// `hello → challenge → auth → welcome → (push | pull | verify | resync)* → bye`.
///
/// It decides what each message means in the current state and returns an
/// action; the caller does the I/O and store work, then reports back.
public struct HubSessionMachine: Sendable {
    /// Where the session stands.
    public enum State: Sendable, Equatable {
        case awaitingHello
        case awaitingAuth(node: String, nonce: String, hello: ClientMessage.Hello)
        case ready(node: String)
        case closed
    }

    /// What the caller must do next.
    public enum Action: Sendable, Equatable {
        /// Send a challenge with this nonce.
        case sendChallenge(nonce: String)
        /// Look up the node and check the proof; report with `authenticated(_:)` or `authFailed()`.
        case verify(node: String, proof: String, nonce: String, hello: ClientMessage.Hello)
        /// Reconcile a batch for the authenticated node.
        case push(node: String, batch: Int64, changes: [Change])
        /// Serve a pull page.
        case pull(node: String, cursor: Int64, limit: Int)
        /// Compare digests.
        case verifyDigest(node: String, digest: ScopeDigest)
        /// Stream a snapshot.
        case resync(node: String)
        /// Send an error, then close when `fatal`.
        case fail(ProtocolError, fatal: Bool)
        /// Say bye and close.
        case bye
    }

    public private(set) var state: State = .awaitingHello
    public let limits: Limits

    public init(limits: Limits = .standard) {
        self.limits = limits
    }

    /// Handles one decoded message.
    public mutating func receive(_ message: ClientMessage, nonce: () -> String) -> Action {
        switch (state, message) {
        case (.closed, _):
            return .fail(ProtocolError(.outOfOrder, "session is closed"), fatal: true)
        case (_, .bye):
            state = .closed
            return .bye
        case (.awaitingHello, .hello(let h)):
            guard h.proto == protocolVersion else {
                state = .closed
                return .fail(ProtocolError(.unsupportedVersion, "this hub speaks protocol \(protocolVersion)"), fatal: true)
            }
            let n = nonce()
            state = .awaitingAuth(node: h.node, nonce: n, hello: h)
            return .sendChallenge(nonce: n)
        case (.awaitingAuth(let node, let n, let hello), .auth(let proof)):
            return .verify(node: node, proof: proof, nonce: n, hello: hello)
        case (.ready(let node), .push(let batch, let changes)):
            guard changes.count <= limits.maxBatch else {
                state = .closed
                return .fail(ProtocolError(.batchTooLarge, "a push holds at most \(limits.maxBatch) changes"), fatal: true)
            }
            return .push(node: node, batch: batch, changes: changes)
        case (.ready(let node), .pull(let cursor, let limit)):
            return .pull(node: node, cursor: cursor, limit: min(max(limit ?? limits.pageSize, 1), limits.pageSize))
        case (.ready(let node), .verify(let digest)):
            return .verifyDigest(node: node, digest: digest)
        case (.ready(let node), .resync):
            return .resync(node: node)
        default:
            state = .closed
            return .fail(ProtocolError(.outOfOrder, "\(message.type) is not allowed now"), fatal: true)
        }
    }

    /// The proof checked out.
    public mutating func authenticated() {
        if case .awaitingAuth(let node, _, _) = state { state = .ready(node: node) }
    }

    /// The proof did not check out: the session ends.
    public mutating func authFailed() {
        state = .closed
    }

    /// A framing or decoding error: the session ends.
    public mutating func failed() {
        state = .closed
    }

    /// The authenticated node, if any.
    public var node: String? {
        if case .ready(let n) = state { return n }
        return nil
    }
}
