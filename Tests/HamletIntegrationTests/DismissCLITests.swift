import Foundation
import HamletCore
import HamletStore
import HamletTestSupport
import Testing

// Issue 19, items 4 and 7 through the built binary beside a serving hub: `hub dismiss` (a duplicate judged 非同一人,
// not the same person) and several field conflicts on one field shown together and settled by one decision.

private let zh = ["LANG": "zh_CN.UTF-8"]

/// Open (or, with `all`, every) conflicts of a kind, as the CLI lists them.
private func conflicts(_ town: ProcTownship, _ kind: String, all: Bool = false) throws -> [ConflictRecord] {
    try town.hub.run(["hub", "conflicts", "--kind", kind, "--json"] + (all ? ["--all"] : [])).decode([ConflictRecord].self)
}

@Suite("hamlet hub dismiss and competing values", .serialized)
struct DismissCLITests {
    @Test("dismiss needs a note (64), refuses other kinds and closed conflicts (65) and unknown ids (66) in both languages; the pair stays dismissed through later syncs and is raised again only when an ID is written again")
    func dismissDuplicate() throws {
        let town = try ProcTownship("dismiss", nodes: [("bz1", "北赵"), ("bz2", "北赵")])
        defer { town.finish() }
        let hub = town.hub, bz1 = town["bz1"], bz2 = town["bz2"]
        let id = "370481199003021224"
        let zhang = try must(bz1, ["add", "person", "--name", "张丽", "--sex", "F", "--birth-date", "1990-03-02", "--national-id", id])
        let other = try must(bz2, ["add", "person", "--name", "张力", "--sex", "F", "--birth-date", "1990-03-02", "--national-id", id])
        _ = try town.sync("bz1")
        _ = try town.sync("bz2")
        _ = try town.sync("bz1")
        try must(bz1, ["edit", "person", zhang, "--phone", "13900000001"])
        try must(bz2, ["edit", "person", zhang, "--phone", "13900000002"])
        _ = try town.sync("bz1")
        _ = try town.sync("bz2")
        let dup = try #require(try conflicts(town, "duplicate").first)
        #expect(Set([dup.row, dup.otherRow]) == [zhang, other])
        let field = try #require(try conflicts(town, "field").first)
        let detail = try hub.run(["hub", "conflict", String(dup.id)])
        #expect(detail.stdout.contains("not the same person: hamlet hub dismiss \(dup.id) --note"), "the way out is shown: \(detail.stdout)")

        // Refusals: no note, a blank note, another kind, an unknown id.
        let bare = try hub.run(["hub", "dismiss", String(dup.id)])
        #expect(bare.status == 64 && bare.stderr.hasPrefix("error[usage]: --note is required"), "\(bare)")
        let blank = try hub.run(["hub", "dismiss", String(dup.id), "--note", "  "], env: zh)
        #expect(blank.status == 64 && blank.stderr.contains("缺少 --note") && blank.stderr.contains("提示："), "\(blank)")
        let wrong = try hub.run(["hub", "dismiss", String(field.id), "--note", "x"])
        #expect(wrong.status == 65 && wrong.stderr.contains("error[wrong-kind]") && wrong.stderr.contains("not a duplicate"), "\(wrong)")
        let wrongZH = try hub.run(["hub", "dismiss", String(field.id), "--note", "x"], env: zh)
        #expect(wrongZH.status == 65 && wrongZH.stderr.contains("是字段冲突，不是重复登记"), "\(wrongZH)")
        let unknown = try hub.run(["hub", "dismiss", "9999", "--note", "x"], env: zh)
        #expect(unknown.status == 66 && unknown.stderr.contains("error[not-found]: 没有冲突 #9999"), "\(unknown)")
        #expect(try town.store().conflict(dup.id)?.status == "open", "nothing closed by a refusal")

        // Dismissed, with the operator's reason.
        let note = "户口本核实：两个人，张力的身份证号录错"
        let done = try hub.run(["hub", "dismiss", "#\(dup.id)", "--note", note, "--operator", "镇管理员李明", "--json"])
        #expect(done.status == 0, "\(done)")
        let out = try #require(try done.json() as? [String: Any])
        #expect(out["resolution"] as? String == "dismissed" && out["note"] as? String == note && out["operator"] as? String == "镇管理员李明")
        let closed = try #require(try town.store().conflict(dup.id))
        #expect(closed.status == "resolved" && closed.resolution == "dismissed" && closed.resolvedBy == "镇管理员李明" && closed.note == note)
        let again = try hub.run(["hub", "dismiss", String(dup.id), "--note", "again"])
        #expect(again.status == 65 && again.stderr.contains("error[already-resolved]")
                    && again.stderr.contains("already resolved by 镇管理员李明") && again.stderr.contains("dismissed: not the same person"), "\(again)")
        let againZH = try hub.run(["hub", "dismiss", String(dup.id), "--note", "again"], env: zh)
        #expect(againZH.stderr.contains("已经处理过了") && againZH.stderr.contains("判定不是同一人") && !againZH.stderr.contains("dismissed"), "\(againZH)")
        #expect(try hub.run(["hub", "merge", String(dup.id)]).stderr.contains("already resolved by 镇管理员李明"), "merge is told too")

