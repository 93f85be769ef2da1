import HamletCore

/// Strings, read as `JSONReader` reads them and checked as UTF-8 as `String(validating:as:)` checks them.
extension BulkLineReader {
    /// A string with its escapes resolved (as `JSONReader` resolves them), checked as UTF-8.
    mutating func string() throws(GiveUp) -> String {
        guard i < b.count, b[i] == 34 else { throw GiveUp() }
        i += 1
        let start = i
        var ascii = true
        while i < b.count {
            let c = b[i]
            if c == 34 {
                let text = UnsafeBufferPointer(rebasing: b[start..<i])
                guard ascii || Self.isValidUTF8(text) else { throw GiveUp() }
                i += 1
                return String(decoding: text, as: UTF8.self)
            }
            if c == 92 { return try escapedString(from: start) }
            guard c >= 0x20 else { throw GiveUp() }
            if c >= 0x80 { ascii = false }
            i += 1
        }
        throw GiveUp()
    }

    /// Whether `u` is well-formed UTF-8 (Unicode table 3-7: no overlong forms, surrogates or scalars past U+10FFFF),
    /// as `String(validating:as:)` decides — which, called per string, spent a third of the reader's time looking up
    /// generic metadata.
    static func isValidUTF8(_ u: UnsafeBufferPointer<UInt8>) -> Bool {
        var k = 0
        while k < u.count {
            let c = u[k]
            if c < 0x80 { k += 1; continue }
            let need: Int
            var low: UInt8 = 0x80, high: UInt8 = 0xBF
            switch c {
            case 0xC2...0xDF: need = 1
            case 0xE0: need = 2; low = 0xA0
            case 0xE1...0xEC, 0xEE, 0xEF: need = 2
            case 0xED: need = 2; high = 0x9F
            case 0xF0: need = 3; low = 0x90
            case 0xF1...0xF3: need = 3
            case 0xF4: need = 3; high = 0x8F
            default: return false
            }
            guard k + need < u.count, u[k + 1] >= low, u[k + 1] <= high else { return false }
            if need > 1 {
                for j in 2...need where u[k + j] & 0xC0 != 0x80 { return false }
            }
            k += need + 1
        }
        return true
    }

    /// The rest of a string from its first backslash (at `i`); `start` is just past its opening quote.
    /// An escape never yields a UTF-8 continuation byte, so checking the result checks the raw bytes between escapes.
    private mutating func escapedString(from start: Int) throws(GiveUp) -> String {
        var out = Array(UnsafeBufferPointer(rebasing: b[start..<i]))
        while i < b.count {
            let c = b[i]
            if c == 34 {
                i += 1
                guard out.withUnsafeBufferPointer(Self.isValidUTF8) else { throw GiveUp() }
                return String(decoding: out, as: UTF8.self)
            }
            guard c >= 0x20 else { throw GiveUp() }
            i += 1
            if c != 92 { out.append(c); continue }
            guard i < b.count else { throw GiveUp() }
            let e = b[i]
            i += 1
            switch e {
            case 34, 92, 47: out.append(e)
            case 98: out.append(8)
            case 102: out.append(12)
            case 110: out.append(10)
            case 114: out.append(13)
            case 116: out.append(9)
            case 117: out.append(contentsOf: try escapedScalar().utf8)
            default: throw GiveUp()
            }
        }
        throw GiveUp()
    }

    /// The scalar of a `\uXXXX` escape (the reader just past its `u`), a surrogate pair read as one; a lone
    /// surrogate gives up (`JSONReader` refuses it).
    private mutating func escapedScalar() throws(GiveUp) -> Unicode.Scalar {
        var u = try hex4()
        if u >= 0xD800 && u < 0xDC00 {
            guard i + 2 <= b.count, b[i] == 92, b[i + 1] == 117 else { throw GiveUp() }
            i += 2
            let low = try hex4()
            guard low >= 0xDC00 && low < 0xE000 else { throw GiveUp() }
            u = 0x10000 + ((u - 0xD800) << 10) + (low - 0xDC00)
        } else if u >= 0xDC00 && u < 0xE000 {
            throw GiveUp()
        }
        guard let scalar = Unicode.Scalar(u) else { throw GiveUp() }
        return scalar
    }

    private mutating func hex4() throws(GiveUp) -> UInt32 {
        guard let v = JSONReader.hex4(b, at: i) else { throw GiveUp() }
        i += 4
        return v
    }
}
