/// Why the hub refused a change. `message` never carries record values.
public struct Rejection: Error, Sendable, Hashable, Codable {
    /// Stable codes beyond the validation codes; add new ones, never rename.
    public enum Code: String, Sendable {
        case outOfScope = "out-of-scope"
        case notOwner = "not-owner"
        case unknownRow = "unknown-row"
        case seqReused = "seq-reused"
        case invalidChange = "invalid-change"
        /// An operator write made on a version that has moved since (compare-and-set, rule 14).
        case stale
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

/// Everything the merge needs to know beyond the row itself: who writes, the `hseq` the
/// change takes, how its bases map into this hub's history, and the facts the store read
/// for it (`MergeFacts.gather`). The merge reads nothing else and writes nothing.
public struct MergeContext {
    public var schema: Schema
    public var table: TableSchema
    /// The village of the node that sent the change; nil for the operator.
    public var writerVillage: String?
    /// A township node's scope (issue 18): the villages it may write, in place of `writerVillage` alone.
    /// Nil for village nodes and the operator (their scope is `writerVillage`).
    public var writerVillages: Set<String>?
    /// The `hseq` this change takes if it is accepted.
    public var hseq: Int64
    /// Maps a base from the change's epoch to this hub's history; nil when the
    /// base lies above the common prefix of the two lineages (unknown: never fast-forwards).
    public var mapBase: (Int64) -> Int64?
    /// What the store read for this change.
    public var facts: MergeFacts
    /// When set, every differing value is a review conflict the hub wins (writes to a merged-away row, rule 9;
    /// a change whose scope cannot be judged, rule 10).
    public var forceReview: Bool = false
    /// Why the review is forced (the conflict's reason); nil = a write to a merged-away row.
    public var reviewReason: String?
    /// True when the caller ran `Merge.checkShape` on this change against this table and it passed.
    public var shapeChecked = false

    public init(schema: Schema, table: TableSchema, writerVillage: String?, hseq: Int64,
                mapBase: @escaping (Int64) -> Int64? = { $0 }, facts: MergeFacts) {
        self.schema = schema
        self.table = table
        self.writerVillage = writerVillage
        self.hseq = hseq
        self.mapBase = mapBase
        self.facts = facts
    }

    /// True when the writer's scope holds `village` (issue 18: a township node's is a set of villages).
    func writerScopeHolds(_ village: String?) -> Bool {
        guard let village else { return false }
        return writerVillages?.contains(village) ?? (village == writerVillage)
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
        let writer = ctx.writerVillage == nil ? NodeID.hub : change.node
        let validator = Validator(schema: ctx.schema)

        // Shape: known fields, typed values (already judged when the caller says so).
        if !ctx.shapeChecked, let r = checkShape(change, table: table, validator: validator) { return .reject(r) }

        guard let cur = current?.adopting(table.layout) else {
            return create(change, context: ctx, writer: writer, validator: validator)
        }

        // Scope is judged at the base (rule 7): the row must have been in the
        // node's village at the version the node last saw, so an edit made
        // before a transfer is not lost to it, and a node never touches a row
        // its village never held. A base this hub does not know counts as now.
        if ctx.writerVillage != nil, !ctx.forceReview {
            let base = ctx.mapBase(change.rowBase)
            let owner = base.flatMap { _ in ctx.facts.villageAtBase } ?? cur.scope(ctx.schema)
            if !ctx.writerScopeHolds(owner), base == nil, change.rowBase > 0 {
                // A base above the common prefix of a restored hub's lineage: whose row it was then
                // cannot be judged, so nothing is refused — the values are held for review (rule 10).
                var held = ctx
                held.forceReview = true
                held.reviewReason = "scope at a base the restored hub does not know: held for review"
                if change.op == .delete {
                    let c = ConflictDraft(kind: .delete, table: cur.table, row: cur.id, base: change.rowBase, incomingWon: false,
                                          reason: "delete at a base the restored hub does not know: row kept")
                    var row = cur
                    row.hseq = ctx.hseq
                    return .apply(.init(row: row, changedFields: [], conflicts: [c], revive: [], created: false))
                }
                return update(change, current: cur, context: held, writer: writer, validator: validator)
            }
            guard ctx.writerScopeHolds(owner) else {
                return .reject(Rejection(.outOfScope, "row belongs to another village"))
            }
        }
        if let survivor = cur.mergedInto, !ctx.forceReview {
            return change.op == .delete ? .noop : .redirect(survivor: survivor)
        }

        // The operator's writes are compare-and-set (rule 14): each field must still be at the version shown.
        if ctx.writerVillage == nil, !ctx.forceReview, change.op == .put,
           let moved = change.values.keys.sorted().first(where: { !isFastForward(field: $0, change: change, current: cur, writer: "", ctx: ctx) }) {
            return .reject(Rejection(.stale, "\(moved) changed since it was shown (version \(cur.version(moved)?.hseq ?? 0)); look again"))
        }
        switch change.op {
        case .delete:
            return delete(change, current: cur, context: ctx, writer: writer)
        case .put:
            return update(change, current: cur, context: ctx, writer: writer, validator: validator)
        }
    }

