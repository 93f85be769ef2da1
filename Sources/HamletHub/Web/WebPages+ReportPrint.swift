import Foundation
import HamletCore
import HamletHTTP
import HamletStore

/// The 报表 page's charts (inline SVG from `SVGChart`, no script) and its printable A4 view (打印): no header or
/// navigation, the township's name and the period, the tables and charts, and a line to sign.
extension WebApp {
    static let reportMessages: [String: (zh: String, en: String)] = [
        "nav.report": ("报表", "Reports"),
        "report.heading": ("报表", "Report"),
        "report.title": ("%1 %2报表", "%1 report for %2"),
        "report.thisTownship": ("本镇", "The township"),
        "report.range": ("统计期间：%1 至 %2", "Period: %1 to %2"),
        "report.period": ("报告期", "Period"),
        "report.periodHint": ("报告期写法：月 2026-11（或 2026年11月）、季度 2026年第4季度、年 2026。默认为上个月。截止日：次月第几日前上报（默认 5 日）。",
                              "Write a month 2026-11, a quarter 2026-Q4 or a year 2026; last month by default. Deadline: the day of the next month the data is due (5 by default)."),
        "report.township": ("全镇", "Township"),
        "report.townshipTotal": ("全镇合计", "Township total"),
        "report.deadline": ("上报截止日（次月）", "Deadline (day of next month)"),
        "report.show": ("查看", "Show"),
        "report.badDeadline": ("截止日「%1」不对：请写 1 到 28 之间的数字（次月第几日）。", "Deadline “%1” is not a day: write a number from 1 to 28 (the day of the next month)."),
        "report.unknownVillage": ("本镇没有「%1」这个村；可选：%2", "No village %1 in the township; villages: %2"),
        "report.previous": ("上一期", "Previous period"),
        "report.lastYear": ("上年同期", "Same period last year"),
        "report.backToTownship": ("全镇报表", "Township report"),
        "report.print": ("打印（A4）", "Print (A4)"),
        "report.download": ("下载", "Download"),
        "report.villages": ("各村主要指标", "Villages side by side"),
        "report.county.place": ("镇", "Township"),
        "report.county.township": ("全县", "County"),
        "report.county.townshipTotal": ("全县合计", "County total"),
        "report.county.backToTownship": ("全县报表", "County report"),
        "report.county.villages": ("各镇主要指标", "Townships side by side"),
        "report.county.this": ("本县", "The county"),
        "report.totalNote": ("全镇合计按全镇整体计算，不是各村相加：镇内村间转移不算全镇的迁入、迁出；同一身份证号重复登记只计一次。点村名看该村报表。",
                             "The township total is computed over the township as one place, not summed: transfers between its villages are not moves of the township, and a person registered twice counts once. Click a village for its own report."),
        "report.charts": ("图表", "Charts"),
        "report.figures": ("指标和口径", "Figures and definitions"),
        "report.indicator": ("指标", "Figure"),
        "report.unit": ("单位", "Unit"),
        "report.definition": ("口径", "Definition"),
        "report.breakdowns": ("分项", "Breakdowns"),
        "report.program": ("项目", "Program"),
        "report.noBenefits": ("本期没有奖扶记录。", "No benefits in the period."),
        "report.timeliness": ("按时上报", "Reporting on time"),
        "report.deadlineIs": ("上报截止日 %1", "Deadline %1"),
        "report.onTimeRate": ("，按时上报率 %1%", ", on time %1%"),
        "report.notDue": ("（未到截止日）", " (not yet due)"),
        "report.status": ("上报情况", "Status"),
        "report.lastSync": ("截止前最后同步", "Last sync by the deadline"),
        "report.lateChanges": ("截止后收到本期数据", "Period data after it"),
        "report.silent": ("截止后未再同步", "Silent since"),
        "report.yes": ("是", "yes"),
        "report.timelinessRule": ("口径：截止日为期末次月的第几日（当天结束）。按时上报 = 期末之后、截止之前同步过，且截止之后没有再收到本期数据；迟报 = 截止后又收到本期数据（照收，并计入报表）；未上报 = 期末到截止之间没有同步。按时上报率 = 按时上报的村 ÷ 全部村 × 100。",
                                  "Definition: the deadline is a day of the month after the period (to its end). On time = synced after the period and by the deadline, with no data of the period after it; late = data of the period arrived after the deadline (taken in and counted); not reported = no sync between the period's end and the deadline. On-time rate = villages on time ÷ all villages × 100."),
        "report.shortfall": ("漏报提示（请核实）", "Possible under-reporting (please check)"),
        "report.closedHeading": ("截止上报", "Closed period"),
        "report.closedBy": ("本期已于 %1 由 %2 截止上报。", "Closed on %1 by %2."),
        "report.unchanged": ("截止后没有变化：上报数即当前数。", "Nothing changed since: reported = current."),
        "report.changedSince": ("截止后收到补录/更正 %1 条，以下数字有变化（迟到的数据照收，不会被拒绝）：",
                                "%1 late entries/corrections since; these figures changed (late data is always taken in):"),
        "report.reported": ("上报数", "Reported"),
        "report.current": ("当前数", "Current"),
        "report.changesHeading": ("截止后的补录和更正", "Late entries and corrections since the close"),
        "report.changeKind": ("类别", "Kind"),
        "report.date": ("日期", "Date"),
        "report.received": ("收到时间", "Received"),
        "report.author": ("修改人", "Who"),
        "report.lateEntry": ("补录", "late entry"),
        "report.correction": ("更正", "correction"),
        "report.noData": ("无数据", "no data"),
        "report.chartBirths": ("%1 %2各月出生", "%1: births by month, %2"),
        "report.chartRatio": ("%1 %2各月出生人口性别比", "%1: sex ratio at birth by month, %2"),
        "report.chartVillages": ("%1各村出生（男、女）", "Births by village, boys and girls, %1"),
        "report.births": ("出生", "births"),
        "report.boys": ("男", "boys"),
        "report.girls": ("女", "girls"),
        "report.sexRatio": ("性别比", "sex ratio"),
        "report.normalBand": ("正常范围 103–107", "normal range 103–107"),
        "report.people": ("人", "people"),
        "report.printHint": ("这是打印页：请用浏览器的「打印」（A4 纸）打印本页。", "This is the print view: print it from the browser (A4)."),
        "report.backToPage": ("返回报表", "Back to the report"),
        "report.madeAt": ("制表时间：%1", "Made on %1"),
        "report.sign": ("填报单位：%1　　单位负责人：________　　填表人：________　　报出日期：________",
                        "Office: %1    Head: ________    Prepared by: ________    Date: ________"),
    ]