        // Shown in words wherever resolutions are shown.
        let shown = try hub.run(["hub", "conflict", String(dup.id)])
        #expect(shown.stdout.contains("resolved by: 镇管理员李明") && shown.stdout.contains("dismissed: not the same person — \(note)"), "\(shown.stdout)")
        let shownZH = try hub.run(["hub", "conflict", String(dup.id)], env: zh)
        #expect(shownZH.stdout.contains("处理人：镇管理员李明") && shownZH.stdout.contains("判定不是同一人"), "\(shownZH.stdout)")
        #expect(shownZH.stdout.contains("原因：两条有效记录的身份证号相同") && !shownZH.stdout.contains("two live rows"), "\(shownZH.stdout)")
        let list = try hub.run(["hub", "conflicts", "--all"])
        #expect(list.stdout.contains("not same person"), "\(list.stdout)")
        let listZH = try hub.run(["hub", "conflicts", "--all"], env: zh)
        #expect(listZH.stdout.contains("不是同一人") && !listZH.stdout.contains("dismissed"), "\(listZH.stdout)")

        // Later syncs touching both rows (not their IDs) raise nothing again.
        try must(bz2, ["edit", "person", other, "--phone", "13611111111"])
        try must(bz1, ["edit", "person", zhang, "--name", "张丽丽"])
        for n in ["bz2", "bz1", "bz2"] { _ = try town.sync(n) }
        #expect(try conflicts(town, "duplicate").isEmpty, "a dismissed pair stays dismissed")
        #expect(try conflicts(town, "duplicate", all: true).count == 1)
        try town.expectConverged()
        try town.expectExactlyOnce()

