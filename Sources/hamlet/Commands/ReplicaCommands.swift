import Foundation
import HamletCLI
import HamletCore
import HamletStore

/// The clerk's offline commands: init, add, edit, delete, list, show, status, log.
enum ReplicaCommands {
    static func open(_ c: Context) throws -> Replica { try Replica.open(directory: c.directory) }

    static func initialize(_ c: Context) throws {
        guard let node = c.invocation.value("node"), NodeID.isValid(node) else {
            throw CLIError(code: "invalid-node", exit: .usage,
                           message: Localized(zh: "--node 必须是 1–32 个小写字母、数字、- 或 _", en: "--node must be 1–32 of lowercase letters, digits, - or _"))
        }
        guard let village = c.invocation.value("village")?.trimmingSpaces(), !village.isEmpty else {
            throw CLIError(code: "missing-village", exit: .usage, message: Localized(zh: "缺少 --village", en: "--village is required"))
        }
        let secret = c.invocation.value("secret-file").map { ($0 as NSString).expandingTildeInPath }
        let secretPath = secret.map { $0.hasPrefix("/") ? $0 : (FileManager.default.currentDirectoryPath as NSString).appendingPathComponent($0) }
        if let secretPath, !FileManager.default.fileExists(atPath: secretPath) {
            throw CLIError(code: "not-found", exit: .notFound, message: Localized(zh: "找不到密钥文件 \(secretPath)", en: "no secret file at \(secretPath)"))
        }
        let r = try Replica.create(directory: c.directory, node: node, village: village, hub: c.invocation.value("hub"),
                                   secretFile: secretPath)
        let path = Replica.path(in: r.directory)
        if c.json {
            Output.json(["node": node, "village": village, "path": path, "hub": c.invocation.value("hub") ?? ""])
        } else {
            Output.out(c.t("已建立村节点 \(node)（\(village)）：\(path)\n", "created node \(node) (\(village)): \(path)\n"))
        }
    }

    /// Turns `--field value` options into typed values for a table. A reference
    /// flag (`--person`, `--household`, `--head`) may name its row by what the
    /// clerk knows; it is resolved to the row id here, before the write (with
    /// no replica, as at the hub, references are taken as typed).
    static func values(_ c: Context, _ t: TableSchema, _ r: Replica? = nil) throws -> Fields {
        let v = Validator()
        var out: Fields = [:]
        for f in t.fields {
            guard var raw = c.invocation.value(f.flagName) else { continue }
            if f.type == .ref, let r, let target = f.references {
                raw = try reference(c, r, raw, to: target, flag: "--" + f.flagName)
            }
            out[f.name] = try v.parse(raw, for: f, table: t.name)
        }
        return out
    }

    /// Resolves a 身份证号, name, address or id (8+ characters) to a row id of `table`.
    /// - Throws: `CLIError` `missing-reference` (exit 65, or `not-found` 66 for a
    ///   command's own row argument) or `ambiguous-reference` (exit 65, with a numbered list).
    static func reference(_ c: Context, _ r: Replica, _ text: String, to table: String, flag: String?) throws -> String {
        do {
            return try r.resolveReference(text, to: table)
        } catch let e as ReferenceError {
            let argument = flag == nil && e.code == .notFound
            throw CLIError(code: argument ? "not-found" : e.code.rawValue, exit: argument ? .notFound : .invalidData,
                           message: Localized(zh: e.message(chinese: true), en: e.message(chinese: false)),
                           hint: Localized(zh: e.hint(flag: flag, chinese: true), en: e.hint(flag: flag, chinese: false)))
        }
    }

    /// The command's `<id>` argument, which may also be a 身份证号, a name, an address or 8+ characters of an id.
    static func rowID(_ c: Context, _ r: Replica, _ t: TableSchema) throws -> String {
        let id = try reference(c, r, try c.argument("id"), to: t.name, flag: nil)
        guard !id.isEmpty else {
            throw CLIError(code: "usage", exit: .usage, message: Localized(zh: "缺少参数 <编号>", en: "missing argument <id>"))
        }
        return id
    }

