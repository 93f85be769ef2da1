/// Why the hub refused a change. `message` never carries record values.
public struct Rejection: Error, Sendable, Hashable, Codable {
    /// Stable codes beyond the validation codes; add new ones, never rename.
    public enum Code: String, Sendable {
        case outOfScope = "out-of-scope"
        case notOwner = "not-owner"
        case unknownRow = "unknown-row"
        case seqReused = "seq-reused"
        case invalidChange = "invalid-change"
    }
    public var code: String
    public var message: String

    public init(code: String, message: String) {
        self.code = code
        self.message = message
    }

    public init(_ code: Code, _ message: String) {
        self.init(code: code.rawValue, message: message)
    }

    public init(_ issue: ValidationIssue) {
        self.init(code: issue.code.rawValue, message: issue.safeMessage)
    }
}

/// Everything the merge needs to know beyond the row itself. The closures read
/// the hub's state; the merge never writes.
public struct MergeContext {
    public var schema: Schema
    public var table: TableSchema
    /// The village of the node that sent the change; nil for the operator.
    public var writerVillage: String?
    /// The `hseq` this change takes if it is accepted.
    public var hseq: Int64
    /// Maps a base from the change's epoch to this hub's history; nil when the
    /// base lies above the common prefix of the two lineages (unknown: never fast-forwards).
    public var mapBase: (Int64) -> Int64?
    /// The state of a referenced row, nil when the hub has never seen it.
    public var reference: (_ table: String, _ id: String) -> ReferenceState?
    /// Live rows other than `excluding` whose unique `field` holds `value`.
    public var duplicates: (_ table: String, _ field: String, _ value: Value, _ excluding: String) -> [String]
    /// Live rows that reference `(table, id)`, as `table:id` strings.
    public var referencedBy: (_ table: String, _ id: String) -> [String]
    /// When set, every differing value is a review conflict the hub wins (writes to a merged-away row, rule 9).
    public var forceReview: Bool = false
    /// The village a row belonged to at a version (`hseq`), from the hub's record of
    /// transfers; nil means "the row's current village". Scope is judged at the base (rule 7).
    public var villageAt: (_ table: String, _ id: String, _ hseq: Int64) -> String? = { _, _, _ in nil }

    public init(schema: Schema, table: TableSchema, writerVillage: String?, hseq: Int64,
                mapBase: @escaping (Int64) -> Int64? = { $0 },
                reference: @escaping (_ table: String, _ id: String) -> ReferenceState?,
                duplicates: @escaping (_ table: String, _ field: String, _ value: Value, _ excluding: String) -> [String],
                referencedBy: @escaping (_ table: String, _ id: String) -> [String]) {
        self.schema = schema
        self.table = table
        self.writerVillage = writerVillage
        self.hseq = hseq
        self.mapBase = mapBase
        self.reference = reference
        self.duplicates = duplicates
        self.referencedBy = referencedBy
    }
}

/// The merge's decision for one change.
public enum MergeOutcome: Sendable, Hashable {
    /// Accepted: store `row` (its new state) with the change's `hseq`, revive the
    /// listed referenced rows, open the conflicts.
    case apply(Applied)
    /// Accepted, but the row is a merged-away loser: reconcile against the survivor
    /// with `forceReview`.
    case redirect(survivor: String)
    /// Accepted with no effect on any row (a delete of a tombstone or of a merged-away row).
    case noop
    /// Refused.
    case reject(Rejection)

    /// An accepted change's effects.
    public struct Applied: Sendable, Hashable {
        public var row: HubRow
        /// Fields whose value or version changed (empty when only writers or conflicts changed).
        public var changedFields: [String]
        public var conflicts: [ConflictDraft]
        /// Deleted rows the change references, revived by it (rule 6), as (table, id).
        public var revive: [RowKey]
        /// True when the row was created by this change.
        public var created: Bool
    }
}

