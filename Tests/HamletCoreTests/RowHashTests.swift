import Foundation
import Testing
@testable import HamletCore
import HamletTestSupport

// Issue 17: the hub hashes a row for its digest straight from the `HubRow`, by ordinal in its table layout's sorted
// order. That hash must be the PROTOCOL §10 row hash of the row's `RowState` for every row, kept by name or by the
// layout, including rows that hold nulls, fields outside the table's names (a dropped field), or versions of fields
// that hold no value.
struct RowHashTests {
    static func state(_ r: HubRow) -> RowState {
        RowState(table: r.table, id: r.id, values: r.values.filter { !$0.value.isNull }, versions: r.versions.mapValues(\.hseq),
                 deleted: r.deleted, mergedInto: r.mergedInto, hseq: r.hseq)
    }

    @Test func theFastHashIsTheRowStatesHash() {
        let seed = ProcessInfo.processInfo.environment["HAMLET_SEED"].flatMap(UInt64.init) ?? UInt64.random(in: 1...UInt64.max)
        print("RowHashTests seed: \(seed) (HAMLET_SEED=\(seed) replays it)")
        var rng = SplitMix(seed: seed)
        let people = Schema.register.table(named: "people")!
        var pool = people.layout.names
        let names = (0..<9).map { _ in pool.remove(at: Int(rng.next() % UInt64(pool.count))) }
        let texts = ["", "张三", "欧阳娜娜", "13900000000", "北赵", "a\u{0}b", "𠀀𠀁"]
        for round in 0..<2_000 {
            var values: Fields = [:]
            var versions: [String: FieldVersion] = [:]
            let extra = rng.next() % 5 == 0 ? ["dropped_field"] : []
            for k in names + extra {
                switch rng.next() % 4 {
                case 0: continue
                case 1: values[k] = .null
                case 2: values[k] = .integer(Int64(bitPattern: rng.next()) >> Int64(rng.next() % 60))
                default: values[k] = .text(texts[Int(rng.next() % UInt64(texts.count))])
                }
                if rng.next() % 3 != 0 { versions[k] = FieldVersion(hseq: Int64(rng.next() % 1_000), hlc: .zero, writers: ["n"]) }
            }
            if rng.next() % 6 == 0 { versions["only_a_version"] = FieldVersion(hseq: 7, hlc: .zero, writers: ["n"]) }
            let row = HubRow(table: "people", id: "row-\(round)", values: values, versions: versions,
                             deleted: rng.next() % 4 == 0, mergedInto: rng.next() % 5 == 0 ? "survivor" : nil, hseq: Int64(round))
            let expected = DigestBuilder.rowHash(Self.state(row))
            #expect(DigestBuilder.rowHash(row) == expected, "seed \(seed), round \(round)")
            let laidOut = row.adopting(people.layout)
            #expect(laidOut.layout === people.layout && laidOut.values == row.values && laidOut.versions == row.versions)
            #expect(DigestBuilder.rowHash(laidOut) == expected, "seed \(seed), round \(round), by ordinal")
        }
    }
}
