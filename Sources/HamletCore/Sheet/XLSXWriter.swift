/// Writes a one-sheet xlsx workbook (Office Open XML, ECMA-376 transitional).
///
/// Made so that a register survives any spreadsheet program: every text column is
/// text-typed twice over, its cells are shared strings (never numbers, so a national ID
/// or a phone's leading 0 cannot be reinterpreted) and its column carries the text number
/// format `@` (so a value typed later into an empty cell stays text too). Dates are real
/// dates (serials with the format `yyyy-mm-dd`), integers real numbers. The header row is
/// bold and frozen; column widths follow the content (CJK counted double). Cell text is
/// escaped for XML and OOXML (`_xHHHH_` for control characters, `&#13;` for CR), so
/// every string reads back exactly. The ZIP entries are stored; output is deterministic.
package enum XLSXWriter {
    /// How a column's cells are typed.
    package enum Kind: Sendable {
        /// Shared strings with the text format `@`.
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

    /// Builds the workbook.
    /// - Parameters:
    ///   - sheetName: the tab's name (cut to 31 characters; `[]:*?/\` replaced).
    ///   - columns: the header and the kind of each column.
    ///   - rows: the values, one array per row in column order (missing or empty values leave the cell blank;
    ///     a `number` column's value that is not an integer under 10^15, or a `date` column's value that is
    ///     not a date from 1900-03-01 on, is written as text).
    /// - Returns: the xlsx file.
    package static func workbook(sheetName: String, columns: [Column], rows: [[String]]) -> [UInt8] {
        var strings = SharedStrings()
        var widths = columns.map { displayWidth($0.title) }
        var sheet = Array(#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#.utf8)
        sheet += Array(#"<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">"#.utf8)
        sheet += Array(#"<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>"#.utf8)
        var data: [UInt8] = Array("<sheetData>".utf8)
        data.reserveCapacity(rows.count * columns.count * 24 + 64)
        func cell(_ col: Int, _ row: Int, style: Style, type: String?, value: String) {
            data += Array("<c r=\"\(columnName(col))\(row)\" s=\"\(style.rawValue)\"".utf8)
            if let type { data += Array(" t=\"\(type)\"".utf8) }
            data += Array("><v>\(value)</v></c>".utf8)
        }
        data += Array("<row r=\"1\">".utf8)
        for (j, c) in columns.enumerated() { cell(j, 1, style: .header, type: "s", value: String(strings.index(c.title))) }
        data += Array("</row>".utf8)
        for (k, values) in rows.enumerated() {
            let r = k + 2
            data += Array("<row r=\"\(r)\">".utf8)
            for (j, column) in columns.enumerated() where j < values.count && !values[j].isEmpty {
                let v = values[j]
                widths[j] = max(widths[j], displayWidth(v))
                switch column.kind {
                case .number where Int64(v).map({ $0.magnitude < 1_000_000_000_000_000 }) == true:
                    // Under 10^15: a spreadsheet keeps 15 significant digits, so larger integers go as text.
                    cell(j, r, style: .general, type: nil, value: String(Int64(v) ?? 0))
                case .date where SheetDate.serial(v) != nil:
                    cell(j, r, style: .date, type: nil, value: String(SheetDate.serial(v) ?? 0))
                default:
                    cell(j, r, style: .text, type: "s", value: String(strings.index(v)))
                }
            }
            data += Array("</row>".utf8)
        }
        data += Array("</sheetData>".utf8)
        if !columns.isEmpty {
            sheet += Array("<cols>".utf8)
            for (j, column) in columns.enumerated() {
                let width = min(60, max(8, widths[j] + 2))
                let style = column.kind == .text ? Style.text : column.kind == .date ? .date : .general
                sheet += Array("<col min=\"\(j + 1)\" max=\"\(j + 1)\" width=\"\(width)\" style=\"\(style.rawValue)\" customWidth=\"1\"/>".utf8)
            }
            sheet += Array("</cols>".utf8)
        }
        sheet += data
        sheet += Array("</worksheet>".utf8)

        var zip = ZipWriter()
        zip.add("[Content_Types].xml", Array(contentTypes.utf8))
        zip.add("_rels/.rels", Array(rootRels.utf8))
        zip.add("xl/workbook.xml", Array(workbookXML(sheetName: safeSheetName(sheetName)).utf8))
        zip.add("xl/_rels/workbook.xml.rels", Array(workbookRels.utf8))
        zip.add("xl/styles.xml", Array(styles.utf8))
        zip.add("xl/sharedStrings.xml", strings.xml())
        zip.add("xl/worksheets/sheet1.xml", sheet)
        return zip.finished()
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

    /// The shared string table: each distinct string once, in first-use order.
    private struct SharedStrings {
        var index: [String: Int] = [:]
        var list: [String] = []
        var uses = 0

        mutating func index(_ s: String) -> Int {
            uses += 1
            if let i = index[s] { return i }
            index[s] = list.count
            list.append(s)
            return list.count - 1
        }

        func xml() -> [UInt8] {
            var out = Array(#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#.utf8)
            out += Array("<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" count=\"\(uses)\" uniqueCount=\"\(list.count)\">".utf8)
            for s in list {
                let space = s.first.map { $0.isWhitespace } == true || s.last.map { $0.isWhitespace } == true
                out += Array((space ? "<si><t xml:space=\"preserve\">" : "<si><t>").utf8)
                out += Array(escape(s).utf8)
                out += Array("</t></si>".utf8)
            }
            out += Array("</sst>".utf8)
            return out
        }
    }

    static let contentTypes = #"""
    <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
    <Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>
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
    <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>
    """#

    /// Four cell formats: general, text (`@`, id 49), date (`yyyy-mm-dd`, custom id 164), bold text for the header.
    static let styles = #"""
    <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
    <styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy\-mm\-dd"/></numFmts><fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font><font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="49" fontId="1" fillId="0" borderId="0" xfId="0" applyNumberFormat="1" applyFont="1"/></cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>
    """#
}
