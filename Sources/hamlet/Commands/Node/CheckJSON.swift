import HamletCLI
import HamletCore
import HamletStore

/// One 核查 item in `--json` output (`hamlet check`, `hamlet hub check`, a write's `warnings`); codes in English.
struct CheckJSON: Encodable {
    var rule: String
    var severity: String
    var table: String
    var row: String
    var person: String
    var village: String
    var date: String?
    var message: Label
    var verified: CheckMark?

    init(_ f: CheckFinding) {
        rule = f.rule
        severity = f.severity.rawValue
        table = f.table
        row = f.row
        person = f.person
        village = f.village
        date = f.date
        message = f.message
    }

    init(_ item: CheckItem) {
        self.init(item.finding)
        verified = item.mark
    }
}

/// Printing 核查 items as a table, shared by the node's and the hub's `check`.
enum CheckText {
    /// `--rule`: checked against the declared rules, so a typo is an error, not an empty list.
    static func rules(_ c: Context, _ option: OptionSpec) throws -> Set<String>? {
        let asked = c.values(option)
        guard !asked.isEmpty else { return nil }
        return try known(asked)
    }

    /// The rules given by id or by name (未到法定婚龄 / married under the legal age), each checked against the declared rules.
    static func known(_ asked: [String]) throws -> Set<String> {
        let rules = CheckRuleSet.register.rules
        let known = Set(rules.map(\.id))
        var ids = Set<String>()
        for r in asked {
            if let rule = rules.first(where: { $0.id == r || $0.label.zh == r || $0.label.en.lowercased() == r.lowercased() }) {
                ids.insert(rule.id)
                continue
            }
            throw CLIError(code: "unknown-rule", exit: .usage,
                           message: Localized(zh: "没有这条核查规则：\(r)", en: "no such check rule: \(r)"),
                           hint: Localized(zh: "可用的规则：" + rules.map(\.label.zh).joined(separator: "、"), en: "rules: " + known.sorted().joined(separator: ", ")))
        }
        return ids
    }

    static func render(_ items: [(CheckFinding, CheckMark?)], _ c: Context, showVillage: Bool) -> String {
        var columns = [Table.Column(header: c.t("规则", "rule")), Table.Column(header: c.t("级别", "severity")),
                       Table.Column(header: c.t("日期", "date")), Table.Column(header: c.t("情况", "finding"), maxCells: 70),
                       Table.Column(header: c.t("记录", "record"))]
        if showVillage { columns.insert(Table.Column(header: c.t("村", "village")), at: 0) }
        let marked = items.contains { $0.1 != nil }
        if marked { columns.append(Table.Column(header: c.t("已核实", "verified"), maxCells: 40)) }
        var table = Table(columns: columns)
        table.rows = items.map { f, mark in
            let rule = CheckRuleSet.register.rule(f.rule)
            var row = [rule?.label.text(chinese: c.chinese) ?? f.rule, f.severity.label.text(chinese: c.chinese), f.date ?? "",
                       f.message.text(chinese: c.chinese), ShortID.of(f.row)]
            if marked { row.append(mark.map { "\($0.by)：\($0.note)" } ?? "") }
            if showVillage { row.insert(f.village, at: 0) }
            return row
        }
        return table.render(maxWidth: max(c.width, 80))
    }
}