    /// The checks of a change that depend on nothing but the change and its table: every field it sets exists and
    /// every value it writes has the field's type and limits. Pure, so the hub runs it on the session's worker
    /// before the batch reaches the writer (`MergeContext.shapeChecked`).
    /// - Returns: the rejection, or nil when the change has the table's shape.
    public static func checkShape(_ change: Change, table: TableSchema, validator: Validator) -> Rejection? {
        guard change.op == .put else { return nil }
        for (name, value) in change.values {
            guard let f = table.field(name) else {
                return Rejection(code: ValidationIssue.Code.unknownField.rawValue, message: "\(table.name) has no field \(name)")
            }
            if !value.isNull || f.required {
                do { try validator.check(value, field: f, table: table.name) } catch {
                    return Rejection(error)
                }
            }
        }
        return nil
    }

    /// True when the change's base for `field` is the hub's current version, or
    /// the current value was written by this same writer (a node's own writes count as seen).
    static func isFastForward(field: String, change: Change, current: HubRow, writer: String, ctx: MergeContext) -> Bool {
        isFastForward(field: field, version: current.version(field), change: change, writer: writer, ctx: ctx)
    }

    /// `isFastForward` given the field's current version.
    static func isFastForward(field: String, version: FieldVersion?, change: Change, writer: String, ctx: MergeContext) -> Bool {
        guard let version else { return true }
        if version.writers.contains(writer) { return true }
        guard let base = ctx.mapBase(change.bases[field] ?? 0) else { return false }
        return base == version.hseq
    }

    static func create(_ change: Change, context ctx: MergeContext, writer: String, validator: Validator) -> MergeOutcome {
        guard change.op == .put else { return .reject(Rejection(.unknownRow, "delete of a row the hub does not hold")) }
        guard change.bases.values.allSatisfy({ $0 == 0 }), change.rowBase == 0 else {
            return .reject(Rejection(.unknownRow, "edit of a row the hub does not hold"))
        }
        if ctx.writerVillage != nil, !ctx.writerScopeHolds(change.values[ctx.schema.scope]?.text) {
            return .reject(Rejection(.outOfScope, "a node may create rows only in its own village"))
        }
        var values = change.values.filter { !$0.value.isNull }
        var revive: [RowKey] = []
        var conflicts: [ConflictDraft] = []
        if let r = resolveReferences(&values, changed: Set(values.keys), row: change.row, ctx: ctx,
                                     revive: &revive, conflicts: &conflicts) {
            return .reject(r)
        }
        let version = FieldVersion(hseq: ctx.hseq, hlc: change.hlc, writers: [writer])
        let row = HubRow(ctx.table, id: change.row, values: values, version: version, hseq: ctx.hseq)
        let issues = validator.issues(row: row, table: ctx.table, checkFields: ctx.table.layout.nameSet,
                                      lookup: { lookupForValidation($0, $1, ctx) }, checked: change.values)
        if let first = issues.first { return .reject(Rejection(first)) }
        conflicts += duplicateConflicts(row: row, fields: ctx.table.layout.uniqueNames, ctx: ctx)
        return .apply(.init(row: row, changedFields: values.keys.sorted(), conflicts: conflicts, revive: revive, created: true))
    }

