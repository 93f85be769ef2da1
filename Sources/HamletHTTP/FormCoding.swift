/// Percent-encoding and `application/x-www-form-urlencoded` pairs, UTF-8 aware.
///
/// `name=%E5%BC%A0&note=a+b` decodes to `[("name", "张"), ("note", "a b")]`.
public enum FormCoding {
    /// Decodes a form-urlencoded request body.
    ///
    /// Pairs are separated by `&` (empty pieces are skipped); a piece without `=`
    /// has an empty value; `+` is a space.
    ///
    /// - Parameter body: The raw body bytes.
    /// - Returns: The pairs in order, or `nil` on a bad `%` escape or non-UTF-8 text.
    public static func decode(_ body: [UInt8]) -> [(String, String)]? {
        decodePairs(body[...])
    }

    /// Decodes a query string (the part of a target after `?`, without the `?`).
    ///
    /// - Parameter query: The still-encoded query.
    /// - Returns: The pairs in order, or `nil` on a bad `%` escape or non-UTF-8 text.
    public static func decode(query: String) -> [(String, String)]? {
        decodePairs(Array(query.utf8)[...])
    }

    /// Decodes `%XX` escapes and checks that the result is UTF-8.
    ///
    /// - Parameters:
    ///   - string: The encoded text.
    ///   - plusIsSpace: Whether `+` means a space (forms and queries) or itself (paths).
    /// - Returns: The decoded text, or `nil` when a `%` is not followed by two hex
    ///   digits or the bytes are not valid UTF-8.
    public static func percentDecode(_ string: String, plusIsSpace: Bool) -> String? {
        percentDecode(Array(string.utf8)[...], plusIsSpace: plusIsSpace)
    }

    /// Percent-encodes everything except the RFC 3986 unreserved characters
    /// (`A-Z a-z 0-9 - . _ ~`), byte by byte over UTF-8.
    ///
    /// The result is safe in a path segment, a query name or value, and a form body.
    ///
    /// - Parameter string: The text to encode.
    /// - Returns: ASCII text; `张` becomes `%E5%BC%A0`, a space `%20`.
    public static func percentEncode(_ string: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out = [UInt8]()
        out.reserveCapacity(string.utf8.count)
        for byte in string.utf8 {
            if isUnreserved(byte) {
                out.append(byte)
            } else {
                out.append(UInt8(ascii: "%"))
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0x0f)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Encodes pairs as `name=value&…`, each side with ``percentEncode(_:)``.
    ///
    /// - Parameter pairs: The pairs in order.
    /// - Returns: A query string (without `?`) or form body text.
    public static func encode(_ pairs: [(String, String)]) -> String {
        pairs.map { percentEncode($0.0) + "=" + percentEncode($0.1) }.joined(separator: "&")
    }

    // MARK: - Internals

    static func decodePairs(_ bytes: ArraySlice<UInt8>) -> [(String, String)]? {
        var pairs: [(String, String)] = []
        for piece in bytes.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            let name: ArraySlice<UInt8>
            let value: ArraySlice<UInt8>
            if let equals = piece.firstIndex(of: UInt8(ascii: "=")) {
                name = piece[piece.startIndex..<equals]
                value = piece[(equals + 1)...]
            } else {
                name = piece
                value = []
            }
            guard let decodedName = percentDecode(name, plusIsSpace: true),
                let decodedValue = percentDecode(value, plusIsSpace: true)
            else { return nil }
            pairs.append((decodedName, decodedValue))
        }
        return pairs
    }

    static func percentDecode(_ bytes: ArraySlice<UInt8>, plusIsSpace: Bool) -> String? {
        var out = [UInt8]()
        out.reserveCapacity(bytes.count)
        var i = bytes.startIndex
        while i < bytes.endIndex {
            let byte = bytes[i]
            if byte == UInt8(ascii: "%") {
                guard bytes.endIndex - i > 2 else { return nil }
                guard let high = hexValue(bytes[i + 1]), let low = hexValue(bytes[i + 2]) else { return nil }
                out.append(high << 4 | low)
                i += 3
            } else if byte == UInt8(ascii: "+") && plusIsSpace {
                out.append(UInt8(ascii: " "))
                i += 1
            } else {
                out.append(byte)
                i += 1
            }
        }
        return String(validating: out, as: UTF8.self)
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    private static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
            true
        default:
            false
        }
    }
}
