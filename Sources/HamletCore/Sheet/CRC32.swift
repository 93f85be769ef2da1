/// CRC-32 as ZIP, gzip and PNG use it (ISO 3309, reflected polynomial 0xEDB88320).
///
/// Pure and table-driven: `CRC32.checksum(Array("123456789".utf8)) == 0xCBF43926`.
package enum CRC32 {
    /// The 256-entry table for the reflected polynomial, built once.
    static let table: [UInt32] = (0..<256).map { n -> UInt32 in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 == 1 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    /// The CRC-32 of some bytes.
    /// - Parameter bytes: the data.
    /// - Returns: the checksum, as stored in a ZIP header.
    package static func checksum(_ bytes: [UInt8]) -> UInt32 {
        update(0, bytes)
    }

    /// Continues a checksum over more bytes: `update(update(0, a), b) == checksum(a + b)`.
    /// - Parameters:
    ///   - crc: the checksum so far (0 to start).
    ///   - bytes: the next bytes.
    /// - Returns: the checksum of everything so far.
    package static func update(_ crc: UInt32, _ bytes: [UInt8]) -> UInt32 {
        var c = ~crc
        table.withUnsafeBufferPointer { t in
            for b in bytes { c = t[Int((c ^ UInt32(b)) & 0xFF)] ^ (c >> 8) }
        }
        return ~c
    }
}
