import Foundation
import HamletCore

/// What the clerk's command did wrong, as a store-level error for the CLI.
public struct ReplicaError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        case invalid
        case notFound = "not-found"
        case referenced
        case outOfScope = "out-of-scope"
        case noChange = "no-change"
        case unknownTable = "unknown-table"
        case unknownField = "unknown-field"
        case exists
        /// A national ID another live person of the replica holds (`holders` names them).
        case duplicate = "duplicate-national-id"
        /// A logic-check rule of severity `refuse` (impossible facts); `findings` names them.
        case checkRefused = "check-refused"
    }
    public var code: Code
    public var message: String
    /// Validation issues (code `invalid`), each naming field, value and problem.
    public var issues: [ValidationIssue]
    /// For `duplicate`: the live people who hold the ID (personal data: the clerk's terminal only).
    public var holders: [NationalIDHolder]
    /// The message in Chinese, for the clerk's terminal; nil where the CLI words it from `code` itself.
    public var messageZH: String?
    /// For `check-refused`: the records the write would make impossible, with the rules' messages.
    public var findings: [CheckFinding] = []

    public init(_ code: Code, _ message: String, zh: String? = nil, issues: [ValidationIssue] = [], holders: [NationalIDHolder] = []) {
        self.code = code
        self.message = message
        self.messageZH = zh
        self.issues = issues
        self.holders = holders
    }

    public var description: String { "\(code.rawValue): \(message)" }
}

/// Where a node replica's settings live (the `meta` table).
public struct ReplicaInfo: Sendable, Codable {
    public var node: String
    public var village: String
    public var hub: String?
    public var secretFile: String?
    public var hubID: String?
    public var epoch: String
    public var cursor: Int64
    public var nextSeq: Int64
    public var lastSyncAt: Int64?
    public var lastSyncResult: String?
    public var verify: String?
}

/// A village node's local replica: the typed register tables the clerk sees,
/// the hub shadow, and the node's change log, in one SQLite file.
///
/// What the clerk sees is the shadow (the hub's state of the village, with
/// field versions) with the outstanding local changes re-applied (DESIGN
/// rule 2). Every local write and its change-log entry commit together.
public final class Replica {
    /// The file name inside the node's folder.
    public static let fileName = "replica.sqlite"
    public static let format = "hamlet-replica/1"
    /// The replica's WAL auto-checkpoint threshold, in pages (SQLite's default is 1,000): a pull commits a page of
    /// rows at a time, and at the default every few pages checkpointed the same index pages again (7% of a pull).
    static let walCheckpointPages = 10_000

    let connection: Connection
    public let schema: Schema
    public let directory: String
    let validator: Validator
    /// Per-table SQL, built once for the schema.
    let sql: ReplicaSQL

    init(connection: Connection, schema: Schema, directory: String) {
        self.connection = connection
        self.schema = schema
        self.directory = directory
        self.validator = Validator(schema: schema)
        self.sql = ReplicaSQL(schema: schema)
    }

    /// The replica file path inside `directory`.
    public static func path(in directory: String) -> String {
        (directory as NSString).appendingPathComponent(fileName)
    }

    /// Creates a new replica in `directory` (created if missing).
    /// - Throws: `StoreError.exists` when one is already there; `StoreError` otherwise.
    public static func create(directory: String, node: String, village: String, hub: String?, secretFile: String?,
                              schema: Schema = .register) throws -> Replica {
        let fm = FileManager.default
        try PrivateFiles.makeFolder(directory)
        PrivateFiles.tightenFolder(directory)  // an existing folder too: it will hold the register
        let path = Replica.path(in: directory)
        guard !fm.fileExists(atPath: path) else { throw StoreError(.exists, "\(path) already exists") }
        let c = try Connection(path: path)
        let lock = try ReplicaFileLock(directory: directory)
        c.writeLock = lock.shared
        let r = Replica(connection: c, schema: schema, directory: directory)
        try c.transaction {
            try r.createTables()
            let meta: [(String, String?)] = [
                ("format", format), ("schema_version", String(schema.version)), ("schema", schema.encoded()),
                ("node", node), ("village", village),
                ("hub", hub), ("secret_file", secretFile), ("epoch", ""), ("cursor", "0"), ("next_seq", "1"), ("hlc", ""),
            ]
            for (k, v) in meta { try r.setMeta(k, v) }
        }
        try r.ensureDigest()
        return r
    }

    /// Opens the replica in `directory`.
    /// - Throws: `StoreError.notFound` when the folder holds none; `.incompatible` for another format.
    public static func open(directory: String, schema: Schema = .register) throws -> Replica {
        let path = Replica.path(in: directory)
        guard FileManager.default.fileExists(atPath: path) else {
            throw StoreError(.notFound, "no replica in \(directory)")
        }
        PrivateFiles.tighten(store: path)
        var options = Connection.Options()
        options.create = false
        options.walAutocheckpointPages = Replica.walCheckpointPages
        let c = try Connection(path: path, options: options)
        let lock = try ReplicaFileLock(directory: directory)
        c.writeLock = lock.shared
        guard try c.meta("format") == format else { throw StoreError(.incompatible, "\(path) is not a Hamlet replica") }
        // A replica keeps the newest schema it has seen (this program's, or its hub's): older ones
        // are upgraded in place, in one transaction, pending changes untouched.
        let current = try SchemaMigration.open(on: c, shipped: schema, readOnly: false, extra: [],
                                               indexes: { SchemaSQL.indexes($0, scope: schema.scope) })
        let replica = Replica(connection: c, schema: current, directory: directory)
        // The replica's own bookkeeping grows additively too: conflict outcomes (issue 11, item 9).
        try replica.ensureOutcomesTable()
        // …and the trace of people it moved out (issue 15).
        try replica.ensureMovesTable()
        // …and its digest, kept as rows are pulled (issue 20): counted once here when not kept yet.
        if !c.isReadOnly { try replica.ensureDigest() }
        return replica
    }

