import Foundation
import HamletCore
import HamletHTTP
import HamletStore
import HamletTestSupport
import Testing

/// Issue 20, item 2: on the page, the list filtered to one field takes one side for the selected conflicts, each by
/// its own compare-and-set resolution; one that moved after the page was made is refused alone.
@Suite(.serialized)
struct WebBulkResolveTests {
    /// `expect.<id>` → version, as the page shows them.
    static func expects(_ page: String) -> [(String, String)] {
        page.components(separatedBy: "name=\"expect.").dropFirst().compactMap { part in
            let id = part.prefix { $0.isNumber }
            guard let v = part.range(of: "value=\"") else { return nil }
            return ("expect.\(id)", String(part[v.upperBound...].prefix { $0.isNumber }))
        }
    }

    @Test func takeTheHubsValueForASelectionEachOnItsOwn() throws {
        let f = try WebConflictListTests.fixture(extra: 120)
        let c = f.client()
        let list = "/?village=" + FormCoding.percentEncode("南庄") + "&field=people.name"
        let page = try c.get(list)
        let expects = Self.expects(page.text)
        #expect(expects.count == 30, "\(page.text)")
        #expect(page.text.contains("都采用镇中心的值") && page.text.contains("共 30 条"))
        // Not offered without a field filter.
        #expect(!(try c.get("/?village=" + FormCoding.percentEncode("南庄")).text.contains("action=\"/conflicts/bulk\"")))

        // One of them moves after the page was made.
        let store = try f.scenario.openStore()
        let people = try #require(store.schema.table(named: "people"))
        let moved = try #require(Int64(expects[0].0.dropFirst("expect.".count)).flatMap { try store.conflict($0) })
        let row = try #require(try store.row(people, id: moved.row))
        let edit = Change(node: "nanzhuang", seq: try store.lastSeq(node: "nanzhuang") + 1, table: "people", row: moved.row, op: .put,
                          values: ["name": .text("南人改")], bases: ["name": row.versions["name"]?.hseq ?? 0], rowBase: row.hseq,
                          hlc: HLC(wall: wallMillisNow() + 60_000, counter: 0, node: "nanzhuang"), author: "nanzhuang", epoch: "")
        _ = try store.reconcile([edit], from: BatchSource(node: "nanzhuang", village: "南庄"), wallMillis: wallMillisNow())

        let ids = expects.map { ("c", String($0.0.dropFirst("expect.".count))) }
        let done = try c.submit(page, action: "/conflicts/bulk",
                                ids + expects + [("choice", "hub"), ("operator", "镇管理员李明"), ("return", list)])
        #expect(done.status == 303 && done.header("Location") == list)
        let after = try c.get(list)
        #expect(after.text.contains("已处理 29 个冲突（共选中 30 个）") && after.text.contains("#\(moved.id)"), "\(after.text)")
        let fresh = try f.scenario.openStore()
        let closed = try fresh.conflicts(status: "resolved", village: "南庄", limit: 1000)
        #expect(closed.count == 29 && closed.allSatisfy { $0.resolution == "take hub" && $0.resolvedBy == "镇管理员李明" })
        #expect(Set(closed.compactMap(\.resolutionHseq)).count == 29, "each its own hub change")
        #expect(try fresh.conflict(moved.id)?.status == "open")
        #expect(try fresh.conflicts(status: "open", village: "北赵", limit: 1000).count > 120, "北赵 untouched")
    }

    @Test func aSelectionAcrossFieldsIsRefused() throws {
        let f = try WebFixture()
        let c = f.client()
        let page = try c.get("/?field=people.name")
        let s = f.scenario
        let r = try c.submit(page, action: "/conflicts/bulk", [("c", String(s.fieldConflict)), ("c", String(s.escapeConflict)), ("choice", "hub")])
        #expect(r.status == 303)
        #expect(try c.get("/").text.contains("只能一次处理同一个字段的字段冲突"))
        #expect(try f.scenario.openStore().conflict(s.fieldConflict)?.status == "open")
    }
}
