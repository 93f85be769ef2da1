import HamletCLI
import HamletCore
import HamletStore

/// `hamlet list TABLE [--where field<op>value …]`: rows of a table, aligned for Chinese text.
enum ListCommand: HamletCommand {
    static let condition = OptionSpec(long: "where", valueName: "field<op>value", help: CommandTree.L("条件：比较符 = < <= > >= ^=（开头是），可重复；引用字段可用姓名或身份证号", "condition with = < <= > >= or ^= (starts with); repeatable; a reference field takes a name or national ID"), repeatable: true, valueNameZH: "字段比较符值")
    static let all = OptionSpec(long: "all", help: CommandTree.L("显示全部字段", "show every field"))
    static let limit = OptionSpec(long: "limit", valueName: "n", help: CommandTree.L("排序后最多显示条数（0 表示全部）", "at most this many rows, after sorting (0: every row)"), defaultDescription: "1000", valueNameZH: "条数")

    static func spec(_ schema: Schema) -> CommandSpec {
        CommandSpec(name: "list", abstract: CommandTree.L("列出记录（中文按显示宽度对齐）", "list rows in a table aligned for Chinese text"),
                    arguments: [CommandTree.tableArgument(schema)],
                    options: [condition, all, limit, CommandTree.codes, CommandTree.dir, CommandTree.json],
                    examples: ["hamlet list people --where name=张丽", "hamlet list people --where birth_date>=2025-01-01 --where name^=王",
                               "hamlet list events --where person=王秀英"])
    }

    static func run(_ c: Context) throws {
        let r = try ReplicaCommands.open(c)
        let t = try r.table(c.tableName(try c.tableArgument(), r.schema))
        let filters = try filters(c, r, t)
        let limitText = c.value(Self.limit) ?? "1000"
        guard let limit = Int(limitText.trimmingSpaces()), limit >= 0 else {
            throw CLIError(code: "usage", exit: .usage, message: Localized(zh: "--limit 须是不小于 0 的整数，收到 \(limitText)", en: "--limit takes a whole number ≥ 0, got \(limitText)"))
        }
        let page = try r.list(table: t.name, where: filters, limit: limit == 0 ? Int.max : limit)
        if c.json {
            let rows = page.rows.map { RowJSON(id: $0.0, values: $0.1) }
            // An array as always; an object only when the limit cut rows (README: list --json).
            if page.isTruncated {
                Output.json(TruncatedListJSON(rows: rows, total: page.total, shown: rows.count, truncated: true))
            } else {
                Output.json(rows)
            }
            return
        }
        let fields = c.flag(Self.all) ? t.fields.map(\.name) : (t.display ?? t.fields.map(\.name).filter { $0 != "village" })
        let display = try ReplicaCommands.Display(c, r, t, fields: fields, rows: page.rows.map(\.1))
        let shorts = display.codes ? [:] : ShortID.unique(page.rows.map(\.0))
        var table = Table(columns: [Table.Column(header: c.t("编号", "id"), shrinks: false)] + fields.map { name in
            let f = t.field(name)
            // With --codes a reference is a whole id: cut, it names nothing.
            let fixed = f.map { ReplicaCommands.fixedWidth($0) || (display.codes && $0.type == .ref) } ?? false
            return Table.Column(header: c.chinese ? (f?.label.zh ?? name) : name, alignment: f?.type == .integer ? .right : .left,
                                maxCells: display.codes && f?.type == .ref ? nil : 24, shrinks: !fixed)
        })
        // The id column holds short ids (the end of the id, which every command takes back); --codes prints them whole.
        table.rows = page.rows.map { row in [shorts[row.0] ?? row.0] + fields.map { display.text(row.1[$0], t.field($0)) } }
        Output.out(table.render(maxWidth: max(c.width, 120)))
        if page.isTruncated {
            Output.out(c.t("共 \(page.total) 条，显示前 \(page.rows.count) 条\n", "\(page.total) rows, showing the first \(page.rows.count)\n"))
        } else {
            Output.out(c.t("共 \(page.total) 条\n", "\(page.total) row(s)\n"))
        }
        if t.name == "people", filters.isEmpty { try MoveText.listMovedOut(c, r) }
    }

    /// Parses `--where` arguments: `field<op>value` with `= < <= > >= ^=`; the
    /// field by name, flag spelling or Chinese label; the value as the field
    /// takes it (enum labels, and for `=` on a reference, a name or 身份证号).
    static func filters(_ c: Context, _ r: Replica, _ t: TableSchema) throws -> [RowFilter] {
        try c.values(Self.condition).map { text in
            let (typed, op, raw): (String, FilterOperator, String)
            do {
                (typed, op, raw) = try RowFilter.parse(text)
            } catch let error as FilterSyntaxError {
                throw CLIError(code: error.code.rawValue, exit: .usage,
                               message: Localized(zh: error.message(chinese: true), en: error.message(chinese: false)),
                               hint: Localized(zh: "例如 --where 出生日期>=2025-01-01 或 --where 姓名^=王；见 hamlet list --help",
                                               en: "e.g. --where birth_date>=2025-01-01 or --where name^=王; see 'hamlet list --help'"))
            }
            let name = typed.replacingOccurrences(of: "-", with: "_")
            if name == "id" || typed == "编号" { return RowFilter(field: "id", op: op, value: .text(raw.trimmingSpaces().lowercased())) }
            guard let f = t.field(name) ?? t.fields.first(where: { $0.label.zh == typed || $0.label.en == typed }) else {
                throw ReplicaError(.unknownField, "\(t.name) has no field \(typed); fields: \(t.fields.map(\.name).joined(separator: ", "))",
                                   zh: Replica.noFieldZH(t, typed))
            }
            if f.type == .ref, op == .equals, let target = f.references {
                let id = try ReplicaCommands.reference(c, r, raw, to: target, flag: nil)
                return RowFilter(field: f.name, op: op, value: id.isEmpty ? .null : .text(id))
            }
            if f.type == .integer, !raw.trimmingSpaces().isEmpty, Int64(raw.trimmingSpaces()) == nil {
                throw CLIError(code: "invalid-integer", exit: .usage,
                               message: Localized(zh: "--where \(text)：\(f.label.zh)是整数，\(raw) 不是整数", en: "--where \(text): \(f.name) is a whole number; \(raw) is not"))
            }
            return RowFilter(field: f.name, op: op, value: try Validator().parse(raw, for: f, table: t.name))
        }
    }
}
