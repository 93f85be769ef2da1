import HamletProtocol

// Harness `framer`: LineFramer (Sources/HamletProtocol/LineFramer.swift).
// Invariants: the input whole, byte by byte and in input-derived chunks gives the same lines and
// fails (a line over the cap) after the same lines; no line holds a newline or exceeds the cap.

/// What a framer made of a stream: its lines, and whether it overflowed after them.
struct FramedStream: Equatable {
    var lines: [[UInt8]] = []
    var overflowed = false
}

/// Feeds `chunks` to a framer with cap `maxLine`, draining after each chunk.
/// - Parameters:
///   - chunks: the stream, in pieces.
///   - maxLine: the framer's cap.
/// - Returns: every line and whether the stream ended in an overflow.
func frame(_ chunks: [[UInt8]], maxLine: Int) -> FramedStream {
    var framer = LineFramer(maxLine: maxLine)
    var out = FramedStream()
    for chunk in chunks {
        framer.append(chunk)
        do {
            while let line = try framer.next() {
                fuzzCheck(!line.contains(10), "a line holds a newline")
                fuzzCheck(line.count <= maxLine, "a line of \(line.count) bytes passed the cap \(maxLine)")
                out.lines.append(line)
            }
        } catch {
            out.overflowed = true
            return out
        }
    }
    return out
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFramer(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = fuzzBytes(data, size)
    // The first byte picks a small cap, so overflows are reached; the rest is the stream.
    guard let first = bytes.first else { return 0 }
    let stream = Array(bytes.dropFirst())
    let maxLine = Int(first % 64) + 1
    let whole = frame([stream], maxLine: maxLine)
    let single = frame(stream.map { [$0] }, maxLine: maxLine)
    let chunked = frame(fuzzSplit(stream, fuzzChunks(bytes)), maxLine: maxLine)
    fuzzCheck(whole == single, "byte-by-byte framing differs from whole framing")
    fuzzCheck(whole == chunked, "chunked framing differs from whole framing")
    if !whole.overflowed {
        // Without an overflow the lines are exactly the stream's complete lines.
        let expected = stream.split(separator: 10, omittingEmptySubsequences: false).dropLast().map { line -> [UInt8] in
            line.last == 13 ? Array(line.dropLast()) : Array(line)
        }
        fuzzCheck(whole.lines == expected, "the lines are not the stream's lines")
    }
    return 0
}
