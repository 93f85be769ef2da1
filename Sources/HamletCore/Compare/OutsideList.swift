/// The kinds of outside list the township compares its register with (比对): each comes from another
/// department and covers a different part of the population.
public enum OutsideListKind: String, Sendable, Codable, CaseIterable {
    /// 公安户籍: the police household registration; covers everyone.
    case hukou
    /// 出生医学证明: the hospitals' birth certificates; covers people born in the list's range of dates.
    case birth
    /// 婚姻登记: the civil affairs marriage registrations; covers people married in the list's range of dates.
    case marriage

    /// The kind's name in Chinese and English.
    public var label: Label {
        switch self {
        case .hukou: return Label(zh: "公安户籍", en: "household registration")
        case .birth: return Label(zh: "出生医学证明", en: "birth certificates")
        case .marriage: return Label(zh: "婚姻登记", en: "marriage registration")
        }
    }

    /// Reads a kind as a clerk types it: its code (`hukou`), its Chinese name (公安户籍) or a short form (户籍, 出生, 婚姻).
    /// - Parameter text: the typed kind.
    /// - Returns: the kind, or nil when the text names none.
    public init?(parsing text: String) {
        let k = ImportColumns.key(text)
        let names: [OutsideListKind: [String]] = [
            .hukou: ["hukou", "公安户籍", "户籍", "公安", "household", "householdregistration"],
            .birth: ["birth", "births", "出生医学证明", "出生证明", "出生", "出生证", "birthcertificate", "birthcertificates"],
            .marriage: ["marriage", "marriages", "婚姻登记", "婚姻", "结婚登记", "结婚", "marriageregistration"],
        ]
        guard let kind = OutsideListKind.allCases.first(where: { names[$0]?.contains(k) == true }) else { return nil }
        self = kind
    }
}

/// One person on an outside list, as read: the 身份证号 normalised, the other values normalised
/// (sex `F`/`M`, dates `YYYY-MM-DD`) or nil when the list has no such column or the cell is blank or unreadable.
public struct OutsideListRow: Sendable, Hashable, Codable {
    /// The line (CSV) or row (xlsx) the person is on.
    public var line: Int
    /// The 身份证号, 18 characters, `X` upper-case.
    public var nationalID: String
    /// 姓名, trimmed.
    public var name: String?
    /// 性别: `F` or `M`.
    public var sex: String?
    /// 出生日期, `YYYY-MM-DD`.
    public var birthDate: String?
    /// Births: the mother's 身份证号, normalised.
    public var motherNationalID: String?
    /// Marriages: the registration date (登记日期), `YYYY-MM-DD`.
    public var date: String?
    /// 村, when the list has such a column.
    public var village: String?

    /// Makes a row.
    public init(line: Int, nationalID: String, name: String? = nil, sex: String? = nil, birthDate: String? = nil,
                motherNationalID: String? = nil, date: String? = nil, village: String? = nil) {
        self.line = line
        self.nationalID = nationalID
        self.name = name
        self.sex = sex
        self.birthDate = birthDate
        self.motherNationalID = motherNationalID
        self.date = date
        self.village = village
    }
}

/// A line of an outside list that could not be used, or a cell that could not be read: reported, never dropped silently.
///
/// JSON: `{"line": 7, "code": "invalid-national-id", "field": "national_id", "zh": "…", "en": "…"}`.
public struct OutsideListIssue: Sendable, Hashable, Codable {
    /// Stable codes; add new ones, never rename.
    public enum Code: String, Sendable, Codable {
        /// The 身份证号 cell is empty: the line is left out.
        case blankNationalID = "blank-national-id"
        /// The 身份证号 is not a valid ID: the line is left out.
        case invalidNationalID = "invalid-national-id"
        /// The 身份证号 was on an earlier line too: this line is left out.
        case duplicateNationalID = "duplicate-national-id"
        /// A cell other than the 身份证号 could not be read: the line is used without it.
        case unreadableValue = "unreadable-value"
    }

    /// The line (CSV) or row (xlsx).
    public var line: Int
    /// What went wrong.
    public var code: Code
    /// The field concerned (`national_id`, `sex`, `birth_date`, `mother_national_id`, `date`).
    public var field: String
    /// What went wrong and what to do, in Chinese (may echo the cell: the clerk's own file).
    public var zh: String
    /// The same in English.
    public var en: String

    /// Makes an issue.
    public init(line: Int, code: Code, field: String, zh: String, en: String) {
        self.line = line
        self.code = code
        self.field = field
        self.zh = zh
        self.en = en
    }
}

/// An outside list the compare cannot read at all: refused before anything is compared.
public struct OutsideListError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Stable codes; add new ones, never rename.
    public enum Code: String, Sendable {
        /// No column holds the 身份证号.
        case noNationalIDColumn = "no-national-id-column"
        /// Two columns hold the same value (身份证号 and 身份证号码).
        case duplicateColumn = "duplicate-column"
    }

    /// What went wrong.
    public var code: Code
    /// The message in Chinese (may name the file's own headers).
    public var messageZH: String
    /// The message in English.
    public var message: String
    /// `code: message`.
    public var description: String { "\(code.rawValue): \(message)" }
}

