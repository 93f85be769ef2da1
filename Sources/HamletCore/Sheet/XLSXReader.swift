/// Reads the first sheet of an xlsx workbook as rows of text, the way a CSV reads.
///
/// Finds the workbook through the package relationships, takes its first visible sheet,
/// and turns every cell into the text a clerk sees: shared strings (rich-text runs joined,
/// phonetic guides dropped), inline strings, formula results, booleans, and numbers; a
/// number whose cell format is a date becomes `YYYY-MM-DD` (1900 or 1904 system). A
/// number of 10^15 or more is refused with `id-as-number`: a spreadsheet keeps only 15
/// significant digits, so a national ID typed as a number has already lost its end and
/// must be retyped as text, never guessed. Blank rows are skipped, as blank CSV lines are.
package enum XLSXReader {
    /// Reads the first sheet.
    /// - Parameters:
    ///   - bytes: the xlsx file.
    ///   - limits: caps on parts, sizes, rows, columns and cells.
    /// - Returns: the non-blank rows, each with its 1-based row number, all as wide as the header
    ///   (the first non-blank row, up to its last non-empty cell).
    /// - Throws: `CSVError` with `not-a-spreadsheet`, `damaged-file`, `zip-bomb`, `encrypted-file`,
    ///   `too-large`, `ragged-row` (a value right of the last header column) or `id-as-number`.
    package static func records(bytes: [UInt8], limits: SheetLimits = SheetLimits()) throws(CSVError) -> [(line: Int, fields: [String])] {
        var zip = try ZipReader(bytes: bytes, limits: limits)
        let workbookPath = try relationships(&zip, "_rels/.rels", base: "").first { $0.type.hasSuffix("/officeDocument") }?.target
            ?? "xl/workbook.xml"
        guard let workbookEntry = zip.entry(named: workbookPath) else {
            throw CSVError(.notASpreadsheet, line: 0,
                           message: "the file is a ZIP archive but not an xlsx workbook; save it from the spreadsheet program as .xlsx or CSV",
                           zh: "文件是压缩包，但不是 xlsx 工作簿；请在电子表格软件中另存为 .xlsx 或 CSV")
        }
        let workbook = try Workbook(try zip.data(of: workbookEntry))
        let base = workbookPath.split(separator: "/").dropLast().joined(separator: "/")
        let relsPath = (base.isEmpty ? "" : base + "/") + "_rels/" + (workbookPath.split(separator: "/").last.map(String.init) ?? "") + ".rels"
        let rels = try relationships(&zip, relsPath, base: base)
        let prefix = base.isEmpty ? "" : base + "/"
        let sheetPath = workbook.firstSheetID.flatMap { id in rels.first { $0.id == id }?.target } ?? prefix + "worksheets/sheet1.xml"
        let stringsPath = rels.first { $0.type.hasSuffix("/sharedStrings") }?.target ?? prefix + "sharedStrings.xml"
        let stylesPath = rels.first { $0.type.hasSuffix("/styles") }?.target ?? prefix + "styles.xml"
        guard let sheetEntry = zip.entry(named: sheetPath) else { throw ZipReader.damaged("the first sheet is missing") }
        let strings = try zip.entry(named: stringsPath).map { e throws(CSVError) in try sharedStrings(try zip.data(of: e), limits: limits) } ?? []
        let dateStyles = try zip.entry(named: stylesPath).map { e throws(CSVError) in try dateStyleIndices(try zip.data(of: e)) } ?? []
        var sheet = SheetScan(strings: strings, dateStyles: dateStyles, date1904: workbook.date1904, limits: limits)
        return try sheet.run(try zip.data(of: sheetEntry))
    }

    /// One `<Relationship>`: id, type URI and the target resolved to a path in the archive.
    struct Relationship {
        var id: String
        var type: String
        var target: String
    }

    /// The relationships in a `.rels` part (none when the part is absent); targets resolved against `base`.
    static func relationships(_ zip: inout ZipReader, _ path: String, base: String) throws(CSVError) -> [Relationship] {
        guard let entry = zip.entry(named: path) else { return [] }
        var x = XMLScanner(try zip.data(of: entry))
        var out: [Relationship] = []
        while let e = try x.next() {
            guard case .start("Relationship", let a) = e, let id = a["Id"], let type = a["Type"], let target = a["Target"] else { continue }
            guard a["TargetMode"] != "External" else { continue }
            out.append(Relationship(id: id, type: type, target: resolve(target, base: base)))
        }
        return out
    }

    /// A relationship target as an archive path: `/xl/a.xml` is absolute, `a.xml` relative to `base`; `..` is honoured.
    static func resolve(_ target: String, base: String) -> String {
        var parts = target.hasPrefix("/") ? [] : base.split(separator: "/").map(String.init)
        for p in target.split(separator: "/") {
            if p == ".." { _ = parts.popLast() } else if p != "." { parts.append(String(p)) }
        }
        return parts.joined(separator: "/")
    }

    /// What the workbook part says: the first sheet's relationship id and the date system.
    struct Workbook {
        var firstSheetID: String?
        var date1904 = false

        init(_ xml: [UInt8]) throws(CSVError) {
            var x = XMLScanner(xml)
            var firstAny: String?
            while let e = try x.next() {
                guard case .start(let name, let a) = e else { continue }
                if name == "workbookPr" { date1904 = a["date1904"] == "1" || a["date1904"] == "true" }
                if name == "sheet", let id = a["id"] {
                    if firstAny == nil { firstAny = id }
                    if firstSheetID == nil, a["state"] != "hidden", a["state"] != "veryHidden" { firstSheetID = id }
                }
            }
            firstSheetID = firstSheetID ?? firstAny
        }
    }

    /// The shared string table: each `<si>`'s `<t>` texts joined, phonetic runs (`<rPh>`) left out.
    static func sharedStrings(_ xml: [UInt8], limits: SheetLimits) throws(CSVError) -> [String] {
        var x = XMLScanner(xml)
        var out: [String] = []
        var current = ""
        var inT = false, phonetic = 0
        while let e = try x.next() {
            switch e {
            case .start("si", _): current = ""
            case .start("t", _): inT = true
            case .start("rPh", _): phonetic += 1
            case .end("t"): inT = false
            case .end("rPh"): phonetic -= 1
            case .end("si"):
                guard out.count < limits.maxCells else { throw SheetScan.tooLarge(limits) }
                out.append(unescape(current))
            case .text(let s) where inT && phonetic == 0: current += s
            default: break
            }
        }
        return out
    }

    /// The indices into `cellXfs` whose number format shows a date.
    static func dateStyleIndices(_ xml: [UInt8]) throws(CSVError) -> Set<Int> {
        var x = XMLScanner(xml)
        var custom: [Int: String] = [:]
        var formats: [Int] = []
        var inCellXfs = false
        while let e = try x.next() {
            switch e {
            case .start("numFmt", let a):
                if let id = a["numFmtId"].flatMap({ Int($0) }), let code = a["formatCode"] { custom[id] = code }
            case .start("cellXfs", _): inCellXfs = true
            case .end("cellXfs"): inCellXfs = false
            case .start("xf", let a) where inCellXfs:
                formats.append(a["numFmtId"].flatMap { Int($0) } ?? 0)
            default: break
            }
        }
        var out = Set<Int>()
        for (index, id) in formats.enumerated() where isDateFormat(id: id, code: custom[id]) { out.insert(index) }
        return out
    }

    /// Whether a number format shows a date: the built-in date formats (14–17, 22, 27–36, 50–58), or a
    /// custom code with a year or day part outside quoted text, `[...]` sections and escapes.
    static func isDateFormat(id: Int, code: String?) -> Bool {
        guard let code else { return (14...17).contains(id) || id == 22 || (27...36).contains(id) || (50...58).contains(id) }
        var plain = ""
        var quoted = false, bracket = false, escaped = false
        for c in code {
            if escaped { escaped = false; continue }
            switch c {
            case "\\" where !quoted: escaped = true
            case "\"": quoted.toggle()
            case "[" where !quoted: bracket = true
            case "]" where !quoted: bracket = false
            default: if !quoted && !bracket { plain.append(c) }
            }
        }
        let lower = plain.lowercased()
        return lower != "general" && (lower.contains("y") || lower.contains("d") || lower.contains("e"))
    }

    /// Decodes OOXML's `_xHHHH_` escapes (`_x000D_` is a CR; `_x005F_` an underscore).
    static func unescape(_ s: String) -> String {
        guard s.contains("_x") else { return s }
        let u = Array(s.unicodeScalars)
        var out = String.UnicodeScalarView()
        var k = 0
        while k < u.count {
            if u[k] == "_", k + 6 < u.count, u[k + 1] == "x", u[k + 6] == "_",
               let v = UInt32(String(String.UnicodeScalarView(u[(k + 2)...(k + 5)])), radix: 16), let scalar = Unicode.Scalar(v) {
                out.append(scalar)
                k += 7
            } else {
                out.append(u[k])
                k += 1
            }
        }
        return String(out)
    }

    /// `B7` → column 1; nil when the reference has no letters.
    static func column(ofReference r: String) -> Int? {
        var col = 0, letters = 0
        for c in r.utf8 {
            if c >= 0x41, c <= 0x5A { col = col * 26 + Int(c - 0x40) } else if c >= 0x61, c <= 0x7A { col = col * 26 + Int(c - 0x60) } else { break }
            letters += 1
            guard letters <= 3 else { return nil }
        }
        return letters == 0 ? nil : col - 1
    }
}
