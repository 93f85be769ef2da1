import HamletCore

/// The result of one local write.
public struct LocalWrite: Sendable {
    public var id: String
    public var seq: Int64
    /// Live people who already held the national ID the write recorded (`.record`).
    public var duplicates: [NationalIDHolder] = []
    /// The mother's pregnancy a new child's birth closed, in the same transaction.
    public var closedPregnancy: ClosedPregnancy?
    /// Logic-check warnings the write brought in (saved anyway; listed by `hamlet check`).
    public var warnings: [CheckFinding] = []
}

/// A pregnancy (孕情) closed by recording the child's birth: its own pending change.
public struct ClosedPregnancy: Sendable {
    /// The pregnancy's row id.
    public var id: String
    /// The change that set it `born`, with `child` and `ended_on`.
    public var seq: Int64
    /// The fields that change set.
    public var values: Fields
}

/// What a local write does with a national ID another live person of the replica holds.
public enum DuplicateNationalIDs: Sendable {
    /// Refuse the write (`ReplicaError.duplicate`, naming the holders): the clerk's default.
    case refuse
    /// Write it and report the holders; the hub opens its duplicate conflict (DESIGN rule 8).
    case record
}

extension Replica {
    /// Creates a row in the node's village. Missing fields take their schema default;
    /// `village` defaults to the node's own. A person with a `mother` who has an
    /// ongoing pregnancy found by the birth date closes it (`PregnancyClosure`):
    /// a second change in the same transaction, reported in `closedPregnancy`.
    /// - Parameter duplicates: a national ID another live person holds is refused, or recorded (the default).
    /// - Throws: `ReplicaError` (invalid, out-of-scope, unknown-field, exists, duplicate-national-id) or `StoreError`;
    ///   nothing is written then.
    public func insert(table: String, id given: String? = nil, values input: Fields, author: String, wallMillis: Int64,
                       duplicates: DuplicateNationalIDs = .record, rng: inout some RandomNumberGenerator) throws -> LocalWrite {
        let t = try self.table(table)
        let id = given ?? RowID.make(unixMillis: wallMillis, using: &rng)
        guard RowID.isValid(id) else { throw ReplicaError(.invalid, "id is not a row id (UUID)", zh: "编号 \(id) 不是有效的记录编号") }
        return try connection.transaction {
            if try visibleRow(t, id: id) != nil || shadow(table: t.name, id: id) != nil {
                throw ReplicaError(.exists, "a \(t.singular) with this id already exists", zh: "编号 \(id) 的\(t.label.zh)记录已经存在")
            }
            let info = try self.info()
            var values = input
            try checkFieldNames(t, values)
            let scope = schema.scope
            if values[scope] == nil || values[scope] == .null { values[scope] = .text(info.village) }
            guard values[scope]?.text == info.village else {
                throw ReplicaError(.outOfScope, "this node writes only village \(info.village)", zh: "本节点只能录入\(info.village)的记录")
            }
            for f in t.fields where values[f.name] == nil {
                if let d = f.defaultValue { values[f.name] = .text(d) }
            }
            values = values.filter { !$0.value.isNull }
            let references = try localReferences(t, values)
            let issues = validator.issues(row: values, table: t, checkFields: Set(t.fields.map(\.name)),
                                          lookup: { references[RowKey($0, $1)] })
            guard issues.isEmpty else { throw ReplicaError(.invalid, "invalid \(t.singular)", issues: issues) }
            let holders = try duplicateHolders(t, values: values, id: id, policy: duplicates)
            let check = try entryCheck(t, id: id, before: nil, after: values, wallMillis: wallMillis)
            try writeVisible(t, id: id, values: values)
            let seq = try appendChange(t, id: id, op: .put, values: values, bases: values.mapValues { _ in 0 },
                                       rowBase: 0, author: author, wallMillis: wallMillis, info: info)
            let closed = try closePregnancy(ofChild: id, t, values, author: author, wallMillis: wallMillis)
            let warnings = try check.judge()
            return LocalWrite(id: id, seq: seq, duplicates: holders, closedPregnancy: closed, warnings: warnings)
        }
    }

