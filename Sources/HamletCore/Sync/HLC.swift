/// A hybrid logical clock stamp: wall time in milliseconds, a counter, the node.
///
/// Order is (wall, counter, node by UTF-8 bytes). The text form
/// `WWWWWWWWWWWWWWW.CCCCCC.node` (zero-padded) sorts the same way as the stamp,
/// so SQLite can compare stamps as text.
public struct HLC: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public var wall: Int64
    public var counter: Int64
    public var node: String

    public init(wall: Int64, counter: Int64, node: String) {
        self.wall = wall
        self.counter = counter
        self.node = node
    }

    /// The zero stamp, before every real one.
    public static let zero = HLC(wall: 0, counter: 0, node: "")

    public static func < (a: HLC, b: HLC) -> Bool {
        if a.wall != b.wall { return a.wall < b.wall }
        if a.counter != b.counter { return a.counter < b.counter }
        return a.node.utf8.lexicographicallyPrecedes(b.node.utf8)
    }

    public var description: String {
        // `wall` zero-padded to 15 digits, `counter` to 6, then the node: written in one buffer (this runs for every
        // change the hub logs and every field version it stores).
        var text = String(unsafeUninitializedCapacity: 23) { buffer in
            func digits(_ value: Int64, width: Int, at start: Int) {
                var rest = value.magnitude
                var i = start + width - 1
                while i >= start {
                    buffer[i] = UInt8(truncatingIfNeeded: 48 &+ rest % 10)
                    rest /= 10
                    i -= 1
                }
            }
            guard (0...999_999_999_999_999).contains(wall), (0...999_999).contains(counter) else { return 0 }
            digits(wall, width: 15, at: 0)
            buffer[15] = 46
            digits(counter, width: 6, at: 16)
            buffer[22] = 46
            return 23
        }
        if text.isEmpty {
            // Out of the wire's range (never stamped by a clock): the plain form.
            let w = String(wall)
            let c = String(counter)
            text = String(repeating: "0", count: max(0, 15 - w.count)) + w + "."
                + String(repeating: "0", count: max(0, 6 - c.count)) + c + "."
        }
        return text + node
    }

    /// Parses the text form.
    public init?(_ text: String) {
        let parts = text.split(separator: ".", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, let w = Int64(parts[0]), let c = Int64(parts[1]), (0...999_999_999_999_999).contains(w),
              (0...999_999).contains(c) else { return nil }
        self.init(wall: w, counter: c, node: String(parts[2]))
    }

    public init(from decoder: any Decoder) throws {
        let s = try decoder.singleValueContainer().decode(String.self)
        guard let h = HLC(s) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not an HLC stamp"))
        }
        self = h
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}

/// The clock state of one node: monotonic even when the wall clock jumps back.
///
/// Persist `last` with every stamp issued (in the same transaction as the
/// write it stamps), restore it at start-up, and stamps keep increasing.
public struct HybridClock: Sendable {
    public let node: String
    public private(set) var last: HLC

    public init(node: String, last: HLC? = nil) {
        self.node = node
        self.last = last.map { HLC(wall: $0.wall, counter: $0.counter, node: node) } ?? HLC(wall: 0, counter: 0, node: node)
    }

    /// A new stamp, later than every stamp issued or observed before.
    public mutating func tick(wallMillis: Int64) -> HLC {
        if wallMillis > last.wall {
            last = HLC(wall: wallMillis, counter: 0, node: node)
        } else if last.counter >= 999_999 {
            last = HLC(wall: last.wall + 1, counter: 0, node: node)
        } else {
            last = HLC(wall: last.wall, counter: last.counter + 1, node: node)
        }
        return last
    }

    /// Absorbs a stamp seen from another node so later local stamps order after it.
    public mutating func observe(_ remote: HLC, wallMillis: Int64) {
        let wall = max(last.wall, remote.wall, wallMillis)
        var counter: Int64 = 0
        if wall == last.wall && wall == remote.wall { counter = max(last.counter, remote.counter) + 1 }
        else if wall == last.wall { counter = last.counter + 1 }
        else if wall == remote.wall { counter = remote.counter + 1 }
        if counter > 999_999 {
            last = HLC(wall: wall + 1, counter: 0, node: node)
        } else {
            last = HLC(wall: wall, counter: counter, node: node)
        }
    }
}
