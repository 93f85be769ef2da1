import Foundation
import HamletCLI
import HamletCore
import HamletStore

/// `hamlet hub schema [--file F.json] [--dry-run]`: print the register schema the hub holds, or
/// move the hub to a deployment's schema (a table or a field added). The hub migrates in place in
/// one transaction; every node adopts the new schema at its next login.
enum HubSchemaCommand: HamletCommand {
    static let file = OptionSpec(long: "file", valueName: "schema.json", help: CommandTree.L("新的台账结构文件", "the new schema file"), valueNameZH: "结构文件")
    static let dryRun = OptionSpec(long: "dry-run", help: CommandTree.L("只预览，不修改", "show the plan, change nothing"))

    static func spec(_ schema: Schema) -> CommandSpec {
        CommandSpec(name: "schema", abstract: CommandTree.L("显示台账结构，或升级到新的结构文件（只能新增）", "print the register schema, or upgrade to a schema file (additions only)"),
                    options: [file, dryRun, CommandTree.dir, CommandTree.json])
    }

    static func run(_ c: Context) throws {
        let h = try HubCommand.open(c)
        guard let file = c.value(Self.file) else {
            Output.out(h.schema.encoded(pretty: true) + "\n")
            return
        }
        // A serving hub keeps the schema it opened with: upgrading under it would leave its sessions behind.
        if !c.flag(Self.dryRun), let pid = HubServeCommand.servingProcess(c.directory) {
            throw CLIError(code: "hub-serving", exit: .temporaryFailure,
                           message: Localized(zh: "镇中心正在运行（进程 \(pid)），请先停止它再升级台账结构，升级后重新启动",
                                              en: "the hub is serving (process \(pid)); stop it, upgrade the schema, then start it again"))
        }
        guard let data = FileManager.default.contents(atPath: file) else {
            throw CLIError(code: "not-found", exit: .notFound, message: Localized(zh: "读不到文件 \(file)", en: "cannot read \(file)"))
        }
        let newer: Schema
        do { newer = try Schema.decode([UInt8](data)) } catch {
            throw CLIError(code: "invalid-schema", exit: .invalidData,
                           message: Localized(zh: "台账结构文件有误：格式不对或内容前后矛盾（用 --lang en 运行可看到详细原因）",
                                              en: "the schema file is not valid: \(error)"))
        }
        let plan: SchemaUpgrade
        do { plan = try newer.upgrade(from: h.schema) } catch {
            throw CLIError(code: "invalid-schema", exit: .invalidData,
                           message: Localized(zh: "不能从第 \(h.schema.version) 版升级到这个结构：只能新增表、字段和取值，不能改名、删除或改类型（用 --lang en 运行可看到详细原因）",
                                              en: "cannot upgrade from version \(h.schema.version) to this schema: \(error.message) (only additions are allowed)"))
        }
        if !c.flag(Self.dryRun) { try h.adopt(newer) }
        if c.json {
            Output.json(["from": plan.from, "to": plan.to, "new_tables": plan.newTables.count,
                         "new_fields": plan.newFields.values.reduce(0) { $0 + $1.count }, "rebuilt_tables": plan.rebuiltTables.count])
            return
        }
        let fields = plan.newFields.sorted { $0.key < $1.key }.map { "\($0.key).\($0.value.joined(separator: ","))" }
        // In Chinese every table and field by its label in the new schema.
        func tableZH(_ name: String) -> String { newer.table(named: name)?.label.zh ?? name }
        let fieldsZH = plan.newFields.sorted { $0.key < $1.key }.map { entry in
            tableZH(entry.key) + "：" + entry.value.map { newer.table(named: entry.key)?.field($0)?.label.zh ?? $0 }.joined(separator: "、")
        }
        var zh: [String] = []
        if !plan.newTables.isEmpty { zh.append("新表 " + plan.newTables.map(tableZH).joined(separator: "、")) }
        if !fieldsZH.isEmpty { zh.append("新字段 " + fieldsZH.joined(separator: "；")) }
        if !plan.rebuiltTables.isEmpty { zh.append("重建 " + plan.rebuiltTables.map(tableZH).joined(separator: "、")) }
        Output.out(c.t("台账结构 第 \(plan.from) 版 → 第 \(plan.to) 版：\(zh.isEmpty ? "没有变化" : zh.joined(separator: "，"))\n",
                       "schema version \(plan.from) → \(plan.to): new tables \(plan.newTables.joined(separator: ", ")), new fields \(fields.joined(separator: ", ")), rebuilt \(plan.rebuiltTables.joined(separator: ", "))\n"))
        Output.out(c.flag(Self.dryRun) ? c.t("（预览，没有修改）\n", "(dry run: nothing changed)\n")
                   : c.t("各村节点下次同步时自动升级\n", "each village node upgrades at its next sync\n"))
    }
}
