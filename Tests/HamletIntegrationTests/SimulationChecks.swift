import Foundation
import HamletCore
import HamletStore
import HamletTestSupport
import Testing

extension Simulation {
    /// Every replica equals the hub's live rows of its village, with nothing pending.
    func checkConvergence() throws {
        for n in nodes {
            let r = n.replica
            #expect(try r.log(pendingOnly: true).isEmpty, "\(n.id) has nothing pending")
            let hubDigest = try hub.digest(village: n.village)
            #expect(hubDigest == (try hub.fullDigest(village: n.village)), "the hub's maintained digest of \(n.village) equals a full count")
            #expect(try r.digest() == hubDigest, "digest of \(n.id) (\(n.village)) equals the hub's")
            #expect(try r.digest() == r.fullDigest(), "the maintained digest of \(n.id) equals a full count")
            for t in r.schema.tables {
                var visible: [String: Fields] = [:]
                for (id, f) in try r.list(table: t.name, limit: 1_000_000) { visible[id] = f }
                var live: [String: Fields] = [:]
                for row in try hub.snapshot(village: n.village, table: t, afterID: "", limit: 1_000_000) where !row.deleted {
                    live[row.id] = row.values
                }
                if visible != live {
                    let extra = Set(visible.keys).subtracting(live.keys).sorted()
                    let missing = Set(live.keys).subtracting(visible.keys).sorted()
                    let differ = visible.keys.filter { live[$0] != nil && live[$0] != visible[$0] }.sorted()
                    Issue.record("visible \(t.name) of \(n.id) differs from the hub: extra \(extra), missing \(missing), differing \(differ)")
                }
            }
        }
    }

    /// Every value a node wrote (and the hub did not reject) is current, in its row's history, or held in a conflict;
    /// so is every value the operator wrote, except what a restore lost (operator actions after the backup it
    /// restored: DESIGN's known limit, dropped from `operatorWritten` by `restoreBackup`).
    func checkNothingLost() throws {
        let conflicts = try hub.conflicts(status: nil, limit: 10_000_000)
        var held: [String: Set<Value>] = [:]
        for c in conflicts {
            for v in [c.incoming, c.hubValue].compactMap({ $0 }) { held["\(c.table)/\(c.row)/\(c.field ?? "")", default: []].insert(v) }
        }
        var rejected = Set<String>()
        var historyCache: [String: [HistoryEntry]] = [:]
        for n in nodes {
            for c in try n.replica.log(pendingOnly: false) where c.state == "rejected" { rejected.insert("\(n.id)/\(c.change.seq)") }
        }
        // A change the hub took before a restore and rejects when it comes again (the hostile node's included).
        for r in try inspector.rows("SELECT node, seq FROM rejected") { rejected.insert("\(try r.text(0))/\(try r.int(1))") }
        var lost = 0
        let operatorValues = operatorWritten.map { (NodeID.hub, $0.hseq, $0.table, $0.row, $0.field, $0.value) }
        for (node, seq, table, row, field, value) in written + operatorValues {
            if node != NodeID.hub && rejected.contains("\(node)/\(seq)") { continue }
            guard let t = hub.schema.table(named: table) else { continue }
            if let current = try hub.row(t, id: row), (current.values[field] ?? .null) == value { continue }
            let key = "\(table)/\(row)"
            let history = try historyCache[key] ?? hub.history(table: table, id: row)
            historyCache[key] = history
            if history.contains(where: { ($0.values[field] ?? .null) == value && ($0.values[field] != nil || value.isNull) }) { continue }
            if held["\(table)/\(row)/\(field)"]?.contains(value) == true { continue }
            lost += 1
            if lost <= 5 { Issue.record("value lost: \(node) \(node == NodeID.hub ? "hseq" : "seq") \(seq) \(table) \(row) \(field)") }
        }
        #expect(lost == 0)
    }

