import HamletCore
import Testing
@testable import HamletStore

@Suite struct VersionCodecTests {
    @Test func packedVersionsRoundTrip() {
        var seed: UInt64 = 99
        func next() -> UInt64 { seed = seed &* 6364136223846793005 &+ 1442695040888963407; return seed >> 33 }
        let nodes = ["beizhao", "nanzhao-2", "@hub", "a_b"]
        for _ in 0..<300 {
            var v: [String: FieldVersion] = [:]
            for k in 0..<Int(next() % 6) {
                let writers = (0..<Int(1 + next() % 3)).map { _ in nodes[Int(next() % 4)] }
                v["field_\(k)"] = FieldVersion(hseq: Int64(next() % 1_000_000),
                                               hlc: HLC(wall: Int64(next()), counter: Int64(next() % 1000), node: nodes[Int(next() % 4)]),
                                               writers: writers)
            }
            let text = VersionCodec.encode(v)
            #expect(VersionCodec.decode(text) == v)
            #expect(VersionCodec.hseqs(text) == v.mapValues(\.hseq))
        }
        #expect(VersionCodec.decode("").isEmpty)
    }

    /// The packing written the simple way: the oracle of the buffered encoder.
    static func reference(_ versions: [String: FieldVersion]) -> String {
        versions.keys.sorted().map { k in
            let v = versions[k]!
            return "\(k)=\(v.hseq),\(v.hlc.description),\(v.writers.joined(separator: "|"))"
        }.joined(separator: ";")
    }

    @Test func theBufferedEncoderWritesWhatTheSimpleOneWould() {
        var seed: UInt64 = 2026_11_30
        func next() -> UInt64 { seed = seed &* 6364136223846793005 &+ 1442695040888963407; return seed >> 33 }
        let names = ["birth_date", "household", "name", "national_id", "sex", "village"]
        let order = names.sorted()
        for _ in 0..<500 {
            var v: [String: FieldVersion] = [:]
            let shared = FieldVersion(hseq: Int64(next() % 1000), hlc: HLC(wall: Int64(next()), counter: 0, node: "n"), writers: ["n", "@hub"])
            for k in names + (next() % 4 == 0 ? ["dropped"] : []) where next() % 3 != 0 {
                v[k] = next() % 2 == 0 ? shared
                    : FieldVersion(hseq: Int64(next() % 1000), hlc: HLC(wall: Int64(next()), counter: Int64(next() % 99), node: "m"),
                                   writers: (0..<Int(1 + next() % 2)).map { "w\($0)" })
            }
            #expect(VersionCodec.encode(v, order: order) == Self.reference(v))
            #expect(VersionCodec.encode(v) == Self.reference(v))
        }
    }

    /// A row kept by its table's layout packs and reads back its versions by ordinal; a version under a name the
    /// table does not have (a dropped field) takes the name map both ways. The text is the simple packing's.
    @Test func versionsByOrdinalPackAndReadAsByName() {
        var seed: UInt64 = 17_2026
        func next() -> UInt64 { seed = seed &* 6364136223846793005 &+ 1442695040888963407; return seed >> 33 }
        let people = Schema.register.table(named: "people")!
        let names = people.layout.names + ["dropped", "zz_dropped"]
        for round in 0..<500 {
            var v: [String: FieldVersion] = [:]
            let shared = FieldVersion(hseq: Int64(next() % 1000), hlc: HLC(wall: Int64(next()), counter: 0, node: "n"), writers: ["n"])
            for k in names where next() % (k.contains("dropped") ? 5 : 2) == 0 {
                v[k] = next() % 2 == 0 ? shared
                    : FieldVersion(hseq: Int64(next() % 1000), hlc: HLC(wall: Int64(next()), counter: Int64(next() % 9), node: "m"),
                                   writers: ["w", "@hub"])
            }
            let row = HubRow(table: "people", id: "r", values: [:], versions: v, hseq: 1).adopting(people.layout)
            let text = VersionCodec.encode(row)
            #expect(text == Self.reference(v), "round \(round)")
            let (byOrdinal, extra) = VersionCodec.decode(text, layout: people.layout)
            var back = extra
            for (o, version) in byOrdinal.enumerated() { if let version { back[people.layout.names[o]] = version } }
            #expect(back == v, "round \(round)")
            #expect(extra.keys.allSatisfy { $0.contains("dropped") })
        }
    }
}
