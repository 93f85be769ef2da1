/// What one column of a clerk's spreadsheet holds.
public enum ImportColumn: Sendable, Hashable {
    /// The row's `id` (编号).
    case id
    /// A field of the table, typed as the field's own type (a money field: in 分).
    case field(String)
    /// A money field typed in 元 with up to two decimals (stored in 分).
    case yuan(String)
    /// A column kept for the clerk's own use (序号): read past.
    case ignored

    /// The field (or `id`) the column fills; nil for an ignored column.
    var target: String? {
        switch self {
        case .id: return "id"
        case .field(let n), .yuan(let n): return n
        case .ignored: return nil
        }
    }
}

/// A header the importer cannot read: the file is refused before anything is written.
public struct ImportHeaderError: Error, Sendable, Hashable {
    /// Stable codes; add new ones, never rename.
    public enum Code: String, Sendable {
        /// A column names no field of the table.
        case unknownColumn = "unknown-column"
        /// Two columns name the same field.
        case duplicateColumn = "duplicate-column"
    }

    public var code: Code
    /// 1-based column number.
    public var column: Int
    /// What went wrong and what to do, in Chinese (may echo the header: the clerk's own file).
    public var messageZH: String
    /// The same in English.
    public var message: String
}

/// Maps a spreadsheet header onto a table's fields, and typed cells onto values.
///
/// A column is recognised by the field's name (`birth_date`, `birth-date`, `Birth Date`),
/// its schema label in Chinese or English (出生日期, birth date), or a spelling clerks'
/// registers commonly use (身份证号码, 联系电话, 户主 …). Case, spaces, `_`, `-`, a
/// `*` marking a required column and full-width brackets do not matter.
///
/// **Money (the 元 rule).** A money field (an integer whose label says 分 / fen, such as
/// `benefits.amount`) is stored in 分. Its column is read in **元** when the header says
/// so — `金额（元）`, `金额(元)`, `金额元`, plain `金额`, `amount_yuan`, `amount (yuan)` —
/// and then takes up to two decimals (`960`, `960.5`, `¥1,200.00`). Under the field's
/// name or its 分 label (`amount`, `金额(分)`, `amount (fen)`) it is read in **分**, a
/// whole number: a decimal point there is refused with a reason, never guessed.
public enum ImportColumns {
    /// Spellings clerks' registers use for a field, by field name (used when the table has it).
    static let aliases: [String: [String]] = [
        "village": ["村名", "所属村", "村庄", "行政村"],
        "address": ["住址", "家庭住址", "户籍地址", "家庭地址"],
        "head": ["户主编号"],
        "household": ["户编号", "所属户", "家庭"],
        "name": ["名字"],
        "birth_date": ["出生年月日", "生日", "出生"],
        "national_id": ["身份证号码", "身份证", "公民身份号码", "身份号码", "idnumber"],
        "marital_status": ["婚姻", "婚否"],
        "residence": ["居住情况", "户籍状态"],
        "phone": ["联系电话", "手机", "手机号", "手机号码", "电话号码", "telephone", "mobile"],
        "current_address": ["现居住地", "现居地址", "现住地址"],
        "person": ["人员编号"],
        "kind": ["事件类型", "随访类型", "服务类型"],
        "detail": ["详情", "备注"],
        "result": ["随访结果", "检查结果"],
        "program": ["奖扶项目", "扶助项目"],
        "status": ["发放状态"],
        "paid_on": ["发放时间"],
    ]

    /// Headers of columns kept for the clerk's own use.
    static let ignoredHeaders: Set<String> = ["序号", "no.", "no", "#"]

    /// A header cell reduced to what identifies it: lowercase, no spaces, `_`, `-`, `*` or colons, ASCII brackets.
    public static func key(_ header: String) -> String {
        var out = ""
        for c in header.lowercased() {
            switch c {
            case " ", "\t", "\u{3000}", "_", "-", "*", "＊", ":", "：": continue
            case "（": out.append("(")
            case "）": out.append(")")
            default: out.append(c)
            }
        }
        return out
    }

    /// The columns a table's sheet may have, by `key`.
    public static func vocabulary(_ t: TableSchema) -> [String: ImportColumn] {
        var v: [String: ImportColumn] = [:]
        func add(_ spelling: String, _ column: ImportColumn) {
            let k = key(spelling)
            if !k.isEmpty, v[k] == nil { v[k] = column }
        }
        // Names and schema labels first, so they win over the aliases.
        add("id", .id)
        for f in t.fields {
            add(f.name, .field(f.name))
            add(f.label.zh, .field(f.name))
            add(f.label.en, .field(f.name))
        }
        add("编号", .id)
        add("记录编号", .id)
        for f in t.fields {
            if f.isMoneyInFen {
                let base = moneyBase(f)
                add(base + "(元)", .yuan(f.name))
                add(base + "元", .yuan(f.name))
                add(base, .yuan(f.name))
                add(f.name + "_yuan", .yuan(f.name))
                add(f.name + "(yuan)", .yuan(f.name))
                add(base + "分", .field(f.name))
                add(f.name + "_fen", .field(f.name))
                add(f.name + "(fen)", .field(f.name))
            }
            for a in aliases[f.name] ?? [] { add(a, .field(f.name)) }
        }
        for h in ignoredHeaders { add(h, .ignored) }
        return v
    }

