import HamletCLI
import HamletCore
import HamletStore

/// `hamlet show TABLE ID`: every field of a row, its hub version, pending edits, and how the hub settled its conflicts.
enum ShowCommand: HamletCommand {
    static func spec(_ schema: Schema) -> CommandSpec {
        CommandSpec(name: "show", abstract: CommandTree.L("显示一条记录的每个字段、镇中心版本和待上传的修改", "show every field of a row, its hub version and pending edits"),
                    arguments: [CommandTree.tableArgument(schema), CommandTree.idArgument],
                    options: [CommandTree.codes, CommandTree.dir, CommandTree.json])
    }

    static func run(_ c: Context) throws {
        let r = try ReplicaCommands.open(c)
        let t = try r.table(c.tableName(try c.tableArgument(), r.schema))
        let d: RowDetail
        do {
            d = try r.detail(table: t.name, id: try ReplicaCommands.rowID(c, r, t))
        } catch let e as CLIError where e.code == "not-found" && t.name == "people" {
            // Someone this village moved out: her trace, not a not-found (issue 15).
            if try MoveText.showMovedOut(c, r, try c.argument(CommandTree.idArgument)) { return }
            throw e
        } catch let e as ReplicaError where e.code == .notFound && t.name == "people" {
            if try MoveText.showMovedOut(c, r, try c.argument(CommandTree.idArgument)) { return }
            throw e
        }
        // 孩次 is derived from the mother's children here, never stored.
        let family = t.name == "people" ? try ReplicaCommands.Family(r, person: d.id, values: d.values) : nil
        if c.json {
            Output.json(ShowJSON(table: t.name, id: d.id, values: d.values, versions: d.versions,
                                 pending: d.outstanding.map(ChangeJSON.init), rejected: d.rejected.map(ChangeJSON.init),
                                 conflicted: try OutcomeText.conflictedJSON(r, table: t.name, id: d.id),
                                 birthOrder: family?.own.map { BirthOrderJSON($0, of: family?.siblings) },
                                 children: family?.children?.map { BirthOrderJSON($0.order, values: $0.values) }))
            return
        }
        let display = try ReplicaCommands.Display(c, r, t, fields: t.fields.map(\.name), rows: [d.values])
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
        if t.name == "people" { try MoveText.showAwaiting(c, r, person: d.id) }
        if let family { ReplicaCommands.printFamily(family, c, r, t, motherLabel: display.text(d.values["mother"], t.field("mother"))) }
        if !d.outstanding.isEmpty {
            Output.out(c.t("\n未被镇中心收录的修改：\n", "\nLocal changes not yet taken in by the hub:\n"))
            for ch in d.outstanding {
                let op = Wording.op(ch.change.op, creates: d.versions.isEmpty && ch.change.seq == d.outstanding.first?.change.seq, c)
                Output.out("  #\(ch.change.seq) \(ReplicaCommands.state(ch.state, c)) \(op) \(Wording.fields(ch.change.values.keys, t, c))\n")
            }
        }
        if !d.rejected.isEmpty {
            Output.out(c.t("\n被退回的修改：\n", "\nRejected changes:\n"))
            for ch in d.rejected { Output.out("  #\(ch.change.seq) \(Wording.rejection(code: ch.code ?? "", message: ch.message, schema: r.schema, c))\n") }
        }
        try OutcomeText.showSection(r, table: t.name, id: d.id, c)
    }
}
