import Testing
@testable import HamletCore

@Suite("CSV")
struct CSVTests {
    @Test func plainLFAndCRLF() throws {
        #expect(try CSV.parse("a,b\n1,2\n") == [["a", "b"], ["1", "2"]])
        #expect(try CSV.parse("a,b\r\n1,2\r\n") == [["a", "b"], ["1", "2"]])
        #expect(try CSV.parse("a,b\r1,2") == [["a", "b"], ["1", "2"]])
        // No final line end, and a trailing blank line.
        #expect(try CSV.parse("a,b\n1,2") == [["a", "b"], ["1", "2"]])
        #expect(try CSV.parse("a,b\n1,2\n\n") == [["a", "b"], ["1", "2"]])
        #expect(try CSV.parse("") == [])
        #expect(try CSV.parse("\n\r\n") == [])
    }

    @Test func emptyFields() throws {
        #expect(try CSV.parse("a,b,c\n,,\n") == [["a", "b", "c"], ["", "", ""]])
        #expect(try CSV.parse("a,b\n1,") == [["a", "b"], ["1", ""]])
        #expect(try CSV.parse("a,\"\"\n") == [["a", ""]])
    }

    @Test func byteOrderMark() throws {
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("姓名,性别\r\n王秀英,F\r\n".utf8)
        #expect(try CSV.parse(bytes: bytes) == [["姓名", "性别"], ["王秀英", "F"]])
        #expect(try CSV.parse("\u{FEFF}a\n1\n") == [["a"], ["1"]])
        let table = try CSVTable.read(bytes: bytes)
        #expect(table.header == ["姓名", "性别"])
        #expect(table.rows.first?.fields["姓名"] == "王秀英")
        #expect(CSV.encode([["a"]], bom: true).utf8.starts(with: [0xEF, 0xBB, 0xBF]))
    }

    @Test func quotedCommasQuotesAndNewlines() throws {
        let text = "name,detail\r\n\"王, 秀英\",\"他说\"\"好\"\"\"\r\n李四,\"第一行\r\n第二行\nthird\"\r\n"
        let rows = try CSV.parse(text)
        #expect(rows == [["name", "detail"], ["王, 秀英", "他说\"好\""], ["李四", "第一行\r\n第二行\nthird"]])
        // A quote inside an unquoted field is literal.
        #expect(try CSV.parse("a\nx\"y\n") == [["a"], ["x\"y"]])
    }

    @Test func recordStartLines() throws {
        let text = "id,detail\n1,\"one\ntwo\nthree\"\n2,plain\n\n3,\"a\r\nb\"\r\n4,end"
        let table = try CSVTable.read(text)
        #expect(table.rows.map(\.line) == [2, 5, 7, 9])
        #expect(table.rows.map { $0.fields["id"] ?? "?" } == ["1", "2", "3", "4"])
        #expect(table.rows[0].fields["detail"] == "one\ntwo\nthree")
    }

    @Test func raggedRowNamesItsLine() {
        #expect(throws: CSVError.self) { try CSV.parse("a,b\n1,2\n1,2,3\n") }
        do {
            _ = try CSV.parse("a,b\n\"x\ny\",2\n1\n")
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .raggedRow)
            #expect(error.line == 4)
        }
        do {
            _ = try CSVTable.read("a,b\n1,2\n\"multi\nline\",2,3\n")
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .raggedRow)
            #expect(error.line == 3)
            #expect(!error.messageZH.isEmpty)
        }
    }

    @Test func unterminatedQuoteNamesTheLineItOpens() {
        do {
            _ = try CSV.parse("a,b\n1,2\n3,\"open\nmore\nstill\n")
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .unterminatedQuote)
            #expect(error.line == 3)
        }
    }

    @Test func textAfterClosingQuote() {
        do {
            _ = try CSV.parse("a\n\"x\"y\n")
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .textAfterQuote)
            #expect(error.line == 2)
        }
    }

    @Test func invalidUTF8NamesTheLine() {
        // 王 in GBK (CDF5) is not UTF-8.
        let bytes: [UInt8] = Array("a,b\n1,2\n".utf8) + [0xCD, 0xF5] + Array(",3\n".utf8)
        do {
            _ = try CSV.parse(bytes: bytes)
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .invalidUTF8)
            #expect(error.line == 3)
        }
        // Overlong, surrogate and truncated sequences.
        for bad: [UInt8] in [[0xC0, 0x80], [0xED, 0xA0, 0x80], [0xE4, 0xB8], [0xF4, 0x90, 0x80, 0x80], [0xFF]] {
            #expect(CSV.firstInvalidUTF8(bad, from: 0) == 0)
        }
        #expect(CSV.firstInvalidUTF8(Array("王秀英😀é".utf8), from: 0) == nil)
    }

    @Test func headerProblems() {
        do { _ = try CSVTable.read(""); Issue.record("expected an error") } catch { #expect(error.code == .missingHeader) }
        do { _ = try CSVTable.read("a,,b\n"); Issue.record("expected an error") } catch { #expect(error.code == .emptyHeaderField) }
        do { _ = try CSVTable.read("\n\na, a \n"); Issue.record("expected an error") } catch {
            #expect(error.code == .duplicateHeaderField)
            #expect(error.line == 3)
        }
    }

    @Test func encodeQuotesOnlyWhenNeeded() {
        let rows = [["plain", "a,b", "say \"hi\"", "two\nlines", " lead", "trail ", "=1+2", "王秀英", ""], [""]]
        let text = CSV.encode(rows, bom: false, lineEnding: "\n")
        #expect(text == "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",\" lead\",\"trail \",=1+2,王秀英,\n\"\"\n")
        #expect(CSV.encode([["a", "b"]], bom: false) == "a,b\r\n")
    }

    @Test func tableEncodeReadsBack() throws {
        let table = CSVTable(header: ["id", "name"], rows: [(2, ["id": "1", "name": "王\n五"]), (4, ["id": "2"])])
        let back = try CSVTable.read(table.encoded(bom: true))
        #expect(back.header == ["id", "name"])
        #expect(back.rows.map(\.line) == [2, 4])
        #expect(back.rows[0].fields["name"] == "王\n五")
        #expect(back.rows[1].fields["name"] == "")
    }

    @Test func randomRoundTrip() throws {
        let seed = UInt64(20_260_101)
        print("CSV round-trip seed: \(seed)")
        var rng = SeedRandom(seed: seed)
        let pieces = ["王", "秀英", "李家营", "a", "Z", "0", " ", "\u{3000}", ",", "\"", "\"\"", "\n", "\r\n", "\r",
                      "=SUM(A1)", "-", "@", "'", "😀", "é", "\t", "北赵村三组12号", ""]
        for lineEnding in ["\r\n", "\n"] {
            for bom in [false, true] {
                var rows: [[String]] = []
                let width = rng.int(1...6)
                for _ in 0..<1_000 {
                    var row: [String] = []
                    for _ in 0..<width {
                        var f = ""
                        for _ in 0..<rng.int(0...5) { f += rng.pick(pieces) }
                        row.append(f)
                    }
                    rows.append(row)
                }
                let text = CSV.encode(rows, bom: bom, lineEnding: lineEnding)
                #expect(try CSV.parse(text) == rows, "seed \(seed)")
                #expect(try CSV.parse(bytes: Array(text.utf8)) == rows, "seed \(seed)")
            }
        }
    }
}
