import Foundation
import HamletCore

/// A node registered at the hub.
public struct NodeRecord: Sendable, Codable {
    public var id: String
    public var village: String
    public var secretHash: String
    public var addedAt: Int64
    public var lastSeen: Int64?
    public var lastAddress: String?
    public var lastResult: String?
    public var clockSkewMillis: Int64?
    /// The highest `seq` the hub holds from this node.
    public var lastSeq: Int64
    /// The node's pull cursor as last seen by the hub.
    public var cursor: Int64?
}

/// One epoch of the hub's lineage: a hub started from a backup takes a new
/// epoch that forks from its parent at `forkHseq` (DESIGN rule 10).
public struct EpochRecord: Sendable, Codable, Hashable {
    public var epoch: String
    public var parent: String?
    public var forkHseq: Int64
}

/// The township hub's store (`hub.sqlite`): typed register tables with packed
/// field versions, the hub change log (one global `hseq`), the received and
/// rejected changes, conflicts, nodes, and the lineage of epochs.
///
/// One writer at a time (SQLite's lock); readers in WAL mode see a consistent
/// snapshot, so pulls run beside a reconcile.
public final class HubStore {
    public static let fileName = "hub.sqlite"
    public static let format = "hamlet-hub/1"
    static let rowMeta = ["\"_v\"", "\"_deleted\"", "\"_deletion\"", "\"_merged_into\"", "\"_hseq\""]

    let connection: Connection
    public let schema: Schema
    public let directory: String
    var sortKeys = SortKeyCache()
    /// The hub's WAL auto-checkpoint threshold, in pages (SQLite's default is 1,000).
    static let walCheckpointPages = 20_000
    /// The page cache of each read-only connection, in KiB (the writer keeps `Connection.Options`' 64 MB).
    static let readerCacheKiB = 8_192
    /// Each typed table's statements, built once (`HubTableSQL.swift`), by table name (and singular, once asked).
    var tableSQL: [String: HubTableSQL] = [:]
    /// True while a batch reconciles (`inBatch`, `HubStore+BatchRows.swift`). Its scope: the rows it names, read
    /// together and kept as it writes them (`.some(nil)`: known absent), and the digest changes its writes owe.
    var batchActive = false
    var batchRows: [RowKey: HubRow?] = [:]
    var digestDeltas: [DigestKey: DigestDelta] = [:]
    /// The batch's log rows not yet inserted (`HubStore+LogRows.swift`), and the multi-row inserts by row count.
    var pendingLog: [[Value]] = []
    var logInsertSQL: [Int: String] = [:]
    /// Whether batches insert their log rows together (on; the tests turn it off to compare with a row at a time).
    var batchLogRows = true
    /// Whether batches prefetch their rows (on; the tests turn it off to compare with the read-per-change path).
    var batchRowCache = true

    /// The bookkeeping columns of every typed table at the hub: packed field versions, the
    /// tombstone and its version, the merge pointer, the row's last `hseq`, the pinyin sort key.
    static let rowColumns = [
        "_v TEXT NOT NULL DEFAULT ''", "_deleted INTEGER NOT NULL DEFAULT 0", "_deletion TEXT",
        "_merged_into TEXT", "_hseq INTEGER NOT NULL DEFAULT 0", "_sort TEXT",
    ]

    /// A typed table's indexes at the hub: references, unique fields, and (scope, hseq) for pulls.
    static func indexes(_ t: TableSchema, scope: String) -> [String] {
        SchemaSQL.indexes(t, scope: scope)
            + ["CREATE INDEX IF NOT EXISTS \"\(t.name)__scope_hseq\" ON \"\(t.name)\" (\"\(scope)\", _hseq)"]
    }

    init(connection: Connection, schema: Schema, directory: String) {
        self.connection = connection
        self.schema = schema
        self.directory = directory
    }

    /// The store path inside a hub folder.
    public static func path(in directory: String) -> String {
        (directory as NSString).appendingPathComponent(fileName)
    }

