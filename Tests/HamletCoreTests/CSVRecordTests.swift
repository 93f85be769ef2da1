import HamletCore
import Testing

/// `CSV.appendRecord`, the streaming writers' encoder: record by record it gives `CSV.encode`'s bytes.
struct CSVRecordTests {
    static let rows: [[String]] = [["id", "姓名"], ["\u{FEFF}x", "a,b"], [""], ["'=1", " 张三 "], ["\"q\"", "line\nbreak"]]

    @Test(arguments: [true, false])
    func recordByRecordEqualsEncode(bom: Bool) {
        var out: [UInt8] = bom ? [0xEF, 0xBB, 0xBF] : []
        for row in Self.rows { CSV.appendRecord(row, lineEnding: [13, 10], atDocumentStart: out.isEmpty, to: &out) }
        #expect(out == Array(CSV.encode(Self.rows, bom: bom).utf8))
    }

    @Test func byteOrderMarkRuleOnlyAtTheDocumentStart() {
        var start: [UInt8] = []
        CSV.appendRecord(["\u{FEFF}x"], lineEnding: [10], atDocumentStart: true, to: &start)
        #expect(start == Array("\"\u{FEFF}x\"\n".utf8), "read back, a leading U+FEFF would vanish as a byte-order mark")
        var middle: [UInt8] = []
        CSV.appendRecord(["\u{FEFF}x"], lineEnding: [10], atDocumentStart: false, to: &middle)
        #expect(middle == Array("\u{FEFF}x\n".utf8), "after a flush the buffer is empty, but the document is not")
    }
}
