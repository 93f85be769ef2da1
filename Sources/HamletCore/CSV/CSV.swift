/// An RFC 4180 CSV codec: pure, byte-oriented, UTF-8.
///
/// Reading accepts CRLF, LF and lone CR line ends, quoted fields holding commas,
/// doubled quotes (`""`) and line breaks, a UTF-8 byte-order mark, and a final
/// line with or without a line end. Blank lines (no characters at all) between
/// records are skipped, as spreadsheets leave them; a record made of one empty
/// field is therefore written `""` by `encode`, so it survives a round trip.
/// A quote inside an unquoted field is kept as a literal character, as
/// spreadsheets do; text after a closing quote is an error.
///
/// Field values are kept exactly: nothing is trimmed or unescaped beyond the
/// CSV quoting itself.
///
/// **Formula injection.** The codec writes fields that begin with `=`, `+`, `-`
/// or `@` as they are: its contract is that `parse(encode(rows)) == rows` for
/// every row. Files meant for spreadsheet programs pass each field through
/// `FormulaGuard.neutralized` first (the register exports do), and imports undo
/// it with `FormulaGuard.restored`.
public enum CSV {
    static let comma: UInt8 = 0x2C
    static let quote: UInt8 = 0x22
    static let lf: UInt8 = 0x0A
    static let cr: UInt8 = 0x0D

    /// Parses CSV text into records of fields.
    ///
    /// - Parameter text: the document; a leading U+FEFF (byte-order mark) is ignored.
    /// - Returns: the records in order, each with as many fields as the first.
    /// - Throws: `CSVError` with `unterminated-quote`, `text-after-quote` or `ragged-row`,
    ///   naming the line.
    public static func parse(_ text: String) throws(CSVError) -> [[String]] {
        try parse(bytes: Array(text.utf8))
    }

    /// Parses UTF-8 CSV bytes into records of fields.
    ///
    /// - Parameter bytes: the document; a leading UTF-8 byte-order mark is stripped.
    /// - Returns: the records in order, each with as many fields as the first.
    /// - Throws: `CSVError` with `invalid-utf8`, `unterminated-quote`, `text-after-quote`
    ///   or `ragged-row`, naming the line.
    public static func parse(bytes: [UInt8]) throws(CSVError) -> [[String]] {
        let recs = try records(bytes: bytes)
        guard let width = recs.first?.fields.count else { return [] }
        var out: [[String]] = []
        out.reserveCapacity(recs.count)
        for r in recs {
            guard r.fields.count == width else { throw ragged(line: r.line, expected: width, found: r.fields.count) }
            out.append(r.fields)
        }
        return out
    }

