#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Testing
@testable import HamletCore
import HamletTestSupport

private func h(_ wall: Int64, _ counter: Int64, _ node: String) -> HLC { HLC(wall: wall, counter: counter, node: node) }

@Suite struct HLCTests {

    // Each pair is strictly ordered: first < second.
    @Test(arguments: [
        (h(1, 0, "a"), h(2, 0, "a")),
        (h(1, 9, "z"), h(2, 0, "a")),          // wall first
        (h(5, 1, "z"), h(5, 2, "a")),          // then counter
        (h(5, 2, "a"), h(5, 2, "b")),          // then node bytes
        (h(5, 2, "East"), h(5, 2, "east")),    // bytes: uppercase before lowercase
        (h(5, 2, "a"), h(5, 2, "ab")),         // prefix first
        (h(5, 2, "east-1"), h(5, 2, "east_1")),
        (h(5, 2, "z"), h(5, 2, "é")),          // UTF-8 bytes, 0xC3 > 'z'
        (h(5, 2, ""), h(5, 2, "a")),
        (HLC.zero, h(0, 0, "a")),
        (HLC.zero, h(1, 0, "")),
        (h(1_700_000_000_000, 999_999, "a"), h(1_700_000_000_001, 0, "a")),
    ])
    func ordering(a: HLC, b: HLC) {
        #expect(a < b)
        #expect(!(b < a))
        #expect(a != b)
        #expect(a.description.utf8.lexicographicallyPrecedes(b.description.utf8), "text form sorts like the stamp")
    }

    @Test func equalStampsAreEqual() {
        #expect(h(3, 4, "n") == h(3, 4, "n"))
        #expect(!(h(3, 4, "n") < h(3, 4, "n")))
    }

    @Test func textForm() {
        #expect(h(1_700_000_000_123, 5, "east-1").description == "001700000000123.000005.east-1")
        #expect(HLC.zero.description == "000000000000000.000000.")
        #expect(h(1, 2, "@hub").description == "000000000000001.000002.@hub")
    }

    @Test(arguments: [
        h(0, 0, ""), h(1_700_000_000_123, 5, "east-1"), h(999_999_999_999_999, 999_999, "z"),
        h(12, 0, "a.b.c"), h(12, 0, NodeID.hub), h(7, 7, "村"),
    ])
    func textRoundTrips(stamp: HLC) throws {
        #expect(HLC(stamp.description) == stamp)
        let json = try JSONEncoder().encode([stamp])
        #expect(String(decoding: json, as: UTF8.self) == "[\"\(stamp.description)\"]")
        #expect(try JSONDecoder().decode([HLC].self, from: json) == [stamp])
    }

    @Test(arguments: ["", "1", "1.2", "a.1.n", "1.b.n", "-1.0.n", "1.-1.n", " 1.0.n"])
    func textRefuses(text: String) {
        #expect(HLC(text) == nil)
    }

    @Test func decodingRefusesNonStamps() {
        #expect(throws: (any Error).self) { try JSONDecoder().decode([HLC].self, from: Data(#"["x.y.z"]"#.utf8)) }
        #expect(throws: (any Error).self) { try JSONDecoder().decode([HLC].self, from: Data("[12]".utf8)) }
    }

    @Test func textSortsLikeTheStampOverRandomStamps() {
        let seed: UInt64 = 2024
        print("HLCTests.textSortsLikeTheStampOverRandomStamps seed \(seed)")
        var rng = CoreTestRNG(seed: seed)
        let nodes = ["a", "b", "ab", "east-1", "east-2", "west-1", "@hub", ""]
        let stamps = (0..<500).map { _ in
            HLC(wall: Int64.random(in: 0...3, using: &rng) * 1_000_000_000_000 + Int64.random(in: 0...3, using: &rng),
                counter: [0, 1, 9, 10, 99_999, 999_999].randomElement(using: &rng)!,
                node: nodes.randomElement(using: &rng)!)
        }
        let byStamp = stamps.sorted()
        let byText = stamps.sorted { $0.description.utf8.lexicographicallyPrecedes($1.description.utf8) }
        #expect(byStamp == byText)
    }

    @Test func textOfOutOfRangeCounterStillSortsLikeTheStamp() {
        // Stamps arrive from other nodes (wire, JSON); a counter past six digits or a wall past fifteen
        // breaks the text order SQLite relies on.
        let big = HLC("000000000000001.1000000.a")
        let small = h(1, 999_999, "a")
        do {
            #expect(big == nil)
        }
        if let big {
            #expect(small < big)
            do {
                #expect(small.description.utf8.lexicographicallyPrecedes(big.description.utf8))
            }
        }
    }

    // MARK: HybridClock

    @Test func tickIsMonotonicWhenTheWallClockGoesBackwards() {
        var clock = HybridClock(node: "east-1")
        var last = HLC.zero
        for wall: Int64 in [1_000, 1_000, 999, 500, 2_000, 1_999, 0, -5, 2_000, 2_001, 10] {
            let s = clock.tick(wallMillis: wall)
            #expect(last < s, "\(s) after \(last) at wall \(wall)")
            #expect(s.node == "east-1")
            #expect(s.wall >= wall)
            #expect(clock.last == s)
            last = s
        }
    }

