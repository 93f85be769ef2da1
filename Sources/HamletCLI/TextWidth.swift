/// How text is placed within a fixed number of terminal cells.
public enum TextAlignment: Sendable, Hashable {
    /// Text starts at the left edge; padding goes on the right.
    case left
    /// Text ends at the right edge; padding goes on the left.
    case right
}

/// Measures, cuts and pads text in terminal cells rather than characters.
///
/// A terminal gives Chinese characters two cells and Latin letters one, so
/// `"张丽".count == 2` but it covers 4 cells. Everything here works per
/// grapheme cluster (a Swift `Character`), so a letter with its combining
/// accent or a family emoji is measured, kept and cut as one unit.
///
/// Widths follow Unicode East Asian Width and emoji presentation:
/// - 2 cells: East Asian Wide and Fullwidth characters (CJK Unified
///   Ideographs and their extensions, CJK radicals, CJK symbols and
///   punctuation U+3000–U+303E, Hiragana, Katakana, Bopomofo, Hangul,
///   CJK compatibility ideographs and forms, fullwidth forms U+FF01–U+FF60
///   and U+FFE0–U+FFE6) and emoji shown as emoji (default emoji
///   presentation, or any emoji followed by U+FE0F, regional-indicator flags).
/// - 0 cells: clusters made only of combining marks, zero-width joiners,
///   variation selectors and other format characters; marks that follow a
///   base character add nothing to it.
/// - 0 cells: control characters (C0, DEL and C1, including newline and tab).
///   They are counted, not drawn; use ``sanitize(_:)`` first to show text
///   that may contain them, as ``Table`` and ``KeyValueList`` do.
/// - 1 cell: everything else, including East Asian Ambiguous characters such
///   as `…`, `·`, `─` and Greek or Cyrillic letters.
public enum TextWidth {
    /// The ellipsis that marks cut text; it takes one cell.
    public static let ellipsis: Character = "…"

    /// Returns how many terminal cells a text covers.
    ///
    /// - Parameter text: The text to measure.
    /// - Returns: The sum of the widths of its grapheme clusters.
    public static func cells(_ text: some StringProtocol) -> Int {
        var total = 0
        for character in text {
            total += cells(of: character)
        }
        return total
    }

    /// Returns how many terminal cells one grapheme cluster covers: 0, 1 or 2.
    ///
    /// - Parameter character: The grapheme cluster to measure.
    /// - Returns: Its width in cells.
    public static func cells(of character: Character) -> Int {
        let scalars = character.unicodeScalars
        guard let base = scalars.first else { return 0 }
        if base.value < 0x20 || (0x7F...0x9F).contains(base.value) {
            return 0
        }
        if base.value < 0x7F, scalars.count == 1 {
            return 1
        }
        let properties = base.properties
        if properties.isEmoji {
            // U+FE0E asks for text presentation; U+FE0F for emoji presentation.
            if scalars.contains(where: { $0.value == 0xFE0E }) {
                return isWide(base.value) ? 2 : 1
            }
            if properties.isEmojiPresentation
                || scalars.contains(where: { $0.value == 0xFE0F || isEmojiModifier($0.value) })
            {
                return 2
            }
            if (0x1F1E6...0x1F1FF).contains(base.value) {
                return 2 // regional indicator (flag pairs are one cluster)
            }
        }
        if isWide(base.value) {
            return 2
        }
        if isZeroWidth(base) {
            // A cluster made only of marks and joiners; if it has a visible
            // scalar after them, that scalar decides.
            for scalar in scalars.dropFirst() where !isZeroWidth(scalar) {
                return isWide(scalar.value) ? 2 : 1
            }
            return 0
        }
        return 1
    }

    /// Cuts a text so it covers at most `limit` cells.
    ///
    /// Text that already fits comes back unchanged. Longer text keeps as many
    /// whole grapheme clusters as fit in `limit - 1` cells and ends with
    /// ``ellipsis``; a wide character that would overrun is dropped whole, so
    /// the result may be one cell short of `limit`, never over it.
    ///
    /// - Parameters:
    ///   - text: The text to cut.
    ///   - limit: The most cells the result may cover; 0 or less gives `""`.
    /// - Returns: The text, or its cut form ending in `…`.
    public static func truncate(_ text: String, toCells limit: Int) -> String {
        guard limit > 0 else { return "" }
        if cells(text) <= limit {
            return text
        }
        var result = ""
        var used = 0
        let room = limit - 1
        for character in text {
            let width = cells(of: character)
            if used + width > room { break }
            result.append(character)
            used += width
        }
        result.append(ellipsis)
        return result
    }

