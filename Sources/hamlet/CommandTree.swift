import HamletCLI
import HamletCore

/// The command tree, built at run time: `add` and `edit` take one subcommand
/// per table (plural and singular) whose flags are the table's fields.
enum CommandTree {
    static func L(_ zh: String, _ en: String) -> Localized { Localized(zh: zh, en: en) }

    static let dir = OptionSpec(long: "dir", valueName: "path", help: L("数据目录（默认 $HAMLET_DIR，再默认当前目录）", "data folder (default $HAMLET_DIR, then the current directory)"), valueNameZH: "目录")
    static let json = OptionSpec(long: "json", help: L("输出一个 JSON 文档（字段和取值用英文代码，供程序读取）", "print one JSON document (format in the README)"))
    static let author = OptionSpec(long: "author", valueName: "name", help: L("记录修改人（默认系统用户名）", "who makes the change (default: the OS user)"), valueNameZH: "姓名")
    static let lang = OptionSpec(long: "lang", valueName: "zh|en", help: L("界面语言（默认按 LANG 等环境变量）", "interface language (default: from LANG and friends)"), inherited: true)

    static func fieldOptions(_ t: TableSchema, includeVillage: Bool) -> [OptionSpec] {
        t.fields.filter { includeVillage || $0.name != "village" }.map { f in
            var help = "\(f.label.zh)"
            var en = "\(f.label.en)"
            switch f.type {
            case .date: help += "，如 1992-05-17、1992/5/17 或 1992年5月17日"; en += ", e.g. 1992-05-17, 1992/5/17 or 19920517"
            case .enum: help += "，可选 " + (f.values ?? []).map { f.label(ofValue: $0).zh }.joined(separator: "/"); en += ", one of " + (f.values ?? []).joined(separator: "/")
            case .nationalID: help += "，18位身份证号"; en += ", 18-character resident ID"
            case .ref: help += "，" + referenceHelp(f, chinese: true); en += ", " + referenceHelp(f, chinese: false)
            case .integer: help += "，整数"; en += ", whole number"
            case .phone: help += "，手机或固定电话"; en += ", mobile or landline"
            case .text: break
            }
            if f.required { help += "（必填）"; en += " (required)" }
            return OptionSpec(long: f.flagName, valueName: f.flagName, help: L(help, en), defaultDescription: f.defaultValue,
                              valueNameZH: f.label.zh, defaultDescriptionZH: f.defaultValue.map { f.label(ofValue: $0).zh })
        }
    }

    /// How a reference flag may name its row: `身份证号、姓名或编号（至少8位）`.
    static func referenceHelp(_ f: FieldSchema, chinese: Bool) -> String {
        guard let target = f.references.flatMap({ Schema.register.table(named: $0) }) else { return "" }
        let l = RowLabeler(table: target)
        var ways: [String] = []
        if let id = l.nationalIDField { ways.append(chinese ? id.label.zh : id.label.en) }
        if let title = l.titleField {
            ways.append(chinese ? title.label.zh + (l.titleIsName ? "" : "（或其中一段）") : title.label.en + (l.titleIsName ? "" : " (or part of it)"))
        }
        return chinese ? ways.joined(separator: "、") + "或编号（至少8位）"
                       : ways.joined(separator: ", ") + " or 8+ characters of the \(target.singular)'s id"
    }

    static let codes = OptionSpec(long: "codes", help: L("显示存储的代码和完整编号，而不是中文名称和姓名", "print stored codes and whole ids instead of labels and names"))

    /// `--force` for tables with a unique field (people: 身份证号).
    static func forceOption(_ t: TableSchema) -> [OptionSpec] {
        guard let u = t.uniqueFields.first else { return [] }
        return [OptionSpec(long: "force", help: L("\(u.label.zh)与本村已有的人相同也录入（同步后镇中心列为重复登记）",
                                                  "record a \(u.label.en) another live row here holds (the hub lists a duplicate after sync)"))]
    }

    static func perTable(_ schema: Schema, _ make: (TableSchema, String) -> CommandSpec) -> [CommandSpec] {
        schema.tables.flatMap { [make($0, $0.singular), make($0, $0.name)] }
    }

    /// `<表名>`: a table by its Chinese name or its code.
    static func tableArgument(_ schema: Schema) -> ArgumentSpec {
        ArgumentSpec("table", nameZH: "表名",
                     help: L("表：" + schema.tables.map(\.label.zh).joined(separator: "、") + "（也可以用英文表名）",
                             "table: " + schema.tables.map(\.name).joined(separator: ", ") + " (singular or plural)"))
    }
    static let idArgument = ArgumentSpec("id", nameZH: "编号", help: L("记录编号（至少8位），或身份证号、姓名、地址", "row id (8+ characters of it), or a national ID, name or address"))
    static let conflictArgument = ArgumentSpec("id", nameZH: "冲突编号", help: L("冲突编号", "conflict id"))