    static let reportCSS = """
        h3{font-size:.98rem;margin:1rem 0 .4rem}
        td.definition,p.definition{font-size:.78rem;color:#5d6777;line-height:1.4}
        tr.total td,tr.total th{font-weight:700;background:#eef2f7}
        .charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(420px,1fr));gap:1rem}
        figure.chart{margin:0}
        .figures table{table-layout:fixed}
        .figures th:first-child{width:11rem}
        .figures th.num{width:9.5rem}
        .figures th:nth-last-child(2){width:5rem}
        .shortfall ul{margin:.3rem 0 0;padding-left:1.2rem}
        @media print{header,footer,form,.noprint{display:none}main{max-width:none;margin:0;padding:0}body{background:#fff}.card{border:none;padding:0}}
        """

    static let printCSS = """
        @page{size:A4;margin:15mm}
        body.print{background:#fff;font-size:12px}
        .sheet{max-width:180mm;margin:0 auto;padding:6mm 0}
        .sheet h1{text-align:center;font-size:19px;margin:0 0 2mm}
        .sheet .sub{text-align:center;color:#333;margin:0 0 4mm}
        .sheet h2{font-size:14px;margin:5mm 0 2mm}
        .sheet h3{font-size:12.5px;margin:3mm 0 1mm}
        .sheet table{font-size:10.5px}
        .sheet th,.sheet td{padding:2px 4px;border:1px solid #9aa3ae}
        .sheet .card{border:none;padding:0;margin:0 0 3mm;background:none}
        .sheet .charts{grid-template-columns:1fr 1fr;gap:3mm}
        tr,figure.chart{break-inside:avoid}
        thead{display:table-header-group}
        h2,h3{break-after:avoid}
        .sheet .figures{break-before:page}
        .signature{margin-top:8mm;font-size:12px}
        @media print{.noprint{display:none}.sheet{max-width:none;padding:0}}
        """