    /// Creates a hub store with a new identity and first epoch.
    /// - Throws: `StoreError.exists` when the folder already holds one.
    public static func create(directory: String, schema: Schema = .register, timeZone: String = "Asia/Shanghai") throws -> HubStore {
        let fm = FileManager.default
        try PrivateFiles.makeFolder(directory)
        PrivateFiles.tightenFolder(directory)  // an existing folder too: it will hold the register
        let path = HubStore.path(in: directory)
        guard !fm.fileExists(atPath: path) else { throw StoreError(.exists, "\(path) already exists") }
        var o = Connection.Options()
        o.walAutocheckpointPages = HubStore.walCheckpointPages
        let c = try Connection(path: path, options: o)
        let h = HubStore(connection: c, schema: schema, directory: directory)
        var rng = SystemRandomNumberGenerator()
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let hubID = RowID.make(unixMillis: now, using: &rng)
        let epoch = RowID.make(unixMillis: now, using: &rng)
        try c.transaction {
            try h.createTables()
            try h.setMeta("format", format)
            try h.setMeta("hub_id", hubID)
            try h.setMeta("epoch", epoch)
            try h.setMeta("lineage", JSONText.encode([EpochRecord(epoch: epoch, parent: nil, forkHseq: 0)]))
            try h.setMeta("hlc", "")
            try h.setMeta("time_zone", timeZone)
            try h.setMeta("schema", schema.encoded())
            try h.setMeta("schema_version", String(schema.version))
            try h.ensureTownshipTables()
        }
        try h.ensureDigests()
        return h
    }

    /// Opens the hub store in `directory`.
    /// - Throws: `StoreError.notFound` / `.incompatible`.
    public static func open(directory: String, schema: Schema = .register, readOnly: Bool = false) throws -> HubStore {
        let path = HubStore.path(in: directory)
        guard FileManager.default.fileExists(atPath: path) else { throw StoreError(.notFound, "no hub in \(directory)") }
        if !readOnly { PrivateFiles.tighten(store: path) }
        var o = Connection.Options()
        o.create = false
        o.readOnly = readOnly
        // ~80 MB of WAL between checkpoints: reconcile holding 1M rows went from 0.68 to 0.78–0.80 of its rate at 10k
        // (`scripts/bench --only growth`, issue 17 item 5).
        o.walAutocheckpointPages = HubStore.walCheckpointPages
        // A reader (pulls, verifies, logins) reads mostly pages the writer just wrote, which the kernel's cache holds;
        // 64 MB of SQLite cache in each of four readers pushed a busy hub past 200 MB (`scripts/bench --only many`).
        if readOnly { o.cacheSizeKiB = HubStore.readerCacheKiB }
        let c = try Connection(path: path, options: o)
        guard try c.meta("format") == format else { throw StoreError(.incompatible, "\(path) is not a Hamlet hub") }
        // A hub made with an older schema is upgraded in place, in one transaction, on first open.
        let current = try SchemaMigration.open(on: c, shipped: schema, readOnly: readOnly, extra: HubStore.rowColumns,
                                               indexes: { HubStore.indexes($0, scope: schema.scope) })
        if !readOnly { for sql in sessionsSQL + conflictIndexesSQL { try c.execute(sql) } }
        let hub = HubStore(connection: c, schema: current, directory: directory)
        if !readOnly { try hub.ensureDigests() }
        if !readOnly { try hub.ensureTownshipTables() }  // issue 18 (HubStore+Township.swift)
        return hub
    }