/// An outside list read for comparison: its people keyed by 身份证号, and the lines that could not be used.
public struct OutsideList: Sendable, Hashable {
    /// What the list is.
    public var kind: OutsideListKind
    /// The usable people, in file order, each 身份证号 once.
    public var rows: [OutsideListRow]
    /// The lines left out and the cells not read, in file order.
    public var issues: [OutsideListIssue]
    /// The file's headers that were read, each with the field it fills.
    public var columns: [String: String]
    /// The file's headers that were ignored (outside lists carry many).
    public var ignoredColumns: [String]

    /// Makes a list from rows already read (tests, callers with their own reader).
    public init(kind: OutsideListKind, rows: [OutsideListRow], issues: [OutsideListIssue] = [],
                columns: [String: String] = [:], ignoredColumns: [String] = []) {
        self.kind = kind
        self.rows = rows
        self.issues = issues
        self.columns = columns
        self.ignoredColumns = ignoredColumns
    }

    /// Reads an outside list from a sheet (`SheetFile.read(bytes:name:)`).
    ///
    /// Columns are recognised as the importer recognises them (身份证号 / 身份证号码 / national_id,
    /// 姓名 / name, 性别 / sex, 出生日期 / birth_date, 村 / village), plus for births 母亲身份证号 /
    /// mother_national_id and for marriages 登记日期 / 结婚日期 / date. Every other column is ignored.
    /// A line with a blank or invalid 身份证号, or one already seen, is left out and reported; a cell
    /// that cannot be read (性别 `x`, 出生日期 `1990-02-30`) is reported and the line used without it.
    /// - Parameters:
    ///   - table: the header and records.
    ///   - kind: what the list is.
    ///   - isCSV: whether the file was CSV: cells then lose the `'` a CSV export adds (`FormulaGuard.restored`).
    /// - Returns: the list.
    /// - Throws: `OutsideListError` with `no-national-id-column` or `duplicate-column`.
    public static func read(_ table: CSVTable, kind: OutsideListKind,
                            isCSV: Bool = true) throws(OutsideListError) -> OutsideList {
        let (columns, ignored) = try OutsideListColumns.map(table.header, kind: kind)
        var list = OutsideList(kind: kind, rows: [], issues: [], columns: columns, ignoredColumns: ignored)
        var firstLine: [String: Int] = [:]
        for record in table.rows {
            var cells: [String: String] = [:]
            for (header, field) in columns {
                var text = (record.fields[header] ?? "").trimmingSpaces()
                if isCSV { text = FormulaGuard.restored(text) }
                if !text.isEmpty { cells[field] = text }
            }
            guard let row = OutsideListColumns.row(cells, line: record.line, issues: &list.issues) else { continue }
            if let earlier = firstLine[row.nationalID] {
                list.issues.append(OutsideListIssue(
                    line: row.line, code: .duplicateNationalID, field: "national_id",
                    zh: "身份证号 \(row.nationalID) 在第 \(earlier) 行已经出现过，本行未比对；请核对名单是否重复",
                    en: "national ID \(row.nationalID) is already on line \(earlier); this line was not compared: check the list for a repeat"))
                continue
            }
            firstLine[row.nationalID] = row.line
            list.rows.append(row)
        }
        return list
    }
}

/// How an outside list's headers and cells are read.
enum OutsideListColumns {
    /// The extra spellings of the list-only fields, and of births' and marriages' own headers.
    static let extra: [String: [String]] = [
        "mother_national_id": ["母亲身份证号", "母亲身份证号码", "母亲身份证", "母亲公民身份号码", "母亲证件号码",
                               "mother_national_id", "mother national id", "mother_id", "mother id"],
        "date": ["登记日期", "结婚日期", "结婚登记日期", "婚姻登记日期", "登记时间", "date", "registration_date",
                 "registration date", "marriage_date", "marriage date"],
        "name": ["新生儿姓名", "婴儿姓名", "儿童姓名"],
        "sex": ["新生儿性别", "婴儿性别", "儿童性别"],
    ]

    /// The people fields a list fills.
    static let personFields: Set<String> = ["national_id", "name", "sex", "birth_date", "village"]

    /// The field each header key fills for a kind of list.
    static func vocabulary(kind: OutsideListKind) -> [String: String] {
        var v: [String: String] = [:]
        if let people = Schema.register.table(named: "people") {
            for (k, column) in ImportColumns.vocabulary(people) {
                if case .field(let f) = column, personFields.contains(f) { v[k] = f }
            }
        }
        for (field, spellings) in extra {
            if field == "mother_national_id", kind != .birth { continue }
            if field == "date", kind != .marriage { continue }
            for s in spellings where v[ImportColumns.key(s)] == nil { v[ImportColumns.key(s)] = field }
        }
        return v
    }

