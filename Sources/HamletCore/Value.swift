/// One field value as stored in a register table and carried on the wire.
///
/// The register has three storage kinds: text (dates, enums, ids and references
/// are text too), integers, and the absence of a value. JSON: string, number, null.
public enum Value: Sendable, Hashable, Codable, CustomStringConvertible {
    case null
    case text(String)
    case integer(Int64)

    /// The text, or nil when the value is not text.
    public var text: String? {
        if case .text(let s) = self { return s }
        return nil
    }

    /// The integer, or nil when the value is not an integer.
    public var integer: Int64? {
        if case .integer(let i) = self { return i }
        return nil
    }

    /// True for `.null`.
    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// A human-readable rendering: text as is, integers in decimal, null as empty.
    public var description: String {
        switch self {
        case .null: return ""
        case .text(let s): return s
        case .integer(let i): return String(i)
        }
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null; return }
        if let i = try? c.decode(Int64.self) { self = .integer(i); return }
        if let s = try? c.decode(String.self) { self = .text(s); return }
        throw DecodingError.typeMismatch(
            Value.self,
            .init(codingPath: decoder.codingPath, debugDescription: "expected a string, an integer or null"))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case .text(let s): try c.encode(s)
        case .integer(let i): try c.encode(i)
        }
    }
}

/// The field values of one row, keyed by field name.
public typealias Fields = [String: Value]
