/// Which rows an export keeps: one village (or all) and a date range on each
/// table's main date.
///
/// The main date is the table's first date field in the schema — 出生日期 for
/// people, 日期 for events and visits, 发放日期 for benefits, 发现日期 for
/// pregnancies, 开始日期 for contraception — the date an office reports a row
/// under. A table without a date field (households) is not narrowed by the
/// range. With a range, a row whose main date is empty (a benefit not paid
/// yet) is left out: it has no date in the range. Both ends are included.
public struct ExportFilter: Sendable, Hashable {
    /// The village kept; nil keeps every village.
    public var village: String?
    /// The first day kept, `YYYY-MM-DD`; nil: no lower bound.
    public var from: CalendarDate?
    /// The last day kept, `YYYY-MM-DD`; nil: no upper bound.
    public var to: CalendarDate?

    /// Creates a filter from checked values.
    ///
    /// - Parameters:
    ///   - village: The village, or nil for all.
    ///   - from: The first day, or nil.
    ///   - to: The last day, or nil.
    public init(village: String? = nil, from: CalendarDate? = nil, to: CalendarDate? = nil) {
        self.village = village
        self.from = from
        self.to = to
    }

    /// Reads a filter as a form or query string gives it: empty values mean "any"; dates as clerks write them
    /// (`2025-01-31`, `2025/1/31`, `2025年1月31日`).
    ///
    /// - Parameters:
    ///   - village: The village text, empty or nil for all.
    ///   - from: The first day's text, empty or nil for none.
    ///   - to: The last day's text, empty or nil for none.
    /// - Returns: The filter.
    /// - Throws: `ExportFilterError` `.badFrom` / `.badTo` for text that is no real date, `.reversed` when `from`
    ///   is after `to`.
    public static func parse(village: String?, from: String?, to: String?) throws(ExportFilterError) -> ExportFilter {
        func date(_ text: String?, _ code: ExportFilterError.Code) throws(ExportFilterError) -> CalendarDate? {
            let trimmed = (text ?? "").trimmingSpaces()
            guard !trimmed.isEmpty else { return nil }
            guard let normal = Validator.normalizedDate(trimmed), let d = CalendarDate(normal) else {
                throw ExportFilterError(code: code, text: String(trimmed.prefix(40)))
            }
            return d
        }
        let v = (village ?? "").trimmingSpaces()
        let filter = ExportFilter(village: v.isEmpty ? nil : v, from: try date(from, .badFrom), to: try date(to, .badTo))
        if let a = filter.from, let b = filter.to, a > b { throw ExportFilterError(code: .reversed, text: "\(a) > \(b)") }
        return filter
    }

    /// Whether a date range is set.
    public var hasDateRange: Bool { from != nil || to != nil }

    /// The field a table's rows are dated by: its first date field; nil when it has none.
    ///
    /// - Parameter table: The table.
    /// - Returns: The field.
    public static func dateField(of table: TableSchema) -> FieldSchema? {
        table.fields.first { $0.type == .date }
    }

    /// Whether a row is kept.
    ///
    /// - Parameters:
    ///   - values: The row's fields.
    ///   - table: Its table.
    ///   - scope: The schema's scope column (`village`).
    /// - Returns: True when the row is in the village (if one is set) and its main date in the range (if one is set
    ///   and the table has a date field).
    public func keeps(_ values: Fields, in table: TableSchema, scope: String = Schema.register.scope) -> Bool {
        if let village, values[scope]?.text != village { return false }
        guard hasDateRange, let field = ExportFilter.dateField(of: table) else { return true }
        guard let text = values[field.name]?.text, let date = CalendarDate(text) else { return false }
        if let from, date < from { return false }
        if let to, date > to { return false }
        return true
    }

    /// The rows kept, in the order given.
    ///
    /// - Parameters:
    ///   - rows: The rows.
    ///   - table: Their table.
    ///   - scope: The schema's scope column.
    /// - Returns: The rows kept.
    public func apply(_ rows: [HubRow], in table: TableSchema, scope: String = Schema.register.scope) -> [HubRow] {
        rows.filter { keeps($0.values, in: table, scope: scope) }
    }
}

/// An export filter that cannot be read.
public struct ExportFilterError: Error, Sendable, Hashable {
    /// Stable codes.
    public enum Code: String, Sendable {
        /// The first day is not a real date.
        case badFrom = "bad-from-date"
        /// The last day is not a real date.
        case badTo = "bad-to-date"
        /// The first day is after the last.
        case reversed = "reversed-date-range"
    }

    /// What is wrong.
    public var code: Code
    /// The text as typed (cut to 40 characters), or the two dates for `.reversed`.
    public var text: String

    /// What failed and what to do, in one sentence.
    ///
    /// - Parameter chinese: The language.
    /// - Returns: The message.
    public func message(chinese: Bool) -> String {
        switch code {
        case .badFrom:
            return chinese ? "开始日期「\(text)」不是有效日期，请写成 2025-01-31 这样的格式。"
                           : "The start date \"\(text)\" is not a real date; write it like 2025-01-31."
        case .badTo:
            return chinese ? "结束日期「\(text)」不是有效日期，请写成 2025-12-31 这样的格式。"
                           : "The end date \"\(text)\" is not a real date; write it like 2025-12-31."
        case .reversed:
            return chinese ? "开始日期在结束日期之后（\(text)），请对调后再导出。"
                           : "The start date is after the end date (\(text)); swap them and export again."
        }
    }
}
