import Foundation
import HamletCore
import HamletNode
import HamletStore
import HamletTestSupport
import Testing

// The torture's local edits, its settling, and the end checks (see `TortureTests.swift`).

extension Torture {
    // MARK: Local edits

    /// `count` random adds, edits and deletes on `node`, each through `hamlet`; what exits 0 is recorded.
    /// - Parameter busyIsFine: a sync runs meanwhile, so 75 (busy) is an answer, not a failure.
    func localEdits(_ node: String, round: Int, count: Int, busyIsFine: Bool = false) throws {
        for _ in 0..<count {
            let known = rows[village(node)] ?? []
            let dice = roll(0...99)
            if dice < 30 || known.isEmpty {
                try add(node, round: round, busyIsFine: busyIsFine)
            } else if dice < 36 {
                try delete(node, pick(known), round: round, busyIsFine: busyIsFine)
            } else {
                try edit(node, pick(known), round: round, busyIsFine: busyIsFine)
            }
        }
    }

    /// Mostly one of five "hot" rows that both 北赵 nodes edit (the window moves on every 40 adds,
    /// so the hot rows are old enough for both nodes to hold them), else any row.
    func pick(_ known: [String]) -> String {
        let start = max(0, min(known.count - 5, (known.count / 40 - 1) * 40))
        return roll(0...9) < 6 ? known[roll(start...min(start + 4, known.count - 1))] : known[roll(0...known.count - 1)]
    }

    func nextNumber() -> Int {
        counter += 1
        return counter
    }

    func add(_ node: String, round: Int, busyIsFine: Bool) throws {
        let n = nextNumber()
        let sex = roll(0...1) == 0 ? "F" : "M"
        let birth = "19\(50 + n % 50)-0\(1 + n % 9)-1\(n % 9)"
        // Unique across the run: 500 sequences per region code.
        let id = Registry.nationalID(birth: birth, sex: sex, sequence: n % 500, region: 110101 + n / 500)
        let fields = ["name": "\(["bz1": "甲", "bz2": "乙", "nz": "丙"][node] ?? "丁")\(n)", "national_id": id,
                      "phone": "139\(String(format: "%08d", n))"]
        let args = ["add", "person", "--sex", sex, "--birth-date", birth] + fields.sorted { $0.key < $1.key }.flatMap { ["--\(flag($0.key))", $0.value] }
        let r = try town[node].run(args)
        guard r.status == 0 else { return refused(node, "add \(fields["name"] ?? "")", r, round: round, busyIsFine: busyIsFine) }
        let row = r.line
        rows[village(node), default: []].append(row)
        adds.insert(row)
        for (field, value) in fields { written.append(TortureWrite(round: round, node: node, row: row, field: field, value: value)) }
        log.append("r\(round) \(node) add \(row.suffix(8)) \(fields["name"] ?? "")")
    }

    func edit(_ node: String, _ row: String, round: Int, busyIsFine: Bool) throws {
        let n = nextNumber()
        let choices: [(String, String)] = [
            ("phone", "138\(String(format: "%08d", n))"),
            ("current_address", "\(village(node))\(n)号"),
            ("name", "改\(n)"),
            ("marital_status", ["single", "married", "divorced", "widowed"][roll(0...3)]),
        ]
        var fields: [(String, String)] = []
        for c in choices where roll(0...2) == 0 { fields.append(c) }
        if fields.isEmpty { fields.append(choices[roll(0...3)]) }
        let args = ["edit", "person", row] + fields.flatMap { ["--\(flag($0.0))", $0.1] }
        let text = fields.map { "\($0.0)=\($0.1)" }.joined(separator: " ")
        let r = try town[node].run(args)
        guard r.status == 0 else { return refused(node, "edit \(row.suffix(8)) \(text)", r, round: round, busyIsFine: busyIsFine) }
        for (field, value) in fields { written.append(TortureWrite(round: round, node: node, row: row, field: field, value: value)) }
        log.append("r\(round) \(node) edit \(row.suffix(8)) \(text)")
    }

