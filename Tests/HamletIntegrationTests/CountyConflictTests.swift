import Foundation
import HamletCore
import HamletStore
import HamletTestSupport
import Testing

// Issue 18: what is settled where. A conflict the township settled reaches the county as a plain value (not reopened);
// a county correction closes the township's open conflict on that field; a village edit concurrent with a county
// correction is the county's conflict, whose settlement flows down to the villages.

@Suite(.serialized)
struct CountyConflictTests {
    static let phones = (1...9).map { "1390000000\($0)" }

    func phone(_ county: ProcCounty, _ node: String, _ id: String) throws -> String? { try county[node].rows("people")[id]?["phone"] }

    func openFieldConflicts(_ county: ProcCounty, _ dir: HamletDir, row: String) throws -> [ConflictRecord] {
        try county.store(dir).conflicts(status: "open", kind: .field).filter { $0.row == row }
    }

    /// Both 甲村 nodes edit the phone concurrently and sync: the township opens a field conflict.
    func concurrentVillageEdits(_ county: ProcCounty, _ id: String, _ a: String, _ b: String) throws -> ConflictRecord {
        #expect(try county["e1"].run(["edit", "person", id, "--phone", a]).status == 0)
        #expect(try county["e3"].run(["edit", "person", id, "--phone", b]).status == 0)
        try county.sync("e1")
        try county.sync("e3")
        let hub = try #require(county.townships["东镇"]).hub
        return try #require(try openFieldConflicts(county, hub, row: id).first, "the township opened a field conflict")
    }

    @Test func settledBelowStaysSettledAndWhatTheCountySettlesFlowsDown() throws {
        let county = try ProcCounty("county-conflicts", layout: [("东镇", "up-east", [("e1", "甲村"), ("e3", "甲村")])])
        defer { county.finish() }
        let township = try #require(county.townships["东镇"]).hub
        let added = try county["e1"].run(Registry.person("赵敏", birth: "1991-04-05", sequence: 31) + ["--json"])
        let id = try #require((try added.json() as? [String: Any])?["id"] as? String)
        try county.sync("e1")
        try county.sync("e3")
        try county.uplink("东镇")

        // 1. Settled in the township: the county takes the outcome as a plain value and opens nothing.
        let first = try concurrentVillageEdits(county, id, Self.phones[0], Self.phones[1])
        #expect(try township.run(["hub", "resolve", String(first.id), "--value", "phone=\(Self.phones[2])"]).status == 0)
        try county.uplink("东镇")
        #expect(try openFieldConflicts(county, county.county, row: id).isEmpty, "the township's settled conflict is not reopened")
        #expect(try county.store(county.county).rows(table: "people").first { $0.id == id }?.values["phone"] == .text(Self.phones[2]))

        // 2. Open in the township, corrected at the county: the correction comes down and closes it.
        let second = try concurrentVillageEdits(county, id, Self.phones[3], Self.phones[4])
        try county.uplink("东镇")
        #expect(try county.county.run(["hub", "edit", "person", id, "--phone", Self.phones[5]]).status == 0)
        try county.uplink("东镇")
        let closed = try #require(try county.store(township).conflict(second.id))
        #expect(closed.status == "resolved" && closed.resolution == HubStore.countyResolution, "closed by the county: \(closed.status)")
        try county.sync("e1")
        try county.sync("e3")
        #expect(try phone(county, "e1", id) == Self.phones[5] && phone(county, "e3", id) == Self.phones[5])

        // 3. A village edit concurrent with a county correction: the county's word sticks and its conflict opens there;
        //    taking the village's value at the county brings that value down to every node.
        #expect(try county.county.run(["hub", "edit", "person", id, "--phone", Self.phones[6]]).status == 0)
        #expect(try county["e1"].run(["edit", "person", id, "--phone", Self.phones[7]]).status == 0)
        try county.sync("e1")
        try county.uplink("东镇")
        let atCounty = try #require(try openFieldConflicts(county, county.county, row: id).first, "the county opened a field conflict")
        try county.sync("e1")
        #expect(try phone(county, "e1", id) == Self.phones[6], "the county's correction stands provisionally")
        #expect(try county.county.run(["hub", "resolve", String(atCounty.id), "--take", "village"]).status == 0)
        try county.settle()
        #expect(try phone(county, "e1", id) == Self.phones[7] && phone(county, "e3", id) == Self.phones[7])
        try county.expectTiersAgree()
    }

