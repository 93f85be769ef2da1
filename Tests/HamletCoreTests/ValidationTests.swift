import Testing
@testable import HamletCore

private let schema = Schema.register
private let validator = Validator()

private func table(_ name: String) -> TableSchema { schema.table(named: name)! }
private func field(_ t: String, _ f: String) -> FieldSchema { table(t).field(f)! }

/// The code `check` throws for `value` in `t.f`, or nil when it is accepted.
private func checkCode(_ value: Value, _ t: String, _ f: String) -> ValidationIssue.Code? {
    do {
        try validator.check(value, field: field(t, f), table: table(t).name)
        return nil
    } catch {
        return error.code
    }
}

private let personID = "018bcfe5-6800-7abc-8def-0123456789ab"
private let householdID = "018bcfe5-6801-7abc-8def-0123456789ab"
private let goneID = "018bcfe5-6802-7abc-8def-0123456789ab"

/// A lookup where the person was born 1990-03-02, the household exists and `goneID` is deleted.
private func lookup(_ t: String, _ id: String) -> ReferencedRow? {
    switch (t, id) {
    case ("people", personID): return ReferencedRow(isLive: true, birthDate: "1990-03-02")
    case ("households", householdID): return ReferencedRow(isLive: true, birthDate: nil)
    case (_, goneID): return ReferencedRow(isLive: false, birthDate: "1990-03-02")
    default: return nil
    }
}

private let person: Fields = [
    "village": .text("东村"), "name": .text("王秀英"), "sex": .text("F"), "birth_date": .text("1990-03-02"),
    "national_id": .text("370481199003021224"), "phone": .text("13812345678"), "household": .text(householdID),
]

private func issues(_ t: String, _ row: Fields, checking: Set<String>? = nil) -> [ValidationIssue] {
    let ts = table(t)
    return validator.issues(row: row, table: ts, checkFields: checking ?? Set(ts.fields.map(\.name)), lookup: lookup)
}

private func codes(_ t: String, _ row: Fields, checking: Set<String>? = nil) -> [ValidationIssue.Code] {
    issues(t, row, checking: checking).map(\.code)
}

private func with(_ row: Fields, _ changes: Fields) -> Fields { row.merging(changes) { $1 } }

@Suite struct ValidationTests {
    // MARK: one value, by type

