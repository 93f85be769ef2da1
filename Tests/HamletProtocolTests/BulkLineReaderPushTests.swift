import Foundation
import HamletCore
@testable import HamletProtocol
import Testing
import HamletTestSupport

/// Issue 17: the hub reads `push` lines with `BulkLineReader`, straight from the bytes. It must accept exactly what
/// the general path (`JSONValue` tree, `FastCodec`, then `ValueDecoder`) accepts, give the same changes, and refuse
/// the same lines with the same errors: random pushes, with every writer's freedom and, in odd mode, what only the
/// general path reads, then broken at random, are decoded both ways.
struct BulkLineReaderPushTests {
    typealias J = BulkLineReaderTests.J

    static func outcome(_ decode: ([UInt8]) throws(ProtocolError) -> ClientMessage, _ line: [UInt8]) -> Result<ClientMessage, ProtocolError> {
        do { return .success(try decode(line)) } catch { return .failure(error) }
    }

    @Test func randomPushesDecodeAsTheGeneralPathDecodesThem() {
        let seed = BulkLineReaderTests.seed
        print("BulkLineReaderPushTests seed: \(seed) (HAMLET_SEED=\(seed) replays it)")
        var g = BulkLineReaderTests.Generator(rng: SplitMix(state: seed))
        var fast = 0
        for round in 0..<1_500 {
            g.odd = g.chance(4)
            let line = Array(g.write(g.push()).utf8)
            let general = Self.outcome(Codec.decodeClientGenerally, line)
            #expect(Self.outcome(Codec.decodeClient, line) == general, "seed \(seed), round \(round)")
            if let m = BulkLineReader.decodeClient(line) {
                fast += 1
                #expect(Result<ClientMessage, ProtocolError>.success(m) == general, "seed \(seed), round \(round)")
            } else if case .success = general {
                // A plain push the general path takes never leaves the fast reader (only odd lines and escaped names may).
                #expect(g.odd || g.escapedName, "seed \(seed), round \(round): the fast reader gave up on a plain push: \(String(decoding: line.prefix(600), as: UTF8.self))")
            }
        }
        #expect(fast > 100, "seed \(seed): the fast reader took only \(fast) of 1500 lines")
    }

    @Test func brokenPushesAreRefusedAsTheGeneralPathRefusesThem() {
        let seed = BulkLineReaderTests.seed
        print("BulkLineReaderPushTests broken seed: \(seed) (HAMLET_SEED=\(seed) replays it)")
        var g = BulkLineReaderTests.Generator(rng: SplitMix(state: seed))
        for round in 0..<3_000 {
            var line = Array(g.write(g.push()).utf8)
            BulkLineReaderTests.breakAtRandom(&line, &g)
            #expect(Self.outcome(Codec.decodeClient, line) == Self.outcome(Codec.decodeClientGenerally, line), "seed \(seed), round \(round)")
        }
    }

    @Test func oddPushesAgree() {
        let lines = [
            #"{"type":"push","batch":1,"changes":[]}"#, #"{"type":"push","changes":[]}"#, #"{"type":"pull","batch":1,"changes":[]}"#,
            #"{"type":"push","batch":1,"changes":[{"node":"n","seq":1,"table":"t","row":"r","op":"put","hlc":"000000000000001.000000.n"}]}"#,
            #"{"type":"push","batch":1,"changes":[{"node":"n","seq":1,"table":"t","row":"r","op":"put","hlc":"bad"}]}"#,
            #"{"type":"push","batch":1,"changes":[{"node":"n","seq":1,"table":"t","row":"r","op":"move","hlc":"000000000000001.000000.n"}]}"#,
            #"{"type":"push","batch":1,"changes":[{"node":"n","seq":1,"table":"t","row":"r","op":"delete","hlc":"000000000000001.000000.n","author":null}]}"#,
            #"{"type":"push","batch":1,"changes":[{"node":"n","seq":1,"table":"t","row":"r","op":"put","hlc":"000000000000001.000000.n","row_base":null}]}"#,
            #"{"type":"push","batch":1,"changes":[{"node":"n","seq":1,"table":"t","row":"r","op":"put","hlc":"000000000000001.000000.n","values":null}]}"#,
            #"{"type":"push","batch":1,"changes":[{"node":"n","seq":1.0,"table":"t","row":"r","op":"put","hlc":"000000000000001.000000.n"}]}"#,
            #"{"type":"push","batch":1,"changes":[{"seq":1,"table":"t","row":"r","op":"put","hlc":"000000000000001.000000.n"}]}"#,
            #"{"type":"push","batch":1,"changes":[{"node":"n","seq":1,"table":"t","row":"r","op":"put","hlc":"000000000000001.000000.n","values":{"a":1,"a":"b"},"bases":{"a":2}}]}"#,
            #"{"type":"push","batch":1,"changes":[{"node":"n","seq":1,"table":"t","row":"r","op":"put","hlc":"000000000000001.000000.n","bases":{"a":"2"}}]}"#,
        ]
        for text in lines {
            let line = Array(text.utf8)
            #expect(Self.outcome(Codec.decodeClient, line) == Self.outcome(Codec.decodeClientGenerally, line), "\(text)")
        }
        #expect(BulkLineReader.decodeClient(Array(lines[3].utf8)) != nil, "a plain push is read fast")
    }
}

extension BulkLineReaderTests.Generator {
    mutating func change() -> BulkLineReaderTests.J {
        let node = ["beizhao", "北赵", "n-2"][below(3)]
        var members: [(String, BulkLineReaderTests.J)] = [
            ("node", .string(node)), ("seq", .int(chance(4) ? int() : Int64(below(100_000)))), ("table", table()), ("row", id()),
            ("op", .string(chance(5) ? "delete" : chance(20) ? "move" : "put")),
            ("hlc", .string(chance(30) ? text() : HLC(wall: Int64(below(1_000_000_000)) * 1_000, counter: Int64(below(1_000_000)), node: node).description)),
        ]
        var values: [(String, BulkLineReaderTests.J)] = []
        var bases: [(String, BulkLineReaderTests.J)] = []
        for name in Self.names where chance(2) { values.append((name, fieldValue())) }
        for name in Self.names where chance(2) { bases.append((name, odd && chance(8) ? fieldValue() : .int(int()))) }
        if !chance(6) { members.append(("values", .object(values.shuffled(using: &rng)))) }
        if !chance(6) { members.append(("bases", .object(bases.shuffled(using: &rng)))) }
        if !chance(4) { members.append(("row_base", odd && chance(6) ? .null : .int(int()))) }
        if !chance(4) { members.append(("author", odd && chance(6) ? .null : .string(text()))) }
        if !chance(4) { members.append(("epoch", odd && chance(6) ? .null : .string(chance(2) ? "" : text()))) }
        return finish(members)
    }

    mutating func push() -> BulkLineReaderTests.J {
        finish([("type", .string("push")), ("batch", .int(int())), ("changes", .array((0..<below(7)).map { _ in change() }))])
    }
}
