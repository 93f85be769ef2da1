import HamletCLI
import HamletCore
import HamletStore

/// `hamlet hub check [--village V] [--rule R] [--all] [--json]`: the hub's 核查 list: records of every village that
/// break a rule now, except those an operator marked 已核实 (`--all` shows them too), with counts per village and rule.
enum HubCheckCommand: HamletCommand {
    static let village = OptionSpec(long: "village", valueName: "name", help: CommandTree.L("只看这个村", "only this village"), valueNameZH: "村名")
    static let all = OptionSpec(long: "all", help: CommandTree.L("也列出已核实的", "also list items marked verified"))

    static func spec(_ schema: Schema) -> CommandSpec {
        CommandSpec(name: "check", abstract: CommandTree.L("逻辑核查：各村违反核查规则的记录", "logic check: records of every village that break a rule"),
                    discussion: CommandTree.L("镇中心不拒收任何数据：违反规则的记录列在这里，直到修改更正或由管理员标为已核实（hamlet hub mark）。",
                                              "The hub refuses nothing: records that break a rule are listed here until an edit fixes them or an operator marks them verified (hamlet hub mark)."),
                    options: [village, CheckCommand.rule, all, CommandTree.dir, CommandTree.json],
                    examples: ["hamlet hub check", "hamlet hub check --village 北赵 --json"])
    }

    static func run(_ c: Context) throws {
        let h = try HubCommand.open(c)
        let report = try h.check(village: c.value(village), rules: try CheckText.rules(c, CheckCommand.rule),
                                 includeVerified: c.flag(all), wallMillis: c.now)
        if c.json {
            Output.json(["today": AnyEncodable(report.today.description), "counts": AnyEncodable(report.counts),
                         "items": AnyEncodable(report.items.map(CheckJSON.init))])
            return
        }
        guard !report.items.isEmpty else {
            Output.out(c.t("没有需要核查的记录\n", "nothing to check\n"))
            return
        }
        Output.out(CheckText.render(report.items.map { ($0.finding, $0.mark) }, c, showVillage: true))
        let counts = report.counts.sorted { $0.key < $1.key }.map { v, byRule in
            "\(v) \(byRule.values.reduce(0, +))"
        }
        Output.out(c.t("待核查 \(report.items.filter { $0.mark == nil }.count) 条（", "\(report.items.filter { $0.mark == nil }.count) open (")
                   + counts.joined(separator: c.t("，", ", ")) + c.t("）\n", ")\n"))
    }
}

/// `hamlet hub mark RULE ID --note TEXT`: marks a 核查 item 已核实 (the facts were checked and are right, or cannot be
/// fixed here); it leaves the open list, and the note is kept with the record.
enum HubMarkCommand: HamletCommand {
    static let ruleArgument = ArgumentSpec("rule", nameZH: "规则", help: CommandTree.L("规则名称，如 未到法定婚龄（hamlet hub check 的「规则」列）", "the rule's id, e.g. married-under-age, or its name"))
    static let rowArgument = ArgumentSpec("id", nameZH: "编号", help: CommandTree.L("记录编号（至少8位，hamlet hub check 的「记录」列）", "the record's id (8+ characters: the record column of hamlet hub check)"))
    static let note = OptionSpec(long: "note", valueName: "text", help: CommandTree.L("核实情况（必填）", "what was verified (required)"), valueNameZH: "说明")

    static func spec(_ schema: Schema) -> CommandSpec {
        CommandSpec(name: "mark", abstract: CommandTree.L("把一条核查记录标为已核实", "mark a check item verified"),
                    arguments: [ruleArgument, rowArgument], options: [note, HubCommand.operatorName, CommandTree.dir, CommandTree.json],
                    examples: ["hamlet hub mark 未到法定婚龄 5e1be7a8 --note \"户籍登记有误，已通知派出所更正\""])
    }

    static func run(_ c: Context) throws {
        let h = try HubCommand.open(c)
        guard let rule = try CheckText.known([try c.argument(ruleArgument)]).first else { return }
        let given = try c.argument(rowArgument).lowercased()
        let report = try h.check(rules: [rule], includeVerified: true, wallMillis: c.now)
        let matches = report.items.filter { $0.finding.row == given || ($0.finding.row.hasSuffix(given) && given.count >= ShortID.minimumLength)
            || ($0.finding.row.hasPrefix(given) && given.count >= ShortID.minimumLength) }
        guard matches.count == 1, let item = matches.first else {
            throw CLIError(code: matches.isEmpty ? "not-found" : "ambiguous", exit: matches.isEmpty ? .notFound : .invalidData,
                           message: matches.isEmpty ? Localized(zh: "这条记录现在没有违反这条规则", en: "no record with this id breaks this rule now")
                                                    : Localized(zh: "有 \(matches.count) 条记录符合，请给出更长的编号", en: "\(matches.count) records match; give more of the id"))
        }
        let action = OperatorAction(name: OperatorCommands.operatorName(c), wallMillis: c.now, note: c.value(note))
        try h.markChecked(item.finding.key, action: action)
        if c.json { Output.json(["rule": item.finding.rule, "table": item.finding.table, "row": item.finding.row]); return }
        Output.out(c.t("已标为已核实：\(item.finding.message.zh)\n", "marked verified: \(item.finding.message.en)\n"))
    }
}
