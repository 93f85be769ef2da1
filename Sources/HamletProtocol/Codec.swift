import FoundationEssentials
import HamletCore

/// A line the codec could not turn into a message, or a message a session refuses: the wire code and a
/// message that names the problem (a field path, never a value).
public struct ProtocolError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The wire code.
    public var code: ErrorCode
    /// English detail, naming fields but never record values.
    public var message: String
    /// Creates an error.
    /// - Parameters:
    ///   - code: The wire code.
    ///   - message: English detail without record values.
    public init(_ code: ErrorCode, _ message: String) {
        self.code = code
        self.message = message
    }
    /// `code: message`.
    public var description: String { "\(code.rawValue): \(message)" }
}

struct Key: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ s: String) { stringValue = s }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { return nil }
}

/// Encodes and decodes protocol lines (one JSON object, no newline inside).
public enum Codec {
    static func makeEncoder() -> JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.withoutEscapingSlashes, .sortedKeys]
        return e
    }

    /// One line of JSON for a hub message, newline included.
    public static func encode(_ m: HubMessage) -> [UInt8] {
        FastCodec.encode(m) ?? line(HubEnvelope(m))
    }

    /// One line of JSON for a client message, newline included.
    public static func encode(_ m: ClientMessage) -> [UInt8] {
        FastCodec.encode(m) ?? line(ClientEnvelope(m))
    }

    static func line<T: Encodable>(_ value: T) -> [UInt8] {
        do {
            var bytes = [UInt8](try makeEncoder().encode(value))
            bytes.append(10)
            return bytes
        } catch {
            return Array(#"{"type":"error","code":"internal","message":"encode failed","fatal":true}"#.utf8) + [10]
        }
    }

    /// Decodes a line (without its newline) from a node.
    ///
    /// The checks run in a fixed order and the first that fails is reported (PROTOCOL.md §6, precedence):
    /// `bad-utf8`, `bad-json`, `not-an-object`, `missing-type`, `unknown-type`, then `bad-field` for the first
    /// field (in the message's field order) that is missing, `null`, or of the wrong type or range.
    /// - Parameter line: The line's bytes, without the newline (and without a `\r` before it).
    /// - Returns: The message.
    /// - Throws: `ProtocolError` with the wire code for the first problem found.
    public static func decodeClient(_ line: [UInt8]) throws(ProtocolError) -> ClientMessage {
        // Pushes straight from the bytes; anything else (or anything odd) the general way.
        if let m = BulkLineReader.decodeClient(line) { return m }
        return try decodeClientGenerally(line)
    }

    /// `decodeClient(_:)` through the parsed `JSONValue` tree: every message, every error.
    static func decodeClientGenerally(_ line: [UInt8]) throws(ProtocolError) -> ClientMessage {
        let value = try parse(line)
        if let m = FastCodec.decodeClient(value) { return m }
        return try decode(ClientEnvelope.self, value).message
    }

    /// Decodes a line (without its newline) from the hub, with the same checks in the same order as
    /// `decodeClient(_:)`.
    /// - Parameter line: The line's bytes, without the newline.
    /// - Returns: The message.
    /// - Throws: `ProtocolError`.
    public static func decodeHub(_ line: [UInt8]) throws(ProtocolError) -> HubMessage {
        // Pull pages and snapshot rows straight from the bytes; anything else (or anything odd) the general way.
        if let m = BulkLineReader.decodeHub(line) { return m }
        return try decodeHubGenerally(line)
    }

    /// `decodeHub(_:)` through the parsed `JSONValue` tree: every message, every error.
    /// - Parameter line: The line's bytes, without the newline.
    /// - Returns: The message.
    /// - Throws: `ProtocolError`.
    static func decodeHubGenerally(_ line: [UInt8]) throws(ProtocolError) -> HubMessage {
        let value = try parse(line)
        if let m = FastCodec.decodeHub(value) { return m }
        return try decode(HubEnvelope.self, value).message
    }

    /// Checks UTF-8, parses the JSON, and checks that it is an object.
    static func parse(_ line: [UInt8]) throws(ProtocolError) -> JSONValue {
        guard String(validating: line, as: UTF8.self) != nil else { throw ProtocolError(.badUTF8, "line is not valid UTF-8") }
        let value: JSONValue
        do {
            value = try JSONReader.parse(line)
        } catch {
            throw ProtocolError(.badJSON, "line is not valid JSON")
        }
        guard case .object = value else { throw ProtocolError(.notAnObject, "line is not a JSON object") }
        return value
    }

    static func decode<T: Decodable>(_ type: T.Type, _ value: JSONValue) throws(ProtocolError) -> T {
        do {
            return try T(from: ValueDecoder(value))
        } catch let e as ProtocolError {
            throw e
        } catch let e as ValueDecoder.Mismatch {
            let path = ValueDecoder.path(e.codingPath)
            if path == "type" { throw ProtocolError(.missingType, "\"type\" is not a string") }
            throw ProtocolError(.badField, "wrong type at \(path): expected \(e.expected)")
        } catch let DecodingError.keyNotFound(key, ctx) {
            let path = ValueDecoder.path(ctx.codingPath + [key])
            if path == "type" { throw ProtocolError(.missingType, "the object has no \"type\"") }
            throw ProtocolError(.badField, "missing field \(path)")
        } catch let DecodingError.valueNotFound(_, ctx) {
            let path = ValueDecoder.path(ctx.codingPath)
            if path == "type" { throw ProtocolError(.missingType, "\"type\" is not a string") }
            throw ProtocolError(.badField, "null at \(path)")
        } catch let DecodingError.typeMismatch(_, ctx) {
            // Raised by a type's own decoder (a field value that is not a string, an integer or null).
            throw ProtocolError(.badField, "wrong type at \(ValueDecoder.path(ctx.codingPath))")
        } catch let DecodingError.dataCorrupted(ctx) {
            // A string that is not one of the allowed values (an `op`, a status, an HLC stamp).
            throw ProtocolError(.badField, "bad value at \(ValueDecoder.path(ctx.codingPath))")
        } catch {
            throw ProtocolError(.badField, "the message cannot be read")
        }
    }
}

