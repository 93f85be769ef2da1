import Dispatch
import HamletCore

/// Storing a pull page, with the work done per page rather than per row: the digest hashes of the page's rows as
/// stored before it are read with one statement per table (none at all for a row the shadow does not hold), its rows'
/// new hashes are computed on another thread meanwhile (`PageHashes`), and the shadow and visible rows are written up
/// to `ReplicaSQL.maxBatch` to a statement.
extension Replica {
    /// Applies one page of hub outcomes: shadow rows, the visible rows with
    /// outstanding edits re-applied, the cursor and the clock, in one transaction.
    public func applyPage(_ items: [PullItem], cursor: Int64, hubClock: HLC?, wallMillis: Int64) throws {
        try connection.transaction {
            // The put rows' digest hashes are computed aside while the page is written; they are needed only at the end.
            let hashes = PageHashes(items.compactMap { if case .put(let row) = $0 { return row } else { return nil } })
            let info = try self.info()
            var shadow = PageShadow(counted: try countedShadowHashes(of: items))
            var touched: [(TableSchema, String)] = []
            var seen = Set<RowKey>()
            var putIndex = 0
            for item in items {
                switch item {
                case .put(let row):
                    defer { putIndex += 1 }
                    guard let t = schema.table(named: row.table) else { continue }
                    shadow.put(row, table: t.name, hash: putIndex, scope: schema.scope, keys: sql.table(t).shadowKeys)
                    if shadow.pending.count == ReplicaSQL.maxBatch * ReplicaSQL.shadowColumns { try writeShadow(&shadow) }
                    if seen.insert(RowKey(t.name, row.id)).inserted { touched.append((t, row.id)) }
                case .leave(let table, let id, let leftAt):
                    guard let t = schema.table(named: table) else { continue }
                    try writeShadow(&shadow)  // the rows queued so far first: the leave marks what they wrote
                    shadow.leave(table: t.name, id: id)
                    try connection.run("UPDATE _shadow SET gone = 1 WHERE tbl = ?1 AND id = ?2", [.text(t.name), .text(id)])
                    try noteLeave(table: t.name, id: id, hseq: leftAt)  // issue 18: the uplink's downlink (Replica+Uplink.swift)
                    if seen.insert(RowKey(t.name, id)).inserted { touched.append((t, id)) }
                }
            }
            try writeShadow(&shadow)
            // The page's digest moves, summed per table and written once (not a read and a write per row).
            for (table, move) in shadow.digestMoves(hashes: hashes.wait()).tables {
                try adjustDigest(table: table, count: move.count, xor: [move.xor])
            }
            let newCursor = max(cursor, info.cursor)
            try setMeta("cursor", String(newCursor))
            // Changes the cursor passed leave the overlay: rebuild their rows too.
            for r in try connection.rows("""
                SELECT DISTINCT tbl, row_id FROM _changes
                WHERE state IN ('accepted','conflicted') AND hseq > ?1 AND hseq <= ?2
                """, [.integer(info.cursor), .integer(newCursor)]) {
                if let t = schema.table(named: try r.text(0)), seen.insert(RowKey(t.name, try r.text(1))).inserted {
                    touched.append((t, try r.text(1)))
                }
            }
            try writeVisibleRows(touched, page: items, cursor: newCursor, node: info.node)
            if let hubClock {
                var clock = HybridClock(node: info.node, last: try meta("hlc").flatMap { HLC($0) })
                clock.observe(hubClock, wallMillis: wallMillis)
                try setMeta("hlc", clock.last.description)
            }
        }
    }

    /// The visible rows a page touched. Rows with local changes still laid over them are rebuilt from shadow + overlay;
    /// the rest (nearly every row of a pull) are written straight from the page, many to a statement.
    private func writeVisibleRows(_ touched: [(TableSchema, String)], page items: [PullItem], cursor: Int64, node: String) throws {
        var overlaid = Set<RowKey>()
        for r in try connection.rows("""
            SELECT DISTINCT tbl, row_id FROM _changes
            WHERE state = 'pending' OR (state IN ('accepted','conflicted') AND hseq > ?1)
            """, [.integer(cursor)]) {
            overlaid.insert(RowKey(try r.text(0), try r.text(1)))
        }
        // The page's last put of each row, by its place in `items` (no copy of the rows).
        var lastPut: [RowKey: Int] = [:]
        for (at, item) in items.enumerated() { if case .put(let row) = item { lastPut[RowKey(row.table, row.id)] = at } }
        // Each touched row once (`touched` holds no key twice), so the upserts may wait (a full statement's worth).
        var upserts: [(table: TableSchema, args: BulkValues)] = []
        var batchOf: [String: Int] = [:]
        for (t, id) in touched {
            let key = RowKey(t.name, id)
            guard !overlaid.contains(key), let at = lastPut[key], case .put(let row) = items[at] else {
                try rebuildVisible(t, id: id, cursor: cursor, node: node)
                continue
            }
            if row.deleted {
                try connection.run(sql.table(t).delete, [.text(id)])
                continue
            }
            let b = batchOf[t.name] ?? upserts.count
            if b == upserts.count {
                batchOf[t.name] = b
                upserts.append((t, BulkValues(capacity: ReplicaSQL.maxBatch * (t.fields.count + 1))))
            }
            upserts[b].args.append(text: id)
            for name in sql.table(t).fieldNames { upserts[b].args.append(row.values[name] ?? .null) }
            if upserts[b].args.count == ReplicaSQL.maxBatch * (t.fields.count + 1) {
                try runBulk(upserts[b].args, width: t.fields.count + 1) { sql.upsert(t, rows: $0) }
                upserts[b].args.removeAll()
            }
        }
        for (t, args) in upserts {
            try runBulk(args, width: t.fields.count + 1) { sql.upsert(t, rows: $0) }
        }
    }