    func delete(_ node: String, _ row: String, round: Int, busyIsFine: Bool) throws {
        let r = try town[node].run(["delete", "person", row])
        guard r.status == 0 else { return refused(node, "delete \(row.suffix(8))", r, round: round, busyIsFine: busyIsFine) }
        count("deletes")
        log.append("r\(round) \(node) delete \(row.suffix(8))")
    }

    /// The operator corrects a row at the hub (`hub edit` beside the serving hub): her value must not be
    /// lost either, and a node's concurrent edit of it opens a conflict (DESIGN rule 12).
    func operatorEdit(round: Int) throws {
        let known = rows[village(nodes[roll(0...2)])] ?? []
        guard !known.isEmpty else { return }
        let (row, n) = (pick(known), nextNumber())
        let (field, value) = [("phone", "137\(String(format: "%08d", n))"), ("name", "核\(n)"), ("current_address", "镇核\(n)号")][roll(0...2)]
        let r = try town.hub.run(["hub", "edit", "person", row, "--\(flag(field))", value, "--operator", "镇管理员", "--note", "torture"])
        log.append("r\(round) operator edit \(row.suffix(8)) \(field)=\(value) → exit \(r.status)")
        count("operator edits")
        switch r.status {
        case 0: written.append(TortureWrite(round: round, node: "@hub", row: row, field: field, value: value))
        // Not at the hub yet (66), held by a delete or unchanged (65), the store busy with a session (75).
        case 65, 66, 75: break
        default: unexpected.append("r\(round) operator edit \(row.suffix(8)): \(r)")
        }
    }

    /// 66: the row is not on this node (deleted here, or added by the other node and not pulled yet);
    /// 65 `no-change`: the field already holds the value (a marital status drawn twice).
    func refused(_ node: String, _ what: String, _ r: ProcessResult, round: Int, busyIsFine: Bool) {
        log.append("r\(round) \(node) \(what) → exit \(r.status)")
        if r.status == 66 || (r.status == 65 && r.stderr.contains("no-change")) || (busyIsFine && r.status == 75) { return }
        unexpected.append("r\(round) \(node) \(what): \(r)")
    }

    func flag(_ field: String) -> String { field.replacingOccurrences(of: "_", with: "-") }

    // MARK: Settling

    /// The hub restarted cleanly (SIGTERM), no faults, every node synced until a whole pass moves nothing.
    func settle() throws {
        town.proxy.plan([])
        if let s = town.stopHub() { log.append("settle: hub stopped → exit \(s.status)") }
        try town.startHub()
        for pass in 1...4 {
            var moved = 0
            for node in nodes {
                let r = try town[node].run(["sync", "--json"], timeout: .seconds(120))
                guard r.status == 0, let s = try? r.decode(SyncSummary.self) else {
                    fail("settling sync of \(node) failed: \(r)")
                    return
                }
                moved += s.pushed + s.pulled + (s.resynced ? 1 : 0)
                log.append("settle \(pass) \(node): pushed \(s.pushed) pulled \(s.pulled) conflicted \(s.conflicted) rejected \(s.rejected) verify \(s.verify)")
            }
            if moved == 0 { return }
        }
        fail("still moving after 4 settle passes")
    }

    // MARK: Checks

    func check() throws {
        if !unexpected.isEmpty {
            fail("\(unexpected.count) unexpected exit(s); first: \(unexpected.prefix(3).joined(separator: "\n"))")
        }
        let store = try town.store()
        try checkNothingLost(store)
        try checkNothingDoubled(store)
        try checkReplicas(store)
        try checkIntegrity(store)
    }

