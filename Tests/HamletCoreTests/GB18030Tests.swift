import Foundation
import HamletTestSupport
import Testing
@testable import HamletCore

@Suite("GB18030 / GBK CSV")
struct GB18030Tests {
    /// `姓名,性别,身份证号 / 王秀英,女,37048119900101123X / "吕,淼",男,€` as Chinese Excel saves "CSV".
    static let gbkCSV: [UInt8] = [
        208, 213, 195, 251, 44, 208, 212, 177, 240, 44, 201, 237, 183, 221, 214, 164, 186, 197, 13, 10,
        205, 245, 208, 227, 211, 162, 44, 197, 174, 44, 51, 55, 48, 52, 56, 49, 49, 57, 57, 48, 48, 49, 48, 49, 49, 50, 51, 88, 13, 10,
        34, 194, 192, 44, 237, 181, 34, 44, 196, 208, 44, 162, 227, 13, 10,
    ]

    @Test func readsAGBKFile() throws {
        #expect(try SheetFile.format(bytes: GB18030Tests.gbkCSV, name: "名单.csv") == .csvGB18030)
        let t = try SheetFile.read(bytes: GB18030Tests.gbkCSV, name: "名单.csv")
        #expect(t.header == ["姓名", "性别", "身份证号"])
        #expect(t.rows.map(\.fields) == [["姓名": "王秀英", "性别": "女", "身份证号": "37048119900101123X"],
                                         ["姓名": "吕,淼", "性别": "男", "身份证号": "€"]])
        #expect(t.rows.map(\.line) == [2, 3])
        // UTF-8 stays UTF-8, with or without the byte-order mark.
        let utf8 = Array("姓名\n王秀英\n".utf8)
        #expect(try SheetFile.format(bytes: utf8, name: "a.csv") == .csvUTF8)
        #expect(try SheetFile.read(bytes: [0xEF, 0xBB, 0xBF] + utf8, name: "a.csv").rows.first?.fields["姓名"] == "王秀英")
    }

    @Test func refusesTextInNeitherEncoding() throws {
        for bad: [UInt8] in [[0x61, 0xFF, 0x0A], [0xD0], [0x81, 0x30, 0x81], [0x84, 0x31, 0xA5, 0x30], [0xE4, 0x30, 0x81, 0x30], [0x81, 0x7F],
                             Array("a,b\n".utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] })] {
            let e = try #require(failure { _ = try SheetFile.read(bytes: bad, name: "x.csv") }, "\(bad)")
            #expect(e.code == .invalidUTF8 && e.messageZH.contains("GBK"))
        }
        #expect(failure { _ = try SheetFile.read(bytes: [0x00, 0xFF], name: "x.xlsx") }?.code == .notASpreadsheet)
        #expect(GB18030.decode([0x80]) == "€", "0x80 is the euro sign in code page 936")
        #expect(GB18030.decode([0x81, 0x30, 0x81, 0x30]) == "\u{80}")
        #expect(GB18030.decode([0x84, 0x31, 0xA4, 0x39]) == "\u{FFFF}")
        #expect(GB18030.decode([0x90, 0x30, 0x81, 0x30]) == "\u{10000}")
        #expect(GB18030.decode([0xE3, 0x32, 0x9A, 0x35]) == "\u{10FFFF}")
    }

    /// Every two-byte code, every four-byte code of the BMP and a sweep of the supplementary planes,
    /// decoded by Python's own codec and by ours.
    @Test(.enabled(if: PythonOracle.available, "python3 is not installed"))
    func agreesWithPythonOnEveryCode() throws {
        let dir = TempDir("gb18030")
        defer { dir.remove() }
        let script = """
        import sys, os
        out = sys.argv[1]
        codes = []
        for lead in range(0x81, 0xFF):
            for trail in list(range(0x40, 0x7F)) + list(range(0x80, 0xFF)):
                codes.append(bytes([lead, trail]))
        for b1 in range(0x81, 0x85):
            for b2 in range(0x30, 0x3A):
                for b3 in range(0x81, 0xFF):
                    for b4 in range(0x30, 0x3A):
                        b = bytes([b1, b2, b3, b4])
                        try: b.decode("gb18030")
                        except UnicodeDecodeError: continue
                        codes.append(b)
        for cp in range(0x10000, 0x110000, 97):
            codes.append(chr(cp).encode("gb18030"))
        data = b"".join(codes) + bytes(range(0, 0x80))
        open(os.path.join(out, "gb"), "wb").write(data)
        open(os.path.join(out, "utf8"), "wb").write(data.decode("gb18030").encode("utf-8", "surrogatepass"))
        """
        try PythonOracle.run(script, [dir.path])
        let gb = [UInt8](try Data(contentsOf: URL(fileURLWithPath: dir.file("gb"))))
        let want = [UInt8](try Data(contentsOf: URL(fileURLWithPath: dir.file("utf8"))))
        let got = try #require(GB18030.decode(gb))
        #expect(Array(got.utf8).count == want.count)
        if let k = zip(Array(got.unicodeScalars), Array(String(decoding: want, as: UTF8.self).unicodeScalars)).enumerated().first(where: { $0.element.0 != $0.element.1 }) {
            Issue.record("first difference at character \(k.offset): U+\(String(k.element.0.value, radix: 16)) against Python's U+\(String(k.element.1.value, radix: 16))")
        }
        #expect(Array(got.utf8) == want)
    }

    @Test func foundationAgreesOnCommonText() throws {
        // Full Foundation converts GB18030 through ICU (HamletCore cannot import it): a second opinion.
        let gb18030 = String.Encoding(rawValue: 0x8000_0632)
        let text = "姓名,性别,民族,身份证号,现住址\r\n王秀英,女,汉族,37048119900101123X,山东省龙口市北赵村三组\r\n吕淼,男,回族,,黑龙江省\r\n"
        let bytes = try #require(text.data(using: gb18030))
        #expect(GB18030.decode([UInt8](bytes)) == text)
    }
}
