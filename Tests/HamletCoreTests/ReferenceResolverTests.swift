import Testing
@testable import HamletCore

private let people = Schema.register.table(named: "people")!
private let households = Schema.register.table(named: "households")!
private let events = Schema.register.table(named: "events")!

/// Two 王秀英 (told apart by their IDs), a 张丽 without an ID, and two households.
/// The ids share their first 12 hex digits, as rows an import makes in one millisecond do.
private let wangOld = ReferenceCandidate(id: "01a229cf-e115-77de-b0bb-65babf2f97cb",
                                         values: ["name": .text("王秀英"), "birth_date": .text("1962-04-03"),
                                                  "national_id": .text("370481196204031222"), "household": .text("h1")],
                                         references: ["household": "北赵村三组12号"])
private let wangYoung = ReferenceCandidate(id: "01a229cf-e115-7b08-a099-404e3595c91c",
                                           values: ["name": .text("王秀英"), "birth_date": .text("1990-03-02"),
                                                    "national_id": .text("370481199003021224")],
                                           references: ["household": "北赵村五组3号"])
private let zhang = ReferenceCandidate(id: "01a229cf-e115-7c48-80eb-e0c93239bc74",
                                       values: ["name": .text("张丽"), "birth_date": .text("1990-03-02")])
private let threeTwelve = ReferenceCandidate(id: "01a229cf-e0c5-7465-9b3a-136bcc22ddf8", values: ["address": .text("北赵村三组12号")])
private let threeTwelveB = ReferenceCandidate(id: "01a229cf-e0c5-7465-9b3a-136bcc22ddf9", values: ["address": .text("北赵村三组12号北院")])
private let fiveThree = ReferenceCandidate(id: "01a229cf-e0c6-7465-9b3a-aaaaccfbd679", values: ["address": .text("北赵村五组3号")])

/// A pure stand-in for the replica's reads: the queries a store answers, over a few rows.
private func lookup(_ rows: [ReferenceCandidate]) -> (ReferenceQuery) -> [ReferenceCandidate] {
    { query in
        rows.filter { row in
            switch query {
            case .idFragment(let f): return row.id.hasPrefix(f) || row.id.hasSuffix(f)
            case .equals(let field, let value): return row.values[field]?.text == value
            case .contains(let field, let text): return row.values[field]?.text?.contains(text) == true
            }
        }
    }
}

private let village = [wangOld, wangYoung, zhang]
private let homes = [threeTwelve, threeTwelveB, fiveThree]

/// What a text resolves to: an id, or the error code and how many candidates it lists.
private func outcome(_ text: String, _ table: TableSchema, _ rows: [ReferenceCandidate]) -> String {
    do {
        return try ReferenceResolver(table: table).resolve(text, lookup: lookup(rows))
    } catch let e as ReferenceError {
        return "\(e.code.rawValue) \(e.candidates.count)"
    } catch {
        return "other \(error)"
    }
}

