/// One figure of a report, as its JSON shows it.
///
/// - `integer`: a count, or an amount in 分 (keys ending `_fen`);
/// - `decimal`: a rate or ratio, rounded to two decimals (‰ or %, see the indicator's unit);
/// - `text`: a 元 amount written as a decimal string (`"1234.50"`), never a float;
/// - `object`: a breakdown (`births_by_order`, `visits_by_kind`, `benefits` …), keys as documented per indicator;
/// - `missing`: the figure cannot be computed (a sex ratio with no girls, a rate over nobody, a
///   round that did not happen in the period): JSON `null`, shown as `—`.
public indirect enum ReportValue: Sendable, Equatable, Codable, CustomStringConvertible {
    case integer(Int64)
    case decimal(Double)
    case text(String)
    case object([String: ReportValue])
    case missing

    /// The count, when the value is one.
    public var integer: Int64? { if case .integer(let n) = self { return n } else { return nil } }
    /// The rate, when the value is one.
    public var decimal: Double? { if case .decimal(let d) = self { return d } else { return nil } }
    /// The breakdown, when the value is one.
    public var object: [String: ReportValue]? { if case .object(let o) = self { return o } else { return nil } }
    /// A part of a breakdown (`.missing` when absent).
    public subscript(_ key: String) -> ReportValue { object?[key] ?? .missing }

    /// The figure as a table shows it: `12`, `106.38`, `"1234.50"` as `1234.50`, `—` when missing;
    /// a breakdown as `key: value` pairs in key order.
    public var description: String {
        switch self {
        case .integer(let n): return String(n)
        case .decimal(let d): return ReportValue.twoDecimals(d)
        case .text(let s): return s
        case .missing: return "—"
        case .object(let o): return o.keys.sorted().map { "\($0): \(o[$0] ?? .missing)" }.joined(separator: ", ")
        }
    }

    /// `106.4` → `106.40`.
    static func twoDecimals(_ d: Double) -> String {
        let hundredths = Int64((d * 100).rounded())
        let sign = hundredths < 0 ? "-" : ""
        let a = abs(hundredths)
        let frac = a % 100
        return "\(sign)\(a / 100).\(frac < 10 ? "0" : "")\(frac)"
    }

    /// A rate rounded to two decimals, or `missing` when the denominator is 0.
    /// - Parameters:
    ///   - numerator: the count on top.
    ///   - denominator: the count below (0 → missing: never divide by zero).
    ///   - scale: 100 for % and sex ratios, 1000 for ‰.
    /// - Returns: the value.
    public static func rate(_ numerator: Int64, over denominator: Double, scale: Double) -> ReportValue {
        guard denominator > 0 else { return .missing }
        return .decimal((Double(numerator) * scale / denominator * 100).rounded() / 100)
    }

    /// Fen as 元 text: 96000 → `"960.00"`, -120 → `"-1.20"`. Integer arithmetic only.
    /// - Parameter fen: the amount in 分.
    /// - Returns: the 元 amount with two decimals.
    public static func yuan(fen: Int64) -> String {
        let sign = fen < 0 ? "-" : ""
        let a = fen.magnitude
        let f = a % 100
        return "\(sign)\(a / 100).\(f < 10 ? "0" : "")\(f)"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .integer(let n): try c.encode(n)
        case .decimal(let d): try c.encode(d)
        case .text(let s): try c.encode(s)
        case .object(let o): try c.encode(o)
        case .missing: try c.encodeNil()
        }
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .missing }
        else if let n = try? c.decode(Int64.self) { self = .integer(n) }
        else if let d = try? c.decode(Double.self) { self = .decimal(d) }
        else if let s = try? c.decode(String.self) { self = .text(s) }
        else { self = .object(try c.decode([String: ReportValue].self)) }
    }
}

/// A report (报表): every indicator for the township and for each village, over one period.
///
/// JSON (stable; encode with sorted keys for byte-stable output):
/// ```
/// {"period": "2026-11", "from": "2026-11-01", "to": "2026-11-30",
///  "township": {"population_end": 150321, "births_male": 52, "sex_ratio_at_birth": 108.33,
///               "births_by_order": {"1": 60, "2": 30, "3+": 10, "unknown": 0}, …},
///  "villages": {"北赵": {"population_end": 3012, …}, …}}
/// ```
/// Keys are `Indicator.key`s (see `Indicator.all` for each one's 口径). The township's figures
/// are computed over the township as one place, not summed: a transfer between two of its
/// villages is one village's 迁出 and the other's 迁入 but no 迁入/迁出 of the township, and a
/// person on two villages' registers (open duplicate) is counted once.
public struct Report: Sendable, Equatable, Codable {
    /// The period's text (`2026-11`, `2026-Q4`, `2026`).
    public var period: String
    /// The first day, `YYYY-MM-DD`.
    public var from: String
    /// The last day (inclusive), `YYYY-MM-DD`.
    public var to: String
    /// The township's figures by indicator key.
    public var township: [String: ReportValue]
    /// Each village's figures by indicator key (every village of the township, even one with no rows).
    public var villages: [String: [String: ReportValue]]

    /// Makes a report.
    /// - Parameters:
    ///   - period: the period.
    ///   - township: the township's figures.
    ///   - villages: each village's figures.
    public init(period: ReportPeriod, township: [String: ReportValue], villages: [String: [String: ReportValue]]) {
        self.period = period.description
        self.from = period.from.description
        self.to = period.to.description
        self.township = township
        self.villages = villages
    }

    private enum CodingKeys: String, CodingKey { case period, from, to, township, villages }

    /// Decodes the JSON shape above. A rate that happens to be whole (`100`) reads back as a rate.
    /// - Throws: `DecodingError`.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        period = try c.decode(String.self, forKey: .period)
        from = try c.decode(String.self, forKey: .from)
        to = try c.decode(String.self, forKey: .to)
        func typed(_ f: [String: ReportValue]) -> [String: ReportValue] {
            f.reduce(into: [:]) { out, kv in
                if Indicator.named(kv.key)?.shape == .rate, case .integer(let n) = kv.value { out[kv.key] = .decimal(Double(n)) }
                else { out[kv.key] = kv.value }
            }
        }
        township = typed(try c.decode([String: ReportValue].self, forKey: .township))
        villages = try c.decode([String: [String: ReportValue]].self, forKey: .villages).mapValues(typed)
    }

    /// The report kept to one village (the township's figures stay, for the total row).
    /// - Parameter village: the village.
    /// - Returns: the report with that village only.
    /// - Throws: `ReportError` (`unknown-village`) when the report has no such village.
    public func only(village: String) throws(ReportError) -> Report {
        guard let v = villages[village] else {
            throw ReportError(.unknownVillage, "no village \(village) in the township; villages: \(villages.keys.sorted().joined(separator: ", "))",
                              zh: "本镇没有「\(village)」这个村；可选：\(villages.keys.sorted().joined(separator: "、"))")
        }
        var r = self
        r.villages = [village: v]
        return r
    }
}