    /// Pads a text with spaces to cover exactly `width` cells.
    ///
    /// Text already as wide or wider comes back unchanged: cut it first with
    /// ``truncate(_:toCells:)`` if it must fit.
    ///
    /// - Parameters:
    ///   - text: The text to pad.
    ///   - width: The number of cells to fill.
    ///   - alignment: Which side the text keeps.
    /// - Returns: The padded text.
    public static func pad(_ text: String, toCells width: Int, alignment: TextAlignment = .left) -> String {
        let missing = width - cells(text)
        guard missing > 0 else { return text }
        let padding = String(repeating: " ", count: missing)
        switch alignment {
        case .left: return text + padding
        case .right: return padding + text
        }
    }

    /// Makes text safe to place in one line of a table or list.
    ///
    /// Newlines (LF, CR, CRLF, U+2028, U+2029) and tabs become one space each;
    /// other control characters are removed.
    ///
    /// - Parameter text: The text to clean.
    /// - Returns: The text with no control characters left.
    public static func sanitize(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for character in text {
            if character == "\t" || character.isNewline {
                result.append(" ")
            } else if let base = character.unicodeScalars.first,
                base.value < 0x20 || (0x7F...0x9F).contains(base.value)
            {
                continue
            } else {
                result.append(character)
            }
        }
        return result
    }

    /// Reads the terminal width from the `COLUMNS` environment variable.
    ///
    /// - Parameters:
    ///   - environment: The process environment.
    ///   - fallback: The width to use when `COLUMNS` is missing or not a
    ///     positive number.
    /// - Returns: The width in cells, at least 20.
    public static func columns(environment: [String: String], fallback: Int = 80) -> Int {
        guard let text = environment["COLUMNS"], let value = Int(text), value > 0 else {
            return max(20, fallback)
        }
        return max(20, value)
    }

    // MARK: - Tables

    private static func isEmojiModifier(_ value: UInt32) -> Bool {
        (0x1F3FB...0x1F3FF).contains(value)
    }

