/// Writes a one-sheet xlsx workbook (Office Open XML, ECMA-376 transitional) a row at a time, in bounded memory.
///
/// Made so that a register survives any spreadsheet program: every text column is text-typed twice over, its
/// cells are inline strings (`t="inlineStr"`: never numbers, so a national ID or a phone's leading 0 cannot be
/// reinterpreted, and no shared-string table to hold) and its column carries the text number format `@` (so a
/// value typed later into an empty cell stays text too). Dates are real dates (serials with the format
/// `yyyy-mm-dd`), integers real numbers. The header row is bold and frozen; column widths follow the header and
/// the first `sampleRows` rows (CJK counted double). Cell text is escaped for XML and OOXML (`_xHHHH_` for
/// control characters, `&#13;` for CR), so every string reads back exactly.
///
/// Rows go out as they come: the sheet's XML is deflated into a ZIP entry written with a data descriptor
/// (`ZipWriter`), so a million rows hold one 64 KiB buffer and the deflate window, never the file, and the sink
/// may be a pipe or a socket. Output is deterministic; `workbook(sheetName:columns:rows:)` gives the same bytes
/// in memory.
///
/// ```swift
/// var sheet = XLSXWriter(sheetName: "人口", columns: columns) { bytes in try out.write(bytes) }
/// for row in rows { try sheet.append(row) }
/// try sheet.finish()
/// ```
package struct XLSXWriter {
    /// How a column's cells are typed.
    package enum Kind: Sendable {
        /// Inline strings with the text format `@`.
        case text
        /// Numbers (integers as written).
        case number
        /// `YYYY-MM-DD` values as date serials shown `yyyy-mm-dd`; other values as text.
        case date
    }

    /// One column: its header and kind.
    package struct Column: Sendable {
        package var title: String
        package var kind: Kind
        /// Makes a column.
        /// - Parameters:
        ///   - title: the header cell (any text, Chinese included).
        ///   - kind: how its cells are typed.
        package init(_ title: String, _ kind: Kind) {
            self.title = title
            self.kind = kind
        }
    }

    /// Style indices into `cellXfs` of `styles.xml`.
    private enum Style: Int { case general = 0, text = 1, date = 2, header = 3 }

    /// How many leading rows are held to size the columns before the sheet starts.
    package static let sampleRows = 200
    /// The sheet XML buffered before it is deflated into the archive.
    static let flushBytes = 64 << 10

    private let sheetName: String
    private let columns: [Column]
    private var zip: ZipWriter
    private var widths: [Int]
    /// The first rows, held until `sampleRows` have come (or the end) to size the columns.
    private var sample: [[String]]? = []
    private var xml: [UInt8] = []
    private var rowNumber = 1
    /// The rows appended so far.
    package private(set) var rowCount = 0

    /// Starts a workbook; the archive's first bytes reach the sink once the column widths are known.
    /// - Parameters:
    ///   - sheetName: the tab's name (cut to 31 characters; `[]:*?/\` replaced).
    ///   - columns: the header and the kind of each column.
    ///   - sink: receives the xlsx file's bytes in order; a throw stops the writer and is rethrown.
    package init(sheetName: String, columns: [Column], sink: @escaping ([UInt8]) throws -> Void) {
        self.sheetName = sheetName
        self.columns = columns
        zip = ZipWriter(sink: sink)
        widths = columns.map { Self.displayWidth($0.title) }
        xml.reserveCapacity(Self.flushBytes + 4096)
    }

    /// Builds a whole workbook in memory.
    /// - Parameters:
    ///   - sheetName: the tab's name (cut to 31 characters; `[]:*?/\` replaced).
    ///   - columns: the header and the kind of each column.
    ///   - rows: the values, one array per row in column order (missing or empty values leave the cell blank;
    ///     a `number` column's value that is not an integer under 10^15, or a `date` column's value that is
    ///     not a date from 1900-03-01 on, is written as text).
    /// - Returns: the xlsx file.
    package static func workbook(sheetName: String, columns: [Column], rows: [[String]]) -> [UInt8] {
        let out = ByteCollector()
        var writer = XLSXWriter(sheetName: sheetName, columns: columns) { out.bytes += $0 }
        do {
            for r in rows { try writer.append(r) }
            try writer.finish()
        } catch {
            preconditionFailure("an in-memory sink never throws")
        }
        return out.bytes
    }

    /// Appends one row (see `workbook(sheetName:columns:rows:)` for how values are typed).
    /// - Parameter values: the row's values in column order.
    /// - Throws: what the sink throws.
    package mutating func append(_ values: [String]) throws {
        rowCount += 1
        if sample != nil {
            for (j, v) in values.prefix(columns.count).enumerated() { widths[j] = max(widths[j], Self.displayWidth(v)) }
            sample?.append(values)
            if (sample?.count ?? 0) >= Self.sampleRows { try start() }
            return
        }
        try writeRow(values)
    }

    /// Writes what is held, the sheet's end and the archive's directory; call once after the last row.
    /// - Throws: what the sink throws.
    package mutating func finish() throws {
        if sample != nil { try start() }
        xml += Array("</sheetData></worksheet>".utf8)
        try zip.write(xml)
        xml.removeAll()
        try zip.finish()
    }

    /// Writes the fixed parts, the sheet's head (its column widths now known) and the sampled rows.
    private mutating func start() throws {
        let held = sample ?? []
        sample = nil
        try zip.add("[Content_Types].xml", Array(Self.contentTypes.utf8), compressed: true)
        try zip.add("_rels/.rels", Array(Self.rootRels.utf8), compressed: true)
        try zip.add("xl/workbook.xml", Array(Self.workbookXML(sheetName: Self.safeSheetName(sheetName)).utf8), compressed: true)
        try zip.add("xl/_rels/workbook.xml.rels", Array(Self.workbookRels.utf8), compressed: true)
        try zip.add("xl/styles.xml", Array(Self.styles.utf8), compressed: true)
        try zip.beginEntry("xl/worksheets/sheet1.xml", compressed: true)
        xml += Array(#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#.utf8)
        xml += Array(#"<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">"#.utf8)
        xml += Array(#"<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>"#.utf8)
        if !columns.isEmpty {
            xml += Array("<cols>".utf8)
            for (j, column) in columns.enumerated() {
                let width = min(60, max(8, widths[j] + 2))
                let style = column.kind == .text ? Style.text : column.kind == .date ? .date : .general
                xml += Array("<col min=\"\(j + 1)\" max=\"\(j + 1)\" width=\"\(width)\" style=\"\(style.rawValue)\" customWidth=\"1\"/>".utf8)
            }
            xml += Array("</cols>".utf8)
        }
        xml += Array("<sheetData><row r=\"1\">".utf8)
        for (j, c) in columns.enumerated() { appendText(c.title, column: j, style: .header) }
        xml += Array("</row>".utf8)
        for values in held { try writeRow(values) }
    }

    private mutating func writeRow(_ values: [String]) throws {
        rowNumber += 1
        xml += Array("<row r=\"\(rowNumber)\">".utf8)
        for (j, column) in columns.enumerated() where j < values.count && !values[j].isEmpty {
            let v = values[j]
            switch column.kind {
            case .number where Int64(v).map({ $0.magnitude < 1_000_000_000_000_000 }) == true:
                // Under 10^15: a spreadsheet keeps 15 significant digits, so larger integers go as text.
                appendValue(String(Int64(v) ?? 0), column: j, style: .general)
            case .date where SheetDate.serial(v) != nil:
                appendValue(String(SheetDate.serial(v) ?? 0), column: j, style: .date)
            default:
                appendText(v, column: j, style: .text)
            }
        }
        xml += Array("</row>".utf8)
        if xml.count >= Self.flushBytes {
            try zip.write(xml)
            xml.removeAll(keepingCapacity: true)
        }
    }

    private mutating func appendValue(_ value: String, column: Int, style: Style) {
        xml += Array("<c r=\"\(Self.columnName(column))\(rowNumber)\" s=\"\(style.rawValue)\"><v>\(value)</v></c>".utf8)
    }

    /// An inline string cell; `xml:space="preserve"` keeps leading and trailing blanks.
    private mutating func appendText(_ s: String, column: Int, style: Style) {
        let space = s.first.map { $0.isWhitespace } == true || s.last.map { $0.isWhitespace } == true
        xml += Array("<c r=\"\(Self.columnName(column))\(rowNumber)\" s=\"\(style.rawValue)\" t=\"inlineStr\"><is>".utf8)
        xml += Array((space ? "<t xml:space=\"preserve\">" : "<t>").utf8)
        Self.appendEscaped(s, to: &xml)
        xml += Array("</t></is></c>".utf8)
    }

    /// Appends `escape(s)`'s bytes; text with nothing to escape (most cells) is copied as is.
    static func appendEscaped(_ s: String, to out: inout [UInt8]) {
        let plain = s.utf8.allSatisfy { b in
            b >= 0x20 && b != UInt8(ascii: "&") && b != UInt8(ascii: "<") && b != UInt8(ascii: ">")
                && b != UInt8(ascii: "\"") && b != UInt8(ascii: "_") && b != 0xEF  // 0xEF: U+FFFE and U+FFFF start so
        }
        if plain { out += s.utf8 } else { out += escape(s).utf8 }
    }

    /// `A`, `B`, … `Z`, `AA`, … for a 0-based column.
    package static func columnName(_ index: Int) -> String {
        var n = index + 1
        var s: [UInt8] = []
        while n > 0 {
            let r = (n - 1) % 26
            s.insert(UInt8(0x41 + r), at: 0)
            n = (n - 1) / 26
        }
        return String(decoding: s, as: UTF8.self)
    }

    /// Escapes text for an OOXML string: XML's five specials, `&#13;` for CR (a literal one
    /// would read back as LF), `_xHHHH_` for characters XML 1.0 cannot hold, and `_x005F_` for
    /// an underscore that would otherwise read as the start of such an escape.
    package static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        let scalars = Array(s.unicodeScalars)
        for (k, c) in scalars.enumerated() {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "\r": out += "&#13;"
            case "\t", "\n": out.unicodeScalars.append(c)
            case "_" where looksLikeEscape(scalars, at: k): out += "_x005F_"
            default:
                if c.value < 0x20 || c.value == 0xFFFE || c.value == 0xFFFF {
                    let hex = String(c.value, radix: 16, uppercase: true)
                    out += "_x" + String(repeating: "0", count: 4 - hex.count) + hex + "_"
                } else {
                    out.unicodeScalars.append(c)
                }
            }
        }
        return out
    }

    /// True when `_xHHHH_` starts at `k`.
    static func looksLikeEscape(_ s: [Unicode.Scalar], at k: Int) -> Bool {
        guard k + 6 < s.count, s[k + 1] == "x", s[k + 6] == "_" else { return false }
        return s[(k + 2)...(k + 5)].allSatisfy { $0.properties.isASCIIHexDigit }
    }

    /// Columns a value takes on screen: 2 for CJK and other wide characters, 1 otherwise.
    static func displayWidth(_ s: String) -> Int {
        s.unicodeScalars.reduce(0) { $0 + ($1.value >= 0x1100 ? 2 : 1) }
    }

    static func safeSheetName(_ name: String) -> String {
        let cleaned = String(name.map { "[]:*?/\\".contains($0) ? "_" : $0 }.prefix(31))
        return cleaned.isEmpty ? "Sheet1" : cleaned
    }

    static let contentTypes = #"""
    <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
    <Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>
    """#

    static let rootRels = #"""
    <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
    <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>
    """#

    static func workbookXML(sheetName: String) -> String {
        #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"# + "\n"
            + #"<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">"#
            + #"<bookViews><workbookView/></bookViews><sheets><sheet name=""# + escape(sheetName) + #"" sheetId="1" r:id="rId1"/></sheets></workbook>"#
    }

    static let workbookRels = #"""
    <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
    <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>
    """#

    /// Four cell formats: general, text (`@`, id 49), date (`yyyy-mm-dd`, custom id 164), bold text for the header.
    static let styles = #"""
    <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
    <styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy\-mm\-dd"/></numFmts><fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font><font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="49" fontId="1" fillId="0" borderId="0" xfId="0" applyNumberFormat="1" applyFont="1"/></cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>
    """#
}
