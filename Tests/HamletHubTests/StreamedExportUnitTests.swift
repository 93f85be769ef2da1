import Foundation
import HamletCore
import HamletHTTP
@testable import HamletHub
import HamletNet
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

    @Test func http10GetsACloseDelimitedBodyAndHTTP11KeepsTheConnection() throws {
        let f = try WebFixture()
        let store = try f.scenario.openStore()
        let people = try #require(store.schema.table(named: "people"))
        let expected = Array(RegisterExport.csv(people, try store.rows(table: "people"), labels: true).utf8)
        store.close()
        // HTTP/1.0: no chunked framing; the body ends when the hub closes the connection.
        let old = try ClientSocket.connect(to: f.web, timeout: .seconds(5))
        defer { old.close() }
        try old.write(Array("GET /export/people.csv HTTP/1.0\r\nHost: \(f.web)\r\n\r\n".utf8), deadline: WebClient.deadline())
        var all: [UInt8] = []
        while true {
            let chunk = try old.read(upTo: 65536, deadline: WebClient.deadline())
            if chunk.isEmpty { break }
            all += chunk
        }
        let end = try #require(WebClient.find([13, 10, 13, 10], in: all))
        let head = String(decoding: all[0..<end], as: UTF8.self).lowercased()
        #expect(head.hasPrefix("http/1.1 200") && head.contains("connection: close"))
        #expect(!head.contains("transfer-encoding") && !head.contains("content-length"))
        #expect(Array(all[(end + 4)...]) == expected)
        // HTTP/1.1 keep-alive: the chunked export, then another request on the same connection.
        let socket = try ClientSocket.connect(to: f.web, timeout: .seconds(5))
        defer { socket.close() }
        for path in ["/export/people.csv", "/export/people.csv?codes=1"] {
            try socket.write(Array("GET \(path) HTTP/1.1\r\nHost: \(f.web)\r\n\r\n".utf8), deadline: WebClient.deadline())
            let r = try WebClient.readResponse(socket)
            #expect(r.status == 200 && r.header("Transfer-Encoding") == "chunked")
            #expect(r.header("Connection") == "keep-alive")
            if path == "/export/people.csv" { #expect(r.body == expected) }
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
