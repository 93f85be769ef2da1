/// Draws a chart with data into an `SVGBuilder`, following its `ChartLayout`: patterns, grid,
/// reference, bars or lines, axis, labels, legend. Elements carry a `class` naming what they
/// are (`bar`, `line`, `marker`, `value`, `tick`, `category`, `legend`, …).
struct ChartDrawing {
    let chart: SVGChart
    let data: ChartData
    let layout: ChartLayout
    /// The id prefix of the chart's patterns.
    let id: String

    private func c(_ v: Double) -> String { ChartNumber.coordinate(v) }

    /// Draws everything, back to front.
    func draw(into svg: inout SVGBuilder) {
        if chart.kind == .bars, data.series.count > 1 {
            svg.open("defs", [])
            for k in data.series.indices { ChartStyle.writePattern(k, chart: id, into: &svg) }
            svg.close("defs")
        }
        drawGrid(into: &svg)
        drawReference(into: &svg)
        switch chart.kind {
        case .bars: drawBars(into: &svg)
        case .lines: drawLines(into: &svg)
        }
        let axisY = layout.y(layout.scale.clamp(chart.kind == .bars ? 0 : layout.scale.lower))
        svg.leaf("line", [("class", "axis"), ("x1", c(layout.left)), ("x2", c(layout.right)), ("y1", c(axisY)),
                          ("y2", c(axisY)), ("stroke", "#333"), ("stroke-width", "1")])
        drawCategoryLabels(into: &svg)
        drawLegend(into: &svg)
        if let unit = chart.unit, !unit.isEmpty {
            svg.text("text", [("class", "unit"), ("x", "8"), ("y", c(layout.top - 12)), ("font-size", "11"), ("fill", "#333")],
                     ChartText.truncate(unit, toWidth: layout.width / 2, fontSize: 11))
        }
    }

    /// Horizontal grid lines and the tick labels to their left.
    private func drawGrid(into svg: inout SVGBuilder) {
        for (value, label) in zip(layout.scale.ticks, layout.scale.tickLabels) {
            let y = layout.y(value)
            svg.leaf("line", [("class", "grid"), ("x1", c(layout.left)), ("x2", c(layout.right)), ("y1", c(y)), ("y2", c(y)),
                              ("stroke", "#d0d0d0"), ("stroke-width", "0.8")])
            svg.text("text", [("class", "tick"), ("x", c(layout.left - 6)), ("y", c(y + 4)), ("font-size", "11"),
                              ("text-anchor", "end"), ("fill", "#333")], label)
        }
    }

    /// The reference band (grey, with a fine dashed edge for printouts) or line (dashed).
    private func drawReference(into svg: inout SVGBuilder) {
        guard let r = chart.reference, r.low.isFinite, r.high.isFinite else { return }
        let scale = layout.scale
        if r.isLine {
            let y = layout.y(scale.clamp(r.low))
            svg.leaf("line", [("class", "reference"), ("x1", c(layout.left)), ("x2", c(layout.right)), ("y1", c(y)),
                              ("y2", c(y)), ("stroke", "#555"), ("stroke-width", "1.5"), ("stroke-dasharray", "6 3")])
            return
        }
        let top = layout.y(scale.clamp(r.high)), bottom = layout.y(scale.clamp(r.low))
        svg.leaf("rect", [("class", "band"), ("x", c(layout.left)), ("y", c(top)), ("width", c(layout.right - layout.left)),
                          ("height", c(max(bottom - top, 0))), ("fill", "#9e9e9e"), ("fill-opacity", "0.28"),
                          ("stroke", "#777"), ("stroke-width", "0.6"), ("stroke-dasharray", "3 3")])
    }

    /// One bar per present value, series side by side; the value above (below, if negative)
    /// a bar when it fits without touching the next one's.
    private func drawBars(into svg: inout SVGBuilder) {
        let count = Double(data.series.count)
        let barWidth = min(layout.slot * 0.8 / count, 42)
        let zero = layout.y(layout.scale.clamp(0))
        // A lone bar's value may use the gap to its neighbours; grouped bars touch, so only their own width.
        let room = count == 1 ? layout.slot * 0.95 : barWidth + 1
        for (k, category) in data.categories.enumerated() {
            let start = layout.x(k) - barWidth * count / 2
            for (s, series) in data.series.enumerated() {
                guard let value = series.values[k] else { continue }
                let x = start + barWidth * Double(s), y = layout.y(value)
                svg.open("rect", [("class", "bar"), ("x", c(x)), ("y", c(min(y, zero))), ("width", c(barWidth)),
                                  ("height", c(abs(zero - y))), ("fill", ChartStyle.fill(s, chart: id)),
                                  ("stroke", "#222"), ("stroke-width", "0.6")])
                svg.text("title", [], tooltip(category, series.name, value))
                svg.close("rect")
                let text = ChartNumber.compact(value)
                guard ChartText.width(text, fontSize: ChartLayout.valueFont) <= room else { continue }
                svg.text("text", [("class", "value"), ("x", c(x + barWidth / 2)), ("y", c(value < 0 ? y + 11 : y - 3)),
                                  ("font-size", "10"), ("text-anchor", "middle"), ("fill", "#111")], text)
            }
        }
    }

