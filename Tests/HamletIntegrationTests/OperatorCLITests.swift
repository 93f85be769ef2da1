import Foundation
import HamletCore
import HamletNode
import HamletStore
import HamletTestSupport
import Testing

// The operator's console through the CLI (issue 6), against a hub whose conflicts
// were made by syncing real node processes; the hub keeps serving throughout, so
// the commands also prove they work beside a running `hub serve`.

/// The ids of a township with every kind of conflict.
private struct Scene {
    let town: ProcTownship
    let household: String
    let zhang: String, zhangAgain: String, li: String, wang: String, zhao: String, sun: String, liNZ: String
    let againVisit: String
    /// Conflict ids by what they are about.
    let phone: Int64, name: Int64, zhaoPhone: Int64, deleteLi: Int64, deleteSun: Int64, duplicate: Int64, duplicateNZ: Int64

    static let oddAddress = "北赵村, 三组 \"老屋\"\n二号院"

    static func make(_ label: String) throws -> Scene {
        let town = try ProcTownship(label, nodes: [("bz1", "北赵"), ("bz2", "北赵"), ("nz", "南赵")])
        let bz1 = town["bz1"], bz2 = town["bz2"], nz = town["nz"]
        let household = try must(bz1, ["add", "household", "--address", oddAddress, "--phone", "13800000000"])
        let zhang = try must(bz1, ["add", "person", "--name", "张丽", "--sex", "F", "--birth-date", "1990-03-02",
                                   "--national-id", "370481199003021224", "--household", household])
        let li = try must(bz1, Registry.person("李娜", birth: "1985-01-01", sequence: 5))
        let wang = try must(bz1, Registry.person("王五", sex: "M", birth: "1970-06-06", sequence: 7))
        let zhao = try must(bz1, Registry.person("赵六", sex: "M", birth: "1966-06-16", sequence: 8))
        let sun = try must(bz1, Registry.person("孙七", birth: "1977-07-17", sequence: 9))
        try must(bz1, ["edit", "person", zhang, "--current-address", oddAddress])
        // bz2, before it ever synced, registers 张丽 again (same national ID) with a visit.
        let zhangAgain = try must(bz2, ["add", "person", "--name", "张丽", "--sex", "F", "--birth-date", "1990-03-02",
                                        "--national-id", "370481199003021224", "--phone", "13600000000"])
        let againVisit = try must(bz2, ["add", "visit", "--person", zhangAgain, "--kind", "health_check", "--date", "2024-03-01"])
        // 南赵 registers 李娜 under the same national ID.
        let liNZ = try must(nz, Registry.person("李娜", birth: "1985-01-01", sequence: 5))
        _ = try town.sync("bz1")
        _ = try town.sync("bz2")
        _ = try town.sync("nz")

        // Offline on both 北赵 nodes: three fields edited both ways, two deletes racing edits.
        try must(bz1, ["edit", "person", zhang, "--phone", "13900000001"])
        try must(bz2, ["edit", "person", zhang, "--phone", "13900000002"])
        try must(bz1, ["edit", "person", wang, "--name", "王武"])
        try must(bz2, ["edit", "person", wang, "--name", "王伍"])
        try must(bz1, ["edit", "person", zhao, "--phone", "13700000001"])
        try must(bz2, ["edit", "person", zhao, "--phone", "13700000002"])
        try must(bz1, ["delete", "person", li])
        try must(bz2, ["edit", "person", li, "--marital-status", "married"])
        try must(bz1, ["delete", "person", sun])
        try must(bz2, ["edit", "person", sun, "--phone", "13500000000"])
        _ = try town.sync("bz2")
        _ = try town.sync("bz1")
        _ = try town.sync("bz2")

        let all = try town.hub.run(["hub", "conflicts", "--json"]).decode([ConflictRecord].self)
        func find(_ what: String, _ match: (ConflictRecord) -> Bool) throws -> Int64 {
            let hit = all.first(where: match)
            return try #require(hit, "\(what) among \(all.map { "\($0.kind) \($0.row.suffix(4)) \($0.field ?? "")" })").id
        }
        return Scene(
            town: town, household: household, zhang: zhang, zhangAgain: zhangAgain, li: li, wang: wang, zhao: zhao, sun: sun,
            liNZ: liNZ, againVisit: againVisit,
            phone: try find("phone") { $0.kind == .field && $0.row == zhang && $0.field == "phone" },
            name: try find("name") { $0.kind == .field && $0.row == wang && $0.field == "name" },
            zhaoPhone: try find("赵六's phone") { $0.kind == .field && $0.row == zhao },
            deleteLi: try find("delete 李娜") { $0.kind == .delete && $0.row == li },
            deleteSun: try find("delete 孙七") { $0.kind == .delete && $0.row == sun },
            duplicate: try find("duplicate 张丽") { $0.kind == .duplicate && $0.village == "北赵" },
            duplicateNZ: try find("duplicate 李娜") { $0.kind == .duplicate && $0.village == "南赵" })
    }
}

