import HamletHTTP

// Harness `http`: HTTPRequestParser (Sources/HamletHTTP/HTTPRequestParser.swift), with small limits so
// every cap is reachable, plus the form and query decoders on what it returns.
// Invariants: the stream whole and in input-derived chunks gives the same requests, then fails in both or neither;
// a failure is sticky; each request respects every cap; a form that decodes re-encodes to one that
// decodes to the same pairs.

/// Caps small enough for the fuzzer to reach each one.
let fuzzLimits = HTTPLimits(maxHeaderBytes: 512, maxHeaderCount: 8, maxBodyBytes: 256, maxTargetLength: 128,
                            uploadPaths: ["/upload"], maxUploadBodyBytes: 1024)

/// Everything a parser returned for a stream.
struct ParsedStream: Equatable {
    var requests: [HTTPRequest] = []
    var failure: HTTPParseError?
}

/// Feeds `chunks` to a fresh parser, taking every request after each chunk.
/// - Parameter chunks: the stream, in pieces.
/// - Returns: the requests and the failure that ended the stream, if one did.
func parseStream(_ chunks: [[UInt8]]) -> ParsedStream {
    var parser = HTTPRequestParser(limits: fuzzLimits)
    var out = ParsedStream()
    for chunk in chunks {
        parser.append(chunk)
        while true {
            let before = parser.bufferedByteCount
            switch parser.next() {
            case .needMore:
                // A complete head is taken off the buffer while the body is awaited, so only growth is wrong.
                fuzzCheck(parser.bufferedByteCount <= before, "needMore grew the buffer")
            case .request(let request):
                fuzzCheck(parser.bufferedByteCount < before, "a request consumed nothing")
                checkCaps(request)
                out.requests.append(request)
                continue
            case .failure(let error):
                fuzzCheck(parser.next() == .failure(error), "a failure did not stick")
                out.failure = error
                return out
            }
            break
        }
    }
    return out
}

/// Checks the caps on one request and round-trips its form.
/// - Parameter request: a request the parser returned.
func checkCaps(_ request: HTTPRequest) {
    let bodyCap = fuzzLimits.uploadPaths.contains(request.path) ? fuzzLimits.maxUploadBodyBytes : fuzzLimits.maxBodyBytes
    fuzzCheck(request.body.count <= bodyCap, "a body over its cap")
    fuzzCheck(request.headers.count <= fuzzLimits.maxHeaderCount, "more headers than the cap")
    fuzzCheck(request.target.utf8.count <= fuzzLimits.maxTargetLength, "a target over its cap")
    if let pairs = request.form {
        let again = FormCoding.decode(Array(FormCoding.encode(pairs).utf8))
        fuzzCheck(again.map { $0.map { [$0.0, $0.1] } } == pairs.map { [$0.0, $0.1] }, "form encode → decode changed the pairs")
    }
    _ = FormCoding.decode(query: request.target)
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHTTP(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = fuzzBytes(data, size)
    let whole = parseStream([bytes])
    let chunked = parseStream(fuzzSplit(bytes, fuzzChunks(bytes)))
    // The failure's code may differ: a partial head can show only that a cap is broken (414 for a long
    // target) where the whole head shows first that its request line is malformed (400).
    fuzzCheck(whole.requests == chunked.requests && (whole.failure == nil) == (chunked.failure == nil),
              "chunked parsing differs from whole parsing: \(whole.requests.count) requests then "
              + "\(whole.failure.map { "\($0.code)" } ?? "nothing") whole, \(chunked.requests.count) then "
              + "\(chunked.failure.map { "\($0.code)" } ?? "nothing") chunked by \(fuzzChunks(bytes))")
    return 0
}
