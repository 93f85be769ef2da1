/// What validation needs to know about a row another row references.
public struct ReferencedRow: Sendable, Equatable {
    public var isLive: Bool
    /// For people: the birth date, used by `not_before_birth_of` checks.
    public var birthDate: String?
    public init(isLive: Bool, birthDate: String?) {
        self.isLive = isLive
        self.birthDate = birthDate
    }
}

/// Pure field and row validation against the schema.
///
/// Values are normalised first (spaces trimmed, `x` → `X` in IDs, enum
/// aliases such as 女/男 mapped, dates such as `1992/5/17` written
/// `1992-05-17`), then checked by type, then across fields.
public struct Validator: Sendable {
    public let schema: Schema

    public init(schema: Schema = .register) {
        self.schema = schema
    }

    /// Chinese and other spellings a clerk may type for enum values.
    /// Each alias lists its candidates; the first one the field allows is taken
    /// (迁出 is `moved_out` for residence and `move_out` for an event's kind).
    static let enumAliases: [String: [String]] = [
        "女": ["F"], "f": ["F"], "男": ["M"], "m": ["M"],
        "未婚": ["single"], "已婚": ["married"], "离婚": ["divorced", "divorce"], "离异": ["divorced", "divorce"], "丧偶": ["widowed"],
        "常住": ["resident"], "在册": ["resident"], "迁出": ["moved_out", "move_out"], "迁入": ["moved_in", "move_in"],
        "出生": ["birth"], "结婚": ["marriage", "married"], "死亡": ["death"],
        "体检": ["health_check"], "产前": ["prenatal"], "产后": ["postnatal"], "儿保": ["child_health"], "随访": ["follow_up"],
        "符合条件": ["eligible"], "已确认": ["confirmed"], "已发放": ["paid"],
    ]

    /// Turns typed text into a value of the field's storage kind, normalised.
    /// - Throws: `ValidationIssue` when the text cannot be that type.
    public func parse(_ raw: String, for field: FieldSchema, table: String) throws(ValidationIssue) -> Value {
        // Line breaks typed in a spreadsheet cell (CRLF) are stored as LF; text is NFC, trimmed (TextSafety).
        let t = String(TextSafety.normalized(raw).map { $0 == "\r\n" ? "\n" : $0 })
        if t.isEmpty { return .null }
        switch field.type {
        case .integer:
            guard let i = Int64(t) else {
                throw ValidationIssue(.invalidInteger, table: table, field: field.name, value: raw,
                                      detail: "is not a whole number", zh: "不是整数")
            }
            return .integer(i)
        case .enum:
            if let values = field.values, !values.contains(t) {
                // The schema's labels (女, 已婚, 产前检查, "moved out"), then the other spellings clerks use.
                if let v = values.first(where: { field.valueLabels?[$0]?.zh == t || field.valueLabels?[$0]?.en.lowercased() == t.lowercased() }) {
                    return .text(v)
                }
                if let alias = Validator.enumAliases[t]?.first(where: { values.contains($0) }) { return .text(alias) }
            }
            return .text(t)
        case .nationalID:
            return .text(t.uppercased())
        case .text:
            // Choices are checked where a value is typed (CLI, import), never at the hub: a change
            // made before the list existed is still accepted.
            if let choices = field.choices, !choices.contains(t) {
                throw ValidationIssue(.invalidEnum, table: table, field: field.name, value: raw,
                                      detail: "must be one of \(choices.joined(separator: ", "))", zh: "只能是 \(choices.joined(separator: "、")) 之一")
            }
            return .text(t)
        case .date:
            return .text(Validator.normalizedDate(t) ?? t)
        default:
            return .text(t)
        }
    }