    /// Read → decide → apply: the mother's pregnancies in this replica, `PregnancyClosure`
    /// picks the one the birth ends, and an ordinary edit closes it. The reads throw: a
    /// failed read fails the insert rather than leaving the pregnancy open unseen.
    func closePregnancy(ofChild id: String, _ t: TableSchema, _ child: Fields, author: String,
                        wallMillis: Int64) throws -> ClosedPregnancy? {
        guard t.name == "people", let mother = child["mother"]?.text, let birth = child["birth_date"]?.text,
              let pregnancies = schema.table(named: "pregnancies"), pregnancies.field("woman") != nil else { return nil }
        let hers = try list(table: pregnancies.name, filters: [("woman", .text(mother))], limit: Int.max)
        guard let update = PregnancyClosure.decide(child: id, birthDate: birth,
                                                   pregnancies: hers.map { PregnancyClosure.Pregnancy(id: $0.0, values: $0.1) })
        else { return nil }
        let w = try self.update(table: pregnancies.name, id: update.pregnancy, values: update.values, author: author,
                                wallMillis: wallMillis)
        return ClosedPregnancy(id: w.id, seq: w.seq, values: update.values)
    }

    /// Sets fields of an existing row (`.null` clears a field).
    /// - Parameter duplicates: a national ID (set by this change) that another live person holds is refused,
    ///   or recorded (the default).
    /// - Throws: `ReplicaError` (not-found, invalid, no-change, duplicate-national-id) or `StoreError`; nothing is written then.
    @discardableResult
    public func update(table: String, id: String, values input: Fields, author: String, wallMillis: Int64,
                       duplicates: DuplicateNationalIDs = .record) throws -> LocalWrite {
        let t = try self.table(table)
        return try connection.transaction {
            let info = try self.info()
            try checkFieldNames(t, input)
            guard var row = try visibleRow(t, id: id) else {
                throw ReplicaError(.notFound, "no \(t.singular) \(id) in this replica", zh: "本节点没有编号为 \(id) 的\(t.label.zh)记录")
            }
            let old = row
            var changes: Fields = [:]
            for (k, v) in input where (row[k] ?? .null) != v {
                changes[k] = v
                row[k] = v.isNull ? nil : v
            }
            guard !changes.isEmpty else { throw ReplicaError(.noChange, "nothing to change: the values are already set", zh: "没有需要修改的内容：值与现有的相同") }
            let references = try localReferences(t, row)
            let issues = validator.issues(row: row, table: t, checkFields: Set(changes.keys),
                                          lookup: { references[RowKey($0, $1)] })
            guard issues.isEmpty else { throw ReplicaError(.invalid, "invalid \(t.singular)", issues: issues) }
            let holders = try duplicateHolders(t, values: changes, id: id, policy: duplicates)
            let (bases, rowBase) = try basesFor(t, id: id, fields: Array(changes.keys), info: info)
            let check = try entryCheck(t, id: id, before: old, after: row, wallMillis: wallMillis)
            try writeVisible(t, id: id, values: row)
            let seq = try appendChange(t, id: id, op: .put, values: changes, bases: bases, rowBase: rowBase,
                                       author: author, wallMillis: wallMillis, info: info)
            return LocalWrite(id: id, seq: seq, duplicates: holders, warnings: try check.judge())
        }
    }

    /// Deletes a row (a tombstone at the hub). Refused while live rows reference it.
    /// - Throws: `ReplicaError` (not-found, referenced) or `StoreError`.
    @discardableResult
    public func delete(table: String, id: String, author: String, wallMillis: Int64) throws -> LocalWrite {
        let t = try self.table(table)
        return try connection.transaction {
            let info = try self.info()
            guard try visibleRow(t, id: id) != nil else {
                throw ReplicaError(.notFound, "no \(t.singular) \(id) in this replica", zh: "本节点没有编号为 \(id) 的\(t.label.zh)记录")
            }
            var referrers = 0
            for other in schema.tables {
                for f in other.referenceFields where f.references == t.name {
                    referrers += Int(try connection.scalar(
                        "SELECT count(*) FROM \(SchemaSQL.quote(other.name)) WHERE \(SchemaSQL.quote(f.name)) = ?1",
                        [.text(id)]).integer ?? 0)
                }
            }
            guard referrers == 0 else {
                throw ReplicaError(.referenced, "\(referrers) live row(s) refer to this \(t.singular); change or delete them first",
                                   zh: "还有 \(referrers) 条记录引用这条\(t.label.zh)记录，请先修改或删除那些记录")
            }
            let (_, rowBase) = try basesFor(t, id: id, fields: [], info: info)
            try connection.run("DELETE FROM \(SchemaSQL.quote(t.name)) WHERE id = ?1", [.text(id)])
            let seq = try appendChange(t, id: id, op: .delete, values: [:], bases: [:], rowBase: rowBase,
                                       author: author, wallMillis: wallMillis, info: info)
            return LocalWrite(id: id, seq: seq)
        }
    }

