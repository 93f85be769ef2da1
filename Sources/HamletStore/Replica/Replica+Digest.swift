import Foundation
import HamletCore

/// The replica's digest kept up to date as pulled rows land in `_shadow` (issue 20 item 3, node side), so an idle
/// sync's `verify` reads one small table instead of hashing every row of the village.
///
/// The digest counts the shadow rows still in the village (`gone = 0`): a pulled row takes its old hash out of its
/// table's accumulator (when it was counted) and puts its new one in; a row that left takes its hash out.
/// `_digest` holds the accumulators, `meta.digest_kept` says they are whole. A replica made before, and a rebuilt
/// one, are counted once in full. `fullDigest()` is that full count: the fallback and the tests' oracle.
extension Replica {
    static let digestTableSQL = "CREATE TABLE IF NOT EXISTS _digest (tbl TEXT PRIMARY KEY, count INTEGER NOT NULL, acc TEXT NOT NULL)"

    /// Makes `_digest` whole from the shadow when it is not kept yet (a replica made before, a rebuilt one).
    func ensureDigest() throws {
        guard try meta("digest_kept") != "1" else { return }
        try connection.transaction {
            try connection.execute(Replica.digestTableSQL)
            try connection.run("DELETE FROM _digest")
            for (table, part) in try fullDigest().tables where part.count > 0 {
                try connection.run("INSERT INTO _digest (tbl, count, acc) VALUES (?1, ?2, ?3)",
                                   [.text(table), .integer(Int64(part.count)), .text(part.hash)])
            }
            try setMeta("digest_kept", "1")
        }
    }

    /// The digest of the village as this replica last pulled it (every schema table).
    /// - Throws: `StoreError`.
    public func digest() throws -> ScopeDigest {
        guard try meta("digest_kept") == "1" else { return try fullDigest() }
        var b = DigestBuilder(schema: schema)
        for r in try connection.rows("SELECT tbl, count, acc FROM _digest") where schema.table(named: try r.text(0)) != nil {
            b.add(table: try r.text(0), count: Int(try r.int(1)), hash: try r.text(2))
        }
        return b.finish()
    }

    /// Counts the digest from every shadow row still in the village.
    /// - Throws: `StoreError`.
    public func fullDigest() throws -> ScopeDigest {
        var b = DigestBuilder(schema: schema)
        let s = try connection.statement("SELECT tbl, id, vals, vers, deleted, merged_into, hseq FROM _shadow WHERE gone = 0")
        try s.bind([])
        defer { s.reset() }
        while try s.step() { b.add(try Replica.shadowState(s.row())) }
        return b.finish()
    }

    /// The hash a shadow row adds while counted (`gone = 0`), nil when it is absent or gone.
    func countedShadowHash(table: String, id: String) throws -> [UInt8]? {
        guard let r = try connection.row("SELECT tbl, id, vals, vers, deleted, merged_into, hseq FROM _shadow WHERE tbl = ?1 AND id = ?2 AND gone = 0",
                                         [.text(table), .text(id)]) else { return nil }
        return DigestBuilder.rowHash(try Replica.shadowState(r))
    }

    /// Moves hashes in and out of a table's accumulator (inside the caller's transaction).
    func adjustDigest(table: String, count: Int, xor hashes: [[UInt8]]) throws {
        guard try meta("digest_kept") == "1", count != 0 || !hashes.isEmpty else { return }
        let current = try connection.row("SELECT count, acc FROM _digest WHERE tbl = ?1", [.text(table)])
        try connection.run("INSERT OR REPLACE INTO _digest (tbl, count, acc) VALUES (?1, ?2, ?3)",
                           [.text(table), .integer((current?[0].integer ?? 0) + Int64(count)),
                            .text(DigestBuilder.xor(current?.optionalText(1), hashes))])
    }

    static func shadowState(_ r: Row) throws -> RowState {
        RowState(table: try r.text(0), id: try r.text(1), values: try JSONText.decode(Fields.self, try r.text(2)),
                 versions: try Replica.versionMap(try r.text(3)), deleted: try r.int(4) != 0,
                 mergedInto: r.optionalText(5), hseq: try r.int(6))
    }
}

/// Row hashes moving in and out of a replica's table digests, summed in memory: XOR is associative, so a page's
/// moves are written with one `adjustDigest` per table.
struct DigestMoves {
    private(set) var tables: [String: (count: Int, xor: [UInt8])] = [:]

    mutating func add(table: String, count: Int, xor hashes: [[UInt8]]) {
        var entry = tables[table] ?? (0, [UInt8](repeating: 0, count: 32))
        entry.count += count
        for h in hashes where h.count == 32 { for i in 0..<32 { entry.xor[i] ^= h[i] } }
        tables[table] = entry
    }
}
