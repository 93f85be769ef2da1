import Foundation
import Testing
@testable import HamletCore
import HamletTestSupport

/// A register person and their ID, for the comparison tests.
private struct P {
    var id: String
    var fields: Fields

    static func make(_ id: String, village: String = "beizhao", name: String, sex: String, born: String, seq: Int,
                     withID: Bool = true, mother: String? = nil, marital: String? = nil) -> P {
        var f: Fields = ["village": .text(village), "name": .text(name), "sex": .text(sex), "birth_date": .text(born)]
        if withID, let d = CalendarDate(born) { f["national_id"] = .text(CompareTests.nid(d, seq: seq, sex: sex)) }
        if let mother { f["mother"] = .text(mother) }
        if let marital { f["marital_status"] = .text(marital) }
        return P(id: id, fields: f)
    }

    var nid: String { fields["national_id"]?.text ?? "" }
    var tuple: (id: String, fields: Fields) { (id, fields) }
}

@Suite("比对: compare the register with an outside list")
struct CompareTests {
    /// A valid ID for a birth date; the sequence's parity follows the sex.
    static func nid(_ d: CalendarDate, seq: Int, sex: String) -> String {
        let s = (seq % 500) * 2 + (sex == "M" ? 1 : 0)
        return NationalID.make(region: 370_681, birth: d, sequence: s)
    }

    static func table(_ csv: String) throws -> CSVTable { try CSVTable.read(csv) }

    // MARK: Kinds and reading

    @Test(arguments: [("公安户籍", OutsideListKind.hukou), ("hukou", .hukou), ("户籍", .hukou), (" HUKOU ", .hukou),
                      ("出生医学证明", .birth), ("birth", .birth), ("出生", .birth),
                      ("婚姻登记", .marriage), ("marriage", .marriage), ("结婚登记", .marriage)])
    func kindsAreReadByCodeAndChineseName(text: String, kind: OutsideListKind) {
        #expect(OutsideListKind(parsing: text) == kind)
        #expect(OutsideListKind(parsing: kind.label.zh) == kind && OutsideListKind(parsing: kind.rawValue) == kind)
    }

    @Test func unknownKindIsNil() {
        #expect(OutsideListKind(parsing: "奖扶") == nil && OutsideListKind(parsing: "") == nil)
    }

    @Test(arguments: [
        // (kind, header, recognised fields, ignored headers)
        (OutsideListKind.hukou, "序号,姓名,性别,民族,出生日期,身份证号码,户籍地址,母亲身份证号",
         ["name", "sex", "birth_date", "national_id"], ["序号", "民族", "户籍地址", "母亲身份证号"]),
        (.hukou, "national_id,Name,SEX,birth-date,village,phone", ["national_id", "name", "sex", "birth_date", "village"], ["phone"]),
        (.birth, "新生儿姓名,新生儿性别,出生日期,身份证号,母亲姓名,母亲身份证号码,出生医学证明编号",
         ["name", "sex", "birth_date", "national_id", "mother_national_id"], ["母亲姓名", "出生医学证明编号"]),
        (.marriage, "姓名,公民身份号码,登记日期,登记机关", ["name", "national_id", "date"], ["登记机关"]),
        (.marriage, "身份证,结婚日期,村名", ["national_id", "date", "village"], []),
    ])
    func headersAreRecognisedAndOthersIgnored(kind: OutsideListKind, header: String, fields: [String], ignored: [String]) throws {
        let list = try OutsideList.read(try Self.table(header + "\n"), kind: kind)
        #expect(Set(list.columns.values) == Set(fields))
        #expect(list.ignoredColumns == ignored)
    }

    @Test func aListWithoutAnIDColumnOrWithTwoIsRefused() throws {
        let none = #expect(throws: OutsideListError.self) { try OutsideList.read(try Self.table("姓名,性别\n王芳,女\n"), kind: .hukou) }
        #expect(none?.code == .noNationalIDColumn && none?.messageZH.contains("身份证号") == true && none?.message.contains("national ID") == true)
        let two = #expect(throws: OutsideListError.self) { try OutsideList.read(try Self.table("身份证号,身份证号码\n"), kind: .hukou) }
        #expect(two?.code == .duplicateColumn)
    }