    func createTables() throws {
        let c = connection
        try c.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
        for t in schema.tables {
            try c.execute(SchemaSQL.createTable(t, extra: HubStore.rowColumns))
            for i in HubStore.indexes(t, scope: schema.scope) { try c.execute(i) }
        }
        try c.execute("""
            CREATE TABLE IF NOT EXISTS log (
              hseq INTEGER PRIMARY KEY, node TEXT NOT NULL, seq INTEGER NOT NULL, tbl TEXT NOT NULL, row_id TEXT NOT NULL,
              op TEXT NOT NULL, vals TEXT NOT NULL, hlc TEXT NOT NULL, author TEXT NOT NULL, hash TEXT NOT NULL,
              received_at INTEGER NOT NULL, note TEXT)
            """)
        try c.execute("CREATE UNIQUE INDEX IF NOT EXISTS log_node_seq ON log (node, seq)")
        try c.execute("CREATE INDEX IF NOT EXISTS log_row ON log (tbl, row_id)")
        try c.execute("""
            CREATE TABLE IF NOT EXISTS rejected (
              node TEXT NOT NULL, seq INTEGER NOT NULL, hash TEXT NOT NULL, code TEXT NOT NULL, message TEXT NOT NULL,
              body TEXT NOT NULL, received_at INTEGER NOT NULL, PRIMARY KEY (node, seq)) WITHOUT ROWID
            """)
        try c.execute("""
            CREATE TABLE IF NOT EXISTS parked (
              node TEXT NOT NULL, seq INTEGER NOT NULL, hash TEXT NOT NULL, wait_tbl TEXT NOT NULL, wait_id TEXT NOT NULL,
              body TEXT NOT NULL, received_at INTEGER NOT NULL, PRIMARY KEY (node, seq)) WITHOUT ROWID
            """)
        try c.execute("CREATE INDEX IF NOT EXISTS parked_wait ON parked (wait_tbl, wait_id)")
        try c.execute("""
            CREATE TABLE IF NOT EXISTS departures (
              hseq INTEGER NOT NULL, tbl TEXT NOT NULL, id TEXT NOT NULL, village TEXT NOT NULL)
            """)
        try c.execute("CREATE INDEX IF NOT EXISTS departures_scope ON departures (village, hseq)")
        try c.execute("CREATE INDEX IF NOT EXISTS departures_row ON departures (tbl, id, hseq)")
        try c.execute("""
            CREATE TABLE IF NOT EXISTS conflicts (
              id INTEGER PRIMARY KEY, kind TEXT NOT NULL, tbl TEXT NOT NULL, row_id TEXT NOT NULL, field TEXT,
              other_row TEXT, village TEXT NOT NULL, base INTEGER NOT NULL DEFAULT 0,
              incoming TEXT, incoming_node TEXT, incoming_seq INTEGER, incoming_hlc TEXT, incoming_author TEXT,
              incoming_hseq INTEGER, incoming_won INTEGER NOT NULL DEFAULT 0,
              hub_value TEXT, hub_version TEXT, reason TEXT NOT NULL,
              status TEXT NOT NULL DEFAULT 'open', resolved_by TEXT, resolved_at INTEGER, resolution TEXT,
              note TEXT, resolution_hseq INTEGER, details TEXT)
            """)
        try c.execute("CREATE INDEX IF NOT EXISTS conflicts_status ON conflicts (status, village)")
        try c.execute("CREATE INDEX IF NOT EXISTS conflicts_row ON conflicts (tbl, row_id)")
        try c.execute("CREATE INDEX IF NOT EXISTS conflicts_hseq ON conflicts (incoming_hseq)")
        for sql in HubStore.sessionsSQL + HubStore.conflictIndexesSQL { try c.execute(sql) }
        try c.execute("""
            CREATE TABLE IF NOT EXISTS nodes (
              id TEXT PRIMARY KEY, village TEXT NOT NULL, secret_hash TEXT NOT NULL, added_at INTEGER NOT NULL,
              last_seen INTEGER, last_address TEXT, last_result TEXT, clock_skew_ms INTEGER, cursor INTEGER)
            """)
    }

    /// Upgrades the hub to a deployment's schema (a table or field added to the register): the
    /// store migrates in place in one transaction; nodes adopt it at their next login.
    /// - Returns: the plan applied.
    /// - Throws: `StoreError.incompatible` when `newer` is not an upgrade of the hub's schema.
    @discardableResult
    public func adopt(_ newer: Schema) throws -> SchemaUpgrade {
        let plan: SchemaUpgrade
        do { plan = try newer.upgrade(from: schema) } catch {
            throw StoreError(.incompatible, "not an upgrade of the hub's schema (version \(schema.version)): \(error.message)")
        }
        _ = try SchemaMigration.upgrade(on: connection, from: schema, to: newer, extra: HubStore.rowColumns,
                                        indexes: { HubStore.indexes($0, scope: newer.scope) })
        return plan
    }

