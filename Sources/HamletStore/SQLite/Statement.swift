import CSQLite
import HamletCore

/// A prepared statement with typed binding. Obtained from `Connection.statement(_:)`,
/// which caches it; binding replaces every parameter.
public final class Statement {
    let handle: OpaquePointer
    unowned let connection: Connection
    /// Column names, read once per statement.
    private var columnNames: [String] = []

    init(_ handle: OpaquePointer, connection: Connection) {
        self.handle = handle
        self.connection = connection
    }

    deinit { sqlite3_finalize(handle) }

    /// Clears bindings and rewinds.
    public func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    /// Binds values to `?1…?n` in order.
    /// - Throws: `StoreError` when the count is wrong or SQLite refuses a value.
    public func bind(_ values: [Value]) throws {
        sqlite3_reset(handle)
        let expected = Int(sqlite3_bind_parameter_count(handle))
        guard expected == values.count else {
            throw StoreError(.sqlite, "bind: statement takes \(expected) values, got \(values.count)")
        }
        for (i, v) in values.enumerated() {
            let idx = Int32(i + 1)
            let rc: Int32
            switch v {
            case .null: rc = sqlite3_bind_null(handle, idx)
            case .integer(let n): rc = sqlite3_bind_int64(handle, idx, n)
            case .text(let s):
                // With its byte count: SQLite then neither scans for the end nor stops at a U+0000 inside the text.
                var text = s
                rc = text.withUTF8 { u in
                    guard let base = u.baseAddress, !u.isEmpty else { return sqlite3_bind_text(handle, idx, "", 0, sqliteTransient) }
                    return base.withMemoryRebound(to: CChar.self, capacity: u.count) {
                        sqlite3_bind_text64(handle, idx, $0, UInt64(u.count), sqliteTransient, UInt8(SQLITE_UTF8))
                    }
                }
            }
            guard rc == SQLITE_OK else { throw connection.error(rc, "bind") }
        }
    }

    /// Advances to the next row; false when done.
    /// - Throws: `StoreError` with SQLite's code (constraint, busy, …); the statement is reset.
    public func step() throws -> Bool {
        let rc = sqlite3_step(handle)
        if rc == SQLITE_ROW { return true }
        if rc == SQLITE_DONE { return false }
        let e = connection.error(rc, "step")
        sqlite3_reset(handle)
        try connection.checkNotAborted()
        throw e
    }

    /// The number of result columns.
    public var columnCount: Int { Int(sqlite3_column_count(handle)) }

    /// The value in column `i` of the current row.
    public func value(_ i: Int) -> Value {
        let c = Int32(i)
        switch sqlite3_column_type(handle, c) {
        case SQLITE_NULL: return .null
        case SQLITE_INTEGER: return .integer(sqlite3_column_int64(handle, c))
        case SQLITE_FLOAT: return .integer(Int64(sqlite3_column_double(handle, c)))
        default:
            guard let p = sqlite3_column_text(handle, c) else { return .null }
            let n = Int(sqlite3_column_bytes(handle, c))
            return .text(String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self))
        }
    }

    /// The current row, every column.
    public func row() -> Row {
        if columnNames.count != columnCount {
            columnNames = (0..<columnCount).map { String(cString: sqlite3_column_name(handle, Int32($0))) }
        }
        return Row(values: (0..<columnCount).map(value), columns: columnNames)
    }
}

@available(*, unavailable, message: "a Statement belongs to its Connection")
extension Statement: Sendable {}

/// One result row: values by column index or by column name.
///
/// The typed accessors never turn a NULL into `""` or `0`: a required column that is
/// NULL (or of the wrong type) throws `StoreError.corrupt`; optional columns use the
/// `optional…` accessors.
public struct Row: Sendable {
    public var values: [Value]
    /// The result's column names, in order.
    public var columns: [String]

    public init(values: [Value], columns: [String] = []) {
        self.values = values
        self.columns = columns
    }

    public subscript(_ i: Int) -> Value { i < values.count ? values[i] : .null }

    /// The value of the named column (`.null` when the result has no such column).
    public subscript(_ name: String) -> Value {
        columns.firstIndex(of: name).map { self[$0] } ?? .null
    }

    /// Column `i` as text (an integer column reads as its digits).
    /// - Throws: `StoreError.corrupt` when it is NULL.
    public func text(_ i: Int) throws -> String {
        try Row.text(self[i], column: columnName(i))
    }

    /// Column `i` as an integer.
    /// - Throws: `StoreError.corrupt` when it is NULL or not an integer.
    public func int(_ i: Int) throws -> Int64 {
        try Row.int(self[i], column: columnName(i))
    }

    /// The named column as text. - Throws: `StoreError.corrupt` when it is NULL.
    public func text(_ name: String) throws -> String { try Row.text(self[name], column: name) }

    /// The named column as an integer. - Throws: `StoreError.corrupt` when it is NULL or not an integer.
    public func int(_ name: String) throws -> Int64 { try Row.int(self[name], column: name) }

    /// Column `i` as optional text.
    public func optionalText(_ i: Int) -> String? { self[i].text }

    /// The named column as optional text.
    public func optionalText(_ name: String) -> String? { self[name].text }

    /// Column `i` as an optional integer.
    public func optionalInt(_ i: Int) -> Int64? { self[i].integer }

    func columnName(_ i: Int) -> String { i < columns.count ? columns[i] : "#\(i)" }

    static func text(_ v: Value, column: String) throws -> String {
        if let t = v.text { return t }
        if let n = v.integer { return String(n) }
        throw StoreError(.corrupt, "column \(column) is NULL where a value is required")
    }

    static func int(_ v: Value, column: String) throws -> Int64 {
        if let n = v.integer { return n }
        if let t = v.text, let n = Int64(t) { return n }
        throw StoreError(.corrupt, "column \(column) is \(v.isNull ? "NULL" : "not an integer") where an integer is required")
    }
}