@Suite struct ReferenceResolverTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var text: String
        var table: String
        var expected: String
        var testDescription: String { "\(table) \(text)" }
    }

    @Test("what a clerk knows resolves to the row, or says why not", arguments: [
        Case(text: "370481199003021224", table: "people", expected: wangYoung.id),
        Case(text: " 370481199003021224 ", table: "people", expected: wangYoung.id),
        Case(text: "张丽", table: "people", expected: zhang.id),
        Case(text: "王秀英", table: "people", expected: "ambiguous-reference 2"),
        Case(text: "王秀英*1224", table: "people", expected: wangYoung.id),
        Case(text: "王秀英 *1222", table: "people", expected: wangOld.id),
        Case(text: "王秀英 1222", table: "people", expected: wangOld.id),
        Case(text: "王秀英1222", table: "people", expected: wangOld.id),
        Case(text: "王秀英*9999", table: "people", expected: "missing-reference 0"),
        Case(text: "王秀", table: "people", expected: "missing-reference 0"),
        Case(text: "李四", table: "people", expected: "missing-reference 0"),
        Case(text: "370481199003021225", table: "people", expected: "missing-reference 0"),
        // Ids: whole (any case), 8+ characters from the end (the random part) or the start, a label with its short id.
        Case(text: wangOld.id, table: "people", expected: wangOld.id),
        Case(text: wangOld.id.uppercased(), table: "people", expected: wangOld.id),
        Case(text: "01a229cf-0000-7000-8000-000000000000", table: "people", expected: "01a229cf-0000-7000-8000-000000000000"),
        Case(text: "5babf2f97cb", table: "people", expected: wangOld.id),
        Case(text: "3595C91C", table: "people", expected: wangYoung.id),
        Case(text: "王秀英 *1222 #f2f97cb0", table: "people", expected: "missing-reference 0"),
        Case(text: "王秀英 *1222 #bf2f97cb", table: "people", expected: wangOld.id),
        Case(text: "#e0c93239bc74", table: "people", expected: zhang.id),
        Case(text: "01a229cf", table: "people", expected: "ambiguous-reference 3"),
        Case(text: "01a229cf-e115-77", table: "people", expected: wangOld.id),
        Case(text: "2f97cb", table: "people", expected: "missing-reference 0"),
        // Households: the whole address wins over a longer one containing it; a unique part is enough.
        Case(text: "北赵村三组12号", table: "households", expected: threeTwelve.id),
        Case(text: "五组3号", table: "households", expected: fiveThree.id),
        Case(text: "三组12", table: "households", expected: "ambiguous-reference 2"),
        Case(text: "北赵村", table: "households", expected: "ambiguous-reference 3"),
        Case(text: "南赵村", table: "households", expected: "missing-reference 0"),
        Case(text: "aaaaccfbd679", table: "households", expected: fiveThree.id),
        // An empty value clears the field.
        Case(text: "  ", table: "people", expected: ""),
    ])
    func resolves(_ c: Case) {
        let t = c.table == "people" ? people : households
        #expect(outcome(c.text, t, c.table == "people" ? village : homes) == c.expected)
    }

    @Test("a failed read is the resolver's failure, not a 'not found'")
    func readErrorsPassThrough() {
        struct Broken: Error {}
        #expect(throws: Broken.self) {
            _ = try ReferenceResolver(table: people).resolve("王秀英") { _ in throw Broken() }
        }
        // A whole id needs no read at all.
        #expect((try? ReferenceResolver(table: people).resolve(zhang.id) { _ in throw Broken() }) == zhang.id)
    }

    @Test("the plan asks one read: 身份证号, name, address part or id fragment")
    func plans() {
        let r = ReferenceResolver(table: people)
        #expect(r.plan("37048119900302122x").query == .equals(field: "national_id", value: "37048119900302122X"))
        #expect(r.plan("王秀英").query == .equals(field: "name", value: "王秀英"))
        #expect(r.plan("王秀英*1224").idSuffix == "1224")
        #expect(r.plan("abcdef12").query == .idFragment("abcdef12"))
        #expect(r.plan("abcdef1").query == .equals(field: "name", value: "abcdef1"), "7 hex digits are too few for an id")
        #expect(ReferenceResolver(table: households).plan("370481199003021224").query == .idFragment("370481199003021224"),
                "households have no 身份证号: 18 digits can only be part of an id")
        #expect(ReferenceResolver(table: households).plan("三组").query == .contains(field: "address", text: "三组"))
        #expect(ReferenceResolver(table: events).plan("x").query == nil, "events have no title: taken as typed")
    }

    @Test("an ambiguous name lists name, birth date, the ID's last 4, household and short id, and says how to choose")
    func ambiguousMessage() throws {
        let error = try #require(throws: ReferenceError.self) {
            _ = try ReferenceResolver(table: people).resolve("王秀英", lookup: lookup(village))
        }
        let zh = error.message(chinese: true)
        #expect(zh.hasPrefix("「王秀英」对应 2 个"))
        #expect(zh.contains("\n  1. 王秀英  1962-04-03  *1222  北赵村三组12号  #bf2f97cb"), "\(zh)")
        #expect(zh.contains("\n  2. 王秀英  1990-03-02  *1224  北赵村五组3号  #3595c91c"), "\(zh)")
        let hint = error.hint(flag: "--person", chinese: true)
        #expect(hint.contains("身份证号") && hint.contains("--person '王秀英*1222'") && hint.contains("--person bf2f97cb"), "\(hint)")
        let en = error.message(chinese: false) + error.hint(flag: "--person", chinese: false)
        #expect(en.contains("matches 2") && en.contains("national ID") && en.contains("--person '王秀英*1222'"), "\(en)")
    }
}

