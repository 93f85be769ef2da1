import Testing
@testable import HamletCore

/// The operator page's export filter (village and a date range on each table's main date) and its search box's
/// classification of what was typed.
struct ExportFilterTests {
    static func table(_ name: String) throws -> TableSchema { try #require(Schema.register.table(named: name)) }

    @Test(arguments: [("people", "birth_date"), ("events", "date"), ("visits", "date"), ("benefits", "paid_on"),
                      ("pregnancies", "found_on"), ("contraception", "since")])
    func eachTableIsDatedByItsFirstDateField(table: String, field: String) throws {
        #expect(ExportFilter.dateField(of: try Self.table(table))?.name == field)
    }

    @Test func householdsHaveNoDateAndAreNarrowedByVillageOnly() throws {
        let households = try Self.table("households")
        #expect(ExportFilter.dateField(of: households) == nil)
        let f = try ExportFilter.parse(village: "北赵", from: "2025-01-01", to: "2025-06-30")
        #expect(f.keeps(["village": .text("北赵"), "address": .text("北赵村一组")], in: households))
        #expect(!f.keeps(["village": .text("南庄"), "address": .text("南庄村二组")], in: households))
    }

    @Test func rangeIncludesBothEndsAndLeavesOutEmptyDates() throws {
        let benefits = try Self.table("benefits")
        let f = try ExportFilter.parse(village: nil, from: "2025-01-01", to: "2025-06-30")
        func paid(_ d: String?) -> Fields {
            var v: Fields = ["village": .text("北赵"), "program": .text("国家奖扶")]
            if let d { v["paid_on"] = .text(d) }
            return v
        }
        #expect(f.keeps(paid("2025-01-01"), in: benefits))
        #expect(f.keeps(paid("2025-06-30"), in: benefits))
        #expect(f.keeps(paid("2025-03-15"), in: benefits))
        #expect(!f.keeps(paid("2024-12-31"), in: benefits))
        #expect(!f.keeps(paid("2025-07-01"), in: benefits))
        #expect(!f.keeps(paid(nil), in: benefits), "a benefit not paid yet has no date in the range")
        #expect(ExportFilter().keeps(paid(nil), in: benefits), "without a range every row is kept")
    }

    @Test func openEndedRangesAndVillage() throws {
        let people = try Self.table("people")
        let born = { (d: String, v: String) -> Fields in ["village": .text(v), "birth_date": .text(d), "name": .text("张丽")] }
        let from = try ExportFilter.parse(village: "", from: "2000-01-01", to: "")
        #expect(from.village == nil && from.to == nil)
        #expect(from.keeps(born("2000-01-01", "南庄"), in: people) && !from.keeps(born("1999-12-31", "南庄"), in: people))
        let to = try ExportFilter.parse(village: " 北赵 ", from: nil, to: "1999-12-31")
        #expect(to.village == "北赵")
        #expect(to.keeps(born("1999-12-31", "北赵"), in: people))
        #expect(!to.keeps(born("1999-12-31", "南庄"), in: people))
        let rows = [HubRow(table: "people", id: "a", values: born("1990-01-01", "北赵"), versions: [:], hseq: 1),
                    HubRow(table: "people", id: "b", values: born("2001-01-01", "北赵"), versions: [:], hseq: 2)]
        #expect(to.apply(rows, in: people).map(\.id) == ["a"])
    }

    @Test func datesAsClerksWriteThemAreRead() throws {
        let f = try ExportFilter.parse(village: nil, from: "2025/1/5", to: "2025年6月30日")
        #expect(f.from?.description == "2025-01-05")
        #expect(f.to?.description == "2025-06-30")
    }

    @Test(arguments: [("2025-02-30" as String?, nil as String?, ExportFilterError.Code.badFrom), ("yesterday", nil, .badFrom),
                      (nil, "2025-13-01", .badTo), ("2025-06-30", "2025-01-01", .reversed)])
    func badDatesAreRefusedWithAMessageInBothLanguages(from: String?, to: String?, code: ExportFilterError.Code) {
        #expect(throws: ExportFilterError.self) { try ExportFilter.parse(village: nil, from: from, to: to) }
        do {
            _ = try ExportFilter.parse(village: nil, from: from, to: to)
        } catch {
            #expect(error.code == code)
            #expect(error.message(chinese: true).contains("日期"))
            #expect(error.message(chinese: false).contains("date"))
        }
    }

    // MARK: - The search box

    @Test func searchTextIsClassified() throws {
        #expect(RecordSearch("  ") == nil)
        #expect(try #require(RecordSearch("130123199003120248")).kind == .nationalID("130123199003120248"))
        #expect(try #require(RecordSearch("13012319900312024x")).kind == .nationalID("13012319900312024X"))
        #expect(try #require(RecordSearch("0248")).kind == .idSuffix("0248"))
        #expect(try #require(RecordSearch("024x")).kind == .idSuffix("024X"))
        #expect(try #require(RecordSearch("12")).kind == .text("12"), "a house number is text")
        #expect(try #require(RecordSearch(" 秀英 ")).kind == .text("秀英"))
        #expect(try #require(RecordSearch("王秀英 *0248")).kind == .labeled(name: "王秀英", idSuffix: "0248"))
        #expect(try #require(RecordSearch("三组12号")).kind == .text("三组12号"))
        #expect(try #require(RecordSearch(String(repeating: "王", count: 300))).text.count == RecordSearch.maximumLength)
    }
}
