import Foundation
import HamletCore
import HamletNode
import HamletStore
import HamletTestSupport
import Testing

// Issue 11, item 9 through the built binary beside a serving hub: the clerk sees outcomes. A node's changes open a
// field conflict and two duplicates; the operator resolves one, merges one and dismisses the other; the next
// `hamlet sync` clears 有冲突, and `log`, `show` and `status` say how each was settled, in Chinese and English.

private let zh = ["LANG": "zh_CN.UTF-8"]

@Suite("The clerk sees how the hub settled its conflicts", .serialized)
struct OutcomesCLITests {
    @Test("resolve, merge and dismiss at the hub; the node's next sync clears 有冲突, counts 已处理, and log / show / status / --json say which value, by whom, when, the note")
    func theClerkSeesOutcomes() throws {
        let town = try ProcTownship("outcomes", nodes: [("bz1", "北赵"), ("bz2", "北赵")])
        defer { town.finish() }
        let hub = town.hub, bz1 = town["bz1"], bz2 = town["bz2"]
        let zhangID = "370481199003021224"
        let zhang = try must(bz1, ["add", "person", "--name", "张丽", "--sex", "F", "--birth-date", "1990-03-02", "--national-id", zhangID])
        _ = try town.sync("bz1")
        _ = try town.sync("bz2")
        // bz2 changes her phone and syncs; bz1, not having pulled it, changes it too: a field conflict from bz1's change.
        try must(bz2, ["edit", "person", zhang, "--phone", "13900000002", "--author", "村医"])
        _ = try town.sync("bz2")
        try must(bz1, ["edit", "person", zhang, "--phone", "13900000001", "--author", "专干"])
        // bz1 registers 张丽 again (a duplicate the operator will merge) ...
        let again = try must(bz1, ["add", "person", "--name", "张丽", "--sex", "F", "--birth-date", "1990-03-02", "--national-id", zhangID, "--force"])
        // ... and 赵敏 under an ID bz2 gave another woman (a duplicate the operator will dismiss).
        let zhaoID = Registry.nationalID(birth: "1988-08-08", sex: "F", sequence: 31)
        _ = try must(bz2, ["add", "person", "--name", "赵敏", "--sex", "F", "--birth-date", "1988-08-08", "--national-id", zhaoID])
        _ = try town.sync("bz2")
        let zhao = try must(bz1, ["add", "person", "--name", "赵敏", "--sex", "F", "--birth-date", "1988-08-08", "--national-id", zhaoID])
        let pushed = try town.sync("bz1")
        #expect(pushed.conflicted == 3 && pushed.settled == 0, "\(pushed)")
        let before = try bz1.run(["status"], env: zh)
        #expect(before.stdout.contains("有冲突    3") && before.stdout.contains("已处理    0"), "\(before.stdout)")

        // The operator decides each one.
        let all = try hub.run(["hub", "conflicts", "--json"]).decode([ConflictRecord].self)
        let phone = try #require(all.first { $0.kind == .field && $0.field == "phone" }, "\(all)")
        let twin = try #require(all.first { $0.kind == .duplicate && [$0.row, $0.otherRow].contains(again) }, "\(all)")
        let pair = try #require(all.first { $0.kind == .duplicate && [$0.row, $0.otherRow].contains(zhao) }, "\(all)")
        #expect(phone.incomingNode == "bz1")
        try must(hub, ["hub", "resolve", String(phone.id), "--take", "village", "--note", "电话已核实", "--operator", "镇管理员李明"])
        try must(hub, ["hub", "merge", String(twin.id), "--keep", zhang, "--operator", "镇管理员李明"])
        try must(hub, ["hub", "dismiss", String(pair.id), "--note", "两个人：户口本核实", "--operator", "镇管理员王芳"])
        let decidedAt = try #require(try town.store().conflict(phone.id)?.resolvedAt)

        // Until the node syncs, it still says 有冲突 (it knows only what the hub told it).
        #expect(try bz1.run(["status"], env: zh).stdout.contains("有冲突    3"))
        let synced = try bz1.run(["sync"], env: zh)
        #expect(synced.status == 0 && synced.stdout.contains("镇中心已处理冲突 3 个"), "\(synced)")
        let status = try bz1.run(["status"], env: zh)
        #expect(status.stdout.contains("有冲突    0") && status.stdout.contains("已处理    3"), "\(status.stdout)")
        #expect(status.stdout.contains("运行 hamlet log 查看处理结果"), "\(status.stdout)")
        let statusJSON = try #require(try bz1.run(["status", "--json"]).json() as? [String: Any])
        #expect(statusJSON["conflicted"] as? Int == 0 && statusJSON["settled"] as? Int == 3, "\(statusJSON)")

        // log: each settled change says 已处理, and under the table how, whole.
        let log = try bz1.run(["log"], env: zh)
        #expect(log.status == 0)
        let when = bz1Time(decidedAt)
        for text in ["已处理", "冲突处理结果：",
                     "冲突 #\(phone.id) 字段冲突（电话）：采用村节点的值「13900000001」；处理人 镇管理员李明，\(when)；备注：电话已核实",
                     "冲突 #\(twin.id) 重复登记（身份证号）：已合并，保留 张丽 *1224 #\(String(zhang.suffix(8)))；处理人 镇管理员李明",
                     "冲突 #\(pair.id) 重复登记（身份证号）：判定不是同一人；处理人 镇管理员王芳", "备注：两个人：户口本核实"] {
            #expect(log.stdout.contains(text), "log shows \(text):\n\(log.stdout)")
        }
        #expect(!log.stdout.contains("有冲突") && !log.stdout.contains("took"), "\(log.stdout)")
        let english = try bz1.run(["log"], env: ["LANG": "C"])
        for text in ["settled", "How the conflicts were settled:",
                     "conflict #\(phone.id), field conflict (phone): took the village value “13900000001”; by 镇管理员李明, \(when); note: 电话已核实",
                     "merged, kept 张丽 *1224", "dismissed: not the same person; by 镇管理员王芳"] {
            #expect(english.stdout.contains(text), "English log shows \(text):\n\(english.stdout)")
        }
        let entries = try #require(try bz1.run(["log", "--json"]).json() as? [[String: Any]])
        let phoneChange = try #require(entries.first { ($0["conflicts"] as? [Int])?.contains(Int(phone.id)) == true })
        #expect(phoneChange["state"] as? String == "conflicted" && phoneChange["settled"] as? Bool == true)
        let outcome = try #require((phoneChange["outcomes"] as? [[String: Any]])?.first)
        #expect(outcome["resolution"] as? String == "take village" && outcome["value"] as? String == "13900000001"
                    && outcome["resolved_by"] as? String == "镇管理员李明" && outcome["note"] as? String == "电话已核实"
                    && outcome["resolved_at"] as? Int == Int(decidedAt), "\(outcome)")

