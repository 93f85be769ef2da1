import Foundation
import HamletCLI
import HamletCore
import HamletStore

/// `hamlet hub moves --period P [--village V] [--json|--format csv|xlsx]`: the 迁入迁出通报 — per village who moved
/// out (to where, why) and who moved in (from where, received or 待接收), the township's moves, and the moves between
/// villages not received after 30 days.
enum HubMovesCommand: HamletCommand {
    static let village = OptionSpec(long: "village", valueName: "name", help: CommandTree.L("只看这个村", "only this village"), valueNameZH: "村名")
    static let format = OptionSpec(long: "format", valueName: "csv|xlsx", help: CommandTree.L("导出：csv 或 xlsx（写到文件：> 迁入迁出通报.xlsx）", "export as csv or xlsx (redirect to a file: > moves.xlsx)"),
                                   valueNameZH: "格式")

    static func spec(_ schema: Schema) -> CommandSpec {
        CommandSpec(name: "moves", abstract: CommandTree.L("迁入迁出通报：各村和全镇本期迁出、迁入的人", "the move notice: who moved out of and into each village and the township"),
                    discussion: CommandTree.L("村间迁移在迁出村和迁入村各列一次，全镇只列一次。迁入村记下迁入之前为「待接收」；超过30天未接收的单独列出。",
                                              "A move between villages is listed by both villages and once for the township. It is awaiting until the receiving village records the move in; moves awaiting for over 30 days are listed apart."),
                    options: [ReportText.period, village, format, CommandTree.dir, CommandTree.json],
                    examples: ["hamlet hub moves --period 2026-11", "hamlet hub moves --period 2026-11 --village 南赵",
                               "hamlet hub moves --period 2026-11 --format xlsx > 迁入迁出通报.xlsx"])
    }

    static func run(_ c: Context) throws {
        let p = try ReportText.period(c, ReportText.period)
        let h = try HubCommand.open(c)
        let notice: MoveNotice
        do { notice = try h.moveNotice(period: p, village: c.value(village), wallMillis: c.now) } catch let error as ReportError {
            throw CLIError(code: error.code.rawValue, exit: .notFound, message: Localized(zh: error.zh, en: error.message))
        }
        if c.json { Output.json(notice); return }
        if let chosen = c.value(format) { try export(notice, format: chosen, c); return }
        Output.out(c.t("迁入迁出通报 \(p.label(chinese: true))（\(notice.from) 至 \(notice.to)）\n",
                       "Move notice, \(p.label(chinese: false)) (\(notice.from) to \(notice.to))\n"))
        for v in notice.villages {
            Output.out("\n" + c.t("\(v.village)：迁出 \(v.outCount) 人，迁入 \(v.inCount) 人\n", "\(v.village): \(v.outCount) out, \(v.inCount) in\n"))
            if !v.out.isEmpty { Output.out(table(v.out, c.t("迁出", "Moved out"), c)) }
            if !v.in.isEmpty { Output.out(table(v.in, c.t("迁入", "Moved in"), c)) }
        }
        if c.value(village) == nil {
            let t = notice.township
            Output.out("\n" + c.t("全镇：村间迁移 \(t.within.count) 人，迁出本镇 \(t.out.count) 人，迁入本镇 \(t.in.count) 人\n",
                                  "Township: \(t.within.count) between villages, \(t.out.count) out of it, \(t.in.count) into it\n"))
            if !t.within.isEmpty { Output.out(table(t.within, c.t("村间迁移", "Between villages"), c)) }
        }
        if notice.unreceived.isEmpty { return }
        Output.out("\n" + c.t("超过30天未接收 \(notice.unreceived.count) 人（请通知迁入村记录迁入）\n",
                              "\(notice.unreceived.count) not received after 30 days (ask the receiving village to record the move in)\n"))
        Output.out(table(notice.unreceived, c.t("未接收", "Awaiting"), c))
    }

    /// One list as a table: kind, name, ID tail, sex, from, to, date, reason, received.
    static func table(_ moves: [MoveLedger.Move], _ kind: String, _ c: Context) -> String {
        let headers = MoveNoticeSheet.header(chinese: c.chinese).dropFirst()
        var t = Table(columns: headers.map { Table.Column(header: $0, maxCells: 40) })
        t.rows = moves.map { m in
            [kind, m.name, m.nationalIDLast4 ?? "", MoveNoticeSheet.sexLabel(m.sex, chinese: c.chinese), m.birthDate ?? "",
             MoveNoticeSheet.place(m.from, chinese: c.chinese), MoveNoticeSheet.place(m.to, chinese: c.chinese), m.date, m.reason ?? "",
             MoveNoticeSheet.receivedLabel(m, chinese: c.chinese)]
        }
        return t.render(maxWidth: max(c.width, 120))
    }

    static func export(_ notice: MoveNotice, format: String, _ c: Context) throws {
        let sheet = MoveNoticeSheet(notice)
        try SheetOutput.write(format: format, file: Localized(zh: "迁入迁出通报.xlsx", en: "moves.xlsx"),
                              csv: { sheet.csv(chinese: c.chinese) },
                              xlsx: { sheet.xlsx(chinese: c.chinese, sheetName: c.t("迁入迁出通报 \(notice.period)", "moves \(notice.period)")) })
    }
}