    @Test(arguments: [
        // text: people.name, max 40 characters (graphemes, so Chinese counts one per character)
        (Value.text("王秀英"), "people", "name", ValidationIssue.Code?.none),
        (.text("Zhang San"), "people", "name", nil),
        (.text(String(repeating: "王", count: 40)), "people", "name", nil),
        (.text(String(repeating: "王", count: 41)), "people", "name", .tooLong),
        (.text(String(repeating: "a", count: 41)), "people", "name", .tooLong),
        (.text(" 王秀英"), "people", "name", .invalidText),
        (.text("王秀英\u{3000}"), "people", "name", .invalidText),
        (.text(""), "people", "name", .invalidText),
        (.text("王\u{0}秀英"), "people", "name", .invalidText),
        (.text("王\t秀英"), "people", "name", .invalidText),
        (.text("王\u{7F}秀英"), "people", "name", .invalidText),
        (.integer(5), "people", "name", .invalidText),
        (.null, "people", "name", .missingField),
        (.null, "people", "current_address", nil),
        (.text(String(repeating: "路", count: 200)), "people", "current_address", nil),
        (.text(String(repeating: "路", count: 201)), "people", "current_address", .tooLong),
        // integer: benefits.amount, 0...100000000 fen
        (.integer(0), "benefits", "amount", nil),
        (.integer(50_000), "benefits", "amount", nil),
        (.integer(100_000_000), "benefits", "amount", nil),
        (.integer(-1), "benefits", "amount", .outOfRange),
        (.integer(100_000_001), "benefits", "amount", .outOfRange),
        (.integer(Int64.min), "benefits", "amount", .outOfRange),
        (.text("500"), "benefits", "amount", .invalidInteger),
        (.null, "benefits", "amount", .missingField),
        // date
        (.text("1990-03-02"), "people", "birth_date", nil),
        (.text("2024-02-29"), "people", "birth_date", nil),
        (.text("2000-02-29"), "people", "birth_date", nil),
        (.text("1850-01-01"), "people", "birth_date", nil),
        (.text("2199-12-31"), "people", "birth_date", nil),
        (.text("2023-02-29"), "people", "birth_date", .invalidDate),
        (.text("1900-02-29"), "people", "birth_date", .invalidDate),
        (.text("2024-04-31"), "people", "birth_date", .invalidDate),
        (.text("2024-13-01"), "people", "birth_date", .invalidDate),
        (.text("2024-00-10"), "people", "birth_date", .invalidDate),
        (.text("2024-01-00"), "people", "birth_date", .invalidDate),
        (.text("2024-4-01"), "people", "birth_date", .invalidDate),
        (.text("2024/04/01"), "people", "birth_date", .invalidDate),
        (.text("20240401"), "people", "birth_date", .invalidDate),
        (.text("1849-12-31"), "people", "birth_date", .invalidDate),
        (.text("2024-04-01T00:00"), "people", "birth_date", .invalidDate),
        (.text("２０２４-０４-０１"), "people", "birth_date", .invalidDate),
        (.integer(20240401), "people", "birth_date", .invalidText),
        // enum (stored values only; aliases are mapped by parse)
        (.text("F"), "people", "sex", nil),
        (.text("M"), "people", "sex", nil),
        (.text("女"), "people", "sex", .invalidEnum),
        (.text("f"), "people", "sex", .invalidEnum),
        (.text("female"), "people", "sex", .invalidEnum),
        (.text("moved_out"), "people", "residence", nil),
        (.text("paid"), "benefits", "status", nil),
        (.text("Paid"), "benefits", "status", .invalidEnum),
        // national ID
        (.text("370481199003021224"), "people", "national_id", nil),
        (.text("11010519491231002X"), "people", "national_id", nil),
        (.text("11010519491231002x"), "people", "national_id", .invalidNationalID),
        (.text("370481199003021225"), "people", "national_id", .invalidNationalID),
        (.text("370481199002301224"), "people", "national_id", .invalidNationalID),
        (.text("37048119900302122"), "people", "national_id", .invalidNationalID),
        (.text("99048119900302122A"), "people", "national_id", .invalidNationalID),
        (.text("990481199003021224"), "people", "national_id", .invalidNationalID),
        (.null, "people", "national_id", nil),
        // phone
        (.text("13812345678"), "people", "phone", nil),
        (.text("19912345678"), "people", "phone", nil),
        (.text("15000000000"), "households", "phone", nil),
        (.text("010-12345678"), "people", "phone", nil),
        (.text("0571-88888888"), "people", "phone", nil),
        (.text("0755-1234567"), "people", "phone", nil),
        (.text("01012345678"), "people", "phone", nil),
        (.text("057188888888"), "people", "phone", nil),
        (.text("12812345678"), "people", "phone", .invalidPhone),
        (.text("1381234567"), "people", "phone", .invalidPhone),
        (.text("138123456789"), "people", "phone", .invalidPhone),
        (.text("138-1234-5678"), "people", "phone", .invalidPhone),
        (.text("+8613812345678"), "people", "phone", .invalidPhone),
        (.text("12345678"), "people", "phone", .invalidPhone),
        (.text("010--12345678"), "people", "phone", .invalidPhone),
        (.text("01-012345678"), "people", "phone", .invalidPhone),
        (.text("01012-345678"), "people", "phone", .invalidPhone),
        (.text("0101234"), "people", "phone", .invalidPhone),
        (.text("0571888888881"), "people", "phone", .invalidPhone),
        (.text("1381234567a"), "people", "phone", .invalidPhone),
        (.text("１３８１２３４５６７８"), "people", "phone", .invalidPhone),
        // reference
        (.text(personID), "events", "person", nil),
        (.text("王秀英"), "events", "person", .invalidReference),
        (.text("018BCFE5-6800-7ABC-8DEF-0123456789AB"), "events", "person", .invalidReference),
        (.null, "events", "person", .missingField),
        (.null, "people", "household", nil),
    ])
    func checkOneValue(value: Value, table t: String, field f: String, expected: ValidationIssue.Code?) {
        #expect(checkCode(value, t, f) == expected, "\(t).\(f) = \(value)")
    }

