import Foundation

/// A reporting period (报告期): a month `2026-11`, a quarter `2026-Q4` or a year `2026`, with
/// its first and last day (both inclusive).
///
/// 报告期：月（2026-11）、季度（2026-Q4）或年（2026），起止日期都包括在内。
public struct ReportPeriod: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// How long the period is.
    public enum Kind: String, Sendable, Hashable, Codable {
        /// 月.
        case month
        /// 季度.
        case quarter
        /// 年.
        case year
    }

    /// Month, quarter or year.
    public let kind: Kind
    /// The calendar year.
    public let year: Int
    /// The month (1–12) or quarter (1–4); 0 for a year.
    public let number: Int

    /// Makes a month.
    /// - Parameters:
    ///   - year: the year.
    ///   - month: 1–12.
    /// - Returns: the period, or nil when out of range.
    public static func month(_ year: Int, _ month: Int) -> ReportPeriod? {
        guard (1850...2199).contains(year), (1...12).contains(month) else { return nil }
        return ReportPeriod(kind: .month, year: year, number: month)
    }

    /// Makes a quarter.
    /// - Parameters:
    ///   - year: the year.
    ///   - quarter: 1–4.
    /// - Returns: the period, or nil when out of range.
    public static func quarter(_ year: Int, _ quarter: Int) -> ReportPeriod? {
        guard (1850...2199).contains(year), (1...4).contains(quarter) else { return nil }
        return ReportPeriod(kind: .quarter, year: year, number: quarter)
    }

    /// Makes a year.
    /// - Parameter year: the year.
    /// - Returns: the period, or nil when out of range.
    public static func year(_ year: Int) -> ReportPeriod? {
        guard (1850...2199).contains(year) else { return nil }
        return ReportPeriod(kind: .year, year: year, number: 0)
    }

    private init(kind: Kind, year: Int, number: Int) {
        self.kind = kind
        self.year = year
        self.number = number
    }

    /// Parses `2026-11`, `2026-Q4` (also `2026-q4`) or `2026`, and the same written in Chinese:
    /// `2026年11月`, `2026年第4季度` / `2026年第四季度` / `2026-4季度`, `2026年`.
    /// - Parameter text: the period as typed.
    /// - Throws: `ReportError` (`invalid-period`) naming the accepted forms, in Chinese and English.
    public init(parsing text: String) throws(ReportError) {
        let t = ReportPeriod.fromChinese(String(text.drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed()))
        let parts = t.split(separator: "-", omittingEmptySubsequences: false).map(String.init)
        var parsed: ReportPeriod?
        if parts.count == 1, parts[0].count == 4, let y = Int(parts[0]) {
            parsed = .year(y)
        } else if parts.count == 2, parts[0].count == 4, let y = Int(parts[0]) {
            let p = parts[1]
            if p.count == 2, p.allSatisfy(\.isASCII), let m = Int(p) {
                parsed = .month(y, m)
            } else if p.count == 2, p.first == "Q" || p.first == "q", let q = Int(p.dropFirst()) {
                parsed = .quarter(y, q)
            }
        }
        guard let parsed else {
            throw ReportError(.invalidPeriod, "\(text) is not a period: write a month 2026-11, a quarter 2026-Q4 or a year 2026",
                              zh: "「\(text)」不是报告期：请写月份 2026-11（或 2026年11月）、季度 2026年第4季度 或年份 2026")
        }
        self = parsed
    }

    /// `2026年11月` → `2026-11`, `2026年第四季度` / `2026年4季度` → `2026-Q4`, `2026年` → `2026`; other text unchanged.
    static func fromChinese(_ t: String) -> String {
        guard t.contains("年") || t.contains("季") || t.contains("月") else { return t }
        let numerals: [Character: Character] = ["一": "1", "二": "2", "三": "3", "四": "4"]
        var s = String(t.map { numerals[$0] ?? $0 }).replacingOccurrences(of: "第", with: "")
        if s.hasSuffix("季度") {
            s = String(s.dropLast(2))
            let parts = s.split(whereSeparator: { $0 == "年" || $0 == "-" }).map(String.init)
            return parts.count == 2 ? "\(parts[0])-Q\(parts[1])" : t
        }
        if s.hasSuffix("月") {
            let parts = String(s.dropLast()).split(separator: "年").map(String.init)
            guard parts.count == 2, let m = Int(parts[1]) else { return t }
            return "\(parts[0])-" + (m < 10 ? "0\(m)" : "\(m)")
        }
        return s.hasSuffix("年") ? String(s.dropLast()) : t
    }

    /// The first day.
    public var from: CalendarDate {
        let m: Int
        switch kind {
        case .month: m = number
        case .quarter: m = (number - 1) * 3 + 1
        case .year: m = 1
        }
        return CalendarDate(year: year, month: m, day: 1) ?? CalendarDate(daysSinceEpoch: 0)
    }

    /// The last day (inclusive).
    public var to: CalendarDate {
        let m: Int
        switch kind {
        case .month: m = number
        case .quarter: m = number * 3
        case .year: m = 12
        }
        return CalendarDate(year: year, month: m, day: CalendarDate.daysIn(month: m, year: year)) ?? CalendarDate(daysSinceEpoch: 0)
    }

    /// The period just before, of the same kind (2026-01 → 2025-12, 2026-Q1 → 2025-Q4, 2026 → 2025).
    public var previous: ReportPeriod {
        switch kind {
        case .month: return number == 1 ? ReportPeriod(kind: .month, year: year - 1, number: 12) : ReportPeriod(kind: .month, year: year, number: number - 1)
        case .quarter: return number == 1 ? ReportPeriod(kind: .quarter, year: year - 1, number: 4) : ReportPeriod(kind: .quarter, year: year, number: number - 1)
        case .year: return ReportPeriod(kind: .year, year: year - 1, number: 0)
        }
    }

    /// The same period a year earlier (同期).
    public var sameLastYear: ReportPeriod { ReportPeriod(kind: kind, year: year - 1, number: number) }

    /// The months of the period, in order.
    public var months: [ReportPeriod] {
        switch kind {
        case .month: return [self]
        case .quarter: return (0..<3).map { ReportPeriod(kind: .month, year: year, number: (number - 1) * 3 + 1 + $0) }
        case .year: return (1...12).map { ReportPeriod(kind: .month, year: year, number: $0) }
        }
    }

    /// `2026-11`, `2026-Q4` or `2026`: the form `init(parsing:)` reads and the JSON's `period`.
    public var description: String {
        switch kind {
        case .month: return "\(year)-" + (number < 10 ? "0\(number)" : "\(number)")
        case .quarter: return "\(year)-Q\(number)"
        case .year: return "\(year)"
        }
    }

    /// 2026年11月 / 2026年第四季度 / 2026年; November 2026 / Q4 2026 / 2026.
    /// - Parameter chinese: the reader's language.
    /// - Returns: the label.
    public func label(chinese: Bool) -> String {
        switch (kind, chinese) {
        case (.month, true): return "\(year)年\(number)月"
        case (.quarter, true): return "\(year)年第\(["一", "二", "三", "四"][number - 1])季度"
        case (.year, true): return "\(year)年"
        case (.month, false): return "\(ReportPeriod.monthNames[number - 1]) \(year)"
        case (.quarter, false): return "Q\(number) \(year)"
        case (.year, false): return "\(year)"
        }
    }

    static let monthNames = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
                             "October", "November", "December"]

    public static func < (a: ReportPeriod, b: ReportPeriod) -> Bool { (a.from, a.to) < (b.from, b.to) }

    /// Encodes as its text (`2026-11`).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }

    /// Decodes from its text.
    /// - Throws: `DecodingError` when the text is not a period.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        let text = try c.decode(String.self)
        do { self = try ReportPeriod(parsing: text) } catch {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: error.message)
        }
    }
}

/// What went wrong making a report: a period that is not one, a village the township does not have.
public struct ReportError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Stable codes (never renamed).
    public enum Code: String, Sendable {
        /// The period text is not a month, quarter or year.
        case invalidPeriod = "invalid-period"
        /// The village is not one of the township's.
        case unknownVillage = "unknown-village"
    }
    /// The code.
    public var code: Code
    /// The message in English.
    public var message: String
    /// The message in Chinese, for the clerk.
    public var zh: String

    /// Makes an error.
    /// - Parameters:
    ///   - code: the code.
    ///   - message: English.
    ///   - zh: Chinese.
    public init(_ code: Code, _ message: String, zh: String) {
        self.code = code
        self.message = message
        self.zh = zh
    }

    /// `invalid-period: …`.
    public var description: String { "\(code.rawValue): \(message)" }
}
