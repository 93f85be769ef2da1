import Foundation
import Testing
@testable import HamletCore
import HamletTestSupport

/// Issue 17: the hub reads a national ID of the common shape (17 ASCII digits and a digit or X) from its bytes. For
/// every text, `parse` must answer as the general, character-by-character reader does.
struct NationalIDFastPathTests {
    static func same(_ a: Result<NationalID, NationalID.ProblemBox>, _ b: Result<NationalID, NationalID.ProblemBox>) -> Bool {
        switch (a, b) {
        case (.success(let x), .success(let y)): x.text == y.text && x.birthDate == y.birthDate && x.sex == y.sex
        case (.failure(let x), .failure(let y)): x == y
        default: false
        }
    }

    @Test func theByteReaderAnswersAsTheCharacterReader() {
        let seed = ProcessInfo.processInfo.environment["HAMLET_SEED"].flatMap(UInt64.init) ?? UInt64.random(in: 1...UInt64.max)
        print("NationalIDFastPathTests seed: \(seed) (HAMLET_SEED=\(seed) replays it)")
        var rng = SplitMix(seed: seed)
        let odd: [Character] = ["x", "X", "Y", "٣", "３", " ", "\u{3000}", "a", "-", "é", "0"]
        var fastTaken = 0
        for round in 0..<20_000 {
            let valid = NationalID.make(region: [110_101, 370_681, 130_102, 990_000][Int(rng.next() % 4)],
                                        birth: CalendarDate(year: 1930 + Int(rng.next() % 95), month: 1 + Int(rng.next() % 12),
                                                            day: 1 + Int(rng.next() % 31)) ?? CalendarDate(year: 2000, month: 1, day: 1)!,
                                        sequence: Int(rng.next() % 1000))
            var chars = Array(valid)
            switch rng.next() % 6 {
            case 0: break
            case 1: chars[Int(rng.next() % UInt64(chars.count))] = odd[Int(rng.next() % UInt64(odd.count))]
            case 2: chars[17] = rng.next() % 2 == 0 ? "x" : "X"
            case 3: chars.removeLast(Int(rng.next() % 3))
            case 4: chars.append(odd[Int(rng.next() % UInt64(odd.count))])
            default: chars[Int(rng.next() % 17)] = Character(String(rng.next() % 10))
            }
            let text = String(chars)
            if NationalID.parseASCII(text) != nil { fastTaken += 1 }
            #expect(Self.same(NationalID.parse(text), NationalID.parseGeneral(text)), "seed \(seed), round \(round): \(text)")
        }
        #expect(fastTaken > 10_000, "the byte reader took \(fastTaken) of 20,000")
    }
}
