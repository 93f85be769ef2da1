import Foundation
import HamletCore
import HamletStore
import HamletTestSupport
import Testing

// Issue 13 through the built binary beside a serving hub: 逻辑核查 at entry on the node (refuse / warn), the
// node's `hamlet check`, and the hub's 核查 list after sync (never a rejection), marked 已核实 by an operator.

private let zh = ["LANG": "zh_CN.UTF-8"]

@Suite("逻辑核查 through the CLI (issue 13)", .serialized)
struct CheckCLITests {
    @Test("a prenatal visit for a man is refused at add; a married 10-year-old is saved with a warning, listed by hamlet check and, after sync, by hamlet hub check until marked verified")
    func refuseWarnListAndMark() throws {
        let town = try ProcTownship("checks", nodes: [("bz1", "北赵"), ("bz2", "北赵")])
        defer { town.finish() }
        let hub = town.hub, bz1 = town["bz1"], bz2 = town["bz2"]
        let man = try must(bz1, ["add", "person", "--name", "张三", "--sex", "男", "--birth-date", "1990-01-01"])
        let changes = try bz1.log().count

        // Impossible: refused with the rule's sentence and id, exit 65, nothing written.
        let refused = try bz1.run(["add", "visit", "--person", "张三", "--kind", "prenatal", "--date", "2026-01-01"], env: zh)
        #expect(refused.status == 65, "\(refused)")
        #expect(refused.stderr.contains("张三为男性，不能有「产前检查」随访") && refused.stderr.contains("[pregnancy-care-for-man]")
                && refused.stderr.contains("没有做任何修改"), "\(refused.stderr)")
        #expect(try bz1.log().count == changes)
        let en = try bz1.run(["add", "visit", "--person", man, "--kind", "postnatal", "--date", "2026-01-01", "--lang", "en"])
        #expect(en.status == 65 && en.stderr.contains("error[check-refused]") && en.stderr.contains("is male"), "\(en)")

        // Suspicious: saved, with the warning on stderr and in --json.
        let girl = try bz1.run(["add", "person", "--name", "小红", "--sex", "女", "--birth-date", "2016-01-01", "--marital-status", "已婚", "--json"], env: zh)
        #expect(girl.status == 0, "\(girl)")
        #expect(girl.stderr.contains("提醒：小红（现年 10 岁）未到法定婚龄") && girl.stderr.contains("[married-under-age]"), "\(girl.stderr)")
        let written = try #require(try girl.json() as? [String: Any])
        let girlID = try #require(written["id"] as? String)
        let warnings = try #require(written["warnings"] as? [[String: Any]])
        #expect(warnings.map { $0["rule"] as? String } == ["married-under-age"])

        // The node's list: exactly that item; --rule narrows; an unknown rule is a usage error.
        let listed = try #require(try bz1.run(["check", "--json"]).json() as? [String: Any])
        let items = try #require(listed["items"] as? [[String: Any]])
        #expect(items.map { $0["rule"] as? String } == ["married-under-age"] && items.first?["row"] as? String == girlID, "\(items)")
        #expect(try bz1.run(["check"], env: zh).stdout.contains("未到法定婚龄"))
        #expect(try bz1.run(["check", "--rule", "after-death"], env: zh).stdout.contains("没有发现违反核查规则的记录"))
        #expect(try bz1.run(["check", "--rule", "nope"]).status == 64)

        // bz2 does not know of the death bz1 records and writes a visit after it: both fine where they were
        // written, both real; the hub takes both and lists the contradiction.
        _ = try town.sync("bz1")
        _ = try town.sync("bz2")
        try must(bz1, ["add", "event", "--person", "张三", "--kind", "death", "--date", "2025-03-01"])
        let visit = try must(bz2, ["add", "visit", "--person", "张三", "--kind", "health_check", "--date", "2025-06-01"])
        _ = try town.sync("bz1")
        let pushed = try town.sync("bz2")
        #expect(pushed.rejected == 0, "the hub refuses nothing: \(pushed)")
        let report = try #require(try hub.run(["hub", "check", "--json"]).json() as? [String: Any])
        let hubItems = try #require(report["items"] as? [[String: Any]])
        #expect(Set(hubItems.compactMap { $0["rule"] as? String }) == ["married-under-age", "after-death"], "\(hubItems)")
        #expect(hubItems.first { $0["rule"] as? String == "after-death" }?["row"] as? String == visit)
        let counts = try #require(report["counts"] as? [String: [String: Int]])
        #expect(counts["北赵"] == ["married-under-age": 1, "after-death": 1], "\(counts)")
        let south = try #require(try hub.run(["hub", "check", "--village", "南赵", "--json"]).json() as? [String: Any])
        #expect((south["items"] as? [Any])?.isEmpty == true)

