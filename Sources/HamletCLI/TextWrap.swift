/// Breaks text into lines that fit a width in terminal cells.
///
/// Latin text breaks at spaces; Chinese and other wide text may break between
/// any two characters, except that closing punctuation (，。、）》 …) never
/// starts a line and opening punctuation (（《「 …) never ends one. A word
/// wider than the whole line is cut between grapheme clusters.
enum TextWrap {
    /// Wraps text into lines of at most `width` cells.
    ///
    /// - Parameters:
    ///   - text: The text; its newlines start new paragraphs and blank lines are kept.
    ///   - width: The most cells a line may cover (at least 1 is used).
    /// - Returns: The lines, without trailing spaces or newlines.
    static func wrap(_ text: String, width: Int) -> [String] {
        let width = max(1, width)
        var lines: [String] = []
        for paragraph in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let paragraphLines = wrapParagraph(String(paragraph), width: width)
            lines.append(contentsOf: paragraphLines.isEmpty ? [""] : paragraphLines)
        }
        return lines
    }

    /// A piece that is never broken inside, with whether a space came before it.
    private struct Unit {
        var text: String
        var cells: Int
        var spaceBefore: Bool
    }

    private static let noBreakBefore: Set<Character> = [
        "，", "。", "、", "；", "：", "？", "！", "）", "》", "」", "』", "】", "〉", "”", "’",
        "…", "．", "％", ",", ".", ";", ":", "?", "!", ")", "]", "}", "%", "〕", "〗", "～",
    ]
    private static let noBreakAfter: Set<Character> = [
        "（", "《", "「", "『", "【", "〈", "“", "‘", "(", "[", "{", "〔", "〖",
    ]

    private static func units(of paragraph: String) -> [Unit] {
        var units: [Unit] = []
        var pendingSpace = false
        var glueNext = false // the previous unit ended with opening punctuation
        var previousWasNarrowWord = false
        for character in paragraph {
            if character == " " || character == "\t" {
                pendingSpace = true
                glueNext = false
                previousWasNarrowWord = false
                continue
            }
            let width = TextWidth.cells(of: character)
            let isWide = width == 2
            let canJoin = !units.isEmpty && !pendingSpace
            if canJoin
                && (glueNext || noBreakBefore.contains(character) || width == 0
                    || (!isWide && previousWasNarrowWord))
            {
                units[units.count - 1].text.append(character)
                units[units.count - 1].cells += width
            } else {
                units.append(Unit(text: String(character), cells: width, spaceBefore: pendingSpace && !units.isEmpty))
            }
            pendingSpace = false
            glueNext = noBreakAfter.contains(character)
            previousWasNarrowWord = !isWide && width > 0 || (width == 0 && previousWasNarrowWord)
        }
        return units
    }

    private static func wrapParagraph(_ paragraph: String, width: Int) -> [String] {
        var lines: [String] = []
        var line = ""
        var lineCells = 0
        for unit in units(of: paragraph) {
            let gap = (lineCells > 0 && unit.spaceBefore) ? 1 : 0
            if lineCells + gap + unit.cells <= width {
                if gap == 1 { line.append(" ") }
                line += unit.text
                lineCells += gap + unit.cells
                continue
            }
            if lineCells > 0 {
                lines.append(line)
                line = ""
                lineCells = 0
            }
            if unit.cells <= width {
                line = unit.text
                lineCells = unit.cells
                continue
            }
            // Hard-cut a unit wider than the line.
            for character in unit.text {
                let cells = TextWidth.cells(of: character)
                if lineCells + cells > width, lineCells > 0 {
                    lines.append(line)
                    line = ""
                    lineCells = 0
                }
                line.append(character)
                lineCells += cells
            }
        }
        if lineCells > 0 || !line.isEmpty {
            lines.append(line)
        }
        return lines
    }
}
