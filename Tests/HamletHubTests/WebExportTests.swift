import Foundation
import HamletCore
import HamletHTTP
@testable import HamletHub
import HamletStore
import HamletTestSupport
import Testing

/// The export page: Chinese headers and labels on the Chinese page (the bytes `hamlet hub export` gives under zh),
/// field names and codes on the English one, a village and a date range carried by the links, bad dates refused.
@Suite(.serialized)
struct WebExportTests {
    static func csv(_ r: WebResponse) throws -> CSVTable { try CSVTable.read(bytes: r.body) }

    @Test func chinesePageExportsChineseHeadersAndLabelsAsTheCLIDoes() throws {
        let f = try WebFixture()
        let c = f.client()
        let store = try f.scenario.openStore()
        let people = try #require(store.schema.table(named: "people"))
        let r = try c.get("/export/people.csv")
        #expect(r.status == 200)
        #expect(r.body == Array(RegisterExport.csv(people, try store.rows(table: "people"), labels: true).utf8),
                "the same bytes as hamlet hub export under zh")
        let table = try Self.csv(r)
        #expect(table.header == ["编号"] + people.fields.map(\.label.zh))
        #expect(table.header.contains("身份证号") && table.header.contains("姓名"))
        #expect(table.rows.allSatisfy { $0.fields["性别"] == "女" }, "enum values as their labels")
        let codes = try Self.csv(try c.get("/export/people.csv?codes=1"))
        #expect(codes.header == ["id"] + people.fields.map(\.name))
        let xlsx = try c.get("/export/people.xlsx")
        #expect(xlsx.body == RegisterExport.xlsx(people, try store.rows(table: "people"), labels: true))
    }

    @Test func formulaCellsStayNeutralisedUnderChineseHeaders() throws {
        let f = try WebFixture()
        let store = try f.scenario.openStore()
        var rng = SystemRandomNumberGenerator()
        let id = RowID.make(unixMillis: wallMillisNow(), using: &rng)
        try store.load(table: "events", rows: [(id, ["village": .text("北赵"), "person": .text(f.scenario.bride), "kind": .text("birth"),
                                                     "date": .text("2020-02-02"), "detail": .text("=HYPERLINK(\"http://x\")")])],
                       action: OperatorAction(name: "测试", wallMillis: wallMillisNow()))
        store.close()
        let table = try Self.csv(try f.client().get("/export/events.csv"))
        let row = try #require(table.rows.first { $0.fields["编号"] == id })
        #expect(row.fields["说明"] == "'=HYPERLINK(\"http://x\")")
        #expect(row.fields["类型"] == "出生")
    }

    @Test func exportFilteredByVillageAndDates() throws {
        let f = try WebFixture()
        let c = f.client()
        let s = f.scenario
        let beizhao = FormCoding.percentEncode("北赵")
        let north = try Self.csv(try c.get("/export/people.csv?village=\(beizhao)"))
        #expect(Set(north.rows.compactMap { $0.fields["编号"] }) == [s.person, s.bride])
        // People by birth date: 王秀英 (1990-03-12) in 1989–1990, not 张丽 (1988-07-01).
        let born = try c.get("/export/people.csv?from=1989-01-01&to=1990-12-31")
        #expect(born.status == 200)
        #expect(Set(try Self.csv(born).rows.compactMap { $0.fields["编号"] }) == [s.bride, s.brideAgain])
        let both = try Self.csv(try c.get("/export/people.csv?village=\(beizhao)&from=1990-03-12&to=1990-03-12"))
        #expect(both.rows.compactMap { $0.fields["编号"] } == [s.bride], "both ends included")
        // Events by their date; households by village only.
        #expect(try Self.csv(try c.get("/export/events.csv?from=2015-05-01")).rows.count == 1)
        #expect(try Self.csv(try c.get("/export/events.csv?to=2015-04-30")).rows.isEmpty)
        let households = try Self.csv(try c.get("/export/households.csv?village=\(FormCoding.percentEncode("南庄"))&from=2030-01-01"))
        #expect(households.rows.compactMap { $0.fields["编号"] } == [s.southHousehold])
        let xlsx = try c.get("/export/people.xlsx?village=\(beizhao)&from=1989-01-01")
        #expect(xlsx.status == 200)
        #expect(xlsx.header("Content-Disposition")?.contains("filename*=UTF-8''people-%E5%8C%97%E8%B5%B5-1989-01-01.xlsx") == true)
        #expect(try c.get("/export/people.csv").header("Content-Disposition") == "attachment; filename=\"people.csv\"")
    }

    @Test func exportPageCarriesTheFilterIntoEveryLink() throws {
        let f = try WebFixture()
        let c = f.client()
        let page = try c.get("/export")
        #expect(page.status == 200)
        for text in ["<option value=\"北赵\"", "<option value=\"南庄\"", "name=\"from\"", "name=\"to\"", "出生日期", "发放日期", "没有日期"] {
            #expect(page.text.contains(text), "the export page lacks \(text)")
        }
        let filtered = try c.get("/export?village=\(FormCoding.percentEncode("北赵"))&from=2025/1/1&to=2025-06-30")
        let query = "?village=%E5%8C%97%E8%B5%B5&amp;from=2025-01-01&amp;to=2025-06-30"
        #expect(filtered.text.contains("/export/people.csv\(query)"), "\(filtered.text)")
        #expect(filtered.text.contains("/export/benefits.xlsx\(query)"))
        #expect(filtered.text.contains("北赵、日期在 2025-01-01 至 2025-06-30 之间"))
        #expect(filtered.text.contains("<option value=\"北赵\" selected>"))
        let english = try c.get("/export?lang=en")
        #expect(english.text.contains("birth date") && english.text.contains("not narrowed by dates"))
    }

    @Test func badDatesGetAClear400InBothLanguages() throws {
        let f = try WebFixture()
        let c = f.client()
        let bad = try c.get("/export/people.csv?from=2025-02-30")
        #expect(bad.status == 400)
        #expect(bad.header("Content-Type") == "text/html; charset=utf-8")
        #expect(bad.text.contains("没有导出：开始日期「2025-02-30」不是有效日期"))
        let reversed = try c.get("/export/people.csv?from=2025-06-30&to=2025-01-01")
        #expect(reversed.status == 400 && reversed.text.contains("开始日期在结束日期之后"))
        let page = try c.get("/export?to=%3Cscript%3E")
        #expect(page.status == 400 && page.text.contains("结束日期「&lt;script&gt;」") && !page.text.contains("<script>"))
        let english = try c.get("/export/people.xlsx?to=someday&lang=en")
        #expect(english.status == 400 && english.text.contains("The end date &quot;someday&quot; is not a real date"))
    }
}
