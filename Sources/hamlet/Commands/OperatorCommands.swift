import Foundation
import HamletCLI
import HamletCore
import HamletHub
import HamletStore

/// The operator's review commands: conflicts, conflict, resolve, merge, unmerge,
/// nodes, history, export. Each calls the same HubStore function the web page calls.
enum OperatorCommands {
    static func open(_ c: Context) throws -> HubStore { try HubStore.open(directory: c.directory) }

    static func zone(_ h: HubStore) -> String { (try? h.meta("time_zone")) ?? "Asia/Shanghai" }

    static func operatorName(_ c: Context) -> String {
        c.invocation.value("operator") ?? c.environment["USER"] ?? "operator"
    }

    static func conflictID(_ c: Context) throws -> Int64 {
        let raw = try c.argument("id").trimmingCharacters(in: CharacterSet(charactersIn: "#"))
        guard let id = Int64(raw) else {
            throw CLIError(code: "usage", exit: .usage, message: Localized(zh: "冲突编号是数字，例如 12", en: "conflict ids are numbers, e.g. 12"))
        }
        return id
    }

    static func kindLabel(_ k: ConflictKind, _ c: Context) -> String {
        switch k {
        case .field: return c.t("字段冲突", "field")
        case .delete: return c.t("删除冲突", "delete")
        case .duplicate: return c.t("重复登记", "duplicate")
        }
    }

    static func conflicts(_ c: Context) throws {
        let h = try open(c)
        var kind: ConflictKind?
        if let k = c.invocation.value("kind") {
            guard let kk = ConflictKind(typed: k) else {
                throw CLIError(code: "usage", exit: .usage, message: Localized(zh: "--kind 只能是 字段冲突、删除冲突 或 重复登记", en: "--kind is field, delete or duplicate"))
            }
            kind = kk
        }
        let list = try h.conflicts(status: c.invocation.flag("all") ? nil : "open", village: c.invocation.value("village"), kind: kind)
        if c.json { Output.json(list); return }
        var t = Table(columns: [Table.Column(header: "#", alignment: .right), Table.Column(header: c.t("类型", "kind")),
                                Table.Column(header: c.t("村", "village")), Table.Column(header: c.t("表", "table")),
                                Table.Column(header: c.t("记录", "row")), Table.Column(header: c.t("字段", "field")),
                                Table.Column(header: c.t("村节点", "node")), Table.Column(header: c.t("时间", "when")),
                                Table.Column(header: c.t("状态", "status"))])
        let z = zone(h)
        t.rows = list.map { x in
            [String(x.id), kindLabel(x.kind, c), x.village, Wording.table(x.table, h.schema, c), String(x.row.suffix(12)),
             x.field.map { Wording.field($0, h.schema.table(named: x.table), c) } ?? "",
             Wording.writer(x.incomingNode ?? NodeIDLabel.hub, c), c.time(x.incomingHLC.flatMap { HLC($0)?.wall }, zone: z),
             statusText(x, c)]
        }
        Output.out(t.render(maxWidth: max(c.width, 60)))
        let counts = Dictionary(grouping: list, by: \.kind).mapValues(\.count)
        Output.out(c.t("共 \(list.count) 个：字段 \(counts[.field] ?? 0)，删除 \(counts[.delete] ?? 0)，重复登记 \(counts[.duplicate] ?? 0)\n",
                       "\(list.count) conflict(s): field \(counts[.field] ?? 0), delete \(counts[.delete] ?? 0), duplicate \(counts[.duplicate] ?? 0)\n"))
    }

    /// `who, node, when` of a hub version.
    static func describe(_ v: FieldVersion?, _ h: HubStore, _ c: Context) -> String {
        guard let v else { return "-" }
        let entry = try? h.logEntry(v.hseq)
        let who = entry?.author ?? "?"
        let node = v.writers.first.map { Wording.writer($0, c) } ?? "?"
        return [who, node, c.time(v.hlc.wall, zone: zone(h)), Wording.version(v.hseq, c)].joined(separator: c.t("，", ", "))
    }