    // MARK: meta

    /// Reads one setting.
    public func meta(_ key: String) throws -> String? { try connection.meta(key) }

    /// The hub's time zone (`time_zone` setting, default Asia/Shanghai): days are counted in it.
    public func timeZone() throws -> TimeZone {
        try meta("time_zone").flatMap(TimeZone.init(identifier:)) ?? TimeZone(identifier: "Asia/Shanghai") ?? .current
    }

    /// Writes one setting.
    public func setMeta(_ key: String, _ value: String) throws { try connection.setMeta(key, value) }

    /// Folds the WAL of a stopped hub into `hub.sqlite` and removes it (call once every
    /// connection of the serving process is closed), so the folder holds one file a
    /// backup can be copied over.
    public static func checkpoint(directory: String) {
        guard let last = try? Connection(path: path(in: directory)) else { return }
        try? last.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        last.close()
    }

    /// The hub's identity.
    public func hubID() throws -> String { try meta("hub_id") ?? "" }

    /// The current epoch.
    public func epoch() throws -> String { try meta("epoch") ?? "" }

    /// Every epoch this hub descends from, newest last.
    public func lineage() throws -> [EpochRecord] {
        try meta("lineage").map { try JSONText.decode([EpochRecord].self, $0) } ?? []
    }

    /// The highest `hseq` given so far.
    public func head() throws -> Int64 {
        try connection.scalar("SELECT coalesce(max(hseq), 0) FROM log").integer ?? 0
    }

    /// The hub's clock: the latest stamp it has absorbed.
    public func clock() throws -> HLC? { try meta("hlc").flatMap { HLC($0) } }

    /// Starts a new epoch (the hub was started from a backup): bases from the
    /// old epoch above `head` no longer fast-forward.
    public func forkEpoch() throws -> String {
        try connection.transaction {
            var rng = SystemRandomNumberGenerator()
            let e = RowID.make(unixMillis: Int64(Date().timeIntervalSince1970 * 1000), using: &rng)
            var l = try lineage()
            l.append(EpochRecord(epoch: e, parent: try epoch(), forkHseq: try head()))
            try setMeta("lineage", JSONText.encode(l))
            try setMeta("epoch", e)
            try connection.run("DELETE FROM meta WHERE key = 'restored'")
            return e
        }
    }

    /// Maps a base version made in `epoch` into this hub's history (rule 10).
    func baseMapper(for epoch: String) throws -> (Int64) -> Int64? {
        let current = try self.epoch()
        if epoch.isEmpty || epoch == current { return { $0 } }
        let l = try lineage()
        // The change's epoch is an ancestor: bases up to the fork into the next epoch are shared history.
        if let i = l.firstIndex(where: { $0.epoch == epoch }), i + 1 < l.count {
            let fork = l[i + 1].forkHseq
            return { $0 <= fork ? $0 : nil }
        }
        return { $0 == 0 ? 0 : nil }
    }

    // MARK: nodes

    /// Registers a node for a village with the SHA-256 (hex) of its secret.
    /// - Throws: `StoreError.exists` when the node id is taken.
    public func addNode(id: String, village: String, secretHash: String, wallMillis: Int64) throws {
        try connection.transaction {
            guard try connection.row("SELECT 1 FROM nodes WHERE id = ?1", [.text(id)]) == nil else {
                throw StoreError(.exists, "node \(id) is already registered")
            }
            try connection.run("INSERT INTO nodes (id, village, secret_hash, added_at) VALUES (?1, ?2, ?3, ?4)",
                               [.text(id), .text(village), .text(secretHash), .integer(wallMillis)])
        }
    }

    /// Replaces a node's secret hash (a lost laptop, a leaked secret).
    public func setSecret(node: String, secretHash: String) throws {
        guard try connection.run("UPDATE nodes SET secret_hash = ?2 WHERE id = ?1", [.text(node), .text(secretHash)]) == 1 else {
            throw StoreError(.notFound, "no node \(node)")
        }
    }