    static func add(_ c: Context, table: String) throws {
        let r = try open(c)
        let t = try r.table(table)
        let vals = try values(c, t, r)
        var rng = SystemRandomNumberGenerator()
        let w = try naming(vals) {
            try labellingReferences(r, t) {
                try r.insert(table: t.name, values: vals, author: c.author, wallMillis: c.now,
                             duplicates: c.invocation.flag("force") ? .record : .refuse, rng: &rng)
            }
        }
        noteRecordedDuplicates(w, c)
        noteClosedPregnancy(w, c, r, mother: vals["mother"]?.text, child: vals["name"]?.text ?? w.id)
        var json = ["id": w.id, "seq": String(w.seq), "table": t.name]
        if let p = w.closedPregnancy { json["closed_pregnancy"] = p.id; json["closed_pregnancy_seq"] = String(p.seq) }
        if c.json { Output.json(json) } else { Output.out(w.id + "\n") }
    }

    static func edit(_ c: Context, table: String) throws {
        let r = try open(c)
        let t = try r.table(table)
        let id = try rowID(c, r, t)
        let vals = try values(c, t, r)
        guard !vals.isEmpty else {
            throw CLIError(code: "usage", exit: .usage, message: Localized(zh: "请至少给出一个要修改的字段，例如 --phone", en: "give at least one field to change, e.g. --phone"))
        }
        let w = try naming(vals) {
            try labellingReferences(r, t) {
                try r.update(table: t.name, id: id, values: vals, author: c.author, wallMillis: c.now,
                             duplicates: c.invocation.flag("force") ? .record : .refuse)
            }
        }
        noteRecordedDuplicates(w, c)
        if c.json { Output.json(["id": w.id, "seq": String(w.seq)]) } else {
            Output.out(c.t("已修改 \(t.label.zh) \(id)（修改 #\(w.seq) 待上传）\n", "updated \(t.singular) \(id) (change #\(w.seq) pending)\n"))
        }
    }

    /// A refused duplicate national ID, echoing the ID the clerk typed and naming who holds it.
    static func naming(_ vals: Fields, _ write: () throws -> LocalWrite) throws -> LocalWrite {
        do {
            return try write()
        } catch let e as ReplicaError where e.code == .duplicate {
            let refusal = NationalIDHolder.refusal(nationalID: vals["national_id"]?.text ?? "", holders: e.holders)
            throw CLIError(code: refusal.code, exit: .invalidData, message: Localized(zh: refusal.zh, en: refusal.en),
                           hint: Localized(zh: "没有做任何修改", en: "nothing was changed"))
        }
    }

    /// After `--force`: says on stderr who else holds the national ID and what happens next.
    static func noteRecordedDuplicates(_ w: LocalWrite, _ c: Context) {
        guard !w.duplicates.isEmpty else { return }
        let zh = w.duplicates.map { "\($0.label(chinese: true))，编号 \($0.id)" }.joined(separator: "；")
        let en = w.duplicates.map { "\($0.label(chinese: false)), id \($0.id)" }.joined(separator: "; ")
        Output.err(c.t("注意：按 --force 录入了与 \(zh) 相同的身份证号；同步后镇中心会列为重复登记，由管理员核对合并\n",
                       "note: recorded under --force with the national ID of \(en); after sync the hub lists a duplicate for the operator to check and merge\n"))
    }

    static func delete(_ c: Context) throws {
        let r = try open(c)
        let t = try r.table(c.tableName(try c.argument("table"), r.schema))
        let id = try rowID(c, r, t)
        let w = try r.delete(table: t.name, id: id, author: c.author, wallMillis: c.now)
        if c.json { Output.json(["id": w.id, "seq": String(w.seq)]) } else {
            Output.out(c.t("已删除 \(t.label.zh) \(id)（修改 #\(w.seq) 待上传）\n", "deleted \(t.singular) \(id) (change #\(w.seq) pending)\n"))
        }
    }

