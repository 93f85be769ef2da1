import Foundation
import HamletCore

/// Builds a new replica beside the old one from a streamed snapshot and swaps
/// it in atomically, keeping every local change (DESIGN "Resync", rules 11 and 17).
///
/// The new file is `<dir>/replica.sqlite.resync`. It starts with the old file's
/// settings (`meta`), its whole change log and the conflict outcomes it knows; `add(_:)` feeds it the hub's rows
/// page by page (memory stays flat); `finish(…)` sets the new position, fills the
/// visible tables from the shadow, replays the outstanding changes in `seq` order,
/// closes both files and renames the new one over `replica.sqlite`.
///
/// A crash at any point leaves a whole replica: before the rename the old file
/// is untouched (a stale `.resync` file is removed by the next rebuild), after it
/// the new file is complete and closed.
public final class ReplicaRebuild {
    /// The replica folder.
    public let directory: String
    /// The path of the file being built.
    public let path: String
    /// Rows added so far.
    public private(set) var rowCount: Int64 = 0

    private var old: Replica?
    private var builder: Replica?
    private var copiedSeq: Int64 = 0

    /// Starts a rebuild of `replica`: creates the new file with the tables, the
    /// old settings and the old change log.
    /// - Parameter replica: The open replica; it is closed by `finish` and must not be used after it.
    /// - Throws: `StoreError` when the new file cannot be made.
    public init(replica: Replica) throws {
        directory = replica.directory
        path = Replica.path(in: replica.directory) + ".resync"
        try ReplicaRebuild.removeFiles(path)
        let c = try Connection(path: path)
        let b = Replica(connection: c, schema: replica.schema, directory: replica.directory)
        try c.transaction { try b.createTables() }
        old = replica
        builder = b
        copiedSeq = try copyFromOld(b, wholeLog: true)
    }

    /// Stores snapshot rows in the new shadow (one transaction per call).
    /// - Parameter rows: Rows of the node's village as the hub holds them.
    /// - Throws: `StoreError`.
    public func add(_ rows: [RowState]) throws {
        let b = try current()
        let scope = b.schema.scope
        try b.connection.transaction {
            for row in rows {
                guard b.schema.table(named: row.table)?.name == row.table else { continue }
                try b.connection.run("""
                    INSERT OR REPLACE INTO _shadow (tbl, id, village, vals, vers, deleted, merged_into, hseq, gone)
                    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 0)
                    """, [.text(row.table), .text(row.id), row.values[scope] ?? .null, .text(JSONText.encode(row.values)),
                          .text(JSONText.encode(row.versions)), .integer(row.deleted ? 1 : 0),
                          row.mergedInto.map { .text($0) } ?? .null, .integer(row.hseq)])
            }
        }
        rowCount += Int64(rows.count)
    }