    /// Maps headers to fields; returns the recognised headers and the ignored ones.
    static func map(_ header: [String], kind: OutsideListKind) throws(OutsideListError) -> ([String: String], [String]) {
        let vocabulary = vocabulary(kind: kind)
        var columns: [String: String] = [:]
        var byField: [String: String] = [:]
        var ignored: [String] = []
        for h in header {
            guard let field = vocabulary[ImportColumns.key(h)] else {
                ignored.append(h)
                continue
            }
            if let earlier = byField[field] {
                throw OutsideListError(code: .duplicateColumn,
                                       messageZH: "列「\(h)」与列「\(earlier)」是同一项内容，请删掉其中一列后重试",
                                       message: "columns \"\(h)\" and \"\(earlier)\" hold the same thing; remove one and try again")
            }
            byField[field] = h
            columns[h] = field
        }
        guard byField["national_id"] != nil else {
            throw OutsideListError(code: .noNationalIDColumn,
                                   messageZH: "名单里没有「身份证号」列，无法比对；请把身份证号所在列的表头改为“身份证号”后重试",
                                   message: "the list has no national ID column (身份证号) to compare by; name that column 身份证号 or national_id and try again")
        }
        return (columns, ignored)
    }

    /// Reads one line's cells (field → trimmed text); nil when the line has no usable 身份证号 (the issue is added).
    static func row(_ cells: [String: String], line: Int, issues: inout [OutsideListIssue]) -> OutsideListRow? {
        guard let rawID = cells["national_id"] else {
            issues.append(OutsideListIssue(line: line, code: .blankNationalID, field: "national_id",
                                           zh: "身份证号为空，本行未比对", en: "the national ID is empty; the line was not compared"))
            return nil
        }
        guard let id = nationalID(rawID, line: line, field: "national_id", issues: &issues) else { return nil }
        var row = OutsideListRow(line: line, nationalID: id, name: cells["name"], village: cells["village"])
        if let s = cells["sex"] {
            row.sex = sex(s)
            if row.sex == nil { issues.append(unreadable(line, "sex", "性别", "sex", s, "应为 男 或 女", "should be 男/女 or M/F")) }
        }
        row.birthDate = date(cells["birth_date"], line: line, field: "birth_date", zh: "出生日期", en: "birth date", issues: &issues)
        row.date = date(cells["date"], line: line, field: "date", zh: "登记日期", en: "registration date", issues: &issues)
        if let m = cells["mother_national_id"] {
            row.motherNationalID = nationalID(m, line: line, field: "mother_national_id", issues: &issues)
        }
        return row
    }

    /// A valid 身份证号 normalised, or nil with an issue (`invalid-national-id` for the person's, `unreadable-value` for the mother's).
    static func nationalID(_ raw: String, line: Int, field: String, issues: inout [OutsideListIssue]) -> String? {
        let text = raw.hasPrefix("'") ? String(raw.dropFirst()) : raw
        switch NationalID.parse(text) {
        case .success(let id):
            return id.text
        case .failure(let box):
            let (zh, en) = reason(box.problem)
            if field == "national_id" {
                issues.append(OutsideListIssue(line: line, code: .invalidNationalID, field: field,
                                               zh: "身份证号「\(raw)」\(zh)，本行未比对", en: "national ID \"\(raw)\" \(en); the line was not compared"))
            } else {
                issues.append(unreadable(line, field, "母亲身份证号", "mother's national ID", raw, zh, en))
            }
            return nil
        }
    }

    /// Why an ID is invalid, in Chinese and English.
    static func reason(_ p: NationalID.Problem) -> (String, String) {
        switch p {
        case .length: return ("不是18位", "is not 18 characters long")
        case .characters: return ("含有数字和末位X以外的字符", "has characters other than digits and a final X")
        case .region: return ("前两位不是有效的省份代码", "does not start with a valid province code")
        case .birthDate: return ("第7至14位不是有效的出生日期", "has no valid birth date in digits 7–14")
        case .checkDigit: return ("校验位不正确，请核对第18位", "has a wrong check digit: check the 18th character")
        }
    }

    /// `F` or `M` from 女/男, F/M, female/male, 女性/男性; nil otherwise.
    static func sex(_ text: String) -> String? {
        switch text.lowercased() {
        case "女", "女性", "f", "female": return "F"
        case "男", "男性", "m", "male": return "M"
        default: return nil
        }
    }

    /// A date cell as `YYYY-MM-DD`, or nil (blank, or unreadable with an issue).
    static func date(_ text: String?, line: Int, field: String, zh: String, en: String,
                     issues: inout [OutsideListIssue]) -> String? {
        guard let text else { return nil }
        if let d = Validator.normalizedDate(text), CalendarDate(d) != nil { return d }
        issues.append(unreadable(line, field, zh, en, text, "不是有效日期（例如 1992-05-17）", "is not a valid date (e.g. 1992-05-17)"))
        return nil
    }

    /// An `unreadable-value` issue: the line is still compared, without this cell.
    static func unreadable(_ line: Int, _ field: String, _ labelZH: String, _ labelEN: String, _ value: String,
                           _ whyZH: String, _ whyEN: String) -> OutsideListIssue {
        OutsideListIssue(line: line, code: .unreadableValue, field: field,
                         zh: "\(labelZH)「\(value)」\(whyZH)；本行比对时不比这一项",
                         en: "\(labelEN) \"\(value)\" \(whyEN); the line was compared without it")
    }
}
