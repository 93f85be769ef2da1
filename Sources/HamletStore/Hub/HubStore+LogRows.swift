import HamletCore

/// The hub's change log written a batch at a time (issue 17, item 2): inside a batch (`inBatch`) an accepted change's
/// log row waits in memory and rows are inserted up to `logChunk` to a statement, where each took a statement of its
/// own. Every read of the log the batch makes (`previousResult`, the base value of a concurrent field) inserts the
/// waiting rows first, and so does the batch's end, inside its savepoint: the log reads the same to every reader and a
/// batch rolled back takes its rows with it. Outside a batch a row is inserted at once.
extension HubStore {
    /// How many log rows one insert carries.
    static let logChunk = 64
    private static let logColumns = "hseq, node, seq, tbl, row_id, op, vals, hlc, author, hash, received_at"

    /// The log's text of a change's values (`{}` for a delete).
    static func logValues(_ change: Change) -> String {
        change.op == .put ? JSONText.encode(change.values) : "{}"
    }

    /// Logs an accepted change. `values`, when given, is `logValues(change)` computed by the caller.
    func appendLog(_ change: Change, hseq: Int64, hash: String, wallMillis: Int64, values: String? = nil) throws {
        let row: [Value] = [.integer(hseq), .text(change.node), .integer(change.seq), .text(change.table), .text(change.row),
                            .text(change.op.rawValue), .text(values ?? Self.logValues(change)), .text(change.hlc.description),
                            .text(change.author), .text(hash), .integer(wallMillis)]
        guard batchActive && batchLogRows else { return try insertLog([row]) }
        pendingLog.append(row)
        if pendingLog.count >= Self.logChunk { try flushLog() }
    }

    /// Inserts the batch's waiting log rows.
    func flushLog() throws {
        guard !pendingLog.isEmpty else { return }
        let rows = pendingLog
        pendingLog.removeAll(keepingCapacity: true)
        try insertLog(rows)
    }

    private func insertLog(_ rows: [[Value]]) throws {
        let sql: String
        if let s = logInsertSQL[rows.count] { sql = s } else {
            let one = "(" + Array(repeating: "?", count: 11).joined(separator: ",") + ")"
            sql = "INSERT INTO log (\(Self.logColumns)) VALUES " + Array(repeating: one, count: rows.count).joined(separator: ",")
            logInsertSQL[rows.count] = sql
        }
        try connection.run(sql, rows.flatMap { $0 })
    }
}
