import Testing
@testable import HamletCore

/// Inputs `scripts/fuzz` found (issue 16 item 7), kept as plain tests: each failed before its fix.
/// The inputs themselves are also in `Tests/Fuzz/corpus/<harness>/`, so the fuzzer starts from them.
@Suite("Fuzz regressions (Core)")
struct FuzzRegressionTests {
    /// csv harness: a first field that begins with U+FEFF after the file's own byte-order mark.
    /// `encode(…, bom: false)` wrote it bare, so it read back as a byte-order mark and was stripped.
    @Test("a first field beginning with U+FEFF survives encode and parse, with and without a byte-order mark",
          arguments: [false, true])
    func leadingBOMInFirstField(bom: Bool) throws {
        let file: [UInt8] = [0xEF, 0xBB, 0xBF, 0xEF, 0xBB, 0xBF] + Array("name,note\r\n张丽,x\r\n".utf8)
        let rows = try CSV.parse(bytes: file)
        #expect(rows[0][0].unicodeScalars.first == "\u{FEFF}", "one mark is the file's, the other the field's")
        let again = try CSV.parse(CSV.encode(rows, bom: bom))
        #expect(again.map { $0.map { Array($0.utf8) } } == rows.map { $0.map { Array($0.utf8) } })
    }

}
