import HamletHTTP
import Testing

@Suite("HTTP parser robustness")
struct HTTPFuzzTests {
    static let seeds: [String] = [
        HTTPRequestParserTests.get,
        HTTPRequestParserTests.post,
        HTTPRequestParserTests.post + HTTPRequestParserTests.get,
        "GET / HTTP/1.0\n\n",
        "POST /a?b=%E5%BC%A0 HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nConnection: close\r\n\r\nx=1&y",
    ]

    static let interesting: [[UInt8]] = [
        Array("\r\n".utf8), Array("\n".utf8), Array(" ".utf8), Array(":".utf8), Array("%".utf8),
        Array("%E5".utf8), Array("HTTP/1.1".utf8), Array("Content-Length: 9999999\r\n".utf8),
        Array("Transfer-Encoding: chunked\r\n".utf8), Array("Host: x\r\n".utf8), [0], [0xff], [0x0d],
        Array("\r\n\r\n".utf8), Array("?".utf8), Array("#".utf8), Array("张".utf8),
    ]

    /// Drives the parser to quiescence and checks its invariants.
    static func exercise(_ bytes: [UInt8], chunks: [Int], limits: HTTPLimits) {
        var parser = HTTPRequestParser(limits: limits)
        var offset = 0
        var chunkIndex = 0
        var consumedRequests = 0
        while offset < bytes.count {
            let end = min(bytes.count, offset + max(1, chunks[chunkIndex % chunks.count]))
            chunkIndex += 1
            parser.append(bytes[offset..<end])
            offset = end
            var steps = 0
            drain: while true {
                steps += 1
                // Each request consumes at least one byte, so the loop is bounded.
                guard steps <= bytes.count + 2 else {
                    Issue.record("parser did not settle on \(bytes)")
                    return
                }
                let before = parser.bufferedByteCount
                switch parser.next() {
                case .needMore:
                    // Never buffer beyond what one request may take, plus the chunk.
                    #expect(parser.bufferedByteCount <= limits.maxHeaderBytes + limits.maxBodyBytes + limits.maxTargetLength + 200)
                    break drain
                case .request(let request):
                    consumedRequests += 1
                    #expect(parser.bufferedByteCount < before)
                    #expect(request.body.count <= limits.maxBodyBytes)
                    #expect(request.headers.count <= limits.maxHeaderCount)
                    #expect(request.target.utf8.count <= limits.maxTargetLength)
                case .failure(let error):
                    #expect([400, 413, 414, 431, 501, 505].contains(error.status))
                    #expect(parser.next() == .failure(error))
                    return
                }
            }
        }
        _ = consumedRequests
    }

    @Test func randomBytesNeverCrash() {
        let seed = testSeed("randomBytesNeverCrash")
        var rng = SeededGenerator(seed: seed)
        let limits = HTTPLimits(maxHeaderBytes: 256, maxHeaderCount: 8, maxBodyBytes: 64, maxTargetLength: 64)
        let alphabet = Array("GETPOST /?%=&+:HTP1.0\r\n \tabcz张".utf8)
        for _ in 0..<5_000 {
            let length = Int.random(in: 0...400, using: &rng)
            let useAlphabet = Bool.random(using: &rng)
            let bytes: [UInt8] = (0..<length).map { _ in
                useAlphabet
                    ? alphabet[Int.random(in: 0..<alphabet.count, using: &rng)]
                    : UInt8.random(in: 0...255, using: &rng)
            }
            let chunks = (0..<4).map { _ in Int.random(in: 1...64, using: &rng) }
            Self.exercise(bytes, chunks: chunks, limits: limits)
            Self.exercise(bytes, chunks: [bytes.count + 1], limits: HTTPLimits())
        }
    }

    @Test func mutatedRequestsNeverCrash() {
        let seed = testSeed("mutatedRequestsNeverCrash")
        var rng = SeededGenerator(seed: seed)
        let small = HTTPLimits(maxHeaderBytes: 300, maxHeaderCount: 6, maxBodyBytes: 48, maxTargetLength: 80)
        for _ in 0..<5_000 {
            var bytes = Array(Self.seeds[Int.random(in: 0..<Self.seeds.count, using: &rng)].utf8)
            for _ in 0..<Int.random(in: 1...6, using: &rng) {
                let position = Int.random(in: 0...bytes.count, using: &rng)
                switch Int.random(in: 0..<5, using: &rng) {
                case 0 where position < bytes.count:
                    bytes[position] = UInt8.random(in: 0...255, using: &rng)
                case 1 where position < bytes.count:
                    bytes.remove(at: position)
                case 2:
                    let piece = Self.interesting[Int.random(in: 0..<Self.interesting.count, using: &rng)]
                    bytes.insert(contentsOf: piece, at: position)
                case 3 where position < bytes.count:
                    bytes.removeSubrange(position..<min(bytes.count, position + Int.random(in: 1...20, using: &rng)))
                default:
                    let length = Int.random(in: 0...30, using: &rng)
                    bytes.insert(contentsOf: (0..<length).map { _ in UInt8.random(in: 0...255, using: &rng) }, at: position)
                }
            }
            let chunks = (0..<4).map { _ in Int.random(in: 1...32, using: &rng) }
            Self.exercise(bytes, chunks: chunks, limits: HTTPLimits())
            Self.exercise(bytes, chunks: chunks, limits: small)
            // Chunking must not change what the parser concludes.
            #expect(parse(bytes, chunks: chunks) == parse(bytes, chunks: []), "seed \(seed)")
        }
    }
}