    /// What the hub holds under each node's id is that node's own, whole and in order:
    /// - under an honest node, exactly its seqs 1…n, each with its own content hash, in the table
    ///   matching the node's recorded outcome; rejections only for the change's own reasons;
    /// - `lastSeq` of an honest node is its log's length; of the hostile node, the rules' model;
    /// - under the hostile node, exactly what it sent with its new seqs; no forgery ever in the log;
    /// - no `seq` below 1 recorded, no change recorded under an unregistered id.
    mutating func checkIdentity() throws {
        let file = try hub.sqliteFile()
        defer { file.close() }
        var records: [String: [Int64: (hash: String, table: String, code: String?)]] = [:]
        for (table, codeColumn) in [("log", "NULL"), ("rejected", "code"), ("parked", "NULL")] {
            for r in try file.rows("SELECT node, seq, hash, \(codeColumn) FROM \(table) WHERE node <> ?1", [.text(NodeID.hub)]) {
                let (node, seq, hash) = (try r.text(0), try r.int(1), try r.text(2))
                if records[node, default: [:]][seq] != nil { Issue.record("\(node) seq \(seq) recorded twice") }
                records[node, default: [:]][seq] = (hash, table, r.optionalText(3))
            }
        }
        let registered = Set(nodes.map(\.id) + [HostileNode.id])
        for node in records.keys where !registered.contains(node) {
            Issue.record("the hub holds \(records[node]?.count ?? 0) change(s) under \(node), which no session sent as itself")
        }
        for n in nodes {
            var log = try n.replica.log(pendingOnly: false)
            let mine = records[n.id] ?? [:]
            // After a restore, changes the node holds rejected above the hub's lastSeq go back only with the
            // node's next change (the client re-sends them when that one meets a gap): only such a tail may be missing.
            let tail = log.sorted { $0.change.seq < $1.change.seq }.reversed().prefix { mine[$0.change.seq] == nil && $0.state == "rejected" }
            if !tail.isEmpty {
                if stats.restores == 0 { Issue.record("\(n.id): the hub lacks rejected seqs \(tail.map(\.change.seq)) with no restore") }
                let unsent = Set(tail.map(\.change.seq))
                stats.rejectedTailUnsent += unsent.count
                log.removeAll { unsent.contains($0.change.seq) }
            }
            #expect(Set(mine.keys) == Set(log.map(\.change.seq)), "\(n.id): the hub holds exactly the node's seqs")
            #expect(mine.count == log.count && Set(1...Int64(max(log.count, 1))).isSuperset(of: mine.keys))
            #expect(try hub.lastSeq(node: n.id) == Int64(log.count), "lastSeq of \(n.id) equals its log's length")
            var wrong = 0
            for c in log {
                guard let rec = mine[c.change.seq] else { continue }
                let expectedTable = c.state == "rejected" ? "rejected" : "log"
                if rec.hash != c.change.contentHash || rec.table != expectedTable || (c.state == "rejected" && rec.code != c.code) {
                    wrong += 1
                    if wrong <= 5 {
                        Issue.record("\(n.id) seq \(c.change.seq) (\(c.state) \(c.code ?? "")): hub holds \(rec.table) \(rec.code ?? "") with \(rec.hash == c.change.contentHash ? "its" : "other") content")
                    }
                }
                if c.state == "rejected", c.code == Rejection.Code.seqReused.rawValue || c.code == Rejection.Code.invalidChange.rawValue {
                    Issue.record("honest \(n.id) seq \(c.change.seq) rejected as \(c.code ?? "")")
                }
            }
        }
        let theirs = records[HostileNode.id] ?? [:]
        #expect(Set(theirs.keys) == Set(hostile.held.keys), "the hub holds exactly the seqs the hostile node used")
        #expect(try hub.lastSeq(node: HostileNode.id) == hostile.highest)
        for (seq, rec) in theirs {
            if rec.hash != hostile.held[seq]?.change.contentHash { Issue.record("hostile seq \(seq): the hub holds other content than first sent") }
            if rec.table == "log", hostile.forged.contains(rec.hash) { Issue.record("hostile seq \(seq): a forgery is in the hub's log") }
        }
        for table in ["log", "rejected", "parked"] {
            #expect(try file.scalar("SELECT count(*) FROM \(table) WHERE seq < 1 AND node <> ?1", [.text(NodeID.hub)]).integer == 0,
                    "no seq below 1 recorded in \(table)")
        }
    }

    /// Replays what reached the hub (batches and operator actions, in order; a restore cut the history back
    /// to its backup and forked the epoch) into a fresh hub with the same identity and compares canonical
    /// dumps; each operator action must have the same outcome.
    func checkDeterminism() throws {
        let replay = try HubStore.create(directory: root.file("replay"))
        for (key, v) in initialMeta { try replay.setMeta(key, v) }
        try replay.setMeta("hlc", "")
        for n in try hub.nodes() { try replay.addNode(id: n.id, village: n.village, secretHash: n.secretHash, wallMillis: n.addedAt) }
        for e in events {
            switch e {
            case .batch(let b): _ = try replay.reconcile(b.changes, from: b.source, wallMillis: b.wallMillis)
            case .operatorAction(let step, let action, let outcome):
                let again = try step.perform(on: replay, action: action)
                if again != outcome { Issue.record("replayed \(step): \(again), first \(outcome)") }
            case .restore(let epoch, let lineage):
                try replay.setMeta("epoch", epoch)
                try replay.setMeta("lineage", lineage)
            }
        }
        let a = try Simulation.dump(hub)
        let b = try Simulation.dump(replay)
        #expect(a.count == b.count)
        if let i = a.indices.first(where: { $0 < b.count && a[$0] != b[$0] }) {
            Issue.record("replay diverges at dump line \(i): \(a[i]) vs \(b[i])")
        }
    }

    /// Rows with versions, the log, conflicts, rejections, parked changes and departures, in a stable order.
    static func dump(_ h: HubStore) throws -> [String] {
        let file = try h.sqliteFile()
        defer { file.close() }
        var out: [String] = []
        func add(_ sql: String) throws {
            for r in try file.rows(sql) { out.append(r.values.map(\.description).joined(separator: "|")) }
        }
        for t in h.schema.tables {
            // `_sort` is a lazily filled cache for lists, not state.
            let columns = try file.rows("SELECT name FROM pragma_table_info(?1) WHERE name <> '_sort'", [.text(t.name)])
                .map { "\"\(try $0.text(0))\"" }.joined(separator: ", ")
            try add("SELECT \(columns) FROM \"\(t.name)\" ORDER BY id")
        }
        try add("SELECT * FROM log ORDER BY hseq")
        try add("SELECT * FROM conflicts ORDER BY id")
        try add("SELECT * FROM rejected ORDER BY node, seq")
        try add("SELECT * FROM parked ORDER BY node, seq")
        try add("SELECT * FROM departures ORDER BY hseq, tbl, id")
        try add("SELECT value FROM meta WHERE key = 'hlc'")
        return out
    }
}
