import HamletCrypto

/// Accumulates `ScopeDigest` one row at a time; node and hub feed the same rows
/// and must get the same digest.
public struct DigestBuilder: Sendable {
    var tables: [String: (count: Int, acc: [UInt8])] = [:]

    public init(schema: Schema) {
        for t in schema.tables { tables[t.name] = (0, [UInt8](repeating: 0, count: 32)) }
    }

    /// Adds one row.
    public mutating func add(_ row: RowState) {
        let d = Self.rowHash(row)
        var entry = tables[row.table] ?? (0, [UInt8](repeating: 0, count: 32))
        entry.count += 1
        for i in 0..<32 { entry.acc[i] ^= d[i] }
        tables[row.table] = entry
    }

    /// Sets a table's part as kept elsewhere (the hub's maintained digest): its count and hex accumulator.
    public mutating func add(table: String, count: Int, hash: String) {
        guard let acc = Hex.decode(hash), acc.count == 32 else { return }
        tables[table] = (count, acc)
    }

    /// A hex accumulator (nil: empty) with row hashes XORed in or out (XOR is its own inverse).
    public static func xor(_ hash: String?, _ rows: [[UInt8]]) -> String {
        var acc = hash.flatMap(Hex.decode).flatMap { $0.count == 32 ? $0 : nil } ?? [UInt8](repeating: 0, count: 32)
        for h in rows where h.count == 32 { for i in 0..<32 { acc[i] ^= h[i] } }
        return Hex.encode(acc)
    }

    /// The 32-byte SHA-256 of one row (PROTOCOL §10), XORed into its table's accumulator.
    public static func rowHash(_ row: RowState) -> [UInt8] {
        var h = SHA256()
        h.updateFramed(row.id)
        h.updateFramed(row.deleted ? "d" : "l")
        h.updateFramed(row.mergedInto ?? "")
        for k in row.values.keys.sorted() {
            guard let v = row.values[k], !v.isNull else { continue }
            h.updateFramed(k)
            switch v {
            case .text(let s): h.updateFramed(s, tag: 116)       // "t" + s
            case .integer(let i): h.updateFramed(i, tag: 105)    // "i" + digits
            case .null: break
            }
        }
        for k in row.versions.keys.sorted() {
            h.updateFramed(k)
            h.updateFramed(row.versions[k] ?? 0)
        }
        return Array(h.finalize())
    }

    /// `rowHash` of a hub row as the digest sees it (nulls dropped, versions as `hseq`s), without building that
    /// `RowState`: a row kept by its table's layout is read by ordinal in the layout's sorted order. A row without a
    /// layout, or holding a value or a version under a name outside it, takes the general path, so the hash is
    /// always `rowHash(RowState(row))`.
    public static func rowHash(_ row: HubRow) -> [UInt8] {
        guard let layout = row.layout, !row.hasFieldsOutsideLayout else {
            return rowHash(RowState(table: row.table, id: row.id, values: row.values, versions: row.versions.mapValues(\.hseq),
                                    deleted: row.deleted, mergedInto: row.mergedInto, hseq: row.hseq))
        }
        var h = SHA256()
        h.updateFramed(row.id)
        h.updateFramed(row.deleted ? "d" : "l")
        h.updateFramed(row.mergedInto ?? "")
        let names = layout.names
        for o in layout.sortedOrdinals {
            switch row.cells[o] {
            case .text(let s): h.updateFramed(names[o]); h.updateFramed(s, tag: 116)
            case .integer(let i): h.updateFramed(names[o]); h.updateFramed(i, tag: 105)
            case .null: break
            }
        }
        for o in layout.sortedOrdinals {
            guard let version = row.cellVersions[o] else { continue }
            h.updateFramed(names[o])
            h.updateFramed(version.hseq)
        }
        return Array(h.finalize())
    }

    /// The digest of every row added.
    public func finish() -> ScopeDigest {
        ScopeDigest(tables: tables.mapValues { .init(count: $0.count, hash: Hex.encode($0.acc)) })
    }
}
