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
    public var description: String { "\(code.rawValue): \(message)" }
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

/// What a duplicate merge did, kept in the conflict for `unmerge`.
public struct MergeRecord: Sendable, Codable {
    public struct Repointed: Sendable, Codable { public var table: String; public var id: String; public var field: String }
    public var table: String
    public var survivor: String
    public var loser: String
    /// The survivor's values before the merge, for the fields the merge changed (null = was empty).
    public var survivorBefore: Fields
    public var survivorBeforeEmpty: [String]
    public var repointed: [Repointed]
    public var hseqs: [Int64]
}

extension HubStore {
    static let conflictColumns = """
        id, kind, tbl, row_id, field, other_row, village, base, incoming, incoming_node, incoming_seq, incoming_hlc,
        incoming_author, incoming_hseq, incoming_won, hub_value, hub_version, reason, status, resolved_by, resolved_at,
        resolution, note, resolution_hseq, details
        """

    func decodeConflict(_ r: Row) throws -> ConflictRecord {
        ConflictRecord(
            id: r.int(0), kind: ConflictKind(rawValue: r.text(1)) ?? .field, table: r.text(2), row: r.text(3),
            field: r.optionalText(4), otherRow: r.optionalText(5), village: r.text(6), base: r.int(7),
            incoming: try r.optionalText(8).map { try JSONText.decode(Value.self, $0) }, incomingNode: r.optionalText(9),
            incomingSeq: r[10].integer, incomingHLC: r.optionalText(11), incomingAuthor: r.optionalText(12),
            incomingHseq: r.int(13), incomingWon: r.int(14) != 0,
            hubValue: try r.optionalText(15).map { try JSONText.decode(Value.self, $0) },
            hubVersion: VersionCodec.decodeOne(r.optionalText(16)), reason: r.text(17), status: r.text(18),
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
        for r in rows { if let k = ConflictKind(rawValue: r.text(0)) { out[k] = Int(r.int(1)) } }
        return out
    }

    /// The value a field had at version `hseq` (from the log), for showing a conflict's base.
    public func value(table: String, row: String, field: String, at hseq: Int64) throws -> Value? {
        guard hseq > 0, let r = try connection.row("SELECT vals FROM log WHERE hseq = ?1 AND tbl = ?2 AND row_id = ?3",
                                                  [.integer(hseq), .text(table), .text(row)]) else { return nil }
        return try JSONText.decode(Fields.self, r.text(0))[field]
    }

    /// Every change ever written to a row, oldest first.
    public func history(table: String, id: String) throws -> [HistoryEntry] {
        try connection.rows("""
            SELECT hseq, node, seq, op, vals, hlc, author, received_at, note FROM log
            WHERE tbl = ?1 AND row_id = ?2 ORDER BY hseq
            """, [.text(table), .text(id)]).map {
            HistoryEntry(hseq: $0.int(0), node: $0.text(1), seq: $0.int(2), op: $0.text(3),
                         values: try JSONText.decode(Fields.self, $0.text(4)), hlc: $0.text(5), author: $0.text(6),
                         receivedAt: $0.int(7), note: $0.optionalText(8))
        }
    }

    /// Rows that reference `(table, id)` (live or not), as (table, id, field).
    public func references(to table: String, id: String) throws -> [(String, String, String)] {
        var out: [(String, String, String)] = []
        for other in schema.tables {
            for f in other.referenceFields where f.references == table {
                for r in try connection.rows("SELECT id FROM \(SchemaSQL.quote(other.name)) WHERE \(SchemaSQL.quote(f.name)) = ?1 ORDER BY id",
                                             [.text(id)]) {
                    out.append((other.name, r.text(0), f.name))
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
        for (k, v) in values where previous.values[k] != v || previous.versions[k] == nil {
            r.versions[k] = FieldVersion(hseq: hseq, hlc: stamp, writers: [NodeID.hub])
        }
        if r.deleted && !previous.deleted { r.deletion = FieldVersion(hseq: hseq, hlc: stamp, writers: [NodeID.hub]) }
        if !r.deleted { r.deletion = nil }
        try writeRow(t, r)
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
        return hseq
    }

    func openConflictForAction(_ id: Int64, kinds: [ConflictKind]) throws -> ConflictRecord {
        guard let c = try conflict(id) else { throw OperatorError(code: .notFound, message: "no conflict #\(id)") }
        guard c.status == "open" else {
            let when = c.resolvedAt.map { Date(timeIntervalSince1970: Double($0) / 1000).ISO8601Format() } ?? "?"
            throw OperatorError(code: .alreadyResolved, message: "conflict #\(id) was already resolved by \(c.resolvedBy ?? "?") at \(when) (\(c.resolution ?? ""))")
        }
        guard kinds.contains(c.kind) else {
            throw OperatorError(code: .wrongKind, message: "conflict #\(id) is a \(c.kind.rawValue) conflict")
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
            throw OperatorError(code: .notFound, message: "no \(table) row \(id)")
        }
        return (t, r)
    }

    // MARK: resolutions

    /// Settles a field conflict by taking the village's value, the hub's, or a new one.
    /// Compare-and-set (rule 14): when `expectedVersion` is given and the field moved since, it is refused as `stale`.
    /// - Returns: the `hseq` of the resolution.
    /// - Throws: `OperatorError` (already-resolved, stale, invalid, …) or `StoreError`.
    @discardableResult
    public func resolveField(_ id: Int64, choice: FieldChoice, expectedVersion: Int64? = nil,
                             action: OperatorAction) throws -> Int64 {
        try connection.transaction {
            let c = try openConflictForAction(id, kinds: [.field])
            guard let field = c.field else { throw OperatorError(code: .wrongKind, message: "conflict #\(id) names no field") }
            let (t, current) = try loadLive(c.table, c.row)
            let version = current.versions[field]?.hseq ?? 0
            if let expectedVersion, expectedVersion != version {
                throw OperatorError(code: .stale, message: "the field changed since it was shown (version \(expectedVersion) → \(version)); look again")
            }
            let value: Value
            let label: String
            switch choice {
            case .village: value = c.incoming ?? .null; label = "take village"
            case .hub: value = c.hubValue ?? .null; label = "take hub"
            case .value(let v): value = v; label = "new value"
            }
            var next = current
            next.values[field] = value.isNull ? nil : value
            try validate(t, next, fields: [field])
            var clock = HybridClock(node: NodeID.hub, last: try clock())
            let hseq = try operatorWrite(t, next, previous: current, op: "resolve", values: [field: value],
                                         action: action, clock: &clock)
            try setMeta("hlc", clock.last.description)
            try closeConflict(id, resolution: label, hseq: hseq, action: action)
            // Other open conflicts on the same field are settled by the same decision.
            for other in try connection.rows("""
                SELECT id FROM conflicts WHERE status = 'open' AND kind = 'field' AND tbl = ?1 AND row_id = ?2 AND field = ?3
                """, [.text(c.table), .text(c.row), .text(field)]) {
                try closeConflict(other.int(0), resolution: "superseded by #\(id)", hseq: hseq, action: action)
            }
            return hseq
        }
    }

    /// Settles a delete conflict: keep the row, or delete it (refused while live rows reference it).
    /// - Returns: the `hseq` of the resolution.
    @discardableResult
    public func resolveDelete(_ id: Int64, keep: Bool, action: OperatorAction) throws -> Int64 {
        try connection.transaction {
            let c = try openConflictForAction(id, kinds: [.delete])
            let (t, current) = try loadLive(c.table, c.row)
            var next = current
            if keep {
                next.deleted = false
            } else {
                let refs = try referrers(t.name, current.id)
                guard refs.isEmpty else {
                    throw OperatorError(code: .referenced, message: "\(refs.count) live row(s) reference this row; repoint or delete them first")
                }
                next.deleted = true
            }
            var clock = HybridClock(node: NodeID.hub, last: try clock())
            let hseq = try operatorWrite(t, next, previous: current, op: keep ? "keep" : "delete", values: [:],
                                         action: action, clock: &clock)
            try setMeta("hlc", clock.last.description)
            try closeConflict(id, resolution: keep ? "keep" : "delete", hseq: hseq, action: action)
            return hseq
        }
    }

    /// Merges the two rows of a duplicate conflict into a survivor: fields
    /// chosen from the other row (and the survivor's empty fields filled from
    /// it), references to the loser repointed, the loser tombstoned with a
    /// pointer to the survivor. Undo with `unmerge`.
    /// - Parameters:
    ///   - keep: the survivor's id; default the row registered first.
    ///   - fieldsFrom: field → the id of the row whose value to keep.
    /// - Returns: what was done.
    @discardableResult
    public func mergeDuplicate(_ id: Int64, keep: String? = nil, fieldsFrom: [String: String] = [:],
                               action: OperatorAction) throws -> MergeRecord {
        try connection.transaction {
            let c = try openConflictForAction(id, kinds: [.duplicate])
            guard let other = c.otherRow else { throw OperatorError(code: .wrongKind, message: "conflict #\(id) names one row") }
            let pair = [c.row, other]
            let survivorID = keep ?? pair.min() ?? c.row
            guard pair.contains(survivorID) else {
                throw OperatorError(code: .invalid, message: "--keep must be one of the conflict's two rows")
            }
            let loserID = pair.first { $0 != survivorID } ?? other
            let (t, survivor) = try loadLive(c.table, survivorID)
            let (_, loser) = try loadLive(c.table, loserID)
            guard !survivor.deleted, !loser.deleted else {
                throw OperatorError(code: .invalid, message: "both rows must be live to merge")
            }
            if fieldsFrom[schema.scope] != nil {
                throw OperatorError(code: .invalid, message: "a merge keeps the survivor's \(schema.scope); keep the other row, or transfer the survivor first")
            }
            var next = survivor
            var before: Fields = [:]
            var beforeEmpty: [String] = []
            var changed: Fields = [:]
            for f in t.fields where f.name != schema.scope {
                let from = fieldsFrom[f.name]
                if let from, !pair.contains(from) {
                    throw OperatorError(code: .invalid, message: "--field \(f.name) must name one of the two rows")
                }
                let takeLoser = from == loserID || (from == nil && survivor.values[f.name] == nil && loser.values[f.name] != nil)
                guard takeLoser, let v = loser.values[f.name], survivor.values[f.name] != v else { continue }
                if let old = survivor.values[f.name] { before[f.name] = old } else { beforeEmpty.append(f.name) }
                next.values[f.name] = v
                changed[f.name] = v
            }
            for k in fieldsFrom.keys where t.field(k) == nil {
                throw OperatorError(code: .invalid, message: "\(t.name) has no field \(k)")
            }
            try validate(t, next, fields: Set(changed.keys))
            var clock = HybridClock(node: NodeID.hub, last: try clock())
            var hseqs: [Int64] = []
            if !changed.isEmpty {
                hseqs.append(try operatorWrite(t, next, previous: survivor, op: "merge", values: changed, action: action, clock: &clock))
            }
            var repointed: [MergeRecord.Repointed] = []
            for (rt, rid, rf) in try references(to: t.name, id: loserID) {
                guard let rts = schema.table(named: rt), let r = try row(rts, id: rid) else { continue }
                var n = r
                n.values[rf] = .text(survivorID)
                hseqs.append(try operatorWrite(rts, n, previous: r, op: "repoint", values: [rf: .text(survivorID)],
                                               action: action, clock: &clock))
                repointed.append(.init(table: rt, id: rid, field: rf))
            }
            var gone = loser
            gone.deleted = true
            gone.mergedInto = survivorID
            hseqs.append(try operatorWrite(t, gone, previous: loser, op: "merged-into", values: [:], action: action, clock: &clock))
            try setMeta("hlc", clock.last.description)
            let record = MergeRecord(table: t.name, survivor: survivorID, loser: loserID, survivorBefore: before,
                                     survivorBeforeEmpty: beforeEmpty, repointed: repointed, hseqs: hseqs)
            try closeConflict(id, resolution: "merge", hseq: hseqs.last, action: action, details: JSONText.encode(record))
            // A twin conflict for the same pair (opened before duplicates were deduplicated) is settled with it.
            for twin in try connection.rows("""
                SELECT id FROM conflicts WHERE kind = 'duplicate' AND status = 'open' AND tbl = ?1 AND id <> ?2
                  AND ((row_id = ?3 AND other_row = ?4) OR (row_id = ?4 AND other_row = ?3))
                """, [.text(t.name), .integer(id), .text(survivorID), .text(loserID)]) {
                try closeConflict(twin.int(0), resolution: "superseded by #\(id)", hseq: hseqs.last, action: action)
            }
            return record
        }
    }

    /// Undoes a duplicate merge: the loser live again, the survivor's merged
    /// fields restored, references repointed back; the conflict reopens.
    /// Each step is an ordinary operator change.
    @discardableResult
    public func unmerge(_ id: Int64, action: OperatorAction) throws -> MergeRecord {
        try connection.transaction {
            guard let c = try conflict(id) else { throw OperatorError(code: .notFound, message: "no conflict #\(id)") }
            guard c.kind == .duplicate, c.status == "resolved", c.resolution == "merge", let d = c.details else {
                throw OperatorError(code: .notMerged, message: "conflict #\(id) is not a merged duplicate")
            }
            let m = try JSONText.decode(MergeRecord.self, d)
            let (t, loser) = try loadLive(m.table, m.loser)
            let (_, survivor) = try loadLive(m.table, m.survivor)
            var clock = HybridClock(node: NodeID.hub, last: try clock())
            var back = loser
            back.deleted = false
            back.mergedInto = nil
            _ = try operatorWrite(t, back, previous: loser, op: "unmerge", values: [:], action: action, clock: &clock)
            var restored = survivor
            var restoredValues: Fields = [:]
            for (k, v) in m.survivorBefore { restored.values[k] = v; restoredValues[k] = v }
            for k in m.survivorBeforeEmpty { restored.values[k] = nil; restoredValues[k] = .null }
            if !restoredValues.isEmpty {
                _ = try operatorWrite(t, restored, previous: survivor, op: "unmerge", values: restoredValues, action: action, clock: &clock)
            }
            for p in m.repointed {
                guard let rt = schema.table(named: p.table), let r = try row(rt, id: p.id), r.values[p.field]?.text == m.survivor else { continue }
                var n = r
                n.values[p.field] = .text(m.loser)
                _ = try operatorWrite(rt, n, previous: r, op: "unmerge", values: [p.field: .text(m.loser)], action: action, clock: &clock)
            }
            try setMeta("hlc", clock.last.description)
            try connection.run("""
                UPDATE conflicts SET status = 'open', resolution = 'unmerged', resolved_by = ?2, resolved_at = ?3, note = ?4
                WHERE id = ?1
                """, [.integer(id), .text(action.name), .integer(action.wallMillis), action.note.map { .text($0) } ?? .null])
            return m
        }
    }

    /// Sets fields of a row directly as the operator (a correction at the hub).
    @discardableResult
    public func operatorEdit(table: String, id: String, values: Fields, action: OperatorAction) throws -> Int64 {
        try connection.transaction {
            let (t, current) = try loadLive(table, id)
            var next = current
            for (k, v) in values {
                guard t.field(k) != nil else { throw OperatorError(code: .invalid, message: "\(t.name) has no field \(k)") }
                next.values[k] = v.isNull ? nil : v
            }
            try validate(t, next, fields: Set(values.keys))
            var clock = HybridClock(node: NodeID.hub, last: try clock())
            let h = try operatorWrite(t, next, previous: current, op: "edit", values: values, action: action, clock: &clock)
            try setMeta("hlc", clock.last.description)
            return h
        }
    }

    func validate(_ t: TableSchema, _ row: HubRow, fields: Set<String>) throws {
        let v = Validator(schema: schema)
        // Read first (each read throws), then judge.
        var states: [RowKey: ReferenceState] = [:]
        for f in t.referenceFields {
            if let id = row.values[f.name]?.text, let target = f.references, let s = try referenceState(target, id) {
                states[RowKey(target, id)] = s
            }
        }
        let issues = v.issues(row: row.values, table: t, checkFields: fields, lookup: { table, id in
            switch states[RowKey(table, id)] {
            case .live(let b)?: return ReferencedRow(isLive: true, birthDate: b)
            case .merged?: return ReferencedRow(isLive: true, birthDate: nil)
            default: return nil
            }
        })
        if let first = issues.first {
            throw OperatorError(code: .invalid, message: first.safeMessage, issues: issues)
        }
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
            HistoryEntry(hseq: $0.int(0), node: $0.text(1), seq: $0.int(2), op: $0.text(3),
                         values: try JSONText.decode(Fields.self, $0.text(4)), hlc: $0.text(5), author: $0.text(6),
                         receivedAt: $0.int(7), note: $0.optionalText(8))
        }
    }

    /// Rows of a table for export and lists: by pinyin of the name where the table
    /// has one, else by id; live rows unless `includeDeleted`.
    public func rows(table name: String, village: String? = nil, includeDeleted: Bool = false) throws -> [HubRow] {
        guard let t = schema.table(named: name) else { throw OperatorError(code: .notFound, message: "no table \(name)") }
        // A read-only connection cannot fill missing keys: those rows then sort by id after the others.
        try? fillSortKeys(t)
        var clauses: [String] = []
        var args: [Value] = []
        if !includeDeleted { clauses.append("_deleted = 0") }
        if let village { args.append(.text(village)); clauses.append("\(SchemaSQL.quote(schema.scope)) = ?\(args.count)") }
        let w = clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND ")
        return try connection.rows("SELECT \(SchemaSQL.columns(t, extra: HubStore.rowMeta)) FROM \(SchemaSQL.quote(t.name)) \(w) ORDER BY _sort IS NULL, _sort, id",
                                   args).map { decodeRow(t, $0) }
    }
}
