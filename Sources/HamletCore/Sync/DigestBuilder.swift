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
        var h = SHA256()
        func put(_ s: String) {
            h.update(Array(String(s.utf8.count).utf8))
            h.update([58])
            h.update(Array(s.utf8))
        }
        put(row.id)
        put(row.deleted ? "d" : "l")
        put(row.mergedInto ?? "")
        for k in row.values.keys.sorted() {
            guard let v = row.values[k], !v.isNull else { continue }
            put(k)
            switch v {
            case .text(let s): put("t" + s)
            case .integer(let i): put("i" + String(i))
            case .null: break
            }
        }
        for k in row.versions.keys.sorted() {
            put(k)
            put(String(row.versions[k] ?? 0))
        }
        let d = h.finalize()
        var entry = tables[row.table] ?? (0, [UInt8](repeating: 0, count: 32))
        entry.count += 1
        for i in 0..<32 { entry.acc[i] ^= d[i] }
        tables[row.table] = entry
    }

    /// The digest of every row added.
    public func finish() -> ScopeDigest {
        ScopeDigest(tables: tables.mapValues { .init(count: $0.count, hash: Hex.encode($0.acc)) })
    }
}