    /// Completes the rebuild and swaps the new replica in.
    ///
    /// Changes above `lastSeq` that were not rejected go back to pending (the
    /// hub does not hold them); `next_seq` continues after `lastSeq` (rule 11);
    /// the cursor becomes `head`; the outstanding changes are replayed on the
    /// new shadow in `seq` order (rule 17).
    /// - Parameters:
    ///   - head: The snapshot's `hseq` (the new cursor).
    ///   - epoch: The hub's epoch.
    ///   - hubID: The hub's identity.
    ///   - lastSeq: The highest `seq` the hub holds from this node.
    ///   - clock: The hub's clock, absorbed into the node's.
    /// - Returns: The new replica, open. The old `Replica` object is closed.
    /// - Throws: `StoreError` (`.busy` when another program still has the old replica open; nothing is swapped then).
    public func finish(head: Int64, epoch: String, hubID: String, lastSeq: Int64, clock: HLC?) throws -> Replica {
        let b = try current()
        // From the last copy until the rename no write may land in the old file (it would vanish with it):
        // writers wait for the swap, then find the new file and are refused (ReplicaFileLock).
        var unlock: (() -> Void)? = try ReplicaFileLock.exclusive(directory: directory)
        defer { unlock?() }
        // Edits another process made on the old file while the snapshot streamed.
        _ = try copyFromOld(b, wholeLog: false)
        let c = b.connection
        let schema = b.schema
        let wall = Int64(Date().timeIntervalSince1970 * 1000)
        try c.transaction {
            try c.run("""
                UPDATE _changes SET state = 'pending', hseq = NULL, code = NULL, message = NULL, conflicts = NULL
                WHERE seq > ?1 AND state <> 'rejected'
                """, [.integer(lastSeq)])
            // Accepted changes the hub holds are at or below its head, whatever hseq an older lineage gave them.
            try c.run("UPDATE _changes SET hseq = ?2 WHERE seq <= ?1 AND state IN ('accepted','conflicted') AND hseq > ?2",
                      [.integer(lastSeq), .integer(head)])
            let info = try b.info()
            // Another epoch (a restored hub) may have lost or reused conflicts: ask about every one afresh.
            if !info.epoch.isEmpty && info.epoch != epoch { try c.run("DELETE FROM _outcomes") }
            try b.pruneOutcomes()
            try b.setMeta("next_seq", String(max(info.nextSeq, lastSeq + 1)))
            try b.setMeta("cursor", String(head))
            try b.setMeta("epoch", epoch)
            try b.setMeta("hub_id", hubID)
            // The old file's kept digest is not the new shadow's: counted afresh when the new file is opened.
            try c.run("DELETE FROM meta WHERE key = 'digest_kept'")
            if let clock {
                var hc = HybridClock(node: info.node, last: try b.meta("hlc").flatMap { HLC($0) })
                hc.observe(clock, wallMillis: wall)
                try b.setMeta("hlc", hc.last.description)
            }
            // The visible tables in bulk from the shadow.
            for t in schema.tables {
                let cols = t.fields.map { SchemaSQL.quote($0.name) }.joined(separator: ", ")
                let extracts = t.fields.map { "json_extract(vals, '$.\($0.name)')" }.joined(separator: ", ")
                // Rows the snapshot holds come from it; ghosts (copied from the old replica) stay for the replay.
                try c.run("DELETE FROM \(SchemaSQL.quote(t.name)) WHERE id IN (SELECT id FROM _shadow WHERE tbl = ?1)", [.text(t.name)])
                try c.run("""
                    INSERT INTO \(SchemaSQL.quote(t.name)) (id, \(cols))
                    SELECT id, \(extracts) FROM _shadow WHERE tbl = ?1 AND deleted = 0 AND gone = 0
                    """, [.text(t.name)])
            }
            // Then the rows with outstanding changes, replayed in seq order.
            var replayed = Set<RowKey>()
            for r in try c.rows("""
                SELECT DISTINCT tbl, row_id FROM _changes
                WHERE state = 'pending' OR (state IN ('accepted','conflicted') AND hseq > ?1)
                """, [.integer(head)]) {
                guard let t = schema.table(named: try r.text(0)) else { continue }
                try b.rebuildVisible(t, id: try r.text(1), cursor: head, node: info.node)
                replayed.insert(RowKey(t.name, try r.text(1)))
            }
            // Ghosts with nothing outstanding any more are not this village's rows: gone.
            for t in schema.tables {
                for r in try c.rows("""
                    SELECT id FROM \(SchemaSQL.quote(t.name)) WHERE id NOT IN (SELECT id FROM _shadow WHERE tbl = ?1 AND deleted = 0 AND gone = 0)
                    """, [.text(t.name)]) where !replayed.contains(RowKey(t.name, try r.text(0))) {
                    try c.run("DELETE FROM \(SchemaSQL.quote(t.name)) WHERE id = ?1", [r[0]])
                }
            }
        }
        // Close both files: the new one's WAL is checkpointed into it and removed.
        c.close()
        builder = nil
        old?.connection.close()
        old = nil
        let target = Replica.path(in: directory)
        let fm = FileManager.default
        if fm.fileExists(atPath: path + "-wal") || fm.fileExists(atPath: target + "-wal") {
            throw StoreError(.busy, "another program still has the replica open; close it and run resync again")
        }
        try? fm.removeItem(atPath: target + "-shm")
        try? fm.removeItem(atPath: path + "-shm")
        guard rename(path, target) == 0 else {
            throw StoreError(.io, "cannot move the rebuilt replica into place (errno \(errno))")
        }
        ReplicaRebuild.syncDirectory(directory)
        unlock?()
        unlock = nil
        return try Replica.open(directory: directory, schema: schema)
    }

    /// Gives up: closes and removes the half-built file; the old replica stays as it was.
    public func cancel() {
        builder?.connection.close()
        builder = nil
        old = nil
        try? ReplicaRebuild.removeFiles(path)
    }