    /// Parses `--where` arguments: `field<op>value` with `= < <= > >= ^=`; the
    /// field by name, flag spelling or Chinese label; the value as the field
    /// takes it (enum labels, and for `=` on a reference, a name or 身份证号).
    static func filters(_ c: Context, _ r: Replica, _ t: TableSchema) throws -> [RowFilter] {
        try c.invocation.values("where").map { text in
            let (typed, op, raw): (String, FilterOperator, String)
            do {
                (typed, op, raw) = try RowFilter.parse(text)
            } catch let error as FilterSyntaxError {
                throw CLIError(code: error.code.rawValue, exit: .usage,
                               message: Localized(zh: error.message(chinese: true), en: error.message(chinese: false)),
                               hint: Localized(zh: "例如 --where 出生日期>=2025-01-01 或 --where 姓名^=王；见 hamlet list --help",
                                               en: "e.g. --where birth_date>=2025-01-01 or --where name^=王; see 'hamlet list --help'"))
            }
            let name = typed.replacingOccurrences(of: "-", with: "_")
            if name == "id" || typed == "编号" { return RowFilter(field: "id", op: op, value: .text(raw.trimmingSpaces().lowercased())) }
            guard let f = t.field(name) ?? t.fields.first(where: { $0.label.zh == typed || $0.label.en == typed }) else {
                throw ReplicaError(.unknownField, "\(t.name) has no field \(typed); fields: \(t.fields.map(\.name).joined(separator: ", "))",
                                   zh: Replica.noFieldZH(t, typed))
            }
            if f.type == .ref, op == .equals, let target = f.references {
                let id = try reference(c, r, raw, to: target, flag: nil)
                return RowFilter(field: f.name, op: op, value: id.isEmpty ? .null : .text(id))
            }
            if f.type == .integer, !raw.trimmingSpaces().isEmpty, Int64(raw.trimmingSpaces()) == nil {
                throw CLIError(code: "invalid-integer", exit: .usage,
                               message: Localized(zh: "--where \(text)：\(f.label.zh)是整数，\(raw) 不是整数", en: "--where \(text): \(f.name) is a whole number; \(raw) is not"))
            }
            return RowFilter(field: f.name, op: op, value: try Validator().parse(raw, for: f, table: t.name))
        }
    }

    /// How a list or `show` prints a field's value: a referenced row by its
    /// label, an enum by its Chinese label under Chinese; `--codes` prints
    /// what is stored (codes, whole ids).
    struct Display {
        let chinese: Bool
        let codes: Bool
        /// Labels of referenced rows, by table, then id.
        var labels: [String: [String: String]] = [:]

        /// Reads the labels of every row the given rows reference through `fields`.
        init(_ c: Context, _ r: Replica, _ t: TableSchema, fields: [String], rows: [Fields]) throws {
            chinese = c.chinese
            codes = c.invocation.flag("codes")
            guard !codes else { return }
            for f in t.referenceFields where fields.contains(f.name) {
                guard let target = f.references.flatMap({ r.schema.table(named: $0) }) else { continue }
                let ids = Set(rows.compactMap { $0[f.name]?.text })
                labels[target.name, default: [:]].merge(try r.rowLabels(target, ids: ids)) { a, _ in a }
            }
        }

        func text(_ value: Value?, _ f: FieldSchema?) -> String {
            guard let value, !value.isNull else { return "" }
            guard !codes, let f else { return value.description }
            switch f.type {
            case .ref:
                guard let id = value.text else { return value.description }
                return f.references.flatMap { labels[$0]?[id] } ?? "#" + ShortID.of(id)
            case .enum where chinese:
                return value.text.map { f.label(ofValue: $0).zh } ?? value.description
            default:
                return value.description
            }
        }
    }

    /// Whether a column's values mean nothing when cut (dates, 身份证号, phones, numbers).
    static func fixedWidth(_ f: FieldSchema) -> Bool {
        [.date, .nationalID, .phone, .integer].contains(f.type)
    }

