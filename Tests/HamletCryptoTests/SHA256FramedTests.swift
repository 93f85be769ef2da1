import HamletCrypto
import Testing

// The framed updates must hash exactly the bytes of the allocating form they replaced: "<count>:<tag><bytes>".
@Suite("SHA-256 framed elements")
struct SHA256FramedTests {
    static func reference(_ pieces: [(String, UInt8)]) -> [UInt8] {
        var h = SHA256()
        for (s, tag) in pieces {
            let body = (tag == 0 ? "" : String(UnicodeScalar(tag))) + s
            h.update(Array(String(body.utf8.count).utf8))
            h.update([58])
            h.update(Array(body.utf8))
        }
        return h.finalize()
    }

    @Test("strings: empty, ASCII, CJK, long, with and without a tag")
    func strings() {
        let samples = ["", "a", "李梅", "370481199001011234", String(repeating: "北赵村三组", count: 40), "t", "🙂x"]
        for tag: UInt8 in [0, 116, 105] {
            var h = SHA256()
            for s in samples { h.updateFramed(s, tag: tag) }
            #expect(h.finalize() == Self.reference(samples.map { ($0, tag) }), "tag \(tag)")
        }
    }

    @Test("integers: zero, negatives, the extremes, seeded random")
    func integers() {
        var values: [Int64] = [0, 1, -1, 9, 10, -10, 123_456_789, .max, .min]
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        print("seed: \(state)")
        for _ in 0..<500 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            values.append(Int64(bitPattern: state) >> Int64(state % 60))
        }
        for tag: UInt8 in [0, 105] {
            var h = SHA256()
            for v in values { h.updateFramed(v, tag: tag) }
            #expect(h.finalize() == Self.reference(values.map { (String($0), tag) }), "tag \(tag)")
        }
    }
}
