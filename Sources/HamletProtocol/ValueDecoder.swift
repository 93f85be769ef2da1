import HamletCore

/// A `Decoder` over a parsed `JSONValue`: the one place where protocol lines become typed messages
/// (the fast decoders in `FastCodec` read the same `JSONValue`, so both paths agree on every rule).
///
/// Numbers are strict: an integer field takes only a JSON integer that fits its type (`1`, `-7`);
/// `1.0`, `1e3`, `1.5` and integers beyond 64 bits are a wrong type (`bad-field`), never rounded.
/// Paths name array elements by index (`changes.0.seq`).
struct ValueDecoder: Decoder {
    let value: JSONValue
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    init(_ value: JSONValue, codingPath: [any CodingKey] = []) {
        self.value = value
        self.codingPath = codingPath
    }

    func container<K: CodingKey>(keyedBy type: K.Type) throws -> KeyedDecodingContainer<K> {
        guard case .object(let object) = value else {
            if value.isNull { throw DecodingError.valueNotFound(JSONValue.self, .init(codingPath: codingPath, debugDescription: "null")) }
            throw Mismatch(codingPath: codingPath, expected: "an object")
        }
        return KeyedDecodingContainer(Keyed<K>(object: object, codingPath: codingPath))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .array(let array) = value else {
            if value.isNull { throw DecodingError.valueNotFound(JSONValue.self, .init(codingPath: codingPath, debugDescription: "null")) }
            throw Mismatch(codingPath: codingPath, expected: "an array")
        }
        return Unkeyed(array: array, codingPath: codingPath)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        Single(value: value, codingPath: codingPath)
    }

    /// A value of the wrong JSON type (or an integer out of range) at `codingPath`.
    struct Mismatch: Error {
        var codingPath: [any CodingKey]
        /// What the field takes, in English ("an integer within 64 bits").
        var expected: String
    }

    /// A key for an array element: its index, written as digits in paths.
    struct IndexKey: CodingKey {
        let intValue: Int?
        var stringValue: String { intValue.map(String.init) ?? "" }
        init(_ index: Int) { intValue = index }
        init?(intValue: Int) { self.intValue = intValue }
        init?(stringValue: String) {
            guard let i = Int(stringValue) else { return nil }
            intValue = i
        }
    }

    /// The path as the wire error message writes it: keys joined by dots, indexes as digits.
    static func path(_ keys: [any CodingKey]) -> String {
        keys.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
    }

    /// Decodes one value at `path` into `T`.
    static func decode<T: Decodable>(_ type: T.Type, from value: JSONValue, path: [any CodingKey]) throws -> T {
        let single = Single(value: value, codingPath: path)
        return try single.decode(type)
    }

    struct Single: SingleValueDecodingContainer {
        let value: JSONValue
        let codingPath: [any CodingKey]

        func mismatch(_ type: Any.Type, _ what: String) -> any Error {
            if case .null = value { return DecodingError.valueNotFound(type, .init(codingPath: codingPath, debugDescription: "null")) }
            return Mismatch(codingPath: codingPath, expected: what)
        }

        func decodeNil() -> Bool { value.isNull }

        func decode(_ type: Bool.Type) throws -> Bool {
            guard case .bool(let b) = value else { throw mismatch(type, "true or false") }
            return b
        }

        func decode(_ type: String.Type) throws -> String {
            guard case .string(let s) = value else { throw mismatch(type, "a string") }
            return s
        }

        func decode(_ type: Double.Type) throws -> Double {
            switch value {
            case .int(let i): return Double(i)
            case .number(let text):
                guard let d = Double(text) else { throw mismatch(type, "a number") }
                return d
            default: throw mismatch(type, "a number")
            }
        }

        func decode(_ type: Float.Type) throws -> Float { Float(try decode(Double.self)) }

        func integer<T: FixedWidthInteger>(_ type: T.Type) throws -> T {
            guard case .int(let i) = value, let v = T(exactly: i) else {
                throw mismatch(type, "an integer within 64 bits")
            }
            return v
        }

