import Foundation
import HamletCore
import HamletNode
import HamletStore
import HamletTestSupport
import Testing

// Issue 15, items 1 and 2 through the built binary beside a serving hub: 北赵 moves a woman to 南赵 with her
// visit and her marriage event; 南赵 lists her as 待接收 and receives her into one of its households; 北赵 keeps
// only the 已迁出 trace.

private let zh = ["LANG": "zh_CN.UTF-8"]

@Suite("A person moves between villages with her records (迁出 / 迁入)", .serialized)
struct MoveCLITests {
    @Test("move person --to 南赵, sync; 南赵 lists her in arrivals, receives her into a household; her events and visit follow; 北赵 says 已迁出")
    func moveAndReceive() throws {
        let town = try ProcTownship("move", nodes: [("bz", "北赵"), ("nz", "南赵")])
        defer { town.finish() }
        let bz = town["bz"], nz = town["nz"]
        let liID = Registry.nationalID(birth: "1995-04-02", sex: "F", sequence: 41)
        let home = try must(bz, ["add", "household", "--address", "北赵村一组1号"])
        let li = try must(bz, ["add", "person", "--name", "李梅", "--sex", "F", "--birth-date", "1995-04-02", "--national-id", liID,
                               "--household", home])
        try must(bz, ["edit", "household", home, "--head", li])
        let visit = try must(bz, ["add", "visit", "--person", li, "--kind", "health_check", "--date", "2026-01-05"])
        let marriage = try must(bz, ["add", "event", "--person", li, "--kind", "marriage", "--date", "2026-10-01"])
        let nzHome = try must(nz, ["add", "household", "--address", "南赵村二组8号"])
        _ = try town.sync("bz")
        _ = try town.sync("nz")

        // Refusals: no destination, own village, a date after tomorrow (65); someone not here (66).
        #expect(try bz.run(["move", "person", liID, "--to", " "], env: zh).status == 65)
        let same = try bz.run(["move", "person", liID, "--to", "北赵"], env: zh)
        #expect(same.status == 65 && same.stderr.contains("就是本村"), "\(same)")
        #expect(try bz.run(["move", "person", liID, "--to", "南赵", "--date", "2999-01-01"], env: zh).status == 65)
        #expect(try bz.run(["move", "person", liID, "--to", "南赵", "--reason", "逃跑"], env: zh).status == 65)
        #expect(try nz.run(["move", "person", liID, "--to", "东赵"], env: zh).status == 66)

        let moved = try bz.run(["move", "person", liID, "--to", "南赵", "--reason", "婚迁", "--date", "2026-11-01", "--json"])
        try #require(moved.status == 0, "\(moved)")
        let m = try #require(try moved.json() as? [String: Any])
        #expect(m["followers"] as? Int == 2 && m["to"] as? String == "南赵" && m["reason"] as? String == "marriage", "\(m)")
        // Moved once: a second move finds her outside the village.
        #expect(try bz.run(["move", "person", li, "--to", "南赵"], env: zh).status == 66)
        _ = try town.sync("bz")
        let synced = try nz.run(["sync"], env: zh)
        #expect(synced.status == 0 && synced.stdout.contains("待接收 1 人"), "\(synced)")

        // 南赵: 待接收 until received.
        let arrivals = try #require(try nz.run(["arrivals", "--json"]).json() as? [String: Any])
        let items = try #require(arrivals["items"] as? [[String: Any]])
        #expect(items.count == 1, "\(arrivals)")
        #expect(items.first?["id"] as? String == li && items.first?["from"] as? String == "北赵"
                && items.first?["date"] as? String == "2026-11-01" && items.first?["reason"] as? String == "marriage", "\(items)")
        #expect(try nz.run(["arrivals"], env: zh).stdout.contains("李梅"))
        let status = try #require(try nz.run(["status", "--json"]).json() as? [String: Any])
        #expect(status["awaiting"] as? Int == 1, "\(status)")
        #expect(try nz.run(["status"], env: zh).stdout.contains("1 人"))
        #expect(try nz.run(["show", "person", li], env: zh).stdout.contains("待接收（自北赵，2026-11-01 迁出，婚迁）"))
        #expect(try nz.run(["list", "people"], env: zh).stdout.contains("待接收 1 人"))
        // Receiving needs a household; a date before the move is refused.
        #expect(try nz.run(["receive", "person", liID], env: zh).status == 64)
        #expect(try nz.run(["receive", "person", liID, "--household", nzHome, "--date", "2026-10-01"], env: zh).status == 65)
        try must(nz, ["receive", "person", liID, "--household", "南赵村二组8号", "--date", "2026-11-03"])
        #expect(try nz.run(["receive", "person", liID, "--household", nzHome], env: zh).status == 65)
        let after = try #require(try nz.run(["arrivals", "--json"]).json() as? [String: Any])
        #expect((after["items"] as? [Any])?.isEmpty == true, "\(after)")
        _ = try town.sync("nz")
        _ = try town.sync("bz")

