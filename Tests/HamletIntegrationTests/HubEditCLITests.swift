import Foundation
import HamletCore
import HamletStore
import HamletTestSupport
import Testing

/// Issue 19, item 8: `hamlet hub edit`, the operator's direct correction, through the built binary beside a serving hub.
@Suite("hamlet hub edit", .serialized)
struct HubEditCLITests {
    @Test("a correction lands as the operator's change, shows in hub history and reaches every node on its next sync")
    func correctionReachesNodes() throws {
        let town = try ProcTownship("hub-edit", nodes: [("bz1", "北赵"), ("bz2", "北赵")])
        defer { town.finish() }
        let hub = town.hub
        let zhang = try must(town["bz1"], ["add", "person", "--name", "张丽", "--sex", "F", "--birth-date", "1990-03-02",
                                           "--national-id", "370481199003021224", "--phone", "13600000000"])
        _ = try town.sync("bz1")
        _ = try town.sync("bz2")

        // Chinese enum aliases as on the node, an empty value clears, singular or plural table names.
        let edit = try hub.run(["hub", "edit", "person", zhang, "--marital-status", "已婚", "--phone", "", "--current-address", "北赵村 三组",
                                "--note", "按户口本更正", "--operator", "镇管理员李明", "--json"])
        #expect(edit.status == 0, "\(edit)")
        let out = try #require(try edit.json() as? [String: Any])
        let hseq = try #require(out["hseq"] as? Int)
        #expect(out["table"] as? String == "people" && out["id"] as? String == zhang)
        #expect(textFields(out["values"] as? [String: Any] ?? [:]) == ["marital_status": "married", "current_address": "北赵村 三组"])
        #expect(textFields(out["before"] as? [String: Any] ?? [:])["phone"] == "13600000000")
        let text = try hub.run(["hub", "edit", "people", zhang, "--residence", "迁出"])
        #expect(text.status == 0 && text.stdout.contains("corrected person \(zhang)") && text.stdout.contains("resident → moved_out"), "\(text)")
        let same = try hub.run(["hub", "edit", "person", zhang, "--residence", "moved_out"])
        #expect(same.status == 65 && same.stderr.contains("error[no-change]"), "\(same)")

        let history = try hub.run(["hub", "history", "person", zhang])
        #expect(history.status == 0 && history.stdout.contains("镇管理员李明") && history.stdout.contains("current_address=北赵村 三组"),
                "\(history.stdout)")
        let json = try #require(try hub.run(["hub", "history", "person", zhang, "--json"]).json() as? [String: Any])
        let last = try #require((json["entries"] as? [[String: Any]])?.first { $0["hseq"] as? Int == hseq })
        #expect(last["note"] as? String == "按户口本更正" && last["author"] as? String == "镇管理员李明", "\(last)")
        let entry = try #require(try town.store().logEntry(Int64(hseq)))
        #expect(entry.node == NodeID.hub && entry.op == "edit" && entry.author == "镇管理员李明")

        for n in ["bz1", "bz2"] {
            _ = try town.sync(n)
            let show = try #require(try town[n].run(["show", "person", zhang, "--json"]).json() as? [String: Any])
            let values = textFields(show["values"] as? [String: Any] ?? [:])
            #expect(values["marital_status"] == "married" && values["residence"] == "moved_out" && values["phone"] == nil, "\(n): \(values)")
            #expect(values["current_address"] == "北赵村 三组")
        }
        try town.expectConverged()
        try town.expectExactlyOnce()
    }

    @Test("a row changed since --expect-version is refused (65) with its value now; bad values, rows, fields and tables are refused")
    func staleAndRefusals() throws {
        let town = try ProcTownship("hub-edit-stale", nodes: [("bz1", "北赵")])
        defer { town.finish() }
        let hub = town.hub
        let zhang = try must(town["bz1"], ["add", "person", "--name", "张丽", "--sex", "F", "--birth-date", "1990-03-02",
                                           "--national-id", "370481199003021224"])
        _ = try town.sync("bz1")
        let store = try town.store()
        let people = try #require(store.schema.table(named: "people"))
        let shown = try #require(try store.row(people, id: zhang)).hseq
        // The operator looked at version `shown`; meanwhile the village corrects the phone.
        try must(town["bz1"], ["edit", "person", zhang, "--phone", "13900000009"])
        _ = try town.sync("bz1")
        let before = try town.store().head()

        let refused = try hub.run(["hub", "edit", "person", zhang, "--phone", "13800000000", "--expect-version", String(shown)])
        #expect(refused.status == 65, "\(refused)")
        #expect(refused.stderr.contains("error[stale]") && refused.stderr.contains("phone = 13900000009"), "\(refused.stderr)")
        let zh = try hub.run(["hub", "edit", "person", zhang, "--phone", "13800000000", "--expect-version", String(shown)],
                             env: ["LANG": "zh_CN.UTF-8"])
        #expect(zh.status == 65 && zh.stderr.contains("又改过") && zh.stderr.contains("电话 = 13900000009"), "\(zh.stderr)")
        #expect(try town.store().head() == before, "nothing written")
        let now = try #require(zh.stderr.firstMatch(of: /--expect-version (\d+)/)).1
        let confirmed = try hub.run(["hub", "edit", "person", zhang, "--phone", "13800000000", "--expect-version", String(now)])
        #expect(confirmed.status == 0, "\(confirmed)")

        // A bad value: 65, the node's bilingual validation message, nothing English in the Chinese one.
        let bad = try hub.run(["hub", "edit", "person", zhang, "--birth-date", "1990-02-30"], env: ["LANG": "zh_CN.UTF-8"])
        #expect(bad.status == 65, "\(bad)")
        #expect(bad.stderr.contains("出生日期「1990-02-30」") && bad.stderr.contains("不是有效日期") && bad.stderr.contains("没有做任何修改"), "\(bad.stderr)")
        #expect(bad.stderr.replacingOccurrences(of: "error[invalid-date]", with: "").replacingOccurrences(of: "YYYY-MM-DD", with: "").range(of: "[A-Za-z]{3,}", options: .regularExpression) == nil,
                "no English in the Chinese interface: \(bad.stderr)")
        let badEN = try hub.run(["hub", "edit", "person", zhang, "--birth-date", "1990-02-30"])
        #expect(badEN.status == 65 && badEN.stderr.contains("is not a real date"), "\(badEN)")
        let required = try hub.run(["hub", "edit", "person", zhang, "--name", ""])
        #expect(required.status == 65 && required.stderr.contains("error[missing-field]"), "\(required)")

        let missing = try hub.run(["hub", "edit", "person", "01a20823-0000-7e39-92de-a1f1e19489a0", "--phone", "13800000000"],
                                  env: ["LANG": "zh_CN.UTF-8"])
        #expect(missing.status == 66 && missing.stderr.contains("镇中心没有人口记录"), "\(missing)")
        #expect(try hub.run(["hub", "edit", "person", zhang, "--nickname", "丽丽"]).status == 64, "unknown field")
        #expect(try hub.run(["hub", "edit", "widgets", zhang, "--phone", "1"]).status == 64, "unknown table")
        #expect(try hub.run(["hub", "edit", "person", zhang]).status == 64, "no field given")
        #expect(try hub.run(["hub", "edit", "person", zhang, "--phone", "1", "--expect-version", "latest"]).status == 64)
        let help = try hub.run(["hub", "edit", "person", "--help"], env: ["LANG": "zh_CN.UTF-8"])
        #expect(help.status == 0 && help.stdout.contains("--birth-date") && help.stdout.contains("--expect-version") && help.stdout.contains("更正"))
    }
}