    /// The live rows other than `id` that hold a unique value `values` sets; throws `duplicate` when the policy refuses.
    /// (The read throws: a failed read must not let a duplicate through.)
    func duplicateHolders(_ t: TableSchema, values: Fields, id: String, policy: DuplicateNationalIDs) throws -> [NationalIDHolder] {
        var found: [NationalIDHolder] = []
        for u in t.uniqueFields {
            guard let value = values[u.name]?.text else { continue }
            let holders = try uniqueHolders(t, field: u.name, value: value, excluding: id)
            if !holders.isEmpty, policy == .refuse {
                throw ReplicaError(.duplicate, "\(t.name).\(u.name) is held by \(holders.count) live row(s) in this replica", holders: holders)
            }
            found += holders
        }
        return found
    }

    /// The live rows of a table (other than `excluding`) whose field has this value, described for the clerk.
    public func uniqueHolders(_ t: TableSchema, field: String, value: String, excluding: String?) throws -> [NationalIDHolder] {
        guard t.field(field) != nil else { throw ReplicaError(.unknownField, "\(t.name) has no field \(field)", zh: Replica.noFieldZH(t, field)) }
        let rows = try connection.rows(
            "SELECT id FROM \(SchemaSQL.quote(t.name)) WHERE \(SchemaSQL.quote(field)) = ?1 AND id != ?2 ORDER BY id",
            [.text(value), .text(excluding ?? "")])
        return try rows.map { r in
            let id = try r.text(0)
            let row = try visibleRow(t, id: id) ?? [:]
            var address: String?
            if let h = row["household"]?.text, let households = schema.table(named: "households") {
                address = try visibleRow(households, id: h)?["address"]?.text
            }
            return NationalIDHolder(id: id, row: row, householdAddress: address)
        }
    }

    func checkFieldNames(_ t: TableSchema, _ values: Fields) throws {
        for k in values.keys where t.field(k) == nil {
            throw ReplicaError(.unknownField, "\(t.name) has no field \(k)", zh: Replica.noFieldZH(t, k))
        }
    }

    /// The rows a row references, read before validation judges it (a failed read fails the write).
    func localReferences(_ t: TableSchema, _ values: Fields) throws -> [RowKey: ReferencedRow] {
        var out: [RowKey: ReferencedRow] = [:]
        for f in t.referenceFields {
            if let id = values[f.name]?.text, let target = f.references, let r = try localReference(target, id) {
                out[RowKey(target, id)] = r
            }
        }
        return out
    }

    /// A referenced row as local validation sees it: live rows of the replica.
    func localReference(_ table: String, _ id: String) throws -> ReferencedRow? {
        guard let t = schema.table(named: table), let row = try visibleRow(t, id: id) else {
            // The hub may have sent a reference to a row this node does not hold (rule 6).
            if let s = try shadow(table: table, id: id), !s.deleted {
                return ReferencedRow(isLive: true, birthDate: s.values["birth_date"]?.text)
            }
            return nil
        }
        return ReferencedRow(isLive: true, birthDate: row["birth_date"]?.text)
    }

    /// Base versions for an edit: the base of an outstanding edit of the same
    /// field when there is one (rule 1), else the shadow's version.
    func basesFor(_ t: TableSchema, id: String, fields: [String], info: ReplicaInfo) throws -> ([String: Int64], Int64) {
        let s = try shadow(table: t.name, id: id)
        let pending = try outstanding(table: t.name, id: id, cursor: info.cursor, node: info.node)
        var bases: [String: Int64] = [:]
        for f in fields {
            if let c = pending.last(where: { $0.change.values[f] != nil }), let b = c.change.bases[f] {
                bases[f] = b
            } else {
                bases[f] = s?.versions[f] ?? 0
            }
        }
        let rowBase = pending.first?.change.rowBase ?? s?.hseq ?? 0
        return (bases, max(rowBase, 0))
    }

    /// Appends to the change log with the next `seq` and a fresh HLC stamp, persisting both.
    func appendChange(_ t: TableSchema, id: String, op: ChangeOp, values: Fields, bases: [String: Int64], rowBase: Int64,
                      author: String, wallMillis: Int64, info: ReplicaInfo) throws -> Int64 {
        var clock = HybridClock(node: info.node, last: try meta("hlc").flatMap { HLC($0) })
        let stamp = clock.tick(wallMillis: wallMillis)
        let seq = info.nextSeq
        try connection.run("""
            INSERT INTO _changes (seq, tbl, row_id, op, vals, bases, row_base, hlc, author, epoch, made_at)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
            """, [.integer(seq), .text(t.name), .text(id), .text(op.rawValue), .text(JSONText.encode(values)),
                  .text(JSONText.encode(bases)), .integer(rowBase), .text(stamp.description), .text(author),
                  .text(info.epoch), .integer(wallMillis)])
        try setMeta("hlc", stamp.description)
        try setMeta("next_seq", String(seq + 1))
        return seq
    }
}
