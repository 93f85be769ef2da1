/// An incremental SHA-256 hasher (FIPS 180-4).
///
/// Feed bytes with ``update(_:)-(UnsafeRawBufferPointer)`` in as many pieces as
/// convenient, then read the 32-byte digest with ``finalize()``. The state lives
/// inline (no heap storage), so the compression loop allocates nothing.
///
/// ```swift
/// var hasher = SHA256()
/// hasher.update("abc")
/// let digest = hasher.finalize()   // ba7816bf…
/// ```
///
/// `finalize()` does not change the hasher: calling it, then `update(_:)` again,
/// continues the same message.
public struct SHA256: Sendable {
    /// The length of a digest in bytes (32).
    public static let digestByteCount = 32

    /// The length of a compression block in bytes (64).
    public static let blockByteCount = 64

    private var state: InlineArray<8, UInt32>
    private var block: InlineArray<64, UInt8>
    private var blockFill: Int
    private var messageByteCount: UInt64

    /// Creates a hasher for an empty message.
    public init() {
        state = [
            0x6a09_e667, 0xbb67_ae85, 0x3c6e_f372, 0xa54f_f53a,
            0x510e_527f, 0x9b05_688c, 0x1f83_d9ab, 0x5be0_cd19,
        ]
        block = InlineArray(repeating: 0)
        blockFill = 0
        messageByteCount = 0
    }

    /// Appends raw bytes to the message.
    ///
    /// - Parameter bytes: The bytes to hash; the buffer is only read during the call.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        let count = bytes.count
        messageByteCount &+= UInt64(count)
        var offset = 0

        if blockFill > 0 {
            let take = min(Self.blockByteCount - blockFill, count)
            let fill = blockFill
            withUnsafeMutableBytes(of: &block) { $0.baseAddress.unsafelyUnwrapped.advanced(by: fill).copyMemory(from: base, byteCount: take) }
            blockFill += take
            offset = take
            guard blockFill == Self.blockByteCount else { return }
            let full = block
            withUnsafeBytes(of: full) { raw in
                guard let blockBase = raw.baseAddress else { return }
                Self.compress(&state, blocks: blockBase, count: 1)
            }
            blockFill = 0
        }

        let wholeBlocks = (count - offset) / Self.blockByteCount
        if wholeBlocks > 0 {
            Self.compress(&state, blocks: base + offset, count: wholeBlocks)
            offset += wholeBlocks * Self.blockByteCount
        }

