import Foundation
import HamletTestSupport
import Testing
@testable import HamletCore

@Suite("xlsx writer and reader")
struct XLSXTests {
    static let columns: [XLSXWriter.Column] = [
        .init("身份证号", .text), .init("姓名", .text), .init("电话", .text), .init("出生日期", .date),
        .init("金额（分）", .number), .init("备注", .text),
    ]
    /// Values a spreadsheet loves to mangle.
    static let rows: [[String]] = [
        ["370481199001011234", "王秀英", "05371234567", "1990-01-01", "120000", "=1+1"],
        ["37048119900101123X", "吕淼", "13800000000", "2024-02-29", "-5", "+86 537, \"老屋\"\n二号院"],
        ["007", "单于 ", "0", "1899-12-31", "12.5", "tab\there\r\nCRLF _x0041_ 𠀀 \u{1}"],
        ["", "", "", "", "", ""],
        ["000000000000000001", " 前导空格", "", "not a date", "9999999999999999", "@SUM(A1)"],
    ]

    @Test func writtenWorkbookReadsBackExactly() throws {
        let bytes = XLSXWriter.workbook(sheetName: "人员", columns: XLSXTests.columns, rows: XLSXTests.rows)
        let table = try SheetFile.read(bytes: bytes, name: "people.xlsx")
        #expect(table.header == XLSXTests.columns.map(\.title))
        // The blank row is skipped, as a blank CSV line is; every other value comes back as written.
        let expected = XLSXTests.rows.filter { $0.contains { !$0.isEmpty } }
        #expect(table.rows.count == expected.count)
        for (got, want) in zip(table.rows, expected) {
            #expect(table.header.map { got.fields[$0] ?? "?" } == want)
        }
        #expect(table.rows.map(\.line) == [2, 3, 4, 6], "lines are the sheet's row numbers")
        #expect(try SheetFile.format(bytes: bytes, name: "x") == .xlsx)
    }