    /// The Chinese label of a money field without its unit: 金额(分) → 金额.
    static func moneyBase(_ f: FieldSchema) -> String {
        var s = f.label.zh
        for unit in ["(分)", "（分）"] where s.hasSuffix(unit) { s.removeLast(unit.count) }
        return s
    }

    /// Maps each header cell to what its column holds.
    /// - Parameters:
    ///   - header: the header cells in file order.
    ///   - table: the table the sheet fills.
    /// - Returns: one column meaning per header cell.
    /// - Throws: `ImportHeaderError` (`unknown-column`, `duplicate-column`) naming the column.
    public static func map(_ header: [String], table t: TableSchema) throws(ImportHeaderError) -> [ImportColumn] {
        let vocabulary = vocabulary(t)
        var out: [ImportColumn] = []
        var seen: [String: Int] = [:]
        for (i, h) in header.enumerated() {
            guard let c = vocabulary[key(h)] else {
                let zh = t.fields.map(\.label.zh).joined(separator: "、")
                let en = t.fields.map(\.name).joined(separator: ", ")
                throw ImportHeaderError(
                    code: .unknownColumn, column: i + 1,
                    messageZH: "表头第 \(i + 1) 列「\(h)」不是\(t.label.zh)的字段；可用的列：编号、\(zh)（也可以用英文字段名）",
                    message: "column \(i + 1) \"\(h)\" is not a field of \(t.name); columns: id, \(en)")
            }
            if let target = c.target {
                if let earlier = seen[target] {
                    throw ImportHeaderError(
                        code: .duplicateColumn, column: i + 1,
                        messageZH: "表头第 \(i + 1) 列「\(h)」与第 \(earlier) 列是同一个字段，请删掉一列",
                        message: "column \(i + 1) \"\(h)\" names the same field as column \(earlier); remove one")
                }
                seen[target] = i + 1
            }
            out.append(c)
        }
        return out
    }

    /// Reads one record's cells into an import row: the id, the typed values (empty cells
    /// give no value) and every cell that could not be read.
    /// - Parameters:
    ///   - cells: the record's cells in header order.
    ///   - columns: what each column holds (`map`).
    ///   - line: the record's line in the file.
    ///   - table: the table.
    ///   - validator: parses each field (labels, dates, IDs normalised).
    /// - Returns: the row; `issues` is empty when every cell was read.
    public static func row(_ cells: [String], columns: [ImportColumn], line: Int, table t: TableSchema,
                           validator: Validator = Validator()) -> ImportRow {
        var row = ImportRow(line: line)
        for (raw, column) in zip(cells, columns) {
            let text = raw.trimmingSpaces()
            switch column {
            case .ignored:
                continue
            case .id:
                guard !text.isEmpty else { continue }
                let id = text.lowercased()
                if RowID.isValid(id) {
                    row.id = id
                } else {
                    row.issues.append(ImportIssue(field: "id", code: ValidationIssue.Code.invalidReference.rawValue,
                                                  zh: "编号「\(text)」不是有效的记录编号（36 位，由 hamlet 生成）；新记录请留空",
                                                  en: "id \"\(text)\" is not a row id (36 characters, made by hamlet); leave it empty for a new row"))
                }
            case .yuan(let name):
                guard !text.isEmpty, let f = t.field(name) else { continue }
                if let fen = Yuan.fen(text), fen <= (f.max ?? Int64.max) {
                    row.values[name] = .integer(fen)
                } else {
                    row.issues.append(ImportIssue(field: name, code: "invalid-amount",
                                                  zh: "\(moneyBase(f))（元）「\(text)」：不是以元为单位、最多两位小数的金额（例如 960 或 960.50）",
                                                  en: "\(f.label.en.replacingFen()) in yuan \"\(text)\": not an amount in yuan with at most two decimals (e.g. 960 or 960.50)"))
                }
            case .field(let name):
                guard !text.isEmpty, let f = t.field(name) else { continue }
                if f.isMoneyInFen, text.contains(".") {
                    row.issues.append(ImportIssue(field: name, code: ValidationIssue.Code.invalidInteger.rawValue,
                                                  zh: "\(f.label.zh)「\(text)」：这一列按分填写，不能有小数；按元填写请把表头改为「\(moneyBase(f))（元）」",
                                                  en: "\(f.label.en) \"\(text)\": this column is in fen (whole numbers); for yuan name the column \(name)_yuan or \(moneyBase(f))（元）"))
                    continue
                }
                if f.type == .nationalID, Yuan.looksLikeScientific(text) {
                    row.issues.append(ImportIssue(field: name, code: ValidationIssue.Code.invalidNationalID.rawValue,
                                                  zh: "\(f.label.zh)「\(text)」：被表格软件改成了数字（科学计数法），后几位已经丢失；请把这一列设为文本，按身份证重新填写",
                                                  en: "\(f.label.en) \"\(text)\": a spreadsheet program turned it into a number (scientific notation) and lost its last digits; format the column as text and type the IDs again"))
                    continue
                }
                do {
                    let v = try validator.parse(text, for: f, table: t.name)
                    if !v.isNull { row.values[name] = v }
                } catch {
                    row.issues.append(ImportIssue(error))
                }
            }
        }
        return row
    }
}

