import Foundation
import HamletCore
import HamletHub
import Testing

@Suite("Operator page: xlsx export")
struct ExportXLSXTests {
    @Test func xlsxLinksAndDownloads() throws {
        let f = try WebFixture()
        let c = f.client()
        let page = try c.get("/export").text
        for table in ["people", "households", "events"] {
            #expect(page.contains("/export/\(table).xlsx") && page.contains("/export/\(table).csv"))
        }
        let r = try c.get("/export/people.xlsx")
        #expect(r.status == 200)
        #expect(r.header("Content-Type") == RegisterExport.xlsxContentType)
        #expect(r.header("Content-Disposition") == "attachment; filename=\"people.xlsx\"")
        let store = try f.scenario.openStore()
        let schema = try #require(store.schema.table(named: "people"))
        let rows = try store.rows(table: "people")
        // The Chinese page: 编号 and enum labels, as hamlet hub export --format xlsx under zh.
        #expect(r.body == RegisterExport.xlsx(schema, rows, labels: true), "the same bytes as hamlet hub export --format xlsx")
        let table = try SheetFile.read(bytes: r.body, name: "people.xlsx")
        #expect(table.header == ["编号"] + schema.fields.map(\.label.zh))
        #expect(table.rows.map { $0.fields["编号"] ?? "" } == rows.map(\.id))
        #expect(table.rows.map { $0.fields["身份证号"] ?? "" } == rows.map { $0.values["national_id"]?.description ?? "" })
        let events = try SheetFile.read(bytes: try c.get("/export/events.xlsx").body, name: "events.xlsx")
        #expect(events.rows.first?.fields["说明"] == WebScenario.eventDetail, "Chinese, quotes and a newline survive")
        #expect(events.rows.first?.fields["日期"] == "2015-05-01", "a date cell reads back as the date")
        #expect(try c.get("/export/nothing.xlsx").status == 404)
    }
}