    /// The hash each of the page's rows counts in the digest as stored now (`countedShadowHash` for every row of the
    /// page), read with one statement per table; rows absent or gone have none.
    private func countedShadowHashes(of items: [PullItem]) throws -> [RowKey: [UInt8]] {
        var ids: [String: JSONWriter] = [:]
        for item in items {
            let (table, id): (String, String)
            switch item {
            case .put(let row): (table, id) = (row.table, row.id)
            case .leave(let t, let i, _): (table, id) = (t, i)
            }
            guard let t = schema.table(named: table) else { continue }
            var list = ids.removeValue(forKey: t.name) ?? JSONWriter(capacity: 48 * items.count)
            list.bytes.append(list.bytes.isEmpty ? 91 : 44)  // `[` or `,`
            list.string(id)
            ids[t.name] = list
        }
        var counted: [RowKey: [UInt8]] = [:]
        for (table, var list) in ids {
            list.raw("]")
            let s = try connection.statement("""
                SELECT tbl, id, vals, vers, deleted, merged_into, hseq FROM _shadow
                WHERE tbl = ?1 AND gone = 0 AND id IN (SELECT value FROM json_each(?2))
                """)
            try s.bind([.text(table), .text(list.text)])
            defer { s.reset() }
            while try s.step() {
                let state = try Replica.shadowState(s.row())
                counted[RowKey(table, state.id)] = DigestBuilder.rowHash(state)
            }
        }
        return counted
    }

    /// Writes the shadow rows queued so far.
    private func writeShadow(_ shadow: inout PageShadow) throws {
        try runBulk(shadow.pending, width: ReplicaSQL.shadowColumns) { sql.shadowInsert(rows: $0) }
        shadow.pending.removeAll()
    }
}

/// A page's shadow rows waiting to be written, and the digest moves they make, kept in memory.
struct PageShadow {
    /// A row's digest hash: read from the shadow, or that of the page's `n`th put row (`PageHashes`).
    enum Hash {
        case stored([UInt8])
        case put(Int)
    }
    /// One row's move: `count` into its table's count, `out` XORed out, the put row `into` XORed in.
    private struct Move {
        var table: String
        var count: Int
        var out: Hash?
        var into: Int?
    }

    /// The hash each row of the page counts in the digest now (absent: not counted, or not in the shadow).
    private var counted: [RowKey: Hash]
    private var moves: [Move] = []
    /// Queued `_shadow` rows, `ReplicaSQL.shadowColumns` values each.
    var pending = BulkValues(capacity: ReplicaSQL.maxBatch * ReplicaSQL.shadowColumns)

    init(counted: [RowKey: [UInt8]]) { self.counted = counted.mapValues { .stored($0) } }

    /// Queues a pulled row (the page's `hash`th put row); its old hash (when counted) leaves the digest and its new one
    /// enters. The row as it will be stored in the shadow hashes as the page's row (the stored JSON round-trips exactly).
    mutating func put(_ row: RowState, table: String, hash: Int, scope: String, keys: ShadowJSON.Keys) {
        let key = RowKey(table, row.id)
        let before = counted.updateValue(.put(hash), forKey: key)
        moves.append(Move(table: table, count: before == nil ? 1 : 0, out: before, into: hash))
        pending.append(text: table)
        pending.append(text: row.id)
        pending.append(row.values[scope] ?? .null)
        pending.appendText { ShadowJSON.fields(row.values, keys: keys, to: &$0) }
        pending.appendText { ShadowJSON.versions(row.versions, keys: keys, to: &$0) }
        pending.append(integer: row.deleted ? 1 : 0)
        pending.append(row.mergedInto.map { .text($0) } ?? .null)
        pending.append(integer: row.hseq)
    }

    /// A row that left: its hash (when counted) leaves the digest.
    mutating func leave(table: String, id: String) {
        if let before = counted.removeValue(forKey: RowKey(table, id)) { moves.append(Move(table: table, count: -1, out: before)) }
    }

