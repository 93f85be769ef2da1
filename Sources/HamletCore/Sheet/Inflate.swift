/// Why a DEFLATE stream could not be decoded.
package enum InflateError: Error, Sendable, Equatable {
    /// The stream breaks RFC 1951 (a bad block type, an impossible code, a distance too far back, a cut-off end).
    case invalid(String)
    /// The output would exceed the caller's limit (`limit` bytes).
    case tooLarge(limit: Int)
}

/// A raw DEFLATE decoder (RFC 1951): stored, fixed-Huffman and dynamic-Huffman blocks.
///
/// Pure and bounded: the output never grows past `limit`, so a zip bomb costs at most
/// `limit` bytes of memory before it is refused. Huffman codes are decoded through
/// one lookup table per code, indexed by the next `maxLength` bits of the stream;
/// incomplete codes are allowed (RFC 1951 allows a one-code distance tree) but reading
/// an unassigned code is an error, and over-subscribed codes are refused when built.
package enum Inflate {
    /// Decodes a raw DEFLATE stream (no zlib or gzip header).
    /// - Parameters:
    ///   - input: the compressed bytes; bytes after the final block are ignored.
    ///   - limit: the most output allowed.
    ///   - expectedSize: the output size, when known, to reserve memory once (capped by `limit`).
    /// - Returns: the decompressed bytes.
    /// - Throws: `InflateError.invalid` for a malformed or truncated stream,
    ///   `InflateError.tooLarge` when the output would pass `limit`.
    package static func inflate(_ input: [UInt8], limit: Int, expectedSize: Int = 0) throws(InflateError) -> [UInt8] {
        var state = Inflater(input: input, limit: limit)
        state.output.reserveCapacity(min(max(expectedSize, input.count), limit))
        try state.run()
        return state.output
    }
}

/// A canonical Huffman code as a direct lookup table: entry = symbol << 4 | length (0: unassigned).
struct HuffmanTable {
    var entries: [UInt16]
    var maxLength: Int

    /// Builds the table from the code length of each symbol (0: unused).
    /// - Parameter lengths: one length (0...15) per symbol.
    /// - Throws: `InflateError.invalid` when the lengths over-subscribe the code space.
    init(lengths: [UInt8]) throws(InflateError) {
        var count = [Int](repeating: 0, count: 16)
        for l in lengths { count[Int(l)] += 1 }
        count[0] = 0
        var left = 1
        for len in 1...15 {
            left = (left << 1) - count[len]
            guard left >= 0 else { throw .invalid("over-subscribed Huffman code") }
        }
        maxLength = max(1, (1...15).last { count[$0] > 0 } ?? 1)
        var next = [Int](repeating: 0, count: 16)
        var code = 0
        for len in 1...15 {
            code = (code + count[len - 1]) << 1
            next[len] = code
        }
        entries = [UInt16](repeating: 0, count: 1 << maxLength)
        for (symbol, l) in lengths.enumerated() where l > 0 {
            let len = Int(l)
            let c = next[len]
            next[len] += 1
            // Codes are sent most significant bit first; the bit reader delivers least significant first.
            var reversed = 0
            for i in 0..<len where c & (1 << i) != 0 { reversed |= 1 << (len - 1 - i) }
            let entry = UInt16(symbol << 4 | len)
            var k = reversed
            while k < entries.count {
                entries[k] = entry
                k += 1 << len
            }
        }
    }
}

/// The decoder's state: the bit reader over the input, and the output so far.
struct Inflater {
    let input: [UInt8]
    let limit: Int
    var position = 0
    var bitBuffer: UInt64 = 0
    var bitCount = 0
    var output: [UInt8] = []

    init(input: [UInt8], limit: Int) {
        self.input = input
        self.limit = limit
    }

