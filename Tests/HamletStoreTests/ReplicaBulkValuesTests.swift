import Foundation
import HamletCore
import HamletTestSupport
import Testing
@testable import HamletStore

/// A pull writes its rows through `BulkValues` (texts bound `SQLITE_STATIC` from one buffer, the shadow's maps
/// written straight into it) where it once bound `Value`s through `Statement.bind`: on random values (empty texts,
/// U+0000, quotes, escapes, emoji, integers at the extremes, NULLs) and random pull pages, the stored bytes and types
/// must be the ones the `Value` path stores.
@Suite struct ReplicaBulkValuesTests {

    static let texts = ["", "北赵村三组12号", "张丽", "a\"b\\c", "tab\tnl\n", "\u{0}", "x\u{0}y", "\u{1F}", "😀", "/slash", "13900000000"]

    static func value(_ rng: inout SplitMix) -> Value {
        switch rng.below(4) {
        case 0: return .null
        case 1: return .integer([0, -1, .max, .min, 42, Int64(bitPattern: rng.next())][rng.below(6)])
        default: return .text(texts[rng.below(texts.count)] + (rng.below(3) == 0 ? texts[rng.below(texts.count)] : ""))
        }
    }

    /// Every column of every row of `table` as `typeof:hex`, in rowid order: equal dumps store the same bytes.
    static func dump(_ c: Connection, _ table: String, columns: [String], order: String) throws -> [String] {
        let cols = columns.map { "typeof(\($0)) || ':' || hex(\($0))" }.joined(separator: " || ' ' || ")
        return try c.rows("SELECT \(cols) FROM \(table) ORDER BY \(order)").map { try $0.text(0) }
    }

    /// `runBulk` against `Statement.bind`, value by value, through statements of every size up to `maxBatch`.
    @Test func bulkBindingStoresWhatStatementBindStores() throws {
        let seed = ReplicaPullPageTests.seed
        print("ReplicaBulkValuesTests binding seed: \(seed) (HAMLET_SEED=\(seed) replays it)")
        var rng = SplitMix(state: seed)
        let dir = TempDir("bulk-values")
        defer { dir.remove() }
        let r = try Replica.create(directory: dir.path, node: "beizhao", village: "北赵", hub: nil, secretFile: nil)
        let c = r.connection
        try c.execute("CREATE TABLE bulk (n INTEGER PRIMARY KEY, a, b, c)")
        try c.execute("CREATE TABLE plain (n INTEGER PRIMARY KEY, a, b, c)")
        let insert = { (rows: Int) in
            "INSERT INTO bulk (n, a, b, c) VALUES " + Array(repeating: "(?,?,?,?)", count: rows).joined(separator: ",")
        }
        var n: Int64 = 0
        for round in 0..<20 {
            var bulk = BulkValues()
            for _ in 0..<(rng.below(3) == 0 ? 300 : rng.below(40) + 1) {
                n += 1
                let row = [Value.integer(n), Self.value(&rng), Self.value(&rng), Self.value(&rng)]
                for v in row { bulk.append(v) }
                try c.run("INSERT INTO plain (n, a, b, c) VALUES (?1, ?2, ?3, ?4)", row)
            }
            try r.write { try r.runBulk(bulk, width: 4, insert) }
            let columns = ["n", "a", "b", "c"]
            #expect(try Self.dump(c, "bulk", columns: columns, order: "n") == Self.dump(c, "plain", columns: columns, order: "n"),
                    "seed \(seed), round \(round)")
        }
    }

    func household(_ id: String, _ rng: inout SplitMix, hseq: Int64) -> RowState {
        var values: Fields = ["village": .text("北赵")]
        var versions: [String: Int64] = ["village": hseq]
        for k in ["address", "phone", "head"] where rng.below(2) == 0 {
            values[k] = rng.below(5) == 0 ? .null : .text(Self.texts[rng.below(Self.texts.count)])
            versions[k] = hseq - Int64(rng.below(3))
        }
        // A key outside the schema: the map then goes through `JSONText`.
        if rng.below(20) == 0 { values["zz_extra"] = Self.value(&rng) }
        return RowState(table: "households", id: id, values: values, versions: versions, deleted: rng.below(8) == 0,
                        mergedInto: rng.below(10) == 0 ? "survivor" : nil, hseq: hseq)
    }

    /// Random pull pages through `applyPage`, against the rows written one at a time through `Statement.bind` with the
    /// maps as `JSONText` encodes them (what the pull wrote before `BulkValues`).
    @Test func pulledPagesStoreWhatValueStatementsStore() throws {
        let seed = ReplicaPullPageTests.seed
        print("ReplicaBulkValuesTests pages seed: \(seed) (HAMLET_SEED=\(seed) replays it)")
        var rng = SplitMix(state: seed)
        let dir = TempDir("bulk-pages")
        defer { dir.remove() }
        let fast = try Replica.create(directory: dir.path + "/fast", node: "beizhao", village: "北赵", hub: nil, secretFile: nil)
        let slow = try Replica.create(directory: dir.path + "/slow", node: "beizhao", village: "北赵", hub: nil, secretFile: nil)
        let t = try #require(slow.schema.table(named: "households"))
        var hseq: Int64 = 0
        for page in 0..<8 {
            var items: [PullItem] = []
            for _ in 0..<(page % 3 == 0 ? 400 : rng.below(80) + 1) {
                hseq += 1
                items.append(.put(household("h\(rng.below(500))", &rng, hseq: hseq)))
            }
            try fast.applyPage(items, cursor: hseq, hubClock: nil, wallMillis: 1)
            try slow.write {
                for case .put(let row) in items {
                    try slow.connection.run("""
                        INSERT OR REPLACE INTO _shadow (tbl, id, village, vals, vers, deleted, merged_into, hseq, gone)
                        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 0)
                        """, [.text(row.table), .text(row.id), row.values["village"] ?? .null, .text(JSONText.encode(row.values)),
                              .text(JSONText.encode(row.versions)), .integer(row.deleted ? 1 : 0),
                              row.mergedInto.map { .text($0) } ?? .null, .integer(row.hseq)])
                    if row.deleted {
                        try slow.connection.run("DELETE FROM households WHERE id = ?1", [.text(row.id)])
                    } else {
                        try slow.connection.run(SchemaSQL.upsert(t), [.text(row.id)] + t.fields.map { row.values[$0.name] ?? .null })
                    }
                }
            }
            let shadow = ["tbl", "id", "village", "vals", "vers", "deleted", "merged_into", "hseq", "gone"]
            #expect(try Self.dump(fast.connection, "_shadow", columns: shadow, order: "tbl, id")
                    == Self.dump(slow.connection, "_shadow", columns: shadow, order: "tbl, id"), "seed \(seed), page \(page)")
            let visible = ["id"] + t.fields.map { "\"\($0.name)\"" }
            #expect(try Self.dump(fast.connection, "households", columns: visible, order: "id")
                    == Self.dump(slow.connection, "households", columns: visible, order: "id"), "seed \(seed), page \(page)")
        }
    }
}