/// A hub row's values and deletion state, read straight from the store.
private func hubRow(_ town: ProcTownship, _ table: String, _ id: String) throws -> HubRow? {
    let store = try town.store()
    guard let t = store.schema.table(named: table) else { return nil }
    return try store.row(t, id: id)
}

@Suite("Operator console through the CLI", .serialized)
struct OperatorCLITests {
    @Test("conflicts (table, --village, --kind, --json), conflict side by side, resolve, merge, unmerge, nodes, history, export; then every node syncs the outcome")
    func operatorSession() throws {
        let scene = try Scene.make("op-session")
        let town = scene.town
        defer { town.finish() }
        let hub = town.hub

        // The list: a table with counts, filters, JSON.
        let table = try hub.run(["hub", "conflicts"])
        #expect(table.status == 0)
        #expect(table.stdout.contains("7 conflict(s): field 3, delete 2, duplicate 2"), "\(table.stdout)")
        #expect(table.stdout.contains("南赵") && table.stdout.contains("北赵"))
        let nz = try hub.run(["hub", "conflicts", "--village", "南赵", "--json"]).decode([ConflictRecord].self)
        #expect(nz.map(\.id) == [scene.duplicateNZ])
        let fields = try hub.run(["hub", "conflicts", "--kind", "field", "--json"]).decode([ConflictRecord].self)
        #expect(Set(fields.map(\.id)) == [scene.phone, scene.name, scene.zhaoPhone])
        let deletes = try hub.run(["hub", "conflicts", "--kind", "delete", "--village", "北赵"])
        #expect(deletes.stdout.contains("2 conflict(s): field 0, delete 2, duplicate 0"))
        #expect(try hub.run(["hub", "conflicts", "--kind", "nonsense"]).status == 64)
        let zhList = try hub.run(["hub", "conflicts"], env: ["LANG": "zh_CN.UTF-8"])
        #expect(zhList.stdout.contains("字段冲突") && zhList.stdout.contains("重复登记") && zhList.stdout.contains("待处理"))

        // Side by side.
        let detail = try hub.run(["hub", "conflict", String(scene.phone)])
        #expect(detail.status == 0)
        for text in ["13900000001", "13900000002", "bz1", "bz2", "village value", "hub value", "resolve: hamlet hub resolve"] {
            #expect(detail.stdout.contains(text), "side by side shows \(text):\n\(detail.stdout)")
        }
        do {
            let times = detail.stdout.matches(of: /\d{4}-\d\d-\d\d \d\d:\d\d/).count
            #expect(times >= 2, "both sides say when:\n\(detail.stdout)")
        }
        let detailJSON = try #require(try hub.run(["hub", "conflict", String(scene.phone), "--json"]).json() as? [String: Any])
        #expect((detailJSON["conflict"] as? [String: Any])?["field"] as? String == "phone")
        #expect(try hub.run(["hub", "conflict", "9999"]).status == 66)

        // Field resolutions: take the village's value; a new value.
        let took = try hub.run(["hub", "resolve", String(scene.phone), "--take", "village", "--note", "电话已核实", "--operator", "镇管理员"])
        #expect(took.status == 0, "\(took)")
        let resolved = try hub.run(["hub", "conflict", String(scene.phone)])
        #expect(resolved.stdout.contains("镇管理员") && resolved.stdout.contains("电话已核实") && resolved.stdout.contains("took the village value"))
        let bad = try hub.run(["hub", "resolve", String(scene.name), "--value", "name="])
        #expect(bad.status == 65, "an empty required name is refused: \(bad)")
        let named = try hub.run(["hub", "resolve", String(scene.name), "--value", "name=王武军"])
        #expect(named.status == 0, "\(named)")
        // Delete conflicts: keep one row, delete the other.
        #expect(try hub.run(["hub", "resolve", String(scene.deleteLi), "--keep"]).status == 0)
        #expect(try hub.run(["hub", "resolve", String(scene.deleteSun), "--delete"]).status == 0)
        #expect(try hub.run(["hub", "resolve", String(scene.deleteSun), "--keep"]).status == 65, "already resolved")
        #expect(try hub.run(["hub", "resolve", String(scene.phone), "--take", "hub"]).stderr.contains("already resolved by 镇管理员"))
        let open = try hub.run(["hub", "conflicts", "--json"]).decode([ConflictRecord].self)
        #expect(Set(open.map(\.id)) == [scene.zhaoPhone, scene.duplicate, scene.duplicateNZ])
        let every = try hub.run(["hub", "conflicts", "--all", "--json"]).decode([ConflictRecord].self)
        #expect(every.count == 7)
        #expect(every.first { $0.id == scene.phone }?.note == "电话已核实")

        // Merge the 北赵 duplicate: a dry run first changes nothing.
        let headBefore = try town.store().head()
        let survivorBefore = try #require(try hubRow(town, "people", scene.zhang))
        let loserBefore = try #require(try hubRow(town, "people", scene.zhangAgain))
        let visitBefore = try #require(try hubRow(town, "visits", scene.againVisit))
        let dry = try hub.run(["hub", "merge", String(scene.duplicate), "--dry-run"])
        #expect(dry.status == 0 && dry.stdout.contains("dry run"), "\(dry)")
        #expect(dry.stdout.contains(scene.zhang) && dry.stdout.contains(scene.zhangAgain))
        #expect(dry.stdout.contains("is referenced by 1 row(s)"), "the visit of the second row is shown: \(dry.stdout)")
        #expect(try town.store().head() == headBefore)
        let merged = try hub.run(["hub", "merge", String(scene.duplicate), "--keep", scene.zhang,
                                  "--field", "phone=\(scene.zhangAgain)", "--note", "同一人", "--json"])
        #expect(merged.status == 0, "\(merged)")
        let record = try merged.decode(MergeRecord.self)
        #expect(record.survivor == scene.zhang && record.loser == scene.zhangAgain)
        let survivor = try #require(try hubRow(town, "people", scene.zhang))
        #expect(survivor.values["phone"] == .text("13600000000"), "phone taken from the other row")
        #expect(try hubRow(town, "people", scene.zhangAgain)?.deleted == true)
        #expect(try hubRow(town, "visits", scene.againVisit)?.values["person"] == .text(scene.zhang), "the visit follows the survivor")
        #expect(try hub.run(["hub", "merge", String(scene.phone)]).status == 65, "not a duplicate")

        // Unmerge restores both rows and the reference exactly.
        let unmerged = try hub.run(["hub", "unmerge", String(scene.duplicate)])
        #expect(unmerged.status == 0, "\(unmerged)")
        let survivorAfter = try #require(try hubRow(town, "people", scene.zhang))
        let loserAfter = try #require(try hubRow(town, "people", scene.zhangAgain))
        #expect(survivorAfter.values == survivorBefore.values && !survivorAfter.deleted)
        #expect(loserAfter.values == loserBefore.values && !loserAfter.deleted && loserAfter.mergedInto == nil)
        #expect(try hubRow(town, "visits", scene.againVisit)?.values == visitBefore.values)
        #expect(try hub.run(["hub", "conflicts", "--json"]).decode([ConflictRecord].self).contains { $0.id == scene.duplicate },
                "the duplicate is open again")
        #expect(try hub.run(["hub", "unmerge", String(scene.duplicate)]).status != 0, "nothing to undo twice")

