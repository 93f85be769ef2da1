import Foundation
import HamletCore
import HamletProtocol
import Testing

/// Keeps `Protocol/PROTOCOL.md` honest: every JSON example decodes with the hub's codec, re-encodes to the same
/// values, uses only fields the codec knows, and the worked credential and digest examples compute.
@Suite(.serialized)
struct ProtocolDocTests {
    static let clientTypes: Set<String> = ["hello", "auth", "push", "pull", "verify", "outcomes", "resync", "bye"]
    static let hubTypes: Set<String> = ["challenge", "welcome", "ack", "page", "verified", "conflicts", "snapshot-begin", "rows",
                                        "snapshot-end", "error", "bye"]

    static func document() throws -> String {
        let here = URL(fileURLWithPath: #filePath)
        let path = here.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Protocol/PROTOCOL.md").path
        return try String(contentsOfFile: path, encoding: .utf8)
    }

    /// The lines of every fenced block tagged `tag`.
    static func blocks(_ tag: String, in text: String) -> [[String]] {
        var result: [[String]] = []
        var current: [String]?
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = String(raw)
            if current == nil, line.trimmingCharacters(in: .whitespaces) == "```" + tag {
                current = []
            } else if current != nil, line.trimmingCharacters(in: .whitespaces) == "```" {
                result.append(current ?? [])
                current = nil
            } else if current != nil {
                current?.append(line)
            }
        }
        return result
    }

    static func jsonLines() throws -> [String] {
        blocks("json", in: try document()).flatMap { $0 }.filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
    }

    /// True when every key and value of `a` appears in `b` (which may add defaults).
    static func isContained(_ a: Any, in b: Any) -> Bool {
        if let x = a as? [String: Any] {
            guard let y = b as? [String: Any] else { return false }
            return x.allSatisfy { key, value in y[key].map { isContained(value, in: $0) } ?? false }
        }
        if let x = a as? [Any] {
            guard let y = b as? [Any], x.count == y.count else { return false }
            return zip(x, y).allSatisfy { isContained($0, in: $1) }
        }
        if let x = a as? String { return (b as? String) == x }
        if a is NSNull { return b is NSNull }
        if let x = a as? NSNumber, let y = b as? NSNumber { return x == y }
        return false
    }

    enum Decoded {
        case client(ClientMessage)
        case hub(HubMessage)
    }

    static func decode(_ line: String) throws -> [Decoded] {
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "\(line)")
        let type = try #require(object["type"] as? String, "no type in \(line)")
        var out: [Decoded] = []
        if clientTypes.contains(type) { out.append(.client(try Codec.decodeClient(Array(line.utf8)))) }
        if hubTypes.contains(type) { out.append(.hub(try Codec.decodeHub(Array(line.utf8)))) }
        try #require(!out.isEmpty, "unknown type \(type)")
        return out
    }

    @Test func everyExampleRoundTrips() throws {
        let lines = try ProtocolDocTests.jsonLines()
        #expect(lines.count >= 40)
        for line in lines {
            for decoded in try ProtocolDocTests.decode(line) {
                let encoded: [UInt8]
                switch decoded {
                case .client(let message):
                    encoded = Codec.encode(message)
                    #expect(try Codec.decodeClient(Array(encoded.dropLast())) == message, "\(line)")
                case .hub(let message):
                    encoded = Codec.encode(message)
                    #expect(try Codec.decodeHub(Array(encoded.dropLast())) == message, "\(line)")
                }
                #expect(encoded.last == 10)
                #expect(!encoded.dropLast().contains(10))
                // No field in the example is one the codec ignores (a typo would be silently dropped).
                let original = try JSONSerialization.jsonObject(with: Data(line.utf8))
                let again = try JSONSerialization.jsonObject(with: Data(encoded.dropLast()))
                #expect(ProtocolDocTests.isContained(original, in: again), "a field of this example is not in the codec: \(line)")
            }
        }
    }

    @Test func everyMessageTypeAndErrorCodeHasAnExample() throws {
        var clientSeen: Set<String> = []
        var hubSeen: Set<String> = []
        var codes: Set<ErrorCode> = []
        for line in try ProtocolDocTests.jsonLines() {
            for decoded in try ProtocolDocTests.decode(line) {
                switch decoded {
                case .client(let m): clientSeen.insert(m.type)
                case .hub(let m):
                    hubSeen.insert(m.type)
                    if case .error(let code, _, _, _, _) = m { codes.insert(code) }
                }
            }
        }
        #expect(clientSeen == ProtocolDocTests.clientTypes)
        #expect(hubSeen == ProtocolDocTests.hubTypes)
        #expect(codes == Set(ErrorCode.allCases))
    }

    @Test func everyCodeIsDocumented() throws {
        let text = try ProtocolDocTests.document()
        let rejection = ["out-of-scope", "not-owner", "unknown-row", "seq-reused", "invalid-change"]
        #expect(rejection == [Rejection.Code.outOfScope, .notOwner, .unknownRow, .seqReused, .invalidChange].map(\.rawValue))
        for code in ErrorCode.allCases.map(\.rawValue) + ValidationIssue.Code.allCases.map(\.rawValue) + rejection {
            #expect(text.contains("| `\(code)` |"), "\(code) has no row in a code table")
        }
    }

    @Test func credentialExampleComputes() throws {
        let text = try ProtocolDocTests.document()
        let block = try #require(ProtocolDocTests.blocks("text", in: text).first { $0.contains { $0.hasPrefix("proof:") } })
        var fields: [String: String] = [:]
        for line in block {
            let parts = line.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if parts.count == 2 { fields[parts[0]] = parts[1] }
        }
        let node = try #require(fields["node"])
        let secret = try #require(fields["secret"])
        let nonce = try #require(fields["nonce"])
        let stored = try #require(fields["stored_key"])
        let proof = try #require(fields["proof"])
        #expect(Credentials.storedKey(secret: secret) == stored)
        #expect(Credentials.proof(secret: secret, nonce: nonce, node: node) == proof)
        #expect(Credentials.verify(proof: proof, storedKey: stored, nonce: nonce, node: node))
        // The session example uses the same exchange.
        #expect(text.contains(#""nonce":"\#(nonce)""#))
        #expect(text.contains(#""proof":"\#(proof)""#))
    }

    @Test func digestExampleComputes() throws {
        var rows: [RowState] = []
        var digests: [ScopeDigest] = []
        for line in try ProtocolDocTests.jsonLines() {
            for decoded in try ProtocolDocTests.decode(line) {
                if case .hub(.rows(let r)) = decoded, rows.isEmpty { rows = r }
                if case .client(.verify(let d)) = decoded { digests.append(d) }
            }
        }
        try #require(!rows.isEmpty)
        var builder = DigestBuilder(schema: .register)
        for row in rows { builder.add(row) }
        #expect(digests.first == builder.finish())
        #expect(digests.contains(DigestBuilder(schema: .register).finish()))
    }

    @Test func theShippedSchemaIsInTheDocumentWhole() throws {
        let block = try #require(ProtocolDocTests.blocks("schema", in: try ProtocolDocTests.document()).first)
        let documented = try Schema.decode(Array(block.joined(separator: "\n").utf8))
        #expect(documented == Schema.register, "PROTOCOL.md §14 must carry the shipped register schema")
    }
}
