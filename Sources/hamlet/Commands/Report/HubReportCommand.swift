import Foundation
import HamletCLI
import HamletCore
import HamletStore

/// `hamlet hub report --period P [--village V] [--deadline-day D] [--json|--format csv|xlsx]`: the township's report
/// (every village and the township), with timeliness, the 漏报 signal, and — for a closed period — 上报数 beside 当前数.
enum HubReportCommand: HamletCommand {
    static let village = OptionSpec(long: "village", valueName: "name", help: CommandTree.L("只看这个村（全镇数并列）", "one village (beside the township's figures)"), valueNameZH: "村名")
    static let deadlineDay = OptionSpec(long: "deadline-day", valueName: "day", help: CommandTree.L("上报截止日：次月第几日（默认 5）", "the reporting deadline: this day of the next month (default 5)"),
                                        defaultDescription: "5", valueNameZH: "日")

    /// Issue 18: at a county hub the report has one column per township; this asks for one per village.
    static let byVillage = OptionSpec(long: "villages", help: CommandTree.L("县级：每个村一列（默认每个镇一列）", "at a county hub: one column per village (default: one per township)"))

    static var subcommands: [any HamletCommand.Type] { [HubReportCloseCommand.self, HubReportChangesCommand.self] }

    static func spec(_ schema: Schema) -> CommandSpec {
        CommandSpec(name: "report", abstract: CommandTree.L("月报：全镇和各村的指标（每个数字附口径）", "the monthly report: the township's and every village's figures, each with its definition"),
                    discussion: CommandTree.L("迟到的数据照收不误：截止（hamlet hub report close）之后的补录和更正在报表里以「上报数 / 当前数」并列显示。",
                                              "Late data is always taken in: after a close (hamlet hub report close), late entries and corrections show as reported beside current."),
                    options: [ReportText.period, ReportText.definitions, village, byVillage, deadlineDay, ReportText.format, CommandTree.dir, CommandTree.json],
                    examples: ["hamlet hub report --period 2026-11", "hamlet hub report --period 2026年第4季度 --village 北赵",
                               "hamlet hub report --period 2026 --format xlsx > 2026年报.xlsx", "hamlet hub report close 2026-11"],
                    runsWithoutSubcommand: true)
    }

    /// Everything `--json` prints: the report's own shape, then timeliness, the 漏报 flags and the close.
    struct JSON: Encodable {
        var period, from, to: String
        var township: [String: ReportValue]
        var villages: [String: [String: ReportValue]]
        var timeliness: ReportTimeliness
        var shortfall: [ShortfallFlag]
        var closed: ClosedReport?
    }

    static func run(_ c: Context) throws {
        if ReportText.printDefinitions(c) { return }
        let p = try ReportText.period(c, ReportText.period)
        let h = try HubCommand.open(c)
        let place = c.value(village)
        let county = try h.isCounty()
        let byTownship = county && !c.flag(byVillage)
        let full = try h.report(period: p, byTownship: byTownship, wallMillis: c.now)
        let report = try place.map { v throws -> Report in
            do throws(ReportError) { return try full.only(village: v) } catch {
                throw CLIError(code: error.code.rawValue, exit: .notFound, message: Localized(zh: error.zh, en: error.message))
            }
        } ?? full
        if let format = c.value(ReportText.format), !c.json { try ReportText.export(report, format: format, c); return }
        let day = Int(c.value(deadlineDay) ?? "5") ?? 5
        let timeliness = try h.timeliness(period: p, villages: full.villages.keys.sorted(), deadlineDay: day, byTownship: byTownship,
                                          wallMillis: c.now)
        let shortfall = try h.shortfall(period: p, byTownship: byTownship, wallMillis: c.now)
            .filter { place == nil || $0.village == nil || $0.village == place }
        // A county's close holds its figures per township (`report close`): compared in the same terms.
        let closed = try h.closedReport(p, current: byTownship == county ? full : try h.report(period: p, byTownship: county, wallMillis: c.now))
        if c.json {
            Output.json(JSON(period: report.period, from: report.from, to: report.to, township: report.township, villages: report.villages,
                             timeliness: timeliness, shortfall: shortfall, closed: closed))
            return
        }
        Output.out(ReportText.heading(report, p, place: county ? c.t("全县", "County") : c.t("全镇", "Township"), c))
        Output.out(ReportText.figures(report, village: place, county: county, c))
        if place == nil { Output.out("\n" + ReportText.villages(report, county: county, byTownship: byTownship, c)) }
        Output.out("\n" + ReportClosing.timelinessText(timeliness, place: place, byTownship: byTownship, c))
        for f in shortfall { Output.out(c.t("漏报提示：", "possible under-reporting: ") + f.message.text(chinese: c.chinese) + "\n") }
        if let closed { Output.out("\n" + ReportClosing.closedText(closed, p, place: place, c)) }
    }
}
