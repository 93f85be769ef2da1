import HamletCLI
import HamletCore

/// What the command types share: the options and arguments many commands declare (`--dir`, `--json`, `<表名>`),
/// and the builders of the schema-driven parts, where `add`, `edit` and `hub edit` take one subcommand per table
/// (plural and singular) whose flags are the table's fields. ``CommandRegistry`` assembles the tree.
enum CommandTree {
    static func L(_ zh: String, _ en: String) -> Localized { Localized(zh: zh, en: en) }

    static let dir = OptionSpec(long: "dir", valueName: "path", help: L("数据目录（默认 $HAMLET_DIR，再默认当前目录）", "data folder (default $HAMLET_DIR, then the current directory)"), valueNameZH: "目录")
    static let json = OptionSpec(long: "json", help: L("输出一个 JSON 文档（字段和取值用英文代码，供程序读取）", "print one JSON document (format in the README)"))
    static let author = OptionSpec(long: "author", valueName: "name", help: L("记录修改人（默认系统用户名）", "who makes the change (default: the OS user)"), valueNameZH: "姓名")
    static let lang = OptionSpec(long: "lang", valueName: "zh|en", help: L("界面语言（默认按 LANG 等环境变量）", "interface language (default: from LANG and friends)"), inherited: true)

    static func fieldOptions(_ t: TableSchema, includeVillage: Bool) -> [OptionSpec] {
        t.fields.filter { includeVillage || $0.name != "village" }.map { f in
            var help = "\(f.label.zh)"
            var en = "\(f.label.en)"
            switch f.type {
            case .date: help += "，如 1992-05-17、1992/5/17 或 1992年5月17日"; en += ", e.g. 1992-05-17, 1992/5/17 or 19920517"
            case .enum: help += "，可选 " + (f.values ?? []).map { f.label(ofValue: $0).zh }.joined(separator: "/"); en += ", one of " + (f.values ?? []).joined(separator: "/")
            case .nationalID: help += "，18位身份证号"; en += ", 18-character resident ID"
            case .ref: help += "，" + referenceHelp(f, chinese: true); en += ", " + referenceHelp(f, chinese: false)
            case .integer: help += "，整数"; en += ", whole number"
            case .phone: help += "，手机或固定电话"; en += ", mobile or landline"
            case .text: break
            }
            if f.required { help += "（必填）"; en += " (required)" }
            return OptionSpec(long: f.flagName, valueName: f.flagName, help: L(help, en), defaultDescription: f.defaultValue,
                              valueNameZH: f.label.zh, defaultDescriptionZH: f.defaultValue.map { f.label(ofValue: $0).zh })
        }
    }

    /// How a reference flag may name its row: `身份证号、姓名或编号（至少8位）`.
    static func referenceHelp(_ f: FieldSchema, chinese: Bool) -> String {
        guard let target = f.references.flatMap({ Schema.register.table(named: $0) }) else { return "" }
        let l = RowLabeler(table: target)
        var ways: [String] = []
        if let id = l.nationalIDField { ways.append(chinese ? id.label.zh : id.label.en) }
        if let title = l.titleField {
            ways.append(chinese ? title.label.zh + (l.titleIsName ? "" : "（或其中一段）") : title.label.en + (l.titleIsName ? "" : " (or part of it)"))
        }
        return chinese ? ways.joined(separator: "、") + "或编号（至少8位）"
                       : ways.joined(separator: ", ") + " or 8+ characters of the \(target.singular)'s id"
    }

    static let codes = OptionSpec(long: "codes", help: L("显示存储的代码和完整编号，而不是中文名称和姓名", "print stored codes and whole ids instead of labels and names"))

    /// `--force` for tables with a unique field (people: 身份证号).
    static func forceOption(_ t: TableSchema) -> [OptionSpec] {
        force(t).map { [$0] } ?? []
    }

    /// `--force` of a table with a unique field; `nil` for a table without one, whose commands have no `--force`.
    static func force(_ t: TableSchema) -> OptionSpec? {
        guard let u = t.uniqueFields.first else { return nil }
        return OptionSpec(long: "force", help: L("\(u.label.zh)与本村已有的人相同也录入（同步后镇中心列为重复登记）",
                                                 "record a \(u.label.en) another live row here holds (the hub lists a duplicate after sync)"))
    }

    /// Whether `add` or `edit` of `t` was given `--force` (never, for a table that has none).
    static func isForced(_ t: TableSchema, _ c: Context) -> Bool {
        force(t).map(c.flag) ?? false
    }

    static func perTable(_ schema: Schema, _ make: (TableSchema, String) -> CommandSpec) -> [CommandSpec] {
        schema.tables.flatMap { [make($0, $0.singular), make($0, $0.name)] }
    }

    /// `<表名>`: a table by its Chinese name or its code.
    static func tableArgument(_ schema: Schema) -> ArgumentSpec {
        ArgumentSpec("table", nameZH: "表名",
                     help: L("表：" + schema.tables.map(\.label.zh).joined(separator: "、") + "（也可以用英文表名）",
                             "table: " + schema.tables.map(\.name).joined(separator: ", ") + " (singular or plural)"))
    }
    static let idArgument = ArgumentSpec("id", nameZH: "编号", help: L("记录编号（至少8位），或身份证号、姓名、地址", "row id (8+ characters of it), or a national ID, name or address"))
    static let conflictArgument = ArgumentSpec("id", nameZH: "冲突编号", help: L("冲突编号", "conflict id"))
}