    static let lengthBase: [Int] = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31,
                                    35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258]
    static let lengthExtra: [Int] = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2,
                                     3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
    static let distanceBase: [Int] = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193,
                                      257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145,
                                      8193, 12289, 16385, 24577]
    static let distanceExtra: [Int] = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6,
                                       7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13]
    /// The order in which code-length code lengths are sent.
    static let codeLengthOrder: [Int] = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]

    /// The fixed codes of block type 1, built once.
    static let fixedTables: (HuffmanTable, HuffmanTable) = {
        var lit = [UInt8](repeating: 8, count: 288)
        for i in 144..<256 { lit[i] = 9 }
        for i in 256..<280 { lit[i] = 7 }
        let dist = [UInt8](repeating: 5, count: 30)
        do {
            return (try HuffmanTable(lengths: lit), try HuffmanTable(lengths: dist))
        } catch {
            preconditionFailure("the fixed Huffman codes of RFC 1951 are complete")
        }
    }()

    /// Tops the bit buffer up to at least 57 bits, or to the end of the input.
    mutating func refill() {
        while bitCount <= 56, position < input.count {
            bitBuffer |= UInt64(input[position]) << UInt64(bitCount)
            position += 1
            bitCount += 8
        }
    }

    /// Takes `n` (0...32) bits, least significant first.
    mutating func bits(_ n: Int) throws(InflateError) -> Int {
        if bitCount < n { refill() }
        guard bitCount >= n else { throw .invalid("the stream ends early") }
        let v = Int(bitBuffer & ((1 << UInt64(n)) - 1))
        bitBuffer >>= UInt64(n)
        bitCount -= n
        return v
    }

    /// Decodes one symbol with `table`.
    mutating func symbol(_ table: HuffmanTable) throws(InflateError) -> Int {
        if bitCount < table.maxLength { refill() }
        let entry = Int(table.entries[Int(bitBuffer & ((1 << UInt64(table.maxLength)) - 1))])
        let len = entry & 15
        guard len > 0 else { throw .invalid("an unassigned Huffman code") }
        guard len <= bitCount else { throw .invalid("the stream ends early") }
        bitBuffer >>= UInt64(len)
        bitCount -= len
        return entry >> 4
    }

    /// Decodes blocks until the final one.
    mutating func run() throws(InflateError) {
        var final = false
        while !final {
            final = try bits(1) == 1
            switch try bits(2) {
            case 0: try stored()
            case 1: try codes(Inflater.fixedTables.0, Inflater.fixedTables.1)
            case 2:
                let (lit, dist) = try dynamicTables()
                try codes(lit, dist)
            default: throw .invalid("block type 3 is reserved")
            }
        }
    }

    /// A stored block: byte-aligned LEN, NLEN, then LEN bytes as they are.
    mutating func stored() throws(InflateError) {
        _ = try bits(bitCount % 8)
        let len = try bits(16)
        let nlen = try bits(16)
        guard len == ~nlen & 0xFFFF else { throw .invalid("a stored block's length check fails") }
        guard output.count + len <= limit else { throw .tooLarge(limit: limit) }
        var left = len
        while left > 0, bitCount > 0 {
            output.append(UInt8(try bits(8)))
            left -= 1
        }
        guard position + left <= input.count else { throw .invalid("the stream ends early") }
        output.append(contentsOf: input[position..<position + left])
        position += left
    }

    /// Reads the code lengths of a dynamic block and builds its two tables.
    mutating func dynamicTables() throws(InflateError) -> (HuffmanTable, HuffmanTable) {
        let nlit = try bits(5) + 257
        let ndist = try bits(5) + 1
        let nclen = try bits(4) + 4
        guard nlit <= 286, ndist <= 30 else { throw .invalid("too many literal/length or distance codes") }
        var clen = [UInt8](repeating: 0, count: 19)
        for i in 0..<nclen { clen[Inflater.codeLengthOrder[i]] = UInt8(try bits(3)) }
        let clTable = try HuffmanTable(lengths: clen)
        var lengths: [UInt8] = []
        lengths.reserveCapacity(nlit + ndist)
        while lengths.count < nlit + ndist {
            let sym = try symbol(clTable)
            switch sym {
            case 0...15:
                lengths.append(UInt8(sym))
            case 16:
                guard let previous = lengths.last else { throw .invalid("a repeat with nothing to repeat") }
                let n = 3 + (try bits(2))
                lengths.append(contentsOf: repeatElement(previous, count: n))
            case 17:
                lengths.append(contentsOf: repeatElement(0, count: 3 + (try bits(3))))
            default:
                lengths.append(contentsOf: repeatElement(0, count: 11 + (try bits(7))))
            }
        }
        guard lengths.count == nlit + ndist else { throw .invalid("code lengths run past the table") }
        guard lengths[256] != 0 else { throw .invalid("no end-of-block code") }
        return (try HuffmanTable(lengths: Array(lengths[0..<nlit])),
                try HuffmanTable(lengths: Array(lengths[nlit...])))
    }

    /// Decodes literals and back-references until end-of-block.
    mutating func codes(_ lit: HuffmanTable, _ dist: HuffmanTable) throws(InflateError) {
        while true {
            let sym = try symbol(lit)
            if sym < 256 {
                guard output.count < limit else { throw .tooLarge(limit: limit) }
                output.append(UInt8(sym))
                continue
            }
            if sym == 256 { return }
            let li = sym - 257
            guard li < 29 else { throw .invalid("an invalid length code") }
            let length = Inflater.lengthBase[li] + (try bits(Inflater.lengthExtra[li]))
            let di = try symbol(dist)
            guard di < 30 else { throw .invalid("an invalid distance code") }
            let distance = Inflater.distanceBase[di] + (try bits(Inflater.distanceExtra[di]))
            guard distance <= output.count else { throw .invalid("a distance reaches before the start") }
            guard output.count + length <= limit else { throw .tooLarge(limit: limit) }
            var from = output.count - distance
            // Byte by byte: the source may overlap what is being written (a run).
            for _ in 0..<length {
                output.append(output[from])
                from += 1
            }
        }
    }
}
