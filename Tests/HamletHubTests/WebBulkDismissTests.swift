import Foundation
import HamletCore
import HamletHTTP
import HamletStore
import HamletTestSupport
import Testing

/// Issue 20, item 2: on the page, the list filtered to open duplicates dismisses a selection as not the same person,
/// each closed and recorded on its own with the reason; one closed after the page was made is skipped and counted.
@Suite(.serialized)
struct WebBulkDismissTests {
    @Test func dismissASelectionEachOnItsOwnSkippingOneClosedMeanwhile() throws {
        let f = try WebFixture()
        let store = try f.scenario.openStore()
        let before = try store.conflicts(status: "open", village: "南庄", limit: 1000).filter { $0.kind == .duplicate }.count
        try ConflictBatch.addDuplicates(store, count: 25, village: "南庄", nodes: ("nanzhuang", "nanzhuang-doctor"), prefix: "南人", region: 130126)
        let village = FormCoding.percentEncode("南庄")
        let list = "/?village=\(village)&kind=duplicate"
        let c = f.client()
        let page = try c.get(list)
        let ids = page.text.components(separatedBy: "name=\"c\" value=\"").dropFirst().map { String($0.prefix { $0.isNumber }) }
        let n = before + 25
        #expect(ids.count == n && page.text.contains("都判定为不是同一人") && page.text.contains("required"), "\(page.text)")
        #expect(!(try c.get("/?village=\(village)").text.contains("/conflicts/bulk-dismiss")), "only on the duplicates' list")
        #expect(try f.client().get(list + "&lang=en").text.contains("Not the same person, each"))

        // Refused without a reason, and with a field conflict in the selection: nothing closed.
        let noReason = try c.submit(page, action: "/conflicts/bulk-dismiss", ids.map { ("c", $0) } + [("return", list)])
        #expect(noReason.status == 303)
        #expect(try c.get(list).text.contains("没有改动：请写明理由"))
        let mixed = try c.submit(page, action: "/conflicts/bulk-dismiss",
                                 [("c", ids[0]), ("c", String(f.scenario.fieldConflict)), ("note", "核实"), ("return", list)])
        #expect(mixed.status == 303)
        #expect(try c.get(list).text.contains("只能一次关闭重复登记"))
        #expect(try store.conflicts(status: "open", village: "南庄", limit: 1000).filter { $0.kind == .duplicate }.count == n)

        // Another operator closes one after the page was made: it is skipped and counted, the other 24 go through.
        let meanwhile = try #require(Int64(ids[3]))
        try store.dismissDuplicate(meanwhile, action: OperatorAction(name: "另一位管理员", wallMillis: wallMillisNow(), note: "先处理了"))
        let done = try c.submit(page, action: "/conflicts/bulk-dismiss",
                                ids.map { ("c", $0) } + [("operator", "镇管理员李明"), ("note", "已逐户核实，是两个人"), ("return", list)])
        #expect(done.status == 303 && done.header("Location") == list)
        let after = try c.get("/?village=\(village)&kind=duplicate&status=all")
        #expect(after.text.contains("已关闭 \(n - 1) 个重复登记（共选中 \(n) 个）") && after.text.contains("另有 1 个在此期间已被处理"), "\(after.text)")
        let fresh = try f.scenario.openStore()
        let closed = try fresh.conflicts(status: "resolved", village: "南庄", limit: 1000).filter { $0.kind == .duplicate }
        #expect(closed.count == n)
        let ours = closed.filter { $0.resolvedBy == "镇管理员李明" }
        #expect(ours.count == n - 1 && ours.allSatisfy { $0.resolution == "dismissed" && $0.note == "已逐户核实，是两个人" })
        #expect(try fresh.conflict(meanwhile)?.resolvedBy == "另一位管理员", "not closed twice")
        #expect(try fresh.conflicts(status: "open", village: "南庄", limit: 1000).allSatisfy { $0.kind != .duplicate })
    }
}
