import HamletCLI
import HamletCore
import HamletStore

/// `hamlet hub history TABLE ID`: every value ever written to a row, and its conflicts.
enum HubHistoryCommand: HamletCommand {
    static func spec(_ schema: Schema) -> CommandSpec {
        CommandSpec(name: "history", abstract: CommandTree.L("一条记录的全部修改记录", "every value ever written to a row"),
                    arguments: [CommandTree.tableArgument(schema), CommandTree.idArgument], options: [CommandTree.dir, CommandTree.json])
    }

    static func run(_ c: Context) throws {
        let h = try HubCommand.open(c)
        let t = try OperatorCommands.tableSchema(h, c.tableName(try c.tableArgument(), h.schema))
        let id = try c.argument(CommandTree.idArgument)
        let entries = try h.history(table: t.name, id: id)
        let conflicts = try h.conflicts(status: nil).filter { $0.table == t.name && ($0.row == id || $0.otherRow == id) }
        if c.json { Output.json(["entries": AnyEncodable(entries), "conflicts": AnyEncodable(conflicts)]); return }
        guard !entries.isEmpty else {
            throw CLIError(code: "not-found", exit: .notFound, message: Localized(zh: "镇中心没有这条记录", en: "the hub holds no such row"))
        }
        let z = OperatorCommands.zone(h)
        var table = Table(columns: [Table.Column(header: c.t("版本", "hseq"), alignment: .right), Table.Column(header: c.t("时间", "when")),
                                    Table.Column(header: c.t("节点", "node")), Table.Column(header: c.t("修改人", "who")),
                                    Table.Column(header: c.t("操作", "op")), Table.Column(header: c.t("写入的值", "values written"), maxCells: 60)])
        table.rows = entries.map { e in
            [String(e.hseq), c.time(HLC(e.hlc)?.wall, zone: z), Wording.writer(e.node, c), e.author, Wording.hubOp(e.op, c),
             Wording.assignments(e.values, t, c) + (e.note.map { c.t("（\($0)）", " (\($0))") } ?? "")]
        }
        Output.out(table.render(maxWidth: max(c.width, 80)))
        if !conflicts.isEmpty {
            Output.out(c.t("\n相关冲突：", "\nconflicts: ") + conflicts.map { "#\($0.id) \(OperatorCommands.kindLabel($0.kind, c)) \(OperatorCommands.statusText($0, c))" }
                .joined(separator: c.t("；", ", ")) + "\n")
        }
    }
}
