/// A value axis with "nice" round ticks: the step is 1, 2 or 5 times a power of ten,
/// and both ends of the axis fall on a tick.
///
/// Pure arithmetic on `Double` (no Foundation), so the same inputs always give the same
/// axis. Tick values are computed as `lower + i × step` from integers, then rounded to the
/// step's decimals when shown, so `0.1 + 0.2` never prints as `0.30000000000000004`.
public struct ChartScale: Sendable, Hashable {
    /// The bottom of the axis (a multiple of `step`).
    public var lower: Double
    /// The top of the axis (a multiple of `step`, above `lower`).
    public var upper: Double
    /// The distance between ticks: 1, 2 or 5 × 10^k.
    public var step: Double
    /// Decimals a tick label needs: 0 for steps of 1 and more, 1 for 0.1 to 0.5, and so on.
    public var decimals: Int

    /// The tick values from `lower` to `upper`, both included.
    public var ticks: [Double] {
        let count = Int(((upper - lower) / step).rounded()), first = (lower / step).rounded()
        let power = Self.scaled(1, decimals), mantissa = (step * power).rounded()
        return (0...max(count, 0)).map { (first + Double($0)) * mantissa / power }
    }

    /// The tick labels, one per tick, with `decimals` digits after the point.
    public var tickLabels: [String] { ticks.map { ChartNumber.format($0, decimals: decimals) } }

    /// Makes the nicest axis that holds `low…high` with at most `maxTicks` ticks.
    ///
    /// The step is the smallest of 1, 2, 5 × 10^k for which the rounded-out axis needs no
    /// more than `maxTicks - 1` intervals (at least 2 when the range crosses 0, which is a tick). An empty span (`low == high`) is widened: `0…0`
    /// becomes `0…1`, and any other value `v` gets 10 % of `|v|` either side. Bounds that are
    /// not finite are read as 0, and bounds beyond ±10^15 are clamped to it; `low > high` is swapped.
    /// - Parameters:
    ///   - low: the smallest value the axis must show.
    ///   - high: the largest value the axis must show.
    ///   - maxTicks: the most ticks wanted (at least 2).
    ///   - integral: true when the values are counts, so the step is never below 1.
    /// - Returns: the axis.
    public static func nice(low: Double, high: Double, maxTicks: Int = 6, integral: Bool = false) -> ChartScale {
        let limit = ChartScale.largest
        var lo = low.isFinite ? min(max(low, -limit), limit) : 0, hi = high.isFinite ? min(max(high, -limit), limit) : 0
        if lo > hi { swap(&lo, &hi) }
        if lo == hi {
            let pad = lo == 0 ? 1 : max(abs(lo) * 0.1, integral ? 1 : 0)
            lo = lo == 0 ? 0 : lo - pad
            hi += pad
        }
        let intervals = max(max(maxTicks, 2) - 1, lo < 0 && hi > 0 ? 2 : 1)
        var exponent = integral ? 0 : magnitude(of: (hi - lo) / Double(intervals))
        while true {
            for mantissa in [1.0, 2.0, 5.0] {
                let step = scaled(mantissa, exponent)
                // Within a billionth of a step of a tick counts as on it (float noise in lo / step).
                let first = (lo / step + 1e-9).rounded(.down), last = (hi / step - 1e-9).rounded(.up)
                if last - first <= Double(intervals) {
                    return ChartScale(lower: multiple(first, mantissa, exponent), upper: multiple(max(last, first + 1), mantissa, exponent),
                                      step: step, decimals: max(0, -exponent))
                }
            }
            exponent += 1
        }
    }

    /// Where a value falls on a pixel range: `lower` maps to `from`, `upper` to `to`.
    /// - Parameters:
    ///   - value: a value (outside the axis it maps outside the range).
    ///   - from: the pixel of `lower` (the bottom of a vertical axis).
    ///   - to: the pixel of `upper`.
    /// - Returns: the pixel.
    public func position(_ value: Double, from: Double, to: Double) -> Double {
        from + (value - lower) / (upper - lower) * (to - from)
    }

    /// The value clamped into `lower…upper`.
    /// - Parameter value: any value.
    /// - Returns: the nearest value on the axis.
    public func clamp(_ value: Double) -> Double { min(max(value, lower), upper) }

    /// The largest magnitude an axis spans (±10^15): beyond it a step no longer divides exactly.
    public static let largest = 1e15

    /// The power of ten just below `x` (`k` with 10^k ≤ x < 10^(k+1)); 0 for x ≤ 0.
    static func magnitude(of x: Double) -> Int {
        guard x > 0, x.isFinite else { return 0 }
        var k = 0, v = x
        while v >= 10 { v /= 10; k += 1 }
        while v < 1 { v *= 10; k -= 1 }
        return k
    }

    /// `n` steps of `mantissa × 10^exponent`, as `n × mantissa / 10^-exponent` for negative exponents,
    /// so 6 steps of 0.05 is exactly 0.3.
    static func multiple(_ n: Double, _ mantissa: Double, _ exponent: Int) -> Double {
        exponent < 0 ? n * mantissa / scaled(1, -exponent) : n * scaled(mantissa, exponent)
    }

    /// `mantissa × 10^exponent`, dividing for negative exponents so 0.1 is exactly `1 / 10`.
    static func scaled(_ mantissa: Double, _ exponent: Int) -> Double {
        var power = 1.0
        for _ in 0..<abs(exponent) { power *= 10 }
        return exponent < 0 ? mantissa / power : mantissa * power
    }
}

/// Number text for charts, without Foundation's formatters: fixed decimals, no grouping,
/// never `-0`.
public enum ChartNumber {
    /// Formats a number with exactly `decimals` digits after the point.
    /// - Parameters:
    ///   - value: the number (NaN and infinities print as `–`).
    ///   - decimals: digits after the point, 0 to 6.
    /// - Returns: e.g. `format(0.30000000000000004, decimals: 1) == "0.3"`, `format(-0.01, decimals: 1) == "0.0"`.
    public static func format(_ value: Double, decimals: Int) -> String {
        guard value.isFinite else { return "–" }
        let d = min(max(decimals, 0), 6)
        let power = ChartScale.scaled(1, d)
        let scaled = (abs(value) * power).rounded()
        guard scaled < 9e15 else { return String(value) }
        let units = UInt64(scaled)
        let whole = units / UInt64(power), fraction = units % UInt64(power)
        var text = String(whole)
        if d > 0 {
            let digits = String(fraction)
            text += "." + String(repeating: "0", count: d - digits.count) + digits
        }
        return value < 0 && units != 0 ? "-" + text : text
    }

    /// Formats a data value: as an integer when it is one, else with one decimal.
    /// - Parameter value: the number.
    /// - Returns: e.g. `12`, `105.3`.
    public static func compact(_ value: Double) -> String {
        format(value, decimals: value.rounded() == value ? 0 : 1)
    }

    /// Formats a coordinate for SVG: at most one decimal, trailing `.0` dropped.
    static func coordinate(_ value: Double) -> String {
        let text = format(value, decimals: 1)
        return text.hasSuffix(".0") ? String(text.dropLast(2)) : text
    }
}
