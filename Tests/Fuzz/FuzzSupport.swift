// Shared by every harness in Tests/Fuzz: compiled into each fuzz binary beside one harness file
// (scripts/fuzz). Not a SwiftPM target.

/// Stops the run with a message when an invariant fails; libFuzzer reports the trap as a crash and
/// saves the input.
/// - Parameters:
///   - condition: the invariant.
///   - message: what broke, printed before the trap (never the input itself: it is in the crash file).
func fuzzCheck(_ condition: Bool, _ message: @autoclosure () -> String, file: StaticString = #fileID, line: UInt = #line) {
    if !condition { fatalError("fuzz invariant failed: \(message())", file: file, line: line) }
}

/// The bytes libFuzzer hands over, as an array.
/// - Parameters:
///   - data: the input's first byte (nil when empty).
///   - size: its length.
/// - Returns: a copy of the input.
func fuzzBytes(_ data: UnsafePointer<UInt8>?, _ size: Int) -> [UInt8] {
    guard let data, size > 0 else { return [] }
    return Array(UnsafeBufferPointer(start: data, count: size))
}

/// Chunk sizes (1…16) derived from the input itself, so a crash file replays the same chunking.
/// - Parameter bytes: the input.
/// - Returns: a repeating pattern of chunk lengths.
func fuzzChunks(_ bytes: [UInt8]) -> [Int] {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325  // FNV-1a over the input
    for b in bytes {
        h ^= UInt64(b)
        h = h &* 0x100_0000_01b3
    }
    var sizes: [Int] = []
    for _ in 0..<7 {
        sizes.append(Int(h % 16) + 1)
        h = h &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
    }
    return sizes
}

/// Splits bytes into consecutive slices by a repeating list of lengths.
/// - Parameters:
///   - bytes: what to split.
///   - sizes: chunk lengths, used in turn (each at least 1).
/// - Returns: the slices, in order; joined they are `bytes`.
func fuzzSplit(_ bytes: [UInt8], _ sizes: [Int]) -> [[UInt8]] {
    var out: [[UInt8]] = []
    var i = 0
    var k = 0
    while i < bytes.count {
        let end = min(bytes.count, i + max(1, sizes[k % sizes.count]))
        out.append(Array(bytes[i..<end]))
        i = end
        k += 1
    }
    return out
}
