import Foundation
import HamletCLI
import HamletCore
import HamletStore

/// `hamlet import FOLDER` and `hamlet import TABLE --file F`: read the sheets
/// (`SheetFile.read`), let Core plan the rows, and write them in one transaction
/// (`Replica.importSheets`). This file only reads files and prints.
enum ImportCommand: HamletCommand {
    static let source = ArgumentSpec("source", nameZH: "文件夹或表名", help: CommandTree.L("存放表格的文件夹；或者表名（配合 --file）", "a folder of sheets; or a table name (with --file)"))
    static let file = OptionSpec(long: "file", valueName: "path", help: CommandTree.L("只导入这一个表的文件（CSV 或 xlsx；CSV 可以是 UTF-8 或 GBK 编码）", "import this one file of the table (CSV, UTF-8, with or without BOM)"), valueNameZH: "文件")
    static let dryRun = OptionSpec(long: "dry-run", help: CommandTree.L("只检查并报告新增/更新/未变/失败，不写入", "report added / updated / unchanged / failed; write nothing"))
    static let force = OptionSpec(long: "force", help: CommandTree.L("身份证号与本村已有的人相同也导入（镇中心会列为重复登记）", "import a national ID another person here holds (the hub lists a duplicate)"))

    static func spec(_ schema: Schema) -> CommandSpec {
        CommandSpec(name: "import", abstract: CommandTree.L("导入表格：整个文件夹（各表按顺序一次导入）或一个表的文件；已有的记录会更新",
                                                            "import spreadsheets: a whole folder (every table, in order, at once) or one table's file; rows that exist are updated"),
                    discussion: discussion, arguments: [source], options: [file, dryRun, force, CommandTree.dir, CommandTree.author, CommandTree.json],
                    examples: ["hamlet import seeds --dir ./beizhao", "hamlet import people --file 人口.csv --dry-run"])
    }

    static let discussion = CommandTree.L("""
        文件夹里的文件按表命名（户.csv、人口.csv、婚育动态.csv、随访.csv、奖扶.csv，也可以用英文表名，如 people.csv），\
        在一个事务里按 户→人口→婚育动态→随访→奖扶 的顺序导入；户、户主、人员等列可填编号、身份证号、姓名或地址，\
        可以指向本村已有的记录或这些文件里的行（包括后面文件里的行）。\
        表头可用字段名或中文名（姓名、性别、出生日期、身份证号 …），单元格可用代码或中文（女、已婚、常住 …），\
        日期可写 1992-05-17、1992/5/17、1992年5月17日、19920517。金额：表头为「金额（元）」或「金额」时按元填写（最多两位小数），\
        表头为「金额(分)」时按分填写。有编号的行更新那条记录，人口也按身份证号找到已有的人；空单元格不改动原值。\
        出问题的行按 文件:行号 报告，其余照常导入；其他村的行跳过并计数。
        """,
                                          """
        A folder's files are named after the tables (households.csv, people.csv, events, visits, benefits, \
        or their Chinese names) and load in one transaction in that order; reference columns (household, head, \
        person) take an id, a national ID, a name or an address, of a row here or of the files (a later file's too). Headers are field names or Chinese labels (姓名, 性别, 出生日期, 身份证号 …); \
        cells are codes or labels (女, 已婚, 常住 …); dates 1992-05-17, 1992/5/17, 1992年5月17日 or 19920517. \
        Amounts: a column headed 金额（元）, 金额 or amount_yuan is in yuan (up to two decimals); amount or 金额(分) is in fen. \
        A row with an id updates that row, and a person is also found by national ID; an empty cell leaves a value as it is. \
        A bad row is reported as file:line and the rest go in; rows of other villages are skipped and counted.
        """)

    /// One problem, as `--json` prints it.
    struct ProblemJSON: Encodable {
        var file: String
        var line: Int
        var table: String
        var field: String
        var code: String
        var message: String
        var rowKept: Bool
        enum CodingKeys: String, CodingKey {
            case file, line, table, field, code, message
            case rowKept = "row_kept"
        }
    }

    /// Counts of one file, as `--json` prints them.
    struct FileJSON: Encodable {
        var file: String
        var table: String
        var added: Int
        var updated: Int
        var unchanged: Int
        var failed: Int
        var skippedOtherVillage: Int
        enum CodingKeys: String, CodingKey {
            case file, table, added, updated, unchanged, failed
            case skippedOtherVillage = "skipped_other_village"
        }
    }

