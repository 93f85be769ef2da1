/// Decides an import: which records add rows, which update rows that exist, which
/// repeat them, which fail and why, and the writes to make, in order. Pure: the store
/// reads the `ImportBase` and applies the plan in one transaction.
///
/// The rules, in the order they are applied to each record (tables in load order —
/// households, people, events, visits, benefits — files and lines in order):
///
/// 1. **Other villages.** A record whose 村 names another village is skipped and
///    counted (never a transfer: that is `hamlet edit --village`).
/// 2. **Cells.** A cell that cannot be read (a bad date, an unknown 性别) fails the record.
/// 3. **Which row.** The record updates the row with its `id` when the replica has
///    it; else, for people, the one live person with its 身份证号 (and references to
///    the record's `id` in the other files then mean that person); else, when it has
///    no `id`, a live row whose values it repeats (every required field given, every
///    given cell equal — for 户 and 人口, which other rows reference, every cell but
///    the references, which it then updates), so a sheet without ids imports again
///    as *unchanged*;
///    else it adds a row (with its `id` when it has one). Two live people with the ID,
///    or a second record for the same row, fail the record.
/// 4. **Values.** Empty cells leave a field as it is (clear a field with `hamlet edit`);
///    a record whose values all equal the row's is *unchanged* and writes nothing.
/// 5. **Duplicates.** A 身份证号 another live person holds, or another record of the
///    files adds, fails the record, naming that person — unless duplicates are
///    allowed (`--force`), when the row goes in and the hub opens its duplicate conflict.
/// 6. **References within the files.** A reference cell may name a row of the replica
///    or a record of the files, by `id` or as a clerk knows it — a 身份证号, a name
///    (unique, or with the ID's last 4: `王秀英*1224`), an address or part of it, 8+
///    characters of an id — by the same rules as the CLI's flags (`ReferenceResolver`);
///    none or several matching fail the record. Naming a record of a table loaded earlier, the record
///    must have gone in, else this one fails too (fix that line and import again:
///    the rows already in are then *unchanged*). Naming a record loaded later (a
///    household's 户主 in the people file), the reference is set in a second pass
///    after every row is in; if that record failed, the row goes in without it and
///    the problem says so.
/// 7. **Checks.** The row as it will be is checked like `hamlet add` / `hamlet edit`.
public enum ImportPlanner {
    /// The references in the sheets that name no record of the sheets: the store looks
    /// these up in the replica (a reference to a row the node knows only from the hub).
    /// - Parameter sheets: the sheets.
    /// - Returns: ids by the table they name.
    public static func referencedIDs(_ sheets: [ImportSheet]) -> [String: Set<String>] {
        var inFiles: [String: Set<String>] = [:]
        for s in sheets { for r in s.rows { if let id = r.id { inFiles[s.table.name, default: []].insert(id) } } }
        var out: [String: Set<String>] = [:]
        for s in sheets {
            for f in s.table.referenceFields {
                guard let target = f.references else { continue }
                for r in s.rows {
                    if let v = r.values[f.name]?.text, RowID.isValid(v), inFiles[target]?.contains(v) != true {
                        out[target, default: []].insert(v)
                    }
                }
            }
        }
        return out
    }

    private struct Key: Hashable {
        var table: String
        var id: String
    }

    private struct PendingReference {
        var origin: ImportRowRef
        var table: String
        var rowID: String?
        var field: FieldSchema
        var value: String
        var target: ImportRowRef
    }

    /// Decides an import.
    /// - Parameters:
    ///   - sheets: the files, read.
    ///   - base: what the replica holds.
    ///   - schema: the register schema (its table order is the load order).
    ///   - allowsDuplicateNationalIDs: `--force`: a 身份证号 another live person holds goes in.
    ///   - validator: checks rows as `hamlet add` does.
    /// - Returns: the plan.
    public static func plan(_ sheets: [ImportSheet], base: ImportBase, schema: Schema = .register,
                            allowsDuplicateNationalIDs: Bool = false, validator: Validator = Validator()) -> ImportPlan {
        var ids = SeedRandom(seed: 11)
        return plan(sheets, base: base, schema: schema, allowsDuplicateNationalIDs: allowsDuplicateNationalIDs,
                    validator: validator, wallMillis: 1_700_000_000_000, ids: &ids)
    }

