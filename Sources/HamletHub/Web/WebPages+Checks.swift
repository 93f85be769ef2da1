import HamletCore
import HamletHTTP
import HamletStore

/// The 核查 page: records that break a logic-check rule now, counted per village and rule, each
/// linking to the person's and the record's history, with a form to mark it 已核实.
extension WebApp {
    /// Items listed on one page at most (the counts above cover all of them).
    static let checkPageLimit = 200

    static let checkMessages: [String: (zh: String, en: String)] = [
        "nav.checks": ("逻辑核查", "Checks"),
        "checks.heading": ("逻辑核查", "Logic checks"),
        "checks.intro": ("镇中心不拒收任何数据：下面列出违反核查规则的记录（%1 为准），修改更正后自动消失；核实无误的可标为已核实。",
                         "The hub refuses nothing: these records break a check rule (as of %1). An edit that fixes one takes it off; one found right can be marked verified."),
        "checks.none": ("没有需要核查的记录。", "Nothing to check."),
        "checks.village": ("村", "Village"),
        "checks.total": ("合计", "Total"),
        "checks.rule": ("规则", "Rule"),
        "checks.severity": ("级别", "Severity"),
        "checks.date": ("日期", "Date"),
        "checks.finding": ("情况", "Finding"),
        "checks.links": ("查看", "Open"),
        "checks.person": ("人员", "person"),
        "checks.record": ("记录", "record"),
        "checks.mark": ("标为已核实", "Mark verified"),
        "checks.marked": ("已核实：%1（%2，%3）", "Verified: %1 (%2, %3)"),
        "checks.showAll": ("也显示已核实的", "Show verified ones too"),
        "checks.filtered": ("只看：%1", "Only: %1"),
        "checks.clear": ("全部", "all"),
        "checks.cut": ("共 %1 条，显示前 %2 条；点上面的数字只看一个村或一条规则。", "%1 items, first %2 shown; click a count above to narrow."),
        "flash.marked": ("已标为已核实：%1", "Marked verified: %1"),
        "err.badRule": ("没有这条核查规则。", "No such check rule."),
        "history.checks": ("逻辑核查", "Logic checks"),
    ]

    func ruleLabel(_ id: String) -> String {
        CheckRuleSet.register.rule(id)?.label.text(chinese: language == .zh) ?? id
    }

    func checksPage(_ store: HubStore) throws -> HTTPResponse {
        let village = request.queryValue("village").flatMap { $0.isEmpty ? nil : $0 }
        let rule = request.queryValue("rule").flatMap { $0.isEmpty ? nil : $0 }
        if let rule, CheckRuleSet.register.rule(rule) == nil { return errorPage(404, "err.badRule") }
        let showAll = request.queryValue("all") == "1"
        let everything = try store.check(includeVerified: showAll, wallMillis: console.configuration.wallMillis())
        var body = "<h1>\(h(t("checks.heading")))</h1><p class=\"meta\">\(h(t("checks.intro", everything.today.description)))</p>"
        body += checkCounts(everything)
        let items = everything.items.filter { (village == nil || $0.finding.village == village) && (rule == nil || $0.finding.rule == rule) }
        if village != nil || rule != nil {
            let what = [village, rule.map(ruleLabel)].compactMap { $0 }.joined(separator: " · ")
            body += "<p>\(h(t("checks.filtered", what))) <a href=\"/checks\(showAll ? "?all=1" : "")\">\(h(t("checks.clear")))</a></p>"
        }
        var toggle = [("all", showAll ? "0" : "1")]
        if let village { toggle.append(("village", village)) }
        if let rule { toggle.append(("rule", rule)) }
        body += "<p><a href=\"/checks?\(h(FormCoding.encode(toggle)))\">\(h(showAll ? t("checks.clear") : t("checks.showAll")))</a></p>"
        guard !items.isEmpty else { return layout(t("checks.heading"), body + "<div class=\"card\">\(h(t("checks.none")))</div>") }
        if items.count > Self.checkPageLimit {
            body += "<p class=\"meta\">\(h(t("checks.cut", String(items.count), String(Self.checkPageLimit))))</p>"
        }
        body += checkList(Array(items.prefix(Self.checkPageLimit)))
        return layout(t("checks.heading"), body)
    }

