import Foundation
import HamletCore
import HamletStore
import HamletTestSupport
import Testing

// Issue 18 end to end: a county hub, two township hubs uplinking to it, villages' nodes under each; edits at every
// tier, syncs and uplinks in a seeded random order with uplinks killed mid-run; then every tier agrees, nothing is
// lost or doubled, and a duplicate across the two townships merged at the county reaches both villages.

@Suite(.serialized)
struct CountyUplinkTests {
    static let layout: [(township: String, uplink: String, nodes: [(String, String)])] = [
        ("东镇", "up-east", [("e1", "甲村"), ("e2", "乙村"), ("e3", "甲村")]),
        ("西镇", "up-west", [("w1", "丙村"), ("w2", "丁村")]),
    ]

    /// A person added on a node: its id, its village's nodes.
    struct Added {
        var id: String
        var node: String
    }

    static func addPerson(_ county: ProcCounty, node: String, name: String, birth: String, sequence: Int,
                          sourceLocation: SourceLocation = #_sourceLocation) throws -> Added {
        let r = try county[node].run(Registry.person(name, birth: birth, sequence: sequence) + ["--json", "--force"])
        try #require(r.status == 0, "add on \(node): \(r)", sourceLocation: sourceLocation)
        let id = try #require((try r.json() as? [String: Any])?["id"] as? String, sourceLocation: sourceLocation)
        return Added(id: id, node: node)
    }

    static func phone(_ rng: inout SeedRandom) -> String { "139" + String(format: "%08d", Int.random(in: 0..<100_000_000, using: &rng)) }