    /// A date as clerks and spreadsheets write it, written `YYYY-MM-DD`.
    ///
    /// Accepts `1992-05-17`, `1992-5-17`, `1992/5/17`, `1992.5.17`, `1992年5月17日`
    /// (日 or 号, or neither) and `19920517`, with spaces anywhere, and drops a
    /// midnight time after the date (`1992/5/17 0:00:00`, as spreadsheets save a
    /// date cell). Whether the day exists is left to `check`, so that
    /// `1990/2/30` is refused as `1990-02-30` with the usual message.
    /// - Parameter text: the typed date.
    /// - Returns: `YYYY-MM-DD`, or nil when the text has none of these shapes.
    public static func normalizedDate(_ text: String) -> String? {
        var s = text.trimmingSpaces()
        // A midnight time after the date: "1992/5/17 0:00", "1992-05-17 00:00:00".
        if let space = s.firstIndex(where: { $0 == " " || $0 == "\u{3000}" }) {
            let time = String(s[s.index(after: space)...]).trimmingSpaces()
            let digits = time.filter { $0 != ":" }
            if time.contains(":"), !digits.isEmpty, digits.allSatisfy({ $0 == "0" }), time.count <= 8 {
                s = String(s[..<space])
            }
        }
        let chars = s.filter { $0 != " " && $0 != "\u{3000}" }
        let isDigit = { (c: Character) in c.isASCII && c.isNumber }
        func padded(_ y: Substring, _ m: Substring, _ d: Substring) -> String? {
            guard y.count == 4, (1...2).contains(m.count), (1...2).contains(d.count),
                  (y + m + d).allSatisfy(isDigit) else { return nil }
            return "\(y)-\(m.count == 1 ? "0" : "")\(m)-\(d.count == 1 ? "0" : "")\(d)"
        }
        if chars.count == 8, chars.allSatisfy(isDigit) {
            return padded(chars.prefix(4), chars.dropFirst(4).prefix(2), chars.suffix(2))
        }
        if chars.contains("年") {
            var rest = Substring(chars)
            if rest.last == "日" || rest.last == "号" { rest = rest.dropLast() }
            let parts = rest.split(separator: "年", omittingEmptySubsequences: false)
            guard parts.count == 2 else { return nil }
            let md = parts[1].split(separator: "月", omittingEmptySubsequences: false)
            guard md.count == 2 else { return nil }
            return padded(parts[0], md[0], md[1])
        }
        guard let separator = chars.first(where: { !isDigit($0) }), "-/.".contains(separator) else { return nil }
        let parts = chars.split(separator: separator, omittingEmptySubsequences: false)
        guard parts.count == 3 else { return nil }
        return padded(parts[0], parts[1], parts[2])
    }

    /// Checks one value against its field's type and limits.
    /// - Throws: `ValidationIssue` naming the field, the value and the problem.
    public func check(_ value: Value, field f: FieldSchema, table: String) throws(ValidationIssue) {
        func issue(_ c: ValidationIssue.Code, _ en: String, _ zh: String) -> ValidationIssue {
            ValidationIssue(c, table: table, field: f.name, value: value.description, detail: en, zh: zh)
        }
        guard !value.isNull else {
            if f.required { throw ValidationIssue(.missingField, table: table, field: f.name, value: nil, detail: "is required", zh: "必须填写") }
            return
        }
        if f.type == .integer {
            guard let i = value.integer else { throw issue(.invalidInteger, "is not a whole number", "不是整数") }
            if let lo = f.min, i < lo { throw issue(.outOfRange, "is below the minimum \(lo)", "小于最小值 \(lo)") }
            if let hi = f.max, i > hi { throw issue(.outOfRange, "is above the maximum \(hi)", "大于最大值 \(hi)") }
            return
        }
        guard let s = value.text else { throw issue(.invalidText, "must be text", "必须是文字") }
        if !TextSafety.isPlain(s) {
            try checkCharacters(s, field: f, table: table)
            if s != s.trimmingSpaces() || s.isEmpty {
                throw issue(.invalidText, "has surrounding spaces or is empty", "首尾有空格或为空")
            }
        }
        switch f.type {
        case .text:
            if let hi = f.max, s.count > Int(hi) { throw issue(.tooLong, "is longer than \(hi) characters", "超过 \(hi) 个字") }
            if f.digits, !s.unicodeScalars.allSatisfy({ $0.value >= 48 && $0.value <= 57 }) {
                throw issue(.invalidText, "must be digits only", "只能填数字")
            }

        case .integer:
            break
        case .date:
            guard CalendarDate(s) != nil else {
                throw issue(.invalidDate, "is not a real date (YYYY-MM-DD)", "不是有效日期（请写成 1992-05-17 这样的年-月-日）")
            }
        case .enum:
            let values = f.values ?? []
            guard values.contains(s) else {
                // The labels a clerk types (女、男); English: the codes with their labels.
                let zh = values.map { f.label(ofValue: $0).zh }
                let en = values.map { v in f.label(ofValue: v).en == v ? v : "\(v) (\(f.label(ofValue: v).en))" }
                throw issue(.invalidEnum, "must be one of \(en.joined(separator: ", "))", "只能是 \(zh.joined(separator: "、")) 之一")
            }
        case .nationalID:
            switch NationalID.parse(s) {
            case .success(let id) where id.text == s: break
            case .success: throw issue(.invalidNationalID, "must be written with an uppercase X", "末位 X 须大写")
            case .failure(let box):
                switch box.problem {
                case .length: throw issue(.invalidNationalID, "must have 18 characters", "应为18位")
                case .characters: throw issue(.invalidNationalID, "must be 17 digits and a digit or X", "应为17位数字加1位数字或X")
                case .region: throw issue(.invalidNationalID, "has an unknown region code (digits 1–2)", "地区码（前2位）不存在")
                case .birthDate: throw issue(.invalidNationalID, "encodes no real birth date (digits 7–14)", "第7–14位不是有效出生日期")
                case .checkDigit: throw issue(.invalidNationalID, "has a wrong check digit; check digit 18", "身份证号校验位不正确，请核对第18位")
                }
            }
        case .phone:
            guard Validator.isPhone(s) else {
                throw issue(.invalidPhone, "is not a mobile (11 digits starting 1) or landline number", "不是有效的手机号（1开头11位）或固定电话")
            }
        case .ref:
            guard RowID.isValid(s) else { throw issue(.invalidReference, "is not a row id", "不是有效的记录编号") }
        }
    }

