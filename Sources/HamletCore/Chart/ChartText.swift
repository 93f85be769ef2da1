/// Text for SVG charts: XML escaping, a width estimate that counts CJK double, and the plan
/// for category labels that would collide (rotate them, then show only every n-th).
public enum ChartText {
    /// Escapes text for XML character data and attribute values.
    ///
    /// The five specials become entities; characters XML 1.0 cannot hold at all (controls
    /// other than tab and newline, U+FFFE, U+FFFF) become a space, as do tab, CR and LF, so a
    /// label stays one line.
    /// - Parameter text: any text (a register name may hold `<&"'`).
    /// - Returns: text safe between tags and inside `"…"` or `'…'` attributes.
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for c in text.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default:
                if c.value < 0x20 || c.value == 0x7F || c.value == 0xFFFE || c.value == 0xFFFF {
                    out += " "
                } else {
                    out.unicodeScalars.append(c)
                }
            }
        }
        return out
    }

    /// The estimated drawn width of a text in a sans-serif font: 0.55 em a Latin character,
    /// twice that (1.1 em) a CJK or other wide one. Deliberately a little generous, so labels
    /// that are judged to fit do.
    /// - Parameters:
    ///   - text: the text.
    ///   - fontSize: the font size in pixels.
    /// - Returns: the width in pixels.
    public static func width(_ text: String, fontSize: Double) -> Double {
        Double(text.unicodeScalars.reduce(0) { $0 + (isWide($1) ? 2 : 1) }) * 0.55 * fontSize
    }

    /// The text cut to fit `maxWidth`, ending in `…` when it was cut.
    /// - Parameters:
    ///   - text: the text.
    ///   - maxWidth: the room in pixels.
    ///   - fontSize: the font size in pixels.
    /// - Returns: the text, or its longest prefix that fits followed by `…`.
    public static func truncate(_ text: String, toWidth maxWidth: Double, fontSize: Double) -> String {
        guard width(text, fontSize: fontSize) > maxWidth else { return text }
        var out = ""
        var used = width("…", fontSize: fontSize)
        for c in text {
            let w = width(String(c), fontSize: fontSize)
            if used + w > maxWidth { break }
            out.append(c)
            used += w
        }
        return out + "…"
    }

    /// True for characters drawn about twice as wide as a Latin letter: CJK ideographs and
    /// punctuation, kana, Hangul, full-width forms.
    static func isWide(_ c: Unicode.Scalar) -> Bool {
        switch c.value {
        case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF,
             0xA000...0xA4CF, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60,
             0xFFE0...0xFFE6, 0x20000...0x3FFFD:
            return true
        default:
            return false
        }
    }
}

/// How the category labels under a chart are drawn so that none overlaps its neighbour.
public struct CategoryLabelPlan: Sendable, Hashable {
    /// True when the labels are turned 45° (ending under their category).
    public var isRotated: Bool
    /// Every `stride`-th label is drawn, from the first: 1 draws them all.
    public var stride: Int

    /// Makes a plan.
    /// - Parameters:
    ///   - isRotated: whether labels are turned 45°.
    ///   - stride: draw every `stride`-th label (1 or more).
    public init(isRotated: Bool, stride: Int) {
        self.isRotated = isRotated
        self.stride = max(stride, 1)
    }

    /// Chooses the plan: level when the widest label fits its slot with a little gap; else
    /// turned 45°, which needs only about 1.5 font heights of slot per label; else turned and
    /// thinned to every n-th label, n as small as makes them fit.
    /// - Parameters:
    ///   - labels: the category labels.
    ///   - slot: the width of one category in pixels.
    ///   - fontSize: the font size in pixels.
    /// - Returns: the plan.
    public static func make(labels: [String], slot: Double, fontSize: Double) -> CategoryLabelPlan {
        let widest = labels.map { ChartText.width($0, fontSize: fontSize) }.max() ?? 0
        if widest + fontSize * 0.5 <= slot { return CategoryLabelPlan(isRotated: false, stride: 1) }
        let footprint = fontSize * 1.5
        guard slot > 0 else { return CategoryLabelPlan(isRotated: true, stride: max(labels.count, 1)) }
        let stride = Int((footprint / slot).rounded(.up))
        return CategoryLabelPlan(isRotated: true, stride: max(stride, 1))
    }

    /// True when the label at `index` is drawn.
    /// - Parameter index: the category's index.
    /// - Returns: whether its label is shown.
    public func shows(_ index: Int) -> Bool { index % stride == 0 }
}
