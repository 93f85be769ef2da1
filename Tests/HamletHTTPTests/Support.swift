import HamletHTTP

#if canImport(Glibc)
import Glibc
#endif

/// SplitMix64: a small seeded generator so failures can be replayed from the printed seed.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D4_9B3A_4B7D_C7E5
        return z ^ (z >> 31)
    }
}

/// The seed for randomized tests: `HAMLET_TEST_SEED` if set, otherwise fresh. Printed either way.
func testSeed(_ label: String) -> UInt64 {
    var seed = UInt64.random(in: 0...UInt64.max)
    if let text = readEnvironment("HAMLET_TEST_SEED"), let value = UInt64(text) {
        seed = value
    }
    print("\(label): seed \(seed) (replay with HAMLET_TEST_SEED=\(seed))")
    return seed
}

private func readEnvironment(_ name: String) -> String? {
    // CommandLine offers no environment without Foundation; the tests may use Glibc.
    #if canImport(Glibc)
    guard let value = getenv(name) else { return nil }
    return String(cString: value)
    #else
    return nil
    #endif
}

/// Feeds `bytes` in the given chunk sizes, draining `next()` after each append,
/// and returns every result except `.needMore`, plus a final `.needMore` if the
/// parser was left waiting.
func parse(_ bytes: [UInt8], chunks: [Int], limits: HTTPLimits = HTTPLimits()) -> [HTTPRequestParser.Result] {
    var parser = HTTPRequestParser(limits: limits)
    var results: [HTTPRequestParser.Result] = []
    var offset = 0
    var chunkIndex = 0
    var failed = false
    while offset < bytes.count, !failed {
        let size = max(1, chunks.isEmpty ? bytes.count : chunks[chunkIndex % chunks.count])
        chunkIndex += 1
        let end = min(bytes.count, offset + size)
        parser.append(bytes[offset..<end])
        offset = end
        drain: while true {
            let result = parser.next()
            switch result {
            case .needMore:
                break drain
            case .request:
                results.append(result)
            case .failure:
                results.append(result)
                failed = true
                break drain
            }
        }
    }
    if !failed, parser.next() == .needMore, parser.hasPartialRequest {
        results.append(.needMore)
    }
    return results
}

func parseWhole(_ text: String, limits: HTTPLimits = HTTPLimits()) -> [HTTPRequestParser.Result] {
    parse(Array(text.utf8), chunks: [], limits: limits)
}

extension HTTPRequestParser.Result {
    var request: HTTPRequest? {
        if case .request(let request) = self { return request }
        return nil
    }

    var error: HTTPParseError? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
