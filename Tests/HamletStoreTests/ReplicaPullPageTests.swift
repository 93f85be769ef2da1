import Foundation
import HamletCore
import HamletTestSupport
import Testing
@testable import HamletStore

/// `applyPage` works per page (one shadow read per table, multi-row writes, maps written without sorting): the kept
/// digest must still equal the full count, the visible rows the pulled ones, and the stored maps `JSONText`'s bytes.
@Suite struct ReplicaPullPageTests {

    static var seed: UInt64 {
        ProcessInfo.processInfo.environment["HAMLET_SEED"].flatMap(UInt64.init) ?? UInt64.random(in: 1...UInt64.max)
    }

    static let texts = ["", "北赵村三组12号", "张丽", "a\"b\\c", "tab\tnl\n", "\u{0}\u{1F}", "😀", "/slash", "13900000000"]

    @Test func shadowMapsAreJSONTextsBytes() {
        let seed = Self.seed
        print("ReplicaPullPageTests maps seed: \(seed) (HAMLET_SEED=\(seed) replays it)")
        var rng = SplitMix(state: seed)
        let names = ["village", "address", "head", "phone"]
        for round in 0..<2_000 {
            var f: Fields = [:]
            var v: [String: Int64] = [:]
            for k in names + ["dropped", "zz"] where rng.below(3) == 0 || (names.contains(k) && rng.below(2) == 0) {
                switch rng.below(3) {
                case 0: f[k] = .null
                case 1: f[k] = .integer([0, -1, .max, .min, 42][rng.below(5)])
                default: f[k] = .text(Self.texts[rng.below(Self.texts.count)])
                }
                v[k] = Int64(bitPattern: rng.next()) >> Int64(rng.below(64))
            }
            #expect(ShadowJSON.fields(f, sortedNames: names.sorted()) == JSONText.encode(f), "seed \(seed), round \(round)")
            #expect(ShadowJSON.versions(v, sortedNames: names.sorted()) == JSONText.encode(v), "seed \(seed), round \(round)")
            // Appended after what the buffer holds (a page's other values), which stays as it was.
            var bytes = Array("前文".utf8)
            let keys = ShadowJSON.Keys(sortedNames: names.sorted())
            ShadowJSON.fields(f, keys: keys, to: &bytes)
            ShadowJSON.versions(v, keys: keys, to: &bytes)
            #expect(bytes == Array(("前文" + JSONText.encode(f) + JSONText.encode(v)).utf8), "seed \(seed), round \(round)")
        }
    }

    func household(_ id: String, _ rng: inout SplitMix, hseq: Int64) -> RowState {
        var values: Fields = ["village": .text("北赵")]
        var versions: [String: Int64] = ["village": hseq]
        for k in ["address", "phone"] where rng.below(2) == 0 {
            // No U+0000 here: `Statement.bind` passes text as a C string, so the visible column would end at it.
            let texts = Self.texts.filter { !$0.contains("\u{0}") }
            values[k] = rng.below(5) == 0 ? .null : .text(texts[rng.below(texts.count)])
            versions[k] = hseq - Int64(rng.below(3))
        }
        return RowState(table: "households", id: id, values: values, versions: versions, deleted: rng.below(8) == 0,
                        mergedInto: rng.below(10) == 0 ? "survivor" : nil, hseq: hseq)
    }

    /// Random pages of puts (new rows, re-puts, a row twice in a page), leaves and deletions, some longer than one
    /// multi-row statement: after each, the kept digest equals the full count and the visible rows are the pulled ones.
    @Test func randomPagesKeepTheDigestAndTheVisibleRows() throws {
        let seed = Self.seed
        print("ReplicaPullPageTests pages seed: \(seed) (HAMLET_SEED=\(seed) replays it)")
        var rng = SplitMix(state: seed)
        let dir = TempDir("pull-page")
        defer { dir.remove() }
        let r = try Replica.create(directory: dir.path, node: "beizhao", village: "北赵", hub: nil, secretFile: nil)
        let t = try #require(r.schema.table(named: "households"))
        var expected: [String: Fields?] = [:]
        var hseq: Int64 = 0
        for page in 0..<12 {
            var items: [PullItem] = []
            // A row is put or left in a page, not both: a page that puts a row and then lets it leave shows the put
            // row (`applyPage` writes a page's last put of a row straight, before and after issue 17's rewrite).
            var leftHere = Set<String>()
            var putHere = Set<String>()
            for _ in 0..<(page % 3 == 0 ? 300 : rng.below(60) + 1) {
                hseq += 1
                let id = "h\(rng.below(400))"
                if rng.below(7) == 0 {
                    items.append(.leave(table: "households", id: id, hseq: hseq))
                    leftHere.insert(id)
                    // A put then a leave in one page: the digest is checked, the visible row is not (see above).
                    expected[id] = putHere.contains(id) ? nil : .some(nil)
                } else if !leftHere.contains(id) {
                    let row = household(id, &rng, hseq: hseq)
                    items.append(.put(row))
                    putHere.insert(id)
                    expected[id] = row.deleted ? .some(nil) : row.values.filter { !$0.value.isNull }
                }
            }
            try r.applyPage(items, cursor: hseq, hubClock: nil, wallMillis: 1)
            #expect(try r.digest() == r.fullDigest(), "seed \(seed), page \(page)")
            for (id, values) in expected {
                let visible = try r.visibleRow(t, id: id)
                #expect(visible == values, "seed \(seed), page \(page), row \(id)")
            }
        }
        #expect(try r.info().cursor == hseq)
    }
}