        // show: the row's own section, and --json.
        let shown = try bz1.run(["show", "person", zhang], env: zh)
        #expect(shown.stdout.contains("冲突及处理结果：") && shown.stdout.contains("采用村节点的值「13900000001」"), "\(shown.stdout)")
        let shownJSON = try #require(try bz1.run(["show", "person", zhang, "--json"]).json() as? [String: Any])
        let conflicted = try #require(shownJSON["conflicted"] as? [[String: Any]])
        #expect(conflicted.count == 1 && conflicted.first?["settled"] as? Bool == true, "\(shownJSON)")

        // A second sync asks only about what is still worth asking (the merge) and learns nothing new.
        let quiet = try town.sync("bz1")
        #expect(quiet.settled == 0, "\(quiet)")
        // Undoing the merge reopens its conflict: the node counts it under 有冲突 again and says why.
        try must(hub, ["hub", "unmerge", String(twin.id), "--operator", "镇管理员李明", "--note", "搞错了"])
        _ = try town.sync("bz1")
        let reopened = try bz1.run(["status"], env: zh)
        #expect(reopened.stdout.contains("有冲突    1") && reopened.stdout.contains("已处理    2"), "\(reopened.stdout)")
        #expect(try bz1.run(["log"], env: zh).stdout.contains("已撤销合并，重新待处理"))
        _ = try town.sync("bz2")
        try town.expectExactlyOnce()
    }

    /// How `c.time` prints ms in the CLI's zone (Asia/Shanghai): `YYYY-MM-DD HH:MM`.
    private func bz1Time(_ millis: Int64) -> String {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = TimeZone(identifier: "Asia/Shanghai") ?? .gmt
        let c = cal.dateComponents([.year, .month, .day, .hour, .minute], from: Date(timeIntervalSince1970: Double(millis) / 1000))
        return String(format: "%04d-%02d-%02d %02d:%02d", c.year ?? 0, c.month ?? 0, c.day ?? 0, c.hour ?? 0, c.minute ?? 0)
    }
}