    /// Moves the replica to the hub's schema when it is newer than the one it holds (a deployment
    /// added a table or a field): migrated in place, in one transaction, pending changes kept.
    /// - Returns: the replica to use from now on (this one when nothing changed).
    /// - Throws: `StoreError.incompatible` when the hub's schema is not an upgrade of this one.
    public func adopt(_ hubSchema: Schema) throws -> Replica {
        guard hubSchema.version > schema.version else { return self }
        let current = try SchemaMigration.upgrade(on: connection, from: schema, to: hubSchema, extra: [],
                                                  indexes: { SchemaSQL.indexes($0, scope: hubSchema.scope) })
        return Replica(connection: connection, schema: current, directory: directory)
    }

    func createTables() throws {
        let c = connection
        try c.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
        for t in schema.tables {
            try c.execute(SchemaSQL.createTable(t))
            for i in SchemaSQL.indexes(t, scope: schema.scope) { try c.execute(i) }
        }
        try c.execute("""
            CREATE TABLE IF NOT EXISTS _shadow (
              tbl TEXT NOT NULL, id TEXT NOT NULL, village TEXT, vals TEXT NOT NULL, vers TEXT NOT NULL,
              deleted INTEGER NOT NULL DEFAULT 0, merged_into TEXT, hseq INTEGER NOT NULL,
              gone INTEGER NOT NULL DEFAULT 0,
              PRIMARY KEY (tbl, id)) WITHOUT ROWID
            """)
        try c.execute("""
            CREATE TABLE IF NOT EXISTS _changes (
              seq INTEGER PRIMARY KEY, tbl TEXT NOT NULL, row_id TEXT NOT NULL, op TEXT NOT NULL,
              vals TEXT NOT NULL, bases TEXT NOT NULL, row_base INTEGER NOT NULL, hlc TEXT NOT NULL,
              author TEXT NOT NULL, epoch TEXT NOT NULL, made_at INTEGER NOT NULL,
              state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending','accepted','conflicted','rejected')),
              hseq INTEGER, code TEXT, message TEXT, conflicts TEXT, acked_at INTEGER)
            """)
        try c.execute("CREATE INDEX IF NOT EXISTS _changes_row ON _changes (tbl, row_id, seq)")
        try c.execute("CREATE INDEX IF NOT EXISTS _changes_state ON _changes (state, seq)")
        try c.execute(Replica.outcomesTableSQL)
        try c.execute(Replica.movesTableSQL)
    }

    // MARK: meta

    /// Reads one setting.
    public func meta(_ key: String) throws -> String? { try connection.meta(key) }

    /// Writes one setting (nil removes it).
    public func setMeta(_ key: String, _ value: String?) throws { try connection.setMeta(key, value) }

    /// The node's identity, hub settings and sync position.
    public func info() throws -> ReplicaInfo {
        var all: [String: String] = [:]
        for r in try connection.rows("SELECT key, value FROM meta") { all[try r.text(0)] = r.optionalText(1) }
        return ReplicaInfo(
            node: all["node"] ?? "", village: all["village"] ?? "", hub: all["hub"], secretFile: all["secret_file"],
            hubID: all["hub_id"], epoch: all["epoch"] ?? "", cursor: Int64(all["cursor"] ?? "") ?? 0,
            nextSeq: Int64(all["next_seq"] ?? "") ?? 1, lastSyncAt: all["last_sync_at"].flatMap { Int64($0) },
            lastSyncResult: all["last_sync_result"], verify: all["verify"])
    }

    /// Resolves a table by plural or singular name.
    /// - Throws: `ReplicaError.unknownTable`.
    public func table(_ name: String) throws -> TableSchema {
        guard let t = schema.table(named: name) else {
            throw ReplicaError(.unknownTable, "no table \(name); tables: \(schema.tables.map(\.name).joined(separator: ", "))",
                               zh: "没有「\(name)」这个表；可用的表：\(schema.tables.map(\.label.zh).joined(separator: "、"))")
        }
        return t
    }
}

extension Replica {
    /// `人口没有「x」这个字段；可用的字段：村、户…`: an unknown field, for the clerk.
    /// - Parameters:
    ///   - t: The table.
    ///   - field: The field name as given.
    /// - Returns: The message in Chinese.
    public static func noFieldZH(_ t: TableSchema, _ field: String) -> String {
        "\(t.label.zh)没有「\(field)」这个字段；可用的字段：\(t.fields.map(\.label.zh).joined(separator: "、"))"
    }
}

@available(*, unavailable, message: "a Replica owns a Connection")
extension Replica: Sendable {}