    @Test func watchSendsTownshipChangesUpSoonAndStopsOnSIGTERM() throws {
        let county = try ProcCounty("county-watch", layout: [("东镇", "up-east", [("e1", "甲村")])])
        defer { county.finish() }
        let tier = try #require(county.townships["东镇"])
        let watch = try tier.hub.start(county.uplinkArgs(tier).filter { $0 != "--json" } + ["--watch", "--interval", "600"])
        #expect(watch.waitForLine(in: .stderr, timeout: .seconds(20)) { $0.hasPrefix("uplink ok") } != nil, "a first cycle")
        let added = try county["e1"].run(Registry.person("周芷若", birth: "1993-06-07", sequence: 41) + ["--json"])
        let id = try #require((try added.json() as? [String: Any])?["id"] as? String)
        try county.sync("e1")
        // The township's log grew: the watch notices within seconds, not at its 10-minute interval.
        let arrived = try eventually(.seconds(20), every: .milliseconds(200)) {
            try county.store(county.county).rows(table: "people").contains { $0.id == id }
        }
        #expect(arrived, "the person reached the county: \(watch.text(.stderr))")
        watch.terminate()
        let end = watch.wait(timeout: .seconds(20))
        #expect(end.status == 0, "watch stops on SIGTERM: \(end)")
    }

    @Test func aTownshipRestoredFromABackupGetsBackFromTheCountyWhatItLost() throws {
        let county = try ProcCounty("county-restore", layout: [("东镇", "up-east", [("e1", "甲村")])])
        defer { county.finish() }
        let tier = try #require(county.townships["东镇"])
        func add(_ name: String, _ sequence: Int) throws -> String {
            let r = try county["e1"].run(Registry.person(name, birth: "1990-0\(sequence % 9 + 1)-11", sequence: sequence) + ["--json"])
            return try #require((try r.json() as? [String: Any])?["id"] as? String)
        }
        let a = try add("杨过", 51)
        try county.sync("e1")
        try county.uplink("东镇")
        let backup = county.tmp.file("backup")
        #expect(try tier.hub.run(["hub", "backup", "--to", backup]).status == 0)
        // After the backup: a new person goes up, and a county correction comes down into the township.
        let b = try add("小龙女", 52)
        try county.sync("e1")
        try county.uplink("东镇")
        #expect(try county.county.run(["hub", "edit", "person", a, "--phone", Self.phones[8]]).status == 0)
        try county.uplink("东镇")
        try county.restoreTownship("东镇", from: backup)
        // The node re-pushes what the restored hub lost; the uplink follows the new epoch and the county's
        // correction (an operator change the backup did not hold) comes down again.
        try county.settle()
        try county.expectTiersAgree()
        #expect(try phone(county, "e1", a) == Self.phones[8])
        #expect(try county["e1"].rows("people")[b] != nil)
        let held = try county.store(county.county).rows(table: "people", includeDeleted: true)
        #expect(held.count == 2, "each person once at the county")
    }

    @Test func aLostUplinkFolderIsRebuiltFromTheCountyWithoutReusingASeq() throws {
        let county = try ProcCounty("county-lost", layout: [("东镇", "up-east", [("e1", "甲村")])])
        defer { county.finish() }
        let tier = try #require(county.townships["东镇"])
        for (name, sequence) in [("郭靖", 61), ("黄蓉", 62)] {
            #expect(try county["e1"].run(Registry.person(name, birth: "1989-02-0\(sequence % 9 + 1)", sequence: sequence)).status == 0)
            try county.sync("e1")
            try county.uplink("东镇")
            try FileManager.default.removeItem(atPath: tier.hub.file("uplink"))
        }
        try county.settle()
        try county.expectTiersAgree()
        let uplinkLog = try HamletDir(tier.hub.file("uplink")).log()
        #expect(!uplinkLog.contains { ($0["state"] as? String) == "rejected" }, "no change refused (seq-reused): \(uplinkLog)")
        #expect(try county.store(county.county).rows(table: "people").count == 2)
    }

