import CSQLite
import HamletCore
#if canImport(Glibc)
import Glibc
#endif

/// SQLite's "copy the bytes now" destructor, which Swift cannot import.
let sqliteTransient = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)

/// One SQLite connection with a prepared-statement cache.
///
/// Not Sendable: one owner at a time (the replica's CLI process, the hub's
/// writer thread, or one pull worker). Opened in WAL mode with a busy timeout
/// and foreign keys off (references are checked by the merge, which must
/// accept references across villages and to tombstones).
public final class Connection {
    let handle: OpaquePointer
    private var cache: [String: Statement] = [:]
    /// The same statements by where their SQL text's bytes live (`statement(_:)`): the hot paths pass the same
    /// stored text each time, so a hit costs an integer lookup and an O(1) identity comparison, not hashing the text.
    private var byAddress: [Int: (sql: String, statement: Statement)] = [:]
    /// The file this connection opened.
    public let path: String

    /// How a connection opens its file.
    public struct Options: Sendable {
        public var readOnly = false
        public var create = true
        public var busyTimeoutMillis: Int32 = 10_000
        /// `NORMAL` in WAL mode keeps commits durable across process crashes (not power loss of the last commit).
        public var synchronous = "NORMAL"
        public var cacheSizeKiB = 65_536
        /// WAL pages after which a commit checkpoints (SQLite's default 1,000 when nil). The hub's writer raises it:
        /// the pages every batch dirties again (index tails, the log, the digests) then go back to the database
        /// once per checkpoint instead of once per few batches.
        public var walAutocheckpointPages: Int?
        public init() {}
    }

    /// Opens (or creates) a database file. A new file is created `0600` first (``PrivateFiles``), so that
    /// neither it nor the `-wal` and `-shm` files SQLite gives its mode are readable by others.
    /// - Throws: `StoreError` with SQLite's code; a failed open still closes the handle.
    public init(path: String, options: Options = Options()) throws {
        if options.create, !options.readOnly, Connection.isFile(path), access(path, F_OK) != 0 {
            try PrivateFiles.createFile(path)
        }
        var db: OpaquePointer?
        var flags = options.readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE
        if options.create && !options.readOnly { flags |= SQLITE_OPEN_CREATE }
        flags |= SQLITE_OPEN_NOMUTEX
        let rc = sqlite3_open_v2(path, &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
            if let db { sqlite3_close_v2(db) }
            throw StoreError(rc == SQLITE_CANTOPEN ? .notFound : .sqlite, "open \(path): \(message)", sqliteCode: rc)
        }
        handle = db
        self.path = path
        sqlite3_extended_result_codes(db, 1)
        sqlite3_busy_timeout(db, options.busyTimeoutMillis)
        if !options.readOnly {
            try execute("PRAGMA journal_mode=WAL")
            try execute("PRAGMA synchronous=\(options.synchronous == "FULL" ? "FULL" : "NORMAL")")
            if let pages = options.walAutocheckpointPages { try execute("PRAGMA wal_autocheckpoint=\(pages)") }
        }
        try execute("PRAGMA cache_size=-\(options.cacheSizeKiB)")
        try execute("PRAGMA foreign_keys=OFF")
        try execute("PRAGMA temp_store=MEMORY")
    }

    /// Whether `path` names a file on disk (not `:memory:`, a temporary database or a URI).
    static func isFile(_ path: String) -> Bool { !path.isEmpty && path != ":memory:" && !path.hasPrefix("file:") }

    /// Depth of the transactions opened through `transaction(_:_:)` (0: none).
    private var transactionDepth = 0
    /// Taken around each outermost write (`IMMEDIATE`) transaction and released after it ends: a replica's
    /// connection sets it so a resync cannot swap the file under a write (`ReplicaFileLock`).
    var writeLock: (() throws -> () -> Void)?
    /// Test-only fault injection: when it returns true for a statement's SQL, preparing
    /// that statement fails as an I/O error would. Nil in production.
    package var injectFault: ((String) -> Bool)?

    /// True once `close()` ran: later calls throw instead of touching the freed handle.
    public private(set) var isClosed = false

    deinit {
        byAddress.removeAll()
        cache.removeAll()
        if !isClosed { sqlite3_close_v2(handle) }
    }

