import Foundation
import HamletCore
import HamletHTTP
import HamletStore

/// The 报表 page's parts as HTML: the form, the villages table, the figures with their 口径, the breakdowns,
/// timeliness, the 漏报 flags and the close (上报数 / 当前数, 补录/更正). The print view reuses them.
extension WebApp {
    /// The whole report page under the header.
    func reportBody(_ d: ReportPageData) -> String {
        var body = "<h1>\(h(reportTitle(d)))</h1>"
        body += "<p class=\"meta\">\(h(t("report.range", d.report.from, d.report.to)))</p>"
        body += reportForm(period: d.period.description, village: d.village, villages: d.report.villages.keys.sorted(),
                           deadline: String(d.deadlineDay), county: d.byTownship)
        body += reportLinks(d)
        body += reportShortfall(d)
        body += reportClosed(d)
        if d.village == nil { body += "<div class=\"card\"><h2>\(h(rt(d, "report.villages")))</h2>\(reportVillagesTable(d, links: true))</div>" }
        body += "<div class=\"card\"><h2>\(h(t("report.charts")))</h2>\(reportCharts(d))</div>"
        body += reportTimeliness(d)
        body += reportFigures(d)
        body += reportBreakdowns(d)
        return body
    }

    func reportForm(period: String, village: String?, villages: [String], deadline: String, county: Bool = false) -> String {
        var s = "<form class=\"card row\" method=\"get\" action=\"/report\">"
        s += "<label>\(h(t("report.period")))<input type=\"text\" name=\"period\" value=\"\(h(period))\" size=\"10\" maxlength=\"20\""
        s += " placeholder=\"2026-11\" required></label>"
        let word = { (id: String) in self.t(county ? Self.countyWords[id] ?? id : id) }
        s += "<label>\(h(word("list.village")))<select name=\"village\"><option value=\"\">\(h(word("report.township")))</option>"
        for v in villages { s += "<option value=\"\(h(v))\"\(v == village ? " selected" : "")>\(h(v))</option>" }
        s += "</select></label>"
        s += "<label>\(h(t("report.deadline")))<input type=\"number\" name=\"deadline\" min=\"1\" max=\"28\" value=\"\(h(deadline))\"></label>"
        s += "<button type=\"submit\">\(h(t("report.show")))</button>"
        return s + "<p class=\"meta\" style=\"flex-basis:100%;margin:0\">\(h(t("report.periodHint")))</p></form>"
    }

    /// 上一期 · 上年同期 · 打印 · downloads.
    func reportLinks(_ d: ReportPageData) -> String {
        let here = reportLinkQuery(d.period, village: d.village, deadline: d.deadlineDay)
        var links = ["<a href=\"/report?\(h(reportLinkQuery(d.period.previous, village: d.village, deadline: d.deadlineDay)))\">\(h(t("report.previous")))</a>",
                     "<a href=\"/report?\(h(reportLinkQuery(d.period.sameLastYear, village: d.village, deadline: d.deadlineDay)))\">\(h(t("report.lastYear")))</a>"]
        if d.village != nil { links.append("<a href=\"/report?\(h(reportLinkQuery(d.period, village: nil, deadline: d.deadlineDay)))\">\(h(rt(d, "report.backToTownship")))</a>") }
        links.append("<a href=\"/report/print?\(h(here))\">\(h(t("report.print")))</a>")
        links.append("\(h(t("report.download")))\(h(colon))<a href=\"/report.xlsx?\(h(here))\">\(h(t("compare.xlsx")))</a> · <a href=\"/report.csv?\(h(here))\">\(h(t("compare.csv")))</a>")
        return "<p class=\"noprint\">" + links.joined(separator: " · ") + "</p>"
    }

    // MARK: - Villages side by side

    /// The words a county's report uses where a township's says 村 / 全镇 (its columns are townships).
    static let countyWords = [
        "list.village": "report.county.place", "report.township": "report.county.township",
        "report.townshipTotal": "report.county.townshipTotal", "report.backToTownship": "report.county.backToTownship",
        "report.villages": "report.county.villages",
    ]

