/// A streaming raw DEFLATE encoder (RFC 1951) with fixed Huffman codes, for the xlsx writer's ZIP entries.
///
/// Greedy LZ77 over a 32 KiB window (a hash of three bytes, chains followed `maxChain` deep), each call's input
/// sent as one fixed-Huffman block (BTYPE 01), so a caller feeds any number of pieces and memory stays at the
/// window plus one piece. Fixed codes need no tables in the stream: the spreadsheet XML this packs is so
/// repetitive that matches, not literal statistics, carry the gain (about 10× on a register's sheet).
/// `Inflate.inflate(Deflater.deflate(x)) == x` for every input; the output is deterministic.
///
/// ```swift
/// var d = Deflater()
/// var out = d.compress(pieceA)
/// out += d.compress(pieceB)
/// out += d.finish()
/// ```
package struct Deflater {
    private static let windowSize = 1 << 15
    private static let hashSize = 1 << 15
    private static let minMatch = 3
    private static let maxMatch = 258
    /// How many earlier positions with the same hash are tried per match.
    private let maxChain: Int

    /// Input not yet encoded, behind up to `windowSize` bytes already encoded (the history matches reach into).
    private var buffer: [UInt8] = []
    /// The absolute stream position of `buffer[0]`.
    private var base = 0
    /// The absolute position of the first byte not yet encoded.
    private var next = 0
    /// Per hash, the latest absolute position + 1 with it (0: none).
    private var head = [Int](repeating: 0, count: Deflater.hashSize)
    /// Per position modulo the window, the previous absolute position + 1 with the same hash.
    private var prev = [Int](repeating: 0, count: Deflater.windowSize)
    private var bits = BitSink()

    /// Makes an encoder.
    /// - Parameter maxChain: how deep each match search goes (more packs tighter, runs slower).
    package init(maxChain: Int = 16) {
        self.maxChain = max(1, maxChain)
    }

    /// Compresses a whole buffer.
    /// - Parameter bytes: the data.
    /// - Returns: the raw DEFLATE stream.
    package static func deflate(_ bytes: [UInt8]) -> [UInt8] {
        var d = Deflater()
        return d.compress(bytes) + d.finish()
    }

    /// Encodes one more piece as a non-final block.
    /// - Parameter input: the next bytes (may be empty: then nothing is written).
    /// - Returns: the compressed bytes completed so far (a few bits may wait for the next call).
    package mutating func compress(_ input: [UInt8]) -> [UInt8] {
        guard !input.isEmpty else { return [] }
        buffer += input
        bits.put(0b010, 3)  // BFINAL 0, BTYPE 01 (fixed Huffman)
        encodePending()
        bits.putLiteral(256)
        slideWindow()
        return bits.take()
    }

    /// Ends the stream with an empty final block.
    /// - Returns: the last bytes.
    package mutating func finish() -> [UInt8] {
        bits.put(0b011, 3)  // BFINAL 1, BTYPE 01
        bits.putLiteral(256)
        bits.flushPartialByte()
        return bits.take()
    }

    /// Encodes every byte from `next` to the end of the buffer.
    private mutating func encodePending() {
        let end = base + buffer.count
        var p = next
        let bytes = buffer  // no copy: only read below, while `self`'s tables change
        bytes.withUnsafeBufferPointer { b in
            while p < end {
                let (length, distance) = longestMatch(b, at: p, end: end)
                if length >= Self.minMatch {
                    bits.putMatch(length: length, distance: distance)
                    for q in p..<min(p + length, end - Self.minMatch + 1) { insert(b, q) }
                    p += length
                } else {
                    bits.putLiteral(Int(b[p - base]))
                    if p + Self.minMatch <= end { insert(b, p) }
                    p += 1
                }
            }
        }
        next = p
    }

    private func hash(_ b: UnsafeBufferPointer<UInt8>, _ p: Int) -> Int {
        let i = p - base
        return (Int(b[i]) << 10 ^ Int(b[i + 1]) << 5 ^ Int(b[i + 2])) & (Self.hashSize - 1)
    }

    private mutating func insert(_ b: UnsafeBufferPointer<UInt8>, _ p: Int) {
        let h = hash(b, p)
        prev[p & (Self.windowSize - 1)] = head[h]
        head[h] = p + 1
    }

    /// The longest earlier match for the bytes at `p` within the window, or length 0.
    private func longestMatch(_ b: UnsafeBufferPointer<UInt8>, at p: Int, end: Int) -> (Int, Int) {
        guard p + Self.minMatch <= end else { return (0, 0) }
        let limit = min(Self.maxMatch, end - p)
        var best = 0, bestDistance = 0
        var candidate = head[hash(b, p)] - 1
        var chain = maxChain
        let i = p - base
        while candidate >= 0, candidate >= base, p - candidate <= Self.windowSize, chain > 0 {
            let j = candidate - base
            if b[j + best] == b[i + best] {
                var n = 0
                while n < limit, b[j + n] == b[i + n] { n += 1 }
                if n > best {
                    best = n
                    bestDistance = p - candidate
                    if n == limit { break }
                }
            }
            let older = prev[candidate & (Self.windowSize - 1)] - 1
            guard older < candidate else { break }  // a slot reused by a newer position: the chain ends here
            candidate = older
            chain -= 1
        }
        return (best, bestDistance)
    }

    /// Drops history older than the window, keeping the buffer at most one window plus one piece.
    private mutating func slideWindow() {
        let keepFrom = max(base, next - Self.windowSize)
        guard keepFrom - base >= Self.windowSize else { return }
        buffer.removeFirst(keepFrom - base)
        base = keepFrom
    }
}

