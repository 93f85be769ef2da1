import HamletHTTP
import Testing

/// Inputs `scripts/fuzz` found in the HTTP parser (issue 16 item 7), kept as plain tests. The raw inputs are in
/// `Tests/Fuzz/corpus/http/regression-…`.
@Suite("Fuzz regressions (HTTP)")
struct HTTPFuzzRegressionTests {
    /// Every result of a parser fed `bytes` in chunks of `size`, draining after each chunk.
    static func results(_ bytes: [UInt8], chunk size: Int, limits: HTTPLimits) -> [HTTPRequestParser.Result] {
        var parser = HTTPRequestParser(limits: limits)
        var out: [HTTPRequestParser.Result] = []
        var i = 0
        while i < bytes.count {
            parser.append(bytes[i..<min(bytes.count, i + size)])
            i += size
            drain: while true {
                let r = parser.next()
                switch r {
                case .needMore: break drain
                case .request: out.append(r)
                case .failure: out.append(r); return out
                }
            }
        }
        return out
    }

    /// http harness: a request line longer than the target cap plus its slack (here a 200-byte method). Fed whole,
    /// the complete head was accepted; fed in pieces, the unfinished line broke the cap and was refused.
    @Test("a request line over the cap is refused whether it arrives whole or in pieces", arguments: [1, 7, 100, 10_000])
    func longRequestLineSameEveryChunking(chunk: Int) {
        let limits = HTTPLimits(maxHeaderBytes: 512, maxHeaderCount: 8, maxBodyBytes: 256, maxTargetLength: 128)
        let request = Array((String(repeating: "E", count: 200) + " /A HTTP/1.1\r\nHost: h\r\n\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n").utf8)
        let got = Self.results(request, chunk: chunk, limits: limits)
        #expect(got == [.failure(HTTPParseError(.malformedRequestLine))], "chunks of \(chunk): \(got)")
    }
}
