/// A put onto a row the hub holds: the field-level three-way merge, revival, and the
/// cross-field rules judged on the change's own terms.
extension Merge {
    static func update(_ change: Change, current cur: HubRow, context ctx: MergeContext, writer: String,
                       validator: Validator) -> MergeOutcome {
        let cur = cur.adopting(ctx.table.layout)
        var values = change.values
        var revive: [RowKey] = []
        var conflicts: [ConflictDraft] = []
        if !ctx.forceReview, let r = resolveReferences(&values, changed: Set(values.keys), row: cur.id, ctx: ctx,
                                                        revive: &revive, conflicts: &conflicts) {
            return .reject(r)
        }
        var (row, changed) = mergeFields(values, change: change, current: cur, ctx: ctx, writer: writer, conflicts: &conflicts)
        if ctx.forceReview {
            return .apply(.init(row: cur, changedFields: [], conflicts: conflicts, revive: [], created: false))
        }
        // An edit after a concurrent delete revives the row (rule 5): nothing is lost, and the
        // row comes back whole — the rows it references revive too (rule 6).
        let revived = cur.deleted
        if revived {
            row.deleted = false
            row.deletion = nil
            conflicts.append(ConflictDraft(kind: .delete, table: cur.table, row: cur.id, base: change.rowBase,
                                           hubVersion: cur.deletion, incomingWon: true,
                                           reason: "edit of a row deleted concurrently: row kept"))
            for f in ctx.table.referenceFields where values[f.name] == nil {
                guard let id = row.value(f.name)?.text, let target = f.references,
                      case .deleted? = ctx.facts.reference(target, id) else { continue }
                reviveWhole(RowKey(target, id), ctx: ctx, depth: 0, revive: &revive, conflicts: &conflicts)
            }
        }
        if !changed.isEmpty || revived {
            if let r = checkRules(values, merged: row, change: change, current: cur, changed: changed, revived: revived,
                                  ctx: ctx, writer: writer, validator: validator, conflicts: &conflicts) {
                return .reject(r)
            }
            row.hseq = ctx.hseq
        }
        let uniqueChanged = revived ? ctx.table.layout.uniqueNames : Set(changed)
        conflicts += duplicateConflicts(row: row, fields: uniqueChanged, ctx: ctx)
        if !conflicts.isEmpty || row != cur { row.hseq = ctx.hseq }
        return .apply(.init(row: row, changedFields: changed, conflicts: conflicts, revive: revive, created: false))
    }

    /// Merges each field the change sets; returns the new row and the fields whose value or version changed.
    /// `cur` is kept by the table's layout (`update` adopts it).
    static func mergeFields(_ values: Fields, change: Change, current cur: HubRow, ctx: MergeContext, writer: String,
                            conflicts: inout [ConflictDraft]) -> (HubRow, [String]) {
        var row = cur
        var changed: [String] = []
        let newVersion = FieldVersion(hseq: ctx.hseq, hlc: change.hlc, writers: [writer])
        let layout = ctx.table.layout
        for (name, incoming) in values.sorted(by: { $0.key < $1.key }) {
            // Every name is the table's (the shape check refuses others), so the row is read by ordinal.
            guard let o = layout.ordinals[name] else { continue }
            let hubValue = cur.cell(o) ?? .null
            let version = cur.cellVersions[o]
            if !ctx.forceReview && isFastForward(field: name, version: version, change: change, writer: writer, ctx: ctx) {
                // Re-asserting the value the field holds is no change: no new version, no new writer.
                if incoming != hubValue {
                    row.set(o, value: incoming, version: newVersion)
                    changed.append(name)
                }
                continue
            }
            // Concurrent with another writer.
            if incoming == hubValue {
                if var v = version, !ctx.forceReview, !v.writers.contains(writer) || change.hlc > v.hlc {
                    if !v.writers.contains(writer) { v.writers.append(writer) }
                    // The later stamp stays the field's stamp, so later lww comparisons do not depend on arrival order.
                    if change.hlc > v.hlc { v.hlc = change.hlc }
                    row.setVersion(o, v)
                }
                continue
            }
            // The value the field had at the change's base, sent again: no change, in every arrival order.
            if !ctx.forceReview, ctx.facts.baseValues[name] == incoming { continue }
            let field = ctx.table.fields[o]
            let operatorSet = version?.writers.contains(NodeID.hub) ?? false
            let incomingLater = version.map { change.hlc > $0.hlc } ?? true
            let incomingWins = incomingLater && !operatorSet && !ctx.forceReview
            if incomingWins {
                row.set(o, value: incoming, version: newVersion)
                changed.append(name)
            }
            if field.merge == .review || operatorSet || ctx.forceReview {
                let why = ctx.forceReview ? (ctx.reviewReason ?? "write to a merged-away row")
                    : operatorSet ? "concurrent with an operator's value" : "concurrent edits of one field"
                conflicts.append(ConflictDraft(kind: .field, table: cur.table, row: cur.id, field: name,
                                               base: change.bases[name] ?? 0, incoming: incoming, hubValue: hubValue,
                                               hubVersion: version, incomingWon: incomingWins, reason: why))
            }
        }
        return (row, changed)
    }

