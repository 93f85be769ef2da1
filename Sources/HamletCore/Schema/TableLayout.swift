/// A table's fields as the hub's hot path asks for them, worked out once per schema rather than at every change
/// (issue 17 item 1, the compiled schema).
///
/// A field's *ordinal* is its place in `TableSchema.fields`; a ``HubRow`` of the table keeps its values and
/// versions in arrays by ordinal. The sorted order is the one rows are hashed in for the digest and versions are
/// packed in. The class is immutable and shared by every copy of its ``TableSchema``; it is rebuilt when the
/// table's fields change.
public final class TableLayout: Sendable {
    /// The field names by ordinal (schema order).
    public let names: [String]
    /// Each field name's ordinal.
    public let ordinals: [String: Int]
    /// The field names in sorted (byte) order.
    public let sortedNames: [String]
    /// The ordinals of `sortedNames`, in that order.
    public let sortedOrdinals: [Int]
    /// The UTF-8 bytes of `sortedNames` (packed versions are matched against them without making strings).
    public let sortedNameBytes: [[UInt8]]
    /// Every field name.
    public let nameSet: Set<String>
    /// The reference fields, in schema order.
    public let referenceFields: [FieldSchema]
    /// The ordinals of `referenceFields`, in the same order.
    public let referenceOrdinals: [Int]
    /// The fields whose value must be unique among live rows.
    public let uniqueFields: [FieldSchema]
    /// The ordinals of `uniqueFields`, in the same order.
    public let uniqueOrdinals: [Int]
    /// The names of `uniqueFields`.
    public let uniqueNames: Set<String>
    /// For a reference field's ordinal: the date field whose `not_before_birth_of` names it.
    public let birthBoundDate: [Int: FieldSchema]
    /// The national-ID field, when the table has one.
    public let nationalIDField: FieldSchema?

    /// Works the layout out from a table's fields.
    public init(_ fields: [FieldSchema]) {
        let names = fields.map(\.name)
        self.names = names
        var ordinals: [String: Int] = [:]
        for (i, n) in names.enumerated() where ordinals[n] == nil { ordinals[n] = i }
        self.ordinals = ordinals
        let sorted = names.indices.sorted { names[$0] < names[$1] }
        sortedOrdinals = sorted
        sortedNames = sorted.map { names[$0] }
        sortedNameBytes = sorted.map { Array(names[$0].utf8) }
        nameSet = Set(names)
        referenceFields = fields.filter { $0.type == .ref }
        referenceOrdinals = fields.indices.filter { fields[$0].type == .ref }
        uniqueOrdinals = fields.indices.filter { fields[$0].unique }
        let unique = fields.filter(\.unique)
        uniqueFields = unique
        uniqueNames = Set(unique.map(\.name))
        var bound: [Int: FieldSchema] = [:]
        for (i, f) in fields.enumerated() where f.type == .ref {
            if let date = fields.first(where: { $0.notBeforeBirthOf == f.name }) { bound[i] = date }
        }
        birthBoundDate = bound
        nationalIDField = fields.first { $0.type == .nationalID }
    }

    /// The ordinal of a field, or nil when the table has no such field.
    @inlinable public func ordinal(_ name: String) -> Int? { ordinals[name] }
}
