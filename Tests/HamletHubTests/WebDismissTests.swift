import Foundation
import HamletCore
import HamletHTTP
import HamletStore
import HamletTestSupport
import Testing

/// Issue 19, items 4 and 7 on the page: 「不是同一人」 on a duplicate (a reason required), and every value competing
/// for a field shown together, settled by one decision.
@Suite(.serialized)
struct WebDismissTests {
    /// Pushes one change from a 北赵 node the scenario did not register (registered here).
    static func push(_ f: WebFixture, node: String, village: String = "北赵", table: String, row: String, _ values: Fields,
                     base: Int64, author: String) throws -> [ChangeResult] {
        let store = try f.scenario.openStore()
        if try store.node(node) == nil {
            try store.addNode(id: node, village: village, secretHash: String(repeating: "0", count: 64), wallMillis: wallMillisNow())
        }
        let seq = try store.lastSeq(node: node) + 1
        let change = Change(node: node, seq: seq, table: table, row: row, op: .put, values: values, bases: values.mapValues { _ in base },
                            rowBase: base, hlc: HLC(wall: wallMillisNow() + 1000, counter: 0, node: node), author: author, epoch: "")
        return try store.reconcile([change], from: BatchSource(node: node, village: village), wallMillis: wallMillisNow())
    }

    @Test func notTheSamePersonNeedsAReasonAndStaysDismissed() throws {
        let f = try WebFixture()
        let c = f.client()
        let id = f.scenario.duplicateConflict
        let action = "/conflicts/\(id)/dismiss"
        let page = try c.get("/conflicts/\(id)")
        #expect(page.status == 200)
        #expect(page.text.contains("action=\"\(action)\"") && page.text.contains(">不是同一人</button>"), "the button is on the duplicate view")
        #expect(page.text.contains("理由（必填") && page.text.contains("size=\"32\" required>"), "the reason is asked for and required")

        // No reason: nothing changes, the page says why.
        let bare = try c.submit(page, action: action, [("operator", "镇管理员李明"), ("note", "  ")])
        #expect(bare.status == 303 && bare.header("Location") == "/conflicts/\(id)")
        #expect(try c.get("/conflicts/\(id)").text.contains("没有改动：请写明理由"))
        #expect(try f.scenario.openStore().conflict(id)?.status == "open")

        let note = "户口本核实：北赵的王秀英和南庄的王秀英是两个人"
        let done = try c.submit(page, action: action, [("operator", "镇管理员李明"), ("note", note)])
        #expect(done.status == 303)
        let closed = try #require(try f.scenario.openStore().conflict(id))
        #expect(closed.status == "resolved" && closed.resolution == "dismissed" && closed.resolvedBy == "镇管理员李明" && closed.note == note)
        let shown = try c.get("/conflicts/\(id)")
        #expect(shown.text.contains("flash ok") && shown.text.contains("冲突 #\(id) 已关闭：不是同一人"))
        #expect(shown.text.contains("已由 镇管理员李明") && shown.text.contains("判定不是同一人") && shown.text.contains(note))
        #expect(shown.text.contains("已判定为不是同一人：两条记录都保留"))
        #expect(!shown.text.contains("action=\"\(action)\"") && !shown.text.contains("action=\"/conflicts/\(id)/merge\""), "nothing left to act on")
        let english = try c.get("/conflicts/\(id)?lang=en")
        #expect(english.text.contains("dismissed: not the same person") && english.text.contains("Judged not the same person"))
        let list = try c.get("/?status=all&lang=zh")
        #expect(list.text.contains("判定不是同一人") && !list.text.contains(">dismissed<"))

        // The old tab again: refused, and told who closed it and how.
        #expect(try c.submit(page, action: action, [("note", "again")]).status == 303)
        #expect(try c.get("/conflicts/\(id)").text.contains("已经由 镇管理员李明 于"))

        // A later sync touching the 南庄 row (not its ID) raises nothing again.
        let store = try f.scenario.openStore()
        let people = try #require(store.schema.table(named: "people"))
        let row = try #require(try store.row(people, id: f.scenario.brideAgain))
        let results = try Self.push(f, node: "nanzhuang", village: "南庄", table: "people", row: row.id,
                                    ["phone": .text("13712345678")], base: row.hseq, author: "村专干")
        #expect(results.allSatisfy { $0.status.rawValue == "applied" }, "\(results)")
        #expect(try f.scenario.openStore().conflicts(kind: .duplicate).isEmpty, "the dismissed pair stays dismissed")
    }

    @Test func dismissRefusesAFieldConflict() throws {
        let token = "operator-token-0123456789"
        let f = try WebFixture(token: token)
        let c = f.client()
        let id = f.scenario.fieldConflict
        let bearer = [("Authorization", "Bearer \(token)")]
        let r = try c.post("/conflicts/\(id)/dismiss", form: [("note", "x")], headers: bearer)
        #expect(r.status == 303)
        #expect(try c.get("/conflicts/\(id)", headers: bearer).text.contains("这个操作不适用于这类冲突"))
        #expect(try f.scenario.openStore().conflict(id)?.status == "open")
        #expect(try c.post("/conflicts/99999/dismiss", form: [("note", "x")], headers: bearer).status == 404)
    }

    @Test func competingValuesShownTogetherAndSettledByOneDecision() throws {
        let f = try WebFixture()
        let c = f.client()
        let first = try #require(try f.scenario.openStore().conflict(f.scenario.fieldConflict))
        // A third 北赵 clerk also renamed 张丽, from the same base: a second conflict on the same field.
        _ = try Self.push(f, node: "beizhao-3", table: "people", row: f.scenario.person, ["name": .text("张力")],
                          base: first.base, author: "村干部赵强")
        let open = try f.scenario.openStore().conflicts(kind: .field).filter { $0.row == f.scenario.person && $0.field == "name" }
        try #require(open.count == 2, "\(open.map(\.id))")
        let second = try #require(open.first { $0.id != first.id })

        let page = try c.get("/conflicts/\(first.id)")
        for text in ["这个字段有 2 个待处理的冲突", "一次决定全部处理", "张丽华", "张力", "张莉", "村干部赵强", "beizhao-3",
                     "镇中心现在的值", "href=\"/conflicts/\(second.id)\"", "本冲突 · 待处理"] {
            #expect(page.text.contains(text), "shows \(text)")
        }
        // The form carries the field's version as shown (the third clerk's write moved it past the first conflict's).
        let done = try c.edit(page, action: "/conflicts/\(first.id)/resolve", [("choice", "village"), ("operator", "镇管理员"), ("note", "按户口本")])
        #expect(done.status == 303)
        let store = try f.scenario.openStore()
        #expect(try store.conflict(first.id)?.resolution == "take village")
        let other = try #require(try store.conflict(second.id))
        #expect(other.status == "resolved" && other.resolution == "superseded by #\(first.id)" && other.resolvedBy == "镇管理员" && other.note == "按户口本")
        let after = try c.get("/conflicts/\(second.id)")
        #expect(after.text.contains("#\(first.id) 的决定一并处理了这 2 个冲突") && after.text.contains("随 #\(first.id) 的决定一并处理"))
        #expect(try c.get("/conflicts/\(second.id)?lang=en").text.contains("superseded by the decision on #\(first.id)"))
    }
}
