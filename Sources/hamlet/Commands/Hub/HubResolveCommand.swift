import Foundation
import HamletCLI
import HamletCore
import HamletStore

/// `hamlet hub resolve ID --take village|hub | --value field=value | --keep | --delete`: settles a field or delete conflict;
/// `hamlet hub resolve --all-matching [filters] --take village|hub [--dry-run]` takes one side for many (`+Bulk`).
enum HubResolveCommand: HamletCommand {
    static let take = OptionSpec(long: "take", valueName: "village|hub", help: CommandTree.L("采用村节点的值或镇中心的值", "take the village's value or the hub's"), valueNameZH: "村节点|镇中心")
    static let value = OptionSpec(long: "value", valueName: "field=value", help: CommandTree.L("填一个新值", "set a new value"), valueNameZH: "字段=值")
    static let keep = OptionSpec(long: "keep", help: CommandTree.L("删除冲突：保留记录", "delete conflict: keep the row"))
    static let delete = OptionSpec(long: "delete", help: CommandTree.L("删除冲突：删除记录", "delete conflict: delete the row"))
    static let expectVersion = OptionSpec(long: "expect-version", valueName: "hseq", help: CommandTree.L("只有字段（删除冲突：记录）版本仍是这个时才处理；默认是冲突显示的版本", "refuse if the field (delete conflict: the row) moved past this version; default: the version the conflict shows"), valueNameZH: "版本")

    static func spec(_ schema: Schema) -> CommandSpec {
        CommandSpec(name: "resolve", abstract: CommandTree.L("处理字段冲突或删除冲突", "settle a field or delete conflict"),
                    arguments: [conflictArgument],
                    options: [take, value, keep, delete, expectVersion, allMatching, field, HubConflictsCommand.village,
                              HubConflictsCommand.search, dryRun, HubCommand.note, HubCommand.operatorName, CommandTree.dir, CommandTree.json],
                    examples: ["hamlet hub resolve 12 --take 村节点", "hamlet hub resolve --all-matching --field 电话 --village 北赵 --take 镇中心 --dry-run"])
    }

    static func run(_ c: Context) throws {
        let h = try HubCommand.open(c)
        if c.flag(Self.allMatching) { return try runBulk(c, h) }
        let id = try OperatorCommands.conflictID(c)
        let action = OperatorAction(name: OperatorCommands.operatorName(c), wallMillis: c.now, note: c.value(HubCommand.note))
        let expected = c.value(Self.expectVersion).flatMap { Int64($0) }
        let hseq: Int64
        if c.flag(Self.keep) || c.flag(Self.delete) {
            guard c.flag(Self.keep) != c.flag(Self.delete) else {
                throw CLIError(code: "usage", exit: .usage, message: Localized(zh: "--keep 和 --delete 只能选一个", en: "choose one of --keep and --delete"))
            }
            hseq = try OperatorCommands.stale(h, id, c) { try h.resolveDelete(id, keep: c.flag(Self.keep), expectedRowVersion: expected, action: action) }
        } else if let take = c.value(Self.take) {
            // The operator may type the side in Chinese: 村节点 (村) or 镇中心 (镇).
            let choice = try side(take)
            hseq = try OperatorCommands.stale(h, id, c) { try h.resolveField(id, choice: choice, expectedVersion: expected, action: action) }
        } else if let v = c.value(Self.value) {
            guard let eq = v.firstIndex(of: "="), let x = try h.conflict(id) else {
                throw CLIError(code: "usage", exit: .usage, message: Localized(zh: "--value 的格式是 字段=值", en: "--value takes field=value"))
            }
            let typed = String(v[..<eq])
            let t = try OperatorCommands.tableSchema(h, x.table)
            let name = t.fields.first { $0.label.zh == typed }?.name ?? typed.replacingOccurrences(of: "-", with: "_")
            guard name == x.field, let f = t.field(name) else {
                throw CLIError(code: "usage", exit: .usage, message: Localized(zh: "这个冲突的字段是\(OperatorCommands.fieldName(h, x, c))，请写 --value \(OperatorCommands.fieldName(h, x, c))=新值",
                                                                               en: "this conflict is about field \(x.field ?? "-")"))
            }
            let value = try Validator().parse(String(v[v.index(after: eq)...]), for: f, table: x.table)
            hseq = try OperatorCommands.stale(h, id, c) { try h.resolveField(id, choice: .value(value), expectedVersion: expected, action: action) }
        } else {
            throw CLIError(code: "usage", exit: .usage, message: Localized(zh: "请给出 --take 村节点|镇中心、--value 字段=值、--keep 或 --delete", en: "give --take village|hub, --value field=value, --keep or --delete"))
        }
        if c.json { Output.json(["conflict": id, "hseq": hseq]) } else {
            Output.out(c.t("冲突 #\(id) 已处理（镇中心版本 \(hseq)，各村节点下次同步时收到）\n",
                           "conflict #\(id) resolved (hub change hseq \(hseq); nodes get it on their next sync)\n"))
        }
    }

    /// The side `--take` names; the operator may type it in Chinese: 村节点 (村) or 镇中心 (镇); `incoming` is the village's.
    static func side(_ take: String) throws -> FieldChoice {
        if ["village", "incoming", "村节点", "村"].contains(take) { return .village }
        if ["hub", "镇中心", "镇"].contains(take) { return .hub }
        throw CLIError(code: "usage", exit: .usage, message: Localized(zh: "--take 只能是 村节点 或 镇中心", en: "--take is village or hub"))
    }
}