    @Test(arguments: [
        ("people", "sex", "女", Value.text("F")),
        ("people", "sex", "男", .text("M")),
        ("people", "sex", " f ", .text("F")),
        ("people", "sex", "m", .text("M")),
        ("people", "sex", "M", .text("M")),
        ("people", "marital_status", "已婚", .text("married")),
        ("people", "marital_status", "离异", .text("divorced")),
        ("people", "marital_status", "女", .text("女")),          // an alias of another field's value is not applied
        ("people", "residence", "迁出", .text("moved_out")),
        ("events", "kind", "出生", .text("birth")),
        ("events", "kind", "结婚", .text("marriage")),
        ("visits", "kind", "儿保", .text("child_health")),
        ("benefits", "status", "已发放", .text("paid")),
        ("benefits", "amount", " 300 ", .integer(300)),
        ("benefits", "amount", "", .null),
        ("benefits", "amount", "\u{3000}", .null),
        ("people", "national_id", "11010519491231002x", .text("11010519491231002X")),
        ("people", "name", "  王秀英 ", .text("王秀英")),
        ("people", "name", "   ", .null),
    ])
    func parseNormalises(t: String, f: String, raw: String, expected: Value) throws {
        #expect(try validator.parse(raw, for: field(t, f), table: t) == expected)
    }

    @Test(arguments: ["12.50", "abc", "1e3", "五百", "１２", "99999999999999999999"])
    func parseRefusesNonIntegers(raw: String) {
        #expect(throws: ValidationIssue.self) { try validator.parse(raw, for: field("benefits", "amount"), table: "benefits") }
        do { _ = try validator.parse(raw, for: field("benefits", "amount"), table: "benefits") } catch {
            #expect(error.code == .invalidInteger)
            #expect(error.value == raw)
        }
    }

    @Test func aliasesOfEventKindsThatCollideWithOtherFields() {
        // 迁出/迁入 map to residence's moved_out/moved_in and 离婚 to marital_status's divorced, so the same
        // words typed for events.kind (move_out, move_in, divorce) are not recognised.
        do {
            #expect((try? validator.parse("迁出", for: field("events", "kind"), table: "events")) == .text("move_out"))
            #expect((try? validator.parse("迁入", for: field("events", "kind"), table: "events")) == .text("move_in"))
            #expect((try? validator.parse("离婚", for: field("events", "kind"), table: "events")) == .text("divorce"))
        }
    }

    @Test func dateHelpers() throws {
        for days in stride(from: -43_829, through: 84_000, by: 37) {
            let d = CalendarDate(daysSinceEpoch: days)
            #expect(d.daysSinceEpoch == days)
            #expect(CalendarDate(d.description) == d)
        }
        #expect(CalendarDate("1970-01-01")?.daysSinceEpoch == 0)
        #expect(try #require(CalendarDate("2023-12-31")) < #require(CalendarDate("2024-01-01")))
        #expect(CalendarDate.daysIn(month: 2, year: 2024) == 29)
        #expect(CalendarDate.daysIn(month: 2, year: 2100) == 28)
        #expect(CalendarDate.daysIn(month: 2, year: 2000) == 29)
    }

    // MARK: whole rows