    /// Judges the rules across fields. The change is judged on its own terms (the row as it would
    /// leave it had it won every field): a break there that no concurrent value caused rejects it.
    /// The merged row may still break a rule because a concurrent value won provisionally: then
    /// both values stay and a review conflict names the field and the rule.
    /// - Returns: the rejection, or nil when the change is accepted (conflicts appended).
    static func checkRules(_ values: Fields, merged row: HubRow, change: Change, current cur: HubRow, changed: [String],
                           revived: Bool, ctx: MergeContext, writer: String, validator: Validator,
                           conflicts: inout [ConflictDraft]) -> Rejection? {
        let all = ctx.table.layout.nameSet
        var intended = cur
        for (k, v) in values { intended.setValue(v, named: k) }
        let own = Set(values.keys)
        let seen = ctx.mapBase(change.rowBase) ?? -1
        let concurrent = cur.fieldNames { $0.hseq > seen && !$0.writers.contains(writer) }.subtracting(own)
        let lookup: (String, String) -> ReferencedRow? = { lookupForValidation($0, $1, ctx) }
        let ownIssues = validator.issues(row: intended, table: ctx.table, checkFields: revived ? all : own, lookup: lookup,
                                         checked: change.values)
        if let first = ownIssues.first(where: { involvedFields($0, ctx.table).isDisjoint(with: concurrent) }) {
            return Rejection(first)
        }
        let lost = Set(conflicts.compactMap { $0.kind == .field && !$0.incomingWon ? $0.field : nil })
        let mergedChecks = revived ? all : Set(changed).union(lost)
        // The merged row is the intended one and checks no field the intended did: its issues are a subset of
        // none (`issues` finds fewer on the same row with fewer fields to check), so the second pass is spared.
        if ownIssues.isEmpty, row.sameValues(as: intended), revived || mergedChecks.isSubset(of: own) { return nil }
        let mergedIssues = validator.issues(row: row, table: ctx.table, checkFields: mergedChecks, lookup: lookup,
                                            checked: change.values)
        for issue in mergedIssues {
            let why = "the merged row breaks \(issue.code.rawValue) (\(involvedFields(issue, ctx.table).sorted().joined(separator: ", "))): review both values"
            if let i = conflicts.firstIndex(where: { $0.kind == .field && $0.field == issue.field }) {
                conflicts[i].reason += "; \(why)"
                continue
            }
            conflicts.append(ConflictDraft(kind: .field, table: cur.table, row: cur.id, field: issue.field,
                                           base: change.bases[issue.field] ?? change.rowBase,
                                           incoming: intended.value(issue.field) ?? .null, hubValue: row.value(issue.field) ?? .null,
                                           hubVersion: row.version(issue.field), incomingWon: false, reason: why))
        }
        return nil
    }

    /// The fields a validation issue is about (both sides of a cross-field rule).
    static func involvedFields(_ issue: ValidationIssue, _ table: TableSchema) -> Set<String> {
        switch issue.code {
        case .nationalIDBirthDate: return [issue.field, "birth_date"]
        case .nationalIDSex: return [issue.field, "sex"]
        case .missingOneOf: return Set(issue.field.split(separator: "|").map(String.init))
        case .beforeBirth:
            return Set([issue.field] + table.fields.filter { $0.notBeforeBirthOf != nil && $0.name == issue.field }
                .compactMap(\.notBeforeBirthOf))
        default: return [issue.field]
        }
    }
}
