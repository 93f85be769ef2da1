/// Where a conflict stands at the hub, as a node may see it (PROTOCOL §5, `conflicts`): open, or closed with
/// the operator's (or the hub's own) decision. The node stores these beside its change log, so that the clerk
/// sees how each conflict a change opened was settled.
public struct ConflictOutcome: Sendable, Hashable, Codable {
    /// The conflict's id at the hub.
    public var id: Int64
    /// `field`, `delete` or `duplicate` (a newer hub may add kinds: kept as text).
    public var kind: String
    /// `open` or `resolved`.
    public var status: String
    /// The table and row the conflict is about.
    public var table: String?
    public var row: String?
    /// The field of a field conflict.
    public var field: String?
    /// The stored resolution code (`take village`, `take hub`, `new value`, `merge`, `keep`, `delete`, `dismissed`,
    /// `moot`, `superseded by #N`; `unmerged` on a reopened duplicate), nil while it was never decided.
    public var resolution: String?
    /// Who decided: the operator's name, or `@hub` when the hub closed it itself.
    public var resolvedBy: String?
    /// When (ms since 1970, the operator's wall clock as recorded with the action); nil for the hub's own closes.
    public var resolvedAt: Int64?
    /// The operator's note.
    public var note: String?
    /// For a field conflict decided with a value: the value the field took (`.null` when it was cleared); nil when
    /// no value was decided (open, moot, or another kind).
    public var value: Value?
    /// For a merged duplicate: the row that survived.
    public var survivor: String?

    /// Creates an outcome.
    public init(id: Int64, kind: String, status: String, table: String? = nil, row: String? = nil, field: String? = nil,
                resolution: String? = nil, resolvedBy: String? = nil, resolvedAt: Int64? = nil, note: String? = nil,
                value: Value? = nil, survivor: String? = nil) {
        self.id = id
        self.kind = kind
        self.status = status
        self.table = table
        self.row = row
        self.field = field
        self.resolution = resolution
        self.resolvedBy = resolvedBy
        self.resolvedAt = resolvedAt
        self.note = note
        self.value = value
        self.survivor = survivor
    }

    /// True once the conflict is closed (anything but `open`).
    public var isClosed: Bool { status != "open" }

    enum CodingKeys: String, CodingKey {
        case id, kind, status, table, row, field, resolution, note, value, survivor
        case resolvedBy = "resolved_by", resolvedAt = "resolved_at"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(Int64.self, forKey: .id)
        kind = try c.decode(String.self, forKey: .kind)
        status = try c.decode(String.self, forKey: .status)
        table = try c.decodeIfPresent(String.self, forKey: .table)
        row = try c.decodeIfPresent(String.self, forKey: .row)
        field = try c.decodeIfPresent(String.self, forKey: .field)
        resolution = try c.decodeIfPresent(String.self, forKey: .resolution)
        resolvedBy = try c.decodeIfPresent(String.self, forKey: .resolvedBy)
        resolvedAt = try c.decodeIfPresent(Int64.self, forKey: .resolvedAt)
        note = try c.decodeIfPresent(String.self, forKey: .note)
        // Present and null: the field was cleared; absent: no value was decided.
        value = c.contains(.value) ? try c.decode(Value.self, forKey: .value) : nil
        survivor = try c.decodeIfPresent(String.self, forKey: .survivor)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(kind, forKey: .kind)
        try c.encode(status, forKey: .status)
        try c.encodeIfPresent(table, forKey: .table)
        try c.encodeIfPresent(row, forKey: .row)
        try c.encodeIfPresent(field, forKey: .field)
        try c.encodeIfPresent(resolution, forKey: .resolution)
        try c.encodeIfPresent(resolvedBy, forKey: .resolvedBy)
        try c.encodeIfPresent(resolvedAt, forKey: .resolvedAt)
        try c.encodeIfPresent(note, forKey: .note)
        if let value { try c.encode(value, forKey: .value) }
        try c.encodeIfPresent(survivor, forKey: .survivor)
    }
}
