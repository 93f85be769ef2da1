/// Why an operator action was refused by the decision itself. `message` carries no record values.
public struct OperatorRefusal: Error, Sendable, Equatable {
    /// Stable codes, shared with the store's `OperatorError`.
    public enum Code: String, Sendable {
        /// The row or field moved since the operator was shown it (compare-and-set, rule 14).
        case stale
        case invalid
        case referenced
    }
    public var code: Code
    public var message: String
    /// For `stale`: the field (nil for a whole row) and the version it is at now.
    public var field: String?
    public var currentVersion: Int64?
    /// The message in Chinese, for the operator's terminal and page.
    public var messageZH: String

    public init(_ code: Code, _ message: String, zh: String, field: String? = nil, currentVersion: Int64? = nil) {
        self.code = code
        self.message = message
        self.messageZH = zh
        self.field = field
        self.currentVersion = currentVersion
    }
}

/// What a duplicate merge writes: the survivor's new state and what it held before.
public struct MergePlan: Sendable, Equatable {
    public var survivor: HubRow
    /// The fields taken from the loser (or filled), with their new values.
    public var changed: Fields
    /// The survivor's values before, for the fields that held one.
    public var before: Fields
    /// The fields that were empty on the survivor before.
    public var beforeEmpty: [String]
    /// The loser, tombstoned and pointing at the survivor.
    public var loser: HubRow
}

/// The operator's decisions as pure code, beside `Merge` (read → decide → apply).
///
/// Every operator write is compare-and-set on what the operator was shown (rule 14): a
/// field version for a field, a row version (`hseq`) for a row. When it moved since, the
/// decision is `stale` and the operator looks again; nothing is written.
public enum OperatorDecision {
    /// The version a field conflict shows: the field's version right after the conflict opened.
    public static func shownVersion(incomingWon: Bool, incomingHseq: Int64, hubVersion: FieldVersion?) -> Int64 {
        incomingWon ? incomingHseq : (hubVersion?.hseq ?? 0)
    }

    /// Sets one field to the operator's choice, if it is still at the version shown.
    public static func setField(_ row: HubRow, field: String, to value: Value, shown: Int64) -> Result<HubRow, OperatorRefusal> {
        let now = row.versions[field]?.hseq ?? 0
        guard now == shown else {
            return .failure(OperatorRefusal(.stale, "\(field) changed since it was shown (version \(shown) → \(now)); look again",
                                            zh: "\(Schema.register.table(named: row.table)?.field(field)?.label.zh ?? field)在显示之后又改过（版本 \(shown) → \(now)），请重新查看",
                                            field: field, currentVersion: now))
        }
        var next = row
        next.values[field] = value.isNull ? nil : value
        return .success(next)
    }

    /// Sets several fields (a direct correction), each at the version shown; nil shown = the caller read it just now.
    public static func edit(_ row: HubRow, values: Fields, table: TableSchema,
                            shown: [String: Int64]?) -> Result<HubRow, OperatorRefusal> {
        var next = row
        for (k, v) in values.sorted(by: { $0.key < $1.key }) {
            guard table.field(k) != nil else { return .failure(OperatorRefusal(.invalid, "\(table.name) has no field \(k)", zh: "\(table.label.zh)没有「\(k)」这个字段")) }
            if let shown, let expected = shown[k] {
                switch setField(next, field: k, to: v, shown: expected) {
                case .success(let r): next = r
                case .failure(let f): return .failure(f)
                }
            } else {
                next.setValue(v, named: k)
            }
        }
        return .success(next)
    }

    /// Keeps or deletes the row of a delete conflict, if the row is still at the version shown.
    public static func settleDelete(_ row: HubRow, keep: Bool, shownRow: Int64,
                                    referrers: [String]) -> Result<HubRow, OperatorRefusal> {
        guard row.hseq <= shownRow else {
            return .failure(OperatorRefusal(.stale, "the row changed since it was shown (version \(shownRow) → \(row.hseq)); look again",
                                            zh: "这条记录在显示之后又改过（版本 \(shownRow) → \(row.hseq)），请重新查看",
                                            currentVersion: row.hseq))
        }
        var next = row
        if keep {
            next.deleted = false
        } else {
            guard referrers.isEmpty else {
                return .failure(OperatorRefusal(.referenced, "\(referrers.count) live row(s) reference this row; repoint or delete them first",
                                                zh: "还有 \(referrers.count) 条记录引用这条记录，请先改指或删除那些记录"))
            }
            next.deleted = true
        }
        return .success(next)
    }