    /// Closes cached statements and the handle now (WAL checkpointed and removed when
    /// this was the file's last connection). Later calls throw `StoreError`.
    public func close() {
        byAddress.removeAll()
        cache.removeAll()
        if !isClosed { sqlite3_close_v2(handle) }
        isClosed = true
    }

    func error(_ rc: Int32, _ context: String) -> StoreError {
        let message = String(cString: sqlite3_errmsg(handle))
        let primary = rc & 0xFF
        let code: StoreError.Code = primary == SQLITE_BUSY || primary == SQLITE_LOCKED ? .busy
            : primary == SQLITE_NOTADB || primary == SQLITE_CORRUPT ? .incompatible : .sqlite
        return StoreError(code, "\(context): \(message)", sqliteCode: rc)
    }

    /// Runs one or more SQL statements that take no parameters (DDL, pragmas).
    /// - Throws: `StoreError`.
    public func execute(_ sql: String) throws {
        guard !isClosed else { throw StoreError(.sqlite, "the connection to \(path) is closed") }
        try checkNotAborted()
        var errmsg: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &errmsg)
        if rc != SQLITE_OK {
            let text = errmsg.map { String(cString: $0) } ?? ""
            sqlite3_free(errmsg)
            let primary = rc & 0xFF
            throw StoreError(primary == SQLITE_BUSY ? .busy : .sqlite, "exec: \(text)", sqliteCode: rc)
        }
    }

    /// A prepared statement for `sql`, reused from the cache when it was prepared before.
    /// - Throws: `StoreError` when the SQL does not compile.
    public func statement(_ sql: String) throws -> Statement {
        guard !isClosed else { throw StoreError(.sqlite, "the connection to \(path) is closed") }
        try checkNotAborted()
        if let injectFault, injectFault(sql) {
            throw StoreError(.sqlite, "injected fault", sqliteCode: SQLITE_IOERR)
        }
        // Text longer than 15 bytes has storage of its own, whose address names it while it lives; a text at a reused
        // address is told apart by `==` (O(1) for the same storage, a full comparison otherwise).
        let address = sql.utf8.count > 15 ? sql.utf8.withContiguousStorageIfAvailable { Int(bitPattern: $0.baseAddress) } : nil
        if let address, let hit = byAddress[address], hit.sql == sql {
            hit.statement.reset()
            return hit.statement
        }
        if let s = cache[sql] {
            s.reset()
            remember(address, sql, s)
            return s
        }
        var stmt: OpaquePointer?
        let rc = sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &stmt, nil)
        guard rc == SQLITE_OK, let stmt else { throw error(rc, "prepare") }
        let s = Statement(stmt, connection: self)
        cache[sql] = s
        remember(address, sql, s)
        return s
    }

    /// Files a statement under its text's address. The entry holds the text, so the address stays its own; texts
    /// built afresh for each call (new storage every time) would add an entry each, so the table is emptied at 512.
    private func remember(_ address: Int?, _ sql: String, _ s: Statement) {
        guard let address else { return }
        if byAddress.count >= 512 { byAddress.removeAll(keepingCapacity: true) }
        byAddress[address] = (sql, s)
    }

    /// Runs a statement with arguments, discarding rows.
    /// - Throws: `StoreError`.
    @discardableResult
    public func run(_ sql: String, _ args: [Value] = []) throws -> Int {
        let s = try statement(sql)
        try s.bind(args)
        while try s.step() {}
        return Int(sqlite3_changes(handle))
    }

    /// Runs a query and returns every row.
    /// - Throws: `StoreError`.
    public func rows(_ sql: String, _ args: [Value] = []) throws -> [Row] {
        let s = try statement(sql)
        try s.bind(args)
        var out: [Row] = []
        while try s.step() { out.append(s.row()) }
        return out
    }

    /// Runs a query and returns its first row, if any.
    /// - Throws: `StoreError`.
    public func row(_ sql: String, _ args: [Value] = []) throws -> Row? {
        let s = try statement(sql)
        try s.bind(args)
        defer { s.reset() }
        return try s.step() ? s.row() : nil
    }

    /// Runs a query and returns the first column of its first row.
    /// - Throws: `StoreError`.
    public func scalar(_ sql: String, _ args: [Value] = []) throws -> Value {
        try row(sql, args)?[0] ?? .null
    }

    /// The rowid of the last insert on this connection.
    public var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }

    /// True when the connection was opened read-only (or the file cannot be written).
    public var isReadOnly: Bool { !isClosed && sqlite3_db_readonly(handle, "main") == 1 }

    /// True while a transaction is open.
    public var inTransaction: Bool { !isClosed && sqlite3_get_autocommit(handle) == 0 }

    /// How a transaction takes its lock.
    public enum TransactionKind: String, Sendable {
        case deferred = "DEFERRED"
        case immediate = "IMMEDIATE"
    }

    /// Runs `body` in a transaction: commits when it returns, rolls back and
    /// rethrows the first error when it throws. Nested calls use savepoints.
    /// - Throws: whatever `body` throws, or `StoreError` from BEGIN/COMMIT.
    @discardableResult
    public func transaction<T>(_ kind: TransactionKind = .immediate, _ body: () throws -> T) throws -> T {
        if transactionDepth > 0 {
            try execute("SAVEPOINT nested")
            do {
                let result = try body()
                try execute("RELEASE nested")
                return result
            } catch {
                if inTransaction {
                    try? execute("ROLLBACK TO nested")
                    try? execute("RELEASE nested")
                }
                throw error
            }
        }
        let release = kind == .immediate ? try writeLock?() : nil
        defer { release?() }
        try execute("BEGIN \(kind.rawValue)")
        transactionDepth = 1
        defer { transactionDepth = 0 }
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            if inTransaction { try? execute("ROLLBACK") }
            throw error
        }
    }

    /// Throws when a transaction we opened is no longer open: SQLite rolled it back on its
    /// own after an error (`sqlite3_get_autocommit`, as GRDB's `checkForAbortedTransaction`),
    /// so statements would otherwise run, and commit, outside it.
    /// - Throws: `StoreError.aborted`.
    func checkNotAborted() throws {
        if transactionDepth > 0, sqlite3_get_autocommit(handle) != 0 {
            throw StoreError(.aborted, "SQLite rolled the transaction back on its own; nothing of it was committed")
        }
    }

    /// Copies this database into `path` with SQLite's online backup API (a
    /// consistent snapshot, taken while other connections keep writing). The copy is created `0600`.
    /// - Throws: `StoreError`.
    public func backup(to path: String) throws {
        try PrivateFiles.createFile(path)
        var dest: OpaquePointer?
        let rc = sqlite3_open_v2(path, &dest, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nil)
        guard rc == SQLITE_OK, let dest else {
            if let dest { sqlite3_close_v2(dest) }
            throw StoreError(.io, "backup: cannot create the copy", sqliteCode: rc)
        }
        defer { sqlite3_close_v2(dest) }
        guard let b = sqlite3_backup_init(dest, "main", handle, "main") else {
            throw StoreError(.sqlite, "backup: \(String(cString: sqlite3_errmsg(dest)))", sqliteCode: sqlite3_errcode(dest))
        }
        var step: Int32
        repeat {
            step = sqlite3_backup_step(b, 1024)
            if step == SQLITE_BUSY || step == SQLITE_LOCKED { sqlite3_sleep(20) }
        } while step == SQLITE_OK || step == SQLITE_BUSY || step == SQLITE_LOCKED
        let finish = sqlite3_backup_finish(b)
        guard step == SQLITE_DONE, finish == SQLITE_OK else {
            throw StoreError(.sqlite, "backup failed", sqliteCode: step == SQLITE_DONE ? finish : step)
        }
    }
}

@available(*, unavailable, message: "a Connection has one owner at a time")
extension Connection: Sendable {}

extension Connection {
    /// Reads one setting from the store's `meta (key, value)` table.
    public func meta(_ key: String) throws -> String? {
        try row("SELECT value FROM meta WHERE key = ?1", [.text(key)])?.optionalText(0)
    }

    /// Writes one setting (nil removes it).
    public func setMeta(_ key: String, _ value: String?) throws {
        if let value {
            try run("INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)", [.text(key), .text(value)])
        } else {
            try run("DELETE FROM meta WHERE key = ?1", [.text(key)])
        }
    }
}
