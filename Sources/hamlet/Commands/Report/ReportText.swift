import Foundation
import HamletCLI
import HamletCore
import HamletStore

/// How the CLI prints a report (node and hub): the figures of one place with their 口径, a table of the
/// villages' main figures, downloads as CSV/xlsx, the period parsed with a clear error.
enum ReportText {
    static let period = OptionSpec(long: "period", valueName: "period", help: CommandTree.L("报告期：月 2026-11（或 2026年11月）、季度 2026年第4季度、年 2026", "the period: a month 2026-11, a quarter 2026-Q4 or a year 2026"),
                                   valueNameZH: "期间")
    static let format = OptionSpec(long: "format", valueName: "csv|xlsx", help: CommandTree.L("导出：csv 或 xlsx（写到文件：> 月报.xlsx）", "export as csv or xlsx (redirect to a file: > report.xlsx)"),
                                   valueNameZH: "格式")
    static let definitions = OptionSpec(long: "definitions", help: CommandTree.L("只列出全部指标和口径（不需要 --period）", "list every figure and its definition (no --period needed)"))

    /// `--definitions`: every indicator, its key, unit and 口径; true when printed (the command is done).
    static func printDefinitions(_ c: Context) -> Bool {
        guard c.flag(definitions) else { return false }
        if c.json {
            Output.json(Indicator.all.map { ["key": $0.key, "group": $0.group.rawValue, "label_zh": $0.label.zh, "label_en": $0.label.en,
                                             "unit_zh": $0.unit.zh, "unit_en": $0.unit.en, "definition_zh": $0.definition.zh,
                                             "definition_en": $0.definition.en] })
            return true
        }
        var table = Table(columns: [Table.Column(header: c.t("指标", "figure")), Table.Column(header: c.t("键名", "key")),
                                    Table.Column(header: c.t("单位", "unit")), Table.Column(header: c.t("口径", "definition"))])
        table.rows = Indicator.all.map { [$0.label.text(chinese: c.chinese), $0.key, $0.unit.text(chinese: c.chinese), $0.definition.text(chinese: c.chinese)] }
        Output.out(table.render(maxWidth: max(c.width, 120)))
        return true
    }

    /// The main figures a villages table shows (the rest are in each place's full list and the export).
    static let mainKeys = ["population_end", "births", "births_male", "births_female", "sex_ratio_at_birth", "deaths",
                           "marriages", "moves_in", "moves_out", "migrants_out", "migrants_in"]

    static func period(_ c: Context, _ option: OptionSpec) throws -> ReportPeriod {
        guard let text = c.value(option) else {
            throw CLIError(code: "usage", exit: .usage, message: Localized(zh: "请用 --period 给出报告期，例如 --period 2026-11", en: "give the period with --period, e.g. --period 2026-11"))
        }
        return try parse(text)
    }

    static func parse(_ text: String) throws -> ReportPeriod {
        do throws(ReportError) { return try ReportPeriod(parsing: text) } catch {
            throw CLIError(code: error.code.rawValue, exit: .usage, message: Localized(zh: error.zh, en: error.message))
        }
    }

    /// A figure as shown: counts, rates with two decimals, `—` when it cannot be given, breakdowns by their parts.
    static func show(_ v: ReportValue, _ indicator: Indicator?, _ c: Context) -> String {
        guard case .object(let o) = v else { return v.description }
        let order = (indicator?.parts ?? []).filter { o[$0] != nil } + o.keys.sorted().filter { !(indicator?.parts ?? []).contains($0) }
        return order.map { k in
            let inner = o[k] ?? .missing
            let text = inner.object != nil ? "（" + show(inner, nil, c) + "）" : " " + inner.description
            return Indicator.partLabel(k).text(chinese: c.chinese) + text
        }.joined(separator: c.t("，", ", "))
    }

    /// Every figure of the township (and of `village` beside it) with its unit and 口径.
    /// - Parameter county: a county hub's report (issue 18): the total column is the county's.
    static func figures(_ r: Report, village: String?, county: Bool = false, _ c: Context) -> String {
        let total = county ? c.t("全县", "county") : c.t("全镇", "township")
        var columns = [Table.Column(header: c.t("指标", "figure")), Table.Column(header: total, maxCells: 40)]
        if let village { columns.append(Table.Column(header: village, maxCells: 40)) }
        columns += [Table.Column(header: c.t("单位", "unit")), Table.Column(header: c.t("口径", "definition"), maxCells: 60)]
        var table = Table(columns: columns)
        table.rows = Indicator.all.map { i in
            var row = [i.label.text(chinese: c.chinese), show(r.township[i.key] ?? .missing, i, c)]
            if let village { row.append(show(r.villages[village]?[i.key] ?? .missing, i, c)) }
            return row + [i.unit.text(chinese: c.chinese), i.definition.text(chinese: c.chinese)]
        }
        return table.render(maxWidth: max(c.width, 120))
    }

    /// The villages side by side on the main figures, the township last.
    /// - Parameter county: columns are townships and the total the county's (issue 18); nil: a township's villages.
    static func villages(_ r: Report, county: Bool = false, byTownship: Bool = false, _ c: Context) -> String {
        let place = byTownship ? c.t("镇", "township") : c.t("村", "village")
        var table = Table(columns: [Table.Column(header: place)]
            + mainKeys.compactMap(Indicator.named).map { Table.Column(header: $0.label.text(chinese: c.chinese), alignment: .right) })
        table.rows = r.villages.keys.sorted().map { v in [v] + mainKeys.map { (r.villages[v]?[$0] ?? .missing).description } }
        table.rows.append([county ? c.t("全县", "county") : c.t("全镇", "township")] + mainKeys.map { (r.township[$0] ?? .missing).description })
        return table.render(maxWidth: max(c.width, 120))
    }

    /// Writes the report as CSV or xlsx to stdout (xlsx only redirected).
    static func export(_ r: Report, format: String, _ c: Context) throws {
        let sheet = ReportSheet(r)
        try SheetOutput.write(format: format, file: Localized(zh: "月报.xlsx", en: "report.xlsx"),
                              csv: { sheet.csv(chinese: c.chinese) },
                              xlsx: { sheet.xlsx(chinese: c.chinese, sheetName: c.t("月报 \(r.period)", "report \(r.period)")) })
    }


    static func heading(_ r: Report, _ p: ReportPeriod, place: String, _ c: Context) -> String {
        c.t("\(place) \(p.label(chinese: true))报表（\(r.from) 至 \(r.to)）\n", "\(place) report for \(p.label(chinese: false)) (\(r.from) to \(r.to))\n")
    }
}