    /// A report word for `d`: the county's where it has one and `d` is a county's report.
    func rt(_ d: ReportPageData, _ id: String) -> String {
        t(d.byTownship ? Self.countyWords[id] ?? id : id)
    }

    /// The villages on the main figures, the township's total last; each village links to its own view.
    func reportVillagesTable(_ d: ReportPageData, links: Bool) -> String {
        let indicators = Self.reportMainKeys.compactMap(Indicator.named)
        var s = "<table class=\"report villages\"><thead><tr><th>\(h(rt(d, "list.village")))</th>"
        s += indicators.map { "<th class=\"num\">\(h(label($0)))</th>" }.joined() + "</tr></thead><tbody>"
        for v in d.report.villages.keys.sorted() {
            let name = links ? "<a href=\"/report?\(h(reportLinkQuery(d.period, village: v, deadline: d.deadlineDay)))\">\(h(v))</a>" : h(v)
            let figures = d.report.villages[v] ?? [:]
            s += "<tr><td>\(name)</td>" + indicators.map { "<td class=\"num\">\(h((figures[$0.key] ?? .missing).description))</td>" }.joined() + "</tr>"
        }
        s += "<tr class=\"total\"><th>\(h(rt(d, "report.townshipTotal")))</th>"
        s += indicators.map { "<td class=\"num\">\(h((d.report.township[$0.key] ?? .missing).description))</td>" }.joined() + "</tr>"
        return s + "</tbody></table><p class=\"meta\">\(h(t("report.totalNote")))</p>"
    }

    func label(_ i: Indicator) -> String { i.label.text(chinese: language == .zh) }

    // MARK: - Figures with their 口径

    /// Every figure of the township (and the village beside it), by section, each with its unit and 口径.
    func reportFigures(_ d: ReportPageData) -> String {
        let chinese = language == .zh
        var s = "<div class=\"card figures\"><h2>\(h(t("report.figures")))</h2>"
        for group in Indicator.Group.allCases {
            let indicators = Indicator.all.filter { $0.group == group }
            guard !indicators.isEmpty else { continue }
            s += "<h3>\(h(group.label.text(chinese: chinese)))</h3><table class=\"report\"><thead><tr><th>\(h(t("report.indicator")))</th>"
            s += "<th class=\"num\">\(h(rt(d, "report.township")))</th>"
            if let v = d.village { s += "<th class=\"num\">\(h(v))</th>" }
            s += "<th>\(h(t("report.unit")))</th><th>\(h(t("report.definition")))</th></tr></thead><tbody>"
            for i in indicators {
                s += "<tr id=\"figure-\(h(i.key))\"><td>\(h(label(i)))</td><td class=\"num value\">\(h(reportShow(d.report.township[i.key] ?? .missing, i)))</td>"
                if let v = d.village { s += "<td class=\"num value\">\(h(reportShow(d.report.villages[v]?[i.key] ?? .missing, i)))</td>" }
                s += "<td>\(h(i.unit.text(chinese: chinese)))</td><td class=\"definition\">\(h(i.definition.text(chinese: chinese)))</td></tr>"
            }
            s += "</tbody></table>"
        }
        return s + "<p class=\"definition\">\(h(Indicator.commonRules.text(chinese: chinese)))</p></div>"
    }

    // MARK: - Breakdowns

