import Foundation
import HamletCore
import HamletStore
import HamletTestSupport
import Testing

// Issue 18's fixture: a county hub, township hubs registered at it with `hub add-node --township`, village nodes
// under each township; every hub a `hub serve` child, every node and every uplink a `hamlet` process.

/// One township: its hub folder and server, its county node id, and its village nodes.
struct ProcTownshipTier {
    let name: String
    let hub: HamletDir
    var server: RunningProcess
    /// Where its `hub serve` listens (kept across a restore, so that its nodes keep their address).
    var address: String
    let uplinkNode: String
    let secret: String
    /// node → village.
    var villages: [String: String]
}

/// A county with townships, each with village nodes, all over real TCP on loopback.
final class ProcCounty {
    let tmp: TempDir
    let county: HamletDir
    private(set) var countyServer: HubProcess
    private(set) var townships: [String: ProcTownshipTier] = [:]
    private(set) var nodes: [String: HamletDir] = [:]

    /// - Parameter layout: township → uplink node id → `(node, village)` pairs.
    init(_ label: String, layout: [(township: String, uplink: String, nodes: [(String, String)])]) throws {
        tmp = TempDir(label)
        county = HamletDir(tmp.file("county"))
        let made = try county.run(["hub", "init"])
        try #require(made.status == 0, "county init: \(made)")
        countyServer = try Hamlet.startServer(dir: county.path)
        for t in layout {
            let secret = tmp.file("\(t.uplink).secret")
            let r = try county.run(["hub", "add-node", t.uplink, "--township", t.township, "--secret-out", secret])
            try #require(r.status == 0, "add-node --township: \(r)")
            let hub = HamletDir(tmp.file("hub-\(t.uplink)"))
            let i = try hub.run(["hub", "init", "--township", t.township])
            try #require(i.status == 0, "township init: \(i)")
            var villages: [String: String] = [:]
            for (node, village) in t.nodes {
                let s = tmp.file("\(node).secret")
                let a = try hub.run(["hub", "add-node", node, "--village", village, "--secret-out", s])
                try #require(a.status == 0, "add-node \(node): \(a)")
                villages[node] = village
            }
            let server = try Hamlet.startServer(dir: hub.path)
            for (node, village) in t.nodes {
                let dir = HamletDir(tmp.file("node-\(node)"))
                let n = try dir.run(["init", "--node", node, "--village", village, "--hub", server.address,
                                     "--secret-file", tmp.file("\(node).secret")])
                try #require(n.status == 0, "init \(node): \(n)")
                nodes[node] = dir
            }
            townships[t.township] = ProcTownshipTier(name: t.township, hub: hub, server: server.process, address: server.address,
                                                     uplinkNode: t.uplink, secret: secret, villages: villages)
        }
    }

    /// kill -9 of the county hub, then a fresh `hub serve` on a new port (uplinks pass `--to` each time).
    func restartCounty() throws {
        _ = countyServer.kill()
        countyServer = try Hamlet.startServer(dir: county.path)
    }

    /// kill -9 of a township's `hub serve`, then a fresh one on the same address (its nodes keep theirs).
    func restartTownship(_ township: String) throws {
        var t = try #require(townships[township])
        t.server.kill()
        _ = t.server.wait(timeout: .seconds(15))
        let p = try Hamlet.start(["hub", "serve", "--dir", t.hub.path, "--listen", t.address, "--no-web"])
        #expect(p.waitForLine(prefix: "listening ", in: .stdout, timeout: .seconds(15)) != nil, "the township hub serves again")
        t.server = p
        townships[township] = t
    }

    /// A township hub restored from a backup folder: its server stopped, `hub.sqlite` copied back (the uplink's
    /// folder stays), and served again on the same port so that its nodes keep their address.
    func restoreTownship(_ township: String, from backup: String) throws {
        var t = try #require(townships[township])
        t.server.terminate()
        _ = t.server.wait(timeout: .seconds(15))
        let fm = FileManager.default
        for suffix in ["", "-wal", "-shm"] { try? fm.removeItem(atPath: t.hub.file("hub.sqlite" + suffix)) }
        try fm.copyItem(atPath: (backup as NSString).appendingPathComponent("hub.sqlite"), toPath: t.hub.file("hub.sqlite"))
        let p = try Hamlet.start(["hub", "serve", "--dir", t.hub.path, "--listen", t.address, "--no-web"])
        #expect(p.waitForLine(prefix: "listening ", in: .stdout, timeout: .seconds(15)) != nil, "the restored hub serves")
        t.server = p
        townships[township] = t
    }

