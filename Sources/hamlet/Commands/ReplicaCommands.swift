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

    /// Turns `--field value` options into typed values for a table.
    static func values(_ c: Context, _ t: TableSchema) throws -> Fields {
        let v = Validator()
        var out: Fields = [:]
        for f in t.fields {
            guard let raw = c.invocation.value(f.flagName) else { continue }
            out[f.name] = try v.parse(raw, for: f, table: t.name)
        }
        return out
    }

    static func add(_ c: Context, table: String) throws {
        let r = try open(c)
        let t = try r.table(table)
        let vals = try values(c, t)
        var rng = SystemRandomNumberGenerator()
        let w = try r.insert(table: t.name, values: vals, author: c.author, wallMillis: c.now, rng: &rng)
        if c.json { Output.json(["id": w.id, "seq": String(w.seq), "table": t.name]) } else { Output.out(w.id + "\n") }
    }

    static func edit(_ c: Context, table: String) throws {
        let r = try open(c)
        let t = try r.table(table)
        let id = try c.argument("id")
        let vals = try values(c, t)
        guard !vals.isEmpty else {
            throw CLIError(code: "usage", exit: .usage, message: Localized(zh: "请至少给出一个要修改的字段，例如 --phone", en: "give at least one field to change, e.g. --phone"))
        }
        let w = try r.update(table: t.name, id: id, values: vals, author: c.author, wallMillis: c.now)
        if c.json { Output.json(["id": w.id, "seq": String(w.seq)]) } else {
            Output.out(c.t("已修改 \(t.label.zh) \(id)（修改 #\(w.seq) 待上传）\n", "updated \(t.singular) \(id) (change #\(w.seq) pending)\n"))
        }
    }

    static func delete(_ c: Context) throws {
        let r = try open(c)
        let t = try r.table(try c.argument("table"))
        let id = try c.argument("id")
        let w = try r.delete(table: t.name, id: id, author: c.author, wallMillis: c.now)
        if c.json { Output.json(["id": w.id, "seq": String(w.seq)]) } else {
            Output.out(c.t("已删除 \(t.label.zh) \(id)（修改 #\(w.seq) 待上传）\n", "deleted \(t.singular) \(id) (change #\(w.seq) pending)\n"))
        }
    }

    static func list(_ c: Context) throws {
        let r = try open(c)
        let t = try r.table(try c.argument("table"))
        var filters: [(String, Value)] = []
        for w in c.invocation.values("where") {
            guard let eq = w.firstIndex(of: "=") else {
                throw CLIError(code: "usage", exit: .usage, message: Localized(zh: "--where 的格式是 字段=值", en: "--where takes field=value"))
            }
            let name = String(w[..<eq]).replacingOccurrences(of: "-", with: "_")
            let raw = String(w[w.index(after: eq)...])
            if name == "id" {
                filters.append(("id", .text(raw)))
                continue
            }
            guard let f = t.field(name) else { throw ReplicaError(.unknownField, "\(t.name) has no field \(name)") }
            filters.append((name, try Validator().parse(raw, for: f, table: t.name)))
        }
        let limit = Int(c.invocation.value("limit") ?? "") ?? 1000
        let rows = try r.list(table: t.name, filters: filters, limit: limit)
        if c.json {
            Output.json(rows.map { RowJSON(id: $0.0, values: $0.1) })
            return
        }
        let fields = c.invocation.flag("all") ? t.fields.map(\.name) : (t.display ?? t.fields.map(\.name).filter { $0 != "village" })
        var table = Table(columns: [Table.Column(header: c.t("编号", "id"))] + fields.map {
            Table.Column(header: c.chinese ? (t.field($0)?.label.zh ?? $0) : $0, maxCells: 24)
        })
        table.rows = rows.map { row in [row.0] + fields.map { row.1[$0]?.description ?? "" } }
        // Ids stay whole (the clerk copies them into edit/show); other columns are cut at 24 cells.
        Output.out(table.render())
        Output.out(c.t("共 \(rows.count) 条\n", "\(rows.count) row(s)\n"))
    }

    static func show(_ c: Context) throws {
        let r = try open(c)
        let t = try r.table(try c.argument("table"))
        let d = try r.detail(table: t.name, id: try c.argument("id"))
        if c.json {
            Output.json(ShowJSON(table: t.name, id: d.id, values: d.values, versions: d.versions,
                                 pending: d.outstanding.map(ChangeJSON.init), rejected: d.rejected.map(ChangeJSON.init)))
            return
        }
        let pendingFields = Set(d.outstanding.flatMap { $0.change.values.keys })
        var table = Table(columns: [Table.Column(header: c.t("字段", "field")), Table.Column(header: c.t("值", "value"), maxCells: 40),
                                    Table.Column(header: c.t("镇中心版本", "hub version"), alignment: .right),
                                    Table.Column(header: c.t("状态", "state"))])
        table.rows.append([c.t("编号", "id"), d.id, "", ""])
        for f in t.fields {
            let label = c.chinese ? "\(f.label.zh) \(f.name)" : f.name
            let version = d.versions[f.name].map(String.init) ?? "-"
            table.rows.append([label, d.values[f.name]?.description ?? "", version,
                               pendingFields.contains(f.name) ? c.t("待上传", "pending") : ""])
        }
        Output.out(table.render(maxWidth: max(c.width, 60)))
        if !d.outstanding.isEmpty {
            Output.out(c.t("\n未被镇中心收录的修改：\n", "\nLocal changes not yet taken in by the hub:\n"))
            for ch in d.outstanding { Output.out("  #\(ch.change.seq) \(state(ch.state, c)) \(ch.change.op.rawValue) \(ch.change.values.keys.sorted().joined(separator: ","))\n") }
        }
        if !d.rejected.isEmpty {
            Output.out(c.t("\n被退回的修改：\n", "\nRejected changes:\n"))
            for ch in d.rejected { Output.out("  #\(ch.change.seq) [\(ch.code ?? "")] \(ch.message ?? "")\n") }
        }
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
            (c.t("节点", "node"), "\(s.node) (\(s.village))"),
            (c.t("镇中心", "hub"), s.hub ?? c.t("未设置", "not set")),
            (c.t("待上传", "pending"), String(s.pending)),
            (c.t("已接收", "accepted"), String(s.accepted)),
            (c.t("有冲突", "conflicted"), String(s.conflicted)),
            (c.t("已退回", "rejected"), String(s.rejected)),
            (c.t("最近同步", "last sync"), s.lastSyncAt.map { c.time($0) } ?? c.t("从未", "never")),
            (c.t("同步结果", "last result"), s.lastSyncResult ?? "-"),
            (c.t("数据核对", "verify"), s.verify ?? "-"),
            (c.t("下载进度", "cursor"), String(s.cursor)),
            (c.t("记录数", "rows"), s.rows.keys.sorted().map { "\($0) \(s.rows[$0] ?? 0)" }.joined(separator: ", ")),
        ])
        Output.out(list.render(maxWidth: c.width))
        if s.rejected > 0 {
            Output.out(c.t("提示：有被退回的修改，运行 hamlet log 查看原因。\n", "hint: some changes were rejected; see hamlet log for why.\n"))
        }
    }

    static func log(_ c: Context) throws {
        let r = try open(c)
        let entries = try r.log(pendingOnly: c.invocation.flag("pending"))
        if c.json { Output.json(entries.map(ChangeJSON.init)); return }
        var table = Table(columns: [Table.Column(header: "seq", alignment: .right), Table.Column(header: c.t("状态", "state")),
                                    Table.Column(header: c.t("操作", "op")), Table.Column(header: c.t("表", "table")),
                                    Table.Column(header: c.t("记录", "row")), Table.Column(header: c.t("字段", "fields"), maxCells: 30),
                                    Table.Column(header: c.t("时间", "when")), Table.Column(header: c.t("修改人", "author")),
                                    Table.Column(header: c.t("原因", "reason"), maxCells: 40)])
        table.rows = entries.map { e in
            [String(e.change.seq), state(e.state, c), e.change.op.rawValue, e.change.table, String(e.change.row.suffix(12)),
             e.change.values.keys.sorted().joined(separator: ","), c.time(e.madeAt), e.change.author,
             e.code.map { "[\($0)] \(e.message ?? "")" } ?? (e.conflicts.isEmpty ? "" : c.t("冲突 #", "conflict #") + e.conflicts.map(String.init).joined(separator: ","))]
        }
        Output.out(table.render(maxWidth: max(c.width, 60)))
    }
}

/// `--json` shape of a row.
struct RowJSON: Encodable {
    var id: String
    var values: Fields
}

/// `--json` shape of `show`.
struct ShowJSON: Encodable {
    var table: String
    var id: String
    var values: Fields
    var versions: [String: Int64]
    var pending: [ChangeJSON]
    var rejected: [ChangeJSON]
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

    init(_ r: ChangeRecord) {
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
    }

    enum CodingKeys: String, CodingKey {
        case seq, state, op, table, row, values, bases, hlc, author, hseq, code, message, conflicts
        case madeAt = "made_at"
    }
}
