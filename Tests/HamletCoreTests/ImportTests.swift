import Testing
@testable import HamletCore

// The import engine's pure parts: dates, headers, 元, and the planner's rules.

private let schema = Schema.register
private func table(_ name: String) -> TableSchema { schema.table(named: name)! }

private func nid(_ birth: String, sex: String = "F", sequence: Int = 12) -> String {
    NationalID.make(region: 370481, birth: CalendarDate(birth)!, sequence: sequence * 2 + (sex == "M" ? 1 : 0))
}

/// A sheet from CSV text, read the way `hamlet import` reads one.
private func sheet(_ name: String, _ table: String, _ csv: String) throws -> ImportSheet {
    try ImportSheet.read(CSVTable.read(csv), name: name, table: HamletCore.Schema.register.table(named: table)!)
}

private let h1 = "018bcfe5-6800-7abc-8def-000000000001"
private let h2 = "018bcfe5-6800-7abc-8def-000000000002"
private let p1 = "018bcfe5-6800-7abc-8def-000000000011"
private let p2 = "018bcfe5-6800-7abc-8def-000000000012"
private let p3 = "018bcfe5-6800-7abc-8def-000000000013"
private let e1 = "018bcfe5-6800-7abc-8def-000000000021"

@Suite("Import: dates, headers, yuan and planning")
struct ImportTests {
    // MARK: dates

    @Test(arguments: ["1992-05-17", "1992-5-17", "1992/5/17", "1992/05/17", "1992.5.17", "1992年5月17日", "1992年5月17号",
                      "1992年05月17", "19920517", " 1992 年 5 月 17 日 ", "1992/5/17 0:00:00", "1992-05-17 00:00"])
    func datesAsClerksTypeThem(text: String) throws {
        #expect(Validator.normalizedDate(text) == "1992-05-17")
        let f = try #require(table("people").field("birth_date"))
        #expect(try Validator().parse(text, for: f, table: "people") == .text("1992-05-17"), "add and edit take it too")
    }

    @Test(arguments: ["17/5/1992", "1992-5", "1992/5/17/1", "199205170", "abc", "1992-05-17 8:30", "92/5/17", "1992年5月"])
    func notADate(text: String) {
        #expect(Validator.normalizedDate(text) == nil)
    }

    @Test func aDayThatDoesNotExistIsRefusedAsTyped() throws {
        let f = try #require(table("people").field("birth_date"))
        let v = try Validator().parse("1990/2/30", for: f, table: "people")
        #expect(v == .text("1990-02-30"))
        #expect(throws: ValidationIssue.self) { try Validator().check(v, field: f, table: "people") }
    }

    @Test func enumErrorsListTheLabels() throws {
        let f = try #require(table("people").field("sex"))
        do {
            try Validator().check(.text("X"), field: f, table: "people")
            Issue.record("X accepted")
        } catch {
            #expect(error.message(chinese: true).contains("只能是 女、男 之一"))
            #expect(error.message(chinese: false).contains("F (female), M (male)"))
        }
    }

    // MARK: headers

