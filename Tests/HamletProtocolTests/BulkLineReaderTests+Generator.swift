import HamletCore
import Testing
import HamletTestSupport

extension BulkLineReaderTests {
    /// Random `page` and `rows` messages, written as JSON with every freedom a writer has: whitespace anywhere,
    /// members in any order, any character escaped (`\uXXXX`, surrogate pairs, the short forms). In `odd` mode it also
    /// writes what only the general path reads: unknown members, fractions, exponents, integers beyond 64 bits,
    /// booleans as field values, duplicate members.
    struct Generator {
        var rng: SplitMix
        /// The next message may hold what the fast reader leaves to the general path.
        var odd = false
        /// The last line written escaped a character of a member name the messages define.
        private(set) var escapedName = false

        static let texts = ["", "张三", "欧阳娜娜", "北赵村", "13900000000", "a\u{0}b", "𠀀𠀁", "😀 smile", "quote \" back \\ slash /",
                            "tab\tnl\nret\r", "\u{1}\u{1F}\u{7F}", "é", "\u{FFFF}", "\u{10FFFF}", "0123", "null", "\u{2028}\u{2029}"]
        static let names = ["village", "name", "sex", "birth_date", "national_id", "household", "mother", "地址", "a\"b", "x\\y", "", "type"]
        static let ints: [Int64] = [0, 1, -1, 42, .max, .min, .max - 1, .min + 1, 1_000_000_007, -999]
        static let oddNumbers = ["1.5", "1e3", "-0", "9223372036854775808", "-9223372036854775809", "0.0", "2E-1", "1E+2"]
        static let known: Set<String> = ["type", "items", "rows", "cursor", "head", "done", "clock", "op", "row", "table", "id", "hseq",
                                         "values", "versions", "deleted", "merged_into", "page", "put", "leave",
                                         // push (BulkLineReaderPushTests)
                                         "push", "batch", "changes", "node", "seq", "bases", "row_base", "hlc", "author", "epoch", "delete"]

        mutating func below(_ n: Int) -> Int { Int(rng.next() % UInt64(n)) }
        mutating func chance(_ oneIn: Int) -> Bool { below(oneIn) == 0 }

        mutating func int() -> Int64 {
            chance(2) ? Self.ints[below(Self.ints.count)] : Int64(bitPattern: rng.next()) >> Int64(below(64))
        }

        mutating func text() -> String {
            guard chance(3) else { return Self.texts[below(Self.texts.count)] }
            var s = ""
            for _ in 0..<below(12) {
                let v: UInt32
                switch below(6) {
                case 0: v = UInt32(below(128))
                case 1: v = UInt32(0x4E00 + below(0x5000))
                case 2: v = UInt32(0x10000 + below(0xFFFFF))
                case 3: v = UInt32(0x80 + below(0x780))
                case 4: v = UInt32(0xE000 + below(0x2000))
                default: v = UInt32(below(0x20))
                }
                s.unicodeScalars.append(Unicode.Scalar(v) ?? "x")
            }
            return s
        }

        mutating func fieldValue() -> J {
            switch below(odd ? 7 : 5) {
            case 0: return .null
            case 1, 2: return .string(text())
            case 3, 4: return .int(int())
            case 5: return .number(Self.oddNumbers[below(Self.oddNumbers.count)])
            default: return .bool(chance(2))
            }
        }

        /// Unknown members and duplicates, in odd mode; then the members shuffled.
        mutating func finish(_ members: [(String, J)]) -> J {
            var members = members
            if odd && chance(3) { members.append((["extra", "note", "Type"][below(3)], junk(depth: 0))) }
            if odd && chance(3), let (name, value) = members.randomElement(using: &rng) {
                members.append((name, chance(2) ? value : junk(depth: 0)))
            }
            members.shuffle(using: &rng)
            return .object(members)
        }

        mutating func junk(depth: Int) -> J {
            switch below(depth > 3 ? 5 : 7) {
            case 0: return .null
            case 1: return .bool(chance(2))
            case 2: return .int(int())
            case 3: return .number(Self.oddNumbers[below(Self.oddNumbers.count)])
            case 4: return .string(text())
            case 5: return .array((0..<below(3)).map { _ in junk(depth: depth + 1) })
            default: return .object((0..<below(3)).map { _ in (text(), junk(depth: depth + 1)) })
            }
        }

        mutating func id() -> J {
            .string(chance(4) ? text() : (0..<4).map { _ in String(rng.next() & 0xFFFF_FFFF, radix: 16) }.joined(separator: "-"))
        }

        mutating func table() -> J { .string(chance(6) ? text() : ["people", "households", "events"][below(3)]) }