/// A (table, id) pair.
public struct RowKey: Sendable, Hashable, Codable, CustomStringConvertible {
    public var table: String
    public var id: String
    public init(_ table: String, _ id: String) {
        self.table = table
        self.id = id
    }
    public var description: String { "\(table):\(id)" }
}

/// The field-level three-way merge of DESIGN.md, as pure code.
///
/// Given the hub's current state of a row and an incoming change it decides,
/// per field: fast-forward, silent equal-value merge, `lww`, or `review`
/// (provisional winner by HLC, conflict opened); deletes concurrent with edits
/// in either order; transfers; duplicates; rejections. The store applies it.
public enum Merge {
    /// Decides what `change` does to `current` (nil when the hub lacks the row).
    public static func reconcile(_ change: Change, onto current: HubRow?, context ctx: MergeContext) -> MergeOutcome {
        let table = ctx.table
        let scope = ctx.schema.scope
        let writer = ctx.writerVillage == nil ? NodeID.hub : change.node
        let validator = Validator(schema: ctx.schema)

        // Shape: known fields, typed values.
        if change.op == .put {
            for (name, value) in change.values {
                guard let f = table.field(name) else {
                    return .reject(Rejection(code: ValidationIssue.Code.unknownField.rawValue,
                                             message: "\(table.name) has no field \(name)"))
                }
                if !value.isNull || f.required {
                    do { try validator.check(value, field: f, table: table.name) } catch {
                        return .reject(Rejection(error))
                    }
                }
            }
        }

        guard let cur = current else {
            return create(change, context: ctx, writer: writer, validator: validator)
        }

        // Scope is judged at the base (rule 7): the row must have been in the
        // node's village at the version the node last saw, so an edit made
        // before a transfer is not lost to it, and a node never touches a row
        // its village never held. A base this hub does not know counts as now.
        if let village = ctx.writerVillage, !ctx.forceReview {
            let base = ctx.mapBase(change.rowBase)
            let owner = base.flatMap { ctx.villageAt(cur.table, cur.id, $0) } ?? cur.scope(ctx.schema)
            guard owner == village else {
                return .reject(Rejection(.outOfScope, "row belongs to another village"))
            }
        }
        if let survivor = cur.mergedInto, !ctx.forceReview {
            return change.op == .delete ? .noop : .redirect(survivor: survivor)
        }

        switch change.op {
        case .delete:
            return delete(change, current: cur, context: ctx, writer: writer)
        case .put:
            return update(change, current: cur, context: ctx, writer: writer, validator: validator)
        }
    }

    /// True when the change's base for `field` is the hub's current version, or
    /// the current value was written by this same writer (a node's own writes count as seen).
    static func isFastForward(field: String, change: Change, current: HubRow, writer: String, ctx: MergeContext) -> Bool {
        guard let version = current.versions[field] else { return true }
        if version.writers.contains(writer) { return true }
        guard let base = ctx.mapBase(change.bases[field] ?? 0) else { return false }
        return base == version.hseq
    }

    static func create(_ change: Change, context ctx: MergeContext, writer: String, validator: Validator) -> MergeOutcome {
        guard change.op == .put else { return .reject(Rejection(.unknownRow, "delete of a row the hub does not hold")) }
        guard change.bases.values.allSatisfy({ $0 == 0 }), change.rowBase == 0 else {
            return .reject(Rejection(.unknownRow, "edit of a row the hub does not hold"))
        }
        if let village = ctx.writerVillage, change.values[ctx.schema.scope]?.text != village {
            return .reject(Rejection(.outOfScope, "a node may create rows only in its own village"))
        }
        var values = change.values.filter { !$0.value.isNull }
        var revive: [RowKey] = []
        var conflicts: [ConflictDraft] = []
        if let r = resolveReferences(&values, changed: Set(values.keys), row: change.row, ctx: ctx,
                                     revive: &revive, conflicts: &conflicts) {
            return .reject(r)
        }
        let issues = validator.issues(row: values, table: ctx.table, checkFields: Set(ctx.table.fields.map(\.name)),
                                      lookup: { lookupForValidation($0, $1, ctx) })
        if let first = issues.first { return .reject(Rejection(first)) }
        let version = FieldVersion(hseq: ctx.hseq, hlc: change.hlc, writers: [writer])
        var versions: [String: FieldVersion] = [:]
        for k in values.keys { versions[k] = version }
        let row = HubRow(table: ctx.table.name, id: change.row, values: values, versions: versions, hseq: ctx.hseq)
        conflicts += duplicateConflicts(row: row, fields: Set(values.keys), ctx: ctx)
        return .apply(.init(row: row, changedFields: values.keys.sorted(), conflicts: conflicts, revive: revive, created: true))
    }