    /// Decides an import, giving new rows ids from `ids` (every new row has its id in the plan).
    /// - Parameters:
    ///   - sheets: the files, read.
    ///   - base: what the replica holds.
    ///   - schema: the register schema (its table order is the load order).
    ///   - allowsDuplicateNationalIDs: `--force`: a 身份证号 another live person holds goes in.
    ///   - validator: checks rows as `hamlet add` does.
    ///   - wallMillis: the time in the new rows' ids.
    ///   - ids: randomness for the new rows' ids.
    /// - Returns: the plan.
    public static func plan(_ given: [ImportSheet], base: ImportBase, schema: Schema = .register,
                            allowsDuplicateNationalIDs: Bool = false, validator: Validator = Validator(),
                            wallMillis: Int64, ids: inout some RandomNumberGenerator) -> ImportPlan {
        var sheets = given
        let rank = Dictionary(schema.tables.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { a, _ in a })
        let order = sheets.indices.sorted { (rank[sheets[$0].table.name] ?? Int.max, $0) < (rank[sheets[$1].table.name] ?? Int.max, $1) }
        var plan = ImportPlan(sheets: sheets.map { ($0.name, $0.table.name, $0.rows.map(\.line)) }, steps: [], outcomes: [:], problems: [])
        let scope = schema.scope

        func where_(_ ref: ImportRowRef) -> (file: String, line: Int) { (sheets[ref.sheet].name, sheets[ref.sheet].rows[ref.row].line) }

        // The first record of the files with each id.
        var fileRow: [Key: ImportRowRef] = [:]
        for s in order {
            for (i, r) in sheets[s].rows.enumerated() {
                if let id = r.id, fileRow[Key(table: sheets[s].table.name, id: id)] == nil {
                    fileRow[Key(table: sheets[s].table.name, id: id)] = ImportRowRef(sheet: s, row: i)
                }
            }
        }
        // Live holders of each unique value in the replica: "table.field" → value → ids.
        var holders: [String: [String: [String]]] = [:]
        for t in schema.tables {
            for u in t.uniqueFields {
                var m: [String: [String]] = [:]
                for (id, row) in base.rows[t.name] ?? [:] { if let v = row[u.name]?.text { m[v, default: []].append(id) } }
                for k in m.keys { m[k]?.sort() }
                holders["\(t.name).\(u.name)"] = m
            }
        }
        func describe(_ ids: [String]) -> [NationalIDHolder] {
            ids.map { id in
                let row = base.rows["people"]?[id] ?? [:]
                let address = row["household"]?.text.flatMap { base.rows["households"]?[$0]?["address"]?.text }
                return NationalIDHolder(id: id, row: row, householdAddress: address)
            }
        }

        // Live rows by their required values (without the village), for records that repeat a row without its id.
        var byContent: [String: [String: [String]]] = [:]
        func contentKey(_ t: TableSchema, _ values: Fields) -> String? {
            var parts: [String] = []
            for f in t.fields where f.required && f.name != scope {
                guard let v = values[f.name], !v.isNull else { return nil }
                parts.append(v.description)
            }
            return parts.isEmpty ? nil : parts.joined(separator: "\u{1F}")
        }
        func contentIndex(_ t: TableSchema) -> [String: [String]] {
            if let index = byContent[t.name] { return index }
            var index: [String: [String]] = [:]
            for (id, row) in base.rows[t.name] ?? [:] { if let k = contentKey(t, row) { index[k, default: []].append(id) } }
            for k in index.keys { index[k]?.sort() }
            byContent[t.name] = index
            return index
        }

        // New rows get their ids now, so references (and the second pass) can name them.
        var provisional: [ImportRowRef: String] = [:]
        // What a reference cell may name, by table: the replica's live rows and the files' new records.
        var candidates: [String: [ReferenceCandidate]] = [:]
        let targets = Set(schema.tables.flatMap { $0.referenceFields.compactMap(\.references) })
        for t in targets { candidates[t] = (base.rows[t] ?? [:]).sorted { $0.key < $1.key }.map { ReferenceCandidate(id: $0.key, values: $0.value) } }
        var claimed = Set<String>()
        var sameAs: [ImportRowRef: String] = [:]
        for s in order {
            let t = sheets[s].table
            guard targets.contains(t.name) else { continue }
            for (i, record) in sheets[s].rows.enumerated() {
                if let v = record.values[scope]?.text, v != base.village { continue }
                if let id = record.id, base.rows[t.name]?[id] != nil { continue }
                if let u = t.uniqueFields.first, let value = record.values[u.name]?.text,
                   (holders["\(t.name).\(u.name)"]?[value] ?? []).count == 1 { continue }
                // A record without an id that repeats a live row (its own fields; references aside) is that row.
                if record.id == nil, !t.fields.contains(where: { $0.required && $0.type == .ref }),
                   let key = contentKey(t, record.values),
                   let same = contentIndex(t)[key]?.first(where: { id in
                       !claimed.contains(id) && record.values.allSatisfy { k, v in
                           t.field(k)?.type == .ref || base.rows[t.name]?[id]?[k] == v
                       }
                   }) {
                    claimed.insert(same)
                    sameAs[ImportRowRef(sheet: s, row: i)] = same
                    continue
                }
                let id = record.id ?? RowID.make(unixMillis: wallMillis, using: &ids)
                if record.id == nil {
                    provisional[ImportRowRef(sheet: s, row: i)] = id
                    fileRow[Key(table: t.name, id: id)] = ImportRowRef(sheet: s, row: i)
                }
                candidates[t.name, default: []].append(ReferenceCandidate(id: id, values: record.values))
            }
        }
        // Candidates by the value of a field, built when first asked.
        var byValue: [String: [String: [ReferenceCandidate]]] = [:]
        func candidatesWith(_ table: String, _ field: String, _ value: String) -> [ReferenceCandidate] {
            let key = table + "." + field
            if byValue[key] == nil {
                var index: [String: [ReferenceCandidate]] = [:]
                for c in candidates[table] ?? [] { if let v = c.values[field]?.text { index[v, default: []].append(c) } }
                byValue[key] = index
            }
            return byValue[key]?[value] ?? []
        }
        // Reference cells as a clerk types them (身份证号, 姓名, 地址, part of an id) become ids.
        for s in order {
            let t = sheets[s].table
            for i in sheets[s].rows.indices {
                for f in t.referenceFields {
                    guard let raw = sheets[s].rows[i].values[f.name]?.text, let target = f.references,
                          let targetTable = schema.table(named: target) else { continue }
                    let resolver = ReferenceResolver(table: targetTable)
                    let p = resolver.plan(raw)
                    guard let query = p.query else { continue }
                    let found: [ReferenceCandidate]
                    switch query {
                    case .idFragment(let fragment):
                        found = (candidates[target] ?? []).filter { $0.id.hasPrefix(fragment) || $0.id.hasSuffix(fragment) }
                    case .equals(let field, let value):
                        found = candidatesWith(target, field, value)
                    case .contains(let field, let text):
                        // A whole match, when there is exactly one, is what the resolver would pick among the part matches.
                        let whole = candidatesWith(target, field, text)
                        found = whole.count == 1 ? whole
                            : (candidates[target] ?? []).filter { $0.values[field]?.text?.contains(text) == true }
                    }
                    do throws(ReferenceError) {
                        sheets[s].rows[i].values[f.name] = .text(try resolver.decide(p, text: raw, found: found))
                    } catch {
                        let noun = (zh: targetTable.label.zh, en: targetTable.label.en)
                        let text = raw.trimmingSpaces()
                        let zh = error.code == .notFound ? "本村和导入的文件里都没有与「\(text)」对应的\(noun.zh)；" : error.message(chinese: true) + "\n  "
                        let en = error.code == .notFound ? "no \(noun.en) in this village or the files matches \"\(text)\"; " : error.message(chinese: false) + "\n  "
                        sheets[s].rows[i].issues.append(ImportIssue(
                            field: f.name, code: error.code.rawValue,
                            zh: "\(f.label.zh)：" + zh + error.hint(flag: nil, chinese: true),
                            en: "\(f.label.en): " + en + error.hint(flag: nil, chinese: false)))
                    }
                }
            }
        }

        var remap: [String: String] = [:]
        var writtenBy: [Key: ImportRowRef] = [:]
        var uniqueTakenBy: [String: ImportRowRef] = [:]
        var planned: [String: [String: Fields]] = [:]
        var pending: [PendingReference] = []

        for s in order {
            let sheet = sheets[s]
            let t = sheet.table
            for (i, record) in sheet.rows.enumerated() {
                let ref = ImportRowRef(sheet: s, row: i)
                func fail(_ issues: [ImportIssue]) {
                    plan.outcomes[ref] = .failed
                    for issue in issues {
                        plan.problems.append(ImportProblem(file: sheet.name, line: record.line, table: t.name, issue: issue, rowKept: false))
                    }
                }
                // 1. Other villages.
                if let v = record.values[scope]?.text, v != base.village {
                    plan.outcomes[ref] = .skipped
                    continue
                }
                // 2. Cells.
                guard record.issues.isEmpty else { fail(record.issues); continue }
                // 3. Which row.
                if let id = record.id, let first = fileRow[Key(table: t.name, id: id)], first != ref {
                    let w = where_(first)
                    fail([ImportIssue(field: "id", code: "duplicate-row",
                                      zh: "编号与 \(w.file) 第 \(w.line) 行相同：同一条记录只能出现一次",
                                      en: "the same id as \(w.file) line \(w.line): a row may appear once")])
                    continue
                }
                var target: String?
                if let id = record.id, base.rows[t.name]?[id] != nil {
                    target = id
                } else if let u = t.uniqueFields.first, let value = record.values[u.name]?.text {
                    let found = holders["\(t.name).\(u.name)"]?[value] ?? []
                    if found.count > 1 {
                        let who = describe(found)
                        fail([ImportIssue(field: u.name, code: "ambiguous-national-id",
                                          zh: "\(u.label.zh)「\(value)」本村有 \(found.count) 条记录（\(who.map { "\($0.label(chinese: true))，编号 \($0.id)" }.joined(separator: "；"))）；请在「编号」列填写要更新的那一条",
                                          en: "\(u.label.en) \(value) is held by \(found.count) rows here (\(who.map { "\($0.label(chinese: false)), id \($0.id)" }.joined(separator: "; "))); put the id of the one to update in the id column")])
                        continue
                    }
                    if let holder = found.first {
                        target = holder
                        if let id = record.id ?? provisional[ref] { remap[id] = holder }
                    }
                }
                if target == nil, record.id == nil, let same = sameAs[ref] { target = same }
                if target == nil, record.id == nil {
                    var given = record.values
                    for f in t.referenceFields { if let v = given[f.name]?.text, let to = remap[v] { given[f.name] = .text(to) } }
                    if let k = contentKey(t, given) {
                        target = contentIndex(t)[k]?.first { id in
                            writtenBy[Key(table: t.name, id: id)] == nil
                                && given.allSatisfy { base.rows[t.name]?[id]?[$0.key] == $0.value }
                        }
                    }
                    if let target, let p = provisional[ref] { remap[p] = target }
                }
                if let target, let earlier = writtenBy[Key(table: t.name, id: target)] {
                    let w = where_(earlier)
                    fail([ImportIssue(field: "", code: "same-row",
                                      zh: "与 \(w.file) 第 \(w.line) 行是同一条记录（编号或身份证号相同）；请合并成一行",
                                      en: "the same row as \(w.file) line \(w.line) (same id or national ID); merge the two lines")])
                    continue
                }
                // 4. Values: the changes of an existing row, or the whole new row.
                let existing = target.flatMap { base.rows[t.name]?[$0] }
                var values: Fields
                if let existing {
                    values = record.values.filter { existing[$0.key] != $0.value }
                } else {
                    values = record.values
                    if values[scope] == nil { values[scope] = .text(base.village) }
                    for f in t.fields where values[f.name] == nil {
                        if let d = f.defaultValue { values[f.name] = .text(d) }
                    }
                }
                // 5. Duplicates.
                var duplicate: [ImportIssue] = []
                var uniqueKeys: [String] = []
                for u in t.uniqueFields {
                    guard let value = values[u.name]?.text else { continue }
                    let others = (holders["\(t.name).\(u.name)"]?[value] ?? []).filter { $0 != target }
                    let inFiles = uniqueTakenBy["\(t.name).\(u.name)=\(value)"]
                    if !allowsDuplicateNationalIDs {
                        if !others.isEmpty {
                            duplicate.append(NationalIDHolder.refusal(nationalID: value, holders: describe(others)))
                        } else if let other = inFiles {
                            let w = where_(other)
                            let name = sheets[other.sheet].rows[other.row].values["name"]?.text.map { "（\($0)）" } ?? ""
                            let nameEN = sheets[other.sheet].rows[other.row].values["name"]?.text.map { " (\($0))" } ?? ""
                            duplicate.append(ImportIssue(
                                field: u.name, code: "duplicate-national-id",
                                zh: "\(u.label.zh)「\(value)」与 \(w.file) 第 \(w.line) 行\(name)相同；同一个人请只留一行，确是两个人请先核对号码，仍要导入加 --force",
                                en: "\(u.label.en) \(value) is the same as \(w.file) line \(w.line)\(nameEN); keep one line for one person, or check the number and add --force to import both"))
                        }
                    }
                    uniqueKeys.append("\(t.name).\(u.name)=\(value)")
                }
                guard duplicate.isEmpty else { fail(duplicate); continue }
                // 6. References within the files.
                var referenceIssues: [ImportIssue] = []
                var deferred: [(FieldSchema, String, ImportRowRef)] = []
                for f in t.referenceFields {
                    guard let raw = values[f.name]?.text, let targetTable = f.references else { continue }
                    let id = remap[raw] ?? raw
                    if id != raw { values[f.name] = .text(id) }
                    if existing?[f.name]?.text == id { values[f.name] = nil; continue }
                    if base.rows[targetTable]?[id] != nil || base.outside[targetTable]?[id] != nil { continue }
                    guard let named = fileRow[Key(table: targetTable, id: id)] else {
                        referenceIssues.append(ImportIssue(field: f.name, code: ValidationIssue.Code.missingReference.rawValue,
                                                           zh: "\(f.label.zh)「\(raw)」：本村和导入的文件里都没有这条记录",
                                                           en: "\(f.label.en) \"\(raw)\": no such row in this village or in the files"))
                        continue
                    }
                    let w = where_(named)
                    if (rank[targetTable] ?? 0) < (rank[t.name] ?? 0) {
                        switch plan.outcomes[named] {
                        case .added?, .updated?, .unchanged?:
                            continue
                        case .skipped?:
                            referenceIssues.append(ImportIssue(field: f.name, code: "reference-not-imported",
                                                               zh: "\(f.label.zh)：引用的记录（\(w.file) 第 \(w.line) 行）属于其他村，没有导入",
                                                               en: "\(f.label.en): the row it names (\(w.file) line \(w.line)) belongs to another village and was not imported"))
                        default:
                            referenceIssues.append(ImportIssue(field: f.name, code: "reference-not-imported",
                                                               zh: "\(f.label.zh)：引用的记录（\(w.file) 第 \(w.line) 行）没有导入，请先改正那一行",
                                                               en: "\(f.label.en): the row it names (\(w.file) line \(w.line)) was not imported; fix that line first"))
                        }
                    } else if f.required {
                        referenceIssues.append(ImportIssue(field: f.name, code: "reference-not-imported",
                                                           zh: "\(f.label.zh)：引用的记录（\(w.file) 第 \(w.line) 行）要先导入",
                                                           en: "\(f.label.en): the row it names (\(w.file) line \(w.line)) must be imported first"))
                    } else {
                        values[f.name] = nil
                        deferred.append((f, id, named))
                    }
                }
                guard referenceIssues.isEmpty else { fail(referenceIssues); continue }
                // 7. Checks, on the row as it will be.
                var row = existing ?? [:]
                for (k, v) in values { row[k] = v }
                row = row.filter { !$0.value.isNull }
                if existing == nil || !values.isEmpty {
                    let checkFields = existing == nil ? Set(t.fields.map(\.name)) : Set(values.keys)
                    let issues = validator.issues(row: row, table: t, checkFields: checkFields) { table, id in
                        if let r = planned[table]?[id] ?? base.rows[table]?[id] {
                            return ReferencedRow(isLive: true, birthDate: r["birth_date"]?.text)
                        }
                        return base.outside[table]?[id]
                    }
                    guard issues.isEmpty else { fail(issues.map(ImportIssue.init)); continue }
                }
                // The writes.
                for k in uniqueKeys where uniqueTakenBy[k] == nil { uniqueTakenBy[k] = ref }
                if let target {
                    writtenBy[Key(table: t.name, id: target)] = ref
                    planned[t.name, default: [:]][target] = row
                    if !values.isEmpty {
                        plan.steps.append(ImportStep(kind: .update, table: t.name, id: target, values: values, origin: ref, isDeferred: false))
                    }
                    plan.outcomes[ref] = values.isEmpty ? .unchanged : .updated
                } else {
                    let newID = record.id ?? provisional[ref]
                    if let id = newID {
                        writtenBy[Key(table: t.name, id: id)] = ref
                        planned[t.name, default: [:]][id] = row
                    }
                    plan.steps.append(ImportStep(kind: .insert, table: t.name, id: newID, values: values, origin: ref, isDeferred: false))
                    plan.outcomes[ref] = .added
                }
                for (f, value, named) in deferred {
                    pending.append(PendingReference(origin: ref, table: t.name, rowID: target ?? record.id ?? provisional[ref], field: f,
                                                    value: value, target: named))
                }
            }
        }

        // The second pass: references to records loaded after the row (a 户主 in the people file).
        var second: [ImportRowRef: ImportStep] = [:]
        var secondOrder: [ImportRowRef] = []
        for p in pending {
            switch plan.outcomes[p.target] {
            case .added?, .updated?, .unchanged?:
                if second[p.origin] == nil {
                    second[p.origin] = ImportStep(kind: .update, table: p.table, id: p.rowID, values: [:], origin: p.origin, isDeferred: true)
                    secondOrder.append(p.origin)
                }
                second[p.origin]?.values[p.field.name] = .text(remap[p.value] ?? p.value)
                if plan.outcomes[p.origin] == .unchanged { plan.outcomes[p.origin] = .updated }
            default:
                let w = where_(p.target)
                let s = sheets[p.origin.sheet]
                plan.problems.append(ImportProblem(
                    file: s.name, line: s.rows[p.origin.row].line, table: p.table,
                    issue: ImportIssue(field: p.field.name, code: "reference-not-imported",
                                       zh: "\(p.field.label.zh)暂未设置：引用的记录（\(w.file) 第 \(w.line) 行）没有导入；改正那一行后再导入一次即可",
                                       en: "\(p.field.label.en) left empty: the row it names (\(w.file) line \(w.line)) was not imported; fix that line and import again"),
                    rowKept: true))
            }
        }
        plan.steps += secondOrder.compactMap { second[$0] }
        return plan
    }
}
