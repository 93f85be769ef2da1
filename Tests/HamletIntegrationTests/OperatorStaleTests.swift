import Foundation
import HamletCore
import HamletStore
import HamletTestSupport
import Testing

/// Issue 10, item 6: every operator write is compare-and-set on what the operator was shown.
/// Through the built `hamlet`, beside a serving hub.
@Suite("Operator writes are compare-and-set", .serialized)
struct OperatorStaleTests {
    @Test("a resolution on a field that moved since is refused (exit 65) with the new value; with --expect-version it goes through")
    func staleResolution() throws {
        let town = try ProcTownship("op-stale", nodes: [("bz1", "北赵"), ("bz2", "北赵")])
        defer { town.finish() }
        let bz1 = town["bz1"], bz2 = town["bz2"]
        let zhang = try must(bz1, ["add", "person", "--name", "张丽", "--sex", "F", "--birth-date", "1990-03-02",
                                   "--national-id", "370481199003021224"])
        _ = try town.sync("bz1")
        _ = try town.sync("bz2")
        try must(bz1, ["edit", "person", zhang, "--phone", "13900000001"])
        try must(bz2, ["edit", "person", zhang, "--phone", "13900000002"])
        _ = try town.sync("bz1")
        _ = try town.sync("bz2")
        let conflicts = try town.hub.run(["hub", "conflicts", "--json"]).decode([ConflictRecord].self)
        let c = try #require(conflicts.first { $0.field == "phone" })
        // The operator looked at the conflict; meanwhile bz1 (which saw the outcome) corrects the phone again.
        _ = try town.sync("bz1")
        try must(bz1, ["edit", "person", zhang, "--phone", "13900000009"])
        _ = try town.sync("bz1")
        let refused = try town.hub.run(["hub", "resolve", String(c.id), "--take", "village"])
        #expect(refused.status == 65, "\(refused)")
        #expect(refused.stderr.contains("error[stale]"), "\(refused.stderr)")
        #expect(refused.stderr.contains("13900000009"), "the new value is shown: \(refused.stderr)")
        let zh = try town.hub.run(["hub", "resolve", String(c.id), "--take", "village"], env: ["LANG": "zh_CN.UTF-8"])
        #expect(zh.status == 65 && zh.stderr.contains("又改过") && zh.stderr.contains("--expect-version"), "\(zh.stderr)")
        let now = try #require(zh.stderr.firstMatch(of: /--expect-version (\d+)/)).1
        // Having looked again, the operator confirms on the version now shown.
        let ok = try town.hub.run(["hub", "resolve", String(c.id), "--take", "village", "--expect-version", String(now)])
        #expect(ok.status == 0, "\(ok)")
        let store = try town.store()
        let people = try #require(store.schema.table(named: "people"))
        let row = try #require(try store.row(people, id: zhang))
        #expect(row.values["phone"] == c.incoming)
    }
}