    static func delete(_ change: Change, current cur: HubRow, context ctx: MergeContext, writer: String) -> MergeOutcome {
        if cur.deleted { return .noop }
        // Concurrent when another writer set a field above the version the node saw (rule 5).
        let seen = ctx.mapBase(change.rowBase) ?? -1
        let concurrent = cur.anyVersion { $0.hseq > seen && !$0.writers.contains(writer) }
        var row = cur
        row.hseq = ctx.hseq
        if concurrent {
            let c = ConflictDraft(kind: .delete, table: cur.table, row: cur.id, base: change.rowBase, incomingWon: false,
                                  reason: "delete concurrent with an edit: row kept")
            return .apply(.init(row: row, changedFields: [], conflicts: [c], revive: [], created: false))
        }
        let referrers = ctx.facts.referrers
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
            while case .merged(let survivor)? = ctx.facts.reference(target, current), hops < MergeFacts.mergeHops {
                current = survivor
                hops += 1
            }
            if current != id { values[f.name] = .text(current) }
            switch ctx.facts.reference(target, current) {
            case nil:
                if target == ctx.table.name && current == row { continue }
                return Rejection(code: ValidationIssue.Code.missingReference.rawValue,
                                 message: "\(ctx.table.name).\(f.name) names a \(target) row the hub does not hold")
            case .deleted?:
                reviveWhole(RowKey(target, current), ctx: ctx, depth: 0, revive: &revive, conflicts: &conflicts)
            default:
                break
            }
        }
        return nil
    }

    /// Revives a deleted referenced row as rules 5–6 say: a `delete` conflict, the rows
    /// it references revived in turn, and its unique values checked for duplicates (rule 8).
    static func reviveWhole(_ key: RowKey, ctx: MergeContext, depth: Int, revive: inout [RowKey],
                            conflicts: inout [ConflictDraft]) {
        guard !revive.contains(key) else { return }
        revive.append(key)
        conflicts.append(ConflictDraft(kind: .delete, table: key.table, row: key.id, incomingWon: true,
                                       reason: "a deleted row was referenced by a new change: row revived"))
        guard let row = ctx.facts.deletedRows[key], let t = ctx.schema.table(named: key.table) else { return }
        for f in t.uniqueFields {
            guard let v = row.value(f.name) else { continue }
            for other in ctx.facts.duplicates(t.name, f.name, v, excluding: row.id) {
                conflicts.append(ConflictDraft(kind: .duplicate, table: t.name, row: row.id, field: f.name,
                                               otherRow: other, reason: "two live rows hold the same \(f.name)"))
            }
        }
        guard depth + 1 < MergeFacts.revivalDepth else { return }
        for f in t.referenceFields {
            guard let id = row.value(f.name)?.text, let target = f.references,
                  case .deleted? = ctx.facts.reference(target, id) else { continue }
            reviveWhole(RowKey(target, id), ctx: ctx, depth: depth + 1, revive: &revive, conflicts: &conflicts)
        }
    }

    /// What bringing a deleted row back (the operator's "keep") does beside un-deleting it: the rows
    /// it references revive whole, and its unique values meet the duplicate check (rules 6 and 8),
    /// exactly as a revival by a node's change.
    public static func revival(of row: HubRow, context ctx: MergeContext) -> (revive: [RowKey], conflicts: [ConflictDraft]) {
        var revive: [RowKey] = []
        var conflicts: [ConflictDraft] = []
        for f in ctx.table.referenceFields {
            guard let id = row.value(f.name)?.text, let target = f.references,
                  case .deleted? = ctx.facts.reference(target, id) else { continue }
            reviveWhole(RowKey(target, id), ctx: ctx, depth: 0, revive: &revive, conflicts: &conflicts)
        }
        var live = row
        live.deleted = false
        conflicts += duplicateConflicts(row: live, fields: ctx.table.layout.uniqueNames, ctx: ctx)
        return (revive, conflicts)
    }

    static func lookupForValidation(_ table: String, _ id: String, _ ctx: MergeContext) -> ReferencedRow? {
        switch ctx.facts.reference(table, id) {
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
            guard let v = row.value(f.name) else { continue }
            for other in ctx.facts.duplicates(ctx.table.name, f.name, v, excluding: row.id) {
                out.append(ConflictDraft(kind: .duplicate, table: row.table, row: row.id, field: f.name,
                                         otherRow: other, reason: "two live rows hold the same \(f.name)"))
            }
        }
        return out
    }
}
