import Foundation
import HamletCore

/// Small JSON helpers for documents stored in columns (field maps, version maps).
enum JSONText {
    static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return e
    }()

    static func encode<T: Encodable>(_ value: T) -> String {
        // Our stored documents hold strings, integers and nested containers only: encoding cannot
        // fail, and a silent "null" would store nothing in place of a record.
        do { return String(decoding: try encoder.encode(value), as: UTF8.self) } catch {
            preconditionFailure("a stored document failed to encode: \(error)")
        }
    }

    /// The top-level object of a stored document.
    /// - Throws: `StoreError.corrupt` naming what did not decode.
    static func object(_ text: String, _ what: String) throws -> [String: JSONValue] {
        let parsed: JSONValue
        do { parsed = try JSONReader.parse(Array(text.utf8)) } catch {
            throw StoreError(.corrupt, "stored \(what) does not decode")
        }
        guard let o = parsed.object else { throw StoreError(.corrupt, "stored \(what) is not an object") }
        return o
    }

    /// A field map, written by hand (the hot path of pulls and change logs).
    static func encode(_ f: Fields) -> String {
        var w = JSONWriter(capacity: 256)
        w.fields(f)
        return w.text
    }

    /// A version map, written by hand.
    static func encode(_ v: [String: Int64]) -> String {
        var w = JSONWriter(capacity: 128)
        w.ints(v)
        return w.text
    }

    /// A field map, read by hand.
    static func decode(_ type: Fields.Type, _ text: String) throws -> Fields {
        if let f = plainFields(text) { return f }
        var f: Fields = [:]
        let o = try object(text, "field map")
        for (k, v) in o {
            guard let x = v.fieldValue else { throw StoreError(.corrupt, "stored field map does not decode") }
            f[k] = x
        }
        return f
    }

    /// A field map as `JSONWriter.fields` writes it — `{"name":"text"|integer|null,…}` with no escape in it — read
    /// straight from the bytes (a node reads every pending change's map to push it); nil for anything else (an
    /// escape, a fraction, an integer beyond 64 bits, a nested value, bad JSON), which the general reader decides.
    static func plainFields(_ text: String) -> Fields? {
        var text = text
        return text.withUTF8 { b -> Fields? in
            var i = 0
            func space() { while i < b.count, b[i] == 32 || b[i] == 9 || b[i] == 10 || b[i] == 13 { i += 1 } }
            func string() -> String? {
                guard i < b.count, b[i] == 34 else { return nil }
                let start = i + 1
                var j = start
                while j < b.count, b[j] != 34 {
                    guard b[j] != 92, b[j] >= 0x20 else { return nil }
                    j += 1
                }
                guard j < b.count else { return nil }
                i = j + 1
                return String(decoding: UnsafeBufferPointer(rebasing: b[start..<j]), as: UTF8.self)
            }
            func integer() -> Int64? {
                let start = i
                if i < b.count, b[i] == 45 { i += 1 }
                let digits = i
                while i < b.count, b[i] >= 48, b[i] <= 57 { i += 1 }
                // At least one digit, no leading zero, and no `-0` (the general reader's to judge).
                guard i > digits, b[digits] != 48 || (i == digits + 1 && digits == start) else { return nil }
                return Int64(String(decoding: UnsafeBufferPointer(rebasing: b[start..<i]), as: UTF8.self))
            }
            var f: Fields = [:]
            space()
            guard i < b.count, b[i] == 123 else { return nil }
            i += 1
            space()
            if i < b.count, b[i] == 125 { i += 1 } else {
                while true {
                    space()
                    guard let name = string() else { return nil }
                    space()
                    guard i < b.count, b[i] == 58 else { return nil }
                    i += 1
                    space()
                    guard i < b.count else { return nil }
                    switch b[i] {
                    case 34: guard let s = string() else { return nil }; f[name] = .text(s)
                    case 110:
                        guard i + 4 <= b.count, b[i + 1] == 117, b[i + 2] == 108, b[i + 3] == 108 else { return nil }
                        i += 4
                        f[name] = .null
                    default: guard let n = integer() else { return nil }; f[name] = .integer(n)
                    }
                    space()
                    guard i < b.count else { return nil }
                    if b[i] == 125 { i += 1; break }
                    guard b[i] == 44 else { return nil }
                    i += 1
                }
            }
            space()
            return i == b.count ? f : nil
        }
    }

    /// A version map, read by hand.
    static func decode(_ type: [String: Int64].Type, _ text: String) throws -> [String: Int64] {
        var f: [String: Int64] = [:]
        let o = try object(text, "version map")
        for (k, v) in o {
            guard let x = v.int else { throw StoreError(.corrupt, "stored version map does not decode") }
            f[k] = x
        }
        return f
    }

    static func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
        do {
            return try JSONDecoder().decode(T.self, from: Data(text.utf8))
        } catch {
            throw StoreError(.corrupt, "stored document does not decode as \(T.self)")
        }
    }
}