    // MARK: - Charts

    /// Births by month over the period's year, the sex ratio by month with the normal band, and (for the township)
    /// the villages' boys and girls side by side.
    func reportCharts(_ d: ReportPageData) -> String {
        let chinese = language == .zh
        let place = d.village ?? d.township
        let year = ReportPeriod.year(d.period.year)?.label(chinese: chinese) ?? String(d.period.year)
        let months = d.months.map { chinese ? "\($0.period.number)月" : Self.shortMonths[($0.period.number - 1) % 12] }
        func figures(_ r: Report) -> [String: ReportValue] { d.village.map { r.villages[$0] ?? [:] } ?? r.township }
        let births = d.months.map { m in m.report.flatMap { figures($0)["births"]?.integer }.map(Double.init) }
        let ratio = d.months.map { m in m.report.flatMap { figures($0)["sex_ratio_at_birth"]?.decimal } }
        let noData = t("report.noData")
        var s = "<div class=\"charts\">"
        s += chartFigure(SVGChart.bar(title: t("report.chartBirths", place, year), categories: months,
                                      series: ChartSeries(t("report.births"), births), unit: t("report.people"),
                                      width: 560, height: 300, noDataText: noData, id: "births-by-month"))
        s += chartFigure(SVGChart.line(title: t("report.chartRatio", place, year), categories: months,
                                       series: [ChartSeries(t("report.sexRatio"), ratio)],
                                       reference: ChartReference(low: 103, high: 107, label: t("report.normalBand")),
                                       width: 560, height: 300, noDataText: noData, id: "sex-ratio-trend"))
        if d.village == nil {
            let villages = d.report.villages.keys.sorted()
            func series(_ key: String, _ name: String) -> ChartSeries {
                ChartSeries(t(name), villages.map { v in d.report.villages[v]?[key]?.integer.map(Double.init) })
            }
            s += chartFigure(SVGChart.groupedBar(title: t("report.chartVillages", d.period.label(chinese: chinese)), categories: villages,
                                                 series: [series("births_male", "report.boys"), series("births_female", "report.girls")],
                                                 unit: t("report.people"), width: max(560, min(1100, 80 * villages.count)), height: 320,
                                                 noDataText: noData, id: "villages-births"))
        }
        return s + "</div>"
    }

    static let shortMonths = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// A chart in a `<figure>` whose id is the chart's.
    func chartFigure(_ chart: SVGChart) -> String {
        "<figure class=\"chart\" id=\"\(h(chart.id ?? ""))\">\(chart.svg())</figure>"
    }

    // MARK: - Print view

    /// GET /report/print: the report on A4, with no header, navigation or form.
    func reportPrintPage(_ d: ReportPageData) -> HTTPResponse {
        let title = t("report.title", d.village.map { "\(d.township) \($0)" } ?? d.township, d.period.label(chinese: language == .zh))
        let back = "/report?" + reportLinkQuery(d.period, village: d.village, deadline: d.deadlineDay)
        var page = "<!DOCTYPE html>\n<html lang=\"\(language == .zh ? "zh-CN" : "en")\"><head><meta charset=\"utf-8\">"
        page += "<title>\(h(title))</title><style>\(WebApp.css)\(WebApp.reportCSS)\(WebApp.printCSS)</style></head><body class=\"print\">"
        page += "<main class=\"sheet\"><p class=\"noprint meta\">\(h(t("report.printHint"))) <a href=\"\(h(back))\">\(h(t("report.backToPage")))</a></p>"
        page += "<h1>\(h(title))</h1><p class=\"sub\">\(h(t("report.range", d.report.from, d.report.to)))　\(h(t("report.madeAt", time(d.madeAt))))</p>"
        page += reportShortfall(d)
        if d.village == nil { page += "<h2>\(h(rt(d, "report.villages")))</h2>\(reportVillagesTable(d, links: false))" }
        page += "<h2>\(h(t("report.charts")))</h2>\(reportCharts(d))"
        page += reportClosed(d)
        page += reportFigures(d)
        page += reportBreakdowns(d)
        page += reportTimeliness(d)
        page += "<p class=\"signature\">\(h(t("report.sign", d.township)))</p></main></body></html>\n"
        return .html(page)
    }
}
