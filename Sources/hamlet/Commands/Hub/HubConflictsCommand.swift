import HamletCLI
import HamletCore
import HamletStore

/// `hamlet hub conflicts`: open conflicts (or all, with `--all`), one village or one kind.
enum HubConflictsCommand: HamletCommand {
    static let village = OptionSpec(long: "village", valueName: "name", help: CommandTree.L("只看某村", "one village only"), valueNameZH: "村名")
    static let kind = OptionSpec(long: "kind", valueName: "field|delete|duplicate", help: CommandTree.L("冲突类型", "conflict kind"), valueNameZH: "字段冲突|删除冲突|重复登记")
    static let all = OptionSpec(long: "all", help: CommandTree.L("包括已处理的", "include resolved ones"))

    static func spec(_ schema: Schema) -> CommandSpec {
        CommandSpec(name: "conflicts", abstract: CommandTree.L("列出待处理的冲突", "list open conflicts"),
                    options: [village, kind, all, CommandTree.dir, CommandTree.json])
    }

    static func run(_ c: Context) throws {
        let h = try HubCommand.open(c)
        var kind: ConflictKind?
        if let k = c.value(Self.kind) {
            guard let kk = ConflictKind(typed: k) else {
                throw CLIError(code: "usage", exit: .usage, message: Localized(zh: "--kind 只能是 字段冲突、删除冲突 或 重复登记", en: "--kind is field, delete or duplicate"))
            }
            kind = kk
        }
        let list = try h.conflicts(status: c.flag(Self.all) ? nil : "open", village: c.value(Self.village), kind: kind)
        if c.json { Output.json(list); return }
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
        Output.out(t.render(maxWidth: max(c.width, 60)))
        let counts = Dictionary(grouping: list, by: \.kind).mapValues(\.count)
        Output.out(c.t("共 \(list.count) 个：字段 \(counts[.field] ?? 0)，删除 \(counts[.delete] ?? 0)，重复登记 \(counts[.duplicate] ?? 0)\n",
                       "\(list.count) conflict(s): field \(counts[.field] ?? 0), delete \(counts[.delete] ?? 0), duplicate \(counts[.duplicate] ?? 0)\n"))
    }
}
