import Foundation
import HamletCLI
import HamletCore
import HamletStore

/// `hamlet hub compare --file F [--kind K] [--village V] [--out R.csv|R.xlsx] [--json]`: 比对 — an outside list
/// (公安户籍, 出生医学证明, 婚姻登记) keyed by 身份证号 against the register. Read only: nothing in the register
/// changes; a clerk or operator acts on what it finds.
enum HubCompareCommand: HamletCommand {
    static let file = OptionSpec(long: "file", valueName: "path", help: CommandTree.L("外部名单：CSV（UTF-8 或 GBK）或 xlsx，须有身份证号一列", "the outside list: CSV (UTF-8 or GBK) or xlsx, with a national ID column"), valueNameZH: "文件")
    static let kind = OptionSpec(long: "kind", valueName: "kind", help: CommandTree.L("名单类别：公安户籍、出生医学证明 或 婚姻登记", "list kind: 公安户籍 (hukou), 出生医学证明 (birth) or 婚姻登记 (marriage)"),
                                 defaultDescription: "hukou", valueNameZH: "类别", defaultDescriptionZH: "公安户籍")
    static let village = OptionSpec(long: "village", valueName: "name", help: CommandTree.L("只比对这个村", "compare one village only"), valueNameZH: "村名")
    static let out = OptionSpec(long: "out", valueName: "path", help: CommandTree.L("把全部结果写到文件（.csv 或 .xlsx，仅本人可读）", "write every item to a file (.csv or .xlsx, readable by you only)"), valueNameZH: "文件")
    /// Items printed on the terminal at most; `--out` and `--json` hold all of them.
    static let shown = 100

    static func spec(_ schema: Schema) -> CommandSpec {
        CommandSpec(name: "compare", abstract: CommandTree.L("比对：外部名单与登记簿逐人核对（漏报、名单外、信息不一致）", "compare an outside list with the register: missing, not on the list, differing"),
                    discussion: CommandTree.L("按身份证号比对，只读，不修改登记簿。", "Matched by national ID; read only: the register is not changed."),
                    options: [file, kind, village, out, CommandTree.dir, CommandTree.json],
                    examples: ["hamlet hub compare --file 公安户籍.xlsx --village 北赵", "hamlet hub compare --file 出生医学证明.csv --kind 出生医学证明 --out 比对结果.xlsx"])
    }

    static func run(_ c: Context) throws {
        guard let path = c.value(file) else {
            throw CLIError(code: "usage", exit: .usage, message: Localized(zh: "请用 --file 给出外部名单", en: "give the outside list with --file"))
        }
        let listKind = try c.value(kind).map { k in
            guard let parsed = OutsideListKind(parsing: k) else {
                throw CLIError(code: "usage", exit: .usage, message: Localized(zh: "名单类别只能是 公安户籍、出生医学证明 或 婚姻登记", en: "--kind is hukou, birth or marriage"))
            }
            return parsed
        } ?? .hukou
        let list = try read(path, listKind, c)
        let h = try HubCommand.open(c)
        let result = try h.compare(list: list, village: c.value(village))
        if let target = c.value(out) { try write(result, to: target, c) }
        if c.json { Output.json(result, snakeCase: true); return }
        Output.out(summary(result, c))
        let rows = ComparisonExport.rows(result, chinese: c.chinese)
        guard !rows.isEmpty else { return }
        let shownColumns = [0, 1, 2, 5, 6, 7, 8, 9, 11]   // the sheet's columns a terminal has room for (--out holds all)
        var table = Table(columns: shownColumns.map { Table.Column(header: ComparisonExport.header(chinese: c.chinese)[$0], maxCells: $0 == 0 ? nil : 30, shrinks: $0 > 1) })
        table.rows = rows.prefix(shown).map { r in shownColumns.map { r[$0] } }
        Output.out(table.render(maxWidth: max(c.width, 120)))
        if rows.count > shown {
            Output.out(c.t("共 \(rows.count) 条，显示前 \(shown) 条；用 --out 文件 保存全部\n", "\(rows.count) items, first \(shown) shown; --out FILE saves all\n"))
        }
    }

    static func read(_ path: String, _ kind: OutsideListKind, _ c: Context) throws -> OutsideList {
        let sheet: CSVTable
        let isCSV: Bool
        switch try SheetInput.read(path) {
        case .success(let read): (sheet, isCSV) = read
        case .failure(let error):
            throw CLIError(code: error.code.rawValue, exit: .invalidData, message: Localized(zh: error.messageZH, en: error.message))
        }
        do throws(OutsideListError) {
            return try OutsideList.read(sheet, kind: kind, isCSV: isCSV)
        } catch {
            throw CLIError(code: error.code.rawValue, exit: .invalidData, message: Localized(zh: error.messageZH, en: error.message))
        }
    }

    static func summary(_ r: ListComparison, _ c: Context) -> String {
        let s = r.summary
        var text = c.t("\(r.kind.label.zh)名单 \(s.listRows) 人，与登记簿对上 \(s.matched) 人\n", "\(r.kind.label.en) list: \(s.listRows) people, \(s.matched) matched in the register\n")
        text += c.t("名单有、登记簿没有（可能漏报）：\(s.missing) 人\n", "on the list, not in the register (possibly unreported): \(s.missing)\n")
        text += c.t("登记簿有、名单没有：\(s.notInList) 人\n", "in the register, not on the list: \(s.notInList)\n")
        text += c.t("信息不一致：\(s.differingPeople) 人 \(s.differences) 项\n", "differing: \(s.differences) field(s) of \(s.differingPeople) people\n")
        if s.issues > 0 { text += c.t("名单中无法比对的行：\(s.issues)\n", "list lines not compared: \(s.issues)\n") }
        if s.outOfScope > 0 { text += c.t("属于其他村、未列出：\(s.outOfScope) 人\n", "in other villages, not listed: \(s.outOfScope)\n") }
        return text
    }

    /// The whole result to a file the operator alone can read (it holds names and 身份证号).
    static func write(_ r: ListComparison, to path: String, _ c: Context) throws {
        let bytes: [UInt8]
        switch (path as NSString).pathExtension.lowercased() {
        case "xlsx": bytes = ComparisonExport.xlsx(r, chinese: c.chinese)
        case "csv": bytes = Array(ComparisonExport.csv(r, chinese: c.chinese).utf8)
        default:
            throw CLIError(code: "usage", exit: .usage, message: Localized(zh: "--out 的文件名要以 .csv 或 .xlsx 结尾", en: "--out must end in .csv or .xlsx"))
        }
        guard FileManager.default.createFile(atPath: path, contents: Data(bytes), attributes: [.posixPermissions: 0o600]) else {
            throw CLIError(code: "io", exit: .storage, message: Localized(zh: "写不了文件 \(path)", en: "cannot write \(path)"))
        }
        _ = chmod(path, 0o600)
    }
}
