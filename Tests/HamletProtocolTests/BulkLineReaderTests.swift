import Foundation
import HamletCore
@testable import HamletProtocol
import Testing
import HamletTestSupport

/// `Codec.decodeHub` reads `page` and `rows` lines with `BulkLineReader`, straight from the bytes. It must accept
/// exactly what the general path (`JSONValue` tree, then `FastCodec`, then `ValueDecoder`) accepts, give the same
/// messages, and refuse the same lines with the same errors. Random pages, written with random whitespace, member
/// order and escapes, and then broken at random, are decoded both ways.
struct BulkLineReaderTests {

    /// A JSON value to write, with the writer's freedoms (whitespace, escapes, order) left to the random generator.
    indirect enum J {
        case object([(String, J)])
        case array([J])
        case string(String)
        case int(Int64)
        /// Number text written as is (fractions, exponents, integers beyond 64 bits, `-0`).
        case number(String)
        case bool(Bool)
        case null
    }

    static func outcome(_ decode: ([UInt8]) throws(ProtocolError) -> HubMessage, _ line: [UInt8]) -> Result<HubMessage, ProtocolError> {
        do { return .success(try decode(line)) } catch { return .failure(error) }
    }

    static var seed: UInt64 {
        ProcessInfo.processInfo.environment["HAMLET_SEED"].flatMap(UInt64.init) ?? UInt64.random(in: 1...UInt64.max)
    }

    @Test func randomPagesDecodeAsTheGeneralPathDecodesThem() {
        let seed = Self.seed
        print("BulkLineReaderTests pages seed: \(seed) (HAMLET_SEED=\(seed) replays it)")
        var g = Generator(rng: SplitMix(state: seed))
        var fast = 0
        for round in 0..<1_500 {
            g.odd = g.chance(4)
            let value = g.chance(5) ? g.rowsMessage() : g.page()
            let line = Array(g.write(value).utf8)
            let general = Self.outcome(Codec.decodeHubGenerally, line)
            #expect(Self.outcome(Codec.decodeHub, line) == general, "seed \(seed), round \(round)")
            if let m = BulkLineReader.decodeHub(line) {
                fast += 1
                #expect(Result<HubMessage, ProtocolError>.success(m) == general, "seed \(seed), round \(round)")
            } else {
                // Only the odd lines (unknown members, odd numbers, escaped names, duplicates) may leave the fast reader.
                #expect(g.odd || g.escapedName, "seed \(seed), round \(round): the fast reader gave up on a plain line")
            }
        }
        #expect(fast > 700, "seed \(seed): the fast reader took only \(fast) of 1500 lines")
    }