    /// Whether a scalar takes no cell of its own.
    static func isZeroWidth(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        if value == 0x200B || value == 0x200C || value == 0x200D || value == 0x2060 || value == 0xFEFF {
            return true
        }
        if (0xFE00...0xFE0F).contains(value) || (0xE0100...0xE01EF).contains(value) {
            return true // variation selectors
        }
        if (0x1160...0x11FF).contains(value) || (0xD7B0...0xD7FF).contains(value) {
            return true // Hangul medial vowels and final consonants
        }
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .format:
            return true
        default:
            return false
        }
    }

    /// Whether a scalar is East Asian Wide or Fullwidth (Unicode 15.1,
    /// `EastAsianWidth.txt`, W and F), not counting emoji decided elsewhere.
    static func isWide(_ value: UInt32) -> Bool {
        if value < 0x1100 { return false }
        var low = 0
        var high = wideRanges.count - 1
        while low <= high {
            let middle = (low + high) / 2
            let range = wideRanges[middle]
            if value < range.lowerBound {
                high = middle - 1
            } else if value > range.upperBound {
                low = middle + 1
            } else {
                return true
            }
        }
        return false
    }

    /// Sorted, non-overlapping East Asian Wide and Fullwidth ranges.
    private static let wideRanges: [ClosedRange<UInt32>] = [
        0x1100...0x115F, // Hangul Jamo leading consonants
        0x231A...0x231B,
        0x2329...0x232A,
        0x23E9...0x23EC,
        0x23F0...0x23F0,
        0x23F3...0x23F3,
        0x25FD...0x25FE,
        0x2614...0x2615,
        0x2648...0x2653,
        0x267F...0x267F,
        0x2693...0x2693,
        0x26A1...0x26A1,
        0x26AA...0x26AB,
        0x26BD...0x26BE,
        0x26C4...0x26C5,
        0x26CE...0x26CE,
        0x26D4...0x26D4,
        0x26EA...0x26EA,
        0x26F2...0x26F3,
        0x26F5...0x26F5,
        0x26FA...0x26FA,
        0x26FD...0x26FD,
        0x2705...0x2705,
        0x270A...0x270B,
        0x2728...0x2728,
        0x274C...0x274C,
        0x274E...0x274E,
        0x2753...0x2755,
        0x2757...0x2757,
        0x2795...0x2797,
        0x27B0...0x27B0,
        0x27BF...0x27BF,
        0x2B1B...0x2B1C,
        0x2B50...0x2B50,
        0x2B55...0x2B55,
        0x2E80...0x2E99, // CJK Radicals Supplement
        0x2E9B...0x2EF3,
        0x2F00...0x2FD5, // Kangxi Radicals
        0x2FF0...0x2FFF, // Ideographic Description Characters
        0x3000...0x303E, // CJK Symbols and Punctuation (U+303F is narrow)
        0x3041...0x3096, // Hiragana
        0x3099...0x30FF, // Katakana
        0x3105...0x312F, // Bopomofo
        0x3131...0x318E, // Hangul Compatibility Jamo
        0x3190...0x31E3, // Kanbun, Bopomofo Extended, CJK Strokes
        0x31EF...0x321E, // Katakana Phonetic Extensions, Enclosed CJK
        0x3220...0x3247,
        0x3250...0x4DBF, // Enclosed CJK, CJK Compatibility, CJK Ext A
        0x4E00...0xA48C, // CJK Unified Ideographs, Yi Syllables
        0xA490...0xA4C6, // Yi Radicals
        0xA960...0xA97C, // Hangul Jamo Extended-A
        0xAC00...0xD7A3, // Hangul Syllables
        0xF900...0xFAFF, // CJK Compatibility Ideographs
        0xFE10...0xFE19, // Vertical Forms
        0xFE30...0xFE52, // CJK Compatibility Forms, Small Form Variants
        0xFE54...0xFE66,
        0xFE68...0xFE6B,
        0xFF01...0xFF60, // Fullwidth Forms
        0xFFE0...0xFFE6,
        0x16FE0...0x16FE4,
        0x16FF0...0x16FF1,
        0x17000...0x187F7, // Tangut
        0x18800...0x18CD5,
        0x18D00...0x18D08,
        0x1AFF0...0x1AFFE,
        0x1B000...0x1B122, // Kana Supplement
        0x1B132...0x1B132,
        0x1B150...0x1B152,
        0x1B155...0x1B155,
        0x1B164...0x1B167,
        0x1B170...0x1B2FB, // Nushu
        0x1F004...0x1F004,
        0x1F0CF...0x1F0CF,
        0x1F18E...0x1F18E,
        0x1F191...0x1F19A,
        0x1F200...0x1F202, // Enclosed Ideographic Supplement
        0x1F210...0x1F23B,
        0x1F240...0x1F248,
        0x1F250...0x1F251,
        0x1F260...0x1F265,
        0x1F300...0x1F320,
        0x1F32D...0x1F335,
        0x1F337...0x1F37C,
        0x1F37E...0x1F393,
        0x1F3A0...0x1F3CA,
        0x1F3CF...0x1F3D3,
        0x1F3E0...0x1F3F0,
        0x1F3F4...0x1F3F4,
        0x1F3F8...0x1F43E,
        0x1F440...0x1F440,
        0x1F442...0x1F4FC,
        0x1F4FF...0x1F53D,
        0x1F54B...0x1F54E,
        0x1F550...0x1F567,
        0x1F57A...0x1F57A,
        0x1F595...0x1F596,
        0x1F5A4...0x1F5A4,
        0x1F5FB...0x1F64F,
        0x1F680...0x1F6C5,
        0x1F6CC...0x1F6CC,
        0x1F6D0...0x1F6D2,
        0x1F6D5...0x1F6D7,
        0x1F6DC...0x1F6DF,
        0x1F6EB...0x1F6EC,
        0x1F6F4...0x1F6FC,
        0x1F7E0...0x1F7EB,
        0x1F7F0...0x1F7F0,
        0x1F90C...0x1F93A,
        0x1F93C...0x1F945,
        0x1F947...0x1F9FF,
        0x1FA70...0x1FA7C,
        0x1FA80...0x1FA89,
        0x1FA8F...0x1FAC6,
        0x1FACE...0x1FADC,
        0x1FADF...0x1FAE9,
        0x1FAF0...0x1FAF8,
        0x20000...0x2FFFD, // CJK Ext B and later, Supplementary Ideographic Plane
        0x30000...0x3FFFD, // Tertiary Ideographic Plane
    ]
}
