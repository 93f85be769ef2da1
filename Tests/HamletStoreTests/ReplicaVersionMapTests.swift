import Foundation
import HamletCore
import Testing
@testable import HamletStore
import HamletTestSupport

/// Issue 17: a node reads pending changes' bases and the shadow's versions through `Replica.versionMap`, straight from
/// the bytes when the map is as the writer writes it. On written, odd and broken texts it must give what the general
/// reader (`JSONText.decode([String: Int64].self, _:)`) gives, or refuse what it refuses.
struct ReplicaVersionMapTests {
    static func general(_ text: String) -> [String: Int64]? { try? JSONText.decode([String: Int64].self, text) }

    @Test("seeded: version maps the writer writes, and odd or broken texts, read as the general reader reads them")
    func fastEqualsGeneral() {
        let seed = ReplicaPullPageTests.seed
        print("ReplicaVersionMapTests seed: \(seed) (HAMLET_SEED=\(seed) replays it)")
        var rng = SplitMix(state: seed)
        let ints: [Int64] = [0, 1, -1, 42, .max, .min, 13_900_000_000]
        var read = 0
        for _ in 0..<3_000 {
            var v: [String: Int64] = [:]
            for name in ["village", "name", "phone", "birth_date", "a\"b", "金额"] where rng.below(2) == 0 {
                v[name] = rng.below(2) == 0 ? ints[rng.below(ints.count)] : Int64(bitPattern: rng.next()) >> Int64(rng.below(64))
            }
            var text = JSONText.encode(v)
            if rng.below(3) == 0 {
                // Broken or odd: a byte changed, the text cut, or a space put in.
                var bytes = Array(text.utf8)
                let at = rng.below(bytes.count)
                let noise: [UInt8] = [32, 34, 44, 45, 46, 48, 58, 92, 101, 110, 123, 125, 91]
                switch rng.below(3) {
                case 0: bytes[at] = noise[rng.below(noise.count)]
                case 1: bytes.removeLast(bytes.count - at)
                default: bytes.insert(32, at: at)
                }
                text = String(decoding: bytes, as: UTF8.self)
            }
            let fast = try? Replica.versionMap(text)
            if fast != nil { read += 1 }
            #expect(fast == Self.general(text), "seed \(seed): \(text)")
        }
        #expect(read > 1_500)
        for odd in ["{}", "{\"a\":-0}", "{\"a\":01}", "{\"a\":1.5}", "{\"a\":1e3}", "{\"a\":null}", "{\"a\":\"1\"}", "{\"a\":true}",
                    "{\"a\":[]}", "{\"a\":9223372036854775808}", "{\"\\u00e9\":1}", "{\"a\":1,}", "{,}", "{} x", " { \"a\" : 1 } ",
                    "{\"a\":1,\"a\":2}", "{\"a\":1,\"b\":null}", "[]", ""] {
            #expect((try? Replica.versionMap(odd)) == Self.general(odd), "\(odd)")
        }
    }
}
