import CSQLite
import HamletCore

/// The parameters of the replica's multi-row writes, with every text's UTF-8 bytes in one buffer.
///
/// `Statement.bind` hands SQLite each text as `SQLITE_TRANSIENT`, so SQLite copies it into a buffer of its own, and
/// `sqlite3_clear_bindings` frees those buffers at the next use: for a pull page that is a malloc, a copy and a free
/// for each of ~6,000 texts, after the `String`s themselves (the shadow's field maps were built as bytes, then made
/// `String`s, then copied again). Here the texts are written once, into `bytes`, and bound `SQLITE_STATIC` for the
/// statement's one execution (`Replica.runBulk`); the bytes and types SQLite receives are the same as `bind`'s.
struct BulkValues {
    /// One parameter: NULL, an integer, or the text at `bytes[start..<start + count]`.
    enum Slot {
        case null
        case integer(Int64)
        case text(start: Int, count: Int)
    }

    private(set) var slots: [Slot] = []
    /// Every text's UTF-8, one after the other, after one 0 byte: an empty text then points at a byte of the buffer,
    /// where a NULL pointer would bind a NULL.
    fileprivate(set) var bytes: [UInt8] = [0]

    init(capacity: Int = 0) {
        slots.reserveCapacity(capacity)
        bytes.reserveCapacity(1 + capacity * 24)
    }

    /// How many parameters are queued.
    var count: Int { slots.count }

    /// Queues `v` as `Statement.bind` would bind it.
    mutating func append(_ v: Value) {
        switch v {
        case .null: slots.append(.null)
        case .integer(let n): slots.append(.integer(n))
        case .text(let s): append(text: s)
        }
    }

    /// Queues a text.
    mutating func append(text s: String) {
        let start = bytes.count
        var s = s
        s.withUTF8 { bytes.append(contentsOf: $0) }
        slots.append(.text(start: start, count: bytes.count - start))
    }

    /// Queues an integer.
    mutating func append(integer n: Int64) { slots.append(.integer(n)) }

    /// Queues a text that `write` appends to `bytes` (valid UTF-8, as a `String`'s).
    mutating func appendText(_ write: (inout [UInt8]) -> Void) {
        let start = bytes.count
        write(&bytes)
        slots.append(.text(start: start, count: bytes.count - start))
    }

    mutating func removeAll() {
        slots.removeAll(keepingCapacity: true)
        bytes.removeAll(keepingCapacity: true)
        bytes.append(0)
    }
}

extension Replica {
    /// Runs a multi-row statement over `values` (`width` a row), in as few statements as the power-of-two sizes up to
    /// `ReplicaSQL.maxBatch` allow (`statement(n)` is the text for `n` rows), binding straight from `values.bytes`.
    /// - Throws: `StoreError` when SQLite refuses a value or the statement fails.
    func runBulk(_ values: BulkValues, width: Int, _ statement: (Int) -> String) throws {
        precondition(width > 0 && values.count % width == 0, "a batch holds whole rows")
        guard values.count > 0 else { return }
        try values.bytes.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { preconditionFailure("the buffer starts with a 0 byte") }
            for (range, rows) in Self.batches(count: values.count, width: width) {
                let s = try connection.statement(statement(rows))
                // The bound texts point into `values.bytes`: unbound before the pointer goes, whatever happens.
                defer { sqlite3_clear_bindings(s.handle) }
                try bind(s, values.slots[range], base)
                while try s.step() {}
            }
        }
    }

    /// The statements that cover `count` values of `width` a row: each one's range of values and row count, the
    /// row counts powers of two up to `ReplicaSQL.maxBatch`, largest first (so only a few statement texts exist).
    static func batches(count: Int, width: Int) -> [(range: Range<Int>, rows: Int)] {
        var out: [(Range<Int>, Int)] = []
        var start = 0
        var size = ReplicaSQL.maxBatch
        while start < count {
            while size > (count - start) / width { size /= 2 }
            out.append((start..<start + size * width, size))
            start += size * width
        }
        return out
    }

    /// Runs a multi-row statement over `args` bound through `Statement.bind` (`recordResults`; `width` values a
    /// row), in as few statements as the power-of-two sizes up to `ReplicaSQL.maxBatch` allow; `statement(n)` is
    /// its text for `n` rows.
    func runBatched(_ args: [Value], width: Int, _ statement: (Int) -> String) throws {
        precondition(width > 0 && args.count % width == 0, "a batch holds whole rows")
        for (range, rows) in Self.batches(count: args.count, width: width) {
            try connection.run(statement(rows), range.count == args.count ? args : Array(args[range]))
        }
    }

    /// Binds `slots` to parameters 1…n of `s`, texts `SQLITE_STATIC` from `base`.
    private func bind(_ s: Statement, _ slots: ArraySlice<BulkValues.Slot>, _ base: UnsafePointer<UInt8>) throws {
        sqlite3_reset(s.handle)
        let expected = Int(sqlite3_bind_parameter_count(s.handle))
        guard expected == slots.count else {
            throw StoreError(.sqlite, "bind: statement takes \(expected) values, got \(slots.count)")
        }
        var idx: Int32 = 1
        for slot in slots {
            let rc: Int32
            switch slot {
            case .null: rc = sqlite3_bind_null(s.handle, idx)
            case .integer(let n): rc = sqlite3_bind_int64(s.handle, idx, n)
            case .text(let start, let count):
                rc = (count == 0 ? base : base + start).withMemoryRebound(to: CChar.self, capacity: max(count, 1)) {
                    sqlite3_bind_text64(s.handle, idx, $0, UInt64(count), nil, UInt8(SQLITE_UTF8))
                }
            }
            guard rc == SQLITE_OK else { throw connection.error(rc, "bind") }
            idx += 1
        }
    }
}
