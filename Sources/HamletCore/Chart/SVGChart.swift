/// One named row of values in a chart, one value per category; nil where there is none.
public struct ChartSeries: Sendable, Hashable {
    /// The name shown in the legend (already localized, e.g. 男).
    public var name: String
    /// The values in category order. Missing ones (nil, NaN, infinite, beyond ±10^15) are
    /// left out: no bar, a gap in a line. A shorter array leaves the last categories missing;
    /// values beyond the categories are ignored.
    public var values: [Double?]

    /// Makes a series.
    /// - Parameters:
    ///   - name: the legend text.
    ///   - values: one value per category, nil where there is none.
    public init(_ name: String, _ values: [Double?]) {
        self.name = name
        self.values = values
    }
}

/// A reference drawn behind the data: a shaded band (e.g. the normal sex ratio 103–107)
/// or, when `low == high`, a dashed line (e.g. a target). The axis always shows all of it.
public struct ChartReference: Sendable, Hashable {
    /// The bottom of the band.
    public var low: Double
    /// The top of the band.
    public var high: Double
    /// The legend text (already localized, e.g. 正常范围 103–107).
    public var label: String

    /// True when the reference is one value, drawn as a line.
    public var isLine: Bool { low == high }

    /// Makes a band (or a line when `low == high`); the bounds may come in either order.
    /// - Parameters:
    ///   - low: one edge.
    ///   - high: the other edge.
    ///   - label: the legend text.
    public init(low: Double, high: Double, label: String) {
        self.low = min(low, high)
        self.high = max(low, high)
        self.label = label
    }
}

/// A bar, grouped bar or line chart as a self-contained inline SVG: no script, no external
/// font, image or stylesheet, only presentation attributes, so it works under a CSP of
/// `default-src 'self'; style-src 'self' 'unsafe-inline'` and prints in black and white.
///
/// The SVG has `role="img"` and is labelled by its `<title>` and a `<desc>` listing every value
/// (or the caller's own summary). Every text is escaped. Series differ by colour and by a
/// pattern (bars) or dash and marker (lines); the value axis has round 1-2-5 steps; category
/// labels turn 45° and then thin out when they would collide; bars carry their value where
/// it fits. Bars grow from 0, so negative values hang below the zero line; a line chart's
/// axis covers its values (and the reference) without forcing 0 in. With no categories or
/// no value at all the chart shows `noDataText` instead of axes.
///
/// ```swift
/// let chart = SVGChart.bar(title: "2024 年各月出生", categories: (1...12).map { "\($0)月" },
///                          series: ChartSeries("出生", births), unit: "人", noDataText: "无数据")
/// html += chart.svg()
/// ```
public struct SVGChart: Sendable, Hashable {
    /// How values are drawn.
    public enum Kind: Sendable, Hashable {
        /// One bar per value, series side by side within a category.
        case bars
        /// One line per series across the categories, broken where a value is missing.
        case lines
    }

    /// How values are drawn.
    public var kind: Kind
    /// The heading, drawn at the top and used as the SVG's `<title>` (already localized).
    public var title: String
    /// The category labels along the bottom (e.g. 1月…12月, or village names).
    public var categories: [String]
    /// The series, drawn in order.
    public var series: [ChartSeries]
    /// The value unit shown above the axis (e.g. 人), or nil.
    public var unit: String?
    /// A band or line behind the data, or nil.
    public var reference: ChartReference?
    /// The width in pixels (at least 160; the SVG also scales down to its container).
    public var width: Int
    /// The height in pixels (at least 120).
    public var height: Int
    /// The text shown when there is nothing to draw (e.g. 无数据 / no data).
    public var noDataText: String
    /// The `<desc>` text; nil lists every series' values.
    public var summary: String?
    /// The prefix of the ids inside the SVG (title, desc, patterns), unique on the page; nil
    /// derives one from the title, categories and series names. Reduced to `[A-Za-z0-9_-]`.
    public var id: String?

    /// Makes a chart.
    /// - Parameters:
    ///   - kind: bars or lines.
    ///   - title: the heading.
    ///   - categories: the category labels.
    ///   - series: the series.
    ///   - unit: the value unit, or nil.
    ///   - reference: a band or line, or nil.
    ///   - width: the width in pixels.
    ///   - height: the height in pixels.
    ///   - noDataText: the text shown when there is nothing to draw.
    ///   - summary: the `<desc>` text, or nil for a list of the values.
    ///   - id: the id prefix, or nil to derive one.
    public init(kind: Kind, title: String, categories: [String], series: [ChartSeries], unit: String? = nil,
                reference: ChartReference? = nil, width: Int = 640, height: Int = 320, noDataText: String,
                summary: String? = nil, id: String? = nil) {
        self.kind = kind
        self.title = title
        self.categories = categories
        self.series = series
        self.unit = unit
        self.reference = reference
        self.width = width
        self.height = height
        self.noDataText = noDataText
        self.summary = summary
        self.id = id
    }

    /// A bar chart of one series (e.g. births by month).
    /// - Parameters: as `init`; `series` is the one series (its name is the legend; empty for none).
    /// - Returns: the chart.
    public static func bar(title: String, categories: [String], series: ChartSeries, unit: String? = nil,
                           reference: ChartReference? = nil, width: Int = 640, height: Int = 320,
                           noDataText: String, id: String? = nil) -> SVGChart {
        SVGChart(kind: .bars, title: title, categories: categories, series: [series], unit: unit,
                 reference: reference, width: width, height: height, noDataText: noDataText, id: id)
    }