    static func conflict(_ c: Context) throws {
        let h = try open(c)
        let id = try conflictID(c)
        guard let x = try h.conflict(id) else {
            throw CLIError(code: "not-found", exit: .notFound, message: Localized(zh: "没有冲突 #\(id)", en: "no conflict #\(id)"))
        }
        if c.json { Output.json(ConflictDetailJSON(conflict: x, base: x.field.flatMap { try? h.value(table: x.table, row: x.row, field: $0, at: x.base) ?? nil })); return }
        Output.out("#\(x.id) \(kindLabel(x.kind, c)) · \(c.chinese ? h.schema.table(named: x.table)?.label.zh ?? x.table : x.table) \(x.row) · \(x.village) · \(x.status == "open" ? c.t("待处理", "open") : c.t("已处理", "resolved"))\n")
        Output.out(c.t("原因：", "reason: ") + ConflictWording.reason(x.reason, chinese: c.chinese, schema: h.schema) + "\n\n")
        let z = zone(h)
        switch x.kind {
        case .field:
            let field = x.field ?? ""
            let base = (try? h.value(table: x.table, row: x.row, field: field, at: x.base)) ?? nil
            let t = try tableSchema(h, x.table)
            let f = t.field(field)
            let current = try h.row(t, id: x.row)
            var table = Table(columns: [Table.Column(header: c.t("字段", "field")), Table.Column(header: c.t("原值", "base"), maxCells: 24),
                                    Table.Column(header: c.t("村节点的值", "village value"), maxCells: 24),
                                    Table.Column(header: c.t("镇中心的值", "hub value"), maxCells: 24)])
            table.rows = [[c.chinese ? fieldName(h, x, c) : field, base.map { Wording.value($0, f, c) } ?? "-", shown(x.incoming, f, c),
                           shown(x.hubValue, f, c)]]
            Output.out(table.render(maxWidth: max(c.width, 80)))
            // Who wrote each side, from which node and when: whole, never cut.
            Output.out(KeyValueList(pairs: [
                (c.t("原值版本", "base version"), x.base > 0 ? Wording.version(x.base, c) : "-"),
                (c.t("村节点的值", "village value"),
                 [x.incomingAuthor ?? "?", x.incomingNode.map { Wording.writer($0, c) } ?? "?",
                  c.time(x.incomingHLC.flatMap { HLC($0)?.wall }, zone: z)].joined(separator: c.t("，", ", "))),
                (c.t("镇中心的值", "hub value"), describe(x.hubVersion, h, c)),
            ]).render(maxWidth: max(c.width, 80)))
            Output.out(c.t("暂时采用：", "provisional winner: ") + (x.incomingWon ? c.t("村节点的值", "village value") : c.t("镇中心的值", "hub value")) + "\n")
            if let cur = current {
                Output.out(c.t("当前值：", "current value: ") + Wording.value(cur.values[field], f, c) + c.t("（版本 ", " (version ") + String(cur.versions[field]?.hseq ?? 0) + c.t("）\n", ")\n"))
            }
            try showCompeting(h, x, current: current, c)
            if x.status == "open" {
                Output.out(c.t("\n处理：hamlet hub resolve \(x.id) --take 村节点|镇中心 或 --value \(fieldName(h, x, c))=…\n",
                               "\nresolve: hamlet hub resolve \(x.id) --take village|hub or --value \(field)=…\n"))
            }
        case .delete:
            try showRow(h, x.table, x.row, c)
            if x.status == "open" {
                Output.out(c.t("\n处理：hamlet hub resolve \(x.id) --keep 或 --delete\n", "\nresolve: hamlet hub resolve \(x.id) --keep or --delete\n"))
            }
        case .duplicate:
            try showPair(h, x, c)
            if x.status == "open" {
                Output.out(c.t("\n合并：hamlet hub merge \(x.id) [--keep <编号>] [--field 字段=<编号> …]\n",
                               "\nmerge: hamlet hub merge \(x.id) [--keep <row-id>] [--field name=<row-id> …]\n"))
                Output.out(c.t("不是同一人：hamlet hub dismiss \(x.id) --note \"理由\"\n", "not the same person: hamlet hub dismiss \(x.id) --note \"why\"\n"))
            }
        }
        if x.status != "open" { Output.out(resolvedLine(x, c, zone: z)) }
    }

