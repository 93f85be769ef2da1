import Foundation
import HamletTestSupport
import Testing

/// Found by the torture test (seed 20261130, round 9): a clerk's edit that `hamlet edit` confirmed
/// with exit 0 while `hamlet resync` ran on the same node vanished. `ReplicaRebuild.finish` copies
/// the old file's new changes once more, then rebuilds the visible tables, closes and renames; an
/// edit that opens, commits and closes the old file inside that window leaves no `-wal` for the
/// busy check to see, and the rename drops it (its `seq` is then used again by the next edit).
@Suite("Edits during a resync", .serialized)
struct ResyncRaceTests {
    @Test("every edit confirmed while a resync runs reaches the hub", .disabled(if: ResyncRaceTests.skip))
    func editsDuringResync() throws {
        let town = try ProcTownship("resync-race", nodes: [("bz1", "北赵")])
        defer { town.finish() }
        let bz1 = town["bz1"]
        try must(bz1, ["import", "people", "--file", try peopleCSV(town.tmp, count: 3_000)])
        _ = try town.sync("bz1")
        let target = try must(bz1, Registry.person("张丽", sequence: 400))
        _ = try town.sync("bz1")
        var confirmed: [String] = []
        for attempt in 0..<3 {
            let resync = try bz1.start(["resync", "--json"])
            var n = 0
            while !resync.hasExited {
                n += 1
                let phone = "1370\(attempt)\(String(format: "%06d", n))"
                if try bz1.run(["edit", "person", target, "--phone", phone]).status == 0 { confirmed.append(phone) }
            }
            let r = resync.wait(timeout: .seconds(60))
            // A resync that finds the replica open elsewhere gives up (74 today, 75 by issue 16 item 7): fine here.
            #expect(r.status == 0 || r.status == 75 || (r.status == 74 && r.stderr.contains("busy")), "\(r)")
        }
        _ = try town.sync("bz1")
        let logged = Set(try bz1.log().compactMap { ($0["values"] as? [String: Any])?["phone"] as? String })
        let lost = confirmed.filter { !logged.contains($0) }
        #expect(lost.isEmpty, "\(lost.count) of \(confirmed.count) edits confirmed during a resync are not in the node's log: \(lost)")
    }

    static let skip = ProcessInfo.processInfo.environment["HAMLET_SKIP_RESYNC_RACE"] == "1"
}