    static func update(_ change: Change, current cur: HubRow, context ctx: MergeContext, writer: String,
                       validator: Validator) -> MergeOutcome {
        var row = cur
        var changed: [String] = []
        var conflicts: [ConflictDraft] = []
        let newVersion = FieldVersion(hseq: ctx.hseq, hlc: change.hlc, writers: [writer])
        var values = change.values
        var revive: [RowKey] = []
        if !ctx.forceReview, let r = resolveReferences(&values, changed: Set(values.keys), row: cur.id, ctx: ctx,
                                                        revive: &revive, conflicts: &conflicts) {
            return .reject(r)
        }
        for name in values.keys.sorted() {
            let incoming = values[name] ?? .null
            let hubValue = cur.values[name] ?? .null
            let version = cur.versions[name]
            let fastForward = !ctx.forceReview && isFastForward(field: name, change: change, current: cur, writer: writer, ctx: ctx)
            if fastForward {
                if incoming != hubValue || version == nil || version?.writers != [writer] {
                    row.values[name] = incoming.isNull ? nil : incoming
                    row.versions[name] = newVersion
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
                    row.versions[name] = v
                }
                continue
            }
            guard let field = ctx.table.field(name) else { continue }
            let operatorSet = version?.writers.contains(NodeID.hub) ?? false
            let incomingLater = version.map { change.hlc > $0.hlc } ?? true
            let incomingWins = incomingLater && !operatorSet && !ctx.forceReview
            if incomingWins {
                row.values[name] = incoming.isNull ? nil : incoming
                row.versions[name] = newVersion
                changed.append(name)
            }
            if field.merge == .review || operatorSet || ctx.forceReview {
                let why = ctx.forceReview ? "write to a merged-away row"
                    : operatorSet ? "concurrent with an operator's value" : "concurrent edits of one field"
                conflicts.append(ConflictDraft(kind: .field, table: cur.table, row: cur.id, field: name,
                                               base: change.bases[name] ?? 0, incoming: incoming, hubValue: hubValue,
                                               hubVersion: version, incomingWon: incomingWins, reason: why))
            }
        }
        if ctx.forceReview {
            return .apply(.init(row: cur, changedFields: [], conflicts: conflicts, revive: [], created: false))
        }
        // An edit after a concurrent delete revives the row (rule 5): nothing is lost.
        var revived = false
        if cur.deleted {
            row.deleted = false
            row.deletion = nil
            revived = true
            conflicts.append(ConflictDraft(kind: .delete, table: cur.table, row: cur.id, base: change.rowBase,
                                           hubVersion: cur.deletion, incomingWon: true,
                                           reason: "edit of a row deleted concurrently: row kept"))
        }
        if !changed.isEmpty || revived {
            let checkFields = revived ? Set(ctx.table.fields.map(\.name)) : Set(changed)
            let issues = validator.issues(row: row.values, table: ctx.table, checkFields: checkFields,
                                          lookup: { lookupForValidation($0, $1, ctx) })
            if let first = issues.first { return .reject(Rejection(first)) }
            row.hseq = ctx.hseq
        }
        let uniqueChanged = Set(changed).union(revived ? Set(ctx.table.uniqueFields.map(\.name)) : [])
        conflicts += duplicateConflicts(row: row, fields: uniqueChanged, ctx: ctx)
        if !conflicts.isEmpty || row != cur { row.hseq = ctx.hseq }
        return .apply(.init(row: row, changedFields: changed, conflicts: conflicts, revive: revive, created: false))
    }

