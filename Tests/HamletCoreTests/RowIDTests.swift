import Testing
@testable import HamletCore
import HamletTestSupport

/// The tests' seeded generator under this file's old name.
typealias CoreTestRNG = SplitMix

@Suite struct RowIDTests {
    @Test func formatIsLowercaseUUIDv7() {
        var rng = CoreTestRNG(seed: 7)
        for i in 0..<1000 {
            let id = RowID.make(unixMillis: 1_700_000_000_000 + Int64(i), using: &rng)
            let u = Array(id)
            #expect(u.count == 36)
            for (j, c) in u.enumerated() {
                if [8, 13, 18, 23].contains(j) {
                    #expect(c == "-", "\(id)")
                } else {
                    #expect("0123456789abcdef".contains(c), "\(id)")
                }
            }
            #expect(u[14] == "7", "version nibble: \(id)")
            #expect("89ab".contains(u[19]), "RFC 4122 variant: \(id)")
            #expect(RowID.isValid(id))
        }
    }

    @Test(arguments: [Int64(0), 1, 1_700_000_000_000, 1_234_567_890_123, 0xFFFF_FFFF_FFFF])
    func leadingHexIsTheTimestamp(ms: Int64) {
        var rng = CoreTestRNG(seed: UInt64(ms))
        let id = RowID.make(unixMillis: ms, using: &rng)
        let hex = String(ms, radix: 16)
        let expected = String(repeating: "0", count: 12 - hex.count) + hex
        let leading = id.filter { $0 != "-" }.prefix(12)
        #expect(String(leading) == expected)
    }

    @Test func negativeTimeClampsToZero() {
        var rng = CoreTestRNG(seed: 1)
        #expect(RowID.make(unixMillis: -5, using: &rng).hasPrefix("00000000-0000-7"))
    }

    @Test func idsSortByTimeAcrossMilliseconds() {
        var rng = CoreTestRNG(seed: 99)
        var last = ""
        var ms: Int64 = 1_699_999_999_000
        for _ in 0..<2000 {
            ms += Int64.random(in: 1...5000, using: &rng)
            let id = RowID.make(unixMillis: ms, using: &rng)
            #expect(last.utf8.lexicographicallyPrecedes(id.utf8), "\(last) !< \(id)")
            last = id
        }
    }

    @Test func idsInOneMillisecondAreDistinct() {
        var rng = CoreTestRNG(seed: 3)
        let ids = (0..<10_000).map { _ in RowID.make(unixMillis: 1_700_000_000_000, using: &rng) }
        #expect(Set(ids).count == ids.count)
        #expect(ids.allSatisfy { $0.hasPrefix("018bcfe5-6800-7") })
    }

    @Test func systemRandomIDsAreValid() {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<100 { #expect(RowID.isValid(RowID.make(unixMillis: 1_700_000_000_000, using: &rng))) }
    }

    @Test(arguments: [
        "", "018bcfe5-6800-7abc-8def-0123456789a", "018bcfe5-6800-7abc-8def-0123456789abc",
        "018BCFE5-6800-7ABC-8DEF-0123456789AB", "018bcfe5_6800-7abc-8def-0123456789ab",
        "018bcfe568007abc8def0123456789ab0000", "{18bcfe5-6800-7abc-8def-0123456789a}",
        "018bcfe5-6800-7abc-8def-0123456789ag", "018bcfe5-6800-7abc-8def-0123456789a ",
        "018bcfe5-68007-abc-8def-0123456789ab", "全部-6800-7abc-8def-0123456789ab",
    ])
    func isValidRefuses(text: String) {
        #expect(!RowID.isValid(text))
    }

    @Test(arguments: ["018bcfe5-6800-7abc-8def-0123456789ab", "00000000-0000-0000-0000-000000000000"])
    func isValidAcceptsAnyLowercaseUUID(text: String) {
        #expect(RowID.isValid(text))
    }

    @Test(arguments: ["a", "east-1", "v01_laptop", "0node", String(repeating: "x", count: 32)])
    func nodeIDValid(id: String) { #expect(NodeID.isValid(id)) }

    @Test(arguments: ["", "-a", "_a", "East", "a b", "a.b", "东村", NodeID.hub, String(repeating: "x", count: 33)])
    func nodeIDInvalid(id: String) { #expect(!NodeID.isValid(id)) }
}