    /// Refuses C0 controls but the line feed (`invalid-text`, as always), then invisible, control, bidi and
    /// separator characters (and line breaks in one-line fields), naming the character by its code point only,
    /// and text that is not NFC (``TextSafety``).
    /// - Throws: `ValidationIssue` `invalid-text` or `forbidden-character`; only the first holds the value.
    func checkCharacters(_ s: String, field f: FieldSchema, table: String) throws(ValidationIssue) {
        if s.unicodeScalars.contains(where: { $0.value < 0x20 && $0 != "\n" || $0.value == 0x7F }) {
            throw ValidationIssue(.invalidText, table: table, field: f.name, value: s, detail: "contains control characters", zh: "含有控制字符")
        }
        let lineBreaks = TextSafety.keepsLineBreaks(f)
        if let u = TextSafety.forbiddenScalar(in: s, lineBreaks: lineBreaks) {
            let cp = TextSafety.codePoint(u)
            if u == "\n" {
                throw ValidationIssue(.forbiddenCharacter, table: table, field: f.name, value: nil,
                                      detail: "contains a line break (\(cp)); it is one line", zh: "含有换行（\(cp)），只能写一行")
            }
            throw ValidationIssue(.forbiddenCharacter, table: table, field: f.name, value: nil,
                                  detail: "contains the invisible or control character \(cp); type it again without it",
                                  zh: "含有不可见字符或控制字符 \(cp)，请删掉后重新输入")
        }
        guard TextSafety.isNFC(s) else {
            throw ValidationIssue(.invalidText, table: table, field: f.name, value: nil,
                                  detail: "is not in Unicode normal form C (NFC)", zh: "没有按 Unicode 标准形式 NFC 书写")
        }
    }

    /// Mobile: 11 digits starting 13–19. Landline: 0, area code, optional dash, 7–8 digits.
    public static func isPhone(_ s: String) -> Bool {
        let u = Array(s.utf8)
        let digit = { (c: UInt8) in c >= 48 && c <= 57 }
        if u.count == 11, u.allSatisfy(digit), u[0] == 49, u[1] >= 51 { return true }
        let digits = u.filter { $0 != 45 }
        let dashes = u.count - digits.count
        guard dashes <= 1, digits.allSatisfy(digit), u.first == 48, (10...12).contains(digits.count) else { return false }
        if dashes == 1, let i = u.firstIndex(of: 45), !(3...4).contains(i) { return false }
        return true
    }

