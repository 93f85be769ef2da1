@testable import HamletCore

// Harness `xlsx`: XLSXReader with ZipReader, Inflate, XMLScanner underneath (Sources/HamletCore/Sheet/),
// entered through SheetFile as an import is. Limits are small so the zip-bomb and size caps are reachable.
// Invariants: no more rows, columns or cells than the caps; every record is as wide as the header; the
// records written back by XLSXWriter (all text columns) read back to the same cells.

/// Caps small enough for the fuzzer to reach, large enough for the seed workbooks.
let fuzzSheetLimits: SheetLimits = {
    var l = SheetLimits()
    l.maxEntries = 64
    l.maxEntryBytes = 1 << 20
    l.maxTotalBytes = 4 << 20
    l.maxRows = 2_000
    l.maxColumns = 64
    l.maxCells = 20_000
    return l
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzXLSX(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = fuzzBytes(data, size)
    guard let records = try? XLSXReader.records(bytes: bytes, limits: fuzzSheetLimits) else {
        _ = try? SheetFile.read(bytes: bytes, name: "fuzz.xlsx", limits: fuzzSheetLimits)
        return 0
    }
    fuzzCheck(records.count <= fuzzSheetLimits.maxRows, "more rows than the cap")
    guard let header = records.first?.fields else { return 0 }
    fuzzCheck(header.count <= fuzzSheetLimits.maxColumns, "more columns than the cap")
    for r in records { fuzzCheck(r.fields.count == header.count, "a record not as wide as the header") }
    let columns = header.map { XLSXWriter.Column($0, .text) }
    let written = XLSXWriter.workbook(sheetName: "fuzz", columns: columns, rows: records.dropFirst().map(\.fields))
    do {
        let again = try XLSXReader.records(bytes: written, limits: fuzzSheetLimits)
        let before = records.map { $0.fields.map { Array($0.utf8) } }
        let after = again.map { $0.fields.map { Array($0.utf8) } }
        fuzzCheck(after == before, "records written back read differently")
    } catch {
        fuzzCheck(false, "records written back do not read: \(error.code.rawValue)")
    }
    return 0
}