    /// The page's moves, summed per table, given the put rows' hashes.
    func digestMoves(hashes: [[UInt8]]) -> DigestMoves {
        func bytes(_ h: Hash) -> [UInt8] {
            switch h {
            case .stored(let b): return b
            case .put(let n): return hashes[n]
            }
        }
        var sum = DigestMoves()
        for m in moves {
            sum.add(table: m.table, count: m.count, xor: [m.out.map(bytes), m.into.map { hashes[$0] }].compactMap { $0 })
        }
        return sum
    }
}

/// The digest hashes (`DigestBuilder.rowHash`) of a page's put rows, in order, computed on another thread while the
/// page is written (SHA-256 was 13% of the node's pull); a short page's on the spot.
final class PageHashes: @unchecked Sendable {
    // `hashes` is written once, by the worker before it signals `done`; the caller reads it only after waiting.
    private var hashes: [[UInt8]] = []
    private let done = DispatchSemaphore(value: 0)

    init(_ rows: [RowState]) {
        guard rows.count >= 64 else {
            hashes = rows.map(DigestBuilder.rowHash)
            done.signal()
            return
        }
        DispatchQueue.global(qos: .userInitiated).async { [self] in
            hashes = rows.map(DigestBuilder.rowHash)
            done.signal()
        }
    }

    /// The hashes, once computed (waits for the worker).
    func wait() -> [[UInt8]] {
        done.wait()
        done.signal()  // a second wait returns at once
        return hashes
    }
}

/// The shadow's field and version maps, byte for byte as `JSONText.encode` writes them (keys in `sorted()` order,
/// `JSONWriter`'s escapes), appended to the caller's buffer (the page's `BulkValues`): walking the table's field names
/// sorted once instead of sorting each row's keys, and copying a string that needs no escape whole. A map with a key
/// outside the table's fields is written by `JSONText`.
enum ShadowJSON {
    /// A table's field names in `sorted()` order, each with its JSON key bytes (`"name":`) made once.
    struct Keys {
        let names: [String]
        let prefixes: [[UInt8]]

        init(sortedNames: [String]) {
            names = sortedNames
            prefixes = sortedNames.map {
                var key: [UInt8] = []
                JSONWriter.append(string: $0, to: &key)
                key.append(58)
                return key
            }
        }
    }

    /// `JSONText.encode(f)`, appended to `bytes`.
    static func fields(_ f: Fields, keys: Keys, to bytes: inout [UInt8]) {
        object(f, keys: keys, to: &bytes, general: { JSONText.encode(f) }) { v, bytes in
            switch v {
            case .null: bytes.append(contentsOf: [110, 117, 108, 108])
            case .text(let t): JSONWriter.append(string: t, to: &bytes)
            case .integer(let n): int(n, to: &bytes)
            }
        }
    }

    /// `JSONText.encode(v)`, appended to `bytes`.
    static func versions(_ v: [String: Int64], keys: Keys, to bytes: inout [UInt8]) {
        object(v, keys: keys, to: &bytes, general: { JSONText.encode(v) }) { n, bytes in int(n, to: &bytes) }
    }

    /// A map as a JSON object with its keys in `keys`' order, each value written by `write`; a map holding a key
    /// outside `keys` is written again by `general` (the JSON writer), so the bytes are always `general()`'s.
    private static func object<V>(_ map: [String: V], keys: Keys, to bytes: inout [UInt8], general: () -> String,
                                  write: (V, inout [UInt8]) -> Void) {
        let start = bytes.count
        bytes.append(123)
        var written = 0
        for (i, k) in keys.names.enumerated() {
            guard let v = map[k] else { continue }
            if written > 0 { bytes.append(44) }
            bytes.append(contentsOf: keys.prefixes[i])
            write(v, &bytes)
            written += 1
        }
        bytes.append(125)
        if written != map.count { replace(from: start, in: &bytes, with: general()) }
    }

    /// The field map as a `String` (tests).
    static func fields(_ f: Fields, sortedNames: [String]) -> String {
        var bytes: [UInt8] = []
        fields(f, keys: Keys(sortedNames: sortedNames), to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The version map as a `String` (tests).
    static func versions(_ v: [String: Int64], sortedNames: [String]) -> String {
        var bytes: [UInt8] = []
        versions(v, keys: Keys(sortedNames: sortedNames), to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func replace(from start: Int, in bytes: inout [UInt8], with text: String) {
        bytes.removeSubrange(start...)
        bytes.append(contentsOf: text.utf8)
    }

    private static func int(_ v: Int64, to bytes: inout [UInt8]) {
        if v < 0 { bytes.append(45) }
        var m = v.magnitude
        let start = bytes.count
        repeat {
            bytes.append(UInt8(truncatingIfNeeded: 48 &+ m % 10))
            m /= 10
        } while m > 0
        bytes[start...].reverse()
    }
}