/// Wire form of a pull item: `{"op":"put","row":{…}}` or `{"op":"leave","table":…,"id":…,"hseq":…}`.
struct WirePullItem: Codable {
    var item: PullItem
    init(_ item: PullItem) { self.item = item }
    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Key.self)
        switch try c.decode(String.self, forKey: Key("op")) {
        case "put": item = .put(try c.decode(RowState.self, forKey: Key("row")))
        case "leave":
            item = .leave(table: try c.decode(String.self, forKey: Key("table")), id: try c.decode(String.self, forKey: Key("id")),
                          hseq: try c.decode(Int64.self, forKey: Key("hseq")))
        default:
            throw DecodingError.dataCorruptedError(forKey: Key("op"), in: c, debugDescription: "unknown op")
        }
    }
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        switch item {
        case .put(let row):
            try c.encode("put", forKey: Key("op"))
            try c.encode(row, forKey: Key("row"))
        case .leave(let table, let id, let hseq):
            try c.encode("leave", forKey: Key("op"))
            try c.encode(table, forKey: Key("table"))
            try c.encode(id, forKey: Key("id"))
            try c.encode(hseq, forKey: Key("hseq"))
        }
    }
}

struct ClientEnvelope: Codable {
    var message: ClientMessage
    init(_ m: ClientMessage) { message = m }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Key.self)
        let type = try c.decode(String.self, forKey: Key("type"))
        switch type {
        case "hello": message = .hello(try ClientMessage.Hello(from: decoder))
        case "auth": message = .auth(proof: try c.decode(String.self, forKey: Key("proof")))
        case "push": message = .push(batch: try c.decode(Int64.self, forKey: Key("batch")),
                                     changes: try c.decode([Change].self, forKey: Key("changes")))
        case "pull": message = .pull(cursor: try c.decode(Int64.self, forKey: Key("cursor")),
                                     limit: try c.decodeIfPresent(Int.self, forKey: Key("limit")))
        case "verify": message = .verify(digest: try c.decode(ScopeDigest.self, forKey: Key("digest")))
        case "resync": message = .resync
        case "outcomes": message = .outcomes(conflicts: try c.decode([Int64].self, forKey: Key("conflicts")))
        case "bye": message = .bye
        default: throw ProtocolError(.unknownType, "unknown message type")
        }
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(message.type, forKey: Key("type"))
        switch message {
        case .hello(let h): try h.encode(to: encoder)
        case .auth(let proof): try c.encode(proof, forKey: Key("proof"))
        case .push(let batch, let changes):
            try c.encode(batch, forKey: Key("batch"))
            try c.encode(changes, forKey: Key("changes"))
        case .pull(let cursor, let limit):
            try c.encode(cursor, forKey: Key("cursor"))
            try c.encodeIfPresent(limit, forKey: Key("limit"))
        case .verify(let digest): try c.encode(digest, forKey: Key("digest"))
        case .outcomes(let ids): try c.encode(ids, forKey: Key("conflicts"))
        case .resync, .bye: break
        }
    }
}

