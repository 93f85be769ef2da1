import Foundation
import HamletCore
import HamletHTTP
import HamletStore

/// The 报表 page: the township's report for a month, quarter or year, as `hamlet hub report` prints it — every figure
/// with its unit and 口径, the villages side by side with the township total, the breakdowns, timeliness and
/// 按时上报率, the 漏报 flags, and for a closed period 上报数 beside 当前数 with the 补录/更正 behind them — plus
/// three inline SVG charts, a printable A4 view and the CSV/xlsx downloads (`ReportSheet`, the CLI's bytes).
/// Read only.
extension WebApp {
    /// What one report page shows, read once.
    struct ReportPageData {
        var period: ReportPeriod
        /// The village looked at, nil for the township.
        var village: String?
        /// The township's report with every village.
        var report: Report
        /// The months of the period's year, each with its report (nil for a month not begun yet).
        var months: [(period: ReportPeriod, report: Report?)]
        var timeliness: ReportTimeliness
        var shortfall: [ShortfallFlag]
        var closed: ClosedReport?
        /// The 补录/更正 since the close (empty when the period is open).
        var changes: [PeriodChange]
        /// The township's name: the hub's `township` setting, else 本镇 (本县 at a county).
        var township: String
        /// A county hub (issue 18): the report's columns are its townships, not villages.
        var byTownship = false
        var deadlineDay: Int
        /// When the page was made.
        var madeAt: Int64
    }

    /// The figures the villages table shows side by side (as the CLI's villages table).
    static let reportMainKeys = ["population_end", "births", "births_male", "births_female", "sex_ratio_at_birth", "deaths",
                                 "marriages", "moves_in", "moves_out", "migrants_out", "migrants_in"]
    /// The breakdowns shown as tables of their parts, per place.
    static let reportBreakdownKeys = ["births_by_order", "pregnancies_ended", "contraception_by_method", "visits_by_kind"]
    /// 补录/更正 listed on the page at most.
    static let reportChangesLimit = 200

    // MARK: - Requests

