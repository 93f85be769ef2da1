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
        var f: Fields = [:]
        let o = try object(text, "field map")
        for (k, v) in o {
            guard let x = v.fieldValue else { throw StoreError(.corrupt, "stored field map does not decode") }
            f[k] = x
        }
        return f
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
