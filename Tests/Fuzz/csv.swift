import HamletCore

// Harness `csv`: the CSV codec and CSVTable (Sources/HamletCore/CSV/CSV.swift), and SheetFile's text path
// (UTF-8 or GB18030 detection, Sources/HamletCore/Sheet/SheetFile.swift, GB18030.swift).
// Invariants: encode(parse(x)) parses to the same records, byte for byte, with either line ending and
// with a byte-order mark; a table that reads writes back to one that reads to the same header and rows.

/// Records as bytes, so the comparison is exact (String == is canonical equivalence).
func exact(_ rows: [[String]]) -> [[[UInt8]]] { rows.map { $0.map { Array($0.utf8) } } }

/// A table's header and rows as exact bytes (line numbers left out: blank lines move them).
func exact(_ table: CSVTable) -> [[[UInt8]]] {
    [table.header.map { Array($0.utf8) }] + table.rows.map { r in table.header.map { Array((r.fields[$0] ?? "").utf8) } }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCSV(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = fuzzBytes(data, size)
    if let rows = try? CSV.parse(bytes: bytes) {
        for (bom, end) in [(false, "\r\n"), (true, "\n")] {
            let text = CSV.encode(rows, bom: bom, lineEnding: end)
            do {
                let again = try CSV.parse(text)
                fuzzCheck(exact(again) == exact(rows), "encode → parse changed the records (bom \(bom))")
            } catch {
                fuzzCheck(false, "encoded records do not parse: \(error.code.rawValue)")
            }
        }
    }
    // The sheet reader's text path; an xlsx signature belongs to the xlsx harness.
    guard !bytes.starts(with: [0x50, 0x4B]), let table = try? SheetFile.read(bytes: bytes, name: "fuzz.csv") else { return 0 }
    do {
        let again = try CSVTable.read(table.encoded(bom: true))
        fuzzCheck(exact(again) == exact(table), "a table written back reads differently")
    } catch {
        fuzzCheck(false, "a table written back does not read: \(error.code.rawValue)")
    }
    return 0
}