    /// 孩次, 孕情结局, 措施 and 随访 as tables of their parts per place; 奖扶 per program.
    func reportBreakdowns(_ d: ReportPageData) -> String {
        let places = reportPlaces(d)
        var s = "<div class=\"card breakdowns\"><h2>\(h(t("report.breakdowns")))</h2>"
        for key in Self.reportBreakdownKeys {
            guard let i = Indicator.named(key) else { continue }
            let values = places.map { $0.figures[key]?.object ?? [:] }
            let parts = i.parts + Set(values.flatMap(\.keys)).subtracting(i.parts).sorted()
            s += "<h3>\(h(label(i)))<span class=\"meta\">（\(h(i.unit.text(chinese: language == .zh)))）</span></h3>"
            s += "<table class=\"report\"><thead><tr><th>\(h(rt(d, "list.village")))</th>"
            s += parts.map { "<th class=\"num\">\(h(Indicator.partLabel($0).text(chinese: language == .zh)))</th>" }.joined() + "</tr></thead><tbody>"
            for (place, value) in zip(places, values) {
                s += "<tr\(place.isTotal ? " class=\"total\"" : "")><td>\(h(place.name))</td>"
                s += parts.map { "<td class=\"num\">\(h((value[$0] ?? .integer(0)).description))</td>" }.joined() + "</tr>"
            }
            s += "</tbody></table><p class=\"definition\">\(h(i.definition.text(chinese: language == .zh)))</p>"
        }
        return s + reportBenefits(places, place: rt(d, "list.village")) + "</div>"
    }

    /// The places a table lists: each village (or the one looked at), then the township.
    func reportPlaces(_ d: ReportPageData) -> [(name: String, figures: [String: ReportValue], isTotal: Bool)] {
        let villages = d.village.map { [$0] } ?? d.report.villages.keys.sorted()
        return villages.map { (name: $0, figures: d.report.villages[$0] ?? [:], isTotal: false) }
            + [(name: rt(d, "report.townshipTotal"), figures: d.report.township, isTotal: true)]
    }

    /// 奖扶 per place and program: 新增, 继续, 退出 and the amount paid in 元.
    func reportBenefits(_ places: [(name: String, figures: [String: ReportValue], isTotal: Bool)], place: String) -> String {
        guard let i = Indicator.named("benefits") else { return "" }
        let chinese = language == .zh
        var s = "<h3>\(h(label(i)))<span class=\"meta\">（\(h(i.unit.text(chinese: chinese)))）</span></h3>"
        let columns = ["new", "continuing", "ended", "paid_yuan"]
        var rows = ""
        for place in places {
            let programs = place.figures["benefits"]?.object ?? [:]
            for program in programs.keys.sorted() {
                let figures = programs[program]?.object ?? [:]
                rows += "<tr\(place.isTotal ? " class=\"total\"" : "")><td>\(h(place.name))</td><td>\(h(program))</td>"
                rows += columns.map { "<td class=\"num\">\(h((figures[$0] ?? .integer(0)).description))</td>" }.joined() + "</tr>"
            }
        }
        guard !rows.isEmpty else { return s + "<p class=\"empty\">\(h(t("report.noBenefits")))</p>" }
        s += "<table class=\"report\"><thead><tr><th>\(h(place))</th><th>\(h(t("report.program")))</th>"
        s += columns.map { "<th class=\"num\">\(h(Indicator.partLabel($0).text(chinese: chinese)))</th>" }.joined()
        return s + "</tr></thead><tbody>\(rows)</tbody></table><p class=\"definition\">\(h(i.definition.text(chinese: chinese)))</p>"
    }

    // MARK: - Timeliness and 漏报

    /// 上报截止日, 按时上报率 and each village's standing (as `ReportClosing.timelinessText`).
    func reportTimeliness(_ d: ReportPageData) -> String {
        let tl = d.timeliness
        var s = "<div class=\"card timeliness\"><h2>\(h(t("report.timeliness")))</h2><p>"
        s += h(t("report.deadlineIs", tl.deadline))
        s += h(tl.onTimeRate.map { t("report.onTimeRate", ReportValue.decimal($0).description) } ?? t("report.notDue")) + "</p>"
        s += "<table class=\"report\"><thead><tr><th>\(h(rt(d, "list.village")))</th><th>\(h(t("report.status")))</th>"
        s += "<th>\(h(t("report.lastSync")))</th><th class=\"num\">\(h(t("report.lateChanges")))</th><th>\(h(t("report.silent")))</th></tr></thead><tbody>"
        for v in tl.villages where d.village == nil || v.village == d.village {
            let late = v.status == .late || v.status == .notReported
            s += "<tr\(late ? " class=\"diff\"" : "")><td>\(h(v.village))</td><td>\(h(v.status.label.text(chinese: language == .zh)))</td>"
            s += "<td>\(h(v.lastSyncBeforeDeadline.map { time($0) } ?? "—"))</td><td class=\"num\">\(v.lateChanges)</td>"
            s += "<td>\(v.silentSinceDeadline ? h(t("report.yes")) : "")</td></tr>"
        }
        return s + "</tbody></table><p class=\"definition\">\(h(t("report.timelinessRule")))</p></div>"
    }

    /// The 漏报 flags, one sentence each.
    func reportShortfall(_ d: ReportPageData) -> String {
        guard !d.shortfall.isEmpty else { return "" }
        let lines = d.shortfall.map { "<li>\(h($0.message.text(chinese: language == .zh)))</li>" }.joined()
        return "<div class=\"warning shortfall\"><b>\(h(t("report.shortfall")))</b><ul>\(lines)</ul></div>"
    }

    // MARK: - Closed period

    /// Who closed the period and when; the figures that differ (上报数 beside 当前数); the 补录/更正 behind them.
    func reportClosed(_ d: ReportPageData) -> String {
        guard let closed = d.closed else { return "" }
        var s = "<div class=\"card closed\"><h2>\(h(t("report.closedHeading")))</h2>"
        s += "<p>\(h(t("report.closedBy", time(closed.closedAt), closed.closedBy)))</p>"
        let diffs = closed.differences.filter { d.village == nil || $0.village == nil || $0.village == d.village }
        guard !diffs.isEmpty else { return s + "<p>\(h(t("report.unchanged")))</p></div>" }
        s += "<p>\(h(t("report.changedSince", String(closed.changes))))</p>"
        s += "<table class=\"report differences\"><thead><tr><th>\(h(rt(d, "list.village")))</th><th>\(h(t("report.indicator")))</th>"
        s += "<th class=\"num\">\(h(t("report.reported")))</th><th class=\"num\">\(h(t("report.current")))</th></tr></thead><tbody>"
        for diff in diffs {
            let i = Indicator.named(diff.indicator)
            s += "<tr><td>\(h(diff.village ?? rt(d, "report.township")))</td><td>\(h(i.map(label) ?? diff.indicator))</td>"
            s += "<td class=\"num\">\(h(reportShow(diff.reported, i)))</td><td class=\"num diff\">\(h(reportShow(diff.current, i)))</td></tr>"
        }
        return s + "</tbody></table>" + reportChanges(d) + "</div>"
    }

    /// The 补录/更正 taken in since the close (as `hamlet hub report changes`), each linked to its record's history.
    func reportChanges(_ d: ReportPageData) -> String {
        guard !d.changes.isEmpty else { return "" }
        var s = "<h3>\(h(t("report.changesHeading")))</h3><table class=\"report changes\"><thead><tr><th>\(h(rt(d, "list.village")))</th>"
        s += "<th>\(h(t("report.changeKind")))</th><th>\(h(t("col.table")))</th><th>\(h(t("report.date")))</th><th>\(h(t("report.received")))</th>"
        s += "<th>\(h(t("col.node")))</th><th>\(h(t("report.author")))</th><th>\(h(t("col.record")))</th></tr></thead><tbody>"
        for c in d.changes.prefix(Self.reportChangesLimit) {
            let table = store?.schema.table(named: c.table)
            let name = referenceLabel(c.table, c.row) ?? short(c.row)
            s += "<tr><td>\(h(c.village))</td><td>\(h(t(c.isLateEntry ? "report.lateEntry" : "report.correction")))</td>"
            s += "<td>\(h(table.map(tableLabel) ?? c.table))</td><td>\(h(c.date))</td><td>\(h(time(c.receivedAt)))</td>"
            s += "<td class=\"mono\">\(h(nodeLabel(c.node)))</td><td>\(h(c.author))</td>"
            s += "<td><a href=\"\(h(historyURL(c.table, c.row)))\">\(h(name))</a></td></tr>"
        }
        s += "</tbody></table>"
        if d.changes.count > Self.reportChangesLimit {
            s += "<p class=\"meta\">\(h(t("list.truncated", String(Self.reportChangesLimit))))</p>"
        }
        return s
    }
}
