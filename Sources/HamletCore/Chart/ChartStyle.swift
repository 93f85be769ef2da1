/// How each series is told apart on screen and on a black-and-white printout: a colour,
/// and also a fill pattern (bars), a dash pattern and a marker shape (lines).
enum ChartStyle {
    /// Colours that stay apart in greyscale too (dark blue, orange, green, purple, brown, red).
    static let colours = ["#1f5fa8", "#d9730d", "#2e7d32", "#7b1fa2", "#6d4c41", "#c62828"]
    /// Stroke dashes per series: solid, long dashes, dots, dash-dot, short dashes, sparse dots.
    static let dashes = ["", "7 4", "2 3", "9 3 2 3", "4 4", "1 5"]

    /// The colour of series `index`.
    static func colour(_ index: Int) -> String { colours[index % colours.count] }

    /// The stroke dash of series `index` (empty for a solid line).
    static func dash(_ index: Int) -> String { dashes[index % dashes.count] }

    /// The pattern id of series `index` in chart `id`, or nil when it is filled plainly.
    static func patternID(_ index: Int, chart id: String) -> String? {
        index % 6 == 0 ? nil : "\(id)-p\(index)"
    }

    /// The `fill` of a bar of series `index`: its colour, or its pattern.
    static func fill(_ index: Int, chart id: String) -> String {
        patternID(index, chart: id).map { "url(#\($0))" } ?? colour(index)
    }

    /// Writes the `<pattern>` of series `index` (nothing for the plain first one): the series
    /// colour crossed by white stripes, dots or a grid, each series its own texture.
    static func writePattern(_ index: Int, chart id: String, into svg: inout SVGBuilder) {
        guard let pid = patternID(index, chart: id) else { return }
        let turn = ["", "rotate(45)", "", "rotate(45)", "", "rotate(90)"][index % 6]
        var attributes = [("id", pid), ("width", "6"), ("height", "6"), ("patternUnits", "userSpaceOnUse")]
        if !turn.isEmpty { attributes.append(("patternTransform", turn)) }
        svg.open("pattern", attributes)
        svg.leaf("rect", [("width", "6"), ("height", "6"), ("fill", colour(index))])
        let white = [("fill", "#fff"), ("fill-opacity", "0.85")]
        switch index % 6 {
        case 1: svg.leaf("rect", [("width", "2.4"), ("height", "6")] + white)
        case 2: svg.leaf("circle", [("cx", "3"), ("cy", "3"), ("r", "1.4")] + white)
        case 3:
            svg.leaf("rect", [("width", "1.6"), ("height", "6")] + white)
            svg.leaf("rect", [("width", "6"), ("height", "1.6")] + white)
        default: svg.leaf("rect", [("width", "6"), ("height", "2.2")] + white)
        }
        svg.close("pattern")
    }

    /// The path of series `index`'s marker centred on a point: circle, square, triangle, diamond.
    static func markerPath(_ index: Int, x: Double, y: Double, radius r: Double = 3.5) -> String {
        func c(_ v: Double) -> String { ChartNumber.coordinate(v) }
        switch index % 4 {
        case 0: return "M\(c(x - r)) \(c(y))a\(c(r)) \(c(r)) 0 1 0 \(c(2 * r)) 0a\(c(r)) \(c(r)) 0 1 0 \(c(-2 * r)) 0Z"
        case 1: return "M\(c(x - r)) \(c(y - r))h\(c(2 * r))v\(c(2 * r))h\(c(-2 * r))Z"
        case 2: return "M\(c(x)) \(c(y - r * 1.2))L\(c(x + r * 1.2)) \(c(y + r))H\(c(x - r * 1.2))Z"
        default: return "M\(c(x)) \(c(y - r * 1.3))L\(c(x + r * 1.3)) \(c(y))L\(c(x)) \(c(y + r * 1.3))L\(c(x - r * 1.3)) \(c(y))Z"
        }
    }
}

/// Appends SVG markup to a string, escaping every attribute value and every text.
struct SVGBuilder {
    /// The markup so far.
    private(set) var markup = ""

    /// Opens an element: `<name a="v"…>`.
    mutating func open(_ name: String, _ attributes: [(String, String)]) {
        markup += "<" + name + Self.attributes(attributes) + ">"
    }

    /// Writes an empty element: `<name a="v"…/>`.
    mutating func leaf(_ name: String, _ attributes: [(String, String)]) {
        markup += "<" + name + Self.attributes(attributes) + "/>"
    }

    /// Writes an element holding escaped text: `<name a="v"…>text</name>`.
    mutating func text(_ name: String, _ attributes: [(String, String)], _ content: String) {
        markup += "<" + name + Self.attributes(attributes) + ">" + ChartText.escape(content) + "</" + name + ">"
    }

    /// Closes an element.
    mutating func close(_ name: String) { markup += "</" + name + ">" }

    /// ` a="v" b="w"`, values escaped.
    private static func attributes(_ list: [(String, String)]) -> String {
        list.map { " " + $0.0 + "=\"" + ChartText.escape($0.1) + "\"" }.joined()
    }
}