    static func tableSchema(_ h: HubStore, _ name: String) throws -> TableSchema {
        guard let t = h.schema.table(named: name) else {
            throw ReplicaError(.unknownTable, "no table \(name)",
                               zh: "没有「\(name)」这个表；可用的表：\(h.schema.tables.map(\.label.zh).joined(separator: "、"))")
        }
        return t
    }

    static func showRow(_ h: HubStore, _ table: String, _ id: String, _ c: Context) throws {
        let t = try tableSchema(h, table)
        guard let r = try h.row(t, id: id) else { return }
        var list = Table(columns: [Table.Column(header: c.t("字段", "field")), Table.Column(header: c.t("值", "value"), maxCells: 40)])
        list.rows = t.fields.map { [c.chinese ? $0.label.zh : $0.name, Wording.value(r.values[$0.name], $0, c)] }
        list.rows.append([c.t("状态", "state"), r.deleted ? c.t("已删除", "deleted") : c.t("有效", "live")])
        Output.out(list.render(maxWidth: max(c.width, 60)))
    }

    /// Both rows of a duplicate side by side, differing fields marked, and what references each.
    static func showPair(_ h: HubStore, _ x: ConflictRecord, _ c: Context) throws {
        let t = try tableSchema(h, x.table)
        guard let other = x.otherRow, let a = try h.row(t, id: other), let b = try h.row(t, id: x.row) else { return }
        // The two rows are 甲 and 乙 in Chinese, A and B in English.
        let (nameA, nameB) = (c.t("甲", "A"), c.t("乙", "B"))
        var list = Table(columns: [Table.Column(header: c.t("字段", "field")), Table.Column(header: nameA + " " + String(a.id.suffix(12)), maxCells: 30),
                                   Table.Column(header: nameB + " " + String(b.id.suffix(12)), maxCells: 30), Table.Column(header: "")])
        list.rows = t.fields.map { f in
            let va = Wording.value(a.values[f.name], f, c)
            let vb = Wording.value(b.values[f.name], f, c)
            return [c.chinese ? f.label.zh : f.name, va, vb, va == vb ? "" : "≠"]
        }
        Output.out(list.render(maxWidth: max(c.width, 80)))
        for (label, row) in [(nameA, a), (nameB, b)] {
            let refs = try h.references(to: t.name, id: row.id)
            Output.out(c.t("\(label) \(row.id) 被 \(refs.count) 条记录引用", "\(label) \(row.id) is referenced by \(refs.count) row(s)"))
            Output.out(refs.isEmpty ? "\n" : c.t("：", ": ") + refs.prefix(10).map { ref in
                let other = h.schema.table(named: ref.0)
                return "\(Wording.table(ref.0, h.schema, c)).\(Wording.field(ref.2, other, c))=\(String(ref.1.suffix(12)))"
            }.joined(separator: c.t("，", ", ")) + (refs.count > 10 ? " …" : "") + "\n")
        }
    }

