import Foundation
import HamletCore
import HamletHTTP
@testable import HamletHub
import HamletStore
import HamletTestSupport
import Testing

/// Issue 14 item 7: the operator page's 报表 — the figures equal `HubStore.report`, each with its 口径; the villages
/// side by side with the township total; the charts as inline SVG; the A4 print view; the downloads read back;
/// a closed period shows 上报数 beside 当前数 with the 补录/更正 behind them.
@Suite(.serialized)
struct WebReportTests {
    static let period = "2025-05"

    /// Pushes one change (its own HLC, later than any before it) and returns its hseq.
    @discardableResult
    static func push(_ f: WebFixture, node: String, village: String, row: String, _ values: Fields, base: Int64 = 0) throws -> Int64 {
        let store = try f.scenario.openStore()
        if try store.node(node) == nil {
            try store.addNode(id: node, village: village, secretHash: String(repeating: "0", count: 64), wallMillis: wallMillisNow())
        }
        let seq = try store.lastSeq(node: node) + 1
        let change = Change(node: node, seq: seq, table: "people", row: row, op: .put, values: values, bases: values.mapValues { _ in base },
                            rowBase: base, hlc: HLC(wall: wallMillisNow() + 1000 + seq, counter: 0, node: node), author: "村专干", epoch: "")
        let result = try store.reconcile([change], from: BatchSource(node: node, village: village), wallMillis: wallMillisNow())
        return try #require(result.first?.hseq, "\(result)")
    }

    static func newID() -> String {
        var rng = SystemRandomNumberGenerator()
        return RowID.make(unixMillis: wallMillisNow(), using: &rng)
    }

    /// Five births in May 2025 (three in 北赵 to 张丽, two in 南庄) and one in March; returns a May child's id and hseq.
    @discardableResult
    static func seedBirths(_ f: WebFixture) throws -> (id: String, hseq: Int64) {
        var first: (String, Int64)?
        for (village, node, date, sex) in [("北赵", "beizhao-clerk", "2025-05-03", "M"), ("北赵", "beizhao-clerk", "2025-05-18", "F"),
                                           ("北赵", "beizhao-clerk", "2025-03-10", "M"), ("南庄", "nanzhuang-clerk", "2025-05-09", "M"),
                                           ("南庄", "nanzhuang-clerk", "2025-05-21", "F"), ("北赵", "beizhao-clerk", "2025-05-30", "M")] {
            let id = newID()
            var values: Fields = ["village": .text(village), "name": .text("新生儿\(date)"), "sex": .text(sex), "birth_date": .text(date)]
            if village == "北赵" { values["mother"] = .text(f.scenario.person) }
            let hseq = try push(f, node: node, village: village, row: id, values)
            if first == nil { first = (id, hseq) }
        }
        return try #require(first)
    }

    /// The page's English words (Core's Chinese 口径 names no stored codes, so none are allowed).
    static func englishWords(_ html: String) -> [String] {
        #expect(Indicator.all.allSatisfy { WebCompareTests.englishWords($0.definition.zh).isEmpty }, "Chinese 口径 without codes")
        return WebCompareTests.englishWords(html)
    }

    static func report(_ f: WebFixture, village: String? = nil) throws -> Report {
        try f.scenario.openStore().report(period: try ReportPeriod(parsing: period), village: village, wallMillis: wallMillisNow())
    }

