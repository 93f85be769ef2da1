import HamletCLI
import HamletCore
import HamletStore

/// `hamlet hub edit TABLE ID --FIELD VALUE …`: the operator's direct correction of a value that is wrong but not in
/// conflict. The flags and their parsing are the node's `hamlet edit` (the same `--birth-date` style names, Chinese enum
/// aliases, an empty value clears a field); the write is `HubStore.operatorEdit`, compare-and-set on the row version
/// the operator confirms (`--expect-version`, default the row as read now), validated like any change and recorded as
/// an ordinary hub change by the operator, so every node receives it on its next sync.
enum HubEditCommand: HamletCommand {
    static let expectVersion = OptionSpec(long: "expect-version", valueName: "hseq", help: CommandTree.L("只有记录版本仍是这个时才修改（版本见 hamlet hub history）；默认是现在的记录", "refuse if the row moved past this version (see hamlet hub history); default: the row as it is now"), valueNameZH: "版本")
    static let note = OptionSpec(long: "note", valueName: "text", help: CommandTree.L("更正说明（记入修改记录）", "why: a note kept in the history"), valueNameZH: "说明")

    static func spec(_ schema: Schema) -> CommandSpec {
        CommandSpec(name: "edit", abstract: CommandTree.L("直接更正一条记录的字段（记为管理员的修改，下次同步时发到各村）", "correct fields of a row directly (recorded as the operator's change; nodes get it on their next sync)"),
                    subcommands: CommandTree.perTable(schema) { t, name in
                        CommandSpec(name: name, abstract: CommandTree.L("更正\(t.label.zh)（传空值清除字段）", "correct a \(t.label.en) (an empty value clears a field)"),
                                    arguments: [CommandTree.idArgument],
                                    options: CommandTree.fieldOptions(t, includeVillage: true)
                                        + [expectVersion, note, HubCommand.operatorName, CommandTree.dir, CommandTree.json])
                    },
                    examples: ["hamlet hub edit person 01a20823-0000-7e39-92de-a1f1e19489a0 --birth-date 1990-03-02 --note \"按户口本更正\"",
                               "hamlet hub edit household 01a20823-0000-7e39-92de-a1f1e19489a0 --phone \"\" --expect-version 42"])
    }

    /// `--json` shape of a correction.
    struct EditJSON: Encodable {
        var table: String
        var id: String
        var hseq: Int64
        var values: Fields
        var before: Fields
    }