        // An operator marks one 已核实 (a note is required): it leaves the list; --all shows it with the note.
        let noNote = try hub.run(["hub", "mark", "married-under-age", girlID], env: zh)
        #expect(noNote.status == 65 && noNote.stderr.contains("备注必填"), "\(noNote)")
        let marked = try hub.run(["hub", "mark", "married-under-age", String(girlID.suffix(8)), "--note", "出生日期登记错误，已通知村里更正",
                                  "--operator", "镇管理员李明"], env: zh)
        #expect(marked.status == 0 && marked.stdout.contains("已标为已核实"), "\(marked)")
        let open = try hub.run(["hub", "check"], env: zh)
        #expect(!open.stdout.contains("未到法定婚龄") && open.stdout.contains("死亡后仍有记录") && open.stdout.contains("待核查 1 条"), "\(open.stdout)")
        let all = try hub.run(["hub", "check", "--all"], env: zh)
        #expect(all.stdout.contains("镇管理员李明：出生日期登记错误"), "\(all.stdout)")

        // An edit that fixes the facts takes the other item off the list.
        try must(bz2, ["edit", "visit", visit, "--date", "2025-02-01"])
        _ = try town.sync("bz2")
        #expect(try hub.run(["hub", "check"], env: zh).stdout.contains("没有需要核查的记录"))
    }
}

@Suite("逻辑核查 at import (issue 13)")
struct CheckImportTests {
    @Test("an import refuses the impossible row by file and line, keeps the rest, and lists each warning by line without failing for it")
    func importRefusesAndWarns() throws {
        let tmp = TempDir("check-import")
        defer { tmp.remove() }
        let dir = HamletDir(tmp.file("node"))
        try must(dir, ["init", "--node", "bz", "--village", "北赵"])
        let folder = tmp.file("sheets")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try "姓名,性别,出生日期,婚姻状况\n张三,男,1990-01-01,已婚\n小红,女,2016-01-01,已婚\n".write(toFile: folder + "/人口.csv", atomically: true, encoding: .utf8)
        try "人员,类型,日期\n张三,产前检查,2026-01-01\n张三,体检,2026-01-02\n".write(toFile: folder + "/随访.csv", atomically: true, encoding: .utf8)
        let r = try dir.run(["import", folder, "--json"], env: ["LANG": "zh_CN.UTF-8"])
        #expect(r.status == 65, "a refused row fails the import's exit status: \(r)")
        let report = try #require(try r.json() as? [String: Any])
        #expect(report["added"] as? Int == 3 && report["failed"] as? Int == 1, "\(report)")
        let problems = try #require(report["problems"] as? [[String: Any]])
        #expect(problems.count == 1 && problems[0]["code"] as? String == "check-refused" && problems[0]["line"] as? Int == 2
                && (problems[0]["message"] as? String)?.contains("[pregnancy-care-for-man]") == true, "\(problems)")
        let warnings = try #require(report["warnings"] as? [[String: Any]])
        #expect(warnings.map { $0["code"] as? String } == ["married-under-age"] && warnings[0]["line"] as? Int == 3, "\(warnings)")
        #expect(try dir.rows("visits").count == 1)
    }
}

@Suite("A reference left behind by a move (issue 15 item 5)", .serialized)
struct DanglingCLITests {
    @Test("a person moved by editing her village leaves her visit behind: hamlet check on the old village lists it; hamlet move takes it along")
    func leftBehindAndTakenAlong() throws {
        let town = try ProcTownship("dangling", nodes: [("bz1", "北赵"), ("nz1", "南赵")])
        defer { town.finish() }
        let bz1 = town["bz1"]
        try must(bz1, ["add", "person", "--name", "李梅", "--sex", "女", "--birth-date", "1995-03-02"])
        let visit = try must(bz1, ["add", "visit", "--person", "李梅", "--kind", "体检", "--date", "2026-10-01"])
        try must(bz1, ["add", "person", "--name", "王芳", "--sex", "女", "--birth-date", "1996-04-03"])
        try must(bz1, ["add", "visit", "--person", "王芳", "--kind", "体检", "--date", "2026-10-02"])
        _ = try town.sync("bz1")
        // The old way: only her row changes village; her visit stays in 北赵, naming someone 北赵 no longer holds.
        try must(bz1, ["edit", "person", "李梅", "--village", "南赵"])
        _ = try town.sync("bz1")
        let listed = try #require(try bz1.run(["check", "--rule", "dangling-reference", "--json"]).json() as? [String: Any])
        let items = try #require(listed["items"] as? [[String: Any]])
        #expect(items.map { $0["row"] as? String } == [visit], "\(items)")
        // hamlet move takes her rows along: nothing is left behind.
        try must(bz1, ["move", "person", "王芳", "--to", "南赵", "--reason", "婚迁"])
        _ = try town.sync("bz1")
        let after = try #require(try bz1.run(["check", "--rule", "引用了看不到的人", "--json"]).json() as? [String: Any])
        #expect((after["items"] as? [[String: Any]])?.map { $0["row"] as? String } == [visit])
    }
}
