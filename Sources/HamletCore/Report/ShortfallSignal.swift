/// The 漏报 signal: a village whose births or first marriages fell sharply against the previous
/// period or the same period last year (「出生人口数和初婚人数出现非正常大幅下降」) may have
/// entries missing. A flag asks the office to look; it decides nothing.
///
/// 口径：本期比上期（环比）或比上年同期（同比）下降超过 30% 的村，对出生、初婚两项标出；
/// 比较基数（上期或同期的数）小于 `minimumBase` 时不标（几个人的起伏不说明漏报）。
public struct ShortfallFlag: Sendable, Hashable, Codable {
    /// What the figure was compared with.
    public enum Basis: String, Sendable, Hashable, Codable {
        /// 环比: the period just before.
        case previous
        /// 同比: the same period a year earlier.
        case sameLastYear = "same_last_year"
    }

    /// The village (nil for the township as a whole).
    public var village: String?
    /// The indicator key (`births` or `first_marriages`).
    public var indicator: String
    /// The basis.
    public var basis: Basis
    /// The figure this period.
    public var current: Int64
    /// The figure compared with.
    public var earlier: Int64
    /// The drop in percent, rounded to a whole number (30 means 30% fewer).
    public var dropPercent: Int
    /// The sentence for the office, in Chinese and English.
    public var message: Label
}

/// Compares reports for the 漏报 signal.
public enum ShortfallSignal {
    /// The indicators watched.
    public static let watched = ["births", "first_marriages"]

    /// Flags each village (and the township) whose births or first marriages dropped by more than
    /// `threshold` against the previous period or the same period last year.
    /// - Parameters:
    ///   - current: this period's report.
    ///   - previous: the previous period's (nil: not compared).
    ///   - sameLastYear: the same period last year (nil: not compared).
    ///   - threshold: the drop that flags, as a fraction (0.30: more than 30%).
    ///   - minimumBase: the smallest earlier figure worth comparing (below it, no flag).
    /// - Returns: the flags, by village (township first), indicator, then basis.
    public static func flags(current: Report, previous: Report?, sameLastYear: Report?, threshold: Double = 0.30,
                             minimumBase: Int64 = 5) -> [ShortfallFlag] {
        var out: [ShortfallFlag] = []
        let places: [String?] = [nil] + current.villages.keys.sorted().map { Optional($0) }
        for place in places {
            for key in watched {
                for (basis, earlierReport) in [(ShortfallFlag.Basis.previous, previous), (.sameLastYear, sameLastYear)] {
                    guard let earlierReport else { continue }
                    let now = figure(current, place, key), then = figure(earlierReport, place, key)
                    guard let now, let then, then >= max(1, minimumBase), Double(then - now) > threshold * Double(then) else { continue }
                    let drop = Int((Double(then - now) * 100 / Double(then)).rounded())
                    out.append(ShortfallFlag(village: place, indicator: key, basis: basis, current: now, earlier: then,
                                             dropPercent: drop,
                                             message: message(place, key, basis, now, then, drop, current, earlierReport)))
                }
            }
        }
        return out
    }

    static func figure(_ r: Report, _ village: String?, _ key: String) -> Int64? {
        (village.map { r.villages[$0] } ?? r.township)?[key]?.integer
    }

    static func message(_ place: String?, _ key: String, _ basis: ShortfallFlag.Basis, _ now: Int64, _ then: Int64, _ drop: Int,
                        _ current: Report, _ earlier: Report) -> Label {
        let name = Indicator.named(key)?.label ?? Label(zh: key, en: key)
        let zhBasis = basis == .previous ? "比上期（\(earlier.period)）" : "比上年同期（\(earlier.period)）"
        let enBasis = basis == .previous ? "the previous period (\(earlier.period))" : "the same period last year (\(earlier.period))"
        return Label(
            zh: "\(place ?? "全镇")\(current.period)\(name.zh)\(now)人，\(zhBasis)的\(then)人下降\(drop)%，请核实是否漏报。",
            en: "\(place ?? "Township") \(current.period): \(name.en.lowercased()) \(now), down \(drop)% from \(then) in \(enBasis); check for missing entries.")
    }
}