@Suite struct RowLabelTests {
    @Test func labels() {
        let l = RowLabeler(table: people)
        #expect(l.titleField?.name == "name" && l.titleIsName)
        #expect(l.label(wangOld.values) == "王秀英 *1222")
        #expect(l.label(zhang.values) == "张丽")
        #expect(l.label([:]) == nil)
        let h = RowLabeler(table: households)
        #expect(h.titleField?.name == "address" && !h.titleIsName)
        #expect(h.label(threeTwelve.values) == "北赵村三组12号")
        #expect(RowLabeler(table: events).titleField == nil, "events are labelled by their person")
    }

    @Test func shortIDsComeFromTheRandomEndAndGrowWhereTheyCollide() {
        #expect(ShortID.of(wangOld.id) == "bf2f97cb")
        let a = "01a229cf-e115-77de-b0bb-0000bf2f97cb"
        let b = "01a229cf-e115-77de-b0bb-0001bf2f97cb"
        let shorts = ShortID.unique([a, b, zhang.id])
        #expect(shorts[a] == "0bf2f97cb" && shorts[b] == "1bf2f97cb" && shorts[zhang.id] == "3239bc74")
        #expect(ShortID.unique([a, a]) == [a: "bf2f97cb"])
    }

    @Test("the short id appears only where two rows share a label, or a row has none")
    func distinctLabels() {
        let labels = RowLabels.distinct(["x-00000001": "王秀英", "x-00000002": "王秀英", "x-00000003": "张丽", "x-00000004": nil])
        #expect(labels["x-00000001"] == "王秀英 #00000001" && labels["x-00000002"] == "王秀英 #00000002")
        #expect(labels["x-00000003"] == "张丽" && labels["x-00000004"] == "#00000004")
    }
}

@Suite struct RowFilterTests {
    @Test(arguments: [
        ("birth_date>=2025-01-01", "birth_date", FilterOperator.greaterOrEqual, "2025-01-01"),
        ("name^=王", "name", .prefix, "王"),
        ("name=张丽", "name", .equals, "张丽"),
        ("birth-date<1990", "birth-date", .less, "1990"),
        ("amount<=100", "amount", .lessOrEqual, "100"),
        ("amount>100", "amount", .greater, "100"),
        ("phone=", "phone", .equals, ""),
        ("出生日期>=2025-01-01", "出生日期", .greaterOrEqual, "2025-01-01"),
        ("detail=a<b", "detail", .equals, "a<b"),
    ])
    func parses(text: String, field: String, op: FilterOperator, value: String) throws {
        let parsed = try RowFilter.parse(text)
        #expect(parsed.field == field && parsed.op == op && parsed.value == value)
    }

    @Test(arguments: [("name!=王", FilterSyntaxError.Code.unknownOperator, "!="), ("name=>王", .unknownOperator, "=>"),
                      ("name==王", .unknownOperator, "=="), ("name~王", .unknownOperator, "~"),
                      ("name王", .missingOperator, ""), ("=王", .missingField, "=")])
    func refuses(text: String, code: FilterSyntaxError.Code, op: String) {
        #expect(throws: FilterSyntaxError(code: code, text: text, operatorText: op)) { try RowFilter.parse(text) }
    }

    @Test func unknownOperatorMessagesNameTheOperatorAndTheChoices() {
        let e = FilterSyntaxError(code: .unknownOperator, text: "name!=王", operatorText: "!=")
        #expect(e.message(chinese: true).contains("!=") && e.message(chinese: true).contains("= < <= > >= ^="))
        #expect(e.message(chinese: false).contains("unknown operator !=") && e.message(chinese: false).contains("^="))
    }
}
