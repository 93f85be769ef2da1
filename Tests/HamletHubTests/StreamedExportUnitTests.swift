import Foundation
import HamletCore
import HamletHTTP
@testable import HamletHub
import HamletStore
import Testing

/// The streamed CSV export gives `RegisterExport.csv`'s bytes at every buffer size, with the store's rows read one
/// at a time; a sink that fails stops the export.
@Suite(.serialized)
struct StreamedExportUnitTests {
    @Test(arguments: [1, 7, 100, 1 << 16])
    func writerGivesTheWholeFileBytesAtAnyFlushSize(flushBytes: Int) throws {
        let f = try WebFixture()
        let store = try f.scenario.openStore()
        defer { store.close() }
        for table in store.schema.tables {
            for labels in [true, false] {
                var streamed: [UInt8] = []
                var pieces = 0
                var writer = RegisterCSVWriter(table: table, labels: labels, flushBytes: flushBytes) { streamed += $0; pieces += 1 }
                try store.forEachExportRow(table: table.name, includeDeleted: true) { id, values in
                    try writer.append(id: id, values: values)
                }
                try writer.finish()
                let whole = RegisterExport.csv(table, try store.rows(table: table.name, includeDeleted: true), labels: labels)
                #expect(streamed == Array(whole.utf8), "\(table.name) labels=\(labels) flush=\(flushBytes)")
                #expect(writer.bytesWritten == streamed.count)
                if flushBytes == 1 { #expect(pieces == max(1, writer.rowCount), "one piece per record, the header with the first") }
            }
        }
    }

    @Test func aFailingSinkStopsTheRead() throws {
        struct Closed: Error {}
        let f = try WebFixture()
        let store = try f.scenario.openStore()
        defer { store.close() }
        let people = try #require(store.schema.table(named: "people"))
        var seen = 0
        var writer = RegisterCSVWriter(table: people, labels: false, flushBytes: 1) { _ in throw Closed() }
        #expect(throws: Closed.self) {
            try store.forEachExportRow(table: "people") { id, values in
                seen += 1
                try writer.append(id: id, values: values)
            }
        }
        #expect(seen == 1)
        #expect(throws: OperatorError.self) { try store.forEachExportRow(table: "nothing") { _, _ in } }
    }
}