    /// Merges a duplicate pair: fields chosen from the loser (and the survivor's empty fields filled from it),
    /// the loser tombstoned into the survivor. Both rows must be live and at the versions shown.
    /// - Parameter fieldsFrom: field → the id of the row whose value to keep.
    public static func merge(survivor: HubRow, loser: HubRow, fieldsFrom: [String: String], table: TableSchema, scope: String,
                             shownRows: [String: Int64], sharedField: String? = nil) -> Result<MergePlan, OperatorRefusal> {
        guard !survivor.deleted, !loser.deleted else { return .failure(OperatorRefusal(.invalid, "both rows must be live to merge", zh: "两条记录都必须是有效的才能合并")) }
        if let f = sharedField, survivor.values[f] == nil || survivor.values[f] != loser.values[f] {
            return .failure(OperatorRefusal(.stale, "the two rows no longer share \(f): they may be different people; look again",
                                            zh: "两条记录的\(table.field(f)?.label.zh ?? f)已经不同了：可能不是同一人，请重新查看", field: f))
        }
        for r in [survivor, loser] {
            if let shown = shownRows[r.id], r.hseq > shown {
                return .failure(OperatorRefusal(.stale, "row \(r.id) changed since it was shown (version \(shown) → \(r.hseq)); look again",
                                                zh: "记录 \(r.id) 在显示之后又改过（版本 \(shown) → \(r.hseq)），请重新查看",
                                                currentVersion: r.hseq))
            }
        }
        if fieldsFrom[scope] != nil {
            return .failure(OperatorRefusal(.invalid, "a merge keeps the survivor's \(scope); keep the other row, or transfer the survivor first",
                                             zh: "合并时保留那条记录的\(table.field(scope)?.label.zh ?? scope)不变；请改为保留另一条，或先把保留的那条转过去"))
        }
        for (k, from) in fieldsFrom.sorted(by: { $0.key < $1.key }) {
            guard table.field(k) != nil else { return .failure(OperatorRefusal(.invalid, "\(table.name) has no field \(k)", zh: "\(table.label.zh)没有「\(k)」这个字段")) }
            guard from == survivor.id || from == loser.id else {
                return .failure(OperatorRefusal(.invalid, "--field \(k) must name one of the two rows",
                                                zh: "--field \(k) 必须指定这两条记录中的一条"))
            }
        }
        // Across villages a household stays in its village: the survivor never takes the other village's one.
        let crosses = survivor.values[scope] != loser.values[scope]
        if crosses, let k = fieldsFrom.keys.sorted().first(where: { fieldsFrom[$0] == loser.id && table.field($0)?.references == "households" }) {
            let label = table.field(k)?.label.zh ?? k
            return .failure(OperatorRefusal(.invalid, "the two rows are in different villages: \(k) cannot name the other village's household",
                                            zh: "两条记录在不同的村：\(label)不能取另一个村的户", field: k))
        }
        var plan = MergePlan(survivor: survivor, changed: [:], before: [:], beforeEmpty: [], loser: loser)
        for f in table.fields where f.name != scope {
            let from = fieldsFrom[f.name]
            if crosses && f.references == "households" && from == nil { continue }
            let takeLoser = from == loser.id || (from == nil && survivor.values[f.name] == nil && loser.values[f.name] != nil)
            // Choosing the other row's empty value clears the field: the operator's choice is taken as shown.
            let v = loser.values[f.name]
            guard takeLoser, survivor.values[f.name] != v else { continue }
            if let old = survivor.values[f.name] { plan.before[f.name] = old } else { plan.beforeEmpty.append(f.name) }
            plan.survivor.values[f.name] = v
            plan.changed[f.name] = v ?? .null
        }
        plan.loser.deleted = true
        plan.loser.mergedInto = survivor.id
        return .success(plan)
    }

    /// Undoes a merge: the loser live again and the survivor's merged fields restored — refused
    /// when one of those fields was changed after the merge (restoring it would lose that change).
    /// - Parameters:
    ///   - mergeHseqs: the `hseq`s the merge wrote.
    /// - Returns: the loser back, and the survivor restored with the values written.
    public static func unmerge(survivor: HubRow, loser: HubRow, before: Fields, beforeEmpty: [String],
                               mergeHseqs: Set<Int64>) -> Result<(loser: HubRow, survivor: HubRow, restored: Fields), OperatorRefusal> {
        guard loser.mergedInto == survivor.id else {
            return .failure(OperatorRefusal(.invalid, "the loser is no longer merged into the survivor",
                                            zh: "被并入的那条记录已不再并入保留的记录，无法撤销"))
        }
        var restored: Fields = [:]
        var next = survivor
        for k in (Array(before.keys) + beforeEmpty).sorted() {
            let now = survivor.versions[k]?.hseq ?? 0
            guard mergeHseqs.contains(now) else {
                return .failure(OperatorRefusal(.stale, "\(k) changed after the merge (version \(now)); undo would lose that change",
                                                zh: "\(Schema.register.table(named: survivor.table)?.field(k)?.label.zh ?? k)在合并之后又改过（版本 \(now)），撤销会丢掉那次修改",
                                                field: k, currentVersion: now))
            }
            let v = before[k] ?? .null
            next.setValue(v, named: k)
            restored[k] = v
        }
        var back = loser
        back.deleted = false
        back.mergedInto = nil
        return .success((back, next, restored))
    }
}
