/// A plain-text table for terminal output, aligned in cells so Chinese and
/// Latin text line up.
///
/// ```text
/// 姓名    Village  Amount
/// ------  -------  ------
/// 张丽    北赵村     12.50
/// Zhāng   南村      300.00
/// ```
///
/// Columns are as wide as their widest cell (in terminal cells, see
/// ``TextWidth``), separated by two spaces. A cell is cut with `…` when it is
/// wider than its column's ``Column/maxCells``, or when the table is wider
/// than `maxWidth` (the widest column that ``Column/shrinks`` gives up a cell
/// first, one cell at a time, down to one cell; then the fixed columns). Newlines and tabs inside a cell are shown as spaces; other
/// control characters are dropped. Lines carry no trailing spaces, so a
/// left-aligned last column makes lines end where their text ends.
public struct Table: Sendable, Hashable {
    /// One column of a table.
    public struct Column: Sendable, Hashable {
        /// The column heading.
        public var header: String
        /// Which side cells keep; use `.right` for numbers.
        public var alignment: TextAlignment
        /// The widest the column may be, in cells; `nil` for no limit.
        public var maxCells: Int?
        /// Whether the column gives up cells when the table is too wide. Columns
        /// whose values mean nothing cut (ids, 身份证号, dates, phones) set it to
        /// `false`; they are cut only when the others are down to one cell.
        public var shrinks: Bool

        /// Creates a column.
        ///
        /// - Parameters:
        ///   - header: The column heading.
        ///   - alignment: Which side cells keep.
        ///   - maxCells: The widest the column may be, in cells, if limited.
        ///   - shrinks: Whether the column gives up cells before the fixed ones.
        public init(header: String, alignment: TextAlignment = .left, maxCells: Int? = nil, shrinks: Bool = true) {
            self.header = header
            self.alignment = alignment
            self.maxCells = maxCells
            self.shrinks = shrinks
        }
    }

    /// The line drawn under the headings.
    public enum Rule: Sendable, Hashable {
        /// `---`: ASCII hyphens, one cell on every terminal. The default.
        case ascii
        /// `───`: box drawing. U+2500 is East Asian Ambiguous: terminals set
        /// to draw ambiguous characters wide (common in Chinese setups) show
        /// it in two cells and break the alignment, hence not the default.
        case boxDrawing
        /// No line under the headings.
        case none
    }

    /// The columns, left to right.
    public var columns: [Column]
    /// The rows; a row with fewer cells than columns is padded with empty
    /// cells, extra cells are ignored.
    public var rows: [[String]]
    /// The line under the headings.
    public var rule: Rule

    /// Creates a table.
    ///
    /// - Parameters:
    ///   - columns: The columns, left to right.
    ///   - rows: The rows of cells.
    ///   - rule: The line under the headings.
    public init(columns: [Column], rows: [[String]] = [], rule: Rule = .ascii) {
        self.columns = columns
        self.rows = rows
        self.rule = rule
    }

    /// Column separator.
    static let gap = "  "

    /// Renders the table.
    ///
    /// - Parameter maxWidth: The widest a line may be, in cells; `nil` for no
    ///   limit. A table whose columns cannot shrink enough (one cell each) is
    ///   left wider.
    /// - Returns: The header, the rule and the rows, each line ending with a
    ///   newline; `""` for a table with no columns.
    public func render(maxWidth: Int? = nil) -> String {
        guard !columns.isEmpty else { return "" }
        let headers = columns.map { TextWidth.sanitize($0.header) }
        let body = rows.map { row in
            columns.indices.map { index in index < row.count ? TextWidth.sanitize(row[index]) : "" }
        }
        let widths = columnWidths(headers: headers, body: body, maxWidth: maxWidth)

        var lines: [String] = [line(headers, widths: widths)]
        switch rule {
        case .ascii:
            lines.append(widths.map { String(repeating: "-", count: $0) }.joined(separator: Self.gap))
        case .boxDrawing:
            lines.append(widths.map { String(repeating: "─", count: $0) }.joined(separator: Self.gap))
        case .none:
            break
        }
        lines.append(contentsOf: body.map { line($0, widths: widths) })
        return lines.map { $0 + "\n" }.joined()
    }

