/// A row as the hub holds it, sent to nodes whole: pulls carry outcomes, not requests (rule 16).
public struct RowState: Sendable, Hashable, Codable {
    public var table: String
    public var id: String
    /// Every field with a value (absent = null).
    public var values: Fields
    /// Each field's version (`hseq`).
    public var versions: [String: Int64]
    public var deleted: Bool
    /// The survivor, for a row merged away by the operator.
    public var mergedInto: String?
    /// The highest `hseq` that touched the row.
    public var hseq: Int64

    public init(table: String, id: String, values: Fields, versions: [String: Int64], deleted: Bool,
                mergedInto: String?, hseq: Int64) {
        self.table = table
        self.id = id
        self.values = values
        self.versions = versions
        self.deleted = deleted
        self.mergedInto = mergedInto
        self.hseq = hseq
    }

    enum CodingKeys: String, CodingKey {
        case table, id, values, versions, deleted, hseq
        case mergedInto = "merged_into"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        table = try c.decode(String.self, forKey: .table)
        id = try c.decode(String.self, forKey: .id)
        values = try c.decodeIfPresent(Fields.self, forKey: .values) ?? [:]
        versions = try c.decodeIfPresent([String: Int64].self, forKey: .versions) ?? [:]
        deleted = try c.decodeIfPresent(Bool.self, forKey: .deleted) ?? false
        mergedInto = try c.decodeIfPresent(String.self, forKey: .mergedInto)
        hseq = try c.decode(Int64.self, forKey: .hseq)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(table, forKey: .table)
        try c.encode(id, forKey: .id)
        try c.encode(values, forKey: .values)
        try c.encode(versions, forKey: .versions)
        if deleted { try c.encode(true, forKey: .deleted) }
        try c.encodeIfPresent(mergedInto, forKey: .mergedInto)
        try c.encode(hseq, forKey: .hseq)
    }

    /// The value of the scope column.
    public func scope(_ schema: Schema) -> String? { values[schema.scope]?.text }
}

/// One item of a pull page.
public enum PullItem: Sendable, Hashable {
    /// The row's current state at the hub, whole.
    case put(RowState)
    /// The row left the node's scope (transferred): remove it from the replica.
    case leave(table: String, id: String, hseq: Int64)
}

/// The hub's answer for one pushed change.
public struct ChangeResult: Sendable, Hashable, Codable {
    /// How the hub took a change.
    public enum Status: String, Sendable, Codable {
        /// Accepted; every value applied or merged silently.
        case applied
        /// Accepted; one or more conflicts opened for the operator (values may have lost provisionally).
        case conflict
        /// Refused; `code` and `message` say why. The node keeps it, marked rejected.
        case rejected
        /// Held: it names a row (or a reference) the hub has never seen, possible after the
        /// hub was restored from a backup. The hub applies it when that row arrives; the
        /// node keeps it pending and sends it again on its next sync (rule 13).
        case parked
    }
    public var seq: Int64
    public var status: Status
    /// The hub sequence number the change took (accepted changes).
    public var hseq: Int64?
    /// The conflicts it opened.
    public var conflicts: [Int64]
    public var code: String?
    public var message: String?
    /// True when the hub had received this `(node, seq)` before: this is the original result.
    public var resent: Bool

    public init(seq: Int64, status: Status, hseq: Int64? = nil, conflicts: [Int64] = [], code: String? = nil,
                message: String? = nil, resent: Bool = false) {
        self.seq = seq
        self.status = status
        self.hseq = hseq
        self.conflicts = conflicts
        self.code = code
        self.message = message
        self.resent = resent
    }

    enum CodingKeys: String, CodingKey { case seq, status, hseq, conflicts, code, message, resent }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        seq = try c.decode(Int64.self, forKey: .seq)
        status = try c.decode(Status.self, forKey: .status)
        hseq = try c.decodeIfPresent(Int64.self, forKey: .hseq)
        conflicts = try c.decodeIfPresent([Int64].self, forKey: .conflicts) ?? []
        code = try c.decodeIfPresent(String.self, forKey: .code)
        message = try c.decodeIfPresent(String.self, forKey: .message)
        resent = try c.decodeIfPresent(Bool.self, forKey: .resent) ?? false
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(seq, forKey: .seq)
        try c.encode(status, forKey: .status)
        try c.encodeIfPresent(hseq, forKey: .hseq)
        if !conflicts.isEmpty { try c.encode(conflicts, forKey: .conflicts) }
        try c.encodeIfPresent(code, forKey: .code)
        try c.encodeIfPresent(message, forKey: .message)
        if resent { try c.encode(true, forKey: .resent) }
    }
}

/// An order-independent digest of a scope: per table the row count and the XOR
/// of SHA-256 over each row's id, flags, fields and versions.
public struct ScopeDigest: Sendable, Hashable, Codable {
    public var tables: [String: TableDigest]
    public init(tables: [String: TableDigest]) { self.tables = tables }

    /// One table's part.
    public struct TableDigest: Sendable, Hashable, Codable {
        public var count: Int
        public var hash: String
        public init(count: Int, hash: String) {
            self.count = count
            self.hash = hash
        }
    }

    /// The empty table's digest (no rows).
    public static let emptyTable = TableDigest(count: 0, hash: String(repeating: "0", count: 64))

    /// The tables whose digests differ; a table one side lacks counts as empty there (a node
    /// whose schema predates a table holds none of its rows).
    public static func mismatched(_ a: ScopeDigest, _ b: ScopeDigest) -> [String] {
        Set(a.tables.keys).union(b.tables.keys)
            .filter { (a.tables[$0] ?? emptyTable) != (b.tables[$0] ?? emptyTable) }.sorted()
    }
}
