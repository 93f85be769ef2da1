/// The register compared with an outside list (比对): who is on the list but not in the register
/// (漏报 candidates), who is in the register but not on the list, and which fields differ for the
/// people on both. Pure: the store reads the register, `make` decides, nothing is ever written.
///
/// People are matched by 身份证号 (the register's `national_id`, upper-cased). Only the part of the
/// register the list covers counts as "not on the list":
/// - 公安户籍 (`hukou`): every live person whose residence is not 迁出 (moved out: the 户口 went with them);
/// - 出生医学证明 (`birth`): people born from the earliest to the latest birth date on the list (a
///   row's 出生日期, or the date in its 身份证号 when the cell is blank);
/// - 婚姻登记 (`marriage`): people with a marriage event from the earliest to the latest registration
///   date on the list, or, when the list has no dates, people whose marital status is married.
///
/// With a village, only that village's people are compared; a list row matching a person of another
/// village, or with a 村 cell naming another village, is counted in `summary.outOfScope` and not listed.
///
/// JSON (`hamlet hub compare --json` writes these keys in snake case: `national_id`, `not_in_list`, `list_value` …),
/// codes in English and stable:
/// ```
/// {"kind": "birth", "village": null, "range": {"from": "2024-01-01", "to": "2024-06-30"},
///  "summary": {"listRows": 3, "matched": 1, "missing": 1, "notInList": 1, "differences": 1,
///              "differingPeople": 1, "issues": 1, "outOfScope": 0},
///  "missing": [{"line": 2, "nationalID": "…", "name": "…", "sex": "F", "birthDate": "…",
///               "motherNationalID": "…", "date": null, "village": null}],
///  "notInList": [{"person": "<row id>", "village": "…", "nationalID": "…", "name": "…",
///                 "sex": "M", "birthDate": "…", "reason": "not-in-list" | "no-national-id"}],
///  "differences": [{"person": "<row id>", "village": "…", "line": 3, "nationalID": "…", "name": "…",
///                   "field": "name" | "sex" | "birth_date" | "mother_national_id" | "marriage_date" | "marital_status",
///                   "listValue": "…", "registerValue": "…" | null}],
///  "issues": [{"line": 4, "code": "invalid-national-id", "field": "national_id", "zh": "…", "en": "…"}]}
/// ```
/// Absent optional values (`null` above) are left out; sex and marital status are codes (`F`, `married`).
public struct ListComparison: Sendable, Hashable, Codable {
    /// What an item of the result is.
    public enum Category: String, Sendable, Codable, CaseIterable {
        /// On the list, not in the register: a 漏报 candidate.
        case missing
        /// In the register (within what the list covers), not on the list.
        case notInList = "not-in-list"
        /// On both, with a field that differs.
        case differs
        /// A line of the list that could not be used, or a cell not read.
        case issue

        /// The category's name in Chinese and English.
        public var label: Label {
            switch self {
            case .missing: return Label(zh: "名单有、登记簿无（疑似漏报）", en: "on the list, not in the register")
            case .notInList: return Label(zh: "登记簿有、名单无", en: "in the register, not on the list")
            case .differs: return Label(zh: "信息不一致", en: "differs")
            case .issue: return Label(zh: "名单行无法比对", en: "list line not compared")
            }
        }
    }

    /// A field compared between the list and the register.
    public enum Field: String, Sendable, Codable, CaseIterable {
        /// 姓名, compared without spaces (half- or full-width).
        case name
        /// 性别.
        case sex
        /// 出生日期.
        case birthDate = "birth_date"
        /// Births: the mother's 身份证号 against the register mother's `national_id`.
        case motherNationalID = "mother_national_id"
        /// Marriages: the registration date against the person's marriage events.
        case marriageDate = "marriage_date"
        /// Marriages: the register's marital status is not married, divorced or widowed.
        case maritalStatus = "marital_status"

        /// The field's name in Chinese and English.
        public var label: Label {
            switch self {
            case .name: return Label(zh: "姓名", en: "name")
            case .sex: return Label(zh: "性别", en: "sex")
            case .birthDate: return Label(zh: "出生日期", en: "birth date")
            case .motherNationalID: return Label(zh: "母亲身份证号", en: "mother's national ID")
            case .marriageDate: return Label(zh: "结婚登记日期", en: "marriage date")
            case .maritalStatus: return Label(zh: "婚姻状况", en: "marital status")
            }
        }
    }