    /// Open items per village (rows) and rule (columns), each count a link to that list.
    func checkCounts(_ report: CheckReport) -> String {
        let counts = report.counts
        guard !counts.isEmpty else { return "" }
        let rules = CheckRuleSet.register.rules.map(\.id).filter { r in counts.values.contains { $0[r] != nil } }
        var s = "<table><thead><tr><th>\(h(t("checks.village")))</th>"
        s += rules.map { "<th class=\"num\">\(h(ruleLabel($0)))</th>" }.joined() + "<th class=\"num\">\(h(t("checks.total")))</th></tr></thead><tbody>"
        for village in counts.keys.sorted() {
            let row = counts[village] ?? [:]
            s += "<tr><td><a href=\"/checks?\(h(FormCoding.encode([("village", village)])))\">\(h(village))</a></td>"
            for r in rules {
                let n = row[r] ?? 0
                s += "<td class=\"num\">" + (n == 0 ? "" : "<a href=\"/checks?\(h(FormCoding.encode([("village", village), ("rule", r)])))\">\(n)</a>") + "</td>"
            }
            s += "<td class=\"num\">\(row.values.reduce(0, +))</td></tr>"
        }
        return s + "</tbody></table>"
    }

    func checkList(_ items: [CheckItem]) -> String {
        var s = "<table style=\"margin-top:1rem\"><thead><tr><th>\(h(t("checks.village")))</th><th>\(h(t("checks.rule")))</th>"
        s += "<th>\(h(t("checks.severity")))</th><th>\(h(t("checks.date")))</th><th>\(h(t("checks.finding")))</th><th>\(h(t("checks.links")))</th></tr></thead><tbody>"
        for item in items {
            let f = item.finding
            s += "<tr><td>\(h(f.village))</td><td>\(h(ruleLabel(f.rule)))</td>"
            s += "<td><span class=\"badge\(f.severity == .refuse ? " open" : "")\">\(h(f.severity.label.text(chinese: language == .zh)))</span></td>"
            s += "<td>\(h(f.date ?? ""))</td><td>\(h(f.message.text(chinese: language == .zh)))"
            if let m = item.mark {
                s += "<div class=\"meta\">\(h(t("checks.marked", m.note, m.by, time(m.at))))</div>"
            } else {
                s += markForm(f)
            }
            s += "</td><td><a href=\"/history/people/\(h(f.person))\">\(h(t("checks.person")))</a>"
            if f.table != "people" || f.row != f.person {
                s += " · <a href=\"/history/\(h(f.table))/\(h(f.row))\">\(h(t("checks.record")))</a>"
            }
            s += "</td></tr>"
        }
        return s + "</tbody></table>"
    }

    func markForm(_ f: CheckFinding) -> String {
        let action = "/checks/mark"
        var s = "<form method=\"post\" action=\"\(action)\" class=\"row\">\(csrfField(action))"
        for (k, v) in [("rule", f.rule), ("table", f.table), ("row", f.row)] {
            s += "<input type=\"hidden\" name=\"\(k)\" value=\"\(h(v))\">"
        }
        s += whoFields(noteRequired: true) + "<button type=\"submit\" class=\"secondary\">\(h(t("checks.mark")))</button></form>"
        return s
    }

    /// POST /checks/mark: the operator's 已核实 with a required note; back to the list with a flash.
    func markCheck(_ store: HubStore) throws -> HTTPResponse {
        let key = CheckKey(rule: formValue("rule") ?? "", table: formValue("table") ?? "", row: formValue("row") ?? "")
        let done = action()
        let flash: WebFlash
        do {
            try store.markChecked(key, action: done)
            flash = WebFlash(isError: false, text: t("flash.marked", ruleLabel(key.rule)))
        } catch let error as OperatorError {
            flash = WebFlash(isError: true, text: language == .zh ? (error.messageZH ?? error.message) : error.message)
        }
        console.setFlash(flash, session: session.id)
        return .redirect(to: "/checks")
    }

    /// The 已核实 marks on a record, for its history page.
    func checkMarksCard(_ store: HubStore, table: String, id: String) throws -> String {
        let marks = try store.checkMarks(table: table, id: id)
        guard !marks.isEmpty else { return "" }
        var s = "<div class=\"card\"><h2>\(h(t("history.checks")))</h2>"
        s += marks.map { key, m in "\(h(ruleLabel(key.rule)))：\(h(t("checks.marked", m.note, m.by, time(m.at))))" }.joined(separator: "<br>")
        return s + "</div>"
    }
}