    /// One node, or nil.
    public func node(_ id: String) throws -> NodeRecord? {
        try nodeRecords(where: "WHERE id = ?1", [.text(id)]).first
    }

    /// Every registered node.
    public func nodes() throws -> [NodeRecord] {
        try nodeRecords(where: "", [])
    }

    /// The villages that have a node or a conflict, for filters.
    public func knownVillages() throws -> Set<String> {
        var villages = Set(try connection.rows("SELECT village FROM nodes UNION SELECT village FROM conflicts").map { try $0.text(0) })
        // Issue 18: at a county, a township node's `village` is its township; its villages are those it claimed.
        let claimed = try townshipOfVillage()
        villages.subtract(Set(try nodes().compactMap { try township(ofNode: $0.id) }))
        return villages.union(claimed.keys)
    }

    func nodeRecords(where clause: String, _ args: [Value]) throws -> [NodeRecord] {
        try connection.rows("""
            SELECT id, village, secret_hash, added_at, last_seen, last_address, last_result, clock_skew_ms, cursor
            FROM nodes \(clause) ORDER BY village, id
            """, args).map {
            NodeRecord(id: try $0.text(0), village: try $0.text(1), secretHash: try $0.text(2), addedAt: try $0.int(3),
                       lastSeen: $0[4].integer, lastAddress: $0.optionalText(5), lastResult: $0.optionalText(6),
                       clockSkewMillis: $0[7].integer, lastSeq: try lastSeq(node: try $0.text(0)), cursor: $0[8].integer)
        }
    }

    /// The highest `seq` the hub holds from a node (accepted, rejected or parked), 0 for none.
    func highestSeq(node: String) throws -> Int64 {
        var highest: Int64 = 0
        for table in ["log", "rejected", "parked"] {
            highest = max(highest, try connection.scalar("SELECT max(seq) FROM \(table) WHERE node = ?1", [.text(node)]).integer ?? 0)
        }
        return highest
    }

    /// The end of the contiguous prefix `1…n` of `seq`s the hub holds from a node: the node
    /// re-pushes everything after it (`welcome.last_seq`). Equal to the highest `seq` unless a
    /// hub before the seq rules accepted a gap.
    /// - Throws: `StoreError`.
    public func lastSeq(node: String) throws -> Int64 {
        let highest = try highestSeq(node: node)
        var count: Int64 = 0
        for table in ["log", "rejected", "parked"] {
            count += try connection.scalar("SELECT count(*) FROM \(table) WHERE node = ?1 AND seq >= 1", [.text(node)]).integer ?? 0
        }
        if count == highest { return highest }
        var held = Set<Int64>()
        for table in ["log", "rejected", "parked"] {
            for r in try connection.rows("SELECT seq FROM \(table) WHERE node = ?1 AND seq >= 1", [.text(node)]) { held.insert(try r.int(0)) }
        }
        return SeqOrder.prefix(of: held)
    }

    /// Records a session's end for the node health table.
    public func recordSession(node: String, wallMillis: Int64, address: String, result: String, skewMillis: Int64?,
                              cursor: Int64? = nil) throws {
        try connection.run("""
            UPDATE nodes SET last_seen = ?2, last_address = ?3, last_result = ?4, clock_skew_ms = coalesce(?5, clock_skew_ms),
              cursor = coalesce(?6, cursor)
            WHERE id = ?1
            """, [.text(node), .integer(wallMillis), .text(address), .text(result), skewMillis.map { .integer($0) } ?? .null,
                  cursor.map { .integer($0) } ?? .null])
        // Every session is kept (node, when): a report's timeliness asks for the last one before a deadline.
        try connection.run("INSERT INTO sessions (node, at) VALUES (?1, ?2)", [.text(node), .integer(wallMillis)])
    }

    /// The session history table (added after release 1: created on open of a writable hub).
    static let sessionsSQL = [
        "CREATE TABLE IF NOT EXISTS sessions (node TEXT NOT NULL, at INTEGER NOT NULL)",
        "CREATE INDEX IF NOT EXISTS sessions_node_at ON sessions (node, at)",
    ]
}

@available(*, unavailable, message: "a HubStore owns a Connection")
extension HubStore: Sendable {}
