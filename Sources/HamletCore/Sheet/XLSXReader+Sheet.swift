/// Scans one worksheet part into rows of text (see `XLSXReader`).
struct SheetScan {
    let strings: [String]
    let dateStyles: Set<Int>
    let date1904: Bool
    let limits: SheetLimits

    /// The rows kept so far, and the header's width once known.
    private var records: [(line: Int, fields: [String])] = []
    private var width: Int?
    private var cells = 0
    /// The first number cell too long to be exact, and how many there are.
    private var firstLongNumber: (row: Int, column: Int)?
    private var longNumbers = 0

    init(strings: [String], dateStyles: Set<Int>, date1904: Bool, limits: SheetLimits) {
        self.strings = strings
        self.dateStyles = dateStyles
        self.date1904 = date1904
        self.limits = limits
    }

    /// Reads the `<sheetData>` of a worksheet.
    mutating func run(_ xml: [UInt8]) throws(CSVError) -> [(line: Int, fields: [String])] {
        var x = XMLScanner(xml)
        var rowNumber = 0
        var row: [(column: Int, value: String)] = []
        var column = -1
        var type: String?, style = 0
        var value = "", inline = "", inValue = false, inText = false, phonetic = 0
        while let e = try x.next() {
            switch e {
            case .start("row", let a):
                rowNumber = a["r"].flatMap { Int($0) } ?? rowNumber + 1
                guard rowNumber >= 1, rowNumber <= limits.maxRows else { throw SheetScan.tooLarge(limits) }
                row = []
                column = -1
            case .end("row"):
                try keep(row, line: rowNumber)
            case .start("c", let a):
                column = a["r"].map { XLSXReader.column(ofReference: $0) ?? -1 } ?? column + 1
                guard column >= 0, column < limits.maxColumns else { throw SheetScan.tooLarge(limits) }
                type = a["t"]
                style = a["s"].flatMap { Int($0) } ?? 0
                value = ""
                inline = ""
            case .end("c"):
                let text = try cellText(type: type, style: style, value: value, inline: inline, row: rowNumber, column: column)
                if !text.isEmpty {
                    cells += 1
                    guard cells <= limits.maxCells else { throw SheetScan.tooLarge(limits) }
                    row.append((column, text))
                }
            case .start("v", _): inValue = true
            case .end("v"): inValue = false
            case .start("t", _): inText = true
            case .end("t"): inText = false
            case .start("rPh", _): phonetic += 1
            case .end("rPh"): phonetic -= 1
            case .text(let s):
                if inValue { value += s } else if inText && phonetic == 0 { inline += s }
            default: break
            }
        }
        if let first = firstLongNumber {
            let r = first.row
            let cell = XLSXReader.column(name: first.column) + String(r)
            throw CSVError(.idAsNumber, line: r,
                           message: "\(longNumbers) cell(s), the first \(cell), hold a number of 16 or more digits: a national ID typed as a number has lost its last digits. Format the column as Text, retype the IDs and import again",
                           zh: "有 \(longNumbers) 个单元格（第一个是 \(cell)）是 16 位以上的数字：身份证号被存成数字，后几位已经丢失。请把该列设为“文本”格式，重新输入身份证号后再导入")
        }
        return records
    }

    /// Keeps a non-blank row: the first one sets the header's width; later ones are padded to it.
    private mutating func keep(_ row: [(column: Int, value: String)], line: Int) throws(CSVError) {
        guard let last = row.map(\.column).max() else { return }
        let w: Int
        if let width {
            w = width
            guard last < w else {
                throw CSVError(.raggedRow, line: line,
                               message: "the row has a value in column \(XLSXReader.column(name: last)), right of the last header column; give the column a header or clear the cell",
                               zh: "该行在 \(XLSXReader.column(name: last)) 列有内容，但表头没有这一列；请补上列名或清除该单元格")
            }
        } else {
            w = last + 1
            width = w
        }
        guard (records.count + 1) * w <= limits.maxCells else { throw SheetScan.tooLarge(limits) }
        var fields = [String](repeating: "", count: w)
        for (c, v) in row { fields[c] = v }
        records.append((line, fields))
    }

    /// The text of one cell, by its type and style.
    private mutating func cellText(type: String?, style: Int, value: String, inline: String, row: Int, column: Int) throws(CSVError) -> String {
        switch type {
        case "s":
            guard !value.isEmpty else { return "" }
            guard let i = Int(value.trimmingSpaces()), i >= 0, i < strings.count else {
                throw ZipReader.damaged("a cell refers to a shared string that does not exist")
            }
            return strings[i]
        case "inlineStr": return XLSXReader.unescape(inline)
        case "str", "e": return XLSXReader.unescape(value)
        case "b": return value == "1" ? "TRUE" : value.isEmpty ? "" : "FALSE"
        case "d": return value.count >= 10 ? String(value.prefix(10)) : value
        default: return number(value.trimmingSpaces(), dated: dateStyles.contains(style), row: row, column: column)
        }
    }

    /// A number cell as text: a date when its format is one, an integer without `.0`, a long one recorded as an error.
    private mutating func number(_ v: String, dated: Bool, row: Int, column: Int) -> String {
        guard !v.isEmpty, let d = Double(v) else { return v }
        if dated, let date = SheetDate.date(serial: d, date1904: date1904) { return date }
        if d.magnitude >= 1e15 {
            longNumbers += 1
            if firstLongNumber == nil { firstLongNumber = (row, column) }
            return v
        }
        if d == d.rounded() { return String(Int64(d)) }
        let plain = v.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2E || $0 == 0x2D }
        return plain ? v : String(d)
    }

    static func tooLarge(_ limits: SheetLimits) -> CSVError {
        CSVError(.tooLarge, line: 0,
                 message: "the sheet is larger than allowed (\(limits.maxRows) rows, \(limits.maxColumns) columns, \(limits.maxCells) cells); split it into smaller files",
                 zh: "工作表超出上限（\(limits.maxRows) 行、\(limits.maxColumns) 列、\(limits.maxCells) 个单元格），请拆成几个较小的文件")
    }
}

extension XLSXReader {
    /// `A` for 0, `AA` for 26: the column's name as the spreadsheet shows it.
    static func column(name index: Int) -> String { XLSXWriter.columnName(index) }
}
