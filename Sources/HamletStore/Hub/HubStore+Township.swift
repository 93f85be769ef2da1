import HamletCore

/// What a node may read and write at this hub: one village (a village node), or every village of a township
/// (a township hub syncing upward as a node of a county hub, issue 18).
public enum NodeScope: Sendable, Hashable {
    /// A village node's one village.
    case village(String)
    /// The township's name and the villages the county has seen it write (claimed), sorted.
    case township(String, villages: [String])

    /// The villages the scope covers.
    public var villages: [String] {
        switch self {
        case .village(let v): [v]
        case .township(_, let vs): vs
        }
    }
}

/// Townships at a county hub (issue 18). A township node is an ordinary node whose `village` column holds the
/// township's name; `township_nodes` marks it, and `township_villages` says which township each village belongs
/// to: a village is claimed by the first township node that writes a row in it, so village names are unique
/// within a county. A township hub records its own township in meta (`township`).
extension HubStore {
    static let townshipSQL = [
        "CREATE TABLE IF NOT EXISTS township_nodes (node TEXT PRIMARY KEY, township TEXT NOT NULL) WITHOUT ROWID",
        """
        CREATE TABLE IF NOT EXISTS township_villages (
          village TEXT PRIMARY KEY, township TEXT NOT NULL, claimed_at INTEGER NOT NULL) WITHOUT ROWID
        """,
        "CREATE INDEX IF NOT EXISTS township_villages_township ON township_villages (township, village)",
    ]

    /// Makes the township tables (additive: a hub made before issue 18 gains them on first writable open).
    func ensureTownshipTables() throws {
        for sql in Self.townshipSQL { try connection.execute(sql) }
    }

    /// True when the township tables exist (a read-only copy of an older hub lacks them).
    func hasTownshipTables() throws -> Bool {
        try connection.row("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'township_nodes'") != nil
    }

    /// The township this hub serves (`hub init --township`), nil when none was named.
    /// - Throws: `StoreError`.
    public func township() throws -> String? { try meta("township") }

    /// Registers a township hub as a node of this (county) hub: its scope is every village of the township.
    /// - Throws: `StoreError.exists` when the node id is taken, or a node of the same township is registered.
    public func addTownshipNode(id: String, township: String, secretHash: String, wallMillis: Int64) throws {
        try connection.transaction {
            try ensureTownshipTables()
            if let other = try connection.row("SELECT node FROM township_nodes WHERE township = ?1", [.text(township)]) {
                throw StoreError(.exists, "township \(township) is already registered as node \(try other.text(0))")
            }
            try addNode(id: id, village: township, secretHash: secretHash, wallMillis: wallMillis)
            try connection.run("INSERT INTO township_nodes (node, township) VALUES (?1, ?2)", [.text(id), .text(township)])
        }
    }

    /// True when township hubs are registered here: this hub is a county's (its report groups by township).
    /// - Throws: `StoreError`.
    public func isCounty() throws -> Bool {
        guard try hasTownshipTables() else { return false }
        return try connection.row("SELECT 1 FROM township_nodes LIMIT 1") != nil
    }

    /// The township a node serves, nil for a village node.
    /// - Throws: `StoreError`.
    public func township(ofNode node: String) throws -> String? {
        guard try hasTownshipTables() else { return nil }
        return try connection.row("SELECT township FROM township_nodes WHERE node = ?1", [.text(node)])?.optionalText(0)
    }

    /// The villages claimed by a township, sorted.
    /// - Throws: `StoreError`.
    public func villages(ofTownship township: String) throws -> [String] {
        guard try hasTownshipTables() else { return [] }
        return try connection.rows("SELECT village FROM township_villages WHERE township = ?1 ORDER BY village",
                                   [.text(township)]).map { try $0.text(0) }
    }

    /// Every claimed village and its township.
    /// - Throws: `StoreError`.
    public func townshipOfVillage() throws -> [String: String] {
        guard try hasTownshipTables() else { return [:] }
        var out: [String: String] = [:]
        for r in try connection.rows("SELECT village, township FROM township_villages") { out[try r.text(0)] = try r.text(1) }
        return out
    }

    /// When the latest change of each of a township's villages reached this hub through the township's node (its
    /// last uplink that carried that village's data): a village long silent here is behind somewhere below.
    /// - Parameter node: The township node.
    /// - Returns: Village → milliseconds since 1970; a claimed village with no change yet is absent.
    /// - Throws: `StoreError`.
    public func villageActivity(node: String) throws -> [String: Int64] {
        var out: [String: Int64] = [:]
        // Rows it moved out to another township's village count for none of its own.
        let own = Set(try township(ofNode: node).map { try villages(ofTownship: $0) } ?? [])
        let scope = SchemaSQL.quote(schema.scope)
        for t in schema.tables {
            let sql = "SELECT x.\(scope), max(l.received_at) FROM log l JOIN \(SchemaSQL.quote(t.name)) x ON x.id = l.row_id "
                + "WHERE l.node = ?1 AND l.tbl = ?2 GROUP BY x.\(scope)"
            for r in try connection.rows(sql, [.text(node), .text(t.name)]) {
                guard let v = r.optionalText(0), own.contains(v), let at = r[1].integer else { continue }
                out[v] = max(out[v] ?? 0, at)
            }
        }
        return out
    }

    /// A node's scope: its village, or its township's villages.
    /// - Parameters:
    ///   - node: The node id.
    ///   - village: The node's `village` column (the township's name for a township node).
    /// - Throws: `StoreError`.
    public func scope(node: String, village: String) throws -> NodeScope {
        guard let t = try township(ofNode: node) else { return .village(village) }
        return .township(t, villages: try villages(ofTownship: t))
    }

    /// A township node's writer scope for one batch, or nil for a village node (read once per batch).
    func townshipWriter(node: String) throws -> TownshipWriter? {
        guard let t = try township(ofNode: node) else { return nil }
        return TownshipWriter(township: t, villages: Set(try villages(ofTownship: t)))
    }

    /// The villages a township node may write for one change, first claiming the village a new row is put in when no
    /// township holds it yet (inside the batch's transaction: the claim commits with the change). Only a row's
    /// creation claims: a transfer into a village no township has written yet (another township's, not uplinked so
    /// far) must not take that village away from it.
    func claimScope(_ change: Change, creates: Bool, _ writer: inout TownshipWriter, wallMillis: Int64) throws -> Set<String> {
        if creates, change.op == .put, let v = change.values[schema.scope]?.text, !v.isEmpty, !writer.villages.contains(v) {
            try connection.run("INSERT OR IGNORE INTO township_villages (village, township, claimed_at) VALUES (?1, ?2, ?3)",
                               [.text(v), .text(writer.township), .integer(wallMillis)])
            // Claimed now, or earlier in this batch by an unparked change of the same township.
            if try connection.row("SELECT township FROM township_villages WHERE village = ?1", [.text(v)])?.optionalText(0) == writer.township {
                writer.villages.insert(v)
            }
        }
        return writer.villages
    }
}

/// A township node's scope while one batch is reconciled.
struct TownshipWriter {
    var township: String
    var villages: Set<String>
}
