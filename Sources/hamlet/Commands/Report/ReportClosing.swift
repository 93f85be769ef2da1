import Foundation
import HamletCLI
import HamletCore
import HamletStore

/// A period's close (截止): the figures as reported, what changed since, and timeliness, as the CLI prints them.
enum ReportClosing {
    static func closedText(_ closed: ClosedReport, _ p: ReportPeriod, place: String?, _ c: Context) -> String {
        var text = c.t("本期已于 \(c.time(closed.closedAt)) 由 \(closed.closedBy) 截止上报。", "Closed on \(c.time(closed.closedAt)) by \(closed.closedBy).")
        let diffs = closed.differences.filter { place == nil || $0.village == nil || $0.village == place }
        guard !diffs.isEmpty else { return text + c.t("截止后没有变化：上报数即当前数。\n", " Nothing changed since: reported = current.\n") }
        text += c.t("截止后收到补录/更正 \(closed.changes) 条（hamlet hub report changes \(p)），以下数字有变化：\n",
                    " \(closed.changes) late entries/corrections since (hamlet hub report changes \(p)); these figures changed:\n")
        var table = Table(columns: [Table.Column(header: c.t("村", "place")), Table.Column(header: c.t("指标", "figure")),
                                    Table.Column(header: c.t("上报数", "reported"), maxCells: 40), Table.Column(header: c.t("当前数", "current"), maxCells: 40)])
        table.rows = diffs.map { d in
            let i = Indicator.named(d.indicator)
            return [d.village ?? c.t("全镇", "township"), i?.label.text(chinese: c.chinese) ?? d.indicator,
                    ReportText.show(d.reported, i, c), ReportText.show(d.current, i, c)]
        }
        return text + table.render(maxWidth: max(c.width, 100))
    }

    /// - Parameter byTownship: a county's report (issue 18): one row per township.
    static func timelinessText(_ t: ReportTimeliness, place: String?, byTownship: Bool = false, _ c: Context) -> String {
        var text = c.t("上报截止日 \(t.deadline)", "deadline \(t.deadline)")
        text += t.onTimeRate.map { c.t("，按时上报率 \(ReportValue.decimal($0).description)%\n", ", on time \(ReportValue.decimal($0).description)%\n") }
            ?? c.t("（未到截止日）\n", " (not yet due)\n")
        let rows = t.villages.filter { place == nil || $0.village == place }
        var table = Table(columns: [Table.Column(header: byTownship ? c.t("镇", "township") : c.t("村", "village")),
                                    Table.Column(header: c.t("上报情况", "status")),
                                    Table.Column(header: c.t("截止前最后同步", "last sync by the deadline")),
                                    Table.Column(header: c.t("截止后收到本期数据", "period data after it"), alignment: .right),
                                    Table.Column(header: c.t("截止后未再同步", "silent since"))])
        table.rows = rows.map { v in
            [v.village, v.status.label.text(chinese: c.chinese), v.lastSyncBeforeDeadline.map { c.time($0) } ?? "—", String(v.lateChanges),
             v.silentSinceDeadline ? c.t("是", "yes") : ""]
        }
        return text + table.render(maxWidth: max(c.width, 100))
    }
}

/// `hamlet hub report close P`: freezes the period's figures as reported (上报数). Later changes are still taken in.
enum HubReportCloseCommand: HamletCommand {
    static let periodArgument = ArgumentSpec("period", nameZH: "期间", help: CommandTree.L("报告期：2026-11、2026年第4季度 或 2026", "the period: 2026-11, 2026-Q4 or 2026"))

    static func spec(_ schema: Schema) -> CommandSpec {
        CommandSpec(name: "close", abstract: CommandTree.L("截止：冻结本期上报数（之后的补录、更正照收，并在报表中列出）", "close a period: freeze its figures as reported (later changes are still taken in, and shown)"),
                    arguments: [periodArgument], options: [HubCommand.operatorName, CommandTree.dir, CommandTree.json],
                    examples: ["hamlet hub report close 2026-11"])
    }

    static func run(_ c: Context) throws {
        let p = try ReportText.parse(try c.argument(periodArgument))
        let h = try HubCommand.open(c)
        // Issue 18: a county closes its figures per township, as its report shows them by default.
        let report = try h.report(period: p, byTownship: try h.isCounty(), wallMillis: c.now)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let figures = String(decoding: try encoder.encode(report), as: UTF8.self)
        let close = try h.closePeriod(p.description, figures: figures, by: OperatorCommands.operatorName(c), wallMillis: c.now)
        if c.json { Output.json(["period": p.description, "closed_by": close.closedBy, "head": String(close.head)]); return }
        Output.out(c.t("已截止 \(p.label(chinese: true))：上报数已冻结（出生 \(report.township["births"] ?? .missing)，死亡 \(report.township["deaths"] ?? .missing)）\n",
                       "closed \(p.label(chinese: false)): figures frozen as reported (births \(report.township["births"] ?? .missing), deaths \(report.township["deaths"] ?? .missing))\n"))
    }
}

/// `hamlet hub report changes P`: the late entries and corrections (补录/更正) taken in after the period's close.
enum HubReportChangesCommand: HamletCommand {
    static func spec(_ schema: Schema) -> CommandSpec {
        CommandSpec(name: "changes", abstract: CommandTree.L("截止后收到的本期补录和更正", "late entries and corrections of a closed period"),
                    arguments: [HubReportCloseCommand.periodArgument], options: [CommandTree.dir, CommandTree.json],
                    examples: ["hamlet hub report changes 2026-11"])
    }

    static func run(_ c: Context) throws {
        let p = try ReportText.parse(try c.argument(HubReportCloseCommand.periodArgument))
        let h = try HubCommand.open(c)
        guard let close = try h.periodClose(p.description) else {
            throw CLIError(code: "not-closed", exit: .invalidData, message: Localized(zh: "\(p.label(chinese: true))还没有截止", en: "\(p.label(chinese: false)) has not been closed"),
                           hint: Localized(zh: "先运行 hamlet hub report close \(p)", en: "run hamlet hub report close \(p) first"))
        }
        let changes = try h.changes(dated: p.from, p.to, after: .afterHseq(close.head))
        if c.json { Output.json(changes); return }
        guard !changes.isEmpty else { Output.out(c.t("截止后没有收到本期的补录或更正\n", "nothing of the period arrived after the close\n")); return }
        var table = Table(columns: [Table.Column(header: c.t("村", "village")), Table.Column(header: c.t("类别", "kind")),
                                    Table.Column(header: c.t("表", "table")), Table.Column(header: c.t("日期", "date")),
                                    Table.Column(header: c.t("收到时间", "received")), Table.Column(header: c.t("节点", "node")),
                                    Table.Column(header: c.t("修改人", "who")), Table.Column(header: c.t("记录", "record"))])
        table.rows = changes.map { ch in
            [ch.village, ch.isLateEntry ? c.t("补录", "late entry") : c.t("更正", "correction"),
             h.schema.table(named: ch.table)?.label.text(chinese: c.chinese) ?? ch.table, ch.date, c.time(ch.receivedAt),
             Wording.writer(ch.node, c), ch.author, ShortID.of(ch.row)]
        }
        Output.out(table.render(maxWidth: max(c.width, 100)))
    }
}
