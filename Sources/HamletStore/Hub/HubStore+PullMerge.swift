import HamletCore

/// A pull page read lazily (issue 17, item 4): each table's rows, and the departures, come from their own statement
/// in `hseq` order, and the page takes the smallest `hseq` of them one at a time. Only the rows the page sends are
/// decoded; the eager reader decoded `limit + 1` rows of every table and sorted them all to send `limit`.
///
/// The page is exactly `HubStore.page` of the eager candidates (each source's first `limit + 1` rows): ties in
/// `hseq` keep the source order (tables in schema order, then departures), whole `hseq` groups stay on one page,
/// and `done` says whether any capped candidate is left. `PullMergeTests` checks this against `page`.
extension HubStore {
    /// One source of pull candidates, in `hseq` order, capped at `cap` rows.
    struct PullSource {
        let statement: Statement
        /// The result column holding each row's `hseq`.
        let hseqColumn: Int
        /// The item of the current row; nil to pass the row by (it still counts against `cap`, as in the eager read).
        let item: (Statement) throws -> PullItem?
        let cap: Int
        var stepped = 0
        /// The current row's `hseq` and item; nil when the source is spent.
        var head: (hseq: Int64, item: PullItem?)?

        init(statement: Statement, hseqColumn: Int, cap: Int, item: @escaping (Statement) throws -> PullItem?) {
            self.statement = statement
            self.hseqColumn = hseqColumn
            self.cap = cap
            self.item = item
        }

        /// Moves to the next row the page may take.
        mutating func advance(eager: Bool) throws {
            head = nil
            while stepped < cap, try statement.step() {
                stepped += 1
                guard let h = statement.value(hseqColumn).integer else { throw StoreError(.corrupt, "a pull row has no hseq") }
                if eager {
                    guard let i = try item(statement) else { continue }
                    head = (h, i)
                } else {
                    head = (h, nil)
                }
                return
            }
            statement.reset()
        }

        /// The current row's item (decoded now unless `advance(eager: true)` decoded it).
        func take() throws -> PullItem? {
            if let i = head?.item { return i }
            return try item(statement)
        }
    }

    /// Merges `sources` (tables first, in schema order; the last ones eager, such as departures that may be passed
    /// by) into one page of whole `hseq` groups up to `limit` items.
    func mergedPage(_ sources: inout [PullSource], eager: Set<Int>, cursor: Int64, head: Int64, limit: Int) throws -> PullPage {
        for i in sources.indices { try sources[i].advance(eager: eager.contains(i)) }
        defer { for s in sources { s.statement.reset() } }
        var items: [PullItem] = []
        items.reserveCapacity(limit)
        var last = cursor
        while let h = sources.compactMap({ $0.head?.hseq }).min() {
            if items.count >= limit && !items.isEmpty {
                return PullPage(items: items, cursor: last, head: head, done: false)
            }
            // The whole group: every source's rows at `h`, source by source.
            for i in sources.indices {
                while let current = sources[i].head, current.hseq == h {
                    if let item = try sources[i].take() { items.append(item) }
                    try sources[i].advance(eager: eager.contains(i))
                }
            }
            last = h
        }
        return PullPage(items: items, cursor: max(last, head), head: head, done: true)
    }

    /// A table's pull source: its rows after `cursor` in `hseq` order, bound and ready, each decoded when taken.
    func tableSource(_ t: TableSchema, sql: String, args: [Value], cap: Int) throws -> PullSource {
        let s = try connection.statement(sql)
        try s.bind(args)
        return PullSource(statement: s, hseqColumn: t.fields.count + 5, cap: cap) { [unowned self] s in
            .put(try decodeRowState(t, s.row()))
        }
    }
}
