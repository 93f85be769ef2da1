/// A comparison a list applies to one field (`hamlet list --where`).
public enum FilterOperator: String, Sendable, Hashable, CaseIterable {
    /// Equal to the value.
    case equals = "="
    /// Before the value (dates and text compare as text, `YYYY-MM-DD` in date order; integers as numbers).
    case less = "<"
    /// Before or equal to the value.
    case lessOrEqual = "<="
    /// After the value.
    case greater = ">"
    /// After or equal to the value.
    case greaterOrEqual = ">="
    /// Starting with the value (`name^=王`).
    case prefix = "^="

    /// Every operator, as typed, for messages: `= < <= > >= ^=`.
    public static var spelled: String { allCases.map(\.rawValue).joined(separator: " ") }
}

/// One `--where` condition: a field, an operator and a typed value.
public struct RowFilter: Sendable, Hashable {
    /// The field name (`birth_date`), or `id`.
    public var field: String
    /// The comparison.
    public var op: FilterOperator
    /// The value compared against, in the field's storage kind.
    public var value: Value

    /// Creates a filter.
    ///
    /// - Parameters:
    ///   - field: The field name, or `id`.
    ///   - op: The comparison.
    ///   - value: The value, in the field's storage kind.
    public init(field: String, op: FilterOperator, value: Value) {
        self.field = field
        self.op = op
        self.value = value
    }

    /// Characters that make up operators; a field name stops at the first of them.
    static let operatorCharacters: Set<Character> = ["<", ">", "=", "!", "^", "~", "*", "$", "%", "&", "|"]

    /// Splits `birth_date>=2025-01-01` into its field, operator and value text.
    ///
    /// The field is everything before the first operator character (a field
    /// name, `birth-date`, or a Chinese label such as 出生日期: the caller maps
    /// it), the operator is the run of operator characters after it, the value
    /// is the rest (it may be empty: `phone=` finds rows without a phone).
    ///
    /// - Parameter text: One `--where` argument.
    /// - Returns: The field as typed, the operator and the value text.
    /// - Throws: `FilterSyntaxError` `.missingOperator`, `.missingField` or `.unknownOperator`.
    public static func parse(_ text: String) throws(FilterSyntaxError) -> (field: String, op: FilterOperator, value: String) {
        guard let start = text.firstIndex(where: { operatorCharacters.contains($0) }) else {
            throw FilterSyntaxError(code: .missingOperator, text: text, operatorText: "")
        }
        let field = String(text[..<start]).trimmingSpaces()
        var end = start
        while end < text.endIndex, operatorCharacters.contains(text[end]) { end = text.index(after: end) }
        let spelled = String(text[start..<end])
        guard !field.isEmpty else { throw FilterSyntaxError(code: .missingField, text: text, operatorText: spelled) }
        guard let op = FilterOperator(rawValue: spelled) else {
            throw FilterSyntaxError(code: .unknownOperator, text: text, operatorText: spelled)
        }
        return (field, op, String(text[end...]))
    }
}

/// A `--where` argument that is not `field<op>value`.
public struct FilterSyntaxError: Error, Sendable, Hashable {
    /// Stable codes.
    public enum Code: String, Sendable {
        /// No operator at all (`name张丽`).
        case missingOperator = "missing-operator"
        /// Nothing before the operator (`=张丽`).
        case missingField = "missing-field-name"
        /// An operator not in ``FilterOperator`` (`!=`, `=>`, `~`).
        case unknownOperator = "unknown-operator"
    }

    /// What is wrong.
    public var code: Code
    /// The whole argument as typed.
    public var text: String
    /// The operator as typed (empty when there is none).
    public var operatorText: String

    /// What failed and what to do, in one line.
    ///
    /// - Parameter chinese: The language.
    /// - Returns: The message.
    public func message(chinese: Bool) -> String {
        let ops = FilterOperator.spelled
        switch code {
        case .missingOperator:
            return chinese ? "--where \(text) 缺少比较符；格式是 字段 比较符 值，比较符为 \(ops)，例如 姓名^=王"
                           : "--where \(text) has no operator; write field, operator, value with one of \(ops), e.g. name^=王"
        case .missingField:
            return chinese ? "--where \(text) 缺少字段名；例如 birth_date>=2025-01-01"
                           : "--where \(text) names no field; e.g. birth_date>=2025-01-01"
        case .unknownOperator:
            return chinese ? "--where \(text) 中的比较符 \(operatorText) 不认识；可用的比较符：\(ops)"
                           : "--where \(text): unknown operator \(operatorText); use one of \(ops)"
        }
    }
}