    @Test func badLinesAreReportedByLineNotDropped() throws {
        let d = try #require(CalendarDate("1992-05-17"))
        let a = Self.nid(d, seq: 1, sex: "F"), b = Self.nid(d, seq: 2, sex: "M")
        let bad = String(a.dropLast()) + (a.last == "0" ? "1" : "0")
        let csv = """
            姓名,身份证号,性别,出生日期
            王芳,\(a.lowercased()),女,1992/5/17
            李强,,男,19920517
            赵伟,\(bad),男,1992年5月17日
            钱七,12345,男,
            王芳,\(a),女,1992-05-17
            孙八,\(b),x,1992-02-30
            """
        let list = try OutsideList.read(try Self.table(csv), kind: .hukou)
        #expect(list.rows.map(\.line) == [2, 7])
        #expect(list.rows[0] == OutsideListRow(line: 2, nationalID: a, name: "王芳", sex: "F", birthDate: "1992-05-17"))
        #expect(list.rows[1].sex == nil && list.rows[1].birthDate == nil)
        #expect(list.issues.map(\.line) == [3, 4, 5, 6, 7, 7])
        #expect(list.issues.map(\.code) == [.blankNationalID, .invalidNationalID, .invalidNationalID, .duplicateNationalID,
                                            .unreadableValue, .unreadableValue])
        #expect(list.issues[1].zh.contains("校验位") && list.issues[2].en.contains("18 characters"))
        #expect(list.issues[3].zh.contains("第 2 行"))
        #expect(list.issues.allSatisfy { !$0.zh.isEmpty && !$0.en.isEmpty })
    }

    @Test(arguments: ["1992/5/17", "1992年5月17日", "19920517", "1992-5-17", "1992.05.17", " 1992/5/17 0:00:00"])
    func datesAreReadAsClerksWriteThem(text: String) throws {
        let id = Self.nid(try #require(CalendarDate("1992-05-17")), seq: 3, sex: "F")
        let list = try OutsideList.read(CSVTable(header: ["身份证号", "出生日期"], rows: [(2, ["身份证号": id, "出生日期": text])]), kind: .hukou)
        #expect(list.rows.first?.birthDate == "1992-05-17" && list.issues.isEmpty)
    }

    @Test func gb18030AndXlsxListsAreReadThroughSheetFile() throws {
        let id = Self.nid(try #require(CalendarDate("1990-01-01")), seq: 9, sex: "F")
        let text = "序号,姓名,性别,身份证号\r\n1,王秀英,女,\(id)\r\n"
        let gb = try #require(text.data(using: String.Encoding(rawValue: 0x8000_0632)))
        let sheet = try SheetFile.read(bytes: [UInt8](gb), name: "户籍.csv")
        let list = try OutsideList.read(sheet, kind: .hukou)
        #expect(list.rows == [OutsideListRow(line: 2, nationalID: id, name: "王秀英", sex: "F")])
        let xlsx = XLSXWriter.workbook(sheetName: "户籍", columns: [.init("姓名", .text), .init("身份证号", .text)], rows: [["王秀英", id]])
        let fromXLSX = try OutsideList.read(try SheetFile.read(bytes: xlsx, name: "户籍.xlsx"), kind: .hukou, isCSV: false)
        #expect(fromXLSX.rows.map(\.nationalID) == [id])
    }

    // MARK: Comparing

    /// A small township: three in beizhao (one without an ID), one in nanzhuang.
    static func township() -> [(id: String, fields: Fields)] {
        [P.make("p1", name: "王芳", sex: "F", born: "1990-03-01", seq: 1, marital: "married"),
         P.make("p2", name: "李强", sex: "M", born: "1988-07-09", seq: 2, marital: "single"),
         P.make("p3", name: "张小宝", sex: "M", born: "2024-02-10", seq: 3, withID: false, mother: "p1"),
         P.make("p4", village: "nanzhuang", name: "赵丽", sex: "F", born: "1995-12-30", seq: 4, marital: "married")].map(\.tuple)
    }

    static func id(_ people: [(id: String, fields: Fields)], _ person: String) -> String {
        people.first { $0.id == person }?.fields["national_id"]?.text ?? ""
    }

    @Test func hukouFindsMissingNotInListAndEachDifferingField() throws {
        let reg = Self.township()
        let newcomer = Self.nid(try #require(CalendarDate("2000-01-01")), seq: 7, sex: "F")
        let list = OutsideList(kind: .hukou, rows: [
            OutsideListRow(line: 2, nationalID: Self.id(reg, "p1"), name: " 王\u{3000}芳 ", sex: "F", birthDate: "1990-03-01"),
            OutsideListRow(line: 3, nationalID: Self.id(reg, "p2"), name: "李刚", sex: "F", birthDate: "1988-07-08"),
            OutsideListRow(line: 4, nationalID: newcomer, name: "新人"),
        ])
        let r = ListComparison.make(list: list, people: reg)
        #expect(r.missing.map(\.nationalID) == [newcomer])
        #expect(r.notInList.map(\.person) == ["p3", "p4"])
        #expect(r.notInList.map(\.reason) == [.noNationalID, .notInList])
        #expect(r.differences.map(\.field) == [.name, .sex, .birthDate])
        #expect(r.differences.allSatisfy { $0.person == "p2" && $0.village == "beizhao" && $0.line == 3 })
        #expect(r.differences.map(\.listValue) == ["李刚", "F", "1988-07-08"])
        #expect(r.differences.map(\.registerValue) == ["李强", "M", "1988-07-09"])
        #expect(r.summary == ListComparison.Summary(listRows: 3, matched: 2, missing: 1, notInList: 2, differences: 3,
                                                     differingPeople: 1, issues: 0, outOfScope: 0))
        // Someone whose 户口 moved out is not expected on the police register.
        var moved = reg
        moved[3].fields["residence"] = .text("moved_out")
        #expect(ListComparison.make(list: list, people: moved).notInList.map(\.person) == ["p3"])
    }

    @Test func aVillageFilterLimitsBothSides() throws {
        let reg = Self.township()
        let stranger = Self.nid(try #require(CalendarDate("2001-01-01")), seq: 8, sex: "M")
        let list = OutsideList(kind: .hukou, rows: [
            OutsideListRow(line: 2, nationalID: Self.id(reg, "p4")),
            OutsideListRow(line: 3, nationalID: stranger, village: "nanzhuang"),
            OutsideListRow(line: 4, nationalID: Self.nid(try #require(CalendarDate("2001-01-02")), seq: 9, sex: "M")),
        ])
        let r = ListComparison.make(list: list, people: reg, village: "beizhao")
        #expect(r.notInList.map(\.person) == ["p1", "p2", "p3"])
        #expect(r.missing.map(\.line) == [4])
        #expect(r.summary.outOfScope == 2 && r.summary.matched == 0)
    }

    @Test(arguments: [
        // (list birth dates, people expected not on the list: p3, born 2024-02-10, has no ID so is never matched)
        (["2024-02-10"], ["p3"]),
        (["2024-01-01", "2024-03-01"], ["p3"]),
        (["1988-01-01", "1990-12-31"], ["p1", "p2"]),
        ([String](), []),
    ])
    func birthListsCoverTheirRangeOfBirthDates(dates: [String], expected: [String]) throws {
        let reg = Self.township()
        let rows = try dates.enumerated().map { k, d in
            OutsideListRow(line: k + 2, nationalID: Self.nid(try #require(CalendarDate(d)), seq: 100 + k, sex: "F"), birthDate: d)
        }
        let r = ListComparison.make(list: OutsideList(kind: .birth, rows: rows), people: reg)
        #expect(r.notInList.map(\.person) == expected)
        #expect(r.range == dates.min().map { ListComparison.DateRange(from: $0, to: dates.max() ?? $0) })
    }

    @Test func birthListsCompareTheMothersID() throws {
        var reg = Self.township()
        reg[2].fields["national_id"] = .text(Self.nid(try #require(CalendarDate("2024-02-10")), seq: 3, sex: "M"))
        let child = Self.id(reg, "p3")
        let other = Self.id(reg, "p4")
        let same = ListComparison.make(list: OutsideList(kind: .birth, rows: [
            OutsideListRow(line: 2, nationalID: child, motherNationalID: Self.id(reg, "p1"))]), people: reg)
        #expect(same.differences.isEmpty && same.notInList.isEmpty && same.summary.matched == 1)
        let wrong = ListComparison.make(list: OutsideList(kind: .birth, rows: [
            OutsideListRow(line: 2, nationalID: child, motherNationalID: other)]), people: reg)
        #expect(wrong.differences.map(\.field) == [.motherNationalID])
        #expect(wrong.differences.first?.listValue == other && wrong.differences.first?.registerValue == Self.id(reg, "p1"))
        reg[2].fields["mother"] = nil
        let none = ListComparison.make(list: OutsideList(kind: .birth, rows: [
            OutsideListRow(line: 2, nationalID: child, motherNationalID: other)]), people: reg)
        #expect(none.differences.first?.registerValue == nil)
    }

    @Test func marriageListsCompareDatesAndMaritalStatus() throws {
        let reg = Self.township()
        let marriages = ["p1": ["2015-05-01"], "p2": ["2015-06-01"], "p4": ["2020-01-01"]]
        let list = OutsideList(kind: .marriage, rows: [
            OutsideListRow(line: 2, nationalID: Self.id(reg, "p1"), date: "2015-05-01"),
            OutsideListRow(line: 3, nationalID: Self.id(reg, "p2"), date: "2015-05-20"),
        ])
        let r = ListComparison.make(list: list, people: reg, marriages: marriages)
        #expect(r.range == ListComparison.DateRange(from: "2015-05-01", to: "2015-05-20"))
        #expect(r.differences.map(\.field) == [.marriageDate, .maritalStatus])
        #expect(r.differences.map(\.registerValue) == ["2015-06-01", "single"])
        #expect(r.differences.map(\.listValue) == ["2015-05-20", "married"])
        #expect(r.notInList.isEmpty)
        // Without dates the list covers the married: p4 is married and not on it.
        let undated = OutsideList(kind: .marriage, rows: [OutsideListRow(line: 2, nationalID: Self.id(reg, "p1"))])
        let u = ListComparison.make(list: undated, people: reg, marriages: marriages)
        #expect(u.range == nil && u.notInList.map(\.person) == ["p4"] && u.differences.isEmpty)
    }

    // MARK: Export and JSON

    @Test func exportsAreLabelledNeutralisedAndKeepIDsAsText() throws {
        var reg = Self.township()
        reg[1].fields["name"] = .text("=李强")
        let list = OutsideList(kind: .hukou, rows: [
            OutsideListRow(line: 2, nationalID: Self.id(reg, "p2"), sex: "F")],
            issues: [OutsideListIssue(line: 3, code: .blankNationalID, field: "national_id", zh: "身份证号为空", en: "empty")])
        let r = ListComparison.make(list: list, people: reg)
        let csv = ComparisonExport.csv(r, chinese: true)
        #expect(csv.hasPrefix("\u{FEFF}类别,身份证号,姓名,性别,出生日期,村,字段,名单中的值,登记簿中的值,名单行号,人员编号,说明\r\n"))
        #expect(csv.contains("'=李强") && csv.contains(",性别,女,男,2,p2,"))
        let back = try SheetFile.read(bytes: Array(csv.utf8), name: "a.csv")
        #expect(back.rows.count == 1 + 3 + 1)
        let xlsx = try SheetFile.read(bytes: ComparisonExport.xlsx(r, chinese: false), name: "a.xlsx")
        #expect(xlsx.header == ComparisonExport.header(chinese: false))
        #expect(xlsx.rows.map { $0.fields["national ID"] ?? "" }.contains(Self.id(reg, "p2")))
        #expect(xlsx.rows.first?.fields["category"] == "in the register, not on the list")
        #expect(xlsx.rows.last?.fields["note"] == "empty" && xlsx.rows.last?.fields["list line"] == "3")
    }

    @Test func jsonHasTheDocumentedShape() throws {
        let reg = Self.township()
        let r = ListComparison.make(list: OutsideList(kind: .hukou, rows: [OutsideListRow(line: 2, nationalID: Self.id(reg, "p1"), sex: "M")]),
                                    people: reg)
        let data = try JSONEncoder().encode(r)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(Set(object.keys).isSuperset(of: ["kind", "summary", "missing", "notInList", "differences", "issues"]))
        #expect(object["kind"] as? String == "hukou")
        let diff = try #require((object["differences"] as? [[String: Any]])?.first)
        #expect(diff["field"] as? String == "sex" && diff["person"] as? String == "p1" && diff["listValue"] as? String == "M")
        #expect(try JSONDecoder().decode(ListComparison.self, from: data) == r)
    }
}

/// Random registers and lists derived from them: the comparison equals a naive recount.
@Suite("比对: random registers and lists")
struct ComparePropertyTests {
    static let dates = ["1960-01-05", "1985-06-30", "1990-03-01", "1992-05-17", "2000-12-31", "2015-05-01", "2020-02-29", "2024-02-10"]
    static let names = ["王芳", "李强", "张伟", "刘洋", "陈静"]

    /// One generated list line: what the file says, and whether it should be read.
    struct Entry {
        var nid: String
        var idBirth: String
        var row: OutsideListRow
        var cells: [String]
    }

    static func pick<T>(_ a: [T], _ rng: inout CoreTestRNG) -> T { a[Int(rng.next() % UInt64(a.count))] }
    static func chance(_ p: Double, _ rng: inout CoreTestRNG) -> Bool { Double(rng.next() % 1000) < p * 1000 }

    static func register(_ rng: inout CoreTestRNG) -> ([(id: String, fields: Fields)], [String: [String]]) {
        var people: [(id: String, fields: Fields)] = []
        var marriages: [String: [String]] = [:]
        for k in 0..<Int(rng.next() % 30) {
            let sex = pick(["F", "M"], &rng)
            var p = P.make("p\(k)", village: pick(["a", "b", "c"], &rng), name: pick(names, &rng), sex: sex,
                           born: pick(dates, &rng), seq: k, withID: chance(0.85, &rng),
                           marital: chance(0.2, &rng) ? nil : pick(["single", "married", "divorced", "widowed"], &rng))
            if k > 0, chance(0.3, &rng) { p.fields["mother"] = .text("p\(rng.next() % UInt64(k))") }
            people.append(p.tuple)
            if chance(0.4, &rng) { marriages[p.id] = (0..<(1 + Int(rng.next() % 2))).map { _ in pick(dates, &rng) } }
        }
        return (people, marriages)
    }

    /// A list line for a register person (edited at random) or a stranger.
    static func entry(for p: (id: String, fields: Fields)?, kind: OutsideListKind, people: [(id: String, fields: Fields)],
                      marriages: [String: [String]], seq: Int, rng: inout CoreTestRNG) -> Entry {
        let sex = p?.fields["sex"]?.text ?? pick(["F", "M"], &rng)
        let born = p?.fields["birth_date"]?.text ?? pick(dates, &rng)
        let nid = p?.fields["national_id"]?.text ?? CompareTests.nid(CalendarDate(born) ?? CalendarDate(daysSinceEpoch: 0), seq: seq, sex: sex)
        var row = OutsideListRow(line: 0, nationalID: nid)
        var name = p?.fields["name"]?.text ?? pick(names, &rng)
        if chance(0.15, &rng) { name += "x" }
        if chance(0.15, &rng) { name = String(name.prefix(1)) + pick([" ", "\u{3000}"], &rng) + name.dropFirst() }
        row.name = chance(0.1, &rng) ? nil : name
        row.sex = chance(0.1, &rng) ? nil : (chance(0.1, &rng) ? (sex == "F" ? "M" : "F") : sex)
        row.birthDate = chance(0.2, &rng) ? nil : (chance(0.1, &rng) ? pick(dates, &rng) : born)
        if kind == .birth, chance(0.7, &rng) {
            let mother = p?.fields["mother"]?.text.flatMap { m in people.first { $0.id == m }?.fields["national_id"]?.text }
            row.motherNationalID = chance(0.6, &rng) ? mother : CompareTests.nid(CalendarDate(pick(dates, &rng)) ?? CalendarDate(daysSinceEpoch: 0), seq: 400 + seq, sex: "F")
        }
        if kind == .marriage, chance(0.7, &rng) {
            row.date = chance(0.6, &rng) ? (p.flatMap { marriages[$0.id]?.first }) : pick(dates, &rng)
        }
        if chance(0.4, &rng) { row.village = chance(0.7, &rng) ? (p?.fields["village"]?.text ?? pick(["a", "b", "c"], &rng)) : "d" }
        let formats: [(String) -> String] = [{ $0 }, { $0.replacingOccurrences(of: "-", with: "/") }, { $0.replacingOccurrences(of: "-", with: "") }]
        let sexText = row.sex.map { chance(0.5, &rng) ? $0 : ($0 == "F" ? "女" : "男") } ?? ""
        let cells = [chance(0.3, &rng) ? nid.lowercased() : nid, row.name.map { chance(0.3, &rng) ? " \($0) " : $0 } ?? "", sexText,
                     row.birthDate.map(pick(formats, &rng)) ?? "", row.motherNationalID ?? "", row.date.map(pick(formats, &rng)) ?? "",
                     row.village ?? ""]
        return Entry(nid: nid, idBirth: born, row: row, cells: cells)
    }

    @Test func comparisonEqualsANaiveRecount() throws {
        let seed = UInt64(ProcessInfo.processInfo.environment["HAMLET_TEST_SEED"] ?? "") ?? UInt64.random(in: 1...UInt64.max)
        print("Compare property test seed \(seed) (rerun with HAMLET_TEST_SEED=\(seed))")
        var rng = CoreTestRNG(seed: seed)
        var seen = ListComparison.Summary()
        for round in 0..<300 {
            let (people, marriages) = Self.register(&rng)
            let kind = Self.pick(OutsideListKind.allCases, &rng)
            var entries = people.filter { $0.fields["national_id"] != nil && Self.chance(0.7, &rng) }
                .map { Self.entry(for: $0, kind: kind, people: people, marriages: marriages, seq: 0, rng: &rng) }
            for j in 0..<Int(rng.next() % 5) {
                entries.append(Self.entry(for: nil, kind: kind, people: people, marriages: marriages, seq: 200 + j, rng: &rng))
            }
            var lines = entries.map { Optional($0) }
            for _ in 0..<Int(rng.next() % 3) { lines.append(nil) }                          // invalid IDs
            if let e = entries.first, Self.chance(0.5, &rng) { lines.append(e) }          // a repeat
            lines.shuffle(using: &rng)
            var csv = "身份证号,姓名,性别,出生日期,母亲身份证号,登记日期,村,备注\n"
            for l in lines { csv += CSV.encode([(l?.cells ?? ["12345", "某", "", "", "", "", ""]) + ["x"]], bom: false, lineEnding: "\n") }
            let list = try OutsideList.read(try CSVTable.read(csv), kind: kind)
            let village: String? = Self.chance(0.5, &rng) ? nil : Self.pick(["a", "b"], &rng)
            let got = ListComparison.make(list: list, people: people, marriages: marriages, village: village)
            let want = Self.naive(lines: lines, kind: kind, people: people, marriages: marriages, village: village)
            #expect(list.rows.map(\.nationalID) == want.rows.map(\.nationalID), "round \(round): rows read")
            #expect(list.rows.map { $0.line } == want.rows.map { $0.line }, "round \(round)")
            #expect(list.issues.count == lines.count - want.rows.count, "round \(round): every line left out is reported")
            #expect(got.missing.map(\.nationalID) == want.missing, "round \(round): missing")
            #expect(got.notInList.map(\.person) == want.notInList, "round \(round): not in list")
            #expect(Set(got.differences.map { "\($0.person)|\($0.field.rawValue)|\($0.listValue ?? "")|\($0.registerValue ?? "")" }) == want.differences,
                    "round \(round): differences")
            #expect(got.summary.missing == want.missing.count && got.summary.differences == want.differences.count)
            seen.missing += got.summary.missing
            seen.notInList += got.summary.notInList
            seen.differences += got.summary.differences
            seen.outOfScope += got.summary.outOfScope
            seen.issues += got.summary.issues
        }
        // The rounds exercised every outcome.
        #expect(seen.missing > 0 && seen.notInList > 0 && seen.differences > 0 && seen.outOfScope > 0 && seen.issues > 0, "\(seen)")
    }

    /// The expected result, counted the slow way from what was generated.
    static func naive(lines: [Entry?], kind: OutsideListKind, people: [(id: String, fields: Fields)],
                      marriages: [String: [String]], village: String?) -> (rows: [OutsideListRow], missing: [String], notInList: [String], differences: Set<String>) {
        var rows: [(OutsideListRow, String)] = []
        for (k, l) in lines.enumerated() {
            guard let l, !rows.contains(where: { $0.0.nationalID == l.nid }) else { continue }
            var r = l.row
            r.line = k + 2
            rows.append((r, l.idBirth))
        }
        func text(_ p: (id: String, fields: Fields), _ f: String) -> String? { p.fields[f]?.text }
        func inScope(_ p: (id: String, fields: Fields)) -> Bool { village == nil || text(p, "village") == village }
        var missing: [String] = [], differences = Set<String>()
        for (r, _) in rows {
            let matches = people.filter { text($0, "national_id") == r.nationalID }
            if matches.isEmpty && !(village != nil && r.village != nil && r.village != village) { missing.append(r.nationalID) }
            for p in matches where inScope(p) {
                func diff(_ f: String, _ l: String?, _ g: String?) { differences.insert("\(p.id)|\(f)|\(l ?? "")|\(g ?? "")") }
                let strip = { (s: String) in s.replacingOccurrences(of: " ", with: "").replacingOccurrences(of: "\u{3000}", with: "") }
                if let n = r.name, strip(n) != strip(text(p, "name") ?? "") { diff("name", n, text(p, "name")) }
                if let s = r.sex, s != text(p, "sex") { diff("sex", s, text(p, "sex")) }
                if let b = r.birthDate, b != text(p, "birth_date") { diff("birth_date", b, text(p, "birth_date")) }
                let mother = text(p, "mother").flatMap { m in people.first { $0.id == m } }.flatMap { text($0, "national_id") }
                if kind == .birth, let m = r.motherNationalID, m != mother { diff("mother_national_id", m, mother) }
                let dates = (marriages[p.id] ?? []).sorted()
                if kind == .marriage, let d = r.date, !dates.contains(d) { diff("marriage_date", d, dates.isEmpty ? nil : dates.joined(separator: ", ")) }
                let status = text(p, "marital_status")
                if kind == .marriage, status != "married", status != "divorced", status != "widowed" { diff("marital_status", "married", status) }
            }
        }
        let covered: [String] = kind == .hukou ? [] : rows.compactMap { kind == .birth ? ($0.0.birthDate ?? $0.1) : $0.0.date }
        let listed = Set(rows.map(\.0.nationalID))
        let notInList = people.filter { p in
            guard inScope(p), !listed.contains(text(p, "national_id") ?? "-") else { return false }
            switch kind {
            case .hukou: return text(p, "residence") != "moved_out"
            case .birth: return covered.contains { _ in true } && (covered.min() ?? "")...(covered.max() ?? "") ~= (text(p, "birth_date") ?? "")
            case .marriage:
                guard let lo = covered.min(), let hi = covered.max() else { return text(p, "marital_status") == "married" }
                return (marriages[p.id] ?? []).contains { lo <= $0 && $0 <= hi }
            }
        }.map(\.id)
        return (rows.map(\.0), missing, notInList, differences)
    }
}
