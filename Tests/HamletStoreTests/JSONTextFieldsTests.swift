import Foundation
import HamletCore
import Testing
@testable import HamletStore

/// Issue 17: a node reads every pending change's field map straight from the bytes when it is plain
/// (`JSONText.plainFields`); anything else goes to the general reader. Both must give the same map, or the same refusal.
struct JSONTextFieldsTests {
    static func general(_ text: String) -> Fields? {
        guard let o = try? JSONText.object(text, "field map") else { return nil }
        var f: Fields = [:]
        for (k, v) in o {
            guard let x = v.fieldValue else { return nil }
            f[k] = x
        }
        return f
    }

    @Test("seeded: maps the writer writes, and odd or broken texts, read as the general reader reads them")
    func plainEqualsGeneral() {
        let seed = ProcessInfo.processInfo.environment["HAMLET_SEED"].flatMap(UInt64.init) ?? UInt64.random(in: 1...UInt64.max)
        print("JSONTextFieldsTests seed: \(seed) (HAMLET_SEED=\(seed) replays it)")
        var rng = SeedRandom(seed: seed)
        let texts = ["", "张三", "北赵村三组12号", "环位正常，未孕", "a\"b", "back\\slash", "tab\there", "𠀀🙂", "null", "0123"]
        let ints: [Int64] = [0, 1, -1, 42, .max, .min, 13_900_000_000]
        var plain = 0
        for _ in 0..<3_000 {
            var f: Fields = [:]
            for name in ["village", "name", "phone", "birth_date", "round", "金额"] where rng.next() % 2 == 0 {
                switch rng.next() % 3 {
                case 0: f[name] = .null
                case 1: f[name] = .integer(ints[Int(rng.next() % UInt64(ints.count))])
                default: f[name] = .text(texts[Int(rng.next() % UInt64(texts.count))])
                }
            }
            var text = JSONText.encode(f)
            if rng.next() % 3 == 0, !text.isEmpty {
                // Broken or odd: a byte changed, cut, or spaces put in.
                var bytes = Array(text.utf8)
                let at = Int(rng.next() % UInt64(bytes.count))
                let noise: [UInt8] = [32, 34, 44, 45, 46, 48, 58, 92, 101, 110, 123, 125, 91]
                switch rng.next() % 3 {
                case 0: bytes[at] = noise[Int(rng.next() % UInt64(noise.count))]
                case 1: bytes.removeLast(bytes.count - at)
                default: bytes.insert(32, at: at)
                }
                text = String(decoding: bytes, as: UTF8.self)
            }
            let fast = JSONText.plainFields(text)
            if let fast {
                plain += 1
                #expect(fast == Self.general(text), "seed \(seed): \(text)")
            }
            #expect((try? JSONText.decode(Fields.self, text)) == Self.general(text), "seed \(seed): \(text)")
        }
        #expect(plain > 1_000)
        for odd in ["{\"a\":-0}", "{\"a\":01}", "{\"a\":1.5}", "{\"a\":1e3}", "{\"a\":true}", "{\"a\":[]}", "{\"a\":9223372036854775808}",
                    "{\"a\":\"\\u00e9\"}", "{\"a\":1,}", "{,}", "{} x", " { \"a\" : 1 } ", "{\"a\":1,\"a\":\"b\"}"] {
            #expect((try? JSONText.decode(Fields.self, odd)) == Self.general(odd), "\(odd)")
        }
        #expect(JSONText.plainFields("{\"a\":-0}") == nil && JSONText.plainFields(" { \"a\" : 1 } ") == ["a": .integer(1)])
    }
}
