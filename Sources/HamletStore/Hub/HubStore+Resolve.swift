import HamletCore

/// The operator's actions: read what the decision needs (each read throws), let
/// `OperatorDecision` decide (compare-and-set on what the operator was shown), then
/// write ordinary hub changes with `operatorWrite`, so every node receives them.
extension HubStore {
    /// Settles a field conflict by taking the village's value, the hub's, or a new one.
    /// - Parameter expectedVersion: the field version the operator was shown; nil = the version
    ///   the conflict shows (the field right after it opened). Moved since: `stale`.
    /// - Returns: the `hseq` of the resolution.
    /// - Throws: `OperatorError` (already-resolved, stale, invalid, …) or `StoreError`.
    @discardableResult
    public func resolveField(_ id: Int64, choice: FieldChoice, expectedVersion: Int64? = nil,
                             action: OperatorAction) throws -> Int64 {
        try connection.transaction {
            let c = try openConflictForAction(id, kinds: [.field])
            guard let field = c.field else { throw OperatorError(code: .wrongKind, message: "conflict #\(id) names no field", zh: "冲突 #\(id) 不是字段冲突") }
            var (t, current) = try loadLive(c.table, c.row)
            let value: Value
            let label: String
            switch choice {
            case .village: value = c.incoming ?? .null; label = "take village"
            case .hub: value = c.hubValue ?? .null; label = "take hub"
            case .value(let v): value = v; label = "new value"
            }
            var shown = expectedVersion ?? OperatorDecision.shownVersion(incomingWon: c.incomingWon, incomingHseq: c.incomingHseq,
                                                                         hubVersion: c.hubVersion)
            if let survivor = current.mergedInto, let s = try row(t, id: survivor) {
                // The row was merged away since: the decision is about this person, so it applies to the survivor.
                current = s
                shown = expectedVersion ?? s.versions[field]?.hseq ?? 0
            } else if current.deleted {
                // The row is gone: nothing to decide any more (bringing it back is a delete conflict's "keep").
                try closeConflict(id, resolution: "moot", hseq: nil, action: action)
                return current.hseq
            }
            let next = try decided(OperatorDecision.setField(current, field: field, to: value, shown: shown))
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
    /// - Parameter expectedRowVersion: the row version (`hseq`) the operator was shown; nil = the
    ///   row as the conflict left it. Changed since: `stale`.
    /// - Returns: the `hseq` of the resolution.
    /// - Throws: `OperatorError` or `StoreError`.
    @discardableResult
    public func resolveDelete(_ id: Int64, keep: Bool, expectedRowVersion: Int64? = nil, action: OperatorAction) throws -> Int64 {
        try connection.transaction {
            let c = try openConflictForAction(id, kinds: [.delete])
            let (t, current) = try loadLive(c.table, c.row)
            let referrers = keep ? [] : try referrers(t.name, current.id)
            let next = try decided(OperatorDecision.settleDelete(current, keep: keep, shownRow: expectedRowVersion ?? c.incomingHseq,
                                                                 referrers: referrers))
            var clock = HybridClock(node: NodeID.hub, last: try clock())
            let hseq = try operatorWrite(t, next, previous: current, op: keep ? "keep" : "delete", values: [:],
                                         action: action, clock: &clock)
            try setMeta("hlc", clock.last.description)
            try closeConflict(id, resolution: keep ? "keep" : "delete", hseq: hseq, action: action)
            return hseq
        }
    }

    /// Sets fields of a row directly as the operator (a correction at the hub: `hamlet hub edit`).
    /// - Parameters:
    ///   - expectedVersions: field → the version the operator was shown; a field moved since is `stale`.
    ///   - expectedRowVersion: the row version (`hseq`) the operator was shown; the row changed since is `stale`.
    /// - Returns: the `hseq` of the correction.
    /// - Throws: `OperatorError` (not-found, stale, invalid) or `StoreError`.
    @discardableResult
    public func operatorEdit(table: String, id: String, values: Fields, expectedVersions: [String: Int64]? = nil,
                             expectedRowVersion: Int64? = nil, action: OperatorAction) throws -> Int64 {
        try connection.transaction {
            let (t, current) = try loadLive(table, id)
            if let shown = expectedRowVersion, current.hseq > shown {
                throw OperatorError(code: .stale, message: "the row changed since it was shown (version \(shown) → \(current.hseq)); look again",
                                    zh: "这条记录在显示之后又改过（版本 \(shown) → \(current.hseq)），请重新查看",
                                    currentVersion: current.hseq)
            }
            let next = try decided(OperatorDecision.edit(current, values: values, table: t, shown: expectedVersions))
            try validate(t, next, fields: Set(values.keys))
            var clock = HybridClock(node: NodeID.hub, last: try clock())
            let h = try operatorWrite(t, next, previous: current, op: "edit", values: values, action: action, clock: &clock)
            try setMeta("hlc", clock.last.description)
            return h
        }
    }

    /// An operator's "keep" brought a deleted row back: the same revival as a node's change
    /// (rules 6 and 8) — the rows it references revive (each an operator change that flows to the
    /// nodes), and its unique values meet the duplicate check.
    func reviveWhole(_ t: TableSchema, _ row: HubRow, hseq: Int64, action: OperatorAction, clock: inout HybridClock) throws {
        let probe = Change(node: NodeID.hub, seq: 0, table: t.name, row: row.id, op: .put, values: [:], bases: [:], rowBase: 0,
                           hlc: clock.last, author: action.name, epoch: "")
        let facts = try MergeFacts.gather(for: probe, onto: row, table: t, schema: schema, mapBase: { $0 }, reads: MergeReader(store: self))
        let ctx = MergeContext(schema: schema, table: t, writerVillage: nil, hseq: hseq, facts: facts)
        let (revive, conflicts) = Merge.revival(of: row, context: ctx)
        for key in revive {
            guard let rt = schema.table(named: key.table), let r = try self.row(rt, id: key.id), r.deleted else { continue }
            var back = r
            back.deleted = false
            _ = try operatorWrite(rt, back, previous: r, op: "keep", values: [:], action: action, clock: &clock)
        }
        for c in conflicts { _ = try openConflict(c, change: nil, hseq: hseq) }
    }

    /// The decision's value, or its refusal as an `OperatorError` with the same code.
    func decided<T>(_ result: Result<T, OperatorRefusal>) throws -> T {
        switch result {
        case .success(let v): return v
        case .failure(let r):
            let code: OperatorError.Code
            switch r.code {
            case .stale: code = .stale
            case .invalid: code = .invalid
            case .referenced: code = .referenced
            }
            throw OperatorError(code: code, message: r.message, zh: r.messageZH, field: r.field, currentVersion: r.currentVersion)
        }
    }

    /// Judges a row the operator is about to write; the referenced rows are read first (each read throws).
    /// - Throws: `OperatorError.invalid` with the issues.
    func validate(_ t: TableSchema, _ row: HubRow, fields: Set<String>) throws {
        var states: [RowKey: ReferenceState] = [:]
        for f in t.referenceFields {
            if let id = row.values[f.name]?.text, let target = f.references, let s = try referenceState(target, id) {
                states[RowKey(target, id)] = s
            }
        }
        let issues = Validator(schema: schema).issues(row: row.values, table: t, checkFields: fields, lookup: { table, id in
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
