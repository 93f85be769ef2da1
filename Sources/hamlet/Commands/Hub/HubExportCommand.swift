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
    static let out = OptionSpec(long: "out", valueName: "path", help: CommandTree.L("写到文件而不是标准输出（仅本人可读；以 .xlsx 结尾时默认 xlsx 格式）", "write to a file instead of stdout (readable by you only; a .xlsx name means --format xlsx)"), valueNameZH: "文件")
    static let codes = OptionSpec(long: "codes", help: CommandTree.L("表头用英文字段名、取值用代码（供程序读取）", "field names and codes (the default in English)"))

    static func spec(_ schema: Schema) -> CommandSpec {
        CommandSpec(name: "export", abstract: CommandTree.L("导出为 CSV（Excel 可直接打开）或 xlsx（身份证号、电话按文本保存）；中文表头和取值，导入时可直接读回", "export as CSV (UTF-8 with BOM, CRLF: opens in Excel) or xlsx (IDs and phones as text)"),
                    arguments: [CommandTree.tableArgument(schema)],
                    options: [format, village, deleted, codes, out, CommandTree.dir],
                    examples: ["hamlet hub export people > people.csv", "hamlet hub export people --format xlsx > people.xlsx",
                               "hamlet hub export people --out people.xlsx"])
    }

    static func run(_ c: Context) throws {
        let target = c.value(Self.out)
        let format = c.value(Self.format) ?? (target.map { ($0 as NSString).pathExtension.lowercased() == "xlsx" } == true ? "xlsx" : "csv")
        guard format == "csv" || format == "xlsx" else {
            throw CLIError(code: "usage", exit: .usage, message: Localized(zh: "--format 只能是 csv 或 xlsx", en: "--format is csv or xlsx"))
        }
        if format == "xlsx", target == nil, isatty(1) == 1 {
            throw CLIError(code: "usage", exit: .usage,
                           message: Localized(zh: "xlsx 是二进制文件，请重定向到文件：hamlet hub export people --format xlsx > people.xlsx",
                                              en: "xlsx is a binary file; redirect it: hamlet hub export people --format xlsx > people.xlsx"))
        }
        let h = try HubCommand.open(c)
        let t = try OperatorCommands.tableSchema(h, c.tableName(try c.tableArgument(), h.schema))
        let fd = try target.map(openPrivate) ?? 1
        defer { if fd != 1 { close(fd) } }
        // The sink: stdout stops quietly when closed (`| head`); a file that stops taking bytes is a storage error.
        let sink: ([UInt8]) throws -> Void = { bytes in
            guard Output.writeFully(fd, bytes: bytes) else {
                guard let target else { throw StdoutClosed() }
                throw CLIError(code: "io", exit: .storage, message: Localized(zh: "写不了文件 \(target)", en: "cannot write \(target)"))
            }
        }
        do {
            try export(h, t, xlsx: format == "xlsx", c, sink: sink)
        } catch is StdoutClosed {
            return  // stdout closed (e.g. `| head`): stop reading, nothing more to say
        }
    }

    /// Writes the export through `sink` a row at a time, CSV or xlsx, in bounded memory.
    private static func export(_ h: HubStore, _ t: TableSchema, xlsx: Bool, _ c: Context, sink: @escaping ([UInt8]) throws -> Void) throws {
        // Under Chinese: Chinese headers and enum labels, which import reads back; --codes (and English): field names and codes.
        let labels = c.chinese && !c.flag(Self.codes)
        let village = c.value(Self.village)
        let deleted = c.flag(Self.deleted)
        if xlsx {
            // Streams too: the sheet is deflated as rows come and its size goes in a data descriptor, so a pipe works.
            var writer = RegisterXLSXWriter(table: t, labels: labels, sink: sink)  // the web page's /export/<table>.xlsx bytes
            try h.forEachExportRow(table: t.name, village: village, includeDeleted: deleted) { id, values in
                try writer.append(id: id, values: values)
            }
            try writer.finish()
            return
        }
        // CSV streams: rows are read one at a time and written in 64 KiB pieces, never the whole file in memory.
        // The bytes are RegisterExport.csv's, as the web page's /export/<table>.csv gives them.
        var writer = RegisterCSVWriter(table: t, labels: labels, sink: sink)
        try h.forEachExportRow(table: t.name, village: village, includeDeleted: deleted) { id, values in
            try writer.append(id: id, values: values)
        }
        try writer.finish()
    }

    /// Opens (creating or emptying) the `--out` file, `0600` whatever the umask: an export holds personal data.
    private static func openPrivate(_ path: String) throws -> Int32 {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, PrivateFiles.fileMode)
        guard fd >= 0, fchmod(fd, PrivateFiles.fileMode) == 0 else {
            if fd >= 0 { close(fd) }
            throw CLIError(code: "io", exit: .storage, message: Localized(zh: "写不了文件 \(path)", en: "cannot write \(path)"))
        }
        return fd
    }

    /// Thrown by the sink when stdout no longer takes bytes.
    private struct StdoutClosed: Error {}
}