        // 南赵 holds her in its household, with her 迁出 and 迁入 events, her marriage and her visit.
        let person = try #require(try nz.run(["show", "person", li, "--json"]).json() as? [String: Any])
        let values = try #require(person["values"] as? [String: Any])
        #expect(values["village"] as? String == "南赵" && values["household"] as? String == nzHome
                && values["residence"] as? String == "resident", "\(values)")
        let events = try nz.run(["list", "events", "--json"]).decode([Row].self).filter { $0.values["person"] == li }
        #expect(Set(events.compactMap { $0.values["kind"] }) == ["marriage", "move_out", "move_in"], "\(events)")
        #expect(events.contains { $0.id == marriage })
        #expect(events.first { $0.values["kind"] == "move_out" }?.values["detail"] == "迁往南赵（婚迁），原村北赵")
        let visits = try nz.run(["list", "visits", "--json"]).decode([Row].self)
        #expect(visits.contains { $0.id == visit && $0.values["village"] == "南赵" }, "\(visits)")

        // 北赵: no live copy, but show says 已迁出; list names her as moved out.
        let people = try bz.run(["list", "people", "--json"]).decode([Row].self)
        #expect(!people.contains { $0.id == li }, "\(people)")
        #expect(try bz.run(["list", "events", "--json"]).decode([Row].self).isEmpty)
        let shown = try bz.run(["show", "person", li], env: zh)
        #expect(shown.status == 0 && shown.stdout.contains("已迁出") && shown.stdout.contains("南赵"), "\(shown)")
        #expect(try bz.run(["show", "person", liID], env: zh).stdout.contains("2026-11-01"))
        #expect(try bz.run(["list", "people"], env: zh).stdout.contains("已迁出 1 人"))
        // The trace is the replica's own: a resync keeps it; English says it too.
        try must(bz, ["resync"])
        let english = try bz.run(["show", "person", li, "--lang", "en"])
        #expect(english.status == 0 && english.stdout.contains("moved out (2026-11-01, to 南赵, marriage)"), "\(english)")
        let household = try #require(try bz.run(["show", "household", home, "--json"]).json() as? [String: Any])
        #expect((household["values"] as? [String: Any])?["head"] == nil, "\(household)")

        // The hub: her row in 南赵 with both events.
        let store = try town.store()
        let hubPerson = try #require(try store.rows(table: "people").first { $0.id == li })
        #expect(hubPerson.values["village"]?.text == "南赵")
        let hubEvents = try store.rows(table: "events").filter { $0.values["person"]?.text == li && !$0.deleted }
        #expect(hubEvents.allSatisfy { $0.values["village"]?.text == "南赵" } && hubEvents.count == 3, "\(hubEvents)")
        let exported = try town.hub.run(["hub", "export", "people", "--village", "南赵"])
        #expect(exported.status == 0 && exported.stdout.contains(liID), "\(exported)")
        try town.expectConverged()
    }

    @Test("a woman registered in both villages (因婚两次录入): hub merge --village 南赵 moves her 北赵 visit and marriage to 南赵 with 迁出/迁入 events; nothing dangles in 北赵; the 通报 lists the move; unmerge puts it back")
    func mergeAcrossVillages() throws {
        let town = try ProcTownship("merge-move", nodes: [("bz", "北赵"), ("nz", "南赵")])
        defer { town.finish() }
        let bz = town["bz"], nz = town["nz"]
        let liID = Registry.nationalID(birth: "1995-04-02", sex: "F", sequence: 43)
        let home = try must(bz, ["add", "household", "--address", "北赵村一组1号"])
        let inBZ = try must(bz, ["add", "person", "--name", "李梅", "--sex", "F", "--birth-date", "1995-04-02", "--national-id", liID,
                                 "--household", home])
        try must(bz, ["edit", "household", home, "--head", inBZ])
        let visit = try must(bz, ["add", "visit", "--person", inBZ, "--kind", "health_check", "--date", "2026-01-05"])
        let marriage = try must(bz, ["add", "event", "--person", inBZ, "--kind", "marriage", "--date", "2026-10-01"])
        let inNZ = try must(nz, ["add", "person", "--name", "李梅", "--sex", "F", "--birth-date", "1995-04-02", "--national-id", liID])
        _ = try town.sync("bz")
        _ = try town.sync("nz")
        let conflicts = try town.hub.run(["hub", "conflicts", "--json"]).decode([ConflictRecord].self)
        let id = try #require(conflicts.first { $0.kind == .duplicate }?.id, "\(conflicts)")

        #expect(try town.hub.run(["hub", "merge", "\(id)", "--village", "东赵"], env: zh).status == 65)
        #expect(try town.hub.run(["hub", "merge", "\(id)", "--village", "南赵", "--date", "2026-02-30"], env: zh).status == 65)
        let merged = try town.hub.run(["hub", "merge", "\(id)", "--village", "南赵", "--operator", "镇管理员"], env: zh)
        #expect(merged.status == 0 && merged.stdout.contains("跨村合并：2 条记录随人从北赵转到南赵"), "\(merged)")
        _ = try town.sync("nz")
        _ = try town.sync("bz")

        // 南赵 holds her marriage, her visit and the merge's 迁出 and 迁入 events; she is not awaiting reception.
        let events = try nz.run(["list", "events", "--json"]).decode([Row].self).filter { $0.values["person"] == inNZ }
        #expect(Set(events.compactMap { $0.values["kind"] }) == ["marriage", "move_out", "move_in"], "\(events)")
        #expect(events.contains { $0.id == marriage })
        #expect(try nz.run(["list", "visits", "--json"]).decode([Row].self).contains { $0.id == visit && $0.values["person"] == inNZ })
        let survivor = try #require(try nz.run(["show", "person", inNZ, "--json"]).json() as? [String: Any])
        #expect((survivor["values"] as? [String: Any])?["household"] == nil, "her 北赵 household is not taken: \(survivor)")
        let arrivals = try #require(try nz.run(["arrivals", "--json"]).json() as? [String: Any])
        #expect((arrivals["items"] as? [Any])?.isEmpty == true, "\(arrivals)")
        // 北赵: no row left pointing at her; the household stays, without its head.
        #expect(try bz.run(["list", "events", "--json"]).decode([Row].self).isEmpty)
        #expect(try bz.run(["list", "visits", "--json"]).decode([Row].self).isEmpty)
        let check = try bz.run(["check", "--json"])
        #expect(!check.stdout.contains("dangling-reference"), "\(check)")
        let household = try #require(try bz.run(["show", "household", home, "--json"]).json() as? [String: Any])
        #expect((household["values"] as? [String: Any])?["head"] == nil, "\(household)")
        // The 通报 counts one move 北赵 → 南赵, received.
        let month = String(CalendarDate(unixMillis: Int64(Date().timeIntervalSince1970 * 1000), zone: TimeZone(identifier: "Asia/Shanghai")!)
            .description.prefix(7))
        let notice = try town.hub.run(["hub", "moves", "--period", month], env: zh)
        #expect(notice.status == 0 && notice.stdout.contains("李梅") && notice.stdout.contains("婚迁"), "\(notice)")
        try town.expectConverged()

        // Undo: her records go back to 北赵 and the events made by the merge are gone.
        let undone = try town.hub.run(["hub", "unmerge", "\(id)"], env: zh)
        #expect(undone.status == 0 && undone.stdout.contains("已回到北赵"), "\(undone)")
        _ = try town.sync("nz")
        _ = try town.sync("bz")
        #expect(try bz.run(["list", "visits", "--json"]).decode([Row].self).contains { $0.id == visit && $0.values["person"] == inBZ })
        #expect(try nz.run(["list", "events", "--json"]).decode([Row].self).filter { $0.values["person"] == inNZ }.isEmpty)
        try town.expectConverged()
    }
}

/// A row of `list --json`, its values as text.
private struct Row: Decodable, CustomStringConvertible {
    var id: String
    var values: [String: String]

    enum CodingKeys: String, CodingKey { case id, values }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        let raw = try c.decode([String: JSONScalar].self, forKey: .values)
        values = raw.mapValues(\.text)
    }

    var description: String { "\(id) \(values)" }
}

private struct JSONScalar: Decodable {
    var text: String
    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let s = try? c.decode(String.self) { text = s } else if let i = try? c.decode(Int64.self) { text = String(i) } else { text = "" }
    }
}