    /// `--json` shape of an import.
    struct ReportJSON: Encodable {
        var table: String?
        var files: [FileJSON]
        var added: Int
        var updated: Int
        var unchanged: Int
        var failed: Int
        var skippedOtherVillage: Int
        /// Added + updated (what older scripts read).
        var imported: Int
        var problems: [ProblemJSON]
        /// Logic-check warnings (the rows went in); `code` is the rule's id.
        var warnings: [ProblemJSON]
        var dryRun: Bool
        enum CodingKeys: String, CodingKey {
            case table, files, added, updated, unchanged, failed, imported, problems, warnings
            case skippedOtherVillage = "skipped_other_village"
            case dryRun = "dry_run"
        }
    }

    static func run(_ c: Context) throws {
        let source = try c.argument(Self.source)
        let sheets: [ImportSheet]
        var singleTable: String?
        if let file = c.value(Self.file) {
            guard let table = schema.table(named: source) ?? schema.tables.first(where: { $0.label.zh == source }) else {
                throw CLIError(code: "unknown-table", exit: .usage,
                               message: Localized(zh: "没有这个表：\(source)（配合 --file 时请给表名）", en: "no table \(source) (with --file, give a table name)"),
                               hint: Localized(zh: "表：" + schema.tables.map(\.label.zh).joined(separator: "、"), en: "tables: " + schema.tables.map(\.name).joined(separator: ", ")))
            }
            singleTable = table.name
            sheets = try read([(file, table)], c)
        } else {
            sheets = try read(try folder(source, c), c)
        }
        let r = try ReplicaCommands.open(c)
        let dryRun = c.flag(Self.dryRun)
        var rng = SystemRandomNumberGenerator()
        let plan = try r.importSheets(sheets, allowsDuplicateNationalIDs: c.flag(Self.force), dryRun: dryRun,
                                      author: c.author, wallMillis: c.now, rng: &rng)
        try report(plan, table: singleTable, dryRun: dryRun, c)
    }