    @Test func aMoveToAnotherTownshipsVillageReachesThatTownship() throws {
        let county = try ProcCounty("county-move", layout: [("东镇", "up-east", [("e1", "甲村")]), ("西镇", "up-west", [("w1", "丙村")])])
        defer { county.finish() }
        func add(_ node: String, _ name: String, _ sequence: Int) throws -> String {
            let r = try county[node].run(Registry.person(name, birth: "1994-0\(sequence % 9 + 1)-21", sequence: sequence) + ["--json"])
            return try #require((try r.json() as? [String: Any])?["id"] as? String)
        }
        let mover = try add("e1", "穆念慈", 71)
        _ = try add("w1", "欧阳克", 72)
        try county.settle(rounds: 1)
        let moved = try county["e1"].run(["move", "person", mover, "--to", "丙村"])
        #expect(moved.status == 0, "move: \(moved)")
        try county.settle()
        try county.expectTiersAgree()
        #expect(try county["w1"].rows("people")[mover]?["village"] == "丙村", "丙村's node holds her")
        #expect(try county["e1"].rows("people")[mover] == nil)
        // 东镇 keeps her live in 丙村, as it moved her: its own 迁出 still counts her.
        let east = try county.store(try #require(county.townships["东镇"]).hub)
        let row = try #require(try east.rows(table: "people", includeDeleted: true).first { $0.id == mover })
        #expect(!row.deleted && row.values["village"] == .text("丙村"))
    }

    @Test func aTownshipEditMeetingACountyCorrectionAlreadyPulledIsTheCountysConflict() throws {
        let county = try ProcCounty("county-contested", layout: [("东镇", "up-east", [("e1", "甲村")])])
        defer { county.finish() }
        let tier = try #require(county.townships["东镇"])
        let added = try county["e1"].run(Registry.person("程英", birth: "1995-08-09", sequence: 81) + ["--json"])
        let id = try #require((try added.json() as? [String: Any])?["id"] as? String)
        try county.sync("e1")
        try county.uplink("东镇")
        // The county corrects; the uplink's replica pulls it (a plain sync of DIR/uplink: no downlink yet); then a
        // village edits the same field in the township. Both tiers have news on it.
        #expect(try county.county.run(["hub", "edit", "person", id, "--phone", Self.phones[0]]).status == 0)
        #expect(try HamletDir(tier.hub.file("uplink")).run(["sync"]).status == 0)
        #expect(try county["e1"].run(["edit", "person", id, "--phone", Self.phones[1]]).status == 0)
        try county.sync("e1")
        try county.uplink("东镇")
        let conflict = try #require(try openFieldConflicts(county, county.county, row: id).first,
                                    "the county judges the township's edit concurrent with its correction")
        #expect(conflict.incoming == .text(Self.phones[1]))
        try county.settle()
        try county.expectTiersAgree()
        #expect(try phone(county, "e1", id) == Self.phones[0], "the county operator's value stands provisionally")
    }

    @Test func aMergeInTheTownshipGoesUpAsItsEffectsAndStaysAMergeBelow() throws {
        let county = try ProcCounty("county-merge-below", layout: [("东镇", "up-east", [("e1", "甲村"), ("e2", "乙村")])])
        defer { county.finish() }
        var ids: [String] = []
        for node in ["e1", "e2"] {
            let r = try county[node].run(Registry.person("李莫愁", birth: "1988-10-11", sequence: 91) + ["--json", "--force"])
            ids.append(try #require((try r.json() as? [String: Any])?["id"] as? String))
            try county.sync(node)
        }
        let township = try #require(county.townships["东镇"]).hub
        let dup = try #require(try county.store(township).conflicts(status: "open", kind: .duplicate).first, "a duplicate in the township")
        try county.uplink("东镇")
        #expect(try county.store(county.county).conflicts(status: "open", kind: .duplicate).count == 1, "the county sees it too")
        #expect(try township.run(["hub", "merge", String(dup.id), "--keep", ids[0]]).status == 0)
        try county.settle()
        try county.expectTiersAgree()
        let people = try #require(try county.store(township).schema.table(named: "people"))
        let loser = try #require(try county.store(township).row(people, id: ids[1]))
        #expect(loser.mergedInto == ids[0], "the township keeps its merge (unmerge stays possible)")
        #expect(try county.store(county.county).conflicts(status: "open", kind: .duplicate).isEmpty, "moot at the county")
    }
}