        // Nodes, history.
        let nodes = try #require(try hub.run(["hub", "nodes", "--json"]).json() as? [[String: Any]])
        #expect(nodes.compactMap { $0["node"] as? String }.sorted() == ["bz1", "bz2", "nz"])
        for n in nodes {
            #expect(n["last_seen"] as? Int64 != nil || n["last_seen"] as? Int != nil, "\(n)")
            #expect(n["last_result"] as? String != nil)
        }
        #expect(nodes.first { $0["node"] as? String == "nz" }?["open_conflicts"] as? Int == 1)
        #expect(nodes.first { $0["node"] as? String == "bz1" }?["waiting"] as? Int ?? 0 > 0, "the resolutions wait for bz1")
        let nodesTable = try hub.run(["hub", "nodes"])
        #expect(nodesTable.status == 0 && nodesTable.stdout.contains("南赵"))
        let history = try hub.run(["hub", "history", "person", scene.zhang])
        #expect(history.status == 0)
        #expect(history.stdout.contains("13900000001") && history.stdout.contains("13900000002"))
        #expect(history.stdout.contains("bz1") && history.stdout.contains("bz2") && history.stdout.contains("镇管理员"))
        #expect(history.stdout.contains("电话已核实"))
        let historyJSON = try #require(try hub.run(["hub", "history", "person", scene.zhang, "--json"]).json() as? [String: Any])
        let entries = try #require(historyJSON["entries"] as? [[String: Any]])
        let hseqs = entries.compactMap { $0["hseq"] as? Int }
        #expect(hseqs == hseqs.sorted() && hseqs.count >= 5)
        #expect(try hub.run(["hub", "history", "person", "01a20823-0000-7e39-92de-a1f1e19489a0"]).status == 66)

