import HamletCore

/// A push whose `seq`s do not continue the node's received prefix: nothing of the
/// batch was applied. The node must send `expected` next (PROTOCOL.md §7, `seq-gap`).
public struct SeqGap: Error, Sendable, Equatable {
    /// The next `seq` the hub will take from this node.
    public var expected: Int64
    public init(expected: Int64) { self.expected = expected }
}

extension HubStore {
    /// Runs `body` in one read transaction: every read inside sees the same state of the hub.
    /// - Throws: `StoreError`, or what `body` throws.
    public func read<T>(_ body: () throws -> T) throws -> T {
        try connection.transaction(.deferred, body)
    }

    /// Runs `body` in one write transaction (the bench's bulk loads).
    /// - Throws: `StoreError`, or what `body` throws; the transaction is rolled back then.
    public func write<T>(_ body: () throws -> T) throws -> T {
        try connection.transaction(.immediate, body)
    }

    /// Copies the hub store with SQLite's online backup API (consistent while serving).
    /// - Throws: `StoreError`.
    public func backup(to path: String) throws { try connection.backup(to: path) }

    /// Folds the WAL into the main file (the bench, between sections).
    /// - Throws: `StoreError`.
    public func checkpointNow() throws { try connection.execute("PRAGMA wal_checkpoint(TRUNCATE)") }

    /// Closes the store (a pool's thread, when the pool stops).
    public func close() { connection.close() }
}

extension HubStore {
    /// Every conflict (open or closed) that names the row, oldest first: a record's history page.
    /// - Throws: `StoreError`.
    public func conflicts(touching table: String, id: String) throws -> [ConflictRecord] {
        try connection.rows(
            "SELECT id FROM conflicts WHERE tbl = ?1 AND (row_id = ?2 OR other_row = ?2) ORDER BY id", [.text(table), .text(id)]
        ).compactMap { try conflict(try $0.int(0)) }
    }
}

extension Replica {
    /// Closes the replica's connection.
    public func close() { connection.close() }
}