    /// Each value a node wrote is current at the hub, in its row's history, or a side of a conflict.
    func checkNothingLost(_ store: HubStore) throws {
        guard let people = store.schema.table(named: "people") else { return fail("the hub has no people table") }
        var held = Set<String>()
        let conflicts = try store.conflicts(status: nil, limit: 10_000_000)
        stats["conflicts at the hub"] = conflicts.count
        for c in conflicts {
            for v in [c.incoming, c.hubValue].compactMap({ $0 }) { held.insert("\(c.table)/\(c.row)/\(c.field ?? "")/\(v.description)") }
        }
        var lost: [String] = []
        var history: [String: [HistoryEntry]] = [:]
        for w in written {
            if let row = try store.row(people, id: w.row), row.values[w.field]?.description == w.value { continue }
            let h = try history[w.row] ?? store.history(table: "people", id: w.row)
            history[w.row] = h
            if h.contains(where: { $0.values[w.field]?.description == w.value }) { continue }
            if held.contains("people/\(w.row)/\(w.field)/\(w.value)") { continue }
            lost.append("r\(w.round) \(w.node) people \(w.row) \(w.field)=\(w.value)")
        }
        if !lost.isEmpty { fail("\(lost.count) of \(written.count) written values lost: \(lost.prefix(10).joined(separator: "; "))") }
    }

    /// One hub row per add, each change once in the hub's log, each node's seqs all there.
    func checkNothingDoubled(_ store: HubStore) throws {
        let atHub = try store.rows(table: "people", includeDeleted: true).map(\.id)
        if atHub.count != adds.count || Set(atHub) != adds {
            fail("the hub holds \(atHub.count) people rows for \(adds.count) adds; extra \(Set(atHub).subtracting(adds).sorted().prefix(5)), missing \(adds.subtracting(atHub).sorted().prefix(5))")
        }
        let file = try store.sqliteFile()
        defer { file.close() }
        let twice = try file.rows("SELECT node, seq, count(*) FROM log GROUP BY node, seq HAVING count(*) > 1")
        if !twice.isEmpty { fail("\(twice.count) (node, seq) applied more than once") }
        for node in nodes {
            let log = try town[node].log()
            let rejected = log.filter { ($0["state"] as? String) == "rejected" }
            if !rejected.isEmpty { fail("\(node): \(rejected.count) change(s) rejected: \(rejected.prefix(3))") }
            let held = try file.scalar("SELECT count(*) FROM log WHERE node = ?1", [.text(node)]).integer ?? -1
            if Int(held) != log.count - rejected.count { fail("\(node): the hub's log holds \(held) of its \(log.count - rejected.count) changes") }
            let last = try store.lastSeq(node: node)
            if last != Int64(log.count) { fail("\(node): the hub's last seq \(last), the node's log \(log.count)") }
        }
    }

    /// `hamlet verify` says match, nothing pending, and every node's people equal the hub's live rows of its village.
    func checkReplicas(_ store: HubStore) throws {
        for node in nodes {
            let dir = town[node]
            let v = try dir.run(["verify"])
            if v.status != 0 || !v.stdout.hasPrefix("match") { fail("verify \(node): \(v)") }
            let pending = try dir.log(pending: true)
            if !pending.isEmpty { fail("\(node): \(pending.count) change(s) still pending") }
            var live: [String: [String: String]] = [:]
            for row in try store.rows(table: "people", village: village(node)) {
                live[row.id] = row.values.compactMapValues { $0.isNull ? nil : $0.description }
            }
            let visible = try dir.rows("people")
            if visible != live {
                let differ = visible.keys.filter { live[$0] != nil && live[$0] != visible[$0] }.sorted()
                fail("people of \(node) differ from the hub's \(village(node)): extra \(Set(visible.keys).subtracting(live.keys).sorted()), missing \(Set(live.keys).subtracting(visible.keys).sorted()), differing \(differ)")
            }
        }
    }

    /// `PRAGMA integrity_check` on the hub's store and every replica. A `.resync` file a killed
    /// resync left behind is only counted: the next rebuild removes it.
    func checkIntegrity(_ store: HubStore) throws {
        var files = [("hub", try store.sqliteFile())]
        for node in nodes {
            files.append((node, try Connection(path: Replica.path(in: town[node].path))))
            let names = (try? FileManager.default.contentsOfDirectory(atPath: town[node].path)) ?? []
            let stale = names.filter { $0.hasSuffix(".resync") }.count
            if stale > 0 { stats["stale .resync files at the end", default: 0] += stale }
        }
        for (name, file) in files {
            let result = try file.scalar("PRAGMA integrity_check").description
            if result != "ok" { fail("integrity_check of \(name): \(result)") }
            file.close()
        }
    }
}