    @Test func brokenPagesAreRefusedAsTheGeneralPathRefusesThem() {
        let seed = Self.seed
        print("BulkLineReaderTests broken seed: \(seed) (HAMLET_SEED=\(seed) replays it)")
        var g = Generator(rng: SplitMix(state: seed))
        for round in 0..<3_000 {
            var line = Array(g.write(g.chance(5) ? g.rowsMessage() : g.page()).utf8)
            Self.breakAtRandom(&line, &g)
            #expect(Self.outcome(Codec.decodeHub, line) == Self.outcome(Codec.decodeHubGenerally, line),
                    "seed \(seed), round \(round)")
        }
    }

    /// One to three random cuts, deletions, insertions or overwrites of bytes JSON and UTF-8 care about.
    static func breakAtRandom(_ line: inout [UInt8], _ g: inout Generator) {
        let noise: [UInt8] = [0, 9, 10, 31, 34, 44, 45, 48, 58, 92, 93, 110, 117, 123, 125, 0x80, 0xC3, 0xE4, 0xED, 0xF4, 0xFF]
        for _ in 0...g.below(3) where !line.isEmpty {
            let at = g.below(line.count)
            switch g.below(4) {
            case 0: line.removeLast(line.count - at)
            case 1: line.remove(at: at)
            case 2: line.insert(noise[g.below(noise.count)], at: at)
            default: line[at] = noise[g.below(noise.count)]
            }
        }
    }

    static let oddLines: [String] = [
        "", " ", "[]", "null", "{}", #"{"type":"page"}"#, #"{"type":"rows"}"#, #"{"type":"rows","rows":{}}"#,
        #"{"type":"rows","rows":[]} x"#, #"{"type":"rows","rows":[],}"#, #"{"type":"rows","rows":[,]}"#,
        #"{"type":"rows","rows":[{"table":"t","id":"\ud800","hseq":1}]}"#,
        #"{"type":"rows","rows":[{"table":"t","id":"\udc00","hseq":1}]}"#,
        #"{"type":"rows","rows":[{"table":"t","id":"\ud83d\ude00","hseq":1}]}"#,
        #"{"type":"rows","rows":[{"table":"t","id":"\ud83dx","hseq":1}]}"#,
        #"{"type":"rows","rows":[{"table":"t","id":"\u00e9\u4E2D\/\b\f\n\r\t\"\\","hseq":1}]}"#,
        #"{"type":"rows","rows":[{"table":"t","id":"\u00G0","hseq":1}]}"#,
        #"{"type":"rows","rows":[{"table":"t","id":"\x","hseq":1}]}"#,
        #"{"type":"rows","rows":[{"table":"t","id":"a","hseq":01}]}"#,
        #"{"type":"rows","rows":[{"table":"t","id":"a","hseq":-0}]}"#,
        #"{"type":"rows","rows":[{"table":"t","id":"a","hseq":-}]}"#,
        #"{"type":"rows","rows":[{"table":"t","id":"a","hseq":1.}]}"#,
        #"{"type":"rows","rows":[{"table":"t","id":"a","hseq":1.0}]}"#,
        #"{"type":"rows","rows":[{"table":"t","id":"a","hseq":1e2}]}"#,
        #"{"type":"rows","rows":[{"table":"t","id":"a","hseq":9223372036854775807}]}"#,
        #"{"type":"rows","rows":[{"table":"t","id":"a","hseq":9223372036854775808}]}"#,
        #"{"type":"rows","rows":[{"table":"t","id":"a","hseq":-9223372036854775808}]}"#,
        #"{"type":"rows","rows":[{"table":"t","id":"a","hseq":-9223372036854775809}]}"#,
        #"{"type":"rows","rows":[{"table":"t","id":"a","hseq":1,"values":null}]}"#,
        #"{"type":"rows","rows":[{"table":"t","id":"a","hseq":1,"values":{"x":true}}]}"#,
        #"{"type":"rows","rows":[{"table":"t","id":"a","hseq":1,"values":{"x":1.5}}]}"#,
        #"{"type":"rows","rows":[{"table":"t","id":"a","hseq":1,"versions":{"x":null}}]}"#,
        #"{"type":"rows","rows":[{"table":"t","id":"a","hseq":1,"deleted":1}]}"#,
        #"{"type":"rows","rows":[{"table":"t","id":"a","hseq":1,"deleted":true,"deleted":null}]}"#,
        #"{"type":"rows","rows":[{"table":"t","id":"a","hseq":1,"merged_into":5}]}"#,
        #"{"type":"rows","rows":[{"table":"t","id":"a","hseq":1,"extra":[[[[{}]]]]}]}"#,
        #"{"type":"rows","rows":[{"table":"t","id":"a","hseq":1,"values":{"x":1,"x":"y"}}]}"#,
        #"{"type":"rows","rows":[{"table":"t","id":"a","hseq":1}],"type":"page"}"#,
        #"{"type":"page","items":[],"cursor":1,"head":1,"done":true,"type":"rows"}"#,
        #"{"type":"page","items":[],"cursor":1,"head":1,"done":true,"clock":null}"#,
        #"{"type":"page","items":[],"cursor":1,"head":1,"done":true,"clock":"not a stamp"}"#,
        #"{"type":"page","items":[],"cursor":1,"head":1,"done":"yes"}"#,
        #"{"type":"page","items":[{"op":"move"}],"cursor":1,"head":1,"done":true}"#,
        #"{"type":"page","items":[{"op":"leave","table":"t","id":"a"}],"cursor":1,"head":1,"done":true}"#,
        #"{"type":"page","items":[{"op":"put"}],"cursor":1,"head":1,"done":true}"#,
        #"{"type":"page","items":[{"op":"put","row":{"table":"t","id":"a","hseq":1},"table":5}],"cursor":1,"head":1,"done":true}"#,
        #"{"type":"page","items":[7],"cursor":1,"head":1,"done":true}"#,
        #"{"t\u0079pe":"rows","rows":[]}"#, #"{"type":"r\u006fws","rows":[]}"#,
        #"{"type":"ack","batch":1,"results":[]}"#, #"{"type":"bye"}"#, #"{"type":"nope"}"#, #"{"type":5}"#,
        "\u{FEFF}{\"type\":\"rows\",\"rows\":[]}", "{\"type\":\"rows\",\"rows\":[{\"table\":\"t\",\"id\":\"a\tb\",\"hseq\":1}]}",
    ]

    @Test(arguments: oddLines)
    func oddLinesDecodeAsTheGeneralPathDecodesThem(_ text: String) {
        let line = Array(text.utf8)
        let general = Self.outcome(Codec.decodeHubGenerally, line)
        #expect(Self.outcome(Codec.decodeHub, line) == general)
        if let m = BulkLineReader.decodeHub(line) { #expect(Result<HubMessage, ProtocolError>.success(m) == general) }
    }

    @Test func utf8CheckAgreesWithTheStandardLibrary() {
        let seed = Self.seed
        print("BulkLineReaderTests UTF-8 seed: \(seed) (HAMLET_SEED=\(seed) replays it)")
        var rng = SplitMix(state: seed)
        func check(_ bytes: [UInt8]) {
            let ours = bytes.withUnsafeBufferPointer(BulkLineReader.isValidUTF8)
            #expect(ours == (String(validating: bytes, as: UTF8.self) != nil), "seed \(seed): \(bytes)")
        }
        for a in 0...255 {
            check([UInt8(a)])
            for b in 0...255 { check([UInt8(a), UInt8(b)]) }
        }
        let interesting: [UInt8] = [0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xE1, 0xEC,
                                    0xED, 0xEE, 0xEF, 0xF0, 0xF1, 0xF3, 0xF4, 0xF5, 0xFF]
        for _ in 0..<100_000 {
            check((0..<(1 + Int(rng.next() % 6))).map { _ in interesting[Int(rng.next() % UInt64(interesting.count))] })
        }
    }

    @Test func invalidUTF8IsRefusedAsBadUTF8() {
        for bytes: [UInt8] in [[0xFF], [0xC3], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE4, 0xB8]] {
            let line = Array(#"{"type":"rows","rows":[{"table":"t","id":""#.utf8) + bytes + Array(#"","hseq":1}]}"#.utf8)
            #expect(Self.outcome(Codec.decodeHub, line) == .failure(ProtocolError(.badUTF8, "line is not valid UTF-8")))
            #expect(BulkLineReader.decodeHub(line) == nil)
        }
    }

    @Test func theHubsOwnPagesTakeTheFastReader() throws {
        let row = RowState(table: "people", id: "01a20814-a626-77d5-9cbc-2e89ff793c00", values: ["name": .text("张三\"\\\n"), "age": .integer(-3)],
                           versions: ["name": 4, "age": Int64.max], deleted: false, mergedInto: "x", hseq: 9)
        let page = HubMessage.page(items: [.put(row), .leave(table: "people", id: "y", hseq: 3)], cursor: 9, head: 12, done: false,
                                   clock: HLC("001767225600710.000001.beizhao"))
        for m in [page, .rows([row, row])] {
            var line = Codec.encode(m)
            line.removeLast()
            #expect(BulkLineReader.decodeHub(line) == m)
        }
    }
}