    static func list(_ c: Context) throws {
        let r = try open(c)
        let t = try r.table(c.tableName(try c.argument("table"), r.schema))
        let filters = try filters(c, r, t)
        let limitText = c.invocation.value("limit") ?? "1000"
        guard let limit = Int(limitText.trimmingSpaces()), limit >= 0 else {
            throw CLIError(code: "usage", exit: .usage, message: Localized(zh: "--limit 须是不小于 0 的整数，收到 \(limitText)", en: "--limit takes a whole number ≥ 0, got \(limitText)"))
        }
        let page = try r.list(table: t.name, where: filters, limit: limit)
        if c.json {
            let rows = page.rows.map { RowJSON(id: $0.0, values: $0.1) }
            // An array as always; an object only when the limit cut rows (README: list --json).
            if page.isTruncated {
                Output.json(TruncatedListJSON(rows: rows, total: page.total, shown: rows.count, truncated: true))
            } else {
                Output.json(rows)
            }
            return
        }
        let fields = c.invocation.flag("all") ? t.fields.map(\.name) : (t.display ?? t.fields.map(\.name).filter { $0 != "village" })
        let display = try Display(c, r, t, fields: fields, rows: page.rows.map(\.1))
        let shorts = display.codes ? [:] : ShortID.unique(page.rows.map(\.0))
        var table = Table(columns: [Table.Column(header: c.t("编号", "id"), shrinks: false)] + fields.map { name in
            let f = t.field(name)
            // With --codes a reference is a whole id: cut, it names nothing.
            let fixed = f.map { fixedWidth($0) || (display.codes && $0.type == .ref) } ?? false
            return Table.Column(header: c.chinese ? (f?.label.zh ?? name) : name, alignment: f?.type == .integer ? .right : .left,
                                maxCells: display.codes && f?.type == .ref ? nil : 24, shrinks: !fixed)
        })
        // The id column holds short ids (the end of the id, which every command takes back); --codes prints them whole.
        table.rows = page.rows.map { row in [shorts[row.0] ?? row.0] + fields.map { display.text(row.1[$0], t.field($0)) } }
        Output.out(table.render(maxWidth: max(c.width, 120)))
        if page.isTruncated {
            Output.out(c.t("共 \(page.total) 条，显示前 \(page.rows.count) 条\n", "\(page.total) rows, showing the first \(page.rows.count)\n"))
        } else {
            Output.out(c.t("共 \(page.total) 条\n", "\(page.total) row(s)\n"))
        }
    }

    static func show(_ c: Context) throws {
        let r = try open(c)
        let t = try r.table(c.tableName(try c.argument("table"), r.schema))
        let d = try r.detail(table: t.name, id: try rowID(c, r, t))
        // 孩次 is derived from the mother's children here, never stored.
        let family = t.name == "people" ? try Family(r, person: d.id, values: d.values) : nil
        if c.json {
            Output.json(ShowJSON(table: t.name, id: d.id, values: d.values, versions: d.versions,
                                 pending: d.outstanding.map(ChangeJSON.init), rejected: d.rejected.map(ChangeJSON.init),
                                 conflicted: try OutcomeText.conflictedJSON(r, table: t.name, id: d.id),
                                 birthOrder: family?.own.map { BirthOrderJSON($0, of: family?.siblings) },
                                 children: family?.children?.map { BirthOrderJSON($0.order, values: $0.values) }))
            return
        }
        let display = try Display(c, r, t, fields: t.fields.map(\.name), rows: [d.values])
        let pendingFields = Set(d.outstanding.flatMap { $0.change.values.keys })
        var table = Table(columns: [Table.Column(header: c.t("字段", "field")), Table.Column(header: c.t("值", "value"), maxCells: 40),
                                    Table.Column(header: c.t("镇中心版本", "hub version"), alignment: .right),
                                    Table.Column(header: c.t("状态", "state"))])
        table.rows.append([c.t("编号", "id"), d.id, "", ""])
        for f in t.fields {
            let label = c.chinese ? f.label.zh : f.name
            let version = d.versions[f.name].map(String.init) ?? "-"
            table.rows.append([label, display.text(d.values[f.name], f), version,
                               pendingFields.contains(f.name) ? c.t("待上传", "pending") : ""])
        }
        Output.out(table.render(maxWidth: max(c.width, 60)))
        if let family { printFamily(family, c, r, t, motherLabel: display.text(d.values["mother"], t.field("mother"))) }
        if !d.outstanding.isEmpty {
            Output.out(c.t("\n未被镇中心收录的修改：\n", "\nLocal changes not yet taken in by the hub:\n"))
            for ch in d.outstanding {
                let op = Wording.op(ch.change.op, creates: d.versions.isEmpty && ch.change.seq == d.outstanding.first?.change.seq, c)
                Output.out("  #\(ch.change.seq) \(state(ch.state, c)) \(op) \(Wording.fields(ch.change.values.keys, t, c))\n")
            }
        }
        if !d.rejected.isEmpty {
            Output.out(c.t("\n被退回的修改：\n", "\nRejected changes:\n"))
            for ch in d.rejected { Output.out("  #\(ch.change.seq) \(Wording.rejection(code: ch.code ?? "", message: ch.message, schema: r.schema, c))\n") }
        }
        try OutcomeText.showSection(r, table: t.name, id: d.id, c)
    }

