/// HMAC with SHA-256 (RFC 2104), used for node challenge–response.
public enum HMACSHA256 {
    /// The length of a tag in bytes (32).
    public static let tagByteCount = SHA256.digestByteCount

    /// Computes the HMAC-SHA256 tag of a message.
    ///
    /// Keys longer than the 64-byte block are hashed first, as RFC 2104 requires.
    /// Compare tags with ``constantTimeEquals(_:_:)``, never with `==`.
    ///
    /// - Parameters:
    ///   - key: The secret key, of any length.
    ///   - message: The message to authenticate.
    /// - Returns: The 32-byte tag.
    public static func authenticate(key: [UInt8], message: [UInt8]) -> [UInt8] {
        var keyBlock = key.count > SHA256.blockByteCount ? SHA256.hash(key) : key
        keyBlock.append(contentsOf: repeatElement(0, count: SHA256.blockByteCount - keyBlock.count))

        var inner = SHA256()
        inner.update(keyBlock.map { $0 ^ 0x36 })
        inner.update(message)

        var outer = SHA256()
        outer.update(keyBlock.map { $0 ^ 0x5c })
        outer.update(inner.finalize())
        return outer.finalize()
    }
}

/// Compares two byte strings in time that depends only on their lengths.
///
/// Use it for MACs and credential hashes so that the position of the first
/// differing byte does not leak through timing. Lengths are not secret: strings
/// of different lengths return `false` at once.
///
/// - Parameters:
///   - a: The first byte string.
///   - b: The second byte string.
/// - Returns: `true` when both hold the same bytes.
public func constantTimeEquals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    guard a.count == b.count else { return false }
    var difference: UInt8 = 0
    for i in a.indices {
        difference |= a[i] ^ b[i]
    }
    return difference == 0
}