    /// The dates a list covers, both ends included, `YYYY-MM-DD`.
    public struct DateRange: Sendable, Hashable, Codable {
        /// The first date covered.
        public var from: String
        /// The last date covered.
        public var to: String
        /// Makes a range.
        public init(from: String, to: String) {
            self.from = from
            self.to = to
        }
        /// Whether a date lies in the range.
        public func contains(_ date: String) -> Bool { from <= date && date <= to }
    }

    /// A person on the list and not in the register: the list's row.
    public typealias Missing = OutsideListRow

    /// A person in the register and not on the list.
    public struct NotInList: Sendable, Hashable, Codable {
        /// Why the person is listed.
        public enum Reason: String, Sendable, Codable {
            /// The person's 身份证号 is not on the list.
            case notInList = "not-in-list"
            /// The person has no 身份证号 in the register, so cannot be matched.
            case noNationalID = "no-national-id"

            /// The reason in Chinese and English.
            public var label: Label {
                switch self {
                case .notInList: return Label(zh: "名单中没有此身份证号", en: "national ID not on the list")
                case .noNationalID: return Label(zh: "登记簿中没有身份证号，无法比对", en: "no national ID in the register")
                }
            }
        }
        /// The register person's row id.
        public var person: String
        /// The person's village.
        public var village: String?
        /// The register's 身份证号; nil when it has none.
        public var nationalID: String?
        /// The register's 姓名.
        public var name: String?
        /// The register's 性别 code (`F`, `M`).
        public var sex: String?
        /// The register's 出生日期.
        public var birthDate: String?
        /// Why the person is listed.
        public var reason: Reason
    }

    /// One field that differs for a person on both.
    public struct Difference: Sendable, Hashable, Codable {
        /// The register person's row id.
        public var person: String
        /// The person's village in the register.
        public var village: String?
        /// The list line.
        public var line: Int
        /// The 身份证号 both share.
        public var nationalID: String
        /// The register's name (the list's is `listValue` when the name differs).
        public var name: String?
        /// The field that differs.
        public var field: Field
        /// The list's value (codes for sex and marital status).
        public var listValue: String?
        /// The register's value; nil when the register has none.
        public var registerValue: String?
    }

    /// Counts, for the first line of a report.
    public struct Summary: Sendable, Hashable, Codable {
        /// Usable rows on the list.
        public var listRows = 0
        /// List rows matched with a register person in scope.
        public var matched = 0
        /// People on the list, not in the register.
        public var missing = 0
        /// People in the register (within what the list covers), not on the list.
        public var notInList = 0
        /// Differing fields.
        public var differences = 0
        /// People with at least one differing field.
        public var differingPeople = 0
        /// Lines left out and cells not read.
        public var issues = 0
        /// List rows of another village than the one compared.
        public var outOfScope = 0
    }

    /// What the list is.
    public var kind: OutsideListKind
    /// The village compared, or nil for the township.
    public var village: String?
    /// The dates the list covers (births, marriages); nil for 公安户籍, an empty list, or marriages without dates.
    public var range: DateRange?
    /// The counts.
    public var summary: Summary
    /// On the list, not in the register (漏报 candidates), in list order.
    public var missing: [Missing]
    /// In the register, not on the list, in the register's order.
    public var notInList: [NotInList]
    /// Differing fields of people on both, in list order.
    public var differences: [Difference]
    /// The list's lines left out and cells not read.
    public var issues: [OutsideListIssue]
}

extension ListComparison {
    /// Compares a list with the register.
    /// - Parameters:
    ///   - list: the outside list (`OutsideList.read`).
    ///   - people: the register's live people (every village: a mother may live elsewhere), in the order to report them.
    ///   - marriages: each person's marriage event dates (`YYYY-MM-DD`), by person row id.
    ///   - village: compare only this village's people, or nil for the township.
    /// - Returns: the comparison; `issues` are the list's.
    public static func make(list: OutsideList, people: [(id: String, fields: Fields)],
                            marriages: [String: [String]] = [:], village: String? = nil) -> ListComparison {
        var result = ListComparison(kind: list.kind, village: village, range: range(of: list), summary: Summary(),
                                    missing: [], notInList: [], differences: [], issues: list.issues)
        var byID: [String: [Int]] = [:]
        var nationalIDOf: [String: String] = [:]
        for (k, p) in people.enumerated() {
            guard let id = nationalID(p.fields) else { continue }
            byID[id, default: []].append(k)
            nationalIDOf[p.id] = id
        }
        let inScope = { (p: (id: String, fields: Fields)) in village == nil || p.fields["village"]?.text == village }
        var differing = Set<String>()
        for row in list.rows {
            let matches = (byID[row.nationalID] ?? []).map { people[$0] }
            let scoped = matches.filter(inScope)
            if scoped.isEmpty {
                if !matches.isEmpty || (village != nil && row.village.map { $0 != village } == true) {
                    result.summary.outOfScope += 1
                } else {
                    result.missing.append(row)
                }
                continue
            }
            result.summary.matched += 1
            for p in scoped {
                let d = differences(row, p, kind: list.kind, marriages: marriages[p.id] ?? [], nationalIDOf: nationalIDOf)
                if !d.isEmpty { differing.insert(p.id) }
                result.differences += d
            }
        }
        let listed = Set(list.rows.map(\.nationalID))
        for p in people where inScope(p) && covered(p, by: result, marriages: marriages[p.id] ?? []) {
            let id = nationalID(p.fields)
            if let id, listed.contains(id) { continue }
            result.notInList.append(NotInList(person: p.id, village: p.fields["village"]?.text, nationalID: id,
                                              name: p.fields["name"]?.text, sex: p.fields["sex"]?.text,
                                              birthDate: p.fields["birth_date"]?.text,
                                              reason: id == nil ? .noNationalID : .notInList))
        }
        result.summary.listRows = list.rows.count
        result.summary.missing = result.missing.count
        result.summary.notInList = result.notInList.count
        result.summary.differences = result.differences.count
        result.summary.differingPeople = differing.count
        result.summary.issues = result.issues.count
        return result
    }