    /// Encodes records as CSV text.
    ///
    /// A field is quoted when it holds a comma, a quote, CR or LF, when it begins
    /// or ends with a space, tab or ideographic space (so tools that trim keep
    /// it), when it is the only field of its record and empty, and when it opens
    /// the document with U+FEFF (read back, that would be a byte-order mark). Quotes inside
    /// are doubled. Values are never altered otherwise (see the note on formula
    /// injection on `CSV`). A record with no fields writes a blank line, which
    /// `parse` skips.
    ///
    /// - Parameters:
    ///   - rows: the records.
    ///   - bom: whether to begin with a UTF-8 byte-order mark (spreadsheets on Windows want one).
    ///   - lineEnding: written after every record, the last included; RFC 4180 uses CRLF.
    /// - Returns: the document.
    public static func encode(_ rows: [[String]], bom: Bool, lineEnding: String = "\r\n") -> String {
        var out: [UInt8] = []
        out.reserveCapacity(rows.count * 64)
        if bom { out.append(contentsOf: [0xEF, 0xBB, 0xBF]) }
        let end = Array(lineEnding.utf8)
        for row in rows { appendRecord(row, lineEnding: end, atDocumentStart: out.isEmpty, to: &out) }
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends one record, quoted as `encode(_:bom:lineEnding:)` quotes it, so that a writer streaming records one
    /// at a time (a large export) gives the same bytes as encoding them all at once.
    ///
    /// - Parameters:
    ///   - row: the record's fields.
    ///   - lineEnding: the UTF-8 bytes written after the record (CRLF: `[13, 10]`).
    ///   - atDocumentStart: whether nothing (not even a byte-order mark) precedes the record in the document: a
    ///     first field beginning with U+FEFF is then quoted, as it would read back as a byte-order mark. A writer
    ///     that empties its buffer passes false after the first record.
    ///   - out: the buffer to append to.
    public static func appendRecord(_ row: [String], lineEnding: [UInt8], atDocumentStart: Bool, to out: inout [UInt8]) {
        for (j, field) in row.enumerated() {
            if j > 0 { out.append(comma) }
            // A U+FEFF opening the document would read back as a byte-order mark and vanish: quote it.
            let readsAsBOM = atDocumentStart && j == 0 && field.utf8.starts(with: [0xEF, 0xBB, 0xBF])
            appendField(field, alone: row.count == 1, forceQuotes: readsAsBOM, to: &out)
        }
        out.append(contentsOf: lineEnding)
    }

    /// Appends one field, quoted when it must be (or when `forceQuotes`).
    static func appendField(_ field: String, alone: Bool, forceQuotes: Bool = false, to out: inout [UInt8]) {
        var needsQuotes = forceQuotes || alone && field.isEmpty
        var hasQuote = false
        for c in field.utf8 where c == comma || c == quote || c == cr || c == lf {
            needsQuotes = true
            if c == quote { hasQuote = true; break }
        }
        if !needsQuotes, let first = field.unicodeScalars.first, let last = field.unicodeScalars.last,
           isEdgeSpace(first) || isEdgeSpace(last) {
            needsQuotes = true
        }
        guard needsQuotes else {
            out.append(contentsOf: field.utf8)
            return
        }
        out.append(quote)
        if hasQuote {
            for c in field.utf8 {
                if c == quote { out.append(quote) }
                out.append(c)
            }
        } else {
            out.append(contentsOf: field.utf8)
        }
        out.append(quote)
    }

    static func isEdgeSpace(_ s: Unicode.Scalar) -> Bool {
        s == " " || s == "\t" || s == "\u{3000}"
    }

    static func ragged(line: Int, expected: Int, found: Int) -> CSVError {
        CSVError(.raggedRow, line: line,
                 message: "the record has \(found) fields but the header has \(expected); check for a missing or extra comma",
                 zh: "该行有 \(found) 列，表头有 \(expected) 列，请检查是否多了或少了逗号")
    }

    /// Splits a document into records, each with the 1-based physical line it starts on.
    ///
    /// - Parameter bytes: the document; a leading UTF-8 byte-order mark is stripped.
    /// - Returns: the records (not checked for equal width).
    /// - Throws: `CSVError` with `invalid-utf8`, `unterminated-quote` or `text-after-quote`.
    static func records(bytes b: [UInt8]) throws(CSVError) -> [(line: Int, fields: [String])] {
        let start = b.count >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF ? 3 : 0
        if let bad = firstInvalidUTF8(b, from: start) {
            throw CSVError(.invalidUTF8, line: lineNumber(of: bad, in: b),
                           message: "the file is not valid UTF-8; save it as UTF-8 (CSV UTF-8) and try again",
                           zh: "文件不是 UTF-8 编码，请另存为“CSV UTF-8”后重试")
        }
        var out: [(line: Int, fields: [String])] = []
        var fields: [String] = []
        var line = 1
        var recordLine = 1
        var atRecordStart = true
        var i = start
        let n = b.count

        /// Consumes the line end at `i` (CRLF, LF or CR).
        func skipLineEnd(_ i: inout Int) {
            if b[i] == cr, i + 1 < n, b[i + 1] == lf { i += 2 } else { i += 1 }
        }

        while i < n {
            if atRecordStart {
                if b[i] == lf || b[i] == cr {
                    skipLineEnd(&i)
                    line += 1
                    continue
                }
                recordLine = line
                atRecordStart = false
            }
            if b[i] == quote {
                let openLine = line
                i += 1
                var buf: [UInt8] = []
                var segment = i
                while true {
                    guard i < n else {
                        throw CSVError(.unterminatedQuote, line: openLine,
                                       message: "a quoted field is never closed; add the missing closing quote",
                                       zh: "引号没有闭合，请补上缺少的引号")
                    }
                    let c = b[i]
                    if c == quote {
                        if i + 1 < n, b[i + 1] == quote {
                            buf.append(contentsOf: b[segment...i])
                            i += 2
                            segment = i
                            continue
                        }
                        buf.append(contentsOf: b[segment..<i])
                        i += 1
                        break
                    }
                    if c == lf || (c == cr && !(i + 1 < n && b[i + 1] == lf)) { line += 1 }
                    i += 1
                }
                fields.append(String(decoding: buf, as: UTF8.self))
                if i < n, b[i] != comma, b[i] != lf, b[i] != cr {
                    throw CSVError(.textAfterQuote, line: line,
                                   message: "text follows a closing quote; quote the whole field and double the quotes inside it",
                                   zh: "引号后面还有文字，请把整个字段放在引号内，字段内的引号写两次")
                }
            } else {
                let s = i
                while i < n, b[i] != comma, b[i] != lf, b[i] != cr { i += 1 }
                fields.append(String(decoding: b[s..<i], as: UTF8.self))
            }
            // Here i is at a comma, a line end, or the end of input.
            if i >= n {
                break
            }
            if b[i] == comma {
                i += 1
                if i >= n { fields.append("") }
                continue
            }
            skipLineEnd(&i)
            out.append((recordLine, fields))
            fields = []
            line += 1
            atRecordStart = true
        }
        if !atRecordStart {
            out.append((recordLine, fields))
        }
        return out
    }

    /// The 1-based physical line of byte offset `offset`.
    static func lineNumber(of offset: Int, in b: [UInt8]) -> Int {
        var line = 1
        var i = 0
        while i < offset {
            if b[i] == lf || (b[i] == cr && !(i + 1 < b.count && b[i + 1] == lf)) { line += 1 }
            i += 1
        }
        return line
    }

    /// The offset of the first byte that does not begin a well-formed UTF-8
    /// sequence (Unicode Table 3-7: no overlongs, surrogates or values above U+10FFFF).
    static func firstInvalidUTF8(_ b: [UInt8], from start: Int) -> Int? {
        var i = start
        let n = b.count
        func cont(_ j: Int, _ lo: UInt8 = 0x80, _ hi: UInt8 = 0xBF) -> Bool {
            j < n && b[j] >= lo && b[j] <= hi
        }
        while i < n {
            let c = b[i]
            if c < 0x80 { i += 1; continue }
            switch c {
            case 0xC2...0xDF:
                guard cont(i + 1) else { return i }
                i += 2
            case 0xE0:
                guard cont(i + 1, 0xA0, 0xBF), cont(i + 2) else { return i }
                i += 3
            case 0xE1...0xEC, 0xEE...0xEF:
                guard cont(i + 1), cont(i + 2) else { return i }
                i += 3
            case 0xED:
                guard cont(i + 1, 0x80, 0x9F), cont(i + 2) else { return i }
                i += 3
            case 0xF0:
                guard cont(i + 1, 0x90, 0xBF), cont(i + 2), cont(i + 3) else { return i }
                i += 4
            case 0xF1...0xF3:
                guard cont(i + 1), cont(i + 2), cont(i + 3) else { return i }
                i += 4
            case 0xF4:
                guard cont(i + 1, 0x80, 0x8F), cont(i + 2), cont(i + 3) else { return i }
                i += 4
            default:
                return i
            }
        }
        return nil
    }
}

/// A CSV document read as a header and records keyed by header name.
public struct CSVTable: Sendable {
    /// The header fields, spaces trimmed, in file order.
    public var header: [String]
    /// The records after the header: `line` is the 1-based physical line the
    /// record starts on (a quoted field may span lines), `fields` maps each
    /// header name to the record's value.
    public var rows: [(line: Int, fields: [String: String])]

