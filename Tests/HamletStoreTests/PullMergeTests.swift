import Foundation
import HamletCore
import HamletTestSupport
import Testing
@testable import HamletStore

/// Issue 17 item 4: the pull reads its page lazily, source by source. Every page must be exactly the page of the
/// eager read it replaced: each table's first `limit + 1` rows after the cursor and the departures, sorted by
/// `hseq` (source order kept on ties) and cut by `HubStore.page` into whole `hseq` groups.
struct PullMergeTests {
    /// The eager page: every candidate read and decoded, then `HubStore.page`.
    static func eagerPage(_ h: HubStore, village: String, cursor: Int64, limit: Int) throws -> PullPage {
        var candidates: [(Int64, PullItem)] = []
        for t in h.schema.tables {
            for r in try h.connection.rows(h.pullSelect(t), [.text(village), .integer(cursor), .integer(Int64(limit + 1))]) {
                let row = try h.decodeRowState(t, r)
                candidates.append((row.hseq, .put(row)))
            }
        }
        for r in try h.connection.rows("SELECT hseq, tbl, id FROM departures WHERE village = ?1 AND hseq > ?2 ORDER BY hseq LIMIT ?3",
                                       [.text(village), .integer(cursor), .integer(Int64(limit + 1))]) {
            candidates.append((try r.int(0), .leave(table: try r.text(1), id: try r.text(2), hseq: try r.int(0))))
        }
        return HubStore.page(candidates, cursor: cursor, head: try h.head(), limit: limit)
    }

    @Test("seeded: the lazy pull pages are the eager pages, ties, groups, leaves and the end included")
    func lazyEqualsEager() throws {
        let seed = ProcessInfo.processInfo.environment["HAMLET_SEED"].flatMap(UInt64.init) ?? UInt64.random(in: 1...UInt64.max)
        print("PullMergeTests seed: \(seed) (HAMLET_SEED=\(seed) replays it)")
        var rng = SeedRandom(seed: seed)
        let dir = TempDir("pull-merge")
        defer { dir.remove() }
        let h = try HubStore.create(directory: dir.path)
        let tables = h.schema.tables
        // Rows in every table of two villages, many sharing an hseq (one change touching several rows), and
        // departures between the villages at hseqs of their own or shared with rows.
        var hseq: Int64 = 1   // hseq 0 is "before everything": no row holds it
        try h.connection.transaction {
            for n in 0..<400 {
                if rng.next() % 3 != 0 { hseq += 1 }
                let t = tables[Int(rng.next() % UInt64(tables.count))]
                let village = rng.next() % 4 == 0 ? "南村" : "北村"
                let id = String(format: "00000000-0000-7000-8000-%012d", n)
                let version = FieldVersion(hseq: hseq, hlc: .zero, writers: ["n"])
                try h.writeRow(t, HubRow(table: t.name, id: id, values: ["village": .text(village)],
                                         versions: ["village": version], hseq: hseq))
                if rng.next() % 7 == 0 {
                    if rng.next() % 2 == 0 { hseq += 1 }
                    try h.connection.run("INSERT INTO departures (hseq, tbl, id, village) VALUES (?1, ?2, ?3, ?4)",
                                         [.integer(hseq), .text(t.name), .text(id), .text(village == "北村" ? "南村" : "北村")])
                }
            }
            // The head lies beyond the last row: a done page's cursor jumps to it.
            try h.connection.run("INSERT INTO log (hseq, node, seq, tbl, row_id, op, vals, hlc, author, hash, received_at) "
                                 + "VALUES (?1, 'n', 1, 'people', 'x', 'put', '{}', '', '', '', 0)", [.integer(hseq + 3)])
        }
        #expect(try h.head() == hseq + 3)
        var pages = 0
        for _ in 0..<300 {
            let village = rng.next() % 3 == 0 ? "南村" : "北村"
            let cursor = Int64(rng.next() % UInt64(hseq + 2))
            let limit = [1, 2, 3, 7, 50, 500][Int(rng.next() % 6)]
            let lazy = try h.pull(village: village, after: cursor, limit: limit)
            let eager = try Self.eagerPage(h, village: village, cursor: cursor, limit: limit)
            #expect(lazy.items == eager.items && lazy.cursor == eager.cursor && lazy.done == eager.done && lazy.head == eager.head,
                    "seed \(seed): \(village) after \(cursor), limit \(limit)")
            pages += lazy.items.isEmpty ? 0 : 1
        }
        #expect(pages > 100)
        // A whole pull, page after page, brings every row and departure of the village once.
        var cursor: Int64 = 0
        var seen = 0
        while true {
            let page = try h.pull(village: "北村", after: cursor, limit: 5)
            seen += page.items.count
            #expect(page.cursor >= cursor)
            cursor = page.cursor
            if page.done { break }
        }
        let rows = try tables.reduce(0) { n, t in
            n + Int(try h.connection.scalar("SELECT count(*) FROM \(SchemaSQL.quote(t.name)) WHERE village = '北村'").integer ?? 0)
        }
        let leaves = Int(try h.connection.scalar("SELECT count(*) FROM departures WHERE village = '北村'").integer ?? 0)
        #expect(seen == rows + leaves)
    }
}