    /// Checks a whole row (the state after a change) field by field and across fields.
    ///
    /// - Parameters:
    ///   - row: every field of the row after the change (absent = null): a name map, or a ``HubRow`` read by ordinal.
    ///   - table: the table schema.
    ///   - checkFields: the fields the change set; type checks run on these, required and cross-field checks on the row.
    ///   - lookup: the referenced row, or nil when it does not exist.
    ///   - checked: values already passed through `check` by the caller (the hub checks each value of a change as
    ///     it arrives): a field holding the same non-null value here skips its type check, which would pass again.
    /// - Returns: every issue found, in field order; empty when the row is valid.
    public func issues<R: FieldValues>(row: R, table: TableSchema, checkFields: Set<String>,
                                       lookup: (_ table: String, _ id: String) -> ReferencedRow?,
                                       checked: Fields = [:]) -> [ValidationIssue] {
        var out: [ValidationIssue] = []
        let layout = table.layout
        for (o, f) in table.fields.enumerated() {
            let v = row.value(at: o, named: f.name, in: layout) ?? .null
            if (f.required && v.isNull) || checkFields.contains(f.name), v.isNull || checked[f.name] != v {
                do { try check(v, field: f, table: table.name) } catch { out.append(error); continue }
            }
            if let cond = f.requiredWhen, v.isNull, cond.allSatisfy({ row.value(named: $0.key, in: layout)?.text == $0.value }) {
                // English keeps the codes (status=paid); Chinese names the field and value as the clerk sees them.
                let when = cond.sorted { $0.key < $1.key }
                let en = when.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")
                let zh = when.map { c -> String in
                    let other = table.field(c.key)
                    return "\(other?.label.zh ?? c.key)为「\(other?.label(ofValue: c.value).zh ?? c.value)」"
                }.joined(separator: "、")
                out.append(ValidationIssue(.missingField, table: table.name, field: f.name, value: nil,
                                           detail: "is required when \(en)", zh: "当\(zh)时必须填写"))
            }
            if f.type == .ref, let id = v.text, let target = f.references {
                let dateField = layout.birthBoundDate[o]
                let refChanged = checkFields.contains(f.name)
                let dateChanged = dateField.map { checkFields.contains($0.name) } ?? false
                let birthChanged = f.parentMinAge != nil && checkFields.contains("birth_date")
                guard refChanged || dateChanged || birthChanged else { continue }
                let r = lookup(target, id)
                if refChanged, r?.isLive != true {
                    out.append(ValidationIssue(.missingReference, table: table.name, field: f.name, value: id,
                                               detail: "names no live \(target) row", zh: "引用的记录不存在或已删除"))
                    continue
                }
                if let dateField, let r, let date = row.value(named: dateField.name, in: layout)?.text, let birth = r.birthDate, date < birth,
                   CalendarDate(date) != nil {
                    out.append(ValidationIssue(.beforeBirth, table: table.name, field: dateField.name, value: date,
                                               detail: "is before the person's birth date", zh: "早于此人的出生日期"))
                }
                // A mother or father at least N years older than the child (a child born before its mother is the same error).
                if let years = f.parentMinAge, let r, let parentBirth = r.birthDate.flatMap(CalendarDate.init),
                   let own = row.value(named: "birth_date", in: layout)?.text, let childBirth = CalendarDate(own),
                   refChanged || checkFields.contains("birth_date"),
                   CalendarDate(year: parentBirth.year + years, month: parentBirth.month, day: min(parentBirth.day, 28)).map({ childBirth < $0 }) ?? false {
                    out.append(ValidationIssue(.parentTooYoung, table: table.name, field: f.name, value: id,
                                               detail: "must be at least \(years) years older than this person",
                                               zh: "\(f.label.zh)应比本人大至少 \(years) 岁（请核对出生日期）"))
                }
            }
        }
        if let oneOf = table.oneOf, oneOf.allSatisfy({ row.value(named: $0, in: layout) == nil }) {
            let labels = oneOf.map { table.field($0)?.label.zh ?? $0 }
            out.append(ValidationIssue(.missingOneOf, table: table.name, field: oneOf.joined(separator: "|"), value: nil,
                                       detail: "needs one of \(oneOf.joined(separator: ", "))", zh: "至少填写\(labels.joined(separator: "或"))之一"))
        }
        // The national ID encodes the birth date and the sex: they must agree.
        if let idField = layout.nationalIDField,
           checkFields.contains(idField.name) || checkFields.contains("birth_date") || checkFields.contains("sex"),
           let idText = row.value(named: idField.name, in: layout)?.text, case .success(let id) = NationalID.parse(idText) {
            if let bd = row.value(named: "birth_date", in: layout)?.text, CalendarDate(bd) != nil, bd != id.birthDate.description,
               checkFields.contains("birth_date") || checkFields.contains(idField.name) {
                out.append(ValidationIssue(.nationalIDBirthDate, table: table.name, field: idField.name, value: idText,
                                           detail: "digits 7–14 disagree with birth_date",
                                           zh: "第7–14位与出生日期不符"))
            }
            if let sex = row.value(named: "sex", in: layout)?.text, ["F", "M"].contains(sex), sex != id.sex,
               checkFields.contains("sex") || checkFields.contains(idField.name) {
                out.append(ValidationIssue(.nationalIDSex, table: table.name, field: idField.name, value: idText,
                                           detail: "the 17th digit (odd = male) disagrees with sex",
                                           zh: "第17位（单数为男）与性别不符"))
            }
        }
        return out
    }
}
