import Foundation
import HamletCLI
import HamletCore
import HamletHub
import HamletStore

/// `hamlet hub export TABLE`: CSV for Excel (UTF-8 with BOM, CRLF, formula characters neutralised) or xlsx
/// (text-typed cells, Chinese headers); names in pinyin order.
enum HubExportCommand: HamletCommand {
    static let format = OptionSpec(long: "format", valueName: "csv|xlsx", help: CommandTree.L("格式：csv（以 = + - @ 开头的单元格前加 '，防止被当成公式）或 xlsx（写到文件：> people.xlsx）", "format: csv (cells beginning with = + - @ get a leading ' so they never run as formulas) or xlsx (redirect to a file: > people.xlsx)"), defaultDescription: "csv")
    static let village = OptionSpec(long: "village", valueName: "name", help: CommandTree.L("只导出某村", "one village only"), valueNameZH: "村名")
    static let deleted = OptionSpec(long: "deleted", help: CommandTree.L("包括已删除的", "include deleted rows"))
    static let codes = OptionSpec(long: "codes", help: CommandTree.L("表头用英文字段名、取值用代码（供程序读取）", "field names and codes (the default in English)"))

    static func spec(_ schema: Schema) -> CommandSpec {
        CommandSpec(name: "export", abstract: CommandTree.L("导出为 CSV（Excel 可直接打开）或 xlsx（身份证号、电话按文本保存）；中文表头和取值，导入时可直接读回", "export as CSV (UTF-8 with BOM, CRLF: opens in Excel) or xlsx (IDs and phones as text)"),
                    arguments: [CommandTree.tableArgument(schema)],
                    options: [format, village, deleted, codes, CommandTree.dir],
                    examples: ["hamlet hub export people > people.csv", "hamlet hub export people --format xlsx > people.xlsx"])
    }

    static func run(_ c: Context) throws {
        let format = c.value(Self.format) ?? "csv"
        guard format == "csv" || format == "xlsx" else {
            throw CLIError(code: "usage", exit: .usage, message: Localized(zh: "--format 只能是 csv 或 xlsx", en: "--format is csv or xlsx"))
        }
        if format == "xlsx", isatty(1) == 1 {
            throw CLIError(code: "usage", exit: .usage,
                           message: Localized(zh: "xlsx 是二进制文件，请重定向到文件：hamlet hub export people --format xlsx > people.xlsx",
                                              en: "xlsx is a binary file; redirect it: hamlet hub export people --format xlsx > people.xlsx"))
        }
        let h = try HubCommand.open(c)
        let t = try OperatorCommands.tableSchema(h, c.tableName(try c.tableArgument(), h.schema))
        // Under Chinese: Chinese headers and enum labels, which import reads back; --codes (and English): field names and codes.
        let labels = c.chinese && !c.flag(Self.codes)
        let village = c.value(Self.village)
        let deleted = c.flag(Self.deleted)
        if format == "xlsx" {
            // The zip needs the whole sheet first: the rows' text is held (not their version records), then written.
            var cells: [[String]] = []
            try h.forEachExportRow(table: t.name, village: village, includeDeleted: deleted) { id, values in
                cells.append(RegisterExport.xlsxRecord(t, id: id, values: values, labels: labels))
            }
            Output.out(bytes: RegisterExport.xlsx(t, cells: cells, labels: labels))  // shared with the web page's /export/<table>.xlsx
            return
        }
        // CSV streams: rows are read one at a time and written in 64 KiB pieces, never the whole file in memory.
        // The bytes are RegisterExport.csv's, as the web page's /export/<table>.csv gives them.
        var writer = RegisterCSVWriter(table: t, labels: labels) { bytes in
            guard Output.writeFully(1, bytes: bytes) else { throw StdoutClosed() }
        }
        do {
            try h.forEachExportRow(table: t.name, village: village, includeDeleted: deleted) { id, values in
                try writer.append(id: id, values: values)
            }
            try writer.finish()
        } catch is StdoutClosed {
            return  // stdout closed (e.g. `| head`): stop reading, nothing more to say
        }
    }

    /// Thrown by the CSV sink when stdout no longer takes bytes.
    private struct StdoutClosed: Error {}
}
