@testable import HamletProtocol
import HamletCore

// Harness `codec`: Codec and FastCodec (Sources/HamletProtocol/Codec.swift, FastCodec.swift), both
// directions. Invariants: a line either end accepts re-encodes to a line that decodes to the same
// message; where the fast decoder takes a message, the Codable path (ValueDecoder) reads the same
// message from the same JSON.

/// Checks one direction: decode, re-encode, decode again; fast and Codable paths agree.
/// - Parameters:
///   - line: the input line, without its newline.
///   - decode: the public decoder of one direction.
///   - encode: the public encoder of the same direction.
///   - fast: the fast decoder of that direction.
///   - slow: the Codable decoder of that direction.
func roundTrip<M: Equatable>(_ line: [UInt8], decode: ([UInt8]) throws(ProtocolError) -> M, encode: (M) -> [UInt8],
                             fast: (JSONValue) -> M?, slow: (JSONValue) throws(ProtocolError) -> M) {
    guard let message = try? decode(line) else { return }
    var encoded = encode(message)
    fuzzCheck(encoded.last == 10 && !encoded.dropLast().contains(10), "an encoded message is not one line")
    encoded.removeLast()
    do {
        let again = try decode(encoded)
        fuzzCheck(again == message, "decode → encode → decode changed the message")
    } catch {
        fuzzCheck(false, "an encoded message does not decode: \(error.code.rawValue)")
    }
    guard let value = try? JSONReader.parse(line), let quick = fast(value) else { return }
    do {
        let careful = try slow(value)
        fuzzCheck(careful == quick, "FastCodec and the Codable path read different messages")
    } catch {
        fuzzCheck(false, "FastCodec took a message the Codable path refuses: \(error.code.rawValue)")
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCodec(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let line = fuzzBytes(data, size)
    roundTrip(line, decode: { (l) throws(ProtocolError) in try Codec.decodeClient(l) }, encode: { Codec.encode($0) },
              fast: { FastCodec.decodeClient($0) },
              slow: { (v) throws(ProtocolError) in try Codec.decode(ClientEnvelope.self, v).message })
    roundTrip(line, decode: { (l) throws(ProtocolError) in try Codec.decodeHub(l) }, encode: { Codec.encode($0) },
              fast: { FastCodec.decodeHub($0) },
              slow: { (v) throws(ProtocolError) in try Codec.decode(HubEnvelope.self, v).message })
    return 0
}
