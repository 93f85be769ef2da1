import Foundation
import HamletCLI
import HamletCore
import HamletStore

/// `hamlet hub conflicts`: open conflicts (or all, with `--all`), filtered by village, kind and a search, in pages
/// (`--limit`, `--page` or the cursor `--after`), through the same store query as the operator page.
enum HubConflictsCommand: HamletCommand {
    static let village = OptionSpec(long: "village", valueName: "name", help: CommandTree.L("只看某村", "one village only"), valueNameZH: "村名")
    static let kind = OptionSpec(long: "kind", valueName: "field|delete|duplicate", help: CommandTree.L("冲突类型", "conflict kind"), valueNameZH: "字段冲突|删除冲突|重复登记")
    static let all = OptionSpec(long: "all", help: CommandTree.L("包括已处理的", "include resolved ones"))
    static let search = OptionSpec(long: "search", valueName: "text", help: CommandTree.L("按姓名、身份证号（后 4 位起）、记录编号或 #冲突号查找", "find by name, national ID (last 4+ digits), row id or #number"), valueNameZH: "文字")
    static let sort = OptionSpec(long: "sort", valueName: "age|village|kind", help: CommandTree.L("排序：按时间（先来的在前）、按村或按类型", "order: by age (oldest first), village or kind"), defaultDescription: "age", valueNameZH: "时间|村|类型", defaultDescriptionZH: "时间")
    static let limit = OptionSpec(long: "limit", valueName: "n", help: CommandTree.L("每页条数（0 表示全部）", "conflicts per page (0: every one)"), defaultDescription: "100", valueNameZH: "条数")
    static let page = OptionSpec(long: "page", valueName: "n", help: CommandTree.L("第几页（从 1 起）", "which page (from 1)"), valueNameZH: "页码")
    static let after = OptionSpec(long: "after", valueName: "id", help: CommandTree.L("从这个冲突号之后接着列（新来的冲突不会打乱分页）", "continue after this conflict (new conflicts never shift the page)"), valueNameZH: "冲突号")

    static func spec(_ schema: Schema) -> CommandSpec {
        CommandSpec(name: "conflicts", abstract: CommandTree.L("列出待处理的冲突", "list open conflicts"),
                    options: [village, kind, all, search, sort, limit, page, after, CommandTree.dir, CommandTree.json],
                    examples: ["hamlet hub conflicts --village 北赵 --sort kind", "hamlet hub conflicts --search 王秀英",
                               "hamlet hub conflicts --after 100"])
    }

    static func run(_ c: Context) throws {
        let h = try HubCommand.open(c)
        let query = try Self.query(c)
        let (position, size) = try Self.position(c)
        let page = try h.conflictPage(query, at: position, limit: size)
        let list = page.conflicts
        let cut = page.total > list.count
        if c.json {
            // An array as always; an object only when the page does not hold every conflict (README: hub conflicts --json).
            if cut {
                Output.json(PagedConflictsJSON(conflicts: list, total: page.total, shown: list.count, from: page.from, next: page.next))
            } else {
                Output.json(list)
            }
            return
        }
        var t = Table(columns: [Table.Column(header: "#", alignment: .right), Table.Column(header: c.t("类型", "kind")),
                                Table.Column(header: c.t("村", "village")), Table.Column(header: c.t("表", "table")),
                                Table.Column(header: c.t("记录", "row")), Table.Column(header: c.t("字段", "field")),
                                Table.Column(header: c.t("村节点", "node")), Table.Column(header: c.t("时间", "when")),
                                Table.Column(header: c.t("状态", "status"))])
        let z = OperatorCommands.zone(h)
        t.rows = list.map { x in
            [String(x.id), OperatorCommands.kindLabel(x.kind, c), x.village, Wording.table(x.table, h.schema, c), String(x.row.suffix(12)),
             x.field.map { Wording.field($0, h.schema.table(named: x.table), c) } ?? "",
             Wording.writer(x.incomingNode ?? NodeIDLabel.hub, c), c.time(x.incomingHLC.flatMap { HLC($0)?.wall }, zone: z),
             OperatorCommands.statusText(x, c)]
        }
        if !list.isEmpty { Output.out(t.render(maxWidth: max(c.width, 60))) }
        let counts = try h.conflictCounts(query)
        let kinds = c.t("字段 \(counts[.field] ?? 0)，删除 \(counts[.delete] ?? 0)，重复登记 \(counts[.duplicate] ?? 0)",
                        "field \(counts[.field] ?? 0), delete \(counts[.delete] ?? 0), duplicate \(counts[.duplicate] ?? 0)")
        if !cut {
            Output.out(c.t("共 \(page.total) 个：\(kinds)\n", "\(page.total) conflict(s): \(kinds)\n"))
        } else if list.isEmpty {
            Output.out(c.t("这一页没有冲突，共 \(page.total) 个：\(kinds)\n", "no conflicts on this page, \(page.total) in all: \(kinds)\n"))
        } else {
            Output.out(c.t("第 \(page.from)–\(page.to) 个，共 \(page.total) 个：\(kinds)\n",
                           "conflicts \(page.from)–\(page.to) of \(page.total): \(kinds)\n"))
        }
        if let next = page.next { Output.out(c.t("下一页：加 --after \(next)\n", "next page: add --after \(next)\n")) }
    }