    @Test func twoTownshipsAgreeAfterRandomSyncsUplinksAndKills() throws {
        let seed = UInt64(ProcessInfo.processInfo.environment["HAMLET_SEED"] ?? "") ?? UInt64.random(in: 1...UInt64(1 << 40))
        print("CountyUplinkTests seed \(seed) (HAMLET_SEED=\(seed) repeats it)")
        var rng = SeedRandom(seed: seed)
        let county = try ProcCounty("county", layout: Self.layout)
        defer { county.finish() }
        let nodeNames = county.nodes.keys.sorted()
        var people: [Added] = []
        for (i, node) in nodeNames.enumerated() {
            for k in 0..<2 {
                people.append(try Self.addPerson(county, node: node, name: "村民\(i)\(k)", birth: "198\(i)-0\(k + 1)-1\(k)", sequence: 100 + i * 10 + k))
            }
        }
        // The same woman registered in 甲村 (东镇) and in 丙村 (西镇): one national ID, two rows.
        let east = try Self.addPerson(county, node: "e1", name: "王芳", birth: "1992-05-17", sequence: 7)
        let west = try Self.addPerson(county, node: "w1", name: "王芳", birth: "1992-05-17", sequence: 7)
        people += [east, west]
        // Everyone goes up once, then the county's operator corrects one person of each township (these meet the
        // villages' later edits of the same field in the random steps).
        for n in nodeNames { try county.sync(n) }
        for t in county.townships.keys.sorted() { try county.uplink(t) }
        for p in [people[0], people[people.count - 3]] {
            let r = try county.county.run(["hub", "edit", "person", p.id, "--phone", Self.phone(&rng)])
            #expect(r.status == 0, "county correction: \(r)")
        }

        for step in 0..<30 { try Self.randomStep(step, county, people: people, rng: &rng) }
        try county.settle(rounds: 3)
        try county.expectTiersAgree()
        try Self.expectCountyNodeTable(county)

        // Nothing lost or doubled: every person once at the county, every (node, seq) once in its log.
        let c = try county.store(county.county)
        let held = try c.rows(table: "people", includeDeleted: true)
        #expect(Set(held.map(\.id)) == Set(people.map(\.id)), "the county holds every person, once")
        #expect(held.count == people.count)
        let twice = try c.sqliteFile().rows("SELECT node, seq FROM log GROUP BY node, seq HAVING count(*) > 1")
        #expect(twice.isEmpty, "a change applied twice at the county")

        // The duplicate across townships is open at the county; its merge reaches both villages.
        let dup = try #require(try c.conflicts(status: "open", kind: .duplicate).first {
            Set([$0.row, $0.otherRow ?? ""]) == Set([east.id, west.id])
        }, "a duplicate conflict across the townships")
        let merged = try county.county.run(["hub", "merge", String(dup.id), "--keep", east.id])
        #expect(merged.status == 0, "merge: \(merged)")
        try county.settle(rounds: 2)
        try county.expectTiersAgree()
        let westTier = try #require(county.townships["西镇"])
        let westHub = try county.store(westTier.hub)
        let peopleTable = try #require(westHub.schema.table(named: "people"))
        let loser = try #require(try westHub.row(peopleTable, id: west.id))
        #expect(loser.mergedInto == east.id && loser.deleted, "西镇 holds 丙村's row as merged into 甲村's")
        #expect(try county["w1"].rows("people")[west.id] == nil, "丙村's node no longer lists the merged-away row")
        #expect(try county["e1"].rows("people")[east.id] != nil, "甲村's node keeps the survivor")
        try Self.expectCountyReport(county)
    }

    /// One seeded random step: a village edit, a sync, an uplink, an uplink cut by kill -9 (of itself or of the
    /// county hub), or an operator's correction at the county or at the township.
    static func randomStep(_ step: Int, _ county: ProcCounty, people: [Added], rng: inout SeedRandom) throws {
        let nodeNames = county.nodes.keys.sorted()
        let roll = Int.random(in: 0..<100, using: &rng)
        let p = people[Int.random(in: 0..<people.count, using: &rng)]
        let tier = try #require(county.township(of: p.node))
        switch roll {
        case 0..<25:
            // A node of the person's village edits, moves (to any village, in either township) or deletes her; it
            // may not hold her (yet, or any more): then nothing happens. The duplicate pair is only edited.
            let same = tier.villages.filter { $0.value == tier.villages[p.node] }.keys.sorted()
            let editor = same[Int.random(in: 0..<same.count, using: &rng)]
            let villages = county.townships.values.flatMap { $0.villages.values }.sorted()
            let pair = people.suffix(2).contains { $0.id == p.id }
            switch Int.random(in: 0..<10, using: &rng) {
            case 0..<2 where !pair:
                let to = villages[Int.random(in: 0..<villages.count, using: &rng)]
                let r = try county[editor].run(["move", "person", p.id, "--to", to])
                if r.status == 0 { print("step \(step): \(editor) moved a person to \(to)") }
            case 2 where !pair:
                if try county[editor].run(["delete", "person", p.id]).status == 0 { print("step \(step): \(editor) deleted a person") }
            default:
                _ = try county[editor].run(["edit", "person", p.id, "--phone", phone(&rng)])
            }
        case 25..<45:
            try county.sync(nodeNames[Int.random(in: 0..<nodeNames.count, using: &rng)])
        case 45..<65:
            try county.uplink(tier.name)
        case 65..<80:
            // kill -9 mid-uplink, of the uplink (township end) or of the county hub: the next cycle repeats
            // what was cut, exactly once.
            let run = try tier.hub.start(county.uplinkArgs(tier))
            Thread.sleep(forTimeInterval: Double(Int.random(in: 0..<250, using: &rng)) / 1000)
            if roll < 70 {
                run.kill()
                _ = run.wait(timeout: .seconds(10))
                print("step \(step): killed \(tier.name)'s uplink")
            } else if roll < 75 {
                try county.restartTownship(tier.name)
                _ = run.wait(timeout: .seconds(60))
                print("step \(step): killed \(tier.name)'s hub under its uplink")
            } else {
                try county.restartCounty()
                _ = run.wait(timeout: .seconds(60))
                print("step \(step): killed the county hub under \(tier.name)'s uplink")
            }
        case 80..<90:
            // The county's operator corrects a person it may not hold yet.
            _ = try county.county.run(["hub", "edit", "person", p.id, "--phone", phone(&rng)])
        default:
            _ = try tier.hub.run(["hub", "edit", "person", p.id, "--phone", phone(&rng)])
        }
    }

    /// `hub nodes --json` at the county: each township node with its villages, its backlog, and when each village's
    /// latest data came up.
    static func expectCountyNodeTable(_ county: ProcCounty, sourceLocation: SourceLocation = #_sourceLocation) throws {
        struct Node: Decodable {
            var node: String
            var township: String?
            var villages: [String]?
            var waiting: Int?
            var village_last_change: [String: Int64]?
        }
        let r = try county.county.run(["hub", "nodes", "--json"])
        try #require(r.status == 0, "hub nodes: \(r)", sourceLocation: sourceLocation)
        let nodes = try r.decode([Node].self)
        for t in county.townships.values {
            let n = try #require(nodes.first { $0.node == t.uplinkNode }, sourceLocation: sourceLocation)
            #expect(n.township == t.name && Set(n.villages ?? []) == Set(t.villages.values), sourceLocation: sourceLocation)
            #expect(n.waiting == 0, "nothing waiting after the settle", sourceLocation: sourceLocation)
            let seen = Set(n.village_last_change?.keys.map { $0 } ?? [])
            #expect(!seen.isEmpty && seen.isSubset(of: Set(t.villages.values)), "\(seen)", sourceLocation: sourceLocation)
        }
    }

    /// `hub report` at the county: one column per township (per village with `--villages`), timeliness per township.
    static func expectCountyReport(_ county: ProcCounty, sourceLocation: SourceLocation = #_sourceLocation) throws {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = TimeZone(identifier: "Asia/Shanghai") ?? .gmt
        let now = cal.dateComponents([.year, .month], from: Date())
        let period = String(format: "%04d-%02d", now.year ?? 2026, now.month ?? 1)
        struct Shape: Decodable {
            var villages: [String: [String: ReportValue]]
            struct Timeliness: Decodable { var villages: [Place] }
            struct Place: Decodable { var village: String }
            var timeliness: Timeliness
        }
        let byTownship = try county.county.run(["hub", "report", "--period", period, "--json"])
        try #require(byTownship.status == 0, "report: \(byTownship)", sourceLocation: sourceLocation)
        let t = try byTownship.decode(Shape.self)
        #expect(Set(t.villages.keys) == ["东镇", "西镇"], "one column per township", sourceLocation: sourceLocation)
        #expect(Set(t.timeliness.villages.map(\.village)) == ["东镇", "西镇"], "timeliness per township", sourceLocation: sourceLocation)
        let byVillage = try county.county.run(["hub", "report", "--period", period, "--json", "--villages"])
        try #require(byVillage.status == 0, "report --villages: \(byVillage)", sourceLocation: sourceLocation)
        #expect(Set(try byVillage.decode(Shape.self).villages.keys) == ["甲村", "乙村", "丙村", "丁村"], sourceLocation: sourceLocation)
        // A county closes its figures per township; nothing differs right after, by township or by village.
        #expect(try county.county.run(["hub", "report", "close", period]).status == 0, sourceLocation: sourceLocation)
        for extra in [[], ["--villages"]] {
            let r = try county.county.run(["hub", "report", "--period", period, "--json"] + extra)
            let closed = (try r.json() as? [String: Any])?["closed"] as? [String: Any]
            #expect((closed?["differences"] as? [Any])?.isEmpty == true, "\(extra): \(closed ?? [:])", sourceLocation: sourceLocation)
        }
    }
}