    @Test func cellsAreTypedSoNothingIsReinterpreted() throws {
        let bytes = XLSXWriter.workbook(sheetName: "人员", columns: XLSXTests.columns, rows: XLSXTests.rows)
        var zip = try ZipReader(bytes: bytes)
        let sheet = String(decoding: try zip.data(of: try #require(zip.entry(named: "xl/worksheets/sheet1.xml"))), as: UTF8.self)
        #expect(sheet.contains("<c r=\"A2\" s=\"1\" t=\"inlineStr\"><is><t>370481199001011234</t>"), "the ID is an inline string with the text format")
        #expect(sheet.contains("<c r=\"C2\" s=\"1\" t=\"inlineStr\">"), "so is the phone")
        #expect(sheet.contains("<c r=\"D2\" s=\"2\"><v>32874</v>"), "1990-01-01 is the date serial 32874")
        #expect(sheet.contains("<c r=\"E2\" s=\"0\"><v>120000</v>"), "an integer is a number")
        #expect(sheet.contains("<c r=\"E6\" s=\"1\" t=\"inlineStr\">"), "16 digits would lose precision as a number: text")
        #expect(sheet.contains("<t xml:space=\"preserve\"> 前导空格</t>"), "a leading blank is kept")
        #expect(zip.entry(named: "xl/sharedStrings.xml") == nil, "no string table to hold")
        #expect(sheet.contains("<col min=\"1\" max=\"1\"") && sheet.contains("style=\"1\""), "empty cells of a text column are text too")
        #expect(!sheet.contains("<f>"), "no formulas, ever")
    }

    /// Rows streamed one at a time reach the sink in bounded pieces, as the same bytes `workbook` gives, and read back.
    @Test func streamedRowsGiveTheWorkbookBytesInBoundedPieces() throws {
        var rows: [[String]] = []
        for k in 0..<20_000 {  // past the width sample and many 64 KiB flushes
            let r = XLSXTests.rows[k % XLSXTests.rows.count]
            rows.append(k % 5 == 3 ? r : [String(370481199001010000 + k)] + r.dropFirst())
        }
        let out = ByteCollector()
        var largest = 0, pieces = 0
        var writer = XLSXWriter(sheetName: "人员", columns: XLSXTests.columns) { bytes in
            largest = max(largest, bytes.count)
            pieces += 1
            out.bytes += bytes
        }
        for (k, r) in rows.enumerated() {
            try writer.append(r)
            if k == XLSXWriter.sampleRows - 2 { #expect(out.bytes.isEmpty, "nothing before the widths are known") }
        }
        try writer.finish()
        #expect(writer.rowCount == rows.count)
        #expect(out.bytes == XLSXWriter.workbook(sheetName: "人员", columns: XLSXTests.columns, rows: rows))
        #expect(pieces > 5 && largest < XLSXWriter.flushBytes, "\(pieces) pieces, the largest \(largest) bytes")
        let table = try SheetFile.read(bytes: out.bytes, name: "people.xlsx")
        #expect(table.rows.count == rows.filter { $0.contains { !$0.isEmpty } }.count)
        #expect(table.rows.last?.fields["身份证号"] == String(370481199001010000 + 19_999))
    }

    /// Python's zipfile and XML parser accept every part (deflated, sizes in data descriptors); the text cells are
    /// inline strings, the header Chinese.
    @Test(.enabled(if: PythonOracle.available, "python3 is not installed"))
    func pythonParsesTheWorkbook() throws {
        let bytes = XLSXWriter.workbook(sheetName: "人员:名单", columns: XLSXTests.columns, rows: XLSXTests.rows)
        let script = """
        import sys, io, zipfile, json
        import xml.etree.ElementTree as ET
        z = zipfile.ZipFile(io.BytesIO(sys.stdin.buffer.read()))
        assert z.testzip() is None
        ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
        for n in z.namelist():
            ET.fromstring(z.read(n))  # every part is well-formed XML
        assert all(i.compress_type == zipfile.ZIP_DEFLATED and i.flag_bits & 8 for i in z.infolist())
        sheet = ET.fromstring(z.read("xl/worksheets/sheet1.xml"))
        cells = {c.get("r"): (c.get("t"), c.findtext("m:v", namespaces=ns), c.findtext("m:is/m:t", namespaces=ns)) for c in sheet.iter("{%s}c" % ns["m"])}
        wb = ET.fromstring(z.read("xl/workbook.xml"))
        print(json.dumps({"cells": cells, "sheet": wb.find("m:sheets/m:sheet", ns).get("name"), "names": z.namelist()}, ensure_ascii=False))
        """
        let out = try PythonOracle.run(script, stdin: Data(bytes))
        let json = try #require(try JSONSerialization.jsonObject(with: out) as? [String: Any])
        let cells = try #require(json["cells"] as? [String: [Any]])
        #expect(json["sheet"] as? String == "人员_名单")
        func text(_ ref: String) -> String? {
            guard let c = cells[ref], c.first as? String == "inlineStr" else { return nil }
            return c[2] as? String
        }
        #expect(text("A1") == "身份证号" && text("B1") == "姓名")
        #expect(text("A2") == "370481199001011234" && text("A3") == "37048119900101123X" && text("A4") == "007")
        #expect(text("C2") == "05371234567")
        #expect(text("F3") == "+86 537, \"老屋\"\n二号院")
        // Python's XML parser keeps &#13; as CR and leaves the OOXML escapes to the reader.
        #expect(text("F4") == "tab\there\r\nCRLF _x005F_x0041_ 𠀀 _x0001_")
    }

    /// A workbook as other programs write it, deflated by Python: inline and rich strings, phonetic
    /// guides, prefixed element names, dates by built-in and custom formats, booleans, formula results,
    /// cells without references, absolute relationship targets.
    @Test(.enabled(if: PythonOracle.available, "python3 is not installed"))
    func readsWorkbooksOthersWrite() throws {
        let main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
        let files: [(String, String)] = [
            ("[Content_Types].xml", "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"/>"),
            ("_rels/.rels", "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"r1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"/book/wb.xml\"/></Relationships>"),
            ("book/wb.xml", "<?xml version=\"1.0\"?><!-- made elsewhere --><x:workbook xmlns:x=\"\(main)\" xmlns:r=\"r\"><x:workbookPr date1904=\"1\"/><x:sheets><x:sheet name=\"隐藏\" sheetId=\"2\" state=\"hidden\" r:id=\"s2\"/><x:sheet name=\"名单\" sheetId=\"1\" r:id=\"s1\"/></x:sheets></x:workbook>"),
            ("book/_rels/wb.xml.rels", "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"s1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"sheets/../sheets/one.xml\"/><Relationship Id=\"s2\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"sheets/two.xml\"/><Relationship Id=\"st\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" Target=\"/book/st.xml\"/><Relationship Id=\"ss\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings\" Target=\"ss.xml\"/></Relationships>"),
            ("book/st.xml", "<styleSheet xmlns=\"\(main)\"><numFmts count=\"1\"><numFmt numFmtId=\"170\" formatCode=\"yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;\"/><numFmt numFmtId=\"171\" formatCode=\"[Red]0.00&quot;d&quot;\"/></numFmts><cellStyleXfs count=\"1\"><xf numFmtId=\"14\"/></cellStyleXfs><cellXfs count=\"4\"><xf numFmtId=\"0\"/><xf numFmtId=\"14\"/><xf numFmtId=\"170\"/><xf numFmtId=\"171\"/></cellXfs></styleSheet>"),
            ("book/ss.xml", "<sst xmlns=\"\(main)\"><si><t>姓名</t></si><si><r><rPr><b/></rPr><t>王</t></r><r><t xml:space=\"preserve\">秀英 </t></r><rPh sb=\"0\" eb=\"1\"><t>wang</t></rPh></si><si><t>行_x000D_二</t></si><si><t><![CDATA[<b>&]]></t></si></sst>"),
            ("book/sheets/one.xml", """
            <worksheet xmlns="\(main)"><sheetData>
              <row r="1"><c t="s"><v>0</v></c><c t="inlineStr"><is><t>日期</t></is></c><c t="inlineStr"><is><t>中式</t></is></c><c t="inlineStr"><is><t>真</t></is></c><c t="inlineStr"><is><t>公式</t></is></c><c t="inlineStr"><is><r><t>数</t></r><r><t>字</t></r></is></c></row>
              <row r="3"><c r="A3" t="s"><v>1</v></c><c r="B3" s="1"><v>0</v></c><c r="C3" s="2"><v>31869</v></c><c r="D3" t="b"><v>1</v></c><c r="E3" t="str"><f>A3&amp;"!"</f><v>王秀英 !</v></c><c r="F3" s="3"><v>13800000000</v></c></row>
              <row r="4"><c r="A4" t="s"><v>2</v></c><c r="F4"><v>1.5E-3</v></c><c r="E4" t="e"><v>#N/A</v></c></row>
              <row r="5" spans="1:6"></row>
              <row r="6"><c r="A6" t="s"><v>3</v></c><c r="F6"><v>-42.50</v></c></row>
            </sheetData></worksheet>
            """),
            ("book/sheets/two.xml", "<worksheet xmlns=\"\(main)\"><sheetData><row r=\"1\"><c t=\"inlineStr\"><is><t>wrong sheet</t></is></c></row></sheetData></worksheet>"),
        ]
        let bytes = try PythonOracle.zip(files.map { ($0.0, Array($0.1.utf8)) }, level: 6)
        let t = try SheetFile.read(bytes: bytes, name: "别人的.xlsx")
        #expect(t.header == ["姓名", "日期", "中式", "真", "公式", "数字"])
        #expect(t.rows.map(\.line) == [3, 4, 6])
        let r3 = t.rows[0].fields, r4 = t.rows[1].fields, r6 = t.rows[2].fields
        #expect(r3["姓名"] == "王秀英 ", "runs joined, the phonetic guide dropped")
        #expect(r3["日期"] == "1904-01-01", "serial 0 in the 1904 system")
        #expect(r3["中式"] == "1991-04-03", "a custom 年月日 format is a date (31869 in 1904 = 1991-04-03)")
        #expect(r3["真"] == "TRUE" && r3["公式"] == "王秀英 !")
        #expect(r3["数字"] == "13800000000", "a [Red]…\"d\" format is not a date; an integer has no .0")
        #expect(r4["姓名"] == "行\r二" && r4["数字"] == "0.0015" && r4["公式"] == "#N/A")
        #expect(r6["姓名"] == "<b>&" && r6["数字"] == "-42.50" && r6["日期"] == "")
    }

    @Test func refusesIDsStoredAsNumbersAndValuesOutsideTheHeader() throws {
        func sheet(_ rows: String) -> [UInt8] {
            ZipWriter.archive { z in
                try? z.add("xl/workbook.xml", Array("<workbook><sheets><sheet r:id=\"rId1\"/></sheets></workbook>".utf8))
                try? z.add("xl/_rels/workbook.xml.rels", Array("<Relationships><Relationship Id=\"rId1\" Type=\"x/worksheet\" Target=\"worksheets/sheet1.xml\"/></Relationships>".utf8))
                try? z.add("xl/worksheets/sheet1.xml", Array("<worksheet><sheetData>\(rows)</sheetData></worksheet>".utf8))
            }
        }
        let header = "<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>身份证号</t></is></c><c r=\"B1\" t=\"inlineStr\"><is><t>电话</t></is></c></row>"
        let ids = sheet(header + "<row r=\"2\"><c r=\"A2\"><v>3.70481199001011E+17</v></c><c r=\"B2\"><v>13800000000</v></c></row>"
                        + "<row r=\"7\"><c r=\"A7\"><v>370481199001011000</v></c></row>")
        let e = try #require(failure { _ = try SheetFile.read(bytes: ids, name: "a.xlsx") })
        #expect(e.code == .idAsNumber && e.line == 2)
        #expect(e.messageZH.contains("A2") && e.messageZH.contains("2 个单元格") && e.message.contains("Text"))
        let fine = sheet(header + "<row r=\"2\"><c r=\"A2\" t=\"inlineStr\"><is><t>370481199001011234</t></is></c><c r=\"B2\"><v>13800000000</v></c></row>")
        #expect(try SheetFile.read(bytes: fine, name: "a.xlsx").rows[0].fields == ["身份证号": "370481199001011234", "电话": "13800000000"])
        let wide = sheet(header + "<row r=\"2\"><c r=\"D2\" t=\"inlineStr\"><is><t>x</t></is></c></row>")
        let w = try #require(failure { _ = try SheetFile.read(bytes: wide, name: "a.xlsx") })
        #expect(w.code == .raggedRow && w.line == 2 && w.message.contains("column D"))
        var tiny = SheetLimits()
        tiny.maxCells = 3
        #expect(failure { _ = try SheetFile.read(bytes: fine, name: "a.xlsx", limits: tiny) }?.code == .tooLarge)
        let dtd = sheet("<!DOCTYPE x [<!ENTITY a \"aaaa\">]>")
        #expect(failure { _ = try SheetFile.read(bytes: dtd, name: "a.xlsx") }?.code == .damagedFile)
        #expect(failure { _ = try SheetFile.read(bytes: sheet("<row><c><v>1</v></row>"), name: "a.xlsx") }?.code == .damagedFile, "mismatched tags")
        #expect(failure { _ = try SheetFile.read(bytes: sheet(""), name: "a.xlsx") }?.code == .missingHeader)
    }

    @Test func notWorkbooks() throws {
        let docx = try ZipWriter.archive { z in try z.add("word/document.xml", Array("<w:document/>".utf8)) }
        let e = try #require(failure { _ = try SheetFile.read(bytes: docx, name: "letter.docx") })
        #expect(e.code == .notASpreadsheet && e.line == 0 && e.description.hasPrefix("the file is a ZIP"))
        let xls: [UInt8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1] + [UInt8](repeating: 0, count: 504)
        #expect(failure { _ = try SheetFile.read(bytes: xls, name: "old.xls") }?.code == .notASpreadsheet)
        #expect(failure { _ = try SheetFile.read(bytes: [0x50, 0x4B, 0x03, 0x04, 1, 2], name: "cut.xlsx") }?.code == .damagedFile)
    }

    @Test func dateSerials() {
        #expect(SheetDate.serial("1900-03-01") == 61)
        #expect(SheetDate.serial("1990-01-01") == 32874)
        #expect(SheetDate.serial("2000-01-01") == 36526)
        #expect(SheetDate.serial("1900-02-28") == nil, "the 1900 system numbers Jan–Feb 1900 wrongly: written as text")
        #expect(SheetDate.serial("2023-02-29") == nil && SheetDate.serial("1990-1-1") == nil && SheetDate.serial("１９９０-01-01") == nil)
        #expect(SheetDate.date(serial: 1, date1904: false) == "1900-01-01")
        #expect(SheetDate.date(serial: 60, date1904: false) == "1900-02-29")
        #expect(SheetDate.date(serial: 36526.75, date1904: false) == "2000-01-01", "the time of day is dropped")
        #expect(SheetDate.date(serial: 0, date1904: true) == "1904-01-01")
        #expect(SheetDate.date(serial: -1, date1904: false) == nil && SheetDate.date(serial: .nan, date1904: false) == nil)
        var day = SheetDate.daysFromCivil(1900, 3, 1)
        while day < SheetDate.daysFromCivil(2100, 1, 1) {
            let (y, m, d) = SheetDate.civil(fromDays: day)
            let text = String(format: "%04d-%02d-%02d", y, m, d)
            let serial = SheetDate.serial(text)
            #expect(serial.flatMap { SheetDate.date(serial: Double($0), date1904: false) } == text)
            day += 13
        }
    }

    @Test func ooxmlEscapesRoundTrip() {
        for s in ["_x0041_", "a_x000D_b", "_x_", "__x1234__", "\u{1}\u{1F}", "\u{FFFE}", "普通文本", "_xZZZZ_"] {
            let written = XLSXWriter.escape(s)
            #expect(XLSXReader.unescape(written.replacingOccurrences(of: "&#13;", with: "\r")
                .replacingOccurrences(of: "&amp;", with: "&")) == s, "\(s)")
        }
        #expect(XLSXWriter.columnName(0) == "A" && XLSXWriter.columnName(25) == "Z" && XLSXWriter.columnName(26) == "AA" && XLSXWriter.columnName(16383) == "XFD")
        #expect(XLSXReader.column(ofReference: "XFD1048576") == 16383 && XLSXReader.column(ofReference: "b7") == 1 && XLSXReader.column(ofReference: "7") == nil)
    }
}