    deinit {
        if builder != nil { cancel() }
    }

    // MARK: Private

    private func current() throws -> Replica {
        guard let b = builder else { throw StoreError(.io, "the rebuild is already finished") }
        return b
    }

    /// Copies `meta` and the change log from the old file (everything, or the
    /// changes after those already copied); returns the highest `seq` copied.
    private func copyFromOld(_ b: Replica, wholeLog: Bool) throws -> Int64 {
        let c = b.connection
        let oldPath = Replica.path(in: directory).replacingOccurrences(of: "'", with: "''")
        try c.execute("ATTACH DATABASE '\(oldPath)' AS old")
        defer { try? c.execute("DETACH DATABASE old") }
        let columns = "seq, tbl, row_id, op, vals, bases, row_base, hlc, author, epoch, made_at, state, hseq, code, message, conflicts, acked_at"
        try c.execute("BEGIN IMMEDIATE")
        do {
            if wholeLog {
                try c.execute("INSERT OR REPLACE INTO main.meta (key, value) SELECT key, value FROM old.meta")
            } else {
                try c.execute("""
                    INSERT OR REPLACE INTO main.meta (key, value) SELECT key, value FROM old.meta WHERE key IN ('next_seq', 'hlc')
                    """)
            }
            try c.execute("""
                INSERT OR IGNORE INTO main._changes (\(columns)) SELECT \(columns) FROM old._changes WHERE seq > \(copiedSeq)
                """)
            if wholeLog { try copyGhosts(c, schema: b.schema) }
            if wholeLog, try c.row("SELECT 1 FROM old.sqlite_master WHERE type = 'table' AND name = '_outcomes'") != nil {
                let kept = Replica.outcomeColumns + ", checked_at"
                try c.execute("INSERT OR REPLACE INTO main._outcomes (\(kept)) SELECT \(kept) FROM old._outcomes")
            }
            if wholeLog, try c.row("SELECT 1 FROM old.sqlite_master WHERE type = 'table' AND name = '_moves'") != nil {
                try c.execute("INSERT OR REPLACE INTO main._moves (\(Replica.movesColumns)) SELECT \(Replica.movesColumns) FROM old._moves")
            }
            let top = try c.scalar("SELECT coalesce(max(seq), 0) FROM main._changes").integer ?? 0
            try c.execute("COMMIT")
            return top
        } catch {
            try? c.execute("ROLLBACK")
            throw error
        }
    }

    /// Rows this node has outstanding edits for that the snapshot lacks (the row left the village,
    /// or a restored hub has not received it yet): their last visible values come over from the
    /// old replica, so the replayed edits land on a whole row (rule 3), never on a row with no village.
    private func copyGhosts(_ c: Connection, schema: Schema) throws {
        for t in schema.tables {
            let oldColumns = Set(try c.rows("SELECT name FROM pragma_table_info(?1, 'old')", [.text(t.name)]).map { try $0.text(0) })
            guard !oldColumns.isEmpty else { continue }
            let columns = (["id"] + t.fields.map(\.name).filter { oldColumns.contains($0) }).map(SchemaSQL.quote).joined(separator: ", ")
            let q = SchemaSQL.quote(t.name)
            try c.run("""
                INSERT OR IGNORE INTO main.\(q) (\(columns)) SELECT \(columns) FROM old.\(q)
                WHERE id IN (SELECT row_id FROM main._changes WHERE tbl = ?1 AND state <> 'rejected')
                  AND id NOT IN (SELECT id FROM main._shadow WHERE tbl = ?1)
                """, [.text(t.name)])
        }
    }

    private static func removeFiles(_ path: String) throws {
        let fm = FileManager.default
        for suffix in ["", "-wal", "-shm", "-journal"] where fm.fileExists(atPath: path + suffix) {
            do { try fm.removeItem(atPath: path + suffix) } catch {
                throw StoreError(.io, "cannot remove the stale file \(path + suffix)")
            }
        }
    }

    private static func syncDirectory(_ directory: String) {
        let fd = open(directory, O_RDONLY)
        guard fd >= 0 else { return }
        _ = fsync(fd)
        _ = Glibc.close(fd)
    }
}

@available(*, unavailable, message: "a ReplicaRebuild owns connections")
extension ReplicaRebuild: Sendable {}