        let rest = count - offset
        if rest > 0 {
            withUnsafeMutableBytes(of: &block) { $0.baseAddress.unsafelyUnwrapped.copyMemory(from: base + offset, byteCount: rest) }
        }
        blockFill = rest
    }

    /// Appends bytes from any collection to the message.
    ///
    /// Contiguous collections (`[UInt8]`, `ArraySlice<UInt8>`, `String.UTF8View`
    /// of a native string) are hashed in place; others are copied byte by byte.
    ///
    /// - Parameter bytes: The bytes to hash.
    public mutating func update(_ bytes: some Collection<UInt8>) {
        let handled: Void? = bytes.withContiguousStorageIfAvailable { buffer in
            update(UnsafeRawBufferPointer(buffer))
        }
        guard handled == nil else { return }
        var chunk = InlineArray<64, UInt8>(repeating: 0)
        var fill = 0
        for byte in bytes {
            chunk[fill] = byte
            fill += 1
            if fill == Self.blockByteCount {
                let full = chunk
                withUnsafeBytes(of: full) { update($0) }
                fill = 0
            }
        }
        if fill > 0 {
            let partial = chunk
            withUnsafeBytes(of: partial) { update(UnsafeRawBufferPointer(rebasing: $0[0..<fill])) }
        }
    }

    /// Appends the UTF-8 encoding of a string to the message.
    ///
    /// - Parameter string: The text to hash, encoded as UTF-8 without a terminator.
    public mutating func update(_ string: String) {
        var copy = string
        copy.withUTF8 { update(UnsafeRawBufferPointer($0)) }
    }

    /// Appends one length-framed element, `<decimal byte count>:<tag><bytes>`, without allocating: the framing
    /// the change hash and the row digest use (PROTOCOL §10). `tag` (0 = none) is one ASCII byte counted in the
    /// length, so `updateFramed("abc", tag: "t")` hashes the same bytes as `"4:tabc"`.
    public mutating func updateFramed(_ string: String, tag: UInt8 = 0) {
        var copy = string
        copy.withUTF8 { utf8 in
            writeFrameHeader(count: utf8.count + (tag == 0 ? 0 : 1), tag: tag)
            update(UnsafeRawBufferPointer(utf8))
        }
    }

    /// Appends one length-framed decimal integer, `<length>:<tag><digits>`, without allocating.
    public mutating func updateFramed(_ value: Int64, tag: UInt8 = 0) {
        var digits = InlineArray<24, UInt8>(repeating: 0)
        var n = 0
        var magnitude = value.magnitude
        repeat {
            digits[23 &- n] = UInt8(truncatingIfNeeded: 48 &+ magnitude % 10)
            magnitude /= 10
            n &+= 1
        } while magnitude > 0
        if value < 0 {
            digits[23 &- n] = 45   // '-'
            n &+= 1
        }
        writeFrameHeader(count: n + (tag == 0 ? 0 : 1), tag: tag)
        withUnsafeBytes(of: digits) { update(UnsafeRawBufferPointer(rebasing: $0[(24 &- n)...])) }
    }

    private mutating func writeFrameHeader(count: Int, tag: UInt8) {
        var header = InlineArray<24, UInt8>(repeating: 0)
        var n = 0
        var rest = count
        repeat {
            header[21 &- n] = UInt8(truncatingIfNeeded: 48 &+ rest % 10)
            rest /= 10
            n &+= 1
        } while rest > 0
        header[22] = 58   // ':'
        header[23] = tag
        let length = tag == 0 ? n &+ 1 : n &+ 2
        withUnsafeBytes(of: header) { update(UnsafeRawBufferPointer(rebasing: $0[(22 &- n)..<(22 &- n &+ length)])) }
    }

    /// Returns the digest of everything fed so far.
    ///
    /// The hasher itself is unchanged, so more bytes may follow.
    ///
    /// - Returns: The 32-byte SHA-256 digest.
    public func finalize() -> [UInt8] {
        var copy = self
        let bitLength = messageByteCount &* 8
        var padding = InlineArray<72, UInt8>(repeating: 0)
        padding[0] = 0x80
        // Pad to 56 mod 64, then the 64-bit big-endian bit length.
        let zeroCount = (Self.blockByteCount + 55 - blockFill) % Self.blockByteCount
        let padLength = 1 + zeroCount + 8
        for i in 0..<8 {
            padding[1 + zeroCount + i] = UInt8(truncatingIfNeeded: bitLength >> (56 - 8 * UInt64(i)))
        }
        let pad = padding
        withUnsafeBytes(of: pad) { raw in
            copy.update(UnsafeRawBufferPointer(rebasing: raw[0..<padLength]))
        }
        var digest = [UInt8](repeating: 0, count: Self.digestByteCount)
        for i in 0..<8 {
            let word = copy.state[i]
            digest[4 * i] = UInt8(truncatingIfNeeded: word >> 24)
            digest[4 * i + 1] = UInt8(truncatingIfNeeded: word >> 16)
            digest[4 * i + 2] = UInt8(truncatingIfNeeded: word >> 8)
            digest[4 * i + 3] = UInt8(truncatingIfNeeded: word)
        }
        return digest
    }

    /// Hashes a whole message at once.
    ///
    /// - Parameter bytes: The message.
    /// - Returns: The 32-byte SHA-256 digest.
    public static func hash(_ bytes: [UInt8]) -> [UInt8] {
        var hasher = SHA256()
        hasher.update(bytes)
        return hasher.finalize()
    }

    /// Hashes the UTF-8 encoding of a string.
    ///
    /// - Parameter string: The message, encoded as UTF-8.
    /// - Returns: The 32-byte SHA-256 digest.
    public static func hash(_ string: String) -> [UInt8] {
        var hasher = SHA256()
        hasher.update(string)
        return hasher.finalize()
    }

    // MARK: - Compression

    private static let roundConstants: InlineArray<64, UInt32> = [
        0x428a_2f98, 0x7137_4491, 0xb5c0_fbcf, 0xe9b5_dba5, 0x3956_c25b, 0x59f1_11f1, 0x923f_82a4, 0xab1c_5ed5,
        0xd807_aa98, 0x1283_5b01, 0x2431_85be, 0x550c_7dc3, 0x72be_5d74, 0x80de_b1fe, 0x9bdc_06a7, 0xc19b_f174,
        0xe49b_69c1, 0xefbe_4786, 0x0fc1_9dc6, 0x240c_a1cc, 0x2de9_2c6f, 0x4a74_84aa, 0x5cb0_a9dc, 0x76f9_88da,
        0x983e_5152, 0xa831_c66d, 0xb003_27c8, 0xbf59_7fc7, 0xc6e0_0bf3, 0xd5a7_9147, 0x06ca_6351, 0x1429_2967,
        0x27b7_0a85, 0x2e1b_2138, 0x4d2c_6dfc, 0x5338_0d13, 0x650a_7354, 0x766a_0abb, 0x81c2_c92e, 0x9272_2c85,
        0xa2bf_e8a1, 0xa81a_664b, 0xc24b_8b70, 0xc76c_51a3, 0xd192_e819, 0xd699_0624, 0xf40e_3585, 0x106a_a070,
        0x19a4_c116, 0x1e37_6c08, 0x2748_774c, 0x34b0_bcb5, 0x391c_0cb3, 0x4ed8_aa4a, 0x5b9c_ca4f, 0x682e_6ff3,
        0x748f_82ee, 0x78a5_636f, 0x84c8_7814, 0x8cc7_0208, 0x90be_fffa, 0xa450_6ceb, 0xbef9_a3f7, 0xc671_78f2,
    ]

    @inline(__always)
    private static func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 {
        (x >> n) | (x << (32 - n))
    }

    /// Runs the compression function over `count` consecutive 64-byte blocks.
    private static func compress(_ state: inout InlineArray<8, UInt32>, blocks: UnsafeRawPointer, count: Int) {
        let k = roundConstants
        var h0 = state[0], h1 = state[1], h2 = state[2], h3 = state[3]
        var h4 = state[4], h5 = state[5], h6 = state[6], h7 = state[7]
        var w = InlineArray<64, UInt32>(repeating: 0)
        for blockIndex in 0..<count {
            let p = blocks + blockIndex &* 64
            for t in 0..<16 {
                w[t] = UInt32(bigEndian: p.loadUnaligned(fromByteOffset: t &* 4, as: UInt32.self))
            }
            for t in 16..<64 {
                let x = w[t &- 15], y = w[t &- 2]
                let s0 = rotr(x, 7) ^ rotr(x, 18) ^ (x >> 3)
                let s1 = rotr(y, 17) ^ rotr(y, 19) ^ (y >> 10)
                w[t] = w[t &- 16] &+ s0 &+ w[t &- 7] &+ s1
            }
            var a = h0, b = h1, c = h2, d = h3, e = h4, f = h5, g = h6, h = h7
            for t in 0..<64 {
                let s1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)
                let ch = (e & f) ^ (~e & g)
                let t1 = h &+ s1 &+ ch &+ k[t] &+ w[t]
                let s0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)
                let maj = (a & b) ^ (a & c) ^ (b & c)
                let t2 = s0 &+ maj
                h = g; g = f; f = e; e = d &+ t1
                d = c; c = b; b = a; a = t1 &+ t2
            }
            h0 &+= a; h1 &+= b; h2 &+= c; h3 &+= d
            h4 &+= e; h5 &+= f; h6 &+= g; h7 &+= h
        }
        state = [h0, h1, h2, h3, h4, h5, h6, h7]
    }
}
