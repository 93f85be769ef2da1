import Foundation
import HamletCore

/// Why an operator action was refused. `message` carries no record values.
public struct OperatorError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        case notFound = "not-found"
        case alreadyResolved = "already-resolved"
        case stale
        case wrongKind = "wrong-kind"
        case invalid
        case referenced
        case notMerged = "not-merged"
    }
    public var code: Code
    public var message: String
    /// Validation issues for `invalid`.
    public var issues: [ValidationIssue] = []
    /// For `stale`: the field that moved (nil for a whole row) and its version now.
    public var field: String?
    public var currentVersion: Int64?
    /// The message in Chinese, for the operator's terminal; nil where the caller words it from `code`.
    public var messageZH: String?
    public var description: String { "\(code.rawValue): \(message)" }

    public init(code: Code, message: String, zh: String? = nil, issues: [ValidationIssue] = [], field: String? = nil,
                currentVersion: Int64? = nil) {
        self.code = code
        self.message = message
        self.messageZH = zh
        self.issues = issues
        self.field = field
        self.currentVersion = currentVersion
    }
}

/// A conflict as stored, for the operator.
public struct ConflictRecord: Sendable, Codable {
    public var id: Int64
    public var kind: ConflictKind
    public var table: String
    public var row: String
    public var field: String?
    public var otherRow: String?
    public var village: String
    public var base: Int64
    public var incoming: Value?
    public var incomingNode: String?
    public var incomingSeq: Int64?
    public var incomingHLC: String?
    public var incomingAuthor: String?
    public var incomingHseq: Int64
    public var incomingWon: Bool
    public var hubValue: Value?
    public var hubVersion: FieldVersion?
    public var reason: String
    public var status: String
    public var resolvedBy: String?
    public var resolvedAt: Int64?
    public var resolution: String?
    public var note: String?
    public var resolutionHseq: Int64?
    public var details: String?
}

/// Who acts at the hub, when (their wall clock, recorded with the action), and why.
public struct OperatorAction: Sendable {
    public var name: String
    public var wallMillis: Int64
    public var note: String?
    public init(name: String, wallMillis: Int64, note: String? = nil) {
        self.name = name
        self.wallMillis = wallMillis
        self.note = note
    }
}

/// How to settle a field conflict.
public enum FieldChoice: Sendable, Equatable {
    /// The value the village node wrote.
    case village
    /// The value the hub held when the conflict opened.
    case hub
    /// A new value typed by the operator.
    case value(Value)
}

/// One entry of a row's history: a change as it was written, by whom and when.
public struct HistoryEntry: Sendable, Codable {
    public var hseq: Int64
    public var node: String
    public var seq: Int64
    public var op: String
    public var values: Fields
    public var hlc: String
    public var author: String
    public var receivedAt: Int64
    public var note: String?
}

extension HubStore {
    static let conflictColumns = """
        id, kind, tbl, row_id, field, other_row, village, base, incoming, incoming_node, incoming_seq, incoming_hlc,
        incoming_author, incoming_hseq, incoming_won, hub_value, hub_version, reason, status, resolved_by, resolved_at,
        resolution, note, resolution_hseq, details
        """

    func decodeConflict(_ r: Row) throws -> ConflictRecord {
        ConflictRecord(
            id: try r.int(0), kind: ConflictKind(rawValue: try r.text(1)) ?? .field, table: try r.text(2), row: try r.text(3),
            field: r.optionalText(4), otherRow: r.optionalText(5), village: try r.text(6), base: try r.int(7),
            incoming: try r.optionalText(8).map { try JSONText.decode(Value.self, $0) }, incomingNode: r.optionalText(9),
            incomingSeq: r[10].integer, incomingHLC: r.optionalText(11), incomingAuthor: r.optionalText(12),
            incomingHseq: try r.int(13), incomingWon: try r.int(14) != 0,
            hubValue: try r.optionalText(15).map { try JSONText.decode(Value.self, $0) },
            hubVersion: VersionCodec.decodeOne(r.optionalText(16)), reason: try r.text(17), status: try r.text(18),
            resolvedBy: r.optionalText(19), resolvedAt: r[20].integer, resolution: r.optionalText(21), note: r.optionalText(22),
            resolutionHseq: r[23].integer, details: r.optionalText(24))
    }

    /// Conflicts, filtered; `status` nil lists every status.
    public func conflicts(status: String? = "open", village: String? = nil, kind: ConflictKind? = nil,
                          limit: Int = 10_000) throws -> [ConflictRecord] {
        var clauses: [String] = []
        var args: [Value] = []
        if let status { args.append(.text(status)); clauses.append("status = ?\(args.count)") }
        if let village { args.append(.text(village)); clauses.append("village = ?\(args.count)") }
        if let kind { args.append(.text(kind.rawValue)); clauses.append("kind = ?\(args.count)") }
        args.append(.integer(Int64(limit)))
        let w = clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND ")
        return try connection.rows("SELECT \(HubStore.conflictColumns) FROM conflicts \(w) ORDER BY id LIMIT ?\(args.count)", args)
            .map(decodeConflict)
    }

