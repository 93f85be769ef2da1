/// The 迁入迁出通报 as a sheet (`hamlet hub moves --format csv|xlsx`, the page's downloads): one row per move
/// per side — each village's 迁出 and 迁入, then the township's (村间迁移 once, 迁出本镇, 迁入本镇), then the
/// moves between villages not received after the limit. Every cell is text.
public struct MoveNoticeSheet: Sendable {
    public var notice: MoveNotice

    /// Makes the sheet.
    /// - Parameter notice: the notice.
    public init(_ notice: MoveNotice) { self.notice = notice }

    /// The header.
    public static func header(chinese: Bool) -> [String] {
        chinese ? ["村", "类别", "姓名", "身份证号后4位", "性别", "出生日期", "迁出地", "迁入地", "日期", "原因/说明", "接收情况"]
            : ["village", "kind", "name", "national ID (last 4)", "sex", "birth date", "from", "to", "date", "reason / detail", "received"]
    }

    /// `女` / `男` (`female` / `male`), the code itself otherwise.
    public static func sexLabel(_ sex: String?, chinese: Bool) -> String {
        switch sex {
        case "F": return chinese ? "女" : "female"
        case "M": return chinese ? "男" : "male"
        default: return sex ?? ""
        }
    }

    /// 已接收 2026-11-20 / 待接收 (本镇以外 for a move with no receiving village).
    public static func receivedLabel(_ m: MoveLedger.Move, chinese: Bool) -> String {
        if m.scope == .outOfTownship { return chinese ? "迁出本镇" : "left the township" }
        guard let day = m.received else { return chinese ? "待接收" : "awaiting" }
        return (chinese ? "已接收 " : "received ") + day
    }

    /// A place: the village, or 本镇以外 (outside the township).
    public static func place(_ v: String?, chinese: Bool) -> String { v ?? (chinese ? "本镇以外" : "outside the township") }

    /// The header row and one row per move per side.
    public func rows(chinese: Bool) -> [[String]] {
        func row(_ place: String, _ kind: String, _ m: MoveLedger.Move) -> [String] {
            [place, kind, m.name, m.nationalIDLast4 ?? "", Self.sexLabel(m.sex, chinese: chinese), m.birthDate ?? "",
             Self.place(m.from, chinese: chinese), Self.place(m.to, chinese: chinese), m.date, m.reason ?? "",
             Self.receivedLabel(m, chinese: chinese)]
        }
        let out = chinese ? "迁出" : "moved out", into = chinese ? "迁入" : "moved in"
        var rows = [Self.header(chinese: chinese)]
        for v in notice.villages {
            rows += v.out.map { row(v.village, out, $0) } + v.in.map { row(v.village, into, $0) }
        }
        let township = chinese ? "全镇" : "township"
        rows += notice.township.within.map { row(township, chinese ? "村间迁移" : "between villages", $0) }
        rows += notice.township.out.map { row(township, chinese ? "迁出本镇" : "out of the township", $0) }
        rows += notice.township.in.map { row(township, chinese ? "迁入本镇" : "into the township", $0) }
        rows += notice.unreceived.map { row($0.to ?? "", chinese ? "超过30天未接收" : "not received after 30 days", $0) }
        return rows
    }

    /// CSV for spreadsheet programs: BOM, CRLF, every cell formula-guarded.
    public func csv(chinese: Bool) -> String {
        CSV.encode(rows(chinese: chinese).map { $0.map(FormulaGuard.neutralized) }, bom: true, lineEnding: "\r\n")
    }

    /// xlsx: every column text (a 身份证号 tail keeps its leading 0).
    /// - Parameters:
    ///   - chinese: the reader's language.
    ///   - sheetName: the tab's name.
    /// - Returns: the workbook.
    public func xlsx(chinese: Bool, sheetName: String) -> [UInt8] {
        let table = rows(chinese: chinese)
        let columns = table[0].map { XLSXWriter.Column($0, .text) }
        return XLSXWriter.workbook(sheetName: sheetName, columns: columns, rows: Array(table.dropFirst()))
    }
}