    static func delete(_ change: Change, current cur: HubRow, context ctx: MergeContext, writer: String) -> MergeOutcome {
        if cur.deleted { return .noop }
        // Concurrent when another writer set a field above the version the node saw (rule 5).
        let seen = ctx.mapBase(change.rowBase) ?? -1
        let concurrent = cur.versions.values.contains { $0.hseq > seen && !$0.writers.contains(writer) }
        var row = cur
        row.hseq = ctx.hseq
        if concurrent {
            let c = ConflictDraft(kind: .delete, table: cur.table, row: cur.id, base: change.rowBase, incomingWon: false,
                                  reason: "delete concurrent with an edit: row kept")
            return .apply(.init(row: row, changedFields: [], conflicts: [c], revive: [], created: false))
        }
        let referrers = ctx.referencedBy(cur.table, cur.id)
        if !referrers.isEmpty {
            let c = ConflictDraft(kind: .delete, table: cur.table, row: cur.id, base: change.rowBase, incomingWon: false,
                                  reason: "delete of a row that \(referrers.count) live row(s) reference: row kept")
            return .apply(.init(row: row, changedFields: [], conflicts: [c], revive: [], created: false))
        }
        row.deleted = true
        row.deletion = FieldVersion(hseq: ctx.hseq, hlc: change.hlc, writers: [writer])
        return .apply(.init(row: row, changedFields: [], conflicts: [], revive: [], created: false))
    }

    /// Repoints references to merged-away rows, refuses references to rows the hub
    /// never saw, and revives deleted rows that a change references (rule 6).
    static func resolveReferences(_ values: inout Fields, changed: Set<String>, row: String, ctx: MergeContext,
                                  revive: inout [RowKey], conflicts: inout [ConflictDraft]) -> Rejection? {
        for f in ctx.table.referenceFields where changed.contains(f.name) {
            guard let id = values[f.name]?.text, let target = f.references else { continue }
            var current = id
            var hops = 0
            while case .merged(let survivor)? = ctx.reference(target, current), hops < 16 {
                current = survivor
                hops += 1
            }
            if current != id { values[f.name] = .text(current) }
            switch ctx.reference(target, current) {
            case nil:
                if target == ctx.table.name && current == row { continue }
                return Rejection(code: ValidationIssue.Code.missingReference.rawValue,
                                 message: "\(ctx.table.name).\(f.name) names a \(target) row the hub does not hold")
            case .deleted?:
                let key = RowKey(target, current)
                if !revive.contains(key) {
                    revive.append(key)
                    conflicts.append(ConflictDraft(kind: .delete, table: target, row: current, incomingWon: true,
                                                   reason: "a deleted row was referenced by a new change: row revived"))
                }
            default:
                break
            }
        }
        return nil
    }

    static func lookupForValidation(_ table: String, _ id: String, _ ctx: MergeContext) -> ReferencedRow? {
        switch ctx.reference(table, id) {
        case .live(let b)?: return ReferencedRow(isLive: true, birthDate: b)
        case .deleted(let b)?: return ReferencedRow(isLive: true, birthDate: b) // revived by the change
        case .merged?: return ReferencedRow(isLive: true, birthDate: nil)
        case nil: return nil
        }
    }

    static func duplicateConflicts(row: HubRow, fields: Set<String>, ctx: MergeContext) -> [ConflictDraft] {
        guard !row.deleted else { return [] }
        var out: [ConflictDraft] = []
        for f in ctx.table.uniqueFields where fields.contains(f.name) {
            guard let v = row.values[f.name], !v.isNull else { continue }
            for other in ctx.duplicates(ctx.table.name, f.name, v, row.id) {
                out.append(ConflictDraft(kind: .duplicate, table: row.table, row: row.id, field: f.name,
                                         otherRow: other, reason: "two live rows hold the same \(f.name)"))
            }
        }
        return out
    }
}
