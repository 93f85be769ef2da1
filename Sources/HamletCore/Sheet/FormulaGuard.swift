/// Neutralises CSV cells a spreadsheet would run as formulas (OWASP "CSV Injection"), reversibly.
///
/// A cell that begins with `=`, `+`, `-`, `@`, a tab or a carriage return is exported
/// with a leading `'`, which spreadsheet programs show as text and never evaluate. So
/// that a round trip gives back exactly what was exported, a cell that already begins
/// with one or more `'` followed by one of those characters gets one more `'` too;
/// `restored(_:)` removes exactly one `'` from such cells and leaves every other cell
/// alone (`'abc` stays `'abc`). `restored(neutralized(s)) == s` for every string.
///
/// xlsx needs none of this: its cells are typed, and a text cell is never a formula.
public enum FormulaGuard {
    /// Whether a character makes a spreadsheet read the cell as a formula.
    static func isTrigger(_ c: Unicode.Scalar) -> Bool {
        c == "=" || c == "+" || c == "-" || c == "@" || c == "\t" || c == "\r"
    }

    /// Whether `s` is some `'`s (possibly none) and then a trigger character.
    static func quotesThenTrigger(_ s: Substring.UnicodeScalarView) -> Bool {
        for c in s {
            if c == "'" { continue }
            return isTrigger(c)
        }
        return false
    }

    /// The cell as a CSV export writes it: with a `'` in front when it would start a formula.
    /// - Parameter cell: the value.
    /// - Returns: the value, or `'` + the value.
    public static func neutralized(_ cell: String) -> String {
        quotesThenTrigger(Substring(cell).unicodeScalars) ? "'" + cell : cell
    }

    /// The cell as it was before `neutralized(_:)`: call it on every cell an import reads from CSV.
    /// - Parameter cell: the value read from the file.
    /// - Returns: the value without the one `'` an export added; any other value unchanged.
    public static func restored(_ cell: String) -> String {
        let scalars = Substring(cell).unicodeScalars
        guard scalars.first == "'", quotesThenTrigger(scalars.dropFirst()) else { return cell }
        return String(cell.unicodeScalars.dropFirst())
    }
}
