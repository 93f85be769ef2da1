import HamletCLI
import HamletCore
import HamletStore

/// `hamlet report --period P [--json] [--format csv|xlsx]`: the village's own report on its node, offline.
enum ReportCommand: HamletCommand {
    static func spec(_ schema: Schema) -> CommandSpec {
        CommandSpec(name: "report", abstract: CommandTree.L("本村报表（离线，按本机数据）", "this village's report (offline, from this replica)"),
                    discussion: CommandTree.L("每个数字都附口径。镇中心的报表以镇中心收到的数据为准。", "Every figure comes with its definition. The township's report is made at the hub from what it has received."),
                    options: [ReportText.period, ReportText.definitions, ReportText.format, CommandTree.dir, CommandTree.json],
                    examples: ["hamlet report --period 2026-11", "hamlet report --period 2026 --format xlsx > 2026年报.xlsx"])
    }

    static func run(_ c: Context) throws {
        if ReportText.printDefinitions(c) { return }
        let p = try ReportText.period(c, ReportText.period)
        let r = try ReplicaCommands.open(c)
        let report = try r.report(period: p)
        if c.json { Output.json(report); return }
        if let format = c.value(ReportText.format) { try ReportText.export(report, format: format, c); return }
        let village = try r.info().village
        Output.out(ReportText.heading(report, p, place: village, c))
        Output.out(ReportText.figures(report, village: nil, c))
    }
}