struct HubEnvelope: Codable {
    var message: HubMessage
    init(_ m: HubMessage) { message = m }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Key.self)
        let type = try c.decode(String.self, forKey: Key("type"))
        switch type {
        case "challenge": message = .challenge(nonce: try c.decode(String.self, forKey: Key("nonce")))
        case "welcome": message = .welcome(try HubMessage.Welcome(from: decoder))
        case "ack": message = .ack(batch: try c.decode(Int64.self, forKey: Key("batch")),
                                   results: try c.decode([ChangeResult].self, forKey: Key("results")))
        case "page":
            message = .page(items: try c.decode([WirePullItem].self, forKey: Key("items")).map(\.item),
                            cursor: try c.decode(Int64.self, forKey: Key("cursor")), head: try c.decode(Int64.self, forKey: Key("head")),
                            done: try c.decode(Bool.self, forKey: Key("done")), clock: try c.decodeIfPresent(HLC.self, forKey: Key("clock")))
        case "verified": message = .verified(match: try c.decode(Bool.self, forKey: Key("match")),
                                             tables: try c.decodeIfPresent([String].self, forKey: Key("tables")) ?? [])
        case "snapshot-begin":
            message = .snapshotBegin(head: try c.decode(Int64.self, forKey: Key("head")), epoch: try c.decode(String.self, forKey: Key("epoch")),
                                     hub: try c.decode(String.self, forKey: Key("hub")))
        case "rows": message = .rows(try c.decode([RowState].self, forKey: Key("rows")))
        case "snapshot-end":
            message = .snapshotEnd(head: try c.decode(Int64.self, forKey: Key("head")), count: try c.decode(Int64.self, forKey: Key("count")),
                                   lastSeq: try c.decode(Int64.self, forKey: Key("last_seq")),
                                   clock: try c.decodeIfPresent(HLC.self, forKey: Key("clock")))
        case "conflicts": message = .conflicts(try c.decode([ConflictOutcome].self, forKey: Key("conflicts")))
        case "error":
            // A code this build does not know (a newer hub) reads as `internal`, the code kept in the message.
            let raw = try c.decode(String.self, forKey: Key("code"))
            let text = try c.decode(String.self, forKey: Key("message"))
            let code = ErrorCode(rawValue: raw) ?? .internal
            message = .error(code: code, message: code.rawValue == raw ? text : "\(raw): \(text)",
                             fatal: try c.decodeIfPresent(Bool.self, forKey: Key("fatal")) ?? false,
                             retryAfter: try c.decodeIfPresent(Int.self, forKey: Key("retry_after")),
                             expectedSeq: try c.decodeIfPresent(Int64.self, forKey: Key("expected_seq")))
        case "bye": message = .bye
        default: throw ProtocolError(.unknownType, "unknown message type")
        }
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(message.type, forKey: Key("type"))
        switch message {
        case .challenge(let nonce): try c.encode(nonce, forKey: Key("nonce"))
        case .welcome(let w): try w.encode(to: encoder)
        case .ack(let batch, let results):
            try c.encode(batch, forKey: Key("batch"))
            try c.encode(results, forKey: Key("results"))
        case .page(let items, let cursor, let head, let done, let clock):
            try c.encode(items.map(WirePullItem.init), forKey: Key("items"))
            try c.encode(cursor, forKey: Key("cursor"))
            try c.encode(head, forKey: Key("head"))
            try c.encode(done, forKey: Key("done"))
            try c.encodeIfPresent(clock, forKey: Key("clock"))
        case .verified(let match, let tables):
            try c.encode(match, forKey: Key("match"))
            try c.encode(tables, forKey: Key("tables"))
        case .snapshotBegin(let head, let epoch, let hub):
            try c.encode(head, forKey: Key("head"))
            try c.encode(epoch, forKey: Key("epoch"))
            try c.encode(hub, forKey: Key("hub"))
        case .rows(let rows): try c.encode(rows, forKey: Key("rows"))
        case .snapshotEnd(let head, let count, let lastSeq, let clock):
            try c.encode(head, forKey: Key("head"))
            try c.encode(count, forKey: Key("count"))
            try c.encode(lastSeq, forKey: Key("last_seq"))
            try c.encodeIfPresent(clock, forKey: Key("clock"))
        case .conflicts(let outcomes): try c.encode(outcomes, forKey: Key("conflicts"))
        case .error(let code, let message, let fatal, let retryAfter, let expectedSeq):
            try c.encode(code, forKey: Key("code"))
            try c.encode(message, forKey: Key("message"))
            try c.encode(fatal, forKey: Key("fatal"))
            try c.encodeIfPresent(retryAfter, forKey: Key("retry_after"))
            try c.encodeIfPresent(expectedSeq, forKey: Key("expected_seq"))
        case .bye: break
        }
    }
}