/// Bits written least significant first (RFC 1951 §3.1.1), with the fixed Huffman codes of §3.2.6.
private struct BitSink {
    private var out: [UInt8] = []
    private var word: UInt64 = 0
    private var count = 0

    mutating func put(_ value: Int, _ n: Int) {
        word |= UInt64(value) << UInt64(count)
        count += n
        while count >= 8 {
            out.append(UInt8(truncatingIfNeeded: word))
            word >>= 8
            count -= 8
        }
    }

    mutating func putLiteral(_ symbol: Int) {
        put(Int(FixedCodes.literal[symbol]), Int(FixedCodes.literalLength[symbol]))
    }

    mutating func putMatch(length: Int, distance: Int) {
        let l = Int(FixedCodes.lengthSymbol[length])
        putLiteral(257 + l)
        if FixedCodes.lengthExtra[l] > 0 { put(length - Int(FixedCodes.lengthBase[l]), Int(FixedCodes.lengthExtra[l])) }
        let d = FixedCodes.distanceCode(distance)
        put(Int(FixedCodes.distance[d]), 5)
        if FixedCodes.distanceExtra[d] > 0 { put(distance - Int(FixedCodes.distanceBase[d]), Int(FixedCodes.distanceExtra[d])) }
    }

    mutating func flushPartialByte() {
        if count > 0 { put(0, 8 - count) }
    }

    mutating func take() -> [UInt8] {
        defer { out.removeAll(keepingCapacity: true) }
        return out
    }
}

/// The fixed literal/length and distance codes, bit-reversed for an LSB-first stream, and the length and
/// distance bases and extra bits (RFC 1951 §3.2.5).
private enum FixedCodes {
    static let lengthBase: [UInt16] = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83,
                                       99, 115, 131, 163, 195, 227, 258]
    static let lengthExtra: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
    static let distanceBase: [UInt16] = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769,
                                         1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577]
    static let distanceExtra: [UInt8] = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11,
                                         12, 12, 13, 13]

    /// Per match length 0...258, its index into `lengthBase` (258 is its own code, 285).
    static let lengthSymbol: [UInt8] = (0...258).map { n in
        guard n >= 3 else { return 0 }
        return n == 258 ? 28 : UInt8(lengthBase.lastIndex { Int($0) <= n } ?? 0)
    }

    /// The distance code of a distance 1...32768.
    static func distanceCode(_ d: Int) -> Int {
        var lo = 0, hi = distanceBase.count - 1
        while lo < hi {  // the last base ≤ d
            let mid = (lo + hi + 1) / 2
            if Int(distanceBase[mid]) <= d { lo = mid } else { hi = mid - 1 }
        }
        return lo
    }

    static func reversed(_ code: Int, _ n: Int) -> Int {
        var r = 0
        for k in 0..<n where code & (1 << k) != 0 { r |= 1 << (n - 1 - k) }
        return r
    }

    static let literalLength: [UInt8] = (0..<288).map { s in s < 144 ? 8 : s < 256 ? 9 : s < 280 ? 7 : 8 }
    static let literal: [UInt16] = (0..<288).map { s in
        let code = s < 144 ? 0x30 + s : s < 256 ? 0x190 + s - 144 : s < 280 ? s - 256 : 0xC0 + s - 280
        return UInt16(reversed(code, Int(literalLength[s])))
    }
    static let distance: [UInt8] = (0..<30).map { UInt8(reversed($0, 5)) }
}
