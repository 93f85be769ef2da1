import HamletCLI
import HamletCore
import HamletStore

/// `hamlet hub merge ID [--keep ROW] [--field name=ROW …]`: merges the two rows of a duplicate conflict.
enum HubMergeCommand: HamletCommand {
    static let keep = OptionSpec(long: "keep", valueName: "row-id", help: CommandTree.L("保留哪条（默认先登记的）", "the row that survives (default: the older)"), valueNameZH: "编号")
    static let field = OptionSpec(long: "field", valueName: "name=row-id", help: CommandTree.L("某字段取哪条记录的值，可重复", "take a field from a row; repeatable"), repeatable: true, valueNameZH: "字段=编号")
    static let dryRun = OptionSpec(long: "dry-run", help: CommandTree.L("只显示两条记录和引用，不合并", "show both rows and their references; change nothing"))

    static func spec(_ schema: Schema) -> CommandSpec {
        CommandSpec(name: "merge", abstract: CommandTree.L("合并重复登记的两条记录", "merge the two rows of a duplicate conflict"),
                    arguments: [CommandTree.conflictArgument],
                    options: [keep, field, dryRun, HubCommand.note, HubCommand.operatorName, CommandTree.dir, CommandTree.json])
    }

    static func run(_ c: Context) throws {
        let h = try HubCommand.open(c)
        let id = try OperatorCommands.conflictID(c)
        guard let x = try h.conflict(id), x.kind == .duplicate else {
            throw CLIError(code: "wrong-kind", exit: .invalidData, message: Localized(zh: "#\(id) 不是重复登记冲突", en: "#\(id) is not a duplicate conflict"))
        }
        var fields: [String: String] = [:]
        for f in c.values(Self.field) {
            guard let eq = f.firstIndex(of: "=") else {
                throw CLIError(code: "usage", exit: .usage, message: Localized(zh: "--field 的格式是 字段=<编号>", en: "--field takes name=<row-id>"))
            }
            let typed = String(f[..<eq])
            let name = h.schema.table(named: x.table)?.fields.first { $0.label.zh == typed }?.name ?? typed.replacingOccurrences(of: "-", with: "_")
            fields[name] = String(f[f.index(after: eq)...])
        }
        if !c.json { try OperatorCommands.showPair(h, x, c) }
        if c.flag(Self.dryRun) {
            Output.out(c.t("（预览，没有合并）\n", "(dry run: nothing merged)\n"))
            return
        }
        // Compare-and-set on the two rows as just shown: a row that changes meanwhile makes the merge stale.
        let t = try OperatorCommands.tableSchema(h, x.table)
        var shown: [String: Int64] = [:]
        for rid in [x.row] + (x.otherRow.map { [$0] } ?? []) { shown[rid] = try h.row(t, id: rid)?.hseq }
        let m = try OperatorCommands.stale(h, id, c) {
            try h.mergeDuplicate(id, keep: c.value(Self.keep), fieldsFrom: fields, expectedRowVersions: shown,
                                 action: OperatorAction(name: OperatorCommands.operatorName(c), wallMillis: c.now, note: c.value(HubCommand.note)))
        }
        if c.json { Output.json(m) } else {
            Output.out(c.t("已合并：保留 \(m.survivor)，\(m.loser) 标记为并入；改了 \(m.survivorBefore.count + m.survivorBeforeEmpty.count) 个字段，改指 \(m.repointed.count) 条引用。撤销：hamlet hub unmerge \(id)\n",
                           "merged: kept \(m.survivor), \(m.loser) marked merged into it; \(m.survivorBefore.count + m.survivorBeforeEmpty.count) field(s) taken, \(m.repointed.count) reference(s) repointed. Undo: hamlet hub unmerge \(id)\n"))
        }
    }
}

/// `hamlet hub unmerge ID`: undoes a duplicate merge; both rows come back and references are restored.
enum HubUnmergeCommand: HamletCommand {
    static func spec(_ schema: Schema) -> CommandSpec {
        CommandSpec(name: "unmerge", abstract: CommandTree.L("撤销合并：两条记录和引用都恢复", "undo a duplicate merge: both rows back, references restored"),
                    arguments: [CommandTree.conflictArgument], options: [HubCommand.note, HubCommand.operatorName, CommandTree.dir, CommandTree.json])
    }

    static func run(_ c: Context) throws {
        let h = try HubCommand.open(c)
        let id = try OperatorCommands.conflictID(c)
        let m = try OperatorCommands.stale(h, id, c) { try h.unmerge(id, action: OperatorAction(name: OperatorCommands.operatorName(c), wallMillis: c.now, note: c.value(HubCommand.note))) }
        if c.json { Output.json(m) } else {
            Output.out(c.t("已撤销合并：\(m.survivor) 和 \(m.loser) 都已恢复，\(m.repointed.count) 条引用已改回；冲突 #\(id) 重新待处理\n",
                           "unmerged: \(m.survivor) and \(m.loser) both restored, \(m.repointed.count) reference(s) pointed back; conflict #\(id) is open again\n"))
        }
    }
}