    /// The filters, search and order the options ask for.
    static func query(_ c: Context) throws -> ConflictQuery {
        var kind: ConflictKind?
        if let k = c.value(Self.kind) {
            guard let kk = ConflictKind(typed: k) else {
                throw CLIError(code: "usage", exit: .usage, message: Localized(zh: "--kind 只能是 字段冲突、删除冲突 或 重复登记", en: "--kind is field, delete or duplicate"))
            }
            kind = kk
        }
        var sort = ConflictSort.age
        if let s = c.value(Self.sort) {
            let typed: [String: ConflictSort] = ["时间": .age, "村": .village, "类型": .kind]
            guard let chosen = ConflictSort(rawValue: s.trimmingSpaces().lowercased()) ?? typed[s.trimmingSpaces()] else {
                throw CLIError(code: "usage", exit: .usage, message: Localized(zh: "--sort 只能是 时间、村 或 类型，收到 \(s)", en: "--sort is age, village or kind, got \(s)"))
            }
            sort = chosen
        }
        return ConflictQuery(status: c.flag(Self.all) ? nil : "open", village: c.value(Self.village), kind: kind,
                             search: c.value(Self.search).flatMap(RecordSearch.init), sort: sort)
    }

    /// Where the page starts and how long it is, from `--page`, `--after` and `--limit`.
    static func position(_ c: Context) throws -> (ConflictPosition, Int) {
        func number(_ o: OptionSpec, _ text: String, least: Int) throws -> Int {
            guard let n = Int(text.trimmingSpaces()), n >= least else {
                throw CLIError(code: "usage", exit: .usage, message: Localized(zh: "--\(o.long) 须是不小于 \(least) 的整数，收到 \(text)",
                                                                              en: "--\(o.long) takes a whole number ≥ \(least), got \(text)"))
            }
            return n
        }
        let limit = try c.value(Self.limit).map { try number(Self.limit, $0, least: 0) } ?? 100
        let size = limit == 0 ? Int.max / 2 : limit
        switch (c.value(Self.page), c.value(Self.after)) {
        case (.some, .some):
            throw CLIError(code: "usage", exit: .usage, message: Localized(zh: "--page 和 --after 只能用一个", en: "use --page or --after, not both"))
        case (.some(let p), nil):
            let n = try number(Self.page, p, least: 1)
            let (skip, overflow) = (n - 1).multipliedReportingOverflow(by: size)
            return (n == 1 ? .first : .offset(overflow ? Int.max / 2 : skip), size)
        case (nil, .some(let a)):
            return (.after(Int64(try number(Self.after, a.trimmingCharacters(in: CharacterSet(charactersIn: "#")), least: 0))), size)
        case (nil, nil):
            return (.first, size)
        }
    }
}

/// `--json` shape of `hub conflicts` when the page does not hold every matching conflict (otherwise a plain array).
struct PagedConflictsJSON: Encodable {
    var conflicts: [ConflictRecord]
    var total: Int
    var shown: Int
    /// The 1-based position of the first conflict shown.
    var from: Int
    /// The `--after` cursor of the next page; absent on the last page.
    var next: Int64?
    var truncated = true
}