    static func root(_ schema: Schema) -> CommandSpec {
        let clerk: [CommandSpec] = [
            CommandSpec(name: "init", abstract: L("在目录中建立村节点的本地数据库", "create a village node's replica in a folder"),
                        options: [
                            OptionSpec(long: "node", valueName: "id", help: L("节点名：小写字母、数字、- 或 _", "node id: lowercase letters, digits, - or _"), valueNameZH: "节点名"),
                            OptionSpec(long: "village", valueName: "name", help: L("本节点服务的村", "the village this node serves"), valueNameZH: "村名"),
                            OptionSpec(long: "hub", valueName: "host:port", help: L("镇中心地址（可以以后再设）", "hub address (can be set later)"), valueNameZH: "地址:端口"),
                            OptionSpec(long: "secret-file", valueName: "path", help: L("镇中心发给本节点的密钥文件", "the secret file the hub issued for this node"), valueNameZH: "文件"),
                            dir, json,
                        ],
                        examples: ["hamlet init --node beizhao --village 北赵 --dir ./beizhao"]),
            CommandSpec(name: "add", abstract: L("新增一条记录，打印新编号", "add a row; prints its id"),
                        subcommands: perTable(schema) { t, name in
                            CommandSpec(name: name, abstract: L("新增\(t.label.zh)", "add a \(t.label.en)"),
                                        options: fieldOptions(t, includeVillage: false) + forceOption(t) + [dir, author, json])
                        },
                        examples: ["hamlet add household --address \"北赵村三组12号\" --phone 13800000000",
                                   "hamlet add person --name 张丽 --sex 女 --birth-date 1990-03-02 --national-id 370481199003021224 --household 北赵村三组12号"]),
            CommandSpec(name: "edit", abstract: L("修改一条记录的字段", "change fields of a row"),
                        subcommands: perTable(schema) { t, name in
                            CommandSpec(name: name, abstract: L("修改\(t.label.zh)（传空值清除字段）", "edit a \(t.label.en) (an empty value clears a field)"),
                                        arguments: [idArgument],
                                        options: fieldOptions(t, includeVillage: true) + forceOption(t) + [dir, author, json])
                        },
                        examples: ["hamlet edit person 张丽 --phone 13900000000"]),
            CommandSpec(name: "delete", abstract: L("删除一条记录", "delete a row"), arguments: [tableArgument(schema), idArgument],
                        options: [dir, author, json], examples: ["hamlet delete household 北赵村三组12号"]),
            CommandSpec(name: "list", abstract: L("列出记录（中文按显示宽度对齐）", "list rows in a table aligned for Chinese text"),
                        arguments: [tableArgument(schema)],
                        options: [OptionSpec(long: "where", valueName: "field<op>value", help: L("条件：比较符 = < <= > >= ^=（开头是），可重复；引用字段可用姓名或身份证号", "condition with = < <= > >= or ^= (starts with); repeatable; a reference field takes a name or national ID"), repeatable: true, valueNameZH: "字段比较符值"),
                                  OptionSpec(long: "all", help: L("显示全部字段", "show every field")),
                                  OptionSpec(long: "limit", valueName: "n", help: L("排序后最多显示条数", "at most this many rows, after sorting"), defaultDescription: "1000", valueNameZH: "条数"),
                                  codes, dir, json],
                        examples: ["hamlet list people --where name=张丽", "hamlet list people --where birth_date>=2025-01-01 --where name^=王",
                                   "hamlet list events --where person=王秀英"]),
            CommandSpec(name: "show", abstract: L("显示一条记录的每个字段、镇中心版本和待上传的修改", "show every field of a row, its hub version and pending edits"),
                        arguments: [tableArgument(schema), idArgument], options: [codes, dir, json]),
            CommandSpec(name: "status", abstract: L("待上传 / 已接收 / 有冲突 / 已处理 / 已退回 的数量和最近同步", "pending / accepted / conflicted / settled / rejected counts and the last sync"),
                        options: [dir, json]),
            CommandSpec(name: "log", abstract: L("本节点的修改日志，以及镇中心如何处理了每个冲突", "the node's change log, and how the hub settled each conflict"),
                        options: [OptionSpec(long: "pending", help: L("只看待上传的", "only changes not yet accepted")), codes, dir, json]),
            CommandSpec(name: "sync", abstract: L("与镇中心同步：先上传再下载", "sync with the hub: push pending changes, then pull"),
                        options: [OptionSpec(long: "watch", help: L("持续运行：有网就同步，修改后和每隔几分钟自动同步", "keep running: sync when the hub is reachable, after edits and every few minutes")),
                                  OptionSpec(long: "interval", valueName: "seconds", help: L("--watch 的定时同步间隔", "--watch periodic interval"), defaultDescription: "300", valueNameZH: "秒数"),
                                  OptionSpec(long: "no-verify", help: L("不做数据摘要核对", "skip the digest comparison")),
                                  dir, json]),
            CommandSpec(name: "resync", abstract: L("从镇中心重建本地数据（保留未上传的修改）", "rebuild the replica from the hub, keeping unpushed edits"), options: [dir, json]),
            CommandSpec(name: "verify", abstract: L("核对本地数据与镇中心是否一致", "compare the replica with the hub (digest of the village's rows)"), options: [dir, json]),
            CommandSpec(name: "import", abstract: L("导入表格：整个文件夹（各表按顺序一次导入）或一个表的文件；已有的记录会更新",
                                                    "import spreadsheets: a whole folder (every table, in order, at once) or one table's file; rows that exist are updated"),
                        discussion: L("""
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
                            """),
                        arguments: [ArgumentSpec("source", nameZH: "文件夹或表名", help: L("存放表格的文件夹；或者表名（配合 --file）", "a folder of sheets; or a table name (with --file)"))],
                        options: [OptionSpec(long: "file", valueName: "path", help: L("只导入这一个表的文件（CSV 或 xlsx；CSV 可以是 UTF-8 或 GBK 编码）", "import this one file of the table (CSV, UTF-8, with or without BOM)"), valueNameZH: "文件"),
                                  OptionSpec(long: "dry-run", help: L("只检查并报告新增/更新/未变/失败，不写入", "report added / updated / unchanged / failed; write nothing")),
                                  OptionSpec(long: "force", help: L("身份证号与本村已有的人相同也导入（镇中心会列为重复登记）", "import a national ID another person here holds (the hub lists a duplicate)")),
                                  dir, author, json],
                        examples: ["hamlet import seeds --dir ./beizhao", "hamlet import people --file 人口.csv --dry-run"]),
        ]
        return CommandSpec(
            name: "hamlet",
            abstract: L("村级人口与家庭健康台账的离线同步", "offline-first sync of village population and family-health registers"),
            discussion: L("村节点离线录入，联网时与镇中心同步；镇中心保留每一个冲突供管理员处理。",
                          "Village nodes work offline and sync with the township hub when online; the hub keeps every conflict for an operator."),
            options: [lang],
            subcommands: clerk + [hubTree(schema), seedCommand],
            examples: ["hamlet init --node beizhao --village 北赵 --dir ./beizhao", "hamlet help add person"])
    }

