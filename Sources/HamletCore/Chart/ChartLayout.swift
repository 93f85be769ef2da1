/// Where everything of a chart goes: the plot box, the value axis, the category labels and
/// the legend. Computed once from the chart, its cleaned data and its size.
struct ChartLayout {
    /// One legend entry, placed: the swatch's top-left corner and its text.
    struct LegendEntry {
        enum Mark { case series(Int), reference }
        let mark: Mark
        let text: String
        let x: Double
        let y: Double
    }

    static let labelFont = 11.0, tickFont = 11.0, valueFont = 10.0, legendFont = 12.0
    static let legendTop = 32.0, legendRow = 18.0

    let width: Double
    let height: Double
    /// The plot box: x of its left and right edges, y of its top and bottom edges.
    let left: Double, right: Double, top: Double, bottom: Double
    let scale: ChartScale
    let plan: CategoryLabelPlan
    /// The category labels as drawn (cut with `…` when turned and too long).
    let labels: [String]
    let legend: [LegendEntry]

    init(chart: SVGChart, data: ChartData, width: Double, height: Double) {
        self.width = width
        self.height = height
        legend = Self.placeLegend(chart: chart, data: data, width: width)
        let rows = Set(legend.map(\.y)).count
        top = Self.legendTop + Double(rows) * Self.legendRow + (chart.unit == nil ? 10 : 24)
        right = width - 14
        let domain = Self.domain(chart: chart, data: data)
        let integral = data.isIntegral && [chart.reference?.low ?? 0, chart.reference?.high ?? 0].allSatisfy { $0.rounded() == $0 }
        var bottomMargin = 26.0
        var scale = Self.scale(domain, plotHeight: height - top - bottomMargin, integral: integral)
        var left = 0.0, reach = 0.0, plan = CategoryLabelPlan(isRotated: false, stride: 1), labels = data.categories
        // Three passes: the tick labels (and turned category labels, which reach left of their
        // category) set the left margin, which sets the room per category, which sets the label
        // plan and so the bottom margin, which sets the ticks that fit.
        for _ in 0..<3 {
            let widest = scale.tickLabels.map { ChartText.width($0, fontSize: Self.tickFont) }.max() ?? 0
            left = max(30, 8 + widest + 6, reach)
            let slot = (right - left) / Double(max(data.categories.count, 1))
            plan = CategoryLabelPlan.make(labels: data.categories, slot: slot, fontSize: Self.labelFont)
            labels = data.categories
            bottomMargin = 26
            reach = 0
            if plan.isRotated {
                let room = min(height * 0.28, 110)
                labels = labels.map { ChartText.truncate($0, toWidth: room, fontSize: Self.labelFont) }
                let longest = labels.map { ChartText.width($0, fontSize: Self.labelFont) }.max() ?? 0
                bottomMargin = 14 + (longest + Self.labelFont) * 0.71
                reach = longest * 0.71 + 6 - slot * 0.5
            }
            scale = Self.scale(domain, plotHeight: height - top - bottomMargin, integral: integral)
        }
        self.left = left
        self.plan = plan
        self.labels = labels
        self.scale = scale
        bottom = max(height - bottomMargin, top + 24)
    }

    /// The width of one category.
    var slot: Double { (right - left) / Double(max(labels.count, 1)) }

    /// The x of category `index`'s centre.
    func x(_ index: Int) -> Double { left + slot * (Double(index) + 0.5) }

    /// The y of a value.
    func y(_ value: Double) -> Double { scale.position(value, from: bottom, to: top) }

    /// The values the axis must show. Bars: the data, 0, the reference, and 8 % headroom for
    /// the value labels. Lines: the data and the reference with 5 % either side (not below 0
    /// when nothing is).
    static func domain(chart: SVGChart, data: ChartData) -> (low: Double, high: Double) {
        guard let extent = data.extent else { return (0, 1) }
        var low = extent.low, high = extent.high
        if let r = chart.reference, r.low.isFinite, r.high.isFinite {
            low = min(low, max(r.low, -ChartScale.largest))
            high = max(high, min(r.high, ChartScale.largest))
        }
        switch chart.kind {
        case .bars:
            low = min(low, 0)
            high = max(high, 0)
            let span = high - low
            return (low < 0 ? low - span * 0.08 : low, high > 0 ? high + span * 0.08 : high)
        case .lines:
            let pad = (high - low) * 0.05
            return (low >= 0 ? max(low - pad, 0) : low - pad, high + pad)
        }
    }

    /// The nicest axis for the domain with ticks at least about 36 pixels apart (2 to 8 ticks).
    static func scale(_ domain: (low: Double, high: Double), plotHeight: Double, integral: Bool) -> ChartScale {
        let ticks = min(8, max(2, Int(plotHeight / 36) + 1))
        return ChartScale.nice(low: domain.low, high: domain.high, maxTicks: ticks, integral: integral)
    }

    /// Lays the legend out in rows under the heading: each named series, then the reference.
    static func placeLegend(chart: SVGChart, data: ChartData, width: Double) -> [LegendEntry] {
        var items: [(LegendEntry.Mark, String)] = data.series.enumerated().compactMap { k, s in
            s.name.isEmpty ? nil : (.series(k), s.name)
        }
        if let r = chart.reference, !r.label.isEmpty { items.append((.reference, r.label)) }
        let swatch = chart.kind == .lines ? 22.0 : 12.0
        var entries: [LegendEntry] = []
        var x = 8.0, y = legendTop
        for (mark, name) in items {
            let text = ChartText.truncate(name, toWidth: width * 0.5, fontSize: legendFont)
            let itemWidth = swatch + 5 + ChartText.width(text, fontSize: legendFont) + 16
            if x > 8, x + itemWidth > width - 8 {
                x = 8
                y += legendRow
            }
            entries.append(LegendEntry(mark: mark, text: text, x: x, y: y))
            x += itemWidth
        }
        return entries
    }
}