        func decode(_ type: Int.Type) throws -> Int { try integer(type) }
        func decode(_ type: Int8.Type) throws -> Int8 { try integer(type) }
        func decode(_ type: Int16.Type) throws -> Int16 { try integer(type) }
        func decode(_ type: Int32.Type) throws -> Int32 { try integer(type) }
        func decode(_ type: Int64.Type) throws -> Int64 { try integer(type) }
        func decode(_ type: UInt.Type) throws -> UInt { try integer(type) }
        func decode(_ type: UInt8.Type) throws -> UInt8 { try integer(type) }
        func decode(_ type: UInt16.Type) throws -> UInt16 { try integer(type) }
        func decode(_ type: UInt32.Type) throws -> UInt32 { try integer(type) }
        func decode(_ type: UInt64.Type) throws -> UInt64 { try integer(type) }

        func decode<T: Decodable>(_ type: T.Type) throws -> T {
            // Primitive types' own `init(from:)` come back to the strict readers above.
            try T(from: ValueDecoder(value, codingPath: codingPath))
        }
    }

    struct Keyed<K: CodingKey>: KeyedDecodingContainerProtocol {
        let object: [String: JSONValue]
        let codingPath: [any CodingKey]

        /// Sorted, so that the first problem reported in a map is the same on every run.
        var allKeys: [K] { object.keys.sorted().compactMap { K(stringValue: $0) } }

        func contains(_ key: K) -> Bool { object[key.stringValue] != nil }

        func value(_ key: K) throws -> JSONValue {
            guard let v = object[key.stringValue] else {
                throw DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: "missing"))
            }
            return v
        }

        func decodeNil(forKey key: K) throws -> Bool { try value(key).isNull }

        func decode<T: Decodable>(_ type: T.Type, forKey key: K) throws -> T {
            try ValueDecoder.decode(type, from: try value(key), path: codingPath + [key])
        }

        func nestedContainer<N: CodingKey>(keyedBy type: N.Type, forKey key: K) throws -> KeyedDecodingContainer<N> {
            try ValueDecoder(try value(key), codingPath: codingPath + [key]).container(keyedBy: type)
        }

        func nestedUnkeyedContainer(forKey key: K) throws -> any UnkeyedDecodingContainer {
            try ValueDecoder(try value(key), codingPath: codingPath + [key]).unkeyedContainer()
        }

        func superDecoder() throws -> any Decoder { ValueDecoder(.object(object), codingPath: codingPath) }

        func superDecoder(forKey key: K) throws -> any Decoder {
            ValueDecoder(object[key.stringValue] ?? .null, codingPath: codingPath + [key])
        }
    }

    struct Unkeyed: UnkeyedDecodingContainer {
        let array: [JSONValue]
        let codingPath: [any CodingKey]
        var currentIndex = 0

        init(array: [JSONValue], codingPath: [any CodingKey]) {
            self.array = array
            self.codingPath = codingPath
        }

        var count: Int? { array.count }
        var isAtEnd: Bool { currentIndex >= array.count }

        mutating func next(_ type: Any.Type) throws -> (JSONValue, [any CodingKey]) {
            guard !isAtEnd else {
                throw DecodingError.valueNotFound(type, .init(codingPath: codingPath + [IndexKey(currentIndex)], debugDescription: "past the end"))
            }
            defer { currentIndex += 1 }
            return (array[currentIndex], codingPath + [IndexKey(currentIndex)])
        }

        mutating func decodeNil() throws -> Bool {
            guard !isAtEnd else { return false }
            if array[currentIndex].isNull {
                currentIndex += 1
                return true
            }
            return false
        }

        mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
            let (v, path) = try next(type)
            return try ValueDecoder.decode(type, from: v, path: path)
        }

        mutating func nestedContainer<N: CodingKey>(keyedBy type: N.Type) throws -> KeyedDecodingContainer<N> {
            let (v, path) = try next([String: JSONValue].self)
            return try ValueDecoder(v, codingPath: path).container(keyedBy: type)
        }

        mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
            let (v, path) = try next([JSONValue].self)
            return try ValueDecoder(v, codingPath: path).unkeyedContainer()
        }

        mutating func superDecoder() throws -> any Decoder {
            let (v, path) = try next(JSONValue.self)
            return ValueDecoder(v, codingPath: path)
        }
    }
}
