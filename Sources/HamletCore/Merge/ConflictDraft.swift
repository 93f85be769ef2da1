/// The kinds of conflict an operator reviews.
public enum ConflictKind: String, Sendable, Codable, CaseIterable {
    /// Two writers set one `review` field to different values.
    case field
    /// A delete met a concurrent edit (either order), or a delete of a referenced row.
    case delete
    /// Two live rows hold the same unique value (national ID).
    case duplicate

    /// The kind as the operator's Chinese screens name it: 字段冲突, 删除冲突, 重复登记.
    public var labelZH: String {
        switch self {
        case .field: "字段冲突"
        case .delete: "删除冲突"
        case .duplicate: "重复登记"
        }
    }

    /// The kind an operator typed: the code (`field`) or its Chinese name (字段冲突, 字段, 删除, 重复 …).
    /// - Parameter text: What was typed.
    /// - Returns: The kind, or nil when the text names none.
    public init?(typed text: String) {
        if let k = ConflictKind(rawValue: text) { self = k; return }
        guard let k = ConflictKind.allCases.first(where: { $0.labelZH == text || $0.labelZH.hasPrefix(text) && text.count >= 2 })
        else { return nil }
        self = k
    }
}

/// A conflict the merge decided to open; the store gives it an id.
public struct ConflictDraft: Sendable, Hashable {
    public var kind: ConflictKind
    public var table: String
    public var row: String
    /// The field (field conflicts and duplicates).
    public var field: String?
    /// The base version the incoming change was made on.
    public var base: Int64
    /// The value the incoming change wrote (field conflicts).
    public var incoming: Value?
    /// The value the hub held when the change arrived.
    public var hubValue: Value?
    /// The version of the hub's value when the change arrived.
    public var hubVersion: FieldVersion?
    /// True when the incoming value won provisionally.
    public var incomingWon: Bool
    /// The other row (duplicates).
    public var otherRow: String?
    /// Why it opened, in English without record values.
    public var reason: String

    public init(kind: ConflictKind, table: String, row: String, field: String? = nil, base: Int64 = 0,
                incoming: Value? = nil, hubValue: Value? = nil, hubVersion: FieldVersion? = nil,
                incomingWon: Bool = false, otherRow: String? = nil, reason: String) {
        self.kind = kind
        self.table = table
        self.row = row
        self.field = field
        self.base = base
        self.incoming = incoming
        self.hubValue = hubValue
        self.hubVersion = hubVersion
        self.incomingWon = incomingWon
        self.otherRow = otherRow
        self.reason = reason
    }
}

/// A row referenced by a change, as the hub knows it.
public enum ReferenceState: Sendable, Equatable {
    case live(birthDate: String?)
    case deleted(birthDate: String?)
    case merged(into: String)
}
