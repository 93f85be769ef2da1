/// A parsed JSON value, for the protocol's hot paths (pull pages, snapshot rows,
/// pushed changes) where Foundation's `JSONDecoder` costs most of the time.
///
/// Numbers are kept as integers when they are integers (the protocol has no
/// fractions); other numbers keep their text.
public indirect enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int64)
    case number(String)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// The member `key` of an object.
    public subscript(_ key: String) -> JSONValue? {
        if case .object(let o) = self { return o[key] }
        return nil
    }

    public var string: String? { if case .string(let s) = self { return s } else { return nil } }
    public var int: Int64? { if case .int(let i) = self { return i } else { return nil } }
    public var bool: Bool? { if case .bool(let b) = self { return b } else { return nil } }
    public var array: [JSONValue]? { if case .array(let a) = self { return a } else { return nil } }
    public var object: [String: JSONValue]? { if case .object(let o) = self { return o } else { return nil } }
    public var isNull: Bool { if case .null = self { return true } else { return false } }

    /// A register field value (string, integer or null), nil for any other JSON type.
    public var fieldValue: Value? {
        switch self {
        case .null: return .null
        case .string(let s): return .text(s)
        case .int(let i): return .integer(i)
        default: return nil
        }
    }
}

/// A strict, allocation-light JSON parser over UTF-8 bytes (RFC 8259), with a depth cap.
public struct JSONReader {
    /// The four hex digits of a `\uXXXX` escape at `at` (either case), or nil when there are not four: shared by
    /// every hand-written JSON reader.
    public static func hex4(_ b: UnsafeBufferPointer<UInt8>, at start: Int) -> UInt32? {
        guard start + 4 <= b.count else { return nil }
        var v: UInt32 = 0
        for c in b[start..<(start + 4)] {
            switch c {
            case 48...57: v = v << 4 | UInt32(c - 48)
            case 97...102: v = v << 4 | UInt32(c - 87)
            case 65...70: v = v << 4 | UInt32(c - 55)
            default: return nil
            }
        }
        return v
    }

    /// The input is not valid JSON; `offset` is where parsing stopped.
    public struct Failure: Error, Sendable, Equatable {
        public var offset: Int
    }

    /// Parses one complete JSON document.
    /// - Throws: `Failure` for anything but exactly one valid JSON value (surrounding whitespace allowed).
    public static func parse(_ bytes: [UInt8], maxDepth: Int = 64) throws(Failure) -> JSONValue {
        try bytes.withUnsafeBufferPointer { (buf) throws(Failure) -> JSONValue in
            var p = Parser(b: buf, maxDepth: maxDepth)
            p.skipSpace()
            let v = try p.value(depth: 0)
            p.skipSpace()
            guard p.i == buf.count else { throw Failure(offset: p.i) }
            return v
        }
    }

    struct Parser {
        let b: UnsafeBufferPointer<UInt8>
        let maxDepth: Int
        var i = 0

        init(b: UnsafeBufferPointer<UInt8>, maxDepth: Int) {
            self.b = b
            self.maxDepth = maxDepth
        }

        mutating func skipSpace() {
            while i < b.count, b[i] == 32 || b[i] == 10 || b[i] == 13 || b[i] == 9 { i += 1 }
        }

        func fail() -> Failure { Failure(offset: i) }

        mutating func literal(_ word: StaticString, _ v: JSONValue) throws(Failure) -> JSONValue {
            let n = word.utf8CodeUnitCount
            guard i + n <= b.count else { throw fail() }
            let w = word.utf8Start
            for k in 0..<n where b[i + k] != w[k] { throw fail() }
            i += n
            return v
        }

        mutating func value(depth: Int) throws(Failure) -> JSONValue {
            guard i < b.count, depth <= maxDepth else { throw fail() }
            switch b[i] {
            case 123: return try object(depth: depth)
            case 91: return try array(depth: depth)
            case 34: return .string(try string())
            case 116: return try literal("true", .bool(true))
            case 102: return try literal("false", .bool(false))
            case 110: return try literal("null", .null)
            case 45, 48...57: return try number()
            default: throw fail()
            }
        }

        mutating func object(depth: Int) throws(Failure) -> JSONValue {
            i += 1
            var o: [String: JSONValue] = [:]
            skipSpace()
            if i < b.count, b[i] == 125 { i += 1; return .object(o) }
            while true {
                skipSpace()
                guard i < b.count, b[i] == 34 else { throw fail() }
                let k = try string()
                skipSpace()
                guard i < b.count, b[i] == 58 else { throw fail() }
                i += 1
                skipSpace()
                o[k] = try value(depth: depth + 1)
                skipSpace()
                guard i < b.count else { throw fail() }
                if b[i] == 44 { i += 1; continue }
                if b[i] == 125 { i += 1; return .object(o) }
                throw fail()
            }
        }

        mutating func array(depth: Int) throws(Failure) -> JSONValue {
            i += 1
            var a: [JSONValue] = []
            skipSpace()
            if i < b.count, b[i] == 93 { i += 1; return .array(a) }
            while true {
                skipSpace()
                a.append(try value(depth: depth + 1))
                skipSpace()
                guard i < b.count else { throw fail() }
                if b[i] == 44 { i += 1; continue }
                if b[i] == 93 { i += 1; return .array(a) }
                throw fail()
            }
        }