    /// One conflict.
    public func conflict(_ id: Int64) throws -> ConflictRecord? {
        try connection.row("SELECT \(HubStore.conflictColumns) FROM conflicts WHERE id = ?1", [.integer(id)]).map(decodeConflict)
    }

    /// Open conflict counts by kind.
    public func openConflictCounts(village: String? = nil) throws -> [ConflictKind: Int] {
        var out: [ConflictKind: Int] = [:]
        let rows = village == nil
            ? try connection.rows("SELECT kind, count(*) FROM conflicts WHERE status = 'open' GROUP BY kind")
            : try connection.rows("SELECT kind, count(*) FROM conflicts WHERE status = 'open' AND village = ?1 GROUP BY kind",
                                  [.text(village ?? "")])
        for r in rows { if let k = ConflictKind(rawValue: try r.text(0)) { out[k] = Int(try r.int(1)) } }
        return out
    }

    /// The value a field had at version `hseq` (from the log), for showing a conflict's base.
    public func value(table: String, row: String, field: String, at hseq: Int64) throws -> Value? {
        guard hseq > 0, let r = try connection.row("SELECT vals FROM log WHERE hseq = ?1 AND tbl = ?2 AND row_id = ?3",
                                                  [.integer(hseq), .text(table), .text(row)]) else { return nil }
        return try JSONText.decode(Fields.self, try r.text(0))[field]
    }

    /// Every change ever written to a row, oldest first.
    public func history(table: String, id: String) throws -> [HistoryEntry] {
        try connection.rows("""
            SELECT hseq, node, seq, op, vals, hlc, author, received_at, note FROM log
            WHERE tbl = ?1 AND row_id = ?2 ORDER BY hseq
            """, [.text(table), .text(id)]).map {
            HistoryEntry(hseq: try $0.int(0), node: try $0.text(1), seq: try $0.int(2), op: try $0.text(3),
                         values: try JSONText.decode(Fields.self, try $0.text(4)), hlc: try $0.text(5), author: try $0.text(6),
                         receivedAt: try $0.int(7), note: $0.optionalText(8))
        }
    }

    /// Rows that reference `(table, id)` (live or not), as (table, id, field).
    public func references(to table: String, id: String) throws -> [(String, String, String)] {
        var out: [(String, String, String)] = []
        for other in schema.tables {
            for f in other.referenceFields where f.references == table {
                for r in try connection.rows("SELECT id FROM \(SchemaSQL.quote(other.name)) WHERE \(SchemaSQL.quote(f.name)) = ?1 ORDER BY id",
                                             [.text(id)]) {
                    out.append((other.name, try r.text(0), f.name))
                }
            }
        }
        return out
    }

    // MARK: the one mechanism: an operator change

    /// Writes an operator change: the row's new state, a log entry with a new
    /// `hseq` (node `@hub`), a departure when the village changed. Every
    /// resolution, merge and unmerge is made of these, so it flows to every node.
    func operatorWrite(_ t: TableSchema, _ row: HubRow, previous: HubRow, op: String, values: Fields,
                       action: OperatorAction, clock: inout HybridClock) throws -> Int64 {
        let hseq = try head() + 1
        let stamp = clock.tick(wallMillis: action.wallMillis)
        var r = row
        r.hseq = hseq
        for (k, v) in values where previous.value(k) != v || previous.version(k) == nil {
            r.setVersion(FieldVersion(hseq: hseq, hlc: stamp, writers: [NodeID.hub]), named: k)
        }
        if r.deleted && !previous.deleted { r.deletion = FieldVersion(hseq: hseq, hlc: stamp, writers: [NodeID.hub]) }
        if !r.deleted { r.deletion = nil }
        try writeRow(t, r)
        try closeMootDuplicates(t, row: r, previous: previous, hseq: hseq)

        if let old = previous.values[schema.scope]?.text, let new = r.values[schema.scope]?.text, old != new {
            try connection.run("INSERT INTO departures (hseq, tbl, id, village) VALUES (?1, ?2, ?3, ?4)",
                               [.integer(hseq), .text(t.name), .text(r.id), .text(old)])
        }
        try connection.run("""
            INSERT INTO log (hseq, node, seq, tbl, row_id, op, vals, hlc, author, hash, received_at, note)
            VALUES (?1, ?2, ?1, ?3, ?4, ?5, ?6, ?7, ?8, '', ?9, ?10)
            """, [.integer(hseq), .text(NodeID.hub), .text(t.name), .text(r.id), .text(op), .text(JSONText.encode(values)),
                  .text(stamp.description), .text(action.name), .integer(action.wallMillis),
                  action.note.map { .text($0) } ?? .null])
        // A row the operator brings back, or whose unique value the operator sets, is judged like any
        // other (rules 6 and 8): its references revive (each its own change, after this one), and a
        // shared ID opens a duplicate conflict.
        let uniqueMoved = t.uniqueFields.contains { previous.values[$0.name] != r.values[$0.name] }
        if !r.deleted && (previous.deleted || uniqueMoved) {
            try reviveWhole(t, r, hseq: hseq, action: action, clock: &clock)
        }
        return hseq
    }

