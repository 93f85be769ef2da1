/// Row ids: time-ordered UUIDs (UUIDv7 layout), made where the row is created.
///
/// 48 bits of Unix milliseconds, then random bits; offline creation never
/// collides and inserts stay local in SQLite's B-trees.
public enum RowID {
    /// Makes an id from a wall-clock reading and a random source.
    public static func make(unixMillis: Int64, using rng: inout some RandomNumberGenerator) -> String {
        var bytes = [UInt8](repeating: 0, count: 16)
        let ms = UInt64(max(0, unixMillis))
        for i in 0..<6 { bytes[i] = UInt8(truncatingIfNeeded: ms >> (40 - 8 * UInt64(i))) }
        let r1 = rng.next() as UInt64
        let r2 = rng.next() as UInt64
        for i in 0..<2 { bytes[6 + i] = UInt8(truncatingIfNeeded: r1 >> (8 * UInt64(i))) }
        for i in 0..<8 { bytes[8 + i] = UInt8(truncatingIfNeeded: r2 >> (8 * UInt64(i))) }
        bytes[6] = (bytes[6] & 0x0F) | 0x70
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        let hex = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(36)
        for (i, b) in bytes.enumerated() {
            if i == 4 || i == 6 || i == 8 || i == 10 { out.append(45) }
            out.append(hex[Int(b >> 4)])
            out.append(hex[Int(b & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// True for a lowercase 8-4-4-4-12 hex UUID.
    public static func isValid(_ s: String) -> Bool {
        let u = s.utf8
        guard u.count == 36 else { return false }
        for (i, c) in u.enumerated() {
            if i == 8 || i == 13 || i == 18 || i == 23 {
                if c != 45 { return false }
            } else if !((c >= 48 && c <= 57) || (c >= 97 && c <= 102)) {
                return false
            }
        }
        return true
    }
}

/// Node ids: 1–32 of `a-z 0-9 _ -`, starting with a letter or digit.
public enum NodeID {
    /// The writer name the hub records for operator actions; never a valid node id.
    public static let hub = "@hub"

    /// True when `s` may name a node.
    public static func isValid(_ s: String) -> Bool {
        let u = Array(s.utf8)
        guard (1...32).contains(u.count) else { return false }
        let ok = { (c: UInt8) in (c >= 97 && c <= 122) || (c >= 48 && c <= 57) }
        guard ok(u[0]) else { return false }
        return u.allSatisfy { ok($0) || $0 == 95 || $0 == 45 }
    }
}
