import Foundation

/// Which characters a stored text may hold, and how typed text is normalised (issue 16, item 4).
///
/// A name such as `李\u{200B}雷` looks like 李雷 on every screen, yet `--where name=李雷`, duplicate
/// detection and the pinyin sort all miss it; a right-to-left override turns a line around. So:
///
/// - **Refused everywhere** (`forbidden-character`): Unicode controls (general category Cc: C0 and C1)
///   and format characters (Cf: zero-width space U+200B, ZWNJ/ZWJ U+200C/D, the bidi marks U+200E/F and
///   controls U+202A–202E and U+2066–2069, U+061C, the BOM U+FEFF, soft hyphen U+00AD …), and the line
///   and paragraph separators U+2028/U+2029. (C0 controls other than a line feed keep their older code
///   `invalid-text`.)
/// - **Line breaks** (U+000A) are kept only in long free-text fields: a `text` field whose `max` is above
///   ``oneLineMax`` (60) characters, with no `choices` and not `digits` (addresses, details, results,
///   reasons). Names, villages and short labels are one line.
/// - **Normalised at entry, silently**: trimmed of whitespace at both edges (spaces, tabs, line breaks,
///   no-break space U+00A0, ideographic space U+3000 and every other Unicode space) and put in Unicode
///   normal form C. The hub, which must not change what a node wrote, refuses untrimmed or non-NFC text
///   as `invalid-text` instead.
public enum TextSafety {
    /// The longest `max` of a `text` field that is still one line (names 40, villages and programs 60).
    public static let oneLineMax: Int64 = 60

    /// Whether a field's text may hold line breaks: a long free-text field (see the type's summary).
    /// - Parameter field: the field.
    /// - Returns: true for addresses, details and other long text; false for names and every non-text type.
    public static func keepsLineBreaks(_ field: FieldSchema) -> Bool {
        field.type == .text && (field.max ?? Int64.max) > oneLineMax && field.choices == nil && !field.digits
    }

    /// Whether a scalar is refused in stored text (a line feed only where `lineBreaks` is false).
    /// - Parameters:
    ///   - u: the scalar.
    ///   - lineBreaks: whether the field keeps line breaks.
    /// - Returns: true when the text may not hold it.
    public static func isForbidden(_ u: Unicode.Scalar, lineBreaks: Bool) -> Bool {
        if u == "\n" { return !lineBreaks }
        if isQuiet(u.value) { return false }
        switch u.properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator: return true
        default: return false
        }
    }

    /// The first scalar of `text` that a field refuses, or nil when it holds none.
    /// - Parameters:
    ///   - text: the value.
    ///   - lineBreaks: whether the field keeps line breaks (``keepsLineBreaks(_:)``).
    /// - Returns: the scalar, to be named by ``codePoint(_:)`` (never the whole value: it is personal data).
    public static func forbiddenScalar(in text: String, lineBreaks: Bool) -> Unicode.Scalar? {
        text.unicodeScalars.first { isForbidden($0, lineBreaks: lineBreaks) }
    }

    /// A scalar written as `U+200B`.
    /// - Parameter u: the scalar.
    /// - Returns: `U+` and at least four uppercase hex digits.
    public static func codePoint(_ u: Unicode.Scalar) -> String {
        let hex = String(u.value, radix: 16, uppercase: true)
        return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }

    /// Whether `text` is plain: non-empty, ``isQuiet(_:)`` scalars only (ASCII, CJK ideographs and punctuation), no space at either edge
    /// (most names, ids, dates and codes). Such text passes `forbiddenScalar`, `isNFC` and the edge-space check, so
    /// the validator skips those passes for it (one scan instead of four on the reconcile path).
    /// - Parameter text: the value.
    /// - Returns: true when it is plain.
    public static func isPlain(_ text: String) -> Bool {
        let scalars = text.unicodeScalars
        guard let first = scalars.first, let last = scalars.last, first != " ", last != " " else { return false }
        return scalars.allSatisfy { isQuiet($0.value) }
    }

    /// The scalars plain text is made of, each printable, neither control nor format, a starter (combining class 0)
    /// with no canonical decomposition and composing with nothing, and no space: printable ASCII, the CJK unified
    /// ideographs (extension A and the main block), the CJK punctuation U+3001–U+3029 (、。「」【】…, before the
    /// combining tone marks U+302A–302F) and the fullwidth forms U+FF01–U+FF5E (，：（）％ and the fullwidth digits
    /// and letters, whose decompositions are compatibility ones only). `TextSafetyTests` checks every one of them
    /// against ICU's normalisation and Unicode's general categories.
    public static func isQuiet(_ v: UInt32) -> Bool {
        (v >= 0x20 && v < 0x7F) || (0x3400...0x9FFF).contains(v) || (0x3001...0x3029).contains(v) || (0xFF01...0xFF5E).contains(v)
    }

    /// Whether `text` is in Unicode normal form C (compared scalar by scalar: `==` on strings ignores it).
    /// - Parameter text: the value.
    /// - Returns: true when NFC leaves it unchanged.
    public static func isNFC(_ text: String) -> Bool {
        // Below U+0300 nothing composes or decomposes, nor in the CJK unified ideographs: most names.
        if text.unicodeScalars.allSatisfy({ $0.value < 0x300 || isQuiet($0.value) }) { return true }
        return text.unicodeScalars.elementsEqual(text.precomposedStringWithCanonicalMapping.unicodeScalars)
    }

    /// Typed text as it is stored: NFC, whitespace trimmed at both edges (inner spaces and line breaks kept).
    /// - Parameter text: what the clerk typed or the sheet held.
    /// - Returns: the normalised text.
    public static func normalized(_ text: String) -> String {
        let nfc = isNFC(text) ? text : text.precomposedStringWithCanonicalMapping
        return nfc.trimmingSpaces()
    }

    /// Whether a character is whitespace trimmed from the edges of typed text.
    static func isEdgeSpace(_ c: Character) -> Bool { c.isWhitespace }
}