        mutating func row() -> J {
            var members: [(String, J)] = [("table", table()), ("id", id()), ("hseq", .int(int()))]
            var values: [(String, J)] = []
            var versions: [(String, J)] = []
            for name in Self.names where chance(2) { values.append((name, fieldValue())) }
            for name in Self.names where chance(2) { versions.append((name, odd && chance(8) ? fieldValue() : .int(int()))) }
            if !chance(6) { members.append(("values", .object(values.shuffled(using: &rng)))) }
            if !chance(6) { members.append(("versions", .object(versions.shuffled(using: &rng)))) }
            switch below(4) {
            case 0: break
            case 1: members.append(("deleted", .bool(true)))
            case 2: members.append(("deleted", .bool(false)))
            default: members.append(("deleted", .null))
            }
            switch below(3) {
            case 0: break
            case 1: members.append(("merged_into", id()))
            default: members.append(("merged_into", .null))
            }
            return finish(members)
        }

        mutating func item() -> J {
            if chance(5) {
                return finish([("op", .string("leave")), ("table", table()), ("id", id()), ("hseq", .int(int()))])
            }
            return finish([("op", .string("put")), ("row", row())])
        }

        mutating func page() -> J {
            var members: [(String, J)] = [("type", .string("page")), ("items", .array((0..<below(9)).map { _ in item() })),
                                          ("cursor", .int(int())), ("head", .int(int())), ("done", .bool(chance(2)))]
            switch below(3) {
            case 0: break
            case 1:
                let stamp = HLC(wall: Int64(below(1_000_000_000)) * 1_000_000, counter: Int64(below(1_000_000)), node: ["beizhao", "北赵", ""][below(3)])
                members.append(("clock", .string(stamp.description)))
            default: members.append(("clock", .null))
            }
            return finish(members)
        }

        mutating func rowsMessage() -> J {
            finish([("type", .string("rows")), ("rows", .array((0..<below(6)).map { _ in row() }))])
        }
    }
}

// MARK: writing

extension BulkLineReaderTests.Generator {
    mutating func write(_ value: BulkLineReaderTests.J) -> String {
        escapedName = false
        var out = ""
        space(&out)
        emit(value, &out)
        space(&out)
        return out
    }

    mutating func space(_ out: inout String) {
        guard chance(4) else { return }
        for _ in 0...below(3) { out.append([" ", "\t", "\n", "\r"][below(4)]) }
    }

    mutating func emit(_ value: BulkLineReaderTests.J, _ out: inout String) {
        switch value {
        case .object(let members):
            out.append("{")
            for (k, (name, member)) in members.enumerated() {
                space(&out)
                if k > 0 { out.append(","); space(&out) }
                emitString(name, &out, name: true)
                space(&out)
                out.append(":")
                space(&out)
                emit(member, &out)
            }
            space(&out)
            out.append("}")
        case .array(let elements):
            out.append("[")
            for (k, element) in elements.enumerated() {
                space(&out)
                if k > 0 { out.append(","); space(&out) }
                emit(element, &out)
            }
            space(&out)
            out.append("]")
        case .string(let s): emitString(s, &out, name: false)
        case .int(let i): out.append(String(i))
        case .number(let text): out.append(text)
        case .bool(let b): out.append(b ? "true" : "false")
        case .null: out.append("null")
        }
    }

    mutating func emitString(_ s: String, _ out: inout String, name: Bool) {
        // A defined name (or `page`, `put`…) escaped sends the line to the general path: seldom, so most lines test the reader.
        let escapeSome = chance(Self.known.contains(s) ? 300 : name ? 8 : 4)
        out.append("\"")
        for scalar in s.unicodeScalars {
            let v = scalar.value
            guard v == 0x22 || v == 0x5C || v < 0x20 || (escapeSome && chance(2)) else {
                out.unicodeScalars.append(scalar)
                continue
            }
            if Self.known.contains(s) { escapedName = true }
            let short: [UInt32: String] = [0x22: "\\\"", 0x5C: "\\\\", 0x2F: "\\/", 8: "\\b", 12: "\\f", 10: "\\n", 13: "\\r", 9: "\\t"]
            if let form = short[v], !chance(3) {
                out.append(form)
            } else if v > 0xFFFF {
                let u = v - 0x10000
                out.append(hex(0xD800 + (u >> 10)) + hex(0xDC00 + (u & 0x3FF)))
            } else {
                out.append(hex(v))
            }
        }
        out.append("\"")
    }

    mutating func hex(_ v: UInt32) -> String {
        let digits = String(v, radix: 16, uppercase: chance(2))
        return "\\u" + String(repeating: "0", count: 4 - digits.count) + digits
    }
}
