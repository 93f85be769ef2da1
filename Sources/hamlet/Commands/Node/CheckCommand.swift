import HamletCLI
import HamletCore
import HamletStore

/// `hamlet check [--rule R] [--json]`: every record in the replica that breaks a logic-check rule now (逻辑核查).
enum CheckCommand: HamletCommand {
    static let rule = OptionSpec(long: "rule", valueName: "id", help: CommandTree.L("只看这条规则（可重复；填规则名称，如 未到法定婚龄）", "only this rule (repeatable; its id, e.g. married-under-age, or its name)"),
                                 repeatable: true, valueNameZH: "规则")

    static func spec(_ schema: Schema) -> CommandSpec {
        CommandSpec(name: "check", abstract: CommandTree.L("逻辑核查：列出本村违反核查规则的记录", "logic check: list the records here that break a rule"),
                    discussion: CommandTree.L("「不允许」的规则在录入时就会拒绝；「提醒」的规则录入时提醒并保存，在这里列出，请逐条核实更正。",
                                              "Rules of severity refused stop a write at entry; warnings are saved with a note and listed here to verify and correct."),
                    options: [rule, CommandTree.dir, CommandTree.json],
                    examples: ["hamlet check", "hamlet check --rule married-under-age --json"])
    }

    static func run(_ c: Context) throws {
        let r = try ReplicaCommands.open(c)
        let findings = try r.check(rules: try CheckText.rules(c, rule), wallMillis: c.now)
        if c.json { Output.json(["items": findings.map(CheckJSON.init)]); return }
        guard !findings.isEmpty else {
            Output.out(c.t("没有发现违反核查规则的记录\n", "no record breaks a check rule\n"))
            return
        }
        Output.out(CheckText.render(findings.map { ($0, nil) }, c, showVillage: false))
        Output.out(c.t("共 \(findings.count) 条\n", "\(findings.count) item(s)\n"))
    }
}