    /// Makes a table.
    /// - Parameters:
    ///   - header: the column names.
    ///   - rows: the records with their starting lines.
    public init(header: [String], rows: [(line: Int, fields: [String: String])]) {
        self.header = header
        self.rows = rows
    }

    /// Reads a UTF-8 CSV document whose first record is the header.
    ///
    /// Header names are trimmed of surrounding spaces; values are kept exactly.
    /// - Parameter bytes: the document; a UTF-8 byte-order mark is stripped.
    /// - Returns: the header and the records.
    /// - Throws: `CSVError` with `invalid-utf8`, `unterminated-quote`, `text-after-quote`,
    ///   `ragged-row`, `missing-header`, `empty-header-field` or `duplicate-header-field`.
    public static func read(bytes: [UInt8]) throws(CSVError) -> CSVTable {
        try make(records: CSV.records(bytes: bytes))
    }

    /// Makes a table from records whose first is the header (a CSV's, or an xlsx sheet's rows).
    /// - Parameter recs: the records with their starting lines.
    /// - Returns: the header and the records.
    /// - Throws: `CSVError` with `ragged-row`, `missing-header`, `empty-header-field` or `duplicate-header-field`.
    static func make(records recs: [(line: Int, fields: [String])]) throws(CSVError) -> CSVTable {
        guard let first = recs.first else {
            throw CSVError(.missingHeader, line: 1, message: "the file is empty; the first line must name the columns",
                           zh: "文件为空，第一行应为列名")
        }
        let header = first.fields.map { $0.trimmingSpaces() }
        var seen = Set<String>()
        for (k, name) in header.enumerated() {
            guard !name.isEmpty else {
                throw CSVError(.emptyHeaderField, line: first.line, message: "column \(k + 1) of the header has no name",
                               zh: "表头第 \(k + 1) 列没有列名")
            }
            guard seen.insert(name).inserted else {
                throw CSVError(.duplicateHeaderField, line: first.line, message: "column \(k + 1) of the header repeats an earlier name",
                               zh: "表头第 \(k + 1) 列与前面的列重名")
            }
        }
        var rows: [(line: Int, fields: [String: String])] = []
        rows.reserveCapacity(recs.count - 1)
        for r in recs.dropFirst() {
            guard r.fields.count == header.count else {
                throw CSV.ragged(line: r.line, expected: header.count, found: r.fields.count)
            }
            var d: [String: String] = [:]
            d.reserveCapacity(header.count)
            for (name, value) in zip(header, r.fields) { d[name] = value }
            rows.append((r.line, d))
        }
        return CSVTable(header: header, rows: rows)
    }

    /// Reads CSV text whose first record is the header; see `read(bytes:)`.
    /// - Parameter text: the document.
    /// - Returns: the header and the records.
    /// - Throws: `CSVError` as `read(bytes:)`.
    public static func read(_ text: String) throws(CSVError) -> CSVTable {
        try read(bytes: Array(text.utf8))
    }

    /// Encodes the table: the header, then each record's values in header
    /// order (a missing name writes an empty field).
    /// - Parameters:
    ///   - bom: whether to begin with a UTF-8 byte-order mark.
    ///   - lineEnding: the record separator.
    /// - Returns: the document.
    public func encoded(bom: Bool, lineEnding: String = "\r\n") -> String {
        var all: [[String]] = [header]
        all.reserveCapacity(rows.count + 1)
        for r in rows { all.append(header.map { r.fields[$0] ?? "" }) }
        return CSV.encode(all, bom: bom, lineEnding: lineEnding)
    }
}
