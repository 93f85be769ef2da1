import HamletCore

/// One batch's scope at the hub's writer (issue 17, item 2), set up by `inBatch`:
///
/// - the rows the batch names, read together — one `WHERE id IN (…)` per table and hundred ids instead of one read
///   per change — and kept up to date as the batch writes them, so the merge's `row(_:id:)` and reference reads
///   answer from memory for the rest of the batch (rows the batch creates included);
/// - the digest upkeep of its row writes, folded in memory and written once per village and table at the end
///   (`HubStore+Digest.swift`), instead of a read and a write of `village_digests` per row;
/// - its log rows, inserted up to 64 to a statement (`HubStore+LogRows.swift`) before any read of the log and at
///   the end.
///
/// The row copy mirrors the store exactly: a row written is kept as a read would give it back (only the table's
/// fields, no nulls). Both live only inside one batch's savepoint, so a batch rolled back takes them away with its
/// writes. `HubStore.batchRowCache` turns the row copy off for the tests' oracle run.
extension HubStore {
    /// How many ids one prefetch statement names (a fixed count, padded with the last id: one statement per table).
    static let prefetchChunk = 100

    /// Runs `body` as one batch: its rows prefetched, its digest upkeep folded and written at the end. Inside an
    /// outer call it simply runs `body`.
    func inBatch<T>(_ changes: [Change], _ body: () throws -> T) throws -> T {
        guard !batchActive else { return try body() }
        batchActive = true
        defer {
            batchActive = false
            batchRows.removeAll(keepingCapacity: true)
            digestDeltas.removeAll()
            pendingLog.removeAll(keepingCapacity: true)
        }
        if batchRowCache { try prefetch(changes) }
        let result = try body()
        try flushLog()
        try flushDigests()
        return result
    }

    /// True while the batch's row copy answers reads.
    var rowsCached: Bool { batchActive && batchRowCache }

    private func prefetch(_ changes: [Change]) throws {
        var byTable: [String: [String]] = [:]
        var seen = Set<RowKey>()
        for c in changes {
            guard let t = schema.table(named: c.table), t.name == c.table, RowID.isValid(c.row),
                  seen.insert(RowKey(t.name, c.row)).inserted else { continue }
            byTable[t.name, default: []].append(c.row)
        }
        for t in schema.tables {
            guard let ids = byTable[t.name] else { continue }
            var start = 0
            while start < ids.count {
                let chunk = Array(ids[start..<min(start + Self.prefetchChunk, ids.count)])
                start += Self.prefetchChunk
                let padded = chunk + Array(repeating: chunk[chunk.count - 1], count: Self.prefetchChunk - chunk.count)
                var found = Set<String>()
                for r in try connection.rows(sql(t).prefetchSelect, padded.map { .text($0) }) {
                    let row = try decodeRow(t, r)
                    found.insert(row.id)
                    batchRows[RowKey(t.name, row.id)] = .some(row)
                }
                for id in chunk where !found.contains(id) { batchRows[RowKey(t.name, id)] = .some(nil) }
            }
        }
    }

    /// Keeps the batch's copy of a row just written as a read would give it back (the table's fields, no nulls; a
    /// row already so, as the merge writes them, is kept as it is).
    func noteWritten(_ t: TableSchema, _ row: HubRow) {
        guard rowsCached else { return }
        var stored = row.adopting(t.layout)
        stored.dropValuesOutsideLayout()
        batchRows[RowKey(t.name, row.id)] = .some(stored)
    }
}
