import CSQLite

/// The store's one error type: a stable code, a message free of record values,
/// and SQLite's extended result code when SQLite reported the failure.
public struct StoreError: Error, Sendable, CustomStringConvertible {
    /// Stable codes; add new ones, never rename.
    public enum Code: String, Sendable {
        /// SQLite reported an error (see `sqliteCode`).
        case sqlite
        /// The database stayed locked past the busy timeout.
        case busy
        /// The folder holds no store of the expected kind.
        case notFound = "not-found"
        /// The folder already holds a store.
        case exists
        /// The file is not a Hamlet store or was made by an incompatible version.
        case incompatible
        /// A stored document could not be decoded.
        case corrupt
        /// A filesystem operation failed.
        case io
        /// SQLite rolled a transaction back on its own (I/O error, disk full, a busy
        /// deadlock): nothing of it was committed, and nothing after it may run in it.
        case aborted
    }

    public var code: Code
    public var message: String
    /// SQLite's extended result code, when SQLite reported the failure.
    public var sqliteCode: Int32?

    public init(_ code: Code, _ message: String, sqliteCode: Int32? = nil) {
        self.code = code
        self.message = message
        self.sqliteCode = sqliteCode
    }

    /// The primary result code (`SQLITE_CONSTRAINT` for `SQLITE_CONSTRAINT_UNIQUE`).
    public var primaryCode: Int32? { sqliteCode.map { $0 & 0xFF } }

    /// True for `SQLITE_CONSTRAINT` and its extended codes.
    public var isConstraintViolation: Bool { primaryCode == SQLITE_CONSTRAINT }

    public var description: String {
        if let c = sqliteCode { return "store[\(code.rawValue)] sqlite \(c): \(message)" }
        return "store[\(code.rawValue)]: \(message)"
    }
}