    static func run(_ c: Context) throws {
        let h = try HubCommand.open(c)
        let t = try OperatorCommands.tableSchema(h, c.tableName(c.tableSubcommand, h.schema))
        let id = try c.argument(CommandTree.idArgument)
        let given = try ReplicaCommands.values(c, t)
        guard !given.isEmpty else {
            throw CLIError(code: "usage", exit: .usage,
                           message: Localized(zh: "请至少给出一个要修改的字段，例如 --phone", en: "give at least one field to change, e.g. --phone"))
        }
        var expected: Int64?
        if let raw = c.value(Self.expectVersion) {
            guard let v = Int64(raw), v >= 0 else {
                throw CLIError(code: "usage", exit: .usage,
                               message: Localized(zh: "--expect-version 是版本号（数字），例如 12", en: "--expect-version takes a version number, e.g. 12"))
            }
            expected = v
        }
        guard let row = try h.row(t, id: id) else {
            throw CLIError(code: "not-found", exit: .notFound,
                           message: Localized(zh: "镇中心没有\(t.label.zh)记录 \(id)", en: "the hub holds no \(t.singular) \(id)"),
                           hint: Localized(zh: "编号要写全；可以用 hamlet hub export \(t.label.zh) 查找", en: "give the whole id; hamlet hub export \(t.name) lists them"))
        }
        if let shown = expected, row.hseq > shown { throw stale(t, row, fields: Array(given.keys), since: shown) }
        if row.deleted {
            let zh = row.mergedInto.map { "这条记录已并入 \($0)，请修改保留的那条" } ?? "这条记录已删除，不能直接修改"
            let en = row.mergedInto.map { "the row was merged into \($0); correct the kept row" } ?? "the row is deleted; there is nothing to correct"
            throw CLIError(code: "deleted", exit: .invalidData, message: Localized(zh: zh, en: en))
        }
        // Only what differs is written: a value already held is no change (as on the node).
        let changed = given.filter { (row.values[$0.key] ?? .null) != $0.value }
        guard !changed.isEmpty else {
            throw CLIError(code: "no-change", exit: .invalidData,
                           message: Localized(zh: "没有需要修改的内容：值与现有的相同", en: "nothing to change: the values are already set"))
        }
        let action = OperatorAction(name: OperatorCommands.operatorName(c), wallMillis: c.now, note: c.value(Self.note))
        let hseq: Int64
        do {
            hseq = try h.operatorEdit(table: t.name, id: row.id, values: changed, expectedRowVersion: expected ?? row.hseq, action: action)
        } catch let e as OperatorError where e.code == .stale {
            // Changed between the read above and the write: show it as it is now.
            guard let now = try h.row(t, id: id) else { throw e }
            throw stale(t, now, fields: Array(changed.keys), since: expected ?? row.hseq)
        }
        var before: Fields = [:]
        for k in changed.keys { before[k] = row.values[k] ?? .null }
        if c.json {
            Output.json(EditJSON(table: t.name, id: row.id, hseq: hseq, values: changed, before: before))
            return
        }
        Output.out(c.t("已更正\(t.label.zh)记录 \(row.id)（镇中心版本 \(hseq)，各村节点下次同步时收到）\n",
                       "corrected \(t.singular) \(row.id) (hub change hseq \(hseq); nodes get it on their next sync)\n"))
        for f in t.fields where changed[f.name] != nil {
            Output.out("  \(label(f, c))\(c.t("：", ": "))\(shown(before[f.name], f, c)) → \(shown(changed[f.name], f, c))\n")
        }
    }

    /// The refusal of an edit on a row that moved past the version shown: the current values of the fields being
    /// edited and the version to confirm with (the operator's own terminal: values may be shown).
    static func stale(_ t: TableSchema, _ row: HubRow, fields: [String], since: Int64) -> CLIError {
        let now = t.fields.filter { fields.contains($0.name) }
        let zh = now.map { "\(label($0, .zh)) = \(shown(row.values[$0.name], $0, chinese: true))" }.joined(separator: "，")
        let en = now.map { "\(label($0, .en)) = \(shown(row.values[$0.name], $0, chinese: false))" }.joined(separator: ", ")
        let state = row.deleted ? Localized(zh: "（已删除）", en: " (deleted)") : Localized(zh: "", en: "")
        return CLIError(code: "stale", exit: .invalidData,
                        message: Localized(zh: "没有修改：这条记录在版本 \(since) 之后又改过\(state.zh)。现在 \(zh)（版本 \(row.hseq)）",
                                           en: "nothing changed: the row changed after version \(since)\(state.en). Now \(en) (version \(row.hseq))"),
                        hint: Localized(zh: "用 hamlet hub history \(t.label.zh) \(row.id) 查看谁改的；核对后如仍要修改，请加 --expect-version \(row.hseq) 再运行",
                                        en: "see who changed it with hamlet hub history \(t.name) \(row.id); if you still want this after checking, run again with --expect-version \(row.hseq)"))
    }

    /// `电话` in Chinese, `phone` in English.
    static func label(_ f: FieldSchema, _ language: Language) -> String {
        language == .zh ? f.label.zh : f.name
    }

    static func label(_ f: FieldSchema, _ c: Context) -> String { label(f, c.language) }

    /// A value as the operator reads it: `（空）` for none, an enum by its label in Chinese.
    static func shown(_ v: Value?, _ f: FieldSchema, chinese: Bool) -> String {
        guard let v, !v.isNull else { return chinese ? "（空）" : "(empty)" }
        if chinese, f.type == .enum, let text = v.text { return f.label(ofValue: text).zh }
        return v.description
    }

    static func shown(_ v: Value?, _ f: FieldSchema, _ c: Context) -> String { shown(v, f, chinese: c.chinese) }
}
