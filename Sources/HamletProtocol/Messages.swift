import HamletCore

/// The protocol version this build speaks. A hub refuses other major versions.
public let protocolVersion = 1

/// Limits both sides announce and enforce.
public struct Limits: Sendable, Codable, Hashable {
    /// Bytes per line, excluding the newline.
    public var maxLine: Int
    /// Changes per push.
    public var maxBatch: Int
    /// Rows per pull page or snapshot page.
    public var pageSize: Int
    /// Seconds a session may sit idle between messages.
    public var idleTimeout: Int
    /// Seconds a started line may take to arrive.
    public var readTimeout: Int

    public static let standard = Limits(maxLine: 8 << 20, maxBatch: 1000, pageSize: 1000, idleTimeout: 60, readTimeout: 30)

    enum CodingKeys: String, CodingKey {
        case maxLine = "max_line", maxBatch = "max_batch", pageSize = "page_size"
        case idleTimeout = "idle_timeout", readTimeout = "read_timeout"
    }
}

/// Messages a node sends.
public enum ClientMessage: Sendable, Equatable {
    /// Opens a session.
    case hello(Hello)
    /// Proves the node holds its secret.
    case auth(proof: String)
    /// A batch of changes, oldest first.
    case push(batch: Int64, changes: [Change])
    /// Asks for the changes of the node's village after `cursor`.
    case pull(cursor: Int64, limit: Int?)
    /// Compares the node's digest of its village with the hub's.
    case verify(digest: ScopeDigest)
    /// Asks for a snapshot of the village.
    case resync
    /// Asks where these conflicts stand (at most `max_batch` ids); only to a hub whose welcome announced
    /// `ProtocolFeature.outcomes`.
    case outcomes(conflicts: [Int64])
    /// Ends the session.
    case bye

    /// The first message.
    public struct Hello: Sendable, Equatable, Codable {
        public var proto: Int
        public var node: String
        public var client: String
        /// The hub identity the node synced with before ("" for a new node).
        public var hub: String
        /// The epoch of the node's cursor ("" for a new node).
        public var epoch: String
        /// The node's pull cursor.
        public var cursor: Int64
        /// The node's wall clock (ms) for the skew column of `hub nodes`.
        public var clock: Int64?
        /// The version of the register schema the node's replica holds (absent: 1).
        public var schema: Int?

        public init(proto: Int = protocolVersion, node: String, client: String, hub: String, epoch: String, cursor: Int64, clock: Int64?,
                    schema: Int? = nil) {
            self.proto = proto
            self.node = node
            self.client = client
            self.hub = hub
            self.epoch = epoch
            self.cursor = cursor
            self.clock = clock
            self.schema = schema
        }

        enum CodingKeys: String, CodingKey { case proto = "protocol", node, client, hub, epoch, cursor, clock, schema }
    }

    /// The wire `type`.
    public var type: String {
        switch self {
        case .hello: return "hello"
        case .auth: return "auth"
        case .push: return "push"
        case .pull: return "pull"
        case .verify: return "verify"
        case .resync: return "resync"
        case .outcomes: return "outcomes"
        case .bye: return "bye"
        }
    }
}

/// Optional requests a hub announces in `welcome.features` (PROTOCOL §11): a node sends one only to a hub
/// that announced it, so an older hub never meets a message type it does not know.
public enum ProtocolFeature {
    /// The hub answers `outcomes` with `conflicts`.
    public static let outcomes = "outcomes"
    /// Every optional request this build's hub answers.
    public static let all = [outcomes]
}

/// Messages the hub sends.
public enum HubMessage: Sendable, Equatable {
    /// Answers hello: prove you hold the secret for this nonce.
    case challenge(nonce: String)
    /// Authenticated: who the hub is and where the node stands.
    case welcome(Welcome)
    /// Per-change results of a push, in the order sent.
    case ack(batch: Int64, results: [ChangeResult])
    /// A page of outcomes.
    case page(items: [PullItem], cursor: Int64, head: Int64, done: Bool, clock: HLC?)
    /// The verify answer.
    case verified(match: Bool, tables: [String])
    /// A snapshot starts.
    case snapshotBegin(head: Int64, epoch: String, hub: String)
    /// Snapshot rows.
    case rows([RowState])
    /// The snapshot is complete.
    case snapshotEnd(head: Int64, count: Int64, lastSeq: Int64, clock: HLC?)
    /// The answer to `outcomes`: each asked conflict the node may see, by id (the others are left out).
    case conflicts([ConflictOutcome])
    /// A refusal with a stable code; `fatal` means the hub closes after it. `retryAfter` (seconds) comes with
    /// `rate-limited`; `expectedSeq`, the next `seq` the hub will take from the node, with `seq-gap`.
    case error(code: ErrorCode, message: String, fatal: Bool, retryAfter: Int?, expectedSeq: Int64?)
    /// The session ends.
    case bye

    /// What the hub tells an authenticated node.
    public struct Welcome: Sendable, Equatable, Codable {
        public var hub: String
        public var epoch: String
        public var head: Int64
        /// The end of the contiguous run `1 … lastSeq` of this node's seqs the hub has received: push everything after it.
        public var lastSeq: Int64
        public var village: String
        /// The node must resync before it pushes or pulls (the hub's verdict, `ResyncPolicy.atLogin`).
        public var resync: Bool
        /// Why, when `resync`: a `ResyncReason` raw value.
        public var reason: String?
        public var limits: Limits
        public var clock: HLC?
        /// The hub's register schema, whole, when it is newer than the one the node said it holds
        /// (`hello.schema`): the node migrates its replica to it before anything else (PROTOCOL §14).
        public var schema: Schema?
        /// The optional requests this hub answers (`ProtocolFeature`); absent on older hubs.
        public var features: [String]?

        public init(hub: String, epoch: String, head: Int64, lastSeq: Int64, village: String, resync: Bool, reason: String?,
                    limits: Limits, clock: HLC?, schema: Schema? = nil, features: [String]? = nil) {
            self.schema = schema
            self.features = features
            self.hub = hub
            self.epoch = epoch
            self.head = head
            self.lastSeq = lastSeq
            self.village = village
            self.resync = resync
            self.reason = reason
            self.limits = limits
            self.clock = clock
        }

        enum CodingKeys: String, CodingKey {
            case hub, epoch, head, village, resync, reason, limits, clock, schema, features
            case lastSeq = "last_seq"
        }
    }

    /// The wire `type`.
    public var type: String {
        switch self {
        case .challenge: return "challenge"
        case .welcome: return "welcome"
        case .ack: return "ack"
        case .page: return "page"
        case .verified: return "verified"
        case .snapshotBegin: return "snapshot-begin"
        case .rows: return "rows"
        case .snapshotEnd: return "snapshot-end"
        case .conflicts: return "conflicts"
        case .error: return "error"
        case .bye: return "bye"
        }
    }
}
