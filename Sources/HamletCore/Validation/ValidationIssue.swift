/// One reason a value or a row was refused.
///
/// `code` is stable (CLI `error[code]`, wire rejection codes). `value` is the
/// offending input: the CLI may echo it back to the clerk who typed it, but wire
/// and log messages use `safeMessage`, which never contains record values.
public struct ValidationIssue: Error, Sendable, Hashable, CustomStringConvertible {
    /// Stable codes; add new ones, never rename.
    public enum Code: String, Sendable, Codable, CaseIterable {
        case unknownTable = "unknown-table"
        case unknownField = "unknown-field"
        case missingField = "missing-field"
        case invalidText = "invalid-text"
        case tooLong = "too-long"
        case invalidInteger = "invalid-integer"
        case outOfRange = "out-of-range"
        case invalidDate = "invalid-date"
        case invalidEnum = "invalid-enum"
        case invalidNationalID = "invalid-national-id"
        case invalidPhone = "invalid-phone"
        case invalidReference = "invalid-reference"
        case missingReference = "missing-reference"
        case nationalIDBirthDate = "national-id-birth-date-mismatch"
        case nationalIDSex = "national-id-sex-mismatch"
        case beforeBirth = "date-before-birth"
        case missingOneOf = "missing-one-of"
        case readOnlyField = "read-only-field"
        case parentTooYoung = "parent-too-young"
        /// Text holding a control, format (zero-width, bidi), separator or BOM character, or a line break in a
        /// one-line field (``TextSafety``). The message names the code point, never the value.
        case forbiddenCharacter = "forbidden-character"
    }

    public var code: Code
    public var table: String
    public var field: String
    /// The refused input (personal data: CLI only, never logs or wire).
    public var value: String?
    /// Extra detail in English, free of record values.
    public var detail: String
    /// Extra detail in Chinese, free of record values.
    public var detailZH: String

    public init(_ code: Code, table: String, field: String, value: String?, detail: String, zh: String) {
        self.code = code
        self.table = table
        self.field = field
        self.value = value
        self.detail = detail
        self.detailZH = zh
    }

    /// `field: detail` without the value, safe for logs and the wire.
    public var safeMessage: String { "\(table).\(field): \(detail)" }

    public var description: String { safeMessage }

    /// The clerk-facing message, naming the field (in the clerk's language), the value and the problem.
    public func message(chinese: Bool, schema: Schema = .register) -> String {
        let t = schema.table(named: table)
        let label = t?.field(field)?.label
        if chinese {
            // A rule over several fields (`person|household`) names each by its label.
            let name = label?.zh ?? field.split(separator: "|").map { t?.field(String($0))?.label.zh ?? String($0) }.joined(separator: "、")
            if let v = value, !v.isEmpty { return "\(name)「\(v)」：\(detailZH)" }
            return "\(name)：\(detailZH)"
        }
        let name = label?.en ?? field
        if let v = value, !v.isEmpty { return "\(name) \"\(v)\": \(detail)" }
        return "\(name): \(detail)"
    }
}