    /// The query's period (default: the last full month in the hub's time zone), village and deadline day,
    /// or the sentence saying what is wrong.
    func reportQuery() -> Result<(period: ReportPeriod, village: String?, deadline: Int), ReportQueryError> {
        let typed = (request.queryValue("period") ?? "").trimmingCharacters(in: .whitespaces)
        let period: ReportPeriod
        if typed.isEmpty {
            period = defaultReportPeriod()
        } else {
            do throws(ReportError) { period = try ReportPeriod(parsing: typed) } catch {
                return .failure(ReportQueryError(message: language == .zh ? error.zh : error.message))
            }
        }
        let village = request.queryValue("village").flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0 }
        let dayText = (request.queryValue("deadline") ?? "").trimmingCharacters(in: .whitespaces)
        guard dayText.isEmpty || (Int(dayText).map { (1...28).contains($0) } ?? false) else {
            return .failure(ReportQueryError(message: t("report.badDeadline", dayText)))
        }
        return .success((period, village, Int(dayText) ?? 5))
    }

    /// The last full month before today in the hub's time zone.
    func defaultReportPeriod() -> ReportPeriod {
        let today = CalendarDate(unixMillis: console.configuration.wallMillis(), zone: TimeZone(identifier: zone) ?? .gmt)
        let month = today.month == 1 ? ReportPeriod.month(today.year - 1, 12) : ReportPeriod.month(today.year, today.month - 1)
        guard let period = month ?? ReportPeriod.month(2000, 1) else { preconditionFailure("2000-01 is a month") }
        return period
    }

    /// GET /report and /report/print.
    func reportPage(_ store: HubStore, print: Bool) throws -> HTTPResponse {
        let query: (period: ReportPeriod, village: String?, deadline: Int)
        switch reportQuery() {
        case .success(let q): query = q
        case .failure(let e): return reportError(store, message: e.message, status: 400)
        }
        let data = try reportData(store, period: query.period, village: query.village, deadline: query.deadline)
        if let village = query.village, data.report.villages[village] == nil {
            let known = data.report.villages.keys.sorted().joined(separator: language == .zh ? "、" : ", ")
            return reportError(store, message: t("report.unknownVillage", village, known), status: 404)
        }
        return print ? reportPrintPage(data) : layout(reportTitle(data), reportBody(data))
    }

    /// GET /report.csv and /report.xlsx: `ReportSheet`'s bytes, as `hamlet hub report --format` writes them.
    func reportDownload(_ store: HubStore, xlsx: Bool) throws -> HTTPResponse {
        let query: (period: ReportPeriod, village: String?, deadline: Int)
        switch reportQuery() {
        case .success(let q): query = q
        case .failure(let e): return reportError(store, message: e.message, status: 400)
        }
        let report: Report
        do {
            report = try store.report(period: query.period, village: query.village, byTownship: try store.isCounty(),
                                      wallMillis: console.configuration.wallMillis())
        } catch let error as ReportError {
            return reportError(store, message: language == .zh ? error.zh : error.message, status: 404)
        }
        let chinese = language == .zh
        let sheet = ReportSheet(report)
        let body = xlsx ? sheet.xlsx(chinese: chinese, sheetName: chinese ? "月报 \(report.period)" : "report \(report.period)")
            : Array(sheet.csv(chinese: chinese).utf8)
        let headers = [("Content-Type", xlsx ? RegisterExport.xlsxContentType : "text/csv; charset=utf-8"),
                       ("Content-Disposition", reportDisposition(query.period, village: query.village, xlsx ? "xlsx" : "csv"))]
        return HTTPResponse(status: 200, headers: headers + HTTPResponse.securityHeaders, body: body)
    }

    /// `attachment; filename="report-2026-11.csv"; filename*=UTF-8''月报-2026-11.csv` (季报 / 年报 for a quarter / year;
    /// the village added when there is one).
    func reportDisposition(_ period: ReportPeriod, village: String?, _ ext: String) -> String {
        let kind: String
        switch period.kind {
        case .month: kind = "月报"
        case .quarter: kind = "季报"
        case .year: kind = "年报"
        }
        let full = ([kind, period.description] + [village].compactMap { $0 }).joined(separator: "-")
        return "attachment; filename=\"report-\(period.description).\(ext)\"; filename*=UTF-8''\(FormCoding.percentEncode(full)).\(ext)"
    }

    /// The report page with the form and the error above it (a period that cannot be read, an unknown village).
    func reportError(_ store: HubStore, message: String, status: Int) -> HTTPResponse {
        let villages = ((try? store.knownVillages()) ?? []).sorted()
        var body = "<h1>\(h(t("report.heading")))</h1><div class=\"flash error\" role=\"alert\">\(h(message))</div>"
        body += reportForm(period: request.queryValue("period") ?? "", village: request.queryValue("village"), villages: villages,
                           deadline: request.queryValue("deadline") ?? "5")
        return layout(t("report.heading"), body, status: status)
    }

    // MARK: - Reading

    /// Reads everything the page shows: one read of the rows for the period, the previous period, the same period
    /// last year and the year's months, then one `ReportEngine` pass per period.
    func reportData(_ store: HubStore, period: ReportPeriod, village: String?, deadline: Int) throws -> ReportPageData {
        let now = console.configuration.wallMillis()
        let today = CalendarDate(unixMillis: now, zone: TimeZone(identifier: zone) ?? .gmt)
        let yearMonths = ReportPeriod.year(period.year)?.months ?? period.months
        let county = try store.isCounty()
        let input = try store.reportInput(covering: [period, period.previous, period.sameLastYear] + yearMonths, byTownship: county,
                                          wallMillis: now)
        let engine = ReportEngine(input)
        let report = engine.report(for: period)
        let months = yearMonths.map { m in (period: m, report: m.from > today ? nil : Optional(engine.report(for: m))) }
        let lastYear = period.sameLastYear == period.previous ? nil : engine.report(for: period.sameLastYear)
        let shortfall = ShortfallSignal.flags(current: report, previous: engine.report(for: period.previous), sameLastYear: lastYear)
            .filter { village == nil || $0.village == nil || $0.village == village }
        let timeliness = try store.timeliness(period: period, villages: report.villages.keys.sorted(), deadlineDay: deadline,
                                              byTownship: county, wallMillis: now)
        let closed = try store.closedReport(period, current: report)
        var changes: [PeriodChange] = []
        if closed != nil, let close = try store.periodClose(period.description) {
            changes = try store.changes(dated: period.from, period.to, after: .afterHseq(close.head))
                .filter { village == nil || $0.village == village }
        }
        let named = ((try store.meta("township")) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        return ReportPageData(period: period, village: village, report: report, months: months, timeliness: timeliness,
                              shortfall: shortfall, closed: closed, changes: changes,
                              township: named.isEmpty ? t(county ? "report.county.this" : "report.thisTownship") : named,
                              byTownship: county, deadlineDay: deadline, madeAt: now)
    }

    // MARK: - Links

    /// The query of this report's links, with `period` (and the village, deadline) as given, plus `extra`.
    func reportLinkQuery(_ period: ReportPeriod, village: String?, deadline: Int) -> String {
        var pairs = [("period", period.description)]
        if let village { pairs.append(("village", village)) }
        if deadline != 5 { pairs.append(("deadline", String(deadline))) }
        return FormCoding.encode(pairs)
    }

    func reportTitle(_ d: ReportPageData) -> String {
        t("report.title", d.village ?? d.township, d.period.label(chinese: language == .zh))
    }

    /// A figure as shown: counts, rates with two decimals, `—` when it cannot be given, breakdowns by their parts.
    func reportShow(_ v: ReportValue, _ indicator: Indicator?) -> String {
        guard case .object(let o) = v else { return v.description }
        let parts = indicator?.parts ?? []
        let order = parts.filter { o[$0] != nil } + o.keys.sorted().filter { !parts.contains($0) }
        guard !order.isEmpty else { return language == .zh ? "无" : "none" }
        return order.map { k in
            let inner = o[k] ?? .missing
            let label = Indicator.partLabel(k).text(chinese: language == .zh)
            return inner.object != nil ? label + "（" + reportShow(inner, nil) + "）" : label + " " + inner.description
        }.joined(separator: language == .zh ? "，" : ", ")
    }
}

/// Why the report's query cannot be answered, in the page's language.
struct ReportQueryError: Error {
    var message: String
}