    @Test func thePageShowsTheStoresFiguresWithTheirDefinitionsVillagesAndCharts() throws {
        let f = try WebFixture()
        try Self.seedBirths(f)
        let c = f.client()
        let page = try c.get("/report?period=\(Self.period)")
        #expect(page.status == 200)
        let html = page.text
        let report = try Self.report(f)
        #expect(report.township["births"] == .integer(5) && report.township["births_male"] == .integer(3))
        for i in Indicator.all where i.shape != .breakdown {
            let value = (report.township[i.key] ?? .missing).description
            #expect(html.contains("<tr id=\"figure-\(i.key)\"><td>\(h(i.label.zh))</td><td class=\"num value\">\(h(value))</td>"), "\(i.key) = \(value)")
            #expect(html.contains("<td class=\"definition\">\(h(i.definition.zh))</td>"), "口径 of \(i.key)")
        }
        #expect(html.contains("<td class=\"num value\">一孩 0，二孩 1，多孩 2，不详 2</td>"), "births by order, readable")
        #expect(html.contains(h(Indicator.commonRules.zh)))
        // The villages side by side, each linking to its own view, and the township's total.
        for v in ["北赵", "南庄"] {
            let births = (report.villages[v]?["births"] ?? .missing).description
            #expect(html.contains("<a href=\"/report?period=\(Self.period)&amp;village=\(FormCoding.percentEncode(v))\">\(v)</a>"), "\(v) links")
            #expect(births == (v == "北赵" ? "3" : "2"))
        }
        #expect(html.contains("<tr class=\"total\"><th>全镇合计</th><td class=\"num\">\(report.township["population_end"] ?? .missing)</td><td class=\"num\">5</td><td class=\"num\">3</td><td class=\"num\">2</td><td class=\"num\">150.00</td>"))
        // Three charts, each an inline SVG with its own id; births by month over the year, May = 5, March = 1.
        for id in ["births-by-month", "sex-ratio-trend", "villages-births"] {
            #expect(html.contains("<figure class=\"chart\" id=\"\(id)\"><svg"), "chart \(id)")
        }
        #expect(html.contains("出生: 1月 0, 2月 0, 3月 1, 4月 0, 5月 5, 6月 0"), "the births chart lists its values")
        #expect(html.contains("正常范围 103–107"))
        #expect(!html.contains("<script"))
        #expect(html.contains("<a href=\"/report\">报表</a>"), "the nav has 报表")
        #expect(html.contains("按时上报率") && html.contains("上报截止日 2025-06-05"))
        #expect(Self.englishWords(html).isEmpty, "\(Self.englishWords(html))")

        let english = try f.client().get("/report?period=\(Self.period)&lang=en").text
        #expect(english.contains("<tr id=\"figure-births\"><td>Births</td><td class=\"num value\">5</td>"))
        #expect(english.contains(h(Indicator.named("births")?.definition.en ?? "?")))

        // One village: its figures beside the township's.
        let north = try c.get("/report?period=\(Self.period)&village=\(FormCoding.percentEncode("北赵"))").text
        #expect(north.contains("<tr id=\"figure-births\"><td>出生</td><td class=\"num value\">5</td><td class=\"num value\">3</td>"))
        #expect(north.contains("北赵 2025年5月报表"))
        #expect(!north.contains("id=\"villages-births\""), "the villages chart is the township's")
        #expect(try c.get("/report?period=\(Self.period)&village=\(FormCoding.percentEncode("东营"))").status == 404)
    }

    @Test func thePrintViewHasNoNavigationAndIsA4WithTheTownshipsName() throws {
        let f = try WebFixture()
        try Self.seedBirths(f)
        let c = f.client()
        let unnamed = try c.get("/report/print?period=\(Self.period)")
        #expect(unnamed.status == 200)
        #expect(unnamed.text.contains("<h1>本镇 2025年5月报表</h1>"))
        try f.scenario.openStore().setMeta("township", "城关镇")
        let print = try c.get("/report/print?period=\(Self.period)").text
        #expect(!print.contains("<nav") && !print.contains("<header") && !print.contains("<form"))
        #expect(print.contains("@page{size:A4;margin:15mm}"))
        #expect(print.contains("<h1>城关镇 2025年5月报表</h1>") && print.contains("统计期间：2025-05-01 至 2025-05-31"))
        #expect(print.contains("填报单位：城关镇"))
        #expect(print.contains("<figure class=\"chart\" id=\"births-by-month\"><svg") && print.contains("<tr class=\"total\"><th>全镇合计</th>"))
        #expect(print.contains("<td class=\"definition\">"), "the 口径 print with the figures")
        #expect(Self.englishWords(print).isEmpty, "\(Self.englishWords(print))")
        #expect(try c.get("/report?period=\(Self.period)").text.contains("href=\"/report/print?period=\(Self.period)\""), "the 打印 link")
    }

    @Test func downloadsAreTheReportSheetsBytesAndReadBack() throws {
        let f = try WebFixture()
        try Self.seedBirths(f)
        let c = f.client()
        let csv = try c.get("/report.csv?period=\(Self.period)")
        #expect(csv.status == 200 && csv.header("Content-Type") == "text/csv; charset=utf-8")
        #expect(csv.header("Content-Disposition")?.contains("filename*=UTF-8''\(FormCoding.percentEncode("月报-2025-05")).csv") == true)
        #expect(Array(csv.body.prefix(3)) == [0xEF, 0xBB, 0xBF], "a BOM for spreadsheet programs")
        let report = try Self.report(f)
        #expect(csv.text == ReportSheet(report).csv(chinese: true), "the same bytes as hamlet hub report --format csv")
        let parts = csv.text.components(separatedBy: "\r\n\r\n")
        #expect(parts.count == 2, "the table, a blank line, the 口径")
        let rows = try CSV.parse(parts[0])
        let notes = try CSV.parse(parts.count > 1 ? parts[1] : "")
        let births = try #require(rows.first?.firstIndex(of: "出生"))
        #expect(rows[1][0] == "全镇" && rows[1][births] == "5")
        #expect(notes.contains { $0.first == "出生" && $0.count > 1 && $0[1].contains("出生日期在报告期内") }, "the 口径 under the table")

        let xlsx = try c.get("/report.xlsx?period=\(Self.period)&village=\(FormCoding.percentEncode("南庄"))")
        #expect(xlsx.status == 200 && xlsx.header("Content-Type") == RegisterExport.xlsxContentType)
        #expect(xlsx.header("Content-Disposition")?.contains(FormCoding.percentEncode("月报-2025-05-南庄") + ".xlsx") == true)
        let book = try SheetFile.read(bytes: xlsx.body, name: "report.xlsx")
        #expect(book.rows.first?.fields["村"] == "全镇" && book.rows.first?.fields["出生"] == "5")
        #expect(book.rows.dropFirst().first?.fields["村"] == "南庄" && book.rows.dropFirst().first?.fields["出生"] == "2")

        let english = try f.client().get("/report.csv?period=2025-Q2&lang=en")
        #expect(english.header("Content-Disposition")?.contains("filename=\"report-2025-Q2.csv\"") == true)
        #expect(english.header("Content-Disposition")?.contains(FormCoding.percentEncode("季报-2025-Q2")) == true)
        #expect(english.text.hasPrefix("\u{FEFF}village,Population at start,"))
    }