    @Test func tickFollowsTheWallClockWhenItAdvances() {
        var clock = HybridClock(node: "n")
        #expect(clock.tick(wallMillis: 100) == h(100, 0, "n"))
        #expect(clock.tick(wallMillis: 100) == h(100, 1, "n"))
        #expect(clock.tick(wallMillis: 90) == h(100, 2, "n"))
        #expect(clock.tick(wallMillis: 101) == h(101, 0, "n"))
    }

    @Test func randomWallClockNeverMakesTheClockGoBack() {
        let seed: UInt64 = 77
        print("HLCTests.randomWallClockNeverMakesTheClockGoBack seed \(seed)")
        var rng = CoreTestRNG(seed: seed)
        var clock = HybridClock(node: "west-1")
        var last = HLC.zero
        var wall: Int64 = 1_700_000_000_000
        for _ in 0..<5000 {
            wall += Int64.random(in: -86_400_000...86_400_000, using: &rng)
            let s: HLC
            if Bool.random(using: &rng) {
                s = clock.tick(wallMillis: wall)
            } else {
                let remote = HLC(wall: wall + Int64.random(in: -1_000...1_000, using: &rng),
                                 counter: Int64.random(in: 0...999_999, using: &rng), node: "east-1")
                clock.observe(remote, wallMillis: wall)
                #expect(HLC(wall: remote.wall, counter: remote.counter, node: "") < HLC(wall: clock.last.wall, counter: clock.last.counter, node: ""))
                s = clock.last
            }
            #expect(last < s)
            #expect(s.counter <= 999_999)
            last = s
        }
    }

    @Test func counterOverflowCarriesIntoTheWall() {
        var clock = HybridClock(node: "n", last: h(100, 999_999, "n"))
        #expect(clock.tick(wallMillis: 50) == h(101, 0, "n"))
        var c2 = HybridClock(node: "n", last: h(100, 5, "n"))
        c2.observe(h(100, 999_999, "m"), wallMillis: 10)
        #expect(c2.last == h(101, 0, "n"))
    }

    @Test func observeOfAStampFarAheadKeepsLaterStampsAfterIt() {
        let now: Int64 = 1_700_000_000_000
        var clock = HybridClock(node: "east-1")
        _ = clock.tick(wallMillis: now)
        let remote = HLC(wall: now + 10 * 86_400_000, counter: 7, node: "west-1") // ten days ahead
        clock.observe(remote, wallMillis: now + 1)
        #expect(clock.last > remote)
        #expect(clock.last == h(remote.wall, 8, "east-1"))
        var prev = clock.last
        for i in 0..<100 {
            let s = clock.tick(wallMillis: now + Int64(i))
            #expect(s > remote)
            #expect(s > prev)
            prev = s
        }
    }

    @Test(arguments: [
        // (last, remote, wall now, expected last after observe)
        (h(100, 3, "n"), h(100, 5, "m"), Int64(90), h(100, 6, "n")),   // same wall: max counter + 1
        (h(100, 5, "n"), h(100, 3, "m"), Int64(90), h(100, 6, "n")),
        (h(100, 5, "n"), h(50, 9, "m"), Int64(90), h(100, 6, "n")),    // remote behind
        (h(100, 5, "n"), h(200, 9, "m"), Int64(90), h(200, 10, "n")),  // remote ahead
        (h(100, 5, "n"), h(200, 9, "m"), Int64(300), h(300, 0, "n")),  // wall clock ahead of both
        (h(100, 5, "n"), h(100, 5, "m"), Int64(100), h(100, 6, "n")),
    ])
    func observeCases(last: HLC, remote: HLC, wall: Int64, expected: HLC) {
        var clock = HybridClock(node: "n", last: last)
        clock.observe(remote, wallMillis: wall)
        #expect(clock.last == expected)
        #expect(clock.last > last)
    }

    @Test func restartFromLastKeepsIncreasing() {
        var clock = HybridClock(node: "east-1")
        var issued: [HLC] = []
        for w: Int64 in [5_000, 5_000, 5_001] { issued.append(clock.tick(wallMillis: w)) }
        clock.observe(h(9_000, 3, "west-1"), wallMillis: 5_002)
        let persisted = clock.last.description
        // The process restarts with a wall clock that was set back by a day.
        var restarted = HybridClock(node: "east-1", last: HLC(persisted))
        #expect(restarted.last == clock.last)
        for w: Int64 in [4_000, 4_000, 9_000, 8_999] {
            let s = restarted.tick(wallMillis: w)
            #expect(s > issued.last!)
            issued.append(s)
        }
        #expect(issued == issued.sorted())
        #expect(Set(issued).count == issued.count)
    }

    @Test func restartRelabelsAStampOfAnotherNode() {
        var clock = HybridClock(node: "east-2", last: h(10, 4, "east-1"))
        #expect(clock.last == h(10, 4, "east-2"))
        #expect(clock.tick(wallMillis: 1) == h(10, 5, "east-2"))
    }
}