    subscript(_ node: String) -> HamletDir { nodes[node] ?? HamletDir(tmp.file("node-\(node)")) }

    /// The township a node belongs to.
    func township(of node: String) -> ProcTownshipTier? { townships.values.first { $0.villages[node] != nil } }

    /// `hub uplink` arguments for a township.
    func uplinkArgs(_ t: ProcTownshipTier) -> [String] {
        ["hub", "uplink", "--to", countyServer.address, "--node", t.uplinkNode, "--secret-file", t.secret, "--json"]
    }

    /// One uplink cycle, which must succeed.
    @discardableResult
    func uplink(_ township: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> ProcessResult {
        let t = try #require(townships[township], sourceLocation: sourceLocation)
        let r = try t.hub.run(uplinkArgs(t), timeout: .seconds(60))
        #expect(r.status == 0, "uplink \(township): \(r)", sourceLocation: sourceLocation)
        #expect(r.stdout.contains("\"verify\" : \"match\""), "uplink \(township) verifies: \(r.stdout)", sourceLocation: sourceLocation)
        return r
    }

    /// `hamlet sync` on a node, which must succeed.
    func sync(_ node: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let r = try self[node].run(["sync"])
        #expect(r.status == 0, "sync \(node): \(r)", sourceLocation: sourceLocation)
    }

    /// Rounds of: every node syncs, every township uplinks; twice over so that what came down reaches the nodes.
    func settle(rounds: Int = 2) throws {
        for _ in 0..<rounds {
            for n in nodes.keys.sorted() { try sync(n) }
            for t in townships.keys.sorted() { try uplink(t) }
        }
        for n in nodes.keys.sorted() { try sync(n) }
    }

    func store(_ dir: HamletDir) throws -> HubStore { try HubStore.open(directory: dir.path, readOnly: true) }

    /// Every row of some villages at a hub, deleted and merged-away ones too: id → (values, deleted, merged into).
    static func rows(_ store: HubStore, villages: [String], table: String) throws -> [String: String] {
        var out: [String: String] = [:]
        for v in villages {
            for r in try store.rows(table: table, village: v, includeDeleted: true) {
                let values = r.values.compactMapValues { $0.isNull ? nil : $0.description }.sorted { $0.key < $1.key }
                // A merge made in the township reaches the county as a delete (a node cannot merge): a tombstone's
                // pointer is compared where the county holds one (its own merges), in the tests that make them.
                out[r.id] = "\(values) deleted=\(r.deleted) merged=\(r.deleted ? "*" : r.mergedInto ?? "-")"
            }
        }
        return out
    }

    /// Every tier agrees: the county's rows of each township's villages equal the township's (live and not),
    /// with equal digests per scope; each node's visible rows equal its township's live rows of its village.
    func expectTiersAgree(sourceLocation: SourceLocation = #_sourceLocation) throws {
        let c = try store(county)
        for t in townships.values.sorted(by: { $0.name < $1.name }) {
            let h = try store(t.hub)
            let villages = try c.villages(ofTownship: t.name)
            #expect(Set(villages).isSuperset(of: Set(t.villages.values)), "the county knows \(t.name)'s villages: \(villages)",
                    sourceLocation: sourceLocation)
            for table in ["households", "people", "events", "visits", "benefits"] {
                let up = try Self.rows(c, villages: villages, table: table)
                let down = try Self.rows(h, villages: villages, table: table)
                #expect(up == down, "\(table) of \(t.name): county \(up.count) rows, township \(down.count)",
                        sourceLocation: sourceLocation)
            }
            // Digests hash versions, which are each hub's own hseqs: the uplink's replica is what compares with the
            // county's scope digest (`verify` of every uplink sync), checked by `uplink`.
            for (node, village) in t.villages {
                for table in ["households", "people", "events", "visits", "benefits"] {
                    var live: [String: [String: String]] = [:]
                    for row in try h.rows(table: table, village: village) {
                        live[row.id] = row.values.compactMapValues { $0.isNull ? nil : $0.description }
                    }
                    #expect(try self[node].rows(table) == live, "\(table) of \(node) equals \(t.name)'s \(village)",
                            sourceLocation: sourceLocation)
                }
                #expect(try self[node].log(pending: true).isEmpty, "nothing pending on \(node)", sourceLocation: sourceLocation)
            }
        }
    }

    func finish() {
        for t in townships.values {
            t.server.terminate()
            _ = t.server.wait(timeout: .seconds(5))
        }
        _ = countyServer.stop(timeout: .seconds(5))
        tmp.remove()
    }
}