    @Test func aBadPeriodIsA400InBothLanguagesAndTheDefaultIsLastMonth() throws {
        let f = try WebFixture()
        let c = f.client()
        var refusal = ReportError(.invalidPeriod, "", zh: "")
        do throws(ReportError) { _ = try ReportPeriod(parsing: "2025-13") } catch { refusal = error }
        let bad = try c.get("/report?period=2025-13")
        #expect(bad.status == 400 && bad.text.contains(h(refusal.zh)) && refusal.zh.contains("不是报告期"), "Core's own sentence")
        #expect(bad.text.contains("action=\"/report\""), "the form is there to try again")
        #expect(WebCompareTests.englishWords(bad.text).isEmpty, "\(WebCompareTests.englishWords(bad.text))")
        let english = try f.client().get("/report?period=soon&lang=en")
        #expect(english.status == 400 && english.text.contains("soon is not a period: write a month"))
        #expect(try c.get("/report.csv?period=13").status == 400)
        #expect(try c.get("/report?period=2025-05&deadline=40").text.contains("截止日「40」不对"))

        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Asia/Shanghai") ?? .gmt
        let now = calendar.dateComponents([.year, .month], from: Date())
        let (year, month) = now.month == 1 ? ((now.year ?? 0) - 1, 12) : (now.year ?? 0, (now.month ?? 1) - 1)
        let plain = try c.get("/report")
        #expect(plain.status == 200 && plain.text.contains("本镇 \(year)年\(month)月报表"), "last full month by default")
    }

    @Test func aClosedPeriodShowsReportedBesideCurrentAndTheLateEntriesAndCorrections() throws {
        let f = try WebFixture()
        let child = try Self.seedBirths(f)
        let store = try f.scenario.openStore()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let figures = String(decoding: try encoder.encode(try Self.report(f)), as: UTF8.self)
        _ = try store.closePeriod(Self.period, figures: figures, by: "镇管理员李明", wallMillis: wallMillisNow())
        let c = f.client()
        #expect(try c.get("/report?period=\(Self.period)").text.contains("截止后没有变化：上报数即当前数。"))

        // A late birth (补录) in 南庄 and a correction (更正) of a 北赵 child's sex.
        let late = Self.newID()
        try Self.push(f, node: "nanzhuang-clerk", village: "南庄", row: late,
                      ["village": .text("南庄"), "name": .text("迟报的孩子"), "sex": .text("F"), "birth_date": .text("2025-05-28")])
        try Self.push(f, node: "beizhao-clerk", village: "北赵", row: child.id, ["sex": .text("F")], base: child.hseq)
        let html = try c.get("/report?period=\(Self.period)").text
        #expect(html.contains("本期已于") && html.contains("由 镇管理员李明 截止上报"))
        #expect(html.contains("截止后收到补录/更正 2 条"))
        #expect(html.contains("<th class=\"num\">上报数</th><th class=\"num\">当前数</th>"))
        #expect(html.contains("<tr><td>全镇</td><td>出生</td><td class=\"num\">5</td><td class=\"num diff\">6</td></tr>"))
        #expect(html.contains("<tr><td>北赵</td><td>出生（男）</td><td class=\"num\">2</td><td class=\"num diff\">1</td></tr>"))
        #expect(html.contains("<tr><td>南庄</td><td>出生（女）</td><td class=\"num\">1</td><td class=\"num diff\">2</td></tr>"))
        #expect(html.contains("<td>南庄</td><td>补录</td><td>人口</td><td>2025-05-28</td>"))
        #expect(html.contains("<td>北赵</td><td>更正</td><td>人口</td><td>2025-05-03</td>"))
        #expect(html.contains("href=\"/history/people/\(late)\"") && html.contains("href=\"/history/people/\(child.id)\""))
        #expect(try c.get("/history/people/\(late)").status == 200)

        // One village: only its differences and changes.
        let south = try c.get("/report?period=\(Self.period)&village=\(FormCoding.percentEncode("南庄"))").text
        #expect(south.contains("<td>南庄</td><td>补录</td>") && !south.contains("<td>北赵</td><td>更正</td>"))
        #expect(!south.contains("<tr><td>北赵</td><td>出生（男）</td>"))
        let print = try c.get("/report/print?period=\(Self.period)").text
        #expect(print.contains("<td class=\"num diff\">6</td>"), "the print view shows the close too")
    }
}
