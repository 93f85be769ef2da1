import HamletHTTP
import Testing

/// A streamed response's head and chunk framing.
struct BodyStreamTests {
    private func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    @Test func streamedHeadIsChunkedWithoutLengthOrBody() {
        let r = HTTPResponse(status: 200, headers: [("Content-Type", "text/csv"), ("Content-Length", "5")],
                             stream: HTTPBodyStream { write in try write(Array("hello".utf8)) })
        let head = text(r.encode(keepAlive: true))
        #expect(head == "HTTP/1.1 200 OK\r\nContent-Type: text/csv\r\nTransfer-Encoding: chunked\r\nConnection: keep-alive\r\n\r\n")
        let closeDelimited = text(r.encode(keepAlive: false, chunked: false))
        #expect(closeDelimited == "HTTP/1.1 200 OK\r\nContent-Type: text/csv\r\nConnection: close\r\n\r\n")
    }

    @Test func chunksAreHexSizedAndTheLastIsZero() {
        #expect(text(HTTPBodyStream.chunk(Array("abc".utf8))) == "3\r\nabc\r\n")
        #expect(text(HTTPBodyStream.chunk([UInt8](repeating: 65, count: 300))).hasPrefix("12c\r\n"))
        #expect(HTTPBodyStream.chunk([]).isEmpty, "an empty chunk would end the body")
        #expect(text(HTTPBodyStream.lastChunk) == "0\r\n\r\n")
    }

    @Test(arguments: [1, 3, 64, 1000])
    func bytesStreamWritesEveryByteInPieces(pieceSize: Int) throws {
        let body = (0..<1000).map { UInt8($0 % 251) }
        var pieces: [[UInt8]] = []
        try HTTPBodyStream.bytes(body, pieceSize: pieceSize).produce { pieces.append($0) }
        #expect(pieces.flatMap { $0 } == body)
        #expect(pieces.allSatisfy { $0.count <= pieceSize })
    }
}
