import Foundation
import HamletCore
import HamletHTTP
@testable import HamletHub
import HamletStore
import HamletTestSupport
import Testing

/// Issue 15 item 3: the operator page's 迁移 — the 迁入迁出通报 equals `HubStore.moveNotice`, with a print view, the
/// downloads, and the moves between villages not received after 30 days.
@Suite(.serialized)
struct WebMovesTests {
    static func day(_ daysAgo: Int) -> CalendarDate {
        let today = CalendarDate(unixMillis: wallMillisNow(), zone: TimeZone(identifier: "Asia/Shanghai") ?? .gmt)
        return CalendarDate(daysSinceEpoch: today.daysSinceEpoch - daysAgo)
    }

    /// 王秀英 registered in 北赵, her 迁出 event dated 40 days ago, then moved to 南庄 (a change of `village`), never
    /// received; 李娜 leaves the township today (a 迁出 event alone). Returns the move's period.
    static func seedMoves(_ f: WebFixture) throws -> String {
        let wang = WebReportTests.newID(), li = WebReportTests.newID()
        let made = try WebReportTests.push(f, node: "beizhao", village: "北赵", row: wang,
                                           ["village": .text("北赵"), "name": .text("王秀英"), "sex": .text("F"), "birth_date": .text("1990-03-02"),
                                            "national_id": .text("370481199003021224")])
        try WebReportTests.push(f, node: "beizhao", village: "北赵", row: li,
                                ["village": .text("北赵"), "name": .text("李娜"), "sex": .text("F"), "birth_date": .text("1995-01-01")])
        let moved = day(40).description, today = day(0).description
        for (who, date, detail) in [(wang, moved, "婚迁，迁往南庄"), (li, today, "务工，迁往济南")] {
            let r = try WebDismissTests.push(f, node: "beizhao", table: "events", row: WebReportTests.newID(),
                                             ["village": .text("北赵"), "person": .text(who), "kind": .text("move_out"), "date": .text(date),
                                              "detail": .text(detail)], base: 0, author: "村专干王芳")
            #expect(r.first?.status.rawValue == "applied", "\(r)")
        }
        try WebReportTests.push(f, node: "beizhao", village: "北赵", row: wang, ["village": .text("南庄")], base: made)
        return String(moved.prefix(7))
    }

    @Test func thePageListsTheMoveOnBothSidesOnceForTheTownshipAndAsNotReceived() throws {
        let f = try WebFixture()
        let period = try Self.seedMoves(f)
        let c = f.client()
        let page = try c.get("/moves?period=\(period)")
        #expect(page.status == 200)
        let html = page.text
        let notice = try f.scenario.openStore().moveNotice(period: try ReportPeriod(parsing: period), wallMillis: wallMillisNow())
        #expect(notice.township.within.count == 1 && notice.unreceived.count == 1, "\(notice)")
        #expect(html.contains("<h2>北赵：迁出 1 人，迁入 0 人</h2>") && html.contains("<h2>南庄：迁出 0 人，迁入 1 人</h2>"), "\(html)")
        #expect(html.contains("村间迁移 1 人"))
        #expect(html.contains("<td>婚迁，迁往南庄</td>") && html.contains("<td class=\"mono\">1224</td>"))
        #expect(html.contains("<h2>超过30天未接收</h2>") && html.contains("<span class=\"badge open\">待接收</span>"))
        #expect(html.contains("<a href=\"/moves\">迁移</a>"), "the nav has 迁移")
        #expect(html.contains("href=\"/moves/print?period=\(period)\""))
        #expect(WebCompareTests.englishWords(html).isEmpty, "\(WebCompareTests.englishWords(html))")

        // 李娜 left the township this month: listed as 迁出本镇, never as awaiting.
        let now = try c.get("/moves?period=\(Self.day(0).description.prefix(7))").text
        #expect(now.contains("<h3>迁出本镇</h3>") && now.contains("<td>务工，迁往济南</td>"))
        #expect(now.contains("<h2>超过30天未接收</h2>"), "the unreceived list shows whatever the period")

        let english = try c.get("/moves?period=\(period)&lang=en").text
        #expect(english.contains("Not received after 30 days") && english.contains("awaiting"))
        #expect(try c.get("/moves?period=\(period)&village=\(FormCoding.percentEncode("东营"))").status == 404)
        #expect(try c.get("/moves?period=2026-13").status == 400)
    }

    @Test func thePrintViewAndTheDownloads() throws {
        let f = try WebFixture()
        let period = try Self.seedMoves(f)
        let c = f.client()
        let print = try c.get("/moves/print?period=\(period)").text
        #expect(!print.contains("<nav") && !print.contains("<header") && !print.contains("<form"))
        #expect(print.contains("@page{size:A4;margin:15mm}") && print.contains("迁入迁出通报") && print.contains("通报单位：本镇"))
        #expect(WebCompareTests.englishWords(print).isEmpty, "\(WebCompareTests.englishWords(print))")

        let notice = try f.scenario.openStore().moveNotice(period: try ReportPeriod(parsing: period), wallMillis: wallMillisNow())
        let csv = try c.get("/moves.csv?period=\(period)")
        #expect(csv.status == 200 && csv.header("Content-Type") == "text/csv; charset=utf-8")
        #expect(Array(csv.body.prefix(3)) == [0xEF, 0xBB, 0xBF])
        #expect(csv.text == MoveNoticeSheet(notice).csv(chinese: true), "the same bytes as hamlet hub moves --format csv")
        #expect(csv.header("Content-Disposition")?.contains(FormCoding.percentEncode("迁入迁出通报-\(period)")) == true)
        let xlsx = try c.get("/moves.xlsx?period=\(period)")
        #expect(xlsx.status == 200 && xlsx.body.starts(with: [0x50, 0x4B]))
        let rows = try XLSXReader.records(bytes: xlsx.body).map(\.fields)
        #expect(rows.contains { $0.contains("王秀英") && $0.contains("1224") }, "text cells read back: \(rows)")
    }
}