/// Amounts typed in 元.
public enum Yuan {
    /// 元 with up to two decimals as 分: `960` → 96000, `960.5` → 96050, `¥1,200.00` → 120000.
    /// A leading ¥ or ￥, a trailing 元 and thousands commas are allowed.
    /// - Parameter text: the typed amount.
    /// - Returns: the amount in 分, or nil when the text is not such an amount (or too large).
    public static func fen(_ text: String) -> Int64? {
        var s = Substring(text.trimmingSpaces())
        if s.first == "¥" || s.first == "￥" { s = s.dropFirst() }
        if s.last == "元" { s = s.dropLast() }
        let t = String(s).trimmingSpaces().filter { $0 != "," && $0 != "，" }
        let parts = t.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let whole = parts.first, !whole.isEmpty, whole.count <= 15,
              whole.allSatisfy({ $0.isASCII && $0.isNumber }), let yuan = Int64(whole) else { return nil }
        var cents: Int64 = 0
        if parts.count == 2 {
            let frac = parts[1]
            guard (1...2).contains(frac.count), frac.allSatisfy({ $0.isASCII && $0.isNumber }), let f = Int64(frac) else { return nil }
            cents = frac.count == 1 ? f * 10 : f
        }
        return yuan * 100 + cents
    }

    /// True for a number a spreadsheet wrote in scientific notation (`3.70481E+17`).
    static func looksLikeScientific(_ text: String) -> Bool {
        let u = text.uppercased()
        guard let e = u.firstIndex(of: "E") else { return false }
        let mantissa = u[..<e], exponent = u[u.index(after: e)...].drop { $0 == "+" }
        return !mantissa.isEmpty && mantissa.allSatisfy { $0.isNumber || $0 == "." } && !exponent.isEmpty && exponent.allSatisfy(\.isNumber)
    }
}

extension FieldSchema {
    /// A money field stored in 分: an integer whose label names the unit (金额(分), amount (fen)).
    public var isMoneyInFen: Bool {
        type == .integer && (label.zh.hasSuffix("(分)") || label.zh.hasSuffix("（分）") || label.en.contains("(fen)"))
    }
}

extension String {
    /// "amount (fen)" → "amount".
    func replacingFen() -> String {
        var s = self
        if s.hasSuffix(" (fen)") { s.removeLast(6) }
        return s
    }
}

/// Which table a file of an import folder fills, by its name.
public enum ImportFiles {
    /// The extensions of sheet files an import folder is searched for (`SheetFile.read` reads them).
    public static let extensions: Set<String> = ["csv", "xlsx"]

    /// Other names clerks give the registers' files, by table.
    static let aliases: [String: [String]] = [
        "households": ["户籍", "家庭户", "户表"],
        "people": ["全员人口", "人员", "人口信息"],
        "events": ["事件", "婚育"],
        "visits": ["随访记录", "服务记录"],
        "benefits": ["奖励扶助", "奖扶名单"],
    ]

    /// The table a sheet file fills: its name without the extension is the table's name
    /// (plural or singular) or its label (`people.csv`, `person.csv`, `人口.csv`, `奖扶.xlsx`).
    /// - Parameters:
    ///   - fileName: the file's name.
    ///   - schema: the register schema.
    /// - Returns: the table, or nil when the file is not a sheet or names no table.
    public static func table(forFile fileName: String, schema: Schema = .register) -> TableSchema? {
        guard let dot = fileName.lastIndex(of: "."), extensions.contains(fileName[fileName.index(after: dot)...].lowercased()) else {
            return nil
        }
        let stem = ImportColumns.key(String(fileName[..<dot]))
        return schema.tables.first { t in
            ([t.name, t.singular, t.label.zh, t.label.en] + (aliases[t.name] ?? [])).contains { ImportColumns.key($0) == stem }
        }
    }
}
