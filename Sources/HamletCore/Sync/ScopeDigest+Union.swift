import HamletCrypto

extension ScopeDigest {
    /// The digest of a union of disjoint scopes (issue 18: a township node's scope is its villages): per table the
    /// counts add up and the accumulators XOR together, exactly what hashing every row of the union gives.
    /// - Parameters:
    ///   - parts: One digest per village.
    ///   - schema: The register schema (every table appears, empty ones too).
    /// - Returns: The union's digest.
    public static func union(_ parts: [ScopeDigest], schema: Schema) -> ScopeDigest {
        var b = DigestBuilder(schema: schema)
        var tables: [String: (Int, String?)] = [:]
        for part in parts {
            for (name, t) in part.tables {
                let (count, acc) = tables[name] ?? (0, nil)
                tables[name] = (count + t.count, DigestBuilder.xor(acc, Hex.decode(t.hash).map { [$0] } ?? []))
            }
        }
        for (name, (count, acc)) in tables { b.add(table: name, count: count, hash: acc ?? ScopeDigest.emptyTable.hash) }
        return b.finish()
    }
}