    /// One path per series, broken at missing values, and a marker on every present value.
    private func drawLines(into svg: inout SVGBuilder) {
        let radius = min(3.5, max(1.5, layout.slot * 0.3))
        for (s, series) in data.series.enumerated() {
            var d = "", previous = false
            for (k, value) in series.values.enumerated() {
                guard let value else { previous = false; continue }
                d += (previous ? "L" : "M") + c(layout.x(k)) + " " + c(layout.y(value))
                previous = true
            }
            var attributes = [("class", "line"), ("d", d), ("fill", "none"), ("stroke", ChartStyle.colour(s)),
                              ("stroke-width", "2"), ("stroke-linejoin", "round")]
            if !ChartStyle.dash(s).isEmpty { attributes.append(("stroke-dasharray", ChartStyle.dash(s))) }
            svg.leaf("path", attributes)
            for (k, value) in series.values.enumerated() {
                guard let value else { continue }
                svg.open("path", [("class", "marker"), ("d", ChartStyle.markerPath(s, x: layout.x(k), y: layout.y(value), radius: radius)),
                                  ("fill", ChartStyle.colour(s)), ("stroke", "#fff"), ("stroke-width", "0.8")])
                svg.text("title", [], tooltip(data.categories[k], series.name, value))
                svg.close("path")
            }
        }
    }

    /// `category · series: value unit` for a bar's or point's tooltip.
    private func tooltip(_ category: String, _ series: String, _ value: Double) -> String {
        let unit = chart.unit.map { $0.isEmpty ? "" : " " + $0 } ?? ""
        return category + (series.isEmpty ? "" : " · " + series) + ": " + ChartNumber.compact(value) + unit
    }

    /// The category labels under the plot: level, or turned 45° ending under their category,
    /// every `plan.stride`-th one.
    private func drawCategoryLabels(into svg: inout SVGBuilder) {
        for (k, label) in layout.labels.enumerated() where layout.plan.shows(k) {
            let x = layout.x(k)
            if layout.plan.isRotated {
                let ax = x + ChartLayout.labelFont * 0.35, ay = layout.bottom + 12
                svg.text("text", [("class", "category"), ("x", c(ax)), ("y", c(ay)), ("font-size", "11"),
                                  ("text-anchor", "end"), ("transform", "rotate(-45 \(c(ax)) \(c(ay)))"), ("fill", "#222")], label)
            } else {
                svg.text("text", [("class", "category"), ("x", c(x)), ("y", c(layout.bottom + 16)), ("font-size", "11"),
                                  ("text-anchor", "middle"), ("fill", "#222")], label)
            }
        }
    }

    /// The legend: a swatch (bar fill, or line with its dash and marker; grey band or dashed
    /// line for the reference) and the name.
    private func drawLegend(into svg: inout SVGBuilder) {
        for entry in layout.legend {
            let swatch = chart.kind == .lines ? 22.0 : 12.0
            let mid = entry.y + 6
            switch entry.mark {
            case .series(let s) where chart.kind == .bars:
                svg.leaf("rect", [("class", "swatch"), ("x", c(entry.x)), ("y", c(entry.y)), ("width", "12"), ("height", "12"),
                                  ("fill", ChartStyle.fill(data.series.count > 1 ? s : 0, chart: id)),
                                  ("stroke", "#222"), ("stroke-width", "0.6")])
            case .series(let s):
                var attributes = [("class", "swatch"), ("x1", c(entry.x)), ("x2", c(entry.x + swatch)), ("y1", c(mid)),
                                  ("y2", c(mid)), ("stroke", ChartStyle.colour(s)), ("stroke-width", "2")]
                if !ChartStyle.dash(s).isEmpty { attributes.append(("stroke-dasharray", ChartStyle.dash(s))) }
                svg.leaf("line", attributes)
                svg.leaf("path", [("class", "swatch"), ("d", ChartStyle.markerPath(s, x: entry.x + swatch / 2, y: mid)),
                                  ("fill", ChartStyle.colour(s))])
            case .reference where chart.reference?.isLine == true:
                svg.leaf("line", [("class", "swatch"), ("x1", c(entry.x)), ("x2", c(entry.x + swatch)), ("y1", c(mid)),
                                  ("y2", c(mid)), ("stroke", "#555"), ("stroke-width", "1.5"), ("stroke-dasharray", "6 3")])
            case .reference:
                svg.leaf("rect", [("class", "swatch"), ("x", c(entry.x)), ("y", c(entry.y)), ("width", c(swatch)), ("height", "12"),
                                  ("fill", "#9e9e9e"), ("fill-opacity", "0.28"), ("stroke", "#777"), ("stroke-width", "0.6"),
                                  ("stroke-dasharray", "3 3")])
            }
            svg.text("text", [("class", "legend"), ("x", c(entry.x + swatch + 5)), ("y", c(entry.y + 10.5)),
                              ("font-size", "12"), ("fill", "#222")], entry.text)
        }
    }
}