        // Writing an ID again (corrected, then back) raises the pair anew.
        try must(bz2, ["edit", "person", other, "--national-id", "370481199003021240"])
        _ = try town.sync("bz2")
        // (The node knows the ID is held: it takes --force to write it anyway.)
        try must(bz2, ["edit", "person", other, "--national-id", id, "--force"])
        _ = try town.sync("bz2")
        let reopened = try conflicts(town, "duplicate")
        #expect(reopened.count == 1 && reopened.first?.id != dup.id, "\(reopened.map(\.id))")
    }

    @Test("several conflicts on one field: hub conflict shows every competing value with who, node and when and the hub's value; one resolve closes them all, each recorded as superseded")
    func competingValues() throws {
        let town = try ProcTownship("compete", nodes: [("bz1", "北赵"), ("bz2", "北赵"), ("bz3", "北赵")])
        defer { town.finish() }
        let hub = town.hub
        let zhang = try must(town["bz1"], Registry.person("张丽"))
        for n in ["bz1", "bz2", "bz3"] { _ = try town.sync(n) }
        for (i, n) in ["bz1", "bz2", "bz3"].enumerated() {
            try must(town[n], ["edit", "person", zhang, "--phone", "1390000000\(i + 1)", "--author", "村医\(i + 1)"])
        }
        for n in ["bz1", "bz2", "bz3"] { _ = try town.sync(n) }
        let open = try conflicts(town, "field")
        try #require(open.count == 2, "\(open.map { "\($0.id) \($0.incomingNode ?? "")" })")
        let (first, second) = (open[0], open[1])

        let detail = try hub.run(["hub", "conflict", String(first.id)])
        #expect(detail.status == 0)
        for text in ["2 open conflicts on this field, every competing value", "13900000001", "13900000002", "13900000003",
                     "村医1", "村医2", "村医3", "bz1", "bz2", "bz3", "the hub's earlier value (#\(first.id) is against it)",
                     "the hub's value now", "One decision settles them all",
                     "the others close as superseded by #\(first.id), each one recorded"] {
            #expect(detail.stdout.contains(text), "shows \(text):\n\(detail.stdout)")
        }
        let detailZH = try hub.run(["hub", "conflict", String(second.id)], env: zh)
        for text in ["这个字段有 2 个待处理的冲突", "镇中心现在的值", "一次决定全部处理", "「随 #\(second.id) 的决定一并处理」", "电话"] {
            #expect(detailZH.stdout.contains(text), "shows \(text):\n\(detailZH.stdout)")
        }
        #expect(!detailZH.stdout.contains("concurrent edits"), "the reason in Chinese:\n\(detailZH.stdout)")

        // The older conflict's example confirms the field's version now (the newer write moved it past what #first shows).
        let peopleTable = try #require(try town.store().schema.table(named: "people"))
        let now = try #require(try town.store().row(peopleTable, id: zhang)?.versions["phone"]?.hseq)
        #expect(detail.stdout.contains("hamlet hub resolve \(first.id) --take village --expect-version \(now)"), "\(detail.stdout)")

        // One decision on the second settles the first too, each closed with its own record.
        let took = try hub.run(["hub", "resolve", String(second.id), "--take", "village", "--note", "电话已核实", "--operator", "镇管理员"])
        #expect(took.status == 0, "\(took)")
        #expect(try conflicts(town, "field").isEmpty, "one decision settled both")
        let store = try town.store()
        let decided = try #require(try store.conflict(second.id))
        let superseded = try #require(try store.conflict(first.id))
        #expect(decided.resolution == "take village" && superseded.resolution == "superseded by #\(second.id)")
        #expect(superseded.resolvedBy == "镇管理员" && superseded.note == "电话已核实" && superseded.resolutionHseq == decided.resolutionHseq)
        let after = try hub.run(["hub", "conflict", String(first.id)])
        #expect(after.stdout.contains("the decision on #\(second.id) settled these 2 conflicts"), "\(after.stdout)")
        #expect(after.stdout.contains("resolved by: 镇管理员") && after.stdout.contains("superseded by the decision on #\(second.id) — 电话已核实"))
        let afterZH = try hub.run(["hub", "conflict", String(first.id)], env: zh)
        #expect(afterZH.stdout.contains("#\(second.id) 的决定一并处理了这 2 个冲突") && afterZH.stdout.contains("随 #\(second.id) 的决定一并处理"))
        let list = try hub.run(["hub", "conflicts", "--all"])
        #expect(list.stdout.contains("superseded by #\(second.id)") && list.stdout.contains("took village"), "\(list.stdout)")

        for n in ["bz1", "bz2", "bz3"] { _ = try town.sync(n) }
        #expect(try town["bz1"].rows("people")[zhang]?["phone"] == "13900000003", "the value decided reaches every node")
        try town.expectConverged()
        try town.expectExactlyOnce()
    }
}
