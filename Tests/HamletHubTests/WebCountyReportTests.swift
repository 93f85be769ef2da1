import Foundation
import HamletCore
import HamletHTTP
@testable import HamletHub
import HamletStore
import HamletTestSupport
import Testing

/// Issue 18: at a county hub the page's 报表 has one column per township (as `hamlet hub report` does), headed 镇, with
/// 全县 in place of 全镇, and its figures equal the store's report by township.
@Suite(.serialized)
struct WebCountyReportTests {
    @Test func aCountysReportPageHasOneColumnPerTownship() throws {
        let f = try WebFixture()
        let store = try f.scenario.openStore()
        for (node, township) in [("up-dong", "东镇"), ("up-xi", "西镇")] {
            try store.addTownshipNode(id: node, township: township, secretHash: String(repeating: "0", count: 64), wallMillis: wallMillisNow())
        }
        var seqs: [String: Int64] = [:]
        for (node, township, village, date) in [("up-dong", "东镇", "甲村", "2025-05-03"), ("up-dong", "东镇", "甲村", "2025-05-09"),
                                                ("up-xi", "西镇", "乙村", "2025-05-21")] {
            let seq = seqs[node, default: 0] + 1
            seqs[node] = seq
            var rng = SystemRandomNumberGenerator()
            let values: Fields = ["village": .text(village), "name": .text("新生儿\(date)"), "sex": .text("F"), "birth_date": .text(date)]
            let change = Change(node: node, seq: seq, table: "people", row: RowID.make(unixMillis: wallMillisNow(), using: &rng), op: .put,
                                values: values, bases: values.mapValues { _ in 0 }, rowBase: 0,
                                hlc: HLC(wall: wallMillisNow() + seq, counter: 0, node: node), author: "县级", epoch: "")
            let r = try store.reconcile([change], from: BatchSource(node: node, village: township), wallMillis: wallMillisNow())
            try #require(r.first?.status == .applied, "\(r)")
        }
        let expected = try store.report(period: try ReportPeriod(parsing: "2025-05"), byTownship: true, wallMillis: wallMillisNow())
        #expect(expected.villages["东镇"]?["births"] == .integer(2) && expected.villages["西镇"]?["births"] == .integer(1))
        let html = try f.client().get("/report?period=2025-05").text
        #expect(html.contains("<h2>各镇主要指标</h2>"), "the side-by-side table is of townships")
        #expect(html.contains("<table class=\"report villages\"><thead><tr><th>镇</th>"))
        #expect(html.contains("<option value=\"\">全县</option>"))
        #expect(html.contains("全县合计"))
        for t in ["东镇", "西镇"] {
            #expect(html.contains("village=\(FormCoding.percentEncode(t))\">\(t)</a>"), "\(t) is a column linking to its own view")
        }
        #expect(!html.contains(">甲村</a>"), "villages are not columns at a county")
        let one = try f.client().get("/report?period=2025-05&village=\(FormCoding.percentEncode("东镇"))")
        #expect(one.status == 200 && one.text.contains("全县报表"), "a township's own view links back to the county's")
    }
}