    func openConflictForAction(_ id: Int64, kinds: [ConflictKind]) throws -> ConflictRecord {
        guard let c = try conflict(id) else { throw OperatorError(code: .notFound, message: "no conflict #\(id)", zh: "没有冲突 #\(id)") }
        guard c.status == "open" else {
            let when = c.resolvedAt.map { Date(timeIntervalSince1970: Double($0) / 1000).ISO8601Format() } ?? "?"
            throw OperatorError(code: .alreadyResolved, message: "conflict #\(id) was already resolved by \(c.resolvedBy ?? "?") at \(when) (\(c.resolution ?? ""))")
        }
        guard kinds.contains(c.kind) else {
            throw OperatorError(code: .wrongKind, message: "conflict #\(id) is a \(c.kind.rawValue) conflict",
                                zh: "冲突 #\(id) 是\(c.kind.labelZH)，不能这样处理")
        }
        return c
    }

    func closeConflict(_ id: Int64, resolution: String, hseq: Int64?, action: OperatorAction, details: String? = nil) throws {
        try connection.run("""
            UPDATE conflicts SET status = 'resolved', resolved_by = ?2, resolved_at = ?3, resolution = ?4, note = ?5,
              resolution_hseq = ?6, details = coalesce(?7, details)
            WHERE id = ?1
            """, [.integer(id), .text(action.name), .integer(action.wallMillis), .text(resolution),
                  action.note.map { .text($0) } ?? .null, hseq.map { .integer($0) } ?? .null, details.map { .text($0) } ?? .null])
    }

    func loadLive(_ table: String, _ id: String) throws -> (TableSchema, HubRow) {
        guard let t = schema.table(named: table), let r = try row(t, id: id) else {
            throw OperatorError(code: .notFound, message: "no \(table) row \(id)",
                                zh: "镇中心没有编号为 \(id) 的\(schema.table(named: table)?.label.zh ?? table)记录")
        }
        return (t, r)
    }

}

extension HubStore {
    /// Rows of a village changed after `cursor` (what a node at that cursor has not pulled yet).
    public func waiting(village: String, after cursor: Int64) throws -> Int {
        var n: Int64 = 0
        for t in schema.tables {
            n += try connection.scalar("SELECT count(*) FROM \(SchemaSQL.quote(t.name)) WHERE \(SchemaSQL.quote(schema.scope)) = ?1 AND _hseq > ?2",
                                       [.text(village), .integer(cursor)]).integer ?? 0
        }
        n += try connection.scalar("SELECT count(*) FROM departures WHERE village = ?1 AND hseq > ?2",
                                   [.text(village), .integer(cursor)]).integer ?? 0
        return Int(n)
    }

    /// One log entry by `hseq`.
    public func logEntry(_ hseq: Int64) throws -> HistoryEntry? {
        try connection.row("SELECT hseq, node, seq, op, vals, hlc, author, received_at, note FROM log WHERE hseq = ?1",
                           [.integer(hseq)]).map {
            HistoryEntry(hseq: try $0.int(0), node: try $0.text(1), seq: try $0.int(2), op: try $0.text(3),
                         values: try JSONText.decode(Fields.self, try $0.text(4)), hlc: try $0.text(5), author: try $0.text(6),
                         receivedAt: try $0.int(7), note: $0.optionalText(8))
        }
    }

    /// Rows of a table for export and lists: by pinyin of the name where the table
    /// has one, else by id; live rows unless `includeDeleted`.
    public func rows(table name: String, village: String? = nil, includeDeleted: Bool = false) throws -> [HubRow] {
        guard let t = schema.table(named: name) else { throw OperatorError(code: .notFound, message: "no table \(name)", zh: "没有「\(name)」这个表") }
        // A read-only connection cannot fill missing keys: those rows then sort by id after the others.
        if !connection.isReadOnly { try fillSortKeys(t) }
        var clauses: [String] = []
        var args: [Value] = []
        if !includeDeleted { clauses.append("_deleted = 0") }
        if let village { args.append(.text(village)); clauses.append("\(SchemaSQL.quote(schema.scope)) = ?\(args.count)") }
        let w = clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND ")
        return try connection.rows("SELECT \(SchemaSQL.columns(t, extra: HubStore.rowMeta)) FROM \(SchemaSQL.quote(t.name)) \(w) ORDER BY _sort IS NULL, _sort, id",
                                   args).map { try decodeRow(t, $0) }
    }
}