    static func resolve(_ c: Context) throws {
        let h = try open(c)
        let id = try conflictID(c)
        let action = OperatorAction(name: operatorName(c), wallMillis: c.now, note: c.invocation.value("note"))
        let expected = c.invocation.value("expect-version").flatMap { Int64($0) }
        let hseq: Int64
        if c.invocation.flag("keep") || c.invocation.flag("delete") {
            guard c.invocation.flag("keep") != c.invocation.flag("delete") else {
                throw CLIError(code: "usage", exit: .usage, message: Localized(zh: "--keep 和 --delete 只能选一个", en: "choose one of --keep and --delete"))
            }
            hseq = try stale(h, id, c) { try h.resolveDelete(id, keep: c.invocation.flag("keep"), expectedRowVersion: expected, action: action) }
        } else if let take = c.invocation.value("take") {
            // The operator may type the side in Chinese: 村节点 (村) or 镇中心 (镇).
            let village = ["village", "村节点", "村"].contains(take), hub = ["hub", "镇中心", "镇"].contains(take)
            guard village || hub else {
                throw CLIError(code: "usage", exit: .usage, message: Localized(zh: "--take 只能是 村节点 或 镇中心", en: "--take is village or hub"))
            }
            hseq = try stale(h, id, c) { try h.resolveField(id, choice: village ? .village : .hub, expectedVersion: expected, action: action) }
        } else if let v = c.invocation.value("value") {
            guard let eq = v.firstIndex(of: "="), let x = try h.conflict(id) else {
                throw CLIError(code: "usage", exit: .usage, message: Localized(zh: "--value 的格式是 字段=值", en: "--value takes field=value"))
            }
            let typed = String(v[..<eq])
            let t = try tableSchema(h, x.table)
            let name = t.fields.first { $0.label.zh == typed }?.name ?? typed.replacingOccurrences(of: "-", with: "_")
            guard name == x.field, let f = t.field(name) else {
                throw CLIError(code: "usage", exit: .usage, message: Localized(zh: "这个冲突的字段是\(fieldName(h, x, c))，请写 --value \(fieldName(h, x, c))=新值",
                                                                               en: "this conflict is about field \(x.field ?? "-")"))
            }
            let value = try Validator().parse(String(v[v.index(after: eq)...]), for: f, table: x.table)
            hseq = try stale(h, id, c) { try h.resolveField(id, choice: .value(value), expectedVersion: expected, action: action) }
        } else {
            throw CLIError(code: "usage", exit: .usage, message: Localized(zh: "请给出 --take 村节点|镇中心、--value 字段=值、--keep 或 --delete", en: "give --take village|hub, --value field=value, --keep or --delete"))
        }
        if c.json { Output.json(["conflict": id, "hseq": hseq]) } else {
            Output.out(c.t("冲突 #\(id) 已处理（镇中心版本 \(hseq)，各村节点下次同步时收到）\n",
                           "conflict #\(id) resolved (hub change hseq \(hseq); nodes get it on their next sync)\n"))
        }
    }

    /// Runs an operator action; when it is refused as stale, shows what the row or field holds now
    /// and how to act on it (the operator's own terminal: values may be shown), then rethrows (exit 65).
    static func stale<T>(_ h: HubStore, _ id: Int64, _ c: Context, _ body: () throws -> T) throws -> T {
        do { return try body() } catch let e as OperatorError where e.code == .alreadyResolved {
            throw try alreadyResolved(h, id, c) ?? e
        } catch let e as OperatorError where e.code == .stale {
            if let x = try h.conflict(id), let row = try h.row(try tableSchema(h, x.table), id: x.row) {
                let field = e.field ?? x.field
                let t = h.schema.table(named: x.table)
                let now = field.map { shown(row.values[$0], t?.field($0), c) } ?? c.t("（空）", "(empty)")
                let version = e.currentVersion ?? row.hseq
                if let field {
                    Output.err(c.t("现在\(Wording.field(field, t, c)) = \(now)（版本 \(version)）。核对后如仍要处理，请加 --expect-version \(version) 再运行\n",
                                   "now \(field) = \(now) (version \(version)). If you still want this after checking, run again with --expect-version \(version)\n"))
                } else {
                    Output.err(c.t("这条记录在显示之后又改过（现在版本 \(version)）。请用 hamlet hub conflict \(id) 重新查看，再加 --expect-version \(version) 运行\n",
                                   "the row changed since it was shown (now version \(version)). Look again with hamlet hub conflict \(id), then run with --expect-version \(version)\n"))
                }
            }
            throw e
        }
    }