    static func state(_ s: String, _ c: Context) -> String {
        switch s {
        case "pending": return c.t("待上传", "pending")
        case "accepted": return c.t("已接收", "accepted")
        case "conflicted": return c.t("有冲突", "conflicted")
        case "rejected": return c.t("已退回", "rejected")
        default: return s
        }
    }

    static func status(_ c: Context) throws {
        let r = try open(c)
        let s = try r.status()
        if c.json { Output.json(s); return }
        let list = KeyValueList(pairs: [
            (c.t("节点", "node"), c.t("\(s.node)（\(s.village)）", "\(s.node) (\(s.village))")),
            (c.t("镇中心", "hub"), s.hub ?? c.t("未设置", "not set")),
            (c.t("待上传", "pending"), String(s.pending)),
            (c.t("已接收", "accepted"), String(s.accepted)),
            (c.t("有冲突", "conflicted"), String(s.conflicted)),
            (c.t("已处理", "settled"), String(s.settled)),
            (c.t("已退回", "rejected"), String(s.rejected)),
            (c.t("最近同步", "last sync"), s.lastSyncAt.map { c.time($0) } ?? c.t("从未", "never")),
            (c.t("同步结果", "last result"), (c.chinese ? try r.meta("last_sync_result_zh") : nil) ?? s.lastSyncResult ?? "-"),
            (c.t("数据核对", "verify"), s.verify.map { c.chinese ? ["match": "一致", "mismatch": "不一致"][$0] ?? $0 : $0 } ?? "-"),
            (c.t("下载进度", "cursor"), String(s.cursor)),
            (c.t("记录数", "rows"), c.chinese
                ? r.schema.tables.filter { s.rows[$0.name] != nil }.map { "\($0.label.zh) \(s.rows[$0.name] ?? 0)" }.joined(separator: "，")
                : s.rows.keys.sorted().map { "\($0) \(s.rows[$0] ?? 0)" }.joined(separator: ", ")),
        ])
        Output.out(list.render(maxWidth: c.width))
        if s.rejected > 0 {
            Output.out(c.t("提示：有被退回的修改，运行 hamlet log 查看原因。\n", "hint: some changes were rejected; see hamlet log for why.\n"))
        }
        if s.settled > 0 {
            Output.out(c.t("提示：镇中心已处理 \(s.settled) 条修改的冲突，运行 hamlet log 查看处理结果。\n",
                           "hint: the township office settled the conflicts of \(s.settled) change(s); see hamlet log for how.\n"))
        }
    }

