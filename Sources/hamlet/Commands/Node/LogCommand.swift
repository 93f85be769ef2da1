import HamletCLI
import HamletCore
import HamletStore

/// `hamlet log [--pending]`: the node's change log, and how the hub settled each conflict.
enum LogCommand: HamletCommand {
    static let pending = OptionSpec(long: "pending", help: CommandTree.L("只看待上传的", "only changes not yet accepted"))

    static func spec(_ schema: Schema) -> CommandSpec {
        CommandSpec(name: "log", abstract: CommandTree.L("本节点的修改日志，以及镇中心如何处理了每个冲突", "the node's change log, and how the hub settled each conflict"),
                    options: [pending, CommandTree.codes, CommandTree.dir, CommandTree.json])
    }

    static func run(_ c: Context) throws {
        let r = try ReplicaCommands.open(c)
        let entries = try r.log(pendingOnly: c.flag(Self.pending))
        let known = try r.knownOutcomes()
        if c.json { Output.json(entries.map { ChangeJSON($0, known: known) }); return }
        let codes = c.flag(CommandTree.codes)
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
            [String(e.change.seq), OutcomeText.state(e, known, c) ?? ReplicaCommands.state(e.state, c),
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