    static func merge(_ c: Context) throws {
        let h = try open(c)
        let id = try conflictID(c)
        guard let x = try h.conflict(id), x.kind == .duplicate else {
            throw CLIError(code: "wrong-kind", exit: .invalidData, message: Localized(zh: "#\(id) 不是重复登记冲突", en: "#\(id) is not a duplicate conflict"))
        }
        var fields: [String: String] = [:]
        for f in c.invocation.values("field") {
            guard let eq = f.firstIndex(of: "=") else {
                throw CLIError(code: "usage", exit: .usage, message: Localized(zh: "--field 的格式是 字段=<编号>", en: "--field takes name=<row-id>"))
            }
            let typed = String(f[..<eq])
            let name = h.schema.table(named: x.table)?.fields.first { $0.label.zh == typed }?.name ?? typed.replacingOccurrences(of: "-", with: "_")
            fields[name] = String(f[f.index(after: eq)...])
        }
        if !c.json { try showPair(h, x, c) }
        if c.invocation.flag("dry-run") {
            Output.out(c.t("（预览，没有合并）\n", "(dry run: nothing merged)\n"))
            return
        }
        // Compare-and-set on the two rows as just shown: a row that changes meanwhile makes the merge stale.
        let t = try tableSchema(h, x.table)
        var shown: [String: Int64] = [:]
        for rid in [x.row] + (x.otherRow.map { [$0] } ?? []) { shown[rid] = try h.row(t, id: rid)?.hseq }
        let m = try stale(h, id, c) {
            try h.mergeDuplicate(id, keep: c.invocation.value("keep"), fieldsFrom: fields, expectedRowVersions: shown,
                                 action: OperatorAction(name: operatorName(c), wallMillis: c.now, note: c.invocation.value("note")))
        }
        if c.json { Output.json(m) } else {
            Output.out(c.t("已合并：保留 \(m.survivor)，\(m.loser) 标记为并入；改了 \(m.survivorBefore.count + m.survivorBeforeEmpty.count) 个字段，改指 \(m.repointed.count) 条引用。撤销：hamlet hub unmerge \(id)\n",
                           "merged: kept \(m.survivor), \(m.loser) marked merged into it; \(m.survivorBefore.count + m.survivorBeforeEmpty.count) field(s) taken, \(m.repointed.count) reference(s) repointed. Undo: hamlet hub unmerge \(id)\n"))
        }
    }

    static func unmerge(_ c: Context) throws {
        let h = try open(c)
        let id = try conflictID(c)
        let m = try stale(h, id, c) { try h.unmerge(id, action: OperatorAction(name: operatorName(c), wallMillis: c.now, note: c.invocation.value("note"))) }
        if c.json { Output.json(m) } else {
            Output.out(c.t("已撤销合并：\(m.survivor) 和 \(m.loser) 都已恢复，\(m.repointed.count) 条引用已改回；冲突 #\(id) 重新待处理\n",
                           "unmerged: \(m.survivor) and \(m.loser) both restored, \(m.repointed.count) reference(s) pointed back; conflict #\(id) is open again\n"))
        }
    }

    /// `--json` shape of a node's health.
    struct NodeJSON: Encodable {
        var node: String
        var village: String
        var lastSeen: Int64?
        var lastResult: String?
        var lastAddress: String?
        var waiting: Int?
        var openConflicts: Int
        var clockSkewMillis: Int64?
        var lastSeq: Int64
        enum CodingKeys: String, CodingKey {
            case node, village, waiting
            case lastSeen = "last_seen", lastResult = "last_result", lastAddress = "last_address"
            case openConflicts = "open_conflicts", clockSkewMillis = "clock_skew_ms", lastSeq = "last_seq"
        }
    }

    static func nodes(_ c: Context) throws {
        let h = try open(c)
        let z = zone(h)
        var out: [NodeJSON] = []
        var openByVillage: [String: Int] = [:]
        for x in try h.conflicts(status: "open") { openByVillage[x.village, default: 0] += 1 }
        for n in try h.nodes() {
            let waiting = try h.waiting(village: n.village, after: n.cursor ?? 0)
            out.append(NodeJSON(node: n.id, village: n.village, lastSeen: n.lastSeen, lastResult: n.lastResult, lastAddress: n.lastAddress,
                                waiting: waiting, openConflicts: openByVillage[n.village] ?? 0,
                                clockSkewMillis: n.clockSkewMillis, lastSeq: n.lastSeq))
        }
        if c.json { Output.json(out); return }
        var t = Table(columns: [Table.Column(header: c.t("节点", "node")), Table.Column(header: c.t("村", "village")),
                                Table.Column(header: c.t("最近同步", "last seen")), Table.Column(header: c.t("结果", "last result")),
                                Table.Column(header: c.t("待下载", "waiting"), alignment: .right),
                                Table.Column(header: c.t("待处理冲突", "open conflicts"), alignment: .right),
                                Table.Column(header: c.t("时钟偏差", "clock skew"), alignment: .right)])
        t.rows = out.map { n in
            [n.node, n.village, n.lastSeen.map { c.time($0, zone: z) } ?? c.t("从未", "never"), NodeWording.result(n.lastResult, chinese: c.chinese),
             n.waiting.map(String.init) ?? "-", String(n.openConflicts), NodeWording.skew(n.clockSkewMillis, chinese: c.chinese)]
        }
        Output.out(t.render(maxWidth: max(c.width, 60)))
    }

