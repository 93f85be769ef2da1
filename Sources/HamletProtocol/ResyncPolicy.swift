/// Why a node must rebuild its replica from a snapshot. The raw values are the wire `welcome.reason`
/// strings (for the reasons the hub gives) and the words `hamlet sync` prints.
public enum ResyncReason: String, Sendable, Hashable, CaseIterable {
    /// The clerk asked for it (`hamlet resync`).
    case asked
    /// The node's `hub` is not this hub's identity: the hub was replaced (a new store).
    case hubReplaced = "hub replaced"
    /// The node's `epoch` is not the hub's current epoch: the hub was started from a backup.
    case hubRestored = "hub restored from a backup"
    /// The node's cursor is beyond the hub's head.
    case cursorAhead = "cursor ahead of hub"
    /// The hub holds `seq`s from this node that its own log never issued (a replica restored from an old copy).
    case hubHoldsLaterSeqs = "the hub holds later changes from this node than its log"
    /// The node's cursor belongs to another hub or epoch than the one it is talking to.
    case anotherHub = "another hub or epoch"
    /// `verify` found the replica differs from the hub.
    case verifyMismatch = "verify mismatch"
    /// The hub said so without a reason this build knows (`welcome.resync`, or `error resync-required`).
    case hubAsked = "the hub asked"

    /// The reason for a `welcome.reason` string: a known reason, or `hubAsked`.
    /// - Parameter wire: `welcome.reason`, if any.
    /// - Returns: The reason.
    public static func fromWire(_ wire: String?) -> ResyncReason {
        wire.flatMap(ResyncReason.init(rawValue:)) ?? .hubAsked
    }
}

/// The one place that says when a node must resync (PROTOCOL.md §9). The hub applies `atLogin(_:)` and
/// `beforePull(cursor:head:)`; the node applies `afterWelcome(_:)` (which includes the hub's rules, so a node
/// reaches the same verdict even from a hub that forgot to say it) and `afterVerify(match:resynced:mayRepair:)`.
public enum ResyncPolicy {
    /// What the hub knows at login.
    public struct Login: Sendable, Equatable {
        /// The node's `hello`.
        public var hello: ClientMessage.Hello
        /// The hub's identity.
        public var hub: String
        /// The hub's current epoch.
        public var epoch: String
        /// The hub's head `hseq`.
        public var head: Int64

        /// Creates the login facts.
        public init(hello: ClientMessage.Hello, hub: String, epoch: String, head: Int64) {
            self.hello = hello
            self.hub = hub
            self.epoch = epoch
            self.head = head
        }
    }

    /// The hub's verdict at login, checked in this order: another hub identity, another epoch, a cursor
    /// beyond the head. An empty `hub` or `epoch` in `hello` (a new node) matches any.
    /// - Parameter login: The hello and the hub's identity, epoch and head.
    /// - Returns: Why the node must resync, or nil.
    public static func atLogin(_ login: Login) -> ResyncReason? {
        if !login.hello.hub.isEmpty && login.hello.hub != login.hub { return .hubReplaced }
        if !login.hello.epoch.isEmpty && login.hello.epoch != login.epoch { return .hubRestored }
        return beforePull(cursor: login.hello.cursor, head: login.head)
    }

    /// A pull cursor beyond the hub's head means the node holds a future the hub never had.
    /// - Parameters:
    ///   - cursor: The node's cursor (not negative; a negative one is `bad-field`).
    ///   - head: The highest head the hub has shown this session.
    /// - Returns: `cursorAhead`, or nil.
    public static func beforePull(cursor: Int64, head: Int64) -> ResyncReason? {
        cursor > head ? .cursorAhead : nil
    }

    /// What the node knows when the welcome arrives.
    public struct Welcomed: Sendable, Equatable {
        /// The hello the node sent (its stored hub, epoch and cursor).
        public var hello: ClientMessage.Hello
        /// The hub's welcome.
        public var welcome: HubMessage.Welcome
        /// The `seq` the node's next change will take.
        public var nextSeq: Int64
        /// The clerk asked for a resync.
        public var asked: Bool

        /// Creates the node's facts.
        public init(hello: ClientMessage.Hello, welcome: HubMessage.Welcome, nextSeq: Int64, asked: Bool) {
            self.hello = hello
            self.welcome = welcome
            self.nextSeq = nextSeq
            self.asked = asked
        }
    }

    /// The node's verdict after `welcome`, checked in this order: asked; the hub said so; the hub's own
    /// rules (`atLogin`); the hub holds a `seq` the node's log never issued; the node's cursor belongs to
    /// another hub or epoch.
    /// - Parameter facts: The hello, the welcome, the node's next `seq`, and whether the clerk asked.
    /// - Returns: Why the node must resync, or nil.
    public static func afterWelcome(_ facts: Welcomed) -> ResyncReason? {
        let w = facts.welcome
        if facts.asked { return .asked }
        if w.resync { return ResyncReason.fromWire(w.reason) }
        if let reason = atLogin(Login(hello: facts.hello, hub: w.hub, epoch: w.epoch, head: w.head)) { return reason }
        if facts.nextSeq <= w.lastSeq { return .hubHoldsLaterSeqs }
        if facts.hello.cursor > 0 && (facts.hello.hub != w.hub || facts.hello.epoch != w.epoch) { return .anotherHub }
        return nil
    }

    /// The node's verdict after `verify`: repair a mismatch by one resync, unless the session already
    /// resynced or only verifies (`hamlet verify` repairs nothing).
    /// - Parameters:
    ///   - match: The hub's answer.
    ///   - resynced: The session already rebuilt the replica.
    ///   - mayRepair: The session may resync (a sync, not a verify).
    /// - Returns: `verifyMismatch`, or nil.
    public static func afterVerify(match: Bool, resynced: Bool, mayRepair: Bool) -> ResyncReason? {
        !match && !resynced && mayRepair ? .verifyMismatch : nil
    }
}
