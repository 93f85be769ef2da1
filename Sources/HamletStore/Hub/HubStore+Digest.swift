import Foundation
import HamletCore

/// Each village's digest kept up to date as rows are written (issue 20 item 3), so a `verify` costs one small
/// read instead of hashing the whole village at every sync.
///
/// The digest (PROTOCOL §10) is per table the row count and the XOR of one SHA-256 per row: a row written
/// takes its old hash out of its old village's accumulator and puts its new hash into its new village's, in the
/// same transaction as the row (`writeRow`). `village_digests` holds the accumulators; a hub made before it is
/// filled once by a full pass when first opened for writing. `fullDigest(village:)` recomputes from the rows,
/// as before: the fallback, and the tests' oracle.
extension HubStore {
    static let digestTableSQL = """
        CREATE TABLE IF NOT EXISTS village_digests (
          village TEXT NOT NULL, tbl TEXT NOT NULL, count INTEGER NOT NULL, acc TEXT NOT NULL,
          PRIMARY KEY (village, tbl)) WITHOUT ROWID
        """

    /// Makes `village_digests` and fills it from the rows when it is new (a hub made before it was kept).
    func ensureDigests() throws {
        guard try meta("digests") != "1" else { return }
        try connection.transaction {
            try connection.execute(Self.digestTableSQL)
            try connection.run("DELETE FROM village_digests")
            let scope = SchemaSQL.quote(schema.scope)
            for v in try connection.rows("SELECT DISTINCT village FROM (\(schema.tables.map { "SELECT \(scope) AS village FROM \(SchemaSQL.quote($0.name))" }.joined(separator: " UNION ")))") {
                guard let village = v.optionalText(0) else { continue }
                for (table, part) in try fullDigest(village: village).tables where part.count > 0 {
                    try storeDigest(village: village, table: table, count: part.count, acc: part.hash)
                }
            }
            try setMeta("digests", "1")
        }
    }

    /// Moves a row's hash between accumulators: out of its old state's village, into its new state's.
    func updateDigest(_ t: TableSchema, old: RowState?, new: HubRow) throws {
        try updateDigest(t, outV: old?.values[schema.scope]?.text, outH: old.map { DigestBuilder.rowHash($0) }, new: new)
    }

    /// `updateDigest` over the stored row as the reconcile read it (hashed without building its `RowState`).
    func updateDigest(_ t: TableSchema, old: HubRow?, new: HubRow) throws {
        try updateDigest(t, outV: old?.scope(schema), outH: old.map { DigestBuilder.rowHash($0) }, new: new)
    }

    private func updateDigest(_ t: TableSchema, outV: String?, outH: [UInt8]?, new: HubRow) throws {
        let inV = new.scope(schema)
        let inH = DigestBuilder.rowHash(new)
        if outV == inV, let v = inV {
            try adjust(village: v, table: t.name, count: outH == nil ? 1 : 0, xor: [outH, inH].compactMap { $0 })
            return
        }
        if let v = outV, let h = outH { try adjust(village: v, table: t.name, count: -1, xor: [h]) }
        if let v = inV { try adjust(village: v, table: t.name, count: 1, xor: [inH]) }
    }

    /// The maintained digest of `village`'s rows (every schema table; none held = empty).
    /// - Throws: `StoreError`.
    public func digest(village: String) throws -> ScopeDigest {
        // A read-only copy of a hub no writer has opened since digests were kept: count it the long way.
        guard try meta("digests") == "1" else { return try fullDigest(village: village) }
        var b = DigestBuilder(schema: schema)
        for r in try connection.rows("SELECT tbl, count, acc FROM village_digests WHERE village = ?1", [.text(village)]) {
            let table = try r.text(0)
            guard schema.table(named: table) != nil else { continue }
            b.add(table: table, count: Int(try r.int(1)), hash: try r.text(2))
        }
        return b.finish()
    }

    /// Writes the digest changes a batch folded in memory (`inBatch`): each village's and table's net change once.
    func flushDigests() throws {
        let deltas = digestDeltas
        digestDeltas.removeAll()
        for (key, d) in deltas.sorted(by: { ($0.key.village, $0.key.table) < ($1.key.village, $1.key.table) }) {
            try writeDigest(village: key.village, table: key.table, count: d.count, xor: [d.acc])
        }
    }

    /// Moves hashes in or out of an accumulator: folded in memory inside a batch, written at once outside one.
    private func adjust(village: String, table: String, count: Int, xor hashes: [[UInt8]]) throws {
        if batchActive {
            digestDeltas[DigestKey(village: village, table: table), default: DigestDelta()].fold(count: count, hashes)
            return
        }
        try writeDigest(village: village, table: table, count: count, xor: hashes)
    }

    private func writeDigest(village: String, table: String, count: Int, xor hashes: [[UInt8]]) throws {
        let current = try connection.row("SELECT count, acc FROM village_digests WHERE village = ?1 AND tbl = ?2",
                                         [.text(village), .text(table)])
        try storeDigest(village: village, table: table, count: Int(current?[0].integer ?? 0) + count,
                        acc: DigestBuilder.xor(current?.optionalText(1), hashes))
    }

    private func storeDigest(village: String, table: String, count: Int, acc: String) throws {
        try connection.run("INSERT OR REPLACE INTO village_digests (village, tbl, count, acc) VALUES (?1, ?2, ?3, ?4)",
                           [.text(village), .text(table), .integer(Int64(count)), .text(acc)])
    }

    /// A hub row as the digest and the pull see it.
    static func rowState(_ r: HubRow) -> RowState {
        RowState(table: r.table, id: r.id, values: r.values.filter { !$0.value.isNull }, versions: r.versions.mapValues(\.hseq),
                 deleted: r.deleted, mergedInto: r.mergedInto, hseq: r.hseq)
    }
}

/// A village's table, as `village_digests` keys its accumulator.
struct DigestKey: Hashable {
    let village: String
    let table: String
}

/// The net change a batch owes one accumulator: rows added minus removed, and the XOR of every hash in or out.
struct DigestDelta {
    var count = 0
    var acc = [UInt8](repeating: 0, count: 32)

    mutating func fold(count n: Int, _ hashes: [[UInt8]]) {
        count += n
        for h in hashes where h.count == 32 { for i in 0..<32 { acc[i] ^= h[i] } }
    }
}
