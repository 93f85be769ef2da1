import HamletCore

/// Stops an import's transaction after the report is made, so a dry run writes nothing.
private struct DryRunRollback: Error {
    var plan: ImportPlan
}

extension Replica {
    /// Imports sheets in one transaction: reads what the import decides on, lets
    /// `ImportPlanner` decide, and writes the plan as ordinary local changes (one per
    /// row, and one more for each reference set in the second pass).
    ///
    /// A write the store refuses (its own checks) fails that record and the rest go
    /// in. A storage error rolls everything back. With `dryRun` the same writes are
    /// made and rolled back, so the report is exactly what the import would do.
    /// - Parameters:
    ///   - sheets: the files, read (`ImportSheet.read`).
    ///   - allowsDuplicateNationalIDs: `--force`: a 身份证号 another live person holds goes in.
    ///   - dryRun: report without writing.
    ///   - author: the clerk.
    ///   - wallMillis: the wall clock, for the changes' stamps.
    ///   - rng: for the ids of new rows the sheets give none (made while planning, so references can name them).
    /// - Returns: the plan as applied: outcomes, problems, counts.
    /// - Throws: `StoreError` (nothing written).
    public func importSheets(_ sheets: [ImportSheet], allowsDuplicateNationalIDs: Bool, dryRun: Bool, author: String,
                             wallMillis: Int64, rng: inout some RandomNumberGenerator) throws -> ImportPlan {
        do {
            return try connection.transaction {
                let base = try importBase(referencing: ImportPlanner.referencedIDs(sheets))
                var plan = ImportPlanner.plan(sheets, base: base, schema: schema,
                                              allowsDuplicateNationalIDs: allowsDuplicateNationalIDs, validator: validator,
                                              wallMillis: wallMillis, ids: &rng)
                let policy: DuplicateNationalIDs = allowsDuplicateNationalIDs ? .record : .refuse
                var made: [ImportRowRef: String] = [:]
                for step in plan.steps {
                    if step.isDeferred, plan.outcome(step.origin) == .failed { continue }
                    do {
                        switch step.kind {
                        case .insert:
                            let w = try insert(table: step.table, id: step.id, values: step.values, author: author,
                                               wallMillis: wallMillis, duplicates: policy, rng: &rng)
                            made[step.origin] = w.id
                            plan.stepWarned(step, w.warnings)
                        case .update:
                            guard let id = step.id ?? made[step.origin] else { continue }
                            let w = try update(table: step.table, id: id, values: step.values, author: author,
                                               wallMillis: wallMillis, duplicates: policy)
                            plan.stepWarned(step, w.warnings)
                        }
                    } catch let e as ReplicaError {
                        plan.stepFailed(step, issues: Replica.importIssues(e, values: step.values))
                    }
                }
                if dryRun { throw DryRunRollback(plan: plan) }
                return plan
            }
        } catch let rollback as DryRunRollback {
            return rollback.plan
        }
    }

    /// What an import decides on: every live row of the replica (one village), and the
    /// referenced rows the node knows only from the hub's shadow.
    /// - Parameter referencing: ids the sheets reference that no record of the sheets has, by table.
    /// - Throws: `StoreError`.
    func importBase(referencing: [String: Set<String>]) throws -> ImportBase {
        let info = try self.info()
        var rows: [String: [String: Fields]] = [:]
        for t in schema.tables {
            var byID: [String: Fields] = [:]
            for r in try connection.rows("SELECT \(SchemaSQL.columns(t)) FROM \(SchemaSQL.quote(t.name))") {
                var f: Fields = [:]
                for (i, field) in t.fields.enumerated() where !r[i + 1].isNull { f[field.name] = r[i + 1] }
                byID[try r.text(0)] = f
            }
            rows[t.name] = byID
        }
        var outside: [String: [String: ReferencedRow]] = [:]
        for (table, ids) in referencing {
            for id in ids.sorted() where rows[table]?[id] == nil {
                if let r = try localReference(table, id) { outside[table, default: [:]][id] = r }
            }
        }
        return ImportBase(village: info.village, rows: rows, outside: outside)
    }

    /// A refused write as the clerk reads it.
    static func importIssues(_ e: ReplicaError, values: Fields) -> [ImportIssue] {
        if !e.issues.isEmpty { return e.issues.map(ImportIssue.init) }
        switch e.code {
        case .duplicate:
            return [NationalIDHolder.refusal(nationalID: values["national_id"]?.text ?? "", holders: e.holders)]
        case .exists:
            return [ImportIssue(field: "id", code: e.code.rawValue,
                                zh: "编号已被本节点的另一条记录用过（可能已删除或已迁出）；新记录请把编号留空",
                                en: "the id is taken by another row of this node (perhaps deleted or moved out); leave it empty for a new row")]
        case .checkRefused:
            return e.findings.map { ImportIssue(field: "", code: e.code.rawValue, zh: "\($0.message.zh) [\($0.rule)]", en: "\($0.message.en) [\($0.rule)]") }
        case .outOfScope:
            return [ImportIssue(field: "village", code: e.code.rawValue, zh: "本节点只能录入本村的记录", en: e.message)]
        case .notFound:
            return [ImportIssue(field: "id", code: e.code.rawValue, zh: "找不到这条记录", en: e.message)]
        default:
            return [ImportIssue(field: "", code: e.code.rawValue, zh: e.message, en: e.message)]
        }
    }
}
