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

    static func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
        do {
            return try JSONDecoder().decode(T.self, from: Data(text.utf8))
        } catch {
            throw StoreError(.corrupt, "stored document does not decode as \(T.self)")
        }
    }
}