    @Test func chineseHeadersAndSpellingsMapToFields() throws {
        let header = ["序号", "编号", "姓名", "性别", "出生日期", "身份证号码", "婚姻状况", "联系电话", "*户", "Current Address", "birth-date"]
        #expect(throws: ImportHeaderError.self) { try ImportColumns.map(header, table: table("people")) }
        let columns = try ImportColumns.map(Array(header.dropLast()), table: table("people"))
        #expect(columns == [.ignored, .id, .field("name"), .field("sex"), .field("birth_date"), .field("national_id"),
                            .field("marital_status"), .field("phone"), .field("household"), .field("current_address")])
    }

    @Test func unknownAndRepeatedColumnsNameTheColumn() {
        do {
            _ = try ImportColumns.map(["姓名", "籍贯"], table: table("people"))
            Issue.record("籍贯 accepted")
        } catch {
            #expect(error.code == .unknownColumn && error.column == 2 && error.messageZH.contains("籍贯"))
        }
        do {
            _ = try ImportColumns.map(["name", "姓名"], table: table("people"))
            Issue.record("two name columns accepted")
        } catch {
            #expect(error.code == .duplicateColumn && error.column == 2)
        }
    }

    @Test func moneyColumnsSayTheirUnit() throws {
        let t = table("benefits")
        for h in ["金额（元）", "金额(元)", "金额", "amount_yuan", "Amount (yuan)", "金额元"] {
            #expect(try ImportColumns.map([h], table: t) == [.yuan("amount")], "\(h)")
        }
        for h in ["amount", "金额(分)", "金额（分）", "amount (fen)", "amount_fen"] {
            #expect(try ImportColumns.map([h], table: t) == [.field("amount")], "\(h)")
        }
    }

    @Test func yuanTakesUpToTwoDecimals() {
        #expect(Yuan.fen("960") == 96000)
        #expect(Yuan.fen("960.5") == 96050)
        #expect(Yuan.fen("960.05") == 96005)
        #expect(Yuan.fen("¥1,200.00") == 120000)
        #expect(Yuan.fen("12元") == 1200)
        #expect(Yuan.fen("12.345") == nil)
        #expect(Yuan.fen("-5") == nil)
        #expect(Yuan.fen("12.") == nil)
        #expect(Yuan.fen("abc") == nil)
    }

    @Test func cellsAreReadByTheirColumn() throws {
        let s = try sheet("奖扶.csv", "benefits", """
            人员,项目,金额（元）,状态,发放日期
            \(p1),国家奖扶,960.5,已发放,2025/6/1
            \(p1),国家奖扶,9.999,eligible,
            """)
        #expect(s.rows[0].issues.isEmpty)
        #expect(s.rows[0].values == ["person": .text(p1), "program": .text("国家奖扶"), "amount": .integer(96050),
                                     "status": .text("paid"), "paid_on": .text("2025-06-01")])
        #expect(s.rows[1].issues.map(\.code) == ["invalid-amount"])
        #expect(s.rows[1].issues[0].zh.contains("金额（元）「9.999」"))
        let fen = try sheet("benefits.csv", "benefits", "amount\n12.5\n")
        #expect(fen.rows[0].issues.map(\.code) == ["invalid-integer"])
        #expect(fen.rows[0].issues[0].zh.contains("金额（元）"), "says how to type yuan")
        let ids = try sheet("people.csv", "people", "身份证号\n3.70481E+17\n")
        #expect(ids.rows[0].issues.first?.zh.contains("科学计数法") == true)
    }

    @Test func cellsAnExportGuardedAgainstFormulasComeBackAsTheyWere() throws {
        let csv = try CSVTable.read("姓名,现住址\n'=王,'-北赵 三组\n")
        let s = try ImportSheet.read(csv, name: "people.csv", table: table("people"))
        #expect(s.rows[0].values["name"] == .text("=王") && s.rows[0].values["current_address"] == .text("-北赵 三组"))
        let xlsx = try ImportSheet.read(csv, name: "people.xlsx", table: table("people"), isCSV: false)
        #expect(xlsx.rows[0].values["name"] == .text("'=王"), "an xlsx cell is typed text, taken as is")
    }

    @Test func filesAreNamedAfterTables() {
        #expect(ImportFiles.table(forFile: "households.csv")?.name == "households")
        #expect(ImportFiles.table(forFile: "person.CSV")?.name == "people")
        #expect(ImportFiles.table(forFile: "人口.csv")?.name == "people")
        #expect(ImportFiles.table(forFile: "奖扶.xlsx")?.name == "benefits")
        #expect(ImportFiles.table(forFile: "README.md") == nil)
        #expect(ImportFiles.table(forFile: "notes.csv") == nil)
    }

    // MARK: planning

    /// A replica of 北赵 with a household and its head.
    private func base() -> ImportBase {
        ImportBase(village: "北赵", rows: [
            "households": [h1: ["village": .text("北赵"), "address": .text("北赵村一组1号"), "head": .text(p1)]],
            "people": [p1: ["village": .text("北赵"), "household": .text(h1), "name": .text("程霞"), "sex": .text("F"),
                            "birth_date": .text("1936-04-10"), "national_id": .text(nid("1936-04-10")), "residence": .text("resident")]],
        ])
    }

    @Test func headsPointForwardAndAreSetInASecondPass() throws {
        let households = try sheet("households.csv", "households", "id,村,地址,户主\n\(h2),北赵,北赵村二组2号,\(p2)\n")
        let people = try sheet("people.csv", "people", "id,户,姓名,性别,出生日期\n\(p2),\(h2),彭涛,男,1986/6/20\n")
        let plan = ImportPlanner.plan([people, households], base: ImportBase(village: "北赵", rows: [:]))
        #expect(plan.problems.isEmpty, "\(plan.problems)")
        #expect(plan.steps.map { "\($0.kind) \($0.table) \($0.isDeferred)" } ==
                ["insert households false", "insert people false", "update households true"])
        #expect(plan.steps[0].values["head"] == nil && plan.steps[2].values == ["head": .text(p2)])
        #expect(plan.counts.map(\.added) == [1, 1])
    }

    @Test func aFailedHeadLeavesTheHouseholdInAndFailsItsPeopleNever() throws {
        let households = try sheet("households.csv", "households", "id,地址,户主\n\(h2),北赵村二组2号,\(p2)\n")
        let people = try sheet("people.csv", "people", """
            id,户,姓名,性别,出生日期
            \(p2),\(h2),彭涛,男,1986-02-30
            \(p3),\(h2),彭妻,女,1988-01-01
            """)
        let plan = ImportPlanner.plan([households, people], base: ImportBase(village: "北赵", rows: [:]))
        #expect(plan.outcome(ImportRowRef(sheet: 0, row: 0)) == .added)
        #expect(plan.outcome(ImportRowRef(sheet: 1, row: 0)) == .failed)
        #expect(plan.outcome(ImportRowRef(sheet: 1, row: 1)) == .added)
        let kept = try #require(plan.problems.first { $0.rowKept })
        #expect(kept.file == "households.csv" && kept.line == 2 && kept.issue.zh.contains("people.csv 第 2 行"))
        #expect(!plan.steps.contains { $0.isDeferred })
    }

    @Test func aRowNamingAFailedEarlierRowFailsWithTheLine() throws {
        let households = try sheet("households.csv", "households", "id,地址,电话\n\(h2),北赵村二组2号,12345\n")
        let people = try sheet("people.csv", "people", "id,户,姓名,性别,出生日期\n\(p2),\(h2),彭涛,M,1986-06-20\n")
        let plan = ImportPlanner.plan([households, people], base: ImportBase(village: "北赵", rows: [:]))
        #expect(plan.counts.map(\.failed) == [1, 1])
        let p = try #require(plan.problems.first { $0.file == "people.csv" })
        #expect(p.issue.code == "reference-not-imported" && p.issue.zh.contains("households.csv 第 2 行"))
    }

    @Test func existingRowsUpdateByIDOrNationalIDAndRepeatsAreUnchanged() throws {
        // Same person under another id (a file from elsewhere): found by 身份证号; the event's reference follows.
        let people = try sheet("people.csv", "people", """
            id,姓名,性别,出生日期,身份证号,婚姻状况,电话
            \(p2),程霞,F,1936-04-10,\(nid("1936-04-10")),丧偶,
            """)
        let events = try sheet("events.csv", "events", "id,人员,类型,日期\n\(e1),\(p2),死亡,2025-01-02\n")
        let plan = ImportPlanner.plan([people, events], base: base())
        #expect(plan.problems.isEmpty, "\(plan.problems)")
        #expect(plan.outcome(ImportRowRef(sheet: 0, row: 0)) == .updated)
        #expect(plan.steps[0].kind == .update && plan.steps[0].id == p1 && plan.steps[0].values == ["marital_status": .text("widowed")])
        #expect(plan.steps[1].values["person"] == .text(p1))

        let again = try sheet("people.csv", "people", "id,姓名,性别\n\(p1),程霞,女\n")
        let repeat_ = ImportPlanner.plan([again], base: base())
        #expect(repeat_.outcome(ImportRowRef(sheet: 0, row: 0)) == .unchanged && repeat_.steps.isEmpty)
    }

    @Test func aRecordWithoutIDThatRepeatsARowIsUnchanged() throws {
        var b = base()
        let v1 = "018bcfe5-6800-7abc-8def-000000000031", v2 = "018bcfe5-6800-7abc-8def-000000000032"
        let visit: Fields = ["village": .text("北赵"), "person": .text(p1), "kind": .text("health_check"), "date": .text("2025-06-26"),
                             "result": .text("血压正常")]
        b.rows["visits"] = [v1: visit, v2: visit]
        let s = try sheet("visits.csv", "visits", """
            人员,类型,日期,结果
            \(p1),体检,2025/6/26,血压正常
            \(p1),体检,2025-06-26,血压正常
            \(p1),体检,2025-06-26,血压偏高
            \(p1),体检,2025-06-26,血压正常
            """)
        let plan = ImportPlanner.plan([s], base: b)
        #expect((0..<4).map { plan.outcome(ImportRowRef(sheet: 0, row: $0)) } == [.unchanged, .unchanged, .added, .added],
                "each repeat matches one row; a different result is a new visit")
    }

    @Test func referenceCellsTakeWhatAClerkKnowsAcrossTheFilesAndTheReplica() throws {
        let households = try sheet("户.csv", "households", "地址,户主\n北赵村三组12号,王秀英\n北赵村三组13号,程霞\n")
        let people = try sheet("人口.csv", "people", """
            户,姓名,性别,出生日期,身份证号
            三组12号,王秀英,女,1992/5/17,\(nid("1992-05-17"))
            三组1,李强,男,1990-03-02,
            """)
        let visits = try sheet("随访.csv", "visits", """
            人员,类型,日期
            \(nid("1992-05-17")),体检,2025-06-01
            王秀英*\(nid("1992-05-17").suffix(4)),随访,2025-06-02
            程霞,随访,2025-06-03
            王五,随访,2025-06-04
            """)
        let plan = ImportPlanner.plan([visits, people, households], base: base())
        #expect(plan.problems.map(\.issue.code).sorted() == ["ambiguous-reference", "missing-reference"], "\(plan.problems)")
        let inserts = plan.steps.filter { $0.kind == .insert }
        let wang = try #require(inserts.first { $0.values["name"] == .text("王秀英") }?.id)
        let house = try #require(inserts.first { $0.values["address"] == .text("北赵村三组12号") }?.id)
        #expect(inserts.first { $0.id == wang }?.values["household"] == .text(house), "part of an address, a row of the files")
        #expect(plan.steps.first { $0.isDeferred && $0.id == house }?.values == ["head": .text(wang)], "a head by name, set in the second pass")
        #expect(inserts.first { $0.values["address"] == .text("北赵村三组13号") }?.values["head"] == .text(p1), "程霞 is the replica's")
        #expect(inserts.filter { $0.table == "visits" }.map { $0.values["person"] } == [.text(wang), .text(wang), .text(p1)])
    }

    @Test func aSheetWithoutIDsImportsAgainAsUnchanged() throws {
        var b = base()
        b.rows["households"]?[h2] = ["village": .text("北赵"), "address": .text("北赵村三组12号")]
        b.rows["people"]?[p2] = ["village": .text("北赵"), "household": .text(h2), "name": .text("李强"), "sex": .text("M"),
                                 "birth_date": .text("1990-03-02")]
        let households = try sheet("户.csv", "households", "地址,户主\n北赵村三组12号,李强\n")
        let people = try sheet("人口.csv", "people", "户,姓名,性别,出生日期\n北赵村三组12号,李强,男,1990-03-02\n")
        let plan = ImportPlanner.plan([households, people], base: b)
        #expect(plan.problems.isEmpty, "\(plan.problems)")
        #expect(plan.counts.map(\.added) == [0, 0] && plan.counts.map(\.unchanged) == [0, 1] && plan.counts.map(\.updated) == [1, 0],
                "the household gains its head; nothing is added twice")
        #expect(plan.steps.map(\.values) == [["head": .text(p2)]])
    }

    @Test func otherVillagesAreSkippedNotFailed() throws {
        let people = try sheet("people.csv", "people", "村,姓名,性别,出生日期\n南赵,外村,X,bad\n北赵,本村,F,1990-01-01\n")
        let plan = ImportPlanner.plan([people], base: base())
        #expect(plan.counts[0].skipped == 1 && plan.counts[0].added == 1 && plan.problems.isEmpty)
    }

    @Test func aHeldNationalIDIsRefusedNamingThePersonUnlessAllowed() throws {
        var b = base()
        b.rows["people"]?[p2] = ["village": .text("北赵"), "name": .text("王芳"), "sex": .text("F"), "birth_date": .text("1990-03-02")]
        // 王芳's row given 程霞's ID: refused, naming 程霞 and her household's address.
        let edit = try sheet("people.csv", "people", "id,身份证号,出生日期\n\(p2),\(nid("1936-04-10")),1936-04-10\n")
        let refused = ImportPlanner.plan([edit], base: b)
        let problem = try #require(refused.problems.first)
        #expect(problem.issue.code == "duplicate-national-id")
        #expect(problem.issue.zh.contains("程霞（北赵村一组1号）") && problem.issue.zh.contains(p1))
        let forced = ImportPlanner.plan([edit], base: b, allowsDuplicateNationalIDs: true)
        #expect(forced.problems.isEmpty && forced.counts[0].updated == 1)

        // Twice in the files: the second line names the first.
        let twice = try sheet("people.csv", "people", """
            姓名,性别,出生日期,身份证号
            甲,女,1992-05-17,\(nid("1992-05-17"))
            乙,女,1992-05-17,\(nid("1992-05-17"))
            """)
        let one = ImportPlanner.plan([twice], base: b)
        #expect(one.counts[0].added == 1 && one.counts[0].failed == 1)
        #expect(one.problems.first?.issue.zh.contains("people.csv 第 2 行（甲）") == true)
        #expect(ImportPlanner.plan([twice], base: b, allowsDuplicateNationalIDs: true).counts[0].added == 2)
    }

    @Test func twoLivePeopleWithTheIDMakeTheRecordAmbiguous() throws {
        var b = base()
        b.rows["people"]?[p2] = ["village": .text("北赵"), "name": .text("程霞"), "sex": .text("F"), "birth_date": .text("1936-04-10"),
                                 "national_id": .text(nid("1936-04-10"))]
        let s = try sheet("people.csv", "people", "身份证号,电话\n\(nid("1936-04-10")),13800000000\n")
        let plan = ImportPlanner.plan([s], base: b)
        #expect(plan.problems.map(\.issue.code) == ["ambiguous-national-id"])
    }

    @Test func aSecondRecordOfTheSameRowFails() throws {
        let s = try sheet("people.csv", "people", "id,电话\n\(p1),13800000000\n\(p1),13900000000\n")
        let plan = ImportPlanner.plan([s], base: base())
        #expect(plan.counts[0].updated == 1 && plan.problems.map(\.issue.code) == ["duplicate-row"])
    }

    @Test func unknownReferencesFail() throws {
        let s = try sheet("events.csv", "events", "人员,类型,日期\n\(p3),出生,2020-01-01\n")
        let plan = ImportPlanner.plan([s], base: base())
        #expect(plan.problems.map(\.issue.code) == ["missing-reference"])
    }

    @Test func aDateBeforeTheBirthOfAPersonInTheFilesFails() throws {
        let people = try sheet("people.csv", "people", "id,姓名,性别,出生日期\n\(p2),新生,F,2020-01-01\n")
        let events = try sheet("events.csv", "events", "人员,类型,日期\n\(p2),出生,2019-12-31\n")
        let plan = ImportPlanner.plan([people, events], base: base())
        #expect(plan.problems.map(\.issue.code) == ["date-before-birth"])
    }
}