    @Test func validRowsOfEveryTable() {
        #expect(codes("people", person) == [])
        #expect(codes("households", ["village": .text("东村"), "address": .text("东村3组12号"), "head": .text(personID)]) == [])
        #expect(codes("events", ["village": .text("东村"), "person": .text(personID), "kind": .text("marriage"),
                                 "date": .text("2015-10-01")]) == [])
        #expect(codes("visits", ["village": .text("东村"), "person": .text(personID), "kind": .text("health_check"),
                                 "date": .text("1990-03-02")]) == [], "the birth date itself is fine")
        #expect(codes("benefits", ["village": .text("东村"), "household": .text(householdID), "program": .text("奖扶"),
                                   "amount": .integer(96_000), "status": .text("eligible")]) == [])
    }

    @Test func missingRequiredFields() {
        var row = person
        row["name"] = nil
        row["birth_date"] = nil
        let found = issues("people", row, checking: ["phone"])
        #expect(found.map(\.code) == [.missingField, .missingField], "required fields are checked on every change")
        #expect(found.map(\.field) == ["name", "birth_date"])
    }

    @Test func missingAndDeletedReferences() {
        let event: Fields = ["village": .text("东村"), "person": .text(personID), "kind": .text("birth"), "date": .text("2020-01-01")]
        #expect(codes("events", with(event, ["person": .text("018bcfe5-6899-7abc-8def-0123456789ab")])) == [.missingReference])
        #expect(codes("events", with(event, ["person": .text(goneID)])) == [.missingReference])
        #expect(codes("events", with(event, ["person": .text("nobody")])) == [.invalidReference])
        // A reference that did not change is not looked up again.
        #expect(codes("events", with(event, ["person": .text(goneID)]), checking: ["kind"]) == [])
    }

    @Test func nationalIDMustAgreeWithBirthDateAndSex() {
        #expect(codes("people", with(person, ["birth_date": .text("1990-03-03")])) == [.nationalIDBirthDate])
        #expect(codes("people", with(person, ["sex": .text("M")])) == [.nationalIDSex])
        #expect(codes("people", with(person, ["sex": .text("M"), "birth_date": .text("1991-01-01")]))
                == [.nationalIDBirthDate, .nationalIDSex])
        #expect(codes("people", with(person, ["national_id": .text("440301198506150032")]))
                == [.nationalIDBirthDate, .nationalIDSex])
        // Only when one of them changes: an old disagreement does not block an unrelated edit.
        #expect(codes("people", with(person, ["sex": .text("M")]), checking: ["phone"]) == [])
        #expect(codes("people", with(person, ["sex": .text("M")]), checking: ["sex"]) == [.nationalIDSex])
        #expect(codes("people", with(person, ["sex": .text("M")]), checking: ["national_id"]) == [.nationalIDSex])
        // No ID, or an invalid date, leaves nothing to compare.
        #expect(codes("people", with(person, ["national_id": .null, "sex": .text("M")])) == [])
    }

    @Test(arguments: ["events", "visits"])
    func dateBeforeBirth(t: String) {
        let kind: Value = t == "events" ? .text("birth") : .text("child_health")
        let row: Fields = ["village": .text("东村"), "person": .text(personID), "kind": kind, "date": .text("1990-03-01")]
        let found = issues(t, row)
        #expect(found.map(\.code) == [.beforeBirth])
        #expect(found.first?.field == "date")
        #expect(codes(t, with(row, ["date": .text("1990-03-02")])) == [])
        #expect(codes(t, with(row, ["date": .text("2023-02-29")])) == [.invalidDate], "an invalid date is only an invalid date")
        // Changing the person re-checks the date against the new person's birth.
        #expect(codes(t, row, checking: ["person"]) == [.beforeBirth])
    }

    @Test(arguments: ["events", "visits"])
    func dateBeforeBirthWhenOnlyTheDateChanges(t: String) {
        let kind: Value = t == "events" ? .text("birth") : .text("child_health")
        let row: Fields = ["village": .text("东村"), "person": .text(personID), "kind": kind, "date": .text("1980-01-01")]
        do {
            #expect(codes(t, row, checking: ["date"]) == [.beforeBirth])
        }
    }

    @Test func benefitsNeedAPersonOrAHousehold() {
        let b: Fields = ["village": .text("东村"), "program": .text("奖扶"), "amount": .integer(1), "status": .text("eligible")]
        let found = issues("benefits", b)
        #expect(found.map(\.code) == [.missingOneOf])
        #expect(found.first?.field == "person|household")
        #expect(codes("benefits", with(b, ["person": .text(personID)])) == [])
        #expect(codes("benefits", with(b, ["household": .text(householdID)])) == [])
        #expect(codes("benefits", with(b, ["person": .text(personID), "household": .text(householdID)])) == [])
    }

    @Test func paidOnIsRequiredWhenPaid() {
        let b: Fields = ["village": .text("东村"), "household": .text(householdID), "program": .text("奖扶"),
                         "amount": .integer(1), "status": .text("paid")]
        let found = issues("benefits", b)
        #expect(found.map(\.code) == [.missingField])
        #expect(found.first?.field == "paid_on")
        #expect(codes("benefits", with(b, ["paid_on": .text("2024-06-30")])) == [])
        #expect(codes("benefits", with(b, ["status": .text("confirmed")])) == [])
        #expect(codes("benefits", b, checking: ["amount"]) == [.missingField], "checked whatever the change set")
        #expect(codes("benefits", with(b, ["paid_on": .text("2024-06-31")])) == [.invalidDate])
    }

    @Test func everyCodeTheValidatorCanProduce() {
        var seen = Set<ValidationIssue.Code>()
        let samples: [(Value, String, String)] = [
            (.null, "people", "name"), (.text(" x"), "people", "name"), (.text(String(repeating: "x", count: 41)), "people", "name"),
            (.text("x"), "benefits", "amount"), (.integer(-1), "benefits", "amount"), (.text("2023-02-29"), "people", "birth_date"),
            (.text("X"), "people", "sex"), (.text("370481199003021225"), "people", "national_id"),
            (.text("12345"), "people", "phone"), (.text("x"), "events", "person"),
            (.text("李\u{200B}雷"), "people", "name"),
        ]
        for (v, t, f) in samples { if let c = checkCode(v, t, f) { seen.insert(c) } }
        let rows: [(String, Fields)] = [
            ("events", ["village": .text("东村"), "person": .text(goneID), "kind": .text("birth"), "date": .text("2000-01-01")]),
            ("events", ["village": .text("东村"), "person": .text(personID), "kind": .text("birth"), "date": .text("1900-01-01")]),
            ("people", with(person, ["sex": .text("M"), "birth_date": .text("1990-01-01")])),
            ("benefits", ["village": .text("东村"), "program": .text("p"), "amount": .integer(1), "status": .text("eligible")]),
            // A mother (born 1990-03-02) only 10 years older than her child.
            ("people", with(person, ["mother": .text(personID), "birth_date": .text("2000-05-01"), "national_id": .null])),
        ]
        for (t, r) in rows { seen.formUnion(codes(t, r)) }
        let notFromTheValidator: Set<ValidationIssue.Code> = [.unknownTable, .unknownField, .readOnlyField]
        #expect(seen == Set(ValidationIssue.Code.allCases).subtracting(notFromTheValidator))
    }

    // MARK: messages

    @Test func messageNamesTheFieldInBothLanguagesWithTheValue() throws {
        let bad = "370481199003021225"
        let issue = try #require(issues("people", with(person, ["national_id": .text(bad)])).first)
        let zh = issue.message(chinese: true)
        let en = issue.message(chinese: false)
        #expect(zh.contains("身份证号") && zh.contains(bad) && zh.contains("校验位"), "\(zh)")
        #expect(en.contains("national ID") && en.contains(bad) && en.contains("check digit"), "\(en)")

        let missing = try #require(issues("people", with(person, ["name": .null])).first)
        #expect(missing.message(chinese: true) == "姓名：必须填写")
        #expect(missing.message(chinese: false) == "name: is required")

        let date = try #require(issues("people", with(person, ["birth_date": .text("2023-02-29")])).first)
        #expect(date.message(chinese: true).hasPrefix("出生日期「2023-02-29」："))
        #expect(date.message(chinese: false).hasPrefix("birth date \"2023-02-29\": "))
    }

    @Test func safeMessageNeverContainsTheValue() {
        let longName = String(repeating: "欧阳", count: 21)
        let cases: [(String, Fields, String)] = [
            ("people", with(person, ["national_id": .text("370481199003021225")]), "370481199003021225"),
            ("people", with(person, ["national_id": .text("11010519491231002x")]), "11010519491231002x"),
            ("people", with(person, ["national_id": .text("3704811990030212")]), "3704811990030212"),
            ("people", with(person, ["national_id": .text("370481199002301224")]), "370481199002301224"),
            ("people", with(person, ["national_id": .text("990481199003021224")]), "990481199003021224"),
            ("people", with(person, ["sex": .text("M")]), "370481199003021224"),
            ("people", with(person, ["birth_date": .text("1991-03-02")]), "370481199003021224"),
            ("people", with(person, ["name": .text(longName)]), longName),
            ("people", with(person, ["name": .text(" 王秀英")]), "王秀英"),
            ("people", with(person, ["name": .text("王\u{0}秀英")]), "王\u{0}秀英"),
            ("people", with(person, ["phone": .text("1381234567")]), "1381234567"),
            ("people", with(person, ["phone": .text("0571-8888-8888")]), "0571-8888-8888"),
            ("people", with(person, ["current_address": .text(String(repeating: "幸福路", count: 70))]), "幸福路幸福路"),
            ("people", with(person, ["household": .text("018bcfe5-6899-7abc-8def-0123456789ab")]), "018bcfe5-6899-7abc-8def-0123456789ab"),
            ("people", with(person, ["household": .text("王家")]), "王家"),
            ("events", ["village": .text("东村"), "person": .text(personID), "kind": .text("birth"), "date": .text("1989-07-15")], "1989-07-15"),
            ("benefits", ["village": .text("东村"), "household": .text(householdID), "program": .text("奖扶"),
                          "amount": .integer(123_456_789), "status": .text("eligible")], "123456789"),
        ]
        for (t, row, secret) in cases {
            let found = issues(t, row)
            #expect(!found.isEmpty, "\(t) \(secret)")
            for issue in found {
                #expect(!issue.safeMessage.contains(secret), "\(issue.safeMessage)")
                #expect(!issue.description.contains(secret))
                #expect(!issue.detail.contains(secret) && !issue.detailZH.contains(secret))
                #expect(!Rejection(issue).message.contains(secret))
                #expect(issue.message(chinese: true).contains(secret) || issue.message(chinese: true).contains(secret.trimmingSpaces()),
                        "the clerk's message echoes the value")
            }
        }
    }

    @Test func aParentAtLeastTwelveYearsOlderAndNeverBornAfterTheChild() {
        // The mother in the lookup was born 1990-03-02.
        let child: (String) -> Fields = { with(person, ["mother": .text(personID), "birth_date": .text($0), "national_id": .null]) }
        #expect(codes("people", child("2002-03-02")) == [], "exactly 12 years")
        #expect(codes("people", child("2002-03-01")) == [.parentTooYoung])
        #expect(codes("people", child("1985-01-01")) == [.parentTooYoung], "a child born before its mother")
        let issue = issues("people", child("1985-01-01")).first
        #expect(issue?.message(chinese: true).contains("母亲应比本人大至少 12 岁") == true)
    }

    @Test func programsAreChosenAtEntryButNeverRefusedAtTheHub() throws {
        let program = try #require(Schema.register.table(named: "benefits")?.field("program"))
        #expect(throws: ValidationIssue.self) { try Validator().parse("奖扶", for: program, table: "benefits") }
        #expect(try Validator().parse("国家奖扶", for: program, table: "benefits") == .text("国家奖扶"))
        // A change made before the list existed still passes the hub's check.
        #expect(codes("benefits", ["village": .text("东村"), "person": .text(personID), "program": .text("奖扶"),
                                   "amount": .integer(1), "status": .text("eligible")]) == [])
    }
}