    static let seedCommand = CommandSpec(
        name: "seed", abstract: L("生成可重复的模拟乡镇数据（压力测试用）", "generate a deterministic synthetic township (load tests)"),
        options: [OptionSpec(long: "villages", valueName: "n", help: L("村数", "number of villages"), defaultDescription: "3", valueNameZH: "村数"),
                  OptionSpec(long: "people", valueName: "n", help: L("每村人数", "people per village"), defaultDescription: "100", valueNameZH: "人数"),
                  OptionSpec(long: "seed", valueName: "n", help: L("随机种子", "random seed"), defaultDescription: "7", valueNameZH: "种子"),
                  OptionSpec(long: "csv", valueName: "folder", help: L("写成 CSV 文件而不是装入镇中心", "write CSV files instead of loading a hub"), valueNameZH: "文件夹"),
                  dir, json],
        examples: ["hamlet seed --dir ./hub --villages 50 --people 3000 --seed 7"])

    static func hubTree(_ schema: Schema) -> CommandSpec {
        let take = OptionSpec(long: "take", valueName: "village|hub", help: L("采用村节点的值或镇中心的值", "take the village's value or the hub's"), valueNameZH: "村节点|镇中心")
        let operatorName = OptionSpec(long: "operator", valueName: "name", help: L("管理员姓名（默认系统用户名）", "operator name (default: the OS user)"), valueNameZH: "姓名")
        let note = OptionSpec(long: "note", valueName: "text", help: L("处理说明", "a note kept with the resolution"), valueNameZH: "说明")
        return CommandSpec(
            name: "hub", abstract: L("镇中心：初始化、登记节点、服务、处理冲突", "the township hub: set up, register nodes, serve, settle conflicts"),
            subcommands: [
                CommandSpec(name: "init", abstract: L("建立镇中心数据库和身份", "create the hub store and identity"),
                            options: [OptionSpec(long: "time-zone", valueName: "tz", help: L("显示时间用的时区", "time zone for displayed times"), defaultDescription: "Asia/Shanghai", valueNameZH: "时区"), dir, json]),
                CommandSpec(name: "add-node", abstract: L("登记村节点并生成它的密钥（只写一次）", "register a village node and write its secret once"),
                            arguments: [ArgumentSpec("node", nameZH: "节点名", help: L("节点名", "node id"))],
                            options: [OptionSpec(long: "village", valueName: "name", help: L("节点所属的村", "the node's village"), valueNameZH: "村名"),
                                      OptionSpec(long: "secret-out", valueName: "path", help: L("密钥文件写到哪里（只有本用户能读）", "where to write the secret (mode 0600)"), valueNameZH: "文件"),
                                      OptionSpec(long: "rotate", help: L("为已登记的节点换新密钥", "issue a new secret for a registered node")),
                                      dir, json]),
                CommandSpec(name: "serve", abstract: L("前台运行镇中心（日志写到标准错误输出；按 Ctrl-C 或收到终止信号时平稳退出）", "run the hub in the foreground (logs on stderr; clean stop on SIGTERM/SIGINT)"),
                            options: [OptionSpec(long: "listen", valueName: "host:port", help: L("同步端口", "sync address"), defaultDescription: "127.0.0.1:7420", valueNameZH: "地址:端口"),
                                      OptionSpec(long: "web", valueName: "host:port", help: L("管理页面地址", "operator page address"), defaultDescription: "127.0.0.1:7421", valueNameZH: "地址:端口"),
                                      OptionSpec(long: "no-web", help: L("不开管理页面", "do not serve the operator page")),
                                      OptionSpec(long: "token-file", valueName: "path", help: L("管理页面口令文件（非本机地址时必须）", "operator token file (required off loopback)"), valueNameZH: "文件"),
                                      dir]),
                CommandSpec(name: "backup", abstract: L("在服务运行时做一致的备份", "take a consistent copy while serving"),
                            options: [OptionSpec(long: "to", valueName: "folder", help: L("备份目录", "backup folder"), valueNameZH: "文件夹"), dir, json]),
                CommandSpec(name: "schema", abstract: L("显示台账结构，或升级到新的结构文件（只能新增）", "print the register schema, or upgrade to a schema file (additions only)"),
                            options: [OptionSpec(long: "file", valueName: "schema.json", help: L("新的台账结构文件", "the new schema file"), valueNameZH: "结构文件"),
                                      OptionSpec(long: "dry-run", help: L("只预览，不修改", "show the plan, change nothing")), dir, json]),
                CommandSpec(name: "conflicts", abstract: L("列出待处理的冲突", "list open conflicts"),
                            options: [OptionSpec(long: "village", valueName: "name", help: L("只看某村", "one village only"), valueNameZH: "村名"),
                                      OptionSpec(long: "kind", valueName: "field|delete|duplicate", help: L("冲突类型", "conflict kind"), valueNameZH: "字段冲突|删除冲突|重复登记"),
                                      OptionSpec(long: "all", help: L("包括已处理的", "include resolved ones")), dir, json]),
                CommandSpec(name: "conflict", abstract: L("并排显示一个冲突", "show one conflict side by side"),
                            arguments: [conflictArgument], options: [dir, json]),
                CommandSpec(name: "resolve", abstract: L("处理字段冲突或删除冲突", "settle a field or delete conflict"),
                            arguments: [conflictArgument],
                            options: [take, OptionSpec(long: "value", valueName: "field=value", help: L("填一个新值", "set a new value"), valueNameZH: "字段=值"),
                                      OptionSpec(long: "keep", help: L("删除冲突：保留记录", "delete conflict: keep the row")),
                                      OptionSpec(long: "delete", help: L("删除冲突：删除记录", "delete conflict: delete the row")),
                                      OptionSpec(long: "expect-version", valueName: "hseq", help: L("只有字段（删除冲突：记录）版本仍是这个时才处理；默认是冲突显示的版本", "refuse if the field (delete conflict: the row) moved past this version; default: the version the conflict shows"), valueNameZH: "版本"),
                                      note, operatorName, dir, json]),
                CommandSpec(name: "merge", abstract: L("合并重复登记的两条记录", "merge the two rows of a duplicate conflict"),
                            arguments: [conflictArgument],
                            options: [OptionSpec(long: "keep", valueName: "row-id", help: L("保留哪条（默认先登记的）", "the row that survives (default: the older)"), valueNameZH: "编号"),
                                      OptionSpec(long: "field", valueName: "name=row-id", help: L("某字段取哪条记录的值，可重复", "take a field from a row; repeatable"), repeatable: true, valueNameZH: "字段=编号"),
                                      OptionSpec(long: "dry-run", help: L("只显示两条记录和引用，不合并", "show both rows and their references; change nothing")),
                                      note, operatorName, dir, json]),
                CommandSpec(name: "unmerge", abstract: L("撤销合并：两条记录和引用都恢复", "undo a duplicate merge: both rows back, references restored"),
                            arguments: [conflictArgument], options: [note, operatorName, dir, json]),
                CommandSpec(name: "dismiss", abstract: L("重复登记核实后不是同一人：关闭冲突，两条记录都保留", "a duplicate that is not the same person: close it, both rows stay"),
                            discussion: L("什么也不写：两条记录都不动。只要两条记录的身份证号都没有再修改，这一对就不会再提示。理由必填，村里以后能看到。",
                                          "Nothing is written: both rows stay as they are. The pair is not raised again while neither row's ID is written again. The note is required: clerks read it later."),
                            arguments: [conflictArgument],
                            options: [OptionSpec(long: "note", valueName: "text", help: L("理由：为什么不是同一人（必填）", "why they are not the same person (required)"), valueNameZH: "理由"),
                                      operatorName, dir, json],
                            examples: ["hamlet hub dismiss 5 --note \"身份证号录错，已按户口本核实是两个人\""]),
                CommandSpec(name: "edit", abstract: L("直接更正一条记录的字段（记为管理员的修改，下次同步时发到各村）", "correct fields of a row directly (recorded as the operator's change; nodes get it on their next sync)"),
                            subcommands: perTable(schema) { t, name in
                                CommandSpec(name: name, abstract: L("更正\(t.label.zh)（传空值清除字段）", "correct a \(t.label.en) (an empty value clears a field)"),
                                            arguments: [idArgument],
                                            options: fieldOptions(t, includeVillage: true) + [
                                                OptionSpec(long: "expect-version", valueName: "hseq", help: L("只有记录版本仍是这个时才修改（版本见 hamlet hub history）；默认是现在的记录", "refuse if the row moved past this version (see hamlet hub history); default: the row as it is now"), valueNameZH: "版本"),
                                                OptionSpec(long: "note", valueName: "text", help: L("更正说明（记入修改记录）", "why: a note kept in the history"), valueNameZH: "说明"),
                                                operatorName, dir, json])
                            },
                            examples: ["hamlet hub edit person 01a20823-0000-7e39-92de-a1f1e19489a0 --birth-date 1990-03-02 --note \"按户口本更正\"",
                                       "hamlet hub edit household 01a20823-0000-7e39-92de-a1f1e19489a0 --phone \"\" --expect-version 42"]),
                CommandSpec(name: "nodes", abstract: L("各村节点：最近同步、结果、待处理冲突、时钟偏差", "every node: last seen, last result, open conflicts, clock skew"),
                            options: [dir, json]),
                CommandSpec(name: "history", abstract: L("一条记录的全部修改记录", "every value ever written to a row"),
                            arguments: [tableArgument(schema), idArgument], options: [dir, json]),
                CommandSpec(name: "export", abstract: L("导出为 CSV（Excel 可直接打开）或 xlsx（身份证号、电话按文本保存）；中文表头和取值，导入时可直接读回", "export as CSV (UTF-8 with BOM, CRLF: opens in Excel) or xlsx (IDs and phones as text)"),
                            arguments: [tableArgument(schema)],
                            options: [OptionSpec(long: "format", valueName: "csv|xlsx", help: L("格式：csv（以 = + - @ 开头的单元格前加 '，防止被当成公式）或 xlsx（写到文件：> people.xlsx）", "format: csv (cells beginning with = + - @ get a leading ' so they never run as formulas) or xlsx (redirect to a file: > people.xlsx)"), defaultDescription: "csv"),
                                      OptionSpec(long: "village", valueName: "name", help: L("只导出某村", "one village only"), valueNameZH: "村名"),
                                      OptionSpec(long: "deleted", help: L("包括已删除的", "include deleted rows")),
                                      OptionSpec(long: "codes", help: L("表头用英文字段名、取值用代码（供程序读取）", "field names and codes (the default in English)")), dir],
                            examples: ["hamlet hub export people > people.csv", "hamlet hub export people --format xlsx > people.xlsx"]),
            ])
    }
}