    static func history(_ c: Context) throws {
        let h = try open(c)
        let t = try tableSchema(h, c.tableName(try c.argument("table"), h.schema))
        let id = try c.argument("id")
        let entries = try h.history(table: t.name, id: id)
        let conflicts = try h.conflicts(status: nil).filter { $0.table == t.name && ($0.row == id || $0.otherRow == id) }
        if c.json { Output.json(["entries": AnyEncodable(entries), "conflicts": AnyEncodable(conflicts)]); return }
        guard !entries.isEmpty else {
            throw CLIError(code: "not-found", exit: .notFound, message: Localized(zh: "镇中心没有这条记录", en: "the hub holds no such row"))
        }
        let z = zone(h)
        var table = Table(columns: [Table.Column(header: c.t("版本", "hseq"), alignment: .right), Table.Column(header: c.t("时间", "when")),
                                    Table.Column(header: c.t("节点", "node")), Table.Column(header: c.t("修改人", "who")),
                                    Table.Column(header: c.t("操作", "op")), Table.Column(header: c.t("写入的值", "values written"), maxCells: 60)])
        table.rows = entries.map { e in
            [String(e.hseq), c.time(HLC(e.hlc)?.wall, zone: z), Wording.writer(e.node, c), e.author, Wording.hubOp(e.op, c),
             Wording.assignments(e.values, t, c) + (e.note.map { c.t("（\($0)）", " (\($0))") } ?? "")]
        }
        Output.out(table.render(maxWidth: max(c.width, 80)))
        if !conflicts.isEmpty {
            Output.out(c.t("\n相关冲突：", "\nconflicts: ") + conflicts.map { "#\($0.id) \(kindLabel($0.kind, c)) \(statusText($0, c))" }
                .joined(separator: c.t("；", ", ")) + "\n")
        }
    }

    /// CSV for Excel (UTF-8 with BOM, CRLF, formula characters neutralised) or xlsx (text-typed cells, Chinese
    /// headers); names in pinyin order.
    static func export(_ c: Context) throws {
        let format = c.invocation.value("format") ?? "csv"
        guard format == "csv" || format == "xlsx" else {
            throw CLIError(code: "usage", exit: .usage, message: Localized(zh: "--format 只能是 csv 或 xlsx", en: "--format is csv or xlsx"))
        }
        if format == "xlsx", isatty(1) == 1 {
            throw CLIError(code: "usage", exit: .usage,
                           message: Localized(zh: "xlsx 是二进制文件，请重定向到文件：hamlet hub export people --format xlsx > people.xlsx",
                                              en: "xlsx is a binary file; redirect it: hamlet hub export people --format xlsx > people.xlsx"))
        }
        let h = try open(c)
        let t = try tableSchema(h, c.tableName(try c.argument("table"), h.schema))
        let rows = try h.rows(table: t.name, village: c.invocation.value("village"), includeDeleted: c.invocation.flag("deleted"))
        // Under Chinese: Chinese headers and enum labels, which import reads back; --codes (and English): field names and codes.
        let labels = c.chinese && !c.invocation.flag("codes")
        if format == "xlsx" {
            Output.out(bytes: RegisterExport.xlsx(t, rows, labels: labels))  // shared with the web page's /export/<table>.xlsx
        } else {
            Output.out(RegisterExport.csv(t, rows, labels: labels))  // shared with the web page's /export/<table>.csv: the same bytes
        }
    }
}

/// The label shown for the hub as a writer.
enum NodeIDLabel {
    static let hub = NodeID.hub
}

/// `--json` shape of one conflict with its base value.
struct ConflictDetailJSON: Encodable {
    var conflict: ConflictRecord
    var base: Value?
}

/// Erases an Encodable for heterogeneous JSON objects.
struct AnyEncodable: Encodable {
    let encodeValue: (any Encoder) throws -> Void
    init<T: Encodable>(_ v: T) { encodeValue = v.encode }
    func encode(to encoder: any Encoder) throws { try encodeValue(encoder) }
}