        mutating func number() throws(Failure) -> JSONValue {
            let start = i
            if b[i] == 45 { i += 1 }
            guard i < b.count, b[i] >= 48, b[i] <= 57 else { throw fail() }
            if b[i] == 48, i + 1 < b.count, b[i + 1] >= 48, b[i + 1] <= 57 { throw fail() }
            while i < b.count, b[i] >= 48, b[i] <= 57 { i += 1 }
            var integral = true
            if i < b.count, b[i] == 46 {
                integral = false
                i += 1
                guard i < b.count, b[i] >= 48, b[i] <= 57 else { throw fail() }
                while i < b.count, b[i] >= 48, b[i] <= 57 { i += 1 }
            }
            if i < b.count, b[i] == 101 || b[i] == 69 {
                integral = false
                i += 1
                if i < b.count, b[i] == 43 || b[i] == 45 { i += 1 }
                guard i < b.count, b[i] >= 48, b[i] <= 57 else { throw fail() }
                while i < b.count, b[i] >= 48, b[i] <= 57 { i += 1 }
            }
            let text = String(decoding: UnsafeBufferPointer(rebasing: b[start..<i]), as: UTF8.self)
            if integral, let v = Int64(text) { return .int(v) }
            return .number(text)
        }

        mutating func hex4() throws(Failure) -> UInt32 {
            guard let v = JSONReader.hex4(b, at: i) else { throw fail() }
            i += 4
            return v
        }

        mutating func string() throws(Failure) -> String {
            i += 1
            let start = i
            // Fast path: no escapes.
            while i < b.count {
                let c = b[i]
                if c == 34 {
                    let s = String(decoding: UnsafeBufferPointer(rebasing: b[start..<i]), as: UTF8.self)
                    i += 1
                    return s
                }
                if c == 92 { break }
                if c < 0x20 { throw fail() }
                i += 1
            }
            var out = Array(b[start..<i])
            while i < b.count {
                let c = b[i]
                if c == 34 {
                    i += 1
                    return String(decoding: out, as: UTF8.self)
                }
                if c < 0x20 { throw fail() }
                if c != 92 { out.append(c); i += 1; continue }
                i += 1
                guard i < b.count else { throw fail() }
                let e = b[i]
                i += 1
                switch e {
                case 34: out.append(34)
                case 92: out.append(92)
                case 47: out.append(47)
                case 98: out.append(8)
                case 102: out.append(12)
                case 110: out.append(10)
                case 114: out.append(13)
                case 116: out.append(9)
                case 117:
                    var u = try hex4()
                    if u >= 0xD800 && u < 0xDC00 {
                        guard i + 2 <= b.count, b[i] == 92, b[i + 1] == 117 else { throw fail() }
                        i += 2
                        let low = try hex4()
                        guard low >= 0xDC00 && low < 0xE000 else { throw fail() }
                        u = 0x10000 + ((u - 0xD800) << 10) + (low - 0xDC00)
                    } else if u >= 0xDC00 && u < 0xE000 {
                        throw fail()
                    }
                    guard let scalar = Unicode.Scalar(u) else { throw fail() }
                    out.append(contentsOf: Array(String(Character(scalar)).utf8))
                default:
                    throw fail()
                }
            }
            throw fail()
        }
    }
}

/// Appends compact JSON text to a byte buffer, for the hot paths (pages, snapshots, stored field maps).
public struct JSONWriter {
    public var bytes: [UInt8] = []

    public init(capacity: Int = 256) {
        bytes.reserveCapacity(capacity)
    }

    /// The text written so far.
    public var text: String { String(decoding: bytes, as: UTF8.self) }

    public mutating func raw(_ s: StaticString) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount))
    }

    public mutating func int(_ v: Int64) {
        bytes.append(contentsOf: String(v).utf8)
    }

    public mutating func bool(_ v: Bool) {
        if v { raw("true") } else { raw("false") }
    }

    /// A JSON string with the escapes RFC 8259 requires (and `/` left as is).
    public mutating func string(_ s: String) {
        Self.append(string: s, to: &bytes)
    }

    /// Appends `s` as a JSON string to `bytes` (`"` `\` and controls escaped, the rest as is; text needing no escape
    /// is copied whole): the one string writer of the hand-written JSON paths.
    public static func append(string s: String, to bytes: inout [UInt8]) {
        bytes.append(34)
        var s = s
        s.withUTF8 { u in
            guard u.contains(where: { $0 < 0x20 || $0 == 34 || $0 == 92 }) else {
                bytes.append(contentsOf: u)
                return
            }
            for c in u {
                switch c {
                case 34: bytes.append(92); bytes.append(34)
                case 92: bytes.append(92); bytes.append(92)
                case 10: bytes.append(92); bytes.append(110)
                case 13: bytes.append(92); bytes.append(114)
                case 9: bytes.append(92); bytes.append(116)
                case 0..<0x20:
                    let hex: [UInt8] = Array("0123456789abcdef".utf8)
                    bytes.append(contentsOf: [92, 117, 48, 48, hex[Int(c >> 4)], hex[Int(c & 15)]])
                default: bytes.append(c)
                }
            }
        }
        bytes.append(34)
    }

    public mutating func value(_ v: Value) {
        switch v {
        case .null: raw("null")
        case .text(let s): string(s)
        case .integer(let i): int(i)
        }
    }

    /// `{"k":v,…}` with keys sorted.
    public mutating func fields(_ f: Fields) {
        bytes.append(123)
        var first = true
        for k in f.keys.sorted() {
            if !first { bytes.append(44) }
            first = false
            string(k)
            bytes.append(58)
            value(f[k] ?? .null)
        }
        bytes.append(125)
    }

    /// `{"k":n,…}` with keys sorted.
    public mutating func ints(_ f: [String: Int64]) {
        bytes.append(123)
        var first = true
        for k in f.keys.sorted() {
            if !first { bytes.append(44) }
            first = false
            string(k)
            bytes.append(58)
            int(f[k] ?? 0)
        }
        bytes.append(125)
    }
}