        // Export: BOM, CRLF, parses back to the hub's rows (Chinese, comma, quote, newline).
        for t in ["people", "households"] {
            let export = try hub.run(["hub", "export", t, "--format", "csv"])
            #expect(export.status == 0)
            #expect(export.stdoutData.starts(with: [0xEF, 0xBB, 0xBF]), "UTF-8 BOM")
            let text = String(decoding: export.stdoutData.dropFirst(3), as: UTF8.self)
            #expect(text.hasSuffix("\r\n") && text.components(separatedBy: "\r\n").first?.hasPrefix("id,") == true)
            #expect(!text.replacingOccurrences(of: "\r\n", with: "").contains("\r"))
            let csv = try CSVTable.read(bytes: [UInt8](export.stdoutData))
            var exported: [String: [String: String]] = [:]
            for (_, f) in csv.rows { exported[f["id"] ?? ""] = f.filter { $0.key != "id" && !$0.value.isEmpty } }
            var live: [String: [String: String]] = [:]
            for r in try town.store().rows(table: t) { live[r.id] = r.values.compactMapValues { $0.isNull ? nil : $0.description } }
            #expect(exported == live, "\(t) round trip")
        }
        let people = try CSVTable.read(bytes: [UInt8](try hub.run(["hub", "export", "people"]).stdoutData))
        #expect(people.rows.first { $0.fields["id"] == scene.zhang }?.fields["current_address"] == Scene.oddAddress)
        let households = try CSVTable.read(bytes: [UInt8](try hub.run(["hub", "export", "households"]).stdoutData))
        #expect(households.rows.first?.fields["address"] == Scene.oddAddress)
        let names = people.rows.compactMap { $0.fields["name"] }
        #expect(names.first == "李娜" && names.last == "赵六", "pinyin order (li, li, sun…, wang, zhang, zhao): \(names)")
        let xlsx = try hub.run(["hub", "export", "people", "--format", "xlsx"])
        #expect(xlsx.status == 0 && xlsx.stdoutData.starts(with: [0x50, 0x4B, 0x03, 0x04]), "xlsx to a pipe")
        #expect(try SheetFile.read(bytes: [UInt8](xlsx.stdoutData), name: "people.xlsx").rows.map { $0.fields["姓名"] ?? "" } == names)
        #expect(try hub.run(["hub", "export", "people", "--format", "ods"]).status == 64)