    /// The register's 身份证号 of a person, upper-cased and trimmed; nil when blank.
    static func nationalID(_ f: Fields) -> String? {
        guard let t = f["national_id"]?.text?.trimmingSpaces().uppercased(), !t.isEmpty else { return nil }
        return t
    }

    /// The dates the list covers: birth dates for births, registration dates for marriages.
    static func range(of list: OutsideList) -> DateRange? {
        let dates: [String]
        switch list.kind {
        case .hukou: return nil
        case .birth:
            dates = list.rows.compactMap { row in
                row.birthDate ?? (try? NationalID.parse(row.nationalID).get())?.birthDate.description
            }
        case .marriage: dates = list.rows.compactMap(\.date)
        }
        guard let from = dates.min(), let to = dates.max() else { return nil }
        return DateRange(from: from, to: to)
    }

    /// Whether the list is expected to hold the person (see the type's note).
    static func covered(_ p: (id: String, fields: Fields), by result: ListComparison, marriages: [String]) -> Bool {
        switch result.kind {
        case .hukou: return p.fields["residence"]?.text != "moved_out"   // 户口已迁出: not on the police register
        case .birth:
            guard let range = result.range, let born = p.fields["birth_date"]?.text else { return false }
            return range.contains(born)
        case .marriage:
            guard let range = result.range else { return p.fields["marital_status"]?.text == "married" }
            return marriages.contains(where: range.contains)
        }
    }

    /// A name as compared: without ASCII or ideographic spaces anywhere.
    static func comparableName(_ s: String) -> String {
        String(s.filter { !$0.isWhitespace && $0 != "\u{3000}" })
    }

    /// The fields that differ between a list row and a register person.
    static func differences(_ row: OutsideListRow, _ p: (id: String, fields: Fields), kind: OutsideListKind,
                            marriages: [String], nationalIDOf: [String: String]) -> [Difference] {
        var out: [Difference] = []
        func add(_ field: Field, _ listValue: String?, _ registerValue: String?) {
            out.append(Difference(person: p.id, village: p.fields["village"]?.text, line: row.line, nationalID: row.nationalID,
                                  name: p.fields["name"]?.text, field: field, listValue: listValue, registerValue: registerValue))
        }
        let reg = { (name: String) -> String? in
            guard let t = p.fields[name]?.text?.trimmingSpaces(), !t.isEmpty else { return nil }
            return t
        }
        if let n = row.name, comparableName(n) != comparableName(reg("name") ?? "") { add(.name, n, reg("name")) }
        if let s = row.sex, s != reg("sex") { add(.sex, s, reg("sex")) }
        if let b = row.birthDate, b != reg("birth_date") { add(.birthDate, b, reg("birth_date")) }
        if kind == .birth, let m = row.motherNationalID {
            let registered = reg("mother").flatMap { nationalIDOf[$0] }
            if m != registered { add(.motherNationalID, m, registered) }
        }
        if kind == .marriage {
            if let d = row.date, !marriages.contains(d) {
                add(.marriageDate, d, marriages.isEmpty ? nil : marriages.sorted().joined(separator: ", "))
            }
            let status = reg("marital_status")
            if !["married", "divorced", "widowed"].contains(status ?? "") { add(.maritalStatus, "married", status) }
        }
        return out
    }
}