    /// A grouped bar chart: the series side by side in each category (e.g. boys and girls per village).
    /// - Parameters: as `init`.
    /// - Returns: the chart.
    public static func groupedBar(title: String, categories: [String], series: [ChartSeries], unit: String? = nil,
                                  reference: ChartReference? = nil, width: Int = 640, height: Int = 320,
                                  noDataText: String, id: String? = nil) -> SVGChart {
        SVGChart(kind: .bars, title: title, categories: categories, series: series, unit: unit,
                 reference: reference, width: width, height: height, noDataText: noDataText, id: id)
    }

    /// A line chart of one or more series, with gaps where values are missing (e.g. the sex
    /// ratio by year with the normal band 103–107).
    /// - Parameters: as `init`.
    /// - Returns: the chart.
    public static func line(title: String, categories: [String], series: [ChartSeries], unit: String? = nil,
                            reference: ChartReference? = nil, width: Int = 640, height: Int = 320,
                            noDataText: String, id: String? = nil) -> SVGChart {
        SVGChart(kind: .lines, title: title, categories: categories, series: series, unit: unit,
                 reference: reference, width: width, height: height, noDataText: noDataText, id: id)
    }

    /// The chart as an `<svg>` element, ready to inline into HTML.
    /// - Returns: the markup, one element with no XML declaration.
    public func svg() -> String {
        let data = ChartData(self)
        let size = (width: Double(max(width, 160)), height: Double(max(height, 120)))
        let prefix = domID
        var svg = SVGBuilder()
        svg.open("svg", [("xmlns", "http://www.w3.org/2000/svg"),
                         ("viewBox", "0 0 \(Int(size.width)) \(Int(size.height))"),
                         ("width", "\(Int(size.width))"), ("height", "\(Int(size.height))"),
                         ("role", "img"), ("aria-labelledby", "\(prefix)-title \(prefix)-desc"),
                         ("font-family", "sans-serif"), ("style", "max-width:100%;height:auto")])
        svg.text("title", [("id", "\(prefix)-title")], title)
        svg.text("desc", [("id", "\(prefix)-desc")], data.isEmpty ? noDataText : summary ?? data.summary(unit: unit))
        svg.leaf("rect", [("class", "background"), ("width", "100%"), ("height", "100%"), ("fill", "#fff")])
        svg.text("text", [("class", "heading"), ("x", "8"), ("y", "22"), ("font-size", "15"), ("font-weight", "bold"),
                          ("fill", "#111")],
                 ChartText.truncate(title, toWidth: size.width - 16, fontSize: 15))
        if data.isEmpty {
            svg.text("text", [("class", "no-data"), ("x", ChartNumber.coordinate(size.width / 2)),
                              ("y", ChartNumber.coordinate(size.height / 2)), ("font-size", "14"),
                              ("text-anchor", "middle"), ("fill", "#555")], noDataText)
        } else {
            let layout = ChartLayout(chart: self, data: data, width: size.width, height: size.height)
            let drawing = ChartDrawing(chart: self, data: data, layout: layout, id: prefix)
            drawing.draw(into: &svg)
        }
        svg.close("svg")
        return svg.markup
    }

    /// The id prefix: the caller's, cleaned, or `chart-` and a hash of what the chart shows.
    var domID: String {
        if let id {
            let kept = String(id.unicodeScalars.filter { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "-" || $0 == "_") })
            if let first = kept.unicodeScalars.first, first.properties.isAlphabetic { return kept }
            return "chart-" + kept
        }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in ([title] + categories + series.map(\.name)).joined(separator: "\u{1F}").utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        return "chart-" + String(hash, radix: 16)
    }
}

/// The chart's values made safe to draw: one entry per category in every series, and only
/// finite values within ±10^15.
struct ChartData {
    let categories: [String]
    let series: [ChartSeries]
    /// The smallest and largest value present, or nil when there is none.
    let extent: (low: Double, high: Double)?
    /// True when every present value is a whole number (the axis then steps by 1 or more).
    let isIntegral: Bool

    init(_ chart: SVGChart) {
        categories = chart.categories
        let n = chart.categories.count
        series = chart.series.map { s in
            ChartSeries(s.name, (0..<n).map { k -> Double? in
                guard k < s.values.count, let v = s.values[k], v.isFinite, abs(v) <= ChartScale.largest else { return nil }
                return v
            })
        }
        let present = series.flatMap { $0.values.compactMap { $0 } }
        extent = present.min().flatMap { low in present.max().map { (low, $0) } }
        isIntegral = present.allSatisfy { $0.rounded() == $0 }
    }

    /// True when there is nothing to draw: no category, no series or no value.
    var isEmpty: Bool { extent == nil }

    /// `name: category value, category –; …` for every series, then the unit in brackets.
    func summary(unit: String?) -> String {
        let parts = series.map { s in
            let values = zip(categories, s.values).map { "\($0) \($1.map(ChartNumber.compact) ?? "–")" }
            return (s.name.isEmpty ? "" : s.name + ": ") + values.joined(separator: ", ")
        }
        let unitText = unit.map { $0.isEmpty ? "" : " (\($0))" } ?? ""
        return parts.joined(separator: "; ") + unitText
    }
}
