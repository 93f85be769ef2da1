import HamletCLI
import HamletCore
import HamletHub
import HamletStore

/// `hamlet hub conflict ID`: one conflict side by side, and how to settle it.
enum HubConflictCommand: HamletCommand {
    static func spec(_ schema: Schema) -> CommandSpec {
        CommandSpec(name: "conflict", abstract: CommandTree.L("并排显示一个冲突", "show one conflict side by side"),
                    arguments: [CommandTree.conflictArgument], options: [CommandTree.dir, CommandTree.json])
    }

    static func run(_ c: Context) throws {
        let h = try HubCommand.open(c)
        let id = try OperatorCommands.conflictID(c)
        guard let x = try h.conflict(id) else {
            throw CLIError(code: "not-found", exit: .notFound, message: Localized(zh: "没有冲突 #\(id)", en: "no conflict #\(id)"))
        }
        if c.json { Output.json(ConflictDetailJSON(conflict: x, base: x.field.flatMap { try? h.value(table: x.table, row: x.row, field: $0, at: x.base) ?? nil })); return }
        Output.out("#\(x.id) \(OperatorCommands.kindLabel(x.kind, c)) · \(c.chinese ? h.schema.table(named: x.table)?.label.zh ?? x.table : x.table) \(x.row) · \(x.village) · \(x.status == "open" ? c.t("待处理", "open") : c.t("已处理", "resolved"))\n")
        Output.out(c.t("原因：", "reason: ") + ConflictWording.reason(x.reason, chinese: c.chinese, schema: h.schema) + "\n\n")
        let z = OperatorCommands.zone(h)
        switch x.kind {
        case .field:
            let field = x.field ?? ""
            let base = (try? h.value(table: x.table, row: x.row, field: field, at: x.base)) ?? nil
            let t = try OperatorCommands.tableSchema(h, x.table)
            let f = t.field(field)
            let current = try h.row(t, id: x.row)
            var table = Table(columns: [Table.Column(header: c.t("字段", "field")), Table.Column(header: c.t("原值", "base"), maxCells: 24),
                                    Table.Column(header: c.t("村节点的值", "village value"), maxCells: 24),
                                    Table.Column(header: c.t("镇中心的值", "hub value"), maxCells: 24)])
            table.rows = [[c.chinese ? OperatorCommands.fieldName(h, x, c) : field, base.map { Wording.value($0, f, c) } ?? "-", OperatorCommands.shown(x.incoming, f, c),
                           OperatorCommands.shown(x.hubValue, f, c)]]
            Output.out(table.render(maxWidth: max(c.width, 80)))
            // Who wrote each side, from which node and when: whole, never cut.
            Output.out(KeyValueList(pairs: [
                (c.t("原值版本", "base version"), x.base > 0 ? Wording.version(x.base, c) : "-"),
                (c.t("村节点的值", "village value"),
                 [x.incomingAuthor ?? "?", x.incomingNode.map { Wording.writer($0, c) } ?? "?",
                  c.time(x.incomingHLC.flatMap { HLC($0)?.wall }, zone: z)].joined(separator: c.t("，", ", "))),
                (c.t("镇中心的值", "hub value"), OperatorCommands.describe(x.hubVersion, h, c)),
            ]).render(maxWidth: max(c.width, 80)))
            Output.out(c.t("暂时采用：", "provisional winner: ") + (x.incomingWon ? c.t("村节点的值", "village value") : c.t("镇中心的值", "hub value")) + "\n")
            if let cur = current {
                Output.out(c.t("当前值：", "current value: ") + Wording.value(cur.values[field], f, c) + c.t("（版本 ", " (version ") + String(cur.versions[field]?.hseq ?? 0) + c.t("）\n", ")\n"))
            }
            try OperatorCommands.showCompeting(h, x, current: current, c)
            if x.status == "open" {
                Output.out(c.t("\n处理：hamlet hub resolve \(x.id) --take 村节点|镇中心 或 --value \(OperatorCommands.fieldName(h, x, c))=…\n",
                               "\nresolve: hamlet hub resolve \(x.id) --take village|hub or --value \(field)=…\n"))
            }
        case .delete:
            try OperatorCommands.showRow(h, x.table, x.row, c)
            if x.status == "open" {
                Output.out(c.t("\n处理：hamlet hub resolve \(x.id) --keep 或 --delete\n", "\nresolve: hamlet hub resolve \(x.id) --keep or --delete\n"))
            }
        case .duplicate:
            try OperatorCommands.showPair(h, x, c)
            if x.status == "open" {
                Output.out(c.t("\n合并：hamlet hub merge \(x.id) [--keep <编号>] [--field 字段=<编号> …]\n",
                               "\nmerge: hamlet hub merge \(x.id) [--keep <row-id>] [--field name=<row-id> …]\n"))
                Output.out(c.t("不是同一人：hamlet hub dismiss \(x.id) --note \"理由\"\n", "not the same person: hamlet hub dismiss \(x.id) --note \"why\"\n"))
            }
        }
        if x.status != "open" { Output.out(OperatorCommands.resolvedLine(x, c, zone: z)) }
    }
}