    /// The width of each column after limits and shrinking.
    func columnWidths(headers: [String], body: [[String]], maxWidth: Int?) -> [Int] {
        var widths = columns.indices.map { index in
            var width = TextWidth.cells(headers[index])
            for row in body {
                width = max(width, TextWidth.cells(row[index]))
            }
            if let limit = columns[index].maxCells {
                width = min(width, max(1, limit))
            }
            return width
        }
        if let maxWidth {
            let separators = Self.gap.count * (widths.count - 1)
            var total = widths.reduce(0, +) + separators
            for fixedToo in [false, true] {
                let candidates = columns.indices.filter { fixedToo || columns[$0].shrinks }
                while total > maxWidth {
                    guard let widest = candidates.max(by: { widths[$0] < widths[$1] }), widths[widest] > 1 else {
                        break
                    }
                    widths[widest] -= 1
                    total -= 1
                }
            }
        }
        return widths
    }

    private func line(_ cells: [String], widths: [Int]) -> String {
        var text = ""
        for index in cells.indices {
            if index > 0 { text += Self.gap }
            let cut = TextWidth.truncate(cells[index], toCells: widths[index])
            text += TextWidth.pad(cut, toCells: widths[index], alignment: columns[index].alignment)
        }
        return HelpRenderer.trimmingTrailingSpaces(text)
    }
}

/// Aligned `key  value` lines, for `show`-style output of one record.
///
/// ```text
/// 姓名      张丽
/// 身份证号  110101199003070023
/// Village   北赵村
/// ```
///
/// Keys are padded to the widest key in cells, followed by two spaces. A long
/// value wraps under itself when `maxWidth` is given; newlines in a value
/// start continuation lines, tabs become spaces, other control characters are
/// dropped. An empty value leaves the key alone on its line.
public struct KeyValueList: Sendable, Hashable {
    /// One key and its value.
    public struct Entry: Sendable, Hashable {
        /// The label, such as `姓名`.
        public var key: String
        /// The value, such as `张丽`.
        public var value: String

        /// Creates an entry.
        ///
        /// - Parameters:
        ///   - key: The label.
        ///   - value: The value.
        public init(_ key: String, _ value: String) {
            self.key = key
            self.value = value
        }
    }

    /// The entries, in display order.
    public var entries: [Entry]

    /// Creates a list from entries.
    ///
    /// - Parameter entries: The entries, in display order.
    public init(_ entries: [Entry]) {
        self.entries = entries
    }

    /// Creates a list from key/value pairs.
    ///
    /// - Parameter pairs: The keys and values, in display order.
    public init(pairs: [(String, String)]) {
        self.entries = pairs.map { Entry($0.0, $0.1) }
    }

    /// Renders the list.
    ///
    /// - Parameter maxWidth: The widest a line may be, in cells, for wrapping
    ///   values; `nil` for no wrapping. Values always get at least 10 cells.
    /// - Returns: One line per entry (more for wrapped values), each ending
    ///   with a newline; `""` for an empty list.
    public func render(maxWidth: Int? = nil) -> String {
        let keys = entries.map { TextWidth.sanitize($0.key) }
        let keyWidth = keys.map { TextWidth.cells($0) }.max() ?? 0
        let valueColumn = keyWidth + 2
        let hanging = String(repeating: " ", count: valueColumn)
        var text = ""
        for (key, entry) in zip(keys, entries) {
            let value = Self.clean(entry.value)
            var lines: [String]
            if let maxWidth {
                lines = TextWrap.wrap(value, width: max(10, maxWidth - valueColumn))
            } else {
                lines = value.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            }
            if lines.isEmpty { lines = [""] }
            let first = TextWidth.pad(key, toCells: valueColumn) + lines[0]
            text += HelpRenderer.trimmingTrailingSpaces(first) + "\n"
            for line in lines.dropFirst() {
                text += HelpRenderer.trimmingTrailingSpaces(hanging + line) + "\n"
            }
        }
        return text
    }

    /// Keeps newlines (normalised to LF), turns tabs into spaces and drops
    /// other control characters.
    private static func clean(_ value: String) -> String {
        var result = ""
        for character in value {
            if character.isNewline {
                result.append("\n")
            } else {
                result += TextWidth.sanitize(String(character))
            }
        }
        return result
    }
}