    /// The sheet files of a folder, each with the table it fills, in load order.
    static func folder(_ path: String, _ c: Context) throws -> [(String, TableSchema)] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
            if schema.table(named: path) != nil {
                throw CLIError(code: "usage", exit: .usage,
                               message: Localized(zh: "导入一个表要给 --file，例如 hamlet import \(path) --file \(path).csv",
                                                  en: "to import one table give --file, e.g. hamlet import \(path) --file \(path).csv"),
                               hint: Localized(zh: "或者给出存放全部表格的文件夹：hamlet import seeds", en: "or give the folder that holds every sheet: hamlet import seeds"))
            }
            throw CLIError(code: "not-found", exit: .notFound,
                           message: Localized(zh: "找不到文件夹 \(path)", en: "no folder \(path)"),
                           hint: Localized(zh: "给出存放表格的文件夹（户.csv、人口.csv …），或 表名 --file 文件",
                                           en: "give a folder of sheets (households.csv, people.csv …), or a table and --file"))
        }
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: path).sorted() } catch {
            throw CLIError(code: "io", exit: .storage, message: Localized(zh: "读不了文件夹 \(path)", en: "cannot read folder \(path)"))
        }
        var found: [(String, TableSchema)] = []
        for name in names where !name.hasPrefix(".") {
            if let t = ImportFiles.table(forFile: name, schema: schema) {
                found.append(((path as NSString).appendingPathComponent(name), t))
            } else if let ext = name.split(separator: ".").last, ImportFiles.extensions.contains(ext.lowercased()) {
                Output.err(c.t("跳过 \(name)：文件名不是表名（\(tableNames(chinese: true))）\n",
                               "skipped \(name): its name is not a table's (\(tableNames(chinese: false)))\n"))
            }
        }
        guard !found.isEmpty else {
            throw CLIError(code: "not-found", exit: .notFound,
                           message: Localized(zh: "文件夹 \(path) 里没有可导入的表格", en: "folder \(path) holds no sheet to import"),
                           hint: Localized(zh: "文件名应为表名：\(tableNames(chinese: true))", en: "name the files after the tables: \(tableNames(chinese: false))"))
        }
        let rank = Dictionary(schema.tables.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { a, _ in a })
        return found.enumerated().sorted { (rank[$0.element.1.name] ?? 0, $0.offset) < (rank[$1.element.1.name] ?? 0, $1.offset) }.map(\.element)
    }

    static func tableNames(chinese: Bool) -> String {
        schema.tables.map { chinese ? "\($0.label.zh).csv" : "\($0.name).csv" }.joined(separator: chinese ? "、" : ", ")
    }

    /// Reads every file through `SheetFile.read`; a file that cannot be read, or a header that
    /// names no field, stops the import before anything is written (every such file is listed).
    static func read(_ files: [(String, TableSchema)], _ c: Context) throws -> [ImportSheet] {
        var sheets: [ImportSheet] = []
        var problems: [String] = []
        for (path, table) in files {
            let name = (path as NSString).lastPathComponent
            let sheet: CSVTable
            let isCSV: Bool
            switch try SheetInput.read(path) {
            case .success(let read): (sheet, isCSV) = read
            case .failure(let error):
                let place = error.line > 0 ? "\(name):\(error.line)" : name
                problems.append("\(place) [\(error.code.rawValue)] " + c.t(error.messageZH, error.message))
                continue
            }
            do throws(ImportHeaderError) {
                sheets.append(try ImportSheet.read(sheet, name: name, table: table, isCSV: isCSV))
            } catch {
                problems.append("\(name):1 [\(error.code.rawValue)] " + c.t(error.messageZH, error.message))
            }
        }
        guard problems.isEmpty else {
            for p in problems { Output.err(p + "\n") }
            throw CLIError(code: "invalid-file", exit: .invalidData,
                           message: Localized(zh: "\(problems.count) 个文件有问题（见上），没有导入任何记录", en: "\(problems.count) file(s) could not be read as sheets of their table (see above); nothing was imported"))
        }
        return sheets
    }

    /// Prints the problems (stderr), the counts (stdout), and fails with 65 when a row had a problem.
    static func report(_ plan: ImportPlan, table: String?, dryRun: Bool, _ c: Context) throws {
        let counts = plan.counts
        let problems = plan.sortedProblems
        func total(_ k: KeyPath<ImportCounts, Int>) -> Int { counts.reduce(0) { $0 + $1[keyPath: k] } }
        let added = total(\.added), updated = total(\.updated), unchanged = total(\.unchanged)
        let failed = total(\.failed), skipped = total(\.skipped)
        if c.json {
            Output.json(ReportJSON(
                table: table,
                files: counts.map { FileJSON(file: $0.file, table: $0.table, added: $0.added, updated: $0.updated, unchanged: $0.unchanged,
                                             failed: $0.failed, skippedOtherVillage: $0.skipped) },
                added: added, updated: updated, unchanged: unchanged, failed: failed, skippedOtherVillage: skipped,
                imported: added + updated,
                problems: problems.map { ProblemJSON(file: $0.file, line: $0.line, table: $0.table, field: $0.issue.field, code: $0.issue.code,
                                                     message: $0.issue.message(chinese: c.chinese), rowKept: $0.rowKept) },
                warnings: plan.warnings.map { ProblemJSON(file: $0.file, line: $0.line, table: $0.table, field: $0.issue.field, code: $0.issue.code,
                                                          message: $0.issue.message(chinese: c.chinese), rowKept: true) },
                dryRun: dryRun))
        } else {
            for p in problems {
                Output.err("\(p.file):\(p.line) [\(p.issue.code)] \(p.issue.message(chinese: c.chinese))\n")
            }
            for w in plan.warnings {
                Output.err("\(w.file):\(w.line) " + c.t("提醒", "warning") + " [\(w.issue.code)] \(w.issue.message(chinese: c.chinese))\n")
            }
            if counts.count > 1 {
                var t = Table(columns: [Table.Column(header: c.t("文件", "file")), Table.Column(header: c.t("表", "table")),
                                        Table.Column(header: c.t("新增", "added"), alignment: .right),
                                        Table.Column(header: c.t("更新", "updated"), alignment: .right),
                                        Table.Column(header: c.t("未变", "unchanged"), alignment: .right),
                                        Table.Column(header: c.t("失败", "failed"), alignment: .right),
                                        Table.Column(header: c.t("其他村", "other village"), alignment: .right)])
                t.rows = counts.map { n in
                    [n.file, c.chinese ? (schema.table(named: n.table)?.label.zh ?? n.table) : n.table,
                     String(n.added), String(n.updated), String(n.unchanged), String(n.failed), String(n.skipped)]
                }
                Output.out(t.render(maxWidth: max(c.width, 60)))
            }
            let head = dryRun ? c.t("试导入（没有写入）", "dry run (nothing written)") : c.t("已导入", "imported")
            Output.out(c.t("\(head)：新增 \(added) 条，更新 \(updated) 条，未变 \(unchanged) 条，失败 \(failed) 行，其他村跳过 \(skipped) 行\n",
                           "\(head): \(added) added, \(updated) updated, \(unchanged) unchanged, \(failed) failed, \(skipped) of other villages skipped\n"))
        }
        guard !problems.isEmpty else { return }
        let lines = Set(problems.map { "\($0.file):\($0.line)" }).count
        throw CLIError(code: "invalid-rows", exit: .invalidData,
                       message: Localized(zh: "\(lines) 行有问题（见上）", en: "\(lines) row(s) with problems (see above)"),
                       hint: Localized(zh: "改正这些行后再导入一次即可：已导入的行会算作未变，不会重复",
                                       en: "fix those lines and import again: rows already in count as unchanged, never twice"))
    }
}
