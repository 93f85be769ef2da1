import Foundation
import HamletCLI
import HamletCore
import HamletStore

/// `hamlet hub dismiss ID --note …`: closes a duplicate conflict as dismissed (判定为非同一人, not the same person).
/// Both rows stay as they are and nothing is written; the pair is not raised again while neither row's shared value
/// is written again. The note is required: it is the reason a clerk reads later. `--all-matching` closes every open
/// duplicate the filters select, each on its own (`+Bulk`).
enum HubDismissCommand: HamletCommand {
    static let note = OptionSpec(long: "note", valueName: "text", help: CommandTree.L("理由：为什么不是同一人（必填）", "why they are not the same person (required)"), valueNameZH: "理由")

    static func spec(_ schema: Schema) -> CommandSpec {
        CommandSpec(name: "dismiss", abstract: CommandTree.L("重复登记核实后不是同一人：关闭冲突，两条记录都保留", "a duplicate that is not the same person: close it, both rows stay"),
                    discussion: CommandTree.L("什么也不写：两条记录都不动。只要两条记录的身份证号都没有再修改，这一对就不会再提示。理由必填，村里以后能看到。",
                                              "Nothing is written: both rows stay as they are. The pair is not raised again while neither row's ID is written again. The note is required: clerks read it later."),
                    arguments: [HubResolveCommand.conflictArgument],
                    options: [note, allMatching, HubConflictsCommand.village, HubConflictsCommand.search, dryRun,
                              HubCommand.operatorName, CommandTree.dir, CommandTree.json],
                    examples: ["hamlet hub dismiss 5 --note \"身份证号录错，已按户口本核实是两个人\"",
                               "hamlet hub dismiss --all-matching --village 北赵 --note \"已逐户核实\" --dry-run"])
    }

    static func run(_ c: Context) throws {
        if c.flag(Self.allMatching) { return try runBulk(c) }
        let id = try OperatorCommands.conflictID(c)
        let note = try requiredNote(c, example: "hamlet hub dismiss \(id)")
        let h = try HubCommand.open(c)
        guard let x = try h.conflict(id) else {
            throw CLIError(code: "not-found", exit: .notFound, message: Localized(zh: "没有冲突 #\(id)", en: "no conflict #\(id)"),
                           hint: Localized(zh: "用 hamlet hub conflicts --kind 重复登记 列出重复登记", en: "list duplicates with hamlet hub conflicts --kind duplicate"))
        }
        guard x.kind == .duplicate else {
            throw CLIError(code: "wrong-kind", exit: .invalidData,
                           message: Localized(zh: "#\(id) 是\(OperatorCommands.kindLabel(x.kind, .zh))，不是重复登记：只有重复登记才能判定为不是同一人",
                                              en: "#\(id) is a \(OperatorCommands.kindLabel(x.kind, .en)) conflict, not a duplicate: only a duplicate can be judged not the same person"),
                           hint: Localized(zh: "字段冲突和删除冲突用 hamlet hub resolve \(id) 处理", en: "settle field and delete conflicts with hamlet hub resolve \(id)"))
        }
        let name = OperatorCommands.operatorName(c)
        if x.status != "open", let refused = try OperatorCommands.alreadyResolved(h, id, c) { throw refused }
        do {
            try h.dismissDuplicate(id, action: OperatorAction(name: name, wallMillis: c.now, note: note))
        } catch let e as OperatorError where e.code == .alreadyResolved {
            throw try OperatorCommands.alreadyResolved(h, id, c) ?? e
        }
        if c.json {
            Output.json(DismissJSON(conflict: id, resolution: "dismissed", rows: [x.otherRow ?? "", x.row], field: x.field, operator: name, note: note))
            return
        }
        let field = OperatorCommands.fieldName(h, x, c)
        Output.out(c.t("冲突 #\(id) 已关闭：不是同一人。两条记录都保留，没有做任何修改；只要两条记录的\(field)都没有再修改，就不会再提示。\n",
                       "conflict #\(id) closed: not the same person. Both rows stay as they are and nothing was written; the pair is not raised again unless one of the two \(field) values is written again.\n"))
        Output.out(c.t("理由：", "note: ") + note + "\n")
    }

    /// `--json` shape of a dismissal.
    struct DismissJSON: Encodable {
        var conflict: Int64
        var resolution: String
        var rows: [String]
        var field: String?
        var `operator`: String
        var note: String
    }
}
