import Foundation
import Testing
@testable import HamletCore

@Suite struct JSONTests {
    @Test(arguments: ["{}", "[]", "null", "true", "-12", "3.5e2", "\"a\\u00e9\\n\\\"\"", "{\"a\":[1,{\"b\":null}]}", " [ 1 , 2 ] ",
                      "\"\\ud83d\\ude00\"", "\"张丽\""])
    func parsesValidJSON(text: String) throws {
        _ = try JSONReader.parse(Array(text.utf8))
    }

    @Test(arguments: ["", "{", "[1,]", "{\"a\" 1}", "01", "-", "1.", "\"\u{1}\"", "\"\\x\"", "tru", "[1] 2", "\"\\ud800\"", "{\"a\":1,}"])
    func refusesInvalidJSON(text: String) {
        #expect(throws: JSONReader.Failure.self) { _ = try JSONReader.parse(Array(text.utf8)) }
    }

    @Test func depthIsCapped() {
        let deep = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        #expect(throws: JSONReader.Failure.self) { _ = try JSONReader.parse(Array(deep.utf8)) }
    }

    /// Random field maps written by JSONWriter read back equal, and agree with Foundation's reading.
    @Test func writerAndReaderRoundTripAndAgreeWithFoundation() throws {
        var seed: UInt64 = 20261123
        print("JSONTests seed \(seed)")
        func next() -> UInt64 { seed = seed &* 6364136223846793005 &+ 1442695040888963407; return seed >> 33 }
        let alphabet: [Character] = ["a", "张", "丽", "\"", "\\", "\n", "\r", "\t", "\u{1}", "/", "😀", " ", ",", "é"]
        for _ in 0..<500 {
            var f: Fields = [:]
            for k in 0..<Int(next() % 6) {
                switch next() % 3 {
                case 0: f["k\(k)"] = .null
                case 1: f["k\(k)"] = .integer(Int64(bitPattern: next() << 20) / 3)
                default: f["k\(k)"] = .text(String((0..<Int(next() % 12)).map { _ in alphabet[Int(next() % UInt64(alphabet.count))] }))
                }
            }
            var w = JSONWriter()
            w.fields(f)
            let parsed = try JSONReader.parse(w.bytes)
            var back: Fields = [:]
            for (k, v) in parsed.object ?? [:] { back[k] = v.fieldValue }
            #expect(back == f)
            let viaFoundation = try JSONDecoder().decode(Fields.self, from: Data(w.bytes))
            #expect(viaFoundation == f)
        }
    }
}
