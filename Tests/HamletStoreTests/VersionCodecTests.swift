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
}
