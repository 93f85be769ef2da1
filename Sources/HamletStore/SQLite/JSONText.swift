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
        guard let d = try? encoder.encode(value) else { return "null" }
        return String(decoding: d, as: UTF8.self)
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
        var f: Fields = [:]
        guard let o = (try? JSONReader.parse(Array(text.utf8)))?.object else { throw StoreError(.corrupt, "stored field map does not decode") }
        for (k, v) in o {
            guard let x = v.fieldValue else { throw StoreError(.corrupt, "stored field map does not decode") }
            f[k] = x
        }
        return f
    }

    /// A version map, read by hand.
    static func decode(_ type: [String: Int64].Type, _ text: String) throws -> [String: Int64] {
        var f: [String: Int64] = [:]
        guard let o = (try? JSONReader.parse(Array(text.utf8)))?.object else { throw StoreError(.corrupt, "stored version map does not decode") }
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
