/// A comparison's result as a sheet (`hamlet hub compare --out F.csv|F.xlsx`, the operator page's download):
/// one row per item — each person missing from the register, each person not on the list, each differing
/// field, each list line not compared — under Chinese or English headers.
///
/// Columns: 类别 (category), 身份证号, 姓名, 性别, 出生日期, 村, 字段 (field), 名单中的值 (list value),
/// 登记簿中的值 (register value), 名单行号 (list line), 人员编号 (register row id), 说明 (note). 性别 and
/// 出生日期 are the list's for a missing person and the register's for one not on the list (a difference
/// shows the two values in its own columns). Sex and marital status are written as their labels (女, 已婚)
/// in a Chinese sheet and as codes in an English one.
public enum ComparisonExport {
    /// The header row.
    /// - Parameter chinese: Chinese headers instead of English ones.
    /// - Returns: the column titles.
    public static func header(chinese: Bool) -> [String] {
        chinese
            ? ["类别", "身份证号", "姓名", "性别", "出生日期", "村", "字段", "名单中的值", "登记簿中的值", "名单行号", "人员编号", "说明"]
            : ["category", "national ID", "name", "sex", "birth date", "village", "field", "list value", "register value",
               "list line", "person", "note"]
    }

    /// The rows of the sheet, without the header: missing people, people not on the list, differences, then
    /// the list's issues, each group in the result's order.
    /// - Parameters:
    ///   - result: the comparison.
    ///   - chinese: Chinese labels instead of English ones.
    /// - Returns: one array of cells per item, in header order.
    public static func rows(_ result: ListComparison, chinese: Bool) -> [[String]] {
        let category = { (c: ListComparison.Category) in c.label.text(chinese: chinese) }
        let sex = { (s: String?) in value(s, field: .sex, chinese: chinese) }
        var out: [[String]] = []
        for m in result.missing {
            out.append([category(.missing), m.nationalID, m.name ?? "", sex(m.sex), m.birthDate ?? "", m.village ?? "",
                        "", "", "", String(m.line), "", missingNote(m, chinese: chinese)])
        }
        for n in result.notInList {
            out.append([category(.notInList), n.nationalID ?? "", n.name ?? "", sex(n.sex), n.birthDate ?? "", n.village ?? "",
                        "", "", "", "", n.person, n.reason.label.text(chinese: chinese)])
        }
        for d in result.differences {
            out.append([category(.differs), d.nationalID, d.name ?? "", "", "", d.village ?? "", d.field.label.text(chinese: chinese),
                        value(d.listValue, field: d.field, chinese: chinese), value(d.registerValue, field: d.field, chinese: chinese),
                        String(d.line), d.person, ""])
        }
        for i in result.issues {
            out.append([category(.issue), "", "", "", "", "", fieldLabel(i.field, chinese: chinese), "", "", String(i.line), "",
                        chinese ? i.zh : i.en])
        }
        return out
    }

    /// The sheet as CSV for spreadsheet programs: UTF-8 with a BOM, CRLF, every cell passed through
    /// `FormulaGuard.neutralized` (a name or value beginning with `=` is never run as a formula).
    /// - Parameters:
    ///   - result: the comparison.
    ///   - chinese: Chinese headers and labels.
    /// - Returns: the CSV text, starting with U+FEFF.
    public static func csv(_ result: ListComparison, chinese: Bool) -> String {
        let all = [header(chinese: chinese)] + rows(result, chinese: chinese)
        return CSV.encode(all.map { $0.map(FormulaGuard.neutralized) }, bom: true, lineEnding: "\r\n")
    }

    /// The sheet as an xlsx workbook: every column is text (a 身份证号 stays text, never a number), except
    /// 出生日期, a date, and the list line, a number.
    /// - Parameters:
    ///   - result: the comparison.
    ///   - chinese: Chinese headers and labels.
    /// - Returns: the xlsx file.
    public static func xlsx(_ result: ListComparison, chinese: Bool) -> [UInt8] {
        let columns = header(chinese: chinese).enumerated().map { k, title in
            XLSXWriter.Column(title, k == 9 ? .number : k == 4 ? .date : .text)
        }
        let sheet = chinese ? "比对结果" : "comparison"
        return XLSXWriter.workbook(sheetName: sheet, columns: columns, rows: rows(result, chinese: chinese))
    }

    /// A value as shown: sex and marital status by their labels in Chinese.
    static func value(_ v: String?, field: ListComparison.Field, chinese: Bool) -> String {
        guard let v else { return "" }
        guard chinese, let people = Schema.register.table(named: "people") else { return v }
        switch field {
        case .sex: return people.field("sex")?.label(ofValue: v).zh ?? v
        case .maritalStatus: return people.field("marital_status")?.label(ofValue: v).zh ?? v
        default: return v
        }
    }

    /// A list field's name (`national_id`, `date` …) as a column title.
    static func fieldLabel(_ field: String, chinese: Bool) -> String {
        let labels: [String: Label] = [
            "national_id": Label(zh: "身份证号", en: "national ID"),
            "name": ListComparison.Field.name.label,
            "sex": ListComparison.Field.sex.label,
            "birth_date": ListComparison.Field.birthDate.label,
            "mother_national_id": ListComparison.Field.motherNationalID.label,
            "date": Label(zh: "登记日期", en: "registration date"),
        ]
        return labels[field]?.text(chinese: chinese) ?? field
    }

    /// What the list says of a missing person beyond its columns: the mother's ID, the registration date.
    static func missingNote(_ m: OutsideListRow, chinese: Bool) -> String {
        var parts: [String] = []
        if let id = m.motherNationalID { parts.append("\(fieldLabel("mother_national_id", chinese: chinese)) \(id)") }
        if let d = m.date { parts.append("\(fieldLabel("date", chinese: chinese)) \(d)") }
        return parts.joined(separator: chinese ? "；" : "; ")
    }
}
