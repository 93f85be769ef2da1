import HamletCLI
import HamletCore
import HamletStore

/// `hamlet hub merge ID [--keep ROW | --village V] [--field name=ROW …] [--reason R] [--date D]`: merges the two rows
/// of a duplicate conflict. Across villages the merge is also a move (`MergeMove`): the loser's records follow her to
/// the surviving village, with a 迁出 and a 迁入 event.
enum HubMergeCommand: HamletCommand {
    static let keep = OptionSpec(long: "keep", valueName: "row-id", help: CommandTree.L("保留哪条（默认先登记的）", "the row that survives (default: the older)"), valueNameZH: "编号")
    static let village = OptionSpec(long: "village", valueName: "village", help: CommandTree.L("保留在哪个村的那条（两条在不同村时）", "keep the row of this village (rows in two villages)"),
                                    valueNameZH: "村")
    static let reason = OptionSpec(long: "reason", valueName: "婚迁|务工|其他", help: CommandTree.L("跨村合并时记的迁移原因", "why she moved, for a merge across villages"),
                                   defaultDescription: "婚迁", valueNameZH: "原因")
    static let date = OptionSpec(long: "date", valueName: "YYYY-MM-DD", help: CommandTree.L("跨村合并时记的迁移日期", "the move's date, for a merge across villages"),
                                 defaultDescription: "today", valueNameZH: "日期", defaultDescriptionZH: "今天")
    static let field = OptionSpec(long: "field", valueName: "name=row-id", help: CommandTree.L("某字段取哪条记录的值，可重复", "take a field from a row; repeatable"), repeatable: true, valueNameZH: "字段=编号")
    static let dryRun = OptionSpec(long: "dry-run", help: CommandTree.L("只显示两条记录和引用，不合并", "show both rows and their references; change nothing"))

    static func spec(_ schema: Schema) -> CommandSpec {
        CommandSpec(name: "merge", abstract: CommandTree.L("合并重复登记的两条记录", "merge the two rows of a duplicate conflict"),
                    discussion: CommandTree.L("两条记录在不同村（因婚两次录入）时，合并也是一次迁移：被并入一方的事件、随访、孕情、避孕和待遇记录随人转到保留的村，她当户主的户清空户主，并记一条迁出事件和一条迁入事件；撤销合并时都改回。",
                                              "When the two rows are in different villages (registered twice around a marriage), the merge is also a move: the other row's events, visits, pregnancies, contraception and benefits go to the surviving village, a household she headed there loses its head, and a move_out and a move_in event are recorded; unmerge puts it all back."),
                    arguments: [CommandTree.conflictArgument],
                    options: [keep, village, field, reason, date, dryRun, HubCommand.note, HubCommand.operatorName, CommandTree.dir, CommandTree.json],
                    examples: ["hamlet hub merge 12 --village 南赵 --reason 婚迁"])
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
        let why = try reasonOption(c)
        let t = try OperatorCommands.tableSchema(h, x.table)
        let survivor = try survivorOption(c, h, x, t)
        if !c.json { try OperatorCommands.showPair(h, x, c) }
        if c.flag(Self.dryRun) {
            Output.out(c.t("（预览，没有合并）\n", "(dry run: nothing merged)\n"))
            return
        }
        // Compare-and-set on the two rows as just shown: a row that changes meanwhile makes the merge stale.
        var shown: [String: Int64] = [:]
        for rid in [x.row] + (x.otherRow.map { [$0] } ?? []) { shown[rid] = try h.row(t, id: rid)?.hseq }
        let m = try OperatorCommands.stale(h, id, c) {
            try h.mergeDuplicate(id, keep: survivor, fieldsFrom: fields, expectedRowVersions: shown, reason: why, moveDate: c.value(Self.date),
                                 action: OperatorAction(name: OperatorCommands.operatorName(c), wallMillis: c.now, note: c.value(HubCommand.note)))
        }
        if c.json { Output.json(m) } else {
            if let move = m.move {
                let n = m.moved?.filter { $0.kind == .follow }.count ?? 0
                Output.out(c.t("跨村合并：\(n) 条记录随人从\(move.from)转到\(move.to)，已记迁出、迁入事件（\(move.date)，\(move.reason)）\n",
                               "across villages: \(n) record(s) followed her from \(move.from) to \(move.to); move_out and move_in events recorded (\(move.date), \(MoveReason(text: move.reason)?.code ?? move.reason))\n"))
            }
            Output.out(c.t("已合并：保留 \(m.survivor)，\(m.loser) 标记为并入；改了 \(m.survivorBefore.count + m.survivorBeforeEmpty.count) 个字段，改指 \(m.repointed.count) 条引用。撤销：hamlet hub unmerge \(id)\n",
                           "merged: kept \(m.survivor), \(m.loser) marked merged into it; \(m.survivorBefore.count + m.survivorBeforeEmpty.count) field(s) taken, \(m.repointed.count) reference(s) repointed. Undo: hamlet hub unmerge \(id)\n"))
        }
    }
}

extension HubMergeCommand {
    /// `--reason`, default 婚迁.
    static func reasonOption(_ c: Context) throws -> MoveReason {
        guard let text = c.value(reason) else { return .marriage }
        guard let why = MoveReason(text: text) else {
            throw CLIError(code: "invalid-reason", exit: .invalidData,
                           message: Localized(zh: "迁移原因「\(text)」不认识：请填 婚迁、务工 或 其他",
                                              en: "unknown reason \(text): use marriage (婚迁), work (务工) or other (其他)"))
        }
        return why
    }

    /// The survivor from `--keep` or `--village` (the row of that village), nil for the default.
    static func survivorOption(_ c: Context, _ h: HubStore, _ x: ConflictRecord, _ t: TableSchema) throws -> String? {
        guard let v = c.value(village) else { return c.value(keep) }
        guard c.value(keep) == nil else {
            throw CLIError(code: "usage", exit: .usage, message: Localized(zh: "--keep 和 --village 只能用一个", en: "use --keep or --village, not both"))
        }
        let pair = [x.row] + (x.otherRow.map { [$0] } ?? [])
        let inVillage = try pair.filter { try h.row(t, id: $0)?.scope(h.schema) == v }
        guard inVillage.count == 1, let one = inVillage.first else {
            let villages = try pair.compactMap { try h.row(t, id: $0)?.scope(h.schema) }.joined(separator: "、")
            throw CLIError(code: "invalid", exit: .invalidData,
                           message: Localized(zh: "这两条记录\(inVillage.isEmpty ? "都不在" : "都在")「\(v)」：两条分别在 \(villages)",
                                              en: "\(inVillage.isEmpty ? "neither" : "both") of the two rows \(inVillage.isEmpty ? "is" : "are") in \(v); they are in \(villages)"))
        }
        return one
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
            if let move = m.move {
                Output.out(c.t("随人转到\(move.to)的记录已回到\(move.from)，合并时记的迁出、迁入事件已删除\n",
                               "records that followed her to \(move.to) are back in \(move.from); the merge's move_out and move_in events are deleted\n"))
            }
            Output.out(c.t("已撤销合并：\(m.survivor) 和 \(m.loser) 都已恢复，\(m.repointed.count) 条引用已改回；冲突 #\(id) 重新待处理\n",
                           "unmerged: \(m.survivor) and \(m.loser) both restored, \(m.repointed.count) reference(s) pointed back; conflict #\(id) is open again\n"))
        }
    }
}
