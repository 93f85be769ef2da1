import HamletCLI
import HamletCore
import HamletStore

/// `hamlet hub dismiss --all-matching [--village V] [--search T] --note … [--dry-run]`: every open duplicate the filters
/// select (`hub conflicts`'s) closed as not the same person, each on its own (its own transaction and its own record
/// with the note); one closed meanwhile, by a merge or a sync, is skipped and counted.
extension HubDismissCommand {
    static let allMatching = OptionSpec(long: "all-matching", help: CommandTree.L("关闭所有符合条件的重复登记，每个单独处理、单独记录", "every open duplicate the filters select, each closed and recorded on its own"))
    static let dryRun = OptionSpec(long: "dry-run", help: CommandTree.L("只列出会关闭哪些重复登记，不做修改", "list what would be closed; change nothing"))

    static func runBulk(_ c: Context) throws {
        guard c.invocation.argument(HubResolveCommand.conflictArgument) == nil else {
            throw CLIError(code: "usage", exit: .usage, message: Localized(zh: "--all-matching 不要再写冲突编号", en: "--all-matching takes no conflict id"))
        }
        let note = try requiredNote(c, example: "hamlet hub dismiss --all-matching --village 北赵")
        let h = try HubCommand.open(c)
        let query = ConflictQuery(village: c.value(HubConflictsCommand.village), kind: .duplicate,
                                  search: c.value(HubConflictsCommand.search).flatMap(RecordSearch.init))
        let list = try h.bulkDuplicateSelection(query)
        let dry = c.flag(Self.dryRun)
        let outcomes = dry ? list.map { BulkOutcome(conflict: $0) }
            : try h.dismissDuplicates(list, action: OperatorAction(name: OperatorCommands.operatorName(c), wallMillis: c.now, note: note))
        let dismissed = outcomes.filter { $0.refusal == nil }.count
        if c.json {
            Output.json(BulkDismissJSON(dryRun: dry, dismissed: dry ? 0 : dismissed, skipped: outcomes.count - dismissed,
                                        items: outcomes.map { BulkDismissJSON.Item(conflict: $0.conflict.id, skipped: $0.refusal?.code.rawValue) }))
            return
        }
        var t = Table(columns: [Table.Column(header: "#", alignment: .right), Table.Column(header: c.t("村", "village")),
                                Table.Column(header: c.t("记录", "rows")), Table.Column(header: c.t("字段", "field")),
                                Table.Column(header: c.t("结果", "result"))])
        t.rows = outcomes.map { o in
            let x = o.conflict
            let result = dry ? c.t("将关闭", "would close") : o.refusal == nil ? c.t("已关闭", "closed") : c.t("已被处理，跳过", "closed meanwhile, skipped")
            return [String(x.id), x.village, [x.otherRow, x.row].compactMap { $0?.suffix(12) }.joined(separator: " · "),
                    OperatorCommands.fieldName(h, x, c), result]
        }
        if !outcomes.isEmpty { Output.out(t.render(maxWidth: max(c.width, 60))) }
        if dry {
            Output.out(c.t("将关闭 \(outcomes.count) 个重复登记（判定为不是同一人，两条记录都保留）；去掉 --dry-run 才会执行\n",
                           "would close \(outcomes.count) duplicate(s) as not the same person (both rows stay); run without --dry-run to do it\n"))
            return
        }
        Output.out(c.t("已关闭 \(dismissed) 个重复登记，每个单独记录；共选中 \(outcomes.count) 个，\(outcomes.count - dismissed) 个在此期间已被处理，跳过\n",
                       "closed \(dismissed) of \(outcomes.count) duplicate(s), each recorded on its own; \(outcomes.count - dismissed) closed meanwhile were skipped\n"))
        Output.out(c.t("理由：", "note: ") + note + "\n")
    }

    /// The `--note`, trimmed; a usage error (with an example) when it is missing or blank.
    static func requiredNote(_ c: Context, example: String) throws -> String {
        let note = (c.value(Self.note) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard note.isEmpty else { return note }
        throw CLIError(code: "usage", exit: .usage,
                       message: Localized(zh: "缺少 --note：请写明为什么不是同一人（理由留在冲突记录里，村里以后能看到）",
                                          en: "--note is required: say why they are not the same person (kept with the conflict for clerks to read)"),
                       hint: Localized(zh: "例如 \(example) --note \"身份证号录错，已按户口本核实是两个人\"",
                                       en: "e.g. \(example) --note \"ID typed wrong; the household book shows two people\""))
    }
}

/// `--json` shape of `hub dismiss --all-matching`.
struct BulkDismissJSON: Encodable {
    struct Item: Encodable {
        var conflict: Int64
        /// `already-resolved` when it was closed meanwhile; absent when dismissed (or, in a dry run, to be dismissed).
        var skipped: String?
    }
    var dryRun: Bool
    var dismissed: Int
    var skipped: Int
    var items: [Item]
    enum CodingKeys: String, CodingKey {
        case dismissed, skipped, items
        case dryRun = "dry_run"
    }
}