    static func log(_ c: Context) throws {
        let r = try open(c)
        let entries = try r.log(pendingOnly: c.invocation.flag("pending"))
        let known = try r.knownOutcomes()
        if c.json { Output.json(entries.map { ChangeJSON($0, known: known) }); return }
        let codes = c.invocation.flag("codes")
        var table = Table(columns: [Table.Column(header: c.t("序号", "seq"), alignment: .right, shrinks: false), Table.Column(header: c.t("状态", "state")),
                                    Table.Column(header: c.t("操作", "op")), Table.Column(header: c.t("表", "table")),
                                    Table.Column(header: c.t("记录", "row"), maxCells: codes ? nil : 24, shrinks: !codes),
                                    Table.Column(header: c.t("字段", "fields"), maxCells: 30),
                                    Table.Column(header: c.t("时间", "when"), shrinks: false), Table.Column(header: c.t("修改人", "author")),
                                    Table.Column(header: c.t("原因", "reason"), maxCells: 40)])
        // Each row by its label (王秀英 *1224, the address; an event by its person), whole ids with --codes.
        var labels: [String: [String: String]] = [:]
        if !codes {
            for (name, group) in Dictionary(grouping: entries, by: \.change.table) {
                guard let t = r.schema.table(named: name) else { continue }
                labels[name] = try r.rowLabels(t, ids: Set(group.map(\.change.row)))
            }
        }
        // A row's first change, made before the hub knew the row, created it (新增); later ones edit it (修改).
        var creating: Set<Int64> = []
        var seen: Set<String> = []
        for e in entries where seen.insert(e.change.table + "/" + e.change.row).inserted && e.change.rowBase == 0 {
            creating.insert(e.change.seq)
        }
        table.rows = entries.map { e in
            [String(e.change.seq), OutcomeText.state(e, known, c) ?? state(e.state, c),
             Wording.op(e.change.op, creates: creating.contains(e.change.seq), c),
             Wording.table(e.change.table, r.schema, c),
             labels[e.change.table]?[e.change.row] ?? e.change.row,
             Wording.fields(e.change.values.keys, r.schema.table(named: e.change.table), c), c.time(e.madeAt), e.change.author,
             e.code.map { Wording.rejection(code: $0, message: e.message, schema: r.schema, c) } ?? OutcomeText.cell(e, known, c)]
        }
        Output.out(table.render(maxWidth: max(c.width, 120)))
        // How the hub settled each conflict, whole (the table's cells are cut).
        let settled = try OutcomeText.lines(entries, known, r, c)
        if !settled.isEmpty {
            Output.out(c.t("\n冲突处理结果：\n", "\nHow the conflicts were settled:\n"))
            for line in settled { Output.out("  \(line)\n") }
        }
    }
}

/// `--json` shape of a row.
struct RowJSON: Encodable {
    var id: String
    var values: Fields
}

/// `--json` shape of `list` when `--limit` cut rows (otherwise a plain array of rows).
struct TruncatedListJSON: Encodable {
    var rows: [RowJSON]
    var total: Int
    var shown: Int
    var truncated: Bool
}

/// `--json` shape of `show`.
struct ShowJSON: Encodable {
    var table: String
    var id: String
    var values: Fields
    var versions: [String: Int64]
    var pending: [ChangeJSON]
    var rejected: [ChangeJSON]
    /// The row's changes that opened conflicts, each with what the hub said of them.
    var conflicted: [ChangeJSON] = []
    /// A person's 孩次 among the mother's children (absent without a mother).
    var birthOrder: BirthOrderJSON?
    /// A woman's children with their 孩次, first-born first (absent for other rows and men).
    var children: [BirthOrderJSON]?

    enum CodingKeys: String, CodingKey {
        case table, id, values, versions, pending, rejected, conflicted, children
        case birthOrder = "birth_order"
    }
}

/// `--json` shape of one change-log entry.
struct ChangeJSON: Encodable {
    var seq: Int64
    var state: String
    var op: String
    var table: String
    var row: String
    var values: Fields
    var bases: [String: Int64]
    var hlc: String
    var author: String
    var madeAt: Int64
    var hseq: Int64?
    var code: String?
    var message: String?
    var conflicts: [Int64]
    /// For a conflicted change: where each of its conflicts stands, as last asked (those the node has heard of).
    var outcomes: [ConflictOutcome]?
    /// For a conflicted change: true once every conflict it opened is closed.
    var settled: Bool?

    init(_ r: ChangeRecord) {
        self.init(r, known: nil)
    }

    /// - Parameter known: The conflict outcomes the node knows; nil leaves `outcomes` and `settled` out.
    init(_ r: ChangeRecord, known: [Int64: ConflictOutcome]?) {
        seq = r.change.seq
        state = r.state
        op = r.change.op.rawValue
        table = r.change.table
        row = r.change.row
        values = r.change.values
        bases = r.change.bases
        hlc = r.change.hlc.description
        author = r.change.author
        madeAt = r.madeAt
        hseq = r.hseq
        code = r.code
        message = r.message
        conflicts = r.conflicts
        if r.state == "conflicted", let known {
            outcomes = r.conflicts.compactMap { known[$0] }
            settled = Replica.isSettled(r, known)
        }
    }

    enum CodingKeys: String, CodingKey {
        case seq, state, op, table, row, values, bases, hlc, author, hseq, code, message, conflicts, outcomes, settled
        case madeAt = "made_at"
    }
}