        // Every node syncs the outcomes.
        for n in ["bz1", "bz2", "nz", "bz1"] { _ = try town.sync(n) }
        for n in ["bz1", "bz2"] {
            let show = try #require(try town[n].run(["show", "person", scene.zhang, "--json"]).json() as? [String: Any])
            let values = textFields(show["values"] as? [String: Any] ?? [:])
            #expect(values["phone"] == "13900000001", "the village's phone on \(n)")
            let wang = try #require(try town[n].run(["show", "person", scene.wang, "--json"]).json() as? [String: Any])
            #expect(textFields(wang["values"] as? [String: Any] ?? [:])["name"] == "王武军")
            let rows = try town[n].rows("people")
            #expect(rows[scene.li] != nil, "kept on \(n)")
            #expect(rows[scene.sun] == nil, "deleted on \(n)")
            #expect(rows[scene.zhangAgain] != nil, "unmerged row back on \(n)")
        }
        #expect(try town["bz2"].rows("visits")[scene.againVisit]?["person"] == scene.zhangAgain)
        try town.expectConverged()
        try town.expectExactlyOnce()
    }

    @Test("two operators resolve one conflict at once: exactly one wins, the other is told who resolved it")
    func concurrentResolution() throws {
        let town = try ProcTownship("op-race", nodes: [("bz1", "北赵"), ("bz2", "北赵")])
        defer { town.finish() }
        let bz1 = town["bz1"], bz2 = town["bz2"]
        var people: [String] = []
        for i in 0..<3 { people.append(try must(bz1, Registry.person("人\(i)", birth: "1980-01-1\(i)", sequence: i))) }
        _ = try town.sync("bz1")
        _ = try town.sync("bz2")
        for (i, p) in people.enumerated() {
            try must(bz1, ["edit", "person", p, "--phone", "1390000000\(i)"])
            try must(bz2, ["edit", "person", p, "--phone", "1370000000\(i)"])
        }
        _ = try town.sync("bz2")
        _ = try town.sync("bz1")
        let conflicts = try town.hub.run(["hub", "conflicts", "--kind", "field", "--json"]).decode([ConflictRecord].self)
        try #require(conflicts.count == 3)

        // A village pushing a big batch meanwhile, over a slow link: the operators' writes wait their turn.
        try must(bz1, ["import", "people", "--file", try peopleCSV(town.tmp, count: 1_500, prefix: "丁")])
        town.proxy.throttle(.milliseconds(1))
        let push = try bz1.start(["sync", "--json"])
        #expect(push.waitForLine(prefix: "push ", in: .stderr, timeout: .seconds(30)) != nil, "the push is under way")

        for (round, c) in conflicts.enumerated() {
            let chinese = round == 1
            let env = chinese ? ["LANG": "zh_CN.UTF-8"] : [:]
            let a = try town.hub.start(["hub", "resolve", String(c.id), "--take", "village", "--operator", "甲"], env: env)
            let b = try town.hub.start(["hub", "resolve", String(c.id), "--take", "hub", "--operator", "乙"], env: env)
            let ra = a.wait(timeout: .seconds(30))
            let rb = b.wait(timeout: .seconds(30))
            let winners = [ra, rb].filter { $0.status == 0 }
            let losers = [ra, rb].filter { $0.status != 0 }
            #expect(winners.count == 1 && losers.count == 1, "round \(round): \(ra)\n\(rb)")
            guard let loser = losers.first, let winner = winners.first else { continue }
            #expect(loser.status == 65, "\(loser)")
            let who = winner.stdout == ra.stdout ? "甲" : "乙"
            if chinese {
                #expect(loser.stderr.contains("已经处理过了") && loser.stderr.contains(who), "\(loser.stderr)")
            } else {
                #expect(loser.stderr.contains("already resolved by \(who)"), "\(loser.stderr)")
            }
            // Exactly one resolution was written.
            let store = try town.store()
            let record = try #require(try store.conflict(c.id))
            #expect(record.status != "open" && record.resolvedBy == who)
            let writes = try store.sqliteFile().scalar(
                "SELECT count(*) FROM log WHERE node = ?1 AND tbl = 'people' AND row_id = ?2 AND hseq > ?3",
                [.text(NodeID.hub), .text(c.row), .integer(c.incomingHseq)]).integer
            #expect(writes == 1, "one hub change for the resolution")
        }
        // (The throttled push outlasts the three rounds.)
        town.proxy.throttle(nil)
        let pushed = push.wait(timeout: .seconds(60))
        #expect(pushed.status == 0, "\(pushed)")
        for n in ["bz1", "bz2", "bz1"] { _ = try town.sync(n) }
        try town.expectConverged()
        try town.expectExactlyOnce()
    }
}
