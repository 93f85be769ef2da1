import Foundation
import HamletCore
import HamletStore
import HamletTestSupport
import Testing

/// The simulated township: a hub, six honest nodes with replicas, a hostile node, an operator.
struct Simulation {
    static let villages = ["东村", "西村", "南村"]
    static let names = ["王芳", "李娜", "张伟", "刘洋", "陈静", "杨磊", "赵敏", "黄强", "周杰", "吴芳", "徐丽", "孙涛"]

    var rng: SeedRandom
    let root: TempDir
    /// The hub; replaced by a reopened store when a backup is restored (`SimulationRestore.swift`).
    var hub: HubStore
    /// A second connection on the hub's file, for the rule checks' lookups.
    var inspector: Connection
    /// The hub's identity settings as created, for the determinism replay (a restore changes epoch and lineage).
    var initialMeta: [String: String] = [:]
    var nodes: [SimNode] = []
    var hostile: HostileNode
    var events: [SimEvent] = []
    /// Simulated wall time, set in the 2090s: a resync's rebuild absorbs the real wall clock into the
    /// node's HLC, which must stay behind the simulated one for a seed to replay the same history.
    var clock: Int64 = 4_000_000_000_000
    /// Every value a node wrote: (node, seq, table, row, field, value).
    var written: [(String, Int64, String, String, String, Value)] = []
    /// National IDs registered so far, with the birth date and sex they encode.
    var people: [(id: String, birth: String, sex: String)] = []
    /// The `seq`s each honest node has pushed at least once.
    var pushed: [String: Set<Int64>] = [:]
    /// Rules the hub broke, found after the step that broke them (reported by `checkOperatorRules`).
    var findings: [Finding] = []
    /// The operator's dismissals (非同一人) by pair (`pairKey`): the shared ID and the hub head when dismissed.
    var dismissals: [String: (value: Value, at: Int64)] = [:]
    /// Every value an operator action wrote (edit, resolve): (hseq, table, row, field, value).
    var operatorWritten: [(hseq: Int64, table: String, row: String, field: String, value: Value)] = []
    /// The hub backup not yet restored, and what the simulation knew when it was taken.
    var backup: SimBackup?
    /// Nodes whose sessions still failed in the last settle round (the known resync failure, deadlocked).
    var stuck: [String] = []
    /// Honest changes the hub once applied ("node/seq").
    var taken: Set<String> = []
    var stats = Stats()

    struct Stats: CustomStringConvertible {
        var steps = 0
        var edits = 0, inserts = 0, deletes = 0, transfers = 0, duplicates = 0, pushes = 0, lostAcks = 0, pulls = 0
        var refused = 0, changes = 0
        /// Visits and events written (they follow a person who moves), moves (`move person`), receptions, and the
        /// moves between villages the 通报 counts as received at the end.
        var records = 0, moves = 0, receptions = 0, receivedMoves = 0
        var conflictsOpened: [ConflictKind: Int] = [:]
        var hostileBatches = 0, hostileGaps = 0, hostileForged = 0, hostileReused = 0, hostileNonPositive = 0, hostileOwn = 0
        var operatorDone: Int { operatorOK.values.reduce(0, +) }
        var operatorOK: [String: Int] = [:]
        var operatorRefused: [String: Int] = [:]
        var dismissals: Int { operatorOK["dismiss", default: 0] }
        /// Backup and restore: copies taken, restores, operator writes a restore lost (the known limit), changes
        /// nodes requeued at login or on a gap, sessions that resynced, changes re-sent after a gap, results `parked`.
        var backups = 0, restores = 0, operatorLost = 0, requeued = 0, resyncs = 0, repushed = 0, parked = 0
        /// Sessions whose resync failed (a known Sources bug, `SimulationReproTests`), and settle rounds needed.
        var resyncFailures = 0, settleRounds = 0
        /// Honest changes rejected above the restored hub's `lastSeq` that no later change of the node carried back.
        var rejectedTailUnsent = 0
        /// Honest changes applied before a restore and rejected when sent again, by code.
        var rejectedAfterRestore: [String: Int] = [:]
        /// Live pairs sharing an ID at the end: held closed by a dismissal, and reopened after one (an ID written again).
        var dismissedHeld = 0, dismissedReopened = 0
        var description: String {
            let ops = operatorOK.map { "\($0.key) \($0.value)" }.sorted().joined(separator: ", ")
            let refusedOps = operatorRefused.map { "\($0.key) \($0.value)" }.sorted().joined(separator: ", ")
            let opened = conflictsOpened.map { "\($0.key.rawValue) \($0.value)" }.sorted().joined(separator: ", ")
            return "\(steps) steps, \(changes) changes (\(inserts) inserts, \(edits) edits, \(deletes) deletes, \(transfers) transfers, "
                + "\(records) visits/events, \(moves) moves, \(receptions) receptions (\(receivedMoves) received moves in the 通报), "
                + "\(duplicates) duplicate registrations, \(refused) refused locally), \(pushes) pushes (\(lostAcks) lost acks), "
                + "\(pulls) pulls; conflicts opened: \(opened); hostile: \(hostileBatches) batches (\(hostileOwn) own changes, "
                + "\(hostileForged) forged, \(hostileGaps) gaps refused, \(hostileReused) seqs re-used, \(hostileNonPositive) seq ≤ 0); "
                + "operator: \(ops) (refused: \(refusedOps)); restore: \(backups) backups, \(restores) restores "
                + "(\(operatorLost) operator writes lost with them), \(requeued) requeued, \(resyncs) resyncs, \(repushed) re-sent after a gap, "
                + "\(parked) parked results, \(rejectedTailUnsent) rejected tail changes not re-sent, \(resyncFailures) failed resyncs "
                + "(known), \(settleRounds) settle rounds, rejected after a restore: \(rejectedAfterRestore.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }); "
                + "dismissed pairs at the end: "
                + "\(dismissedHeld) held closed, \(dismissedReopened) reopened"
        }
    }

    init(seed: UInt64, root: TempDir) throws {
        rng = SeedRandom(seed: seed)
        self.root = root
        hub = try HubStore.create(directory: root.file("hub"))
        inspector = try hub.sqliteFile()
        for key in ["hub_id", "epoch", "lineage", "time_zone"] { initialMeta[key] = try hub.meta(key) }
        var n = 0
        for v in Simulation.villages {
            for _ in 0..<2 {
                n += 1
                let dir = root.file("node\(n)")
                let r = try Replica.create(directory: dir, node: "n\(n)", village: v, hub: nil, secretFile: nil)
                try r.setHub(id: try hub.hubID(), epoch: try hub.epoch())
                try hub.addNode(id: "n\(n)", village: v, secretHash: "", wallMillis: clock)
                // Clocks skewed by up to ±3 days.
                let skew = Int64(rng.int(-3 * 86_400...3 * 86_400)) * 1000
                nodes.append(SimNode(id: "n\(n)", village: v, directory: dir, skewMillis: skew, replica: r))
            }
        }
        // The hostile node is registered like the others (a stolen laptop, a buggy client).
        hostile = HostileNode(village: Simulation.villages[rng.below(Simulation.villages.count)])
        try hub.addNode(id: HostileNode.id, village: hostile.village, secretHash: "", wallMillis: clock)
    }

    func wall(_ i: Int) -> Int64 { clock + nodes[i].skewMillis }

    // MARK: Random steps

    /// `HAMLET_SIM_TRACE=1`: check rules 6 and 8 after every step and print the step that first breaks one.
    static let trace = ProcessInfo.processInfo.environment["HAMLET_SIM_TRACE"] == "1"

    mutating func run(steps: Int) throws {
        var seen = Set<String>()
        for step in 0..<steps {
            clock += Int64(rng.int(1...5_000))
            let roll = rng.below(100)
            let i = rng.below(nodes.count)
            var actor = nodes[i].id
            do {
                switch roll {
                case 0..<5:
                    actor = HostileNode.id
                    try hostileStep()
                case 5..<8:
                    actor = "operator"
                    // `hamlet hub backup`, and now and then the hub started again from the copy.
                    switch rng.below(100) {
                    case 0..<4: try takeBackup()
                    case 4..<7 where backup != nil: try restoreBackup()
                    default: try operatorStep()
                    }
                case 8..<39: try edit(i)
                case 39..<42: try addRecord(i)
                case 42..<55: try insertPerson(i)
                case 55..<59: try insertHousehold(i)
                case 59..<63: try duplicate(i)
                case 63..<67: try delete(i)
                case 67..<69: try transfer(i)
                case 69..<70: try move(i)
                case 70..<71: try receive(i)
                case 71..<86: try push(i, limit: rng.int(1...20), loseAck: rng.chance(20))
                default: try pull(i, pages: rng.chance(50) ? 1 : Int.max, limit: rng.int(1...15))
                }
            } catch {
                throw SimulationFailure(step: step, actor: actor, roll: roll, underlying: "\(error)")
            }
            stats.steps += 1
            if Simulation.trace {
                let now = try ruleViolations()
                var what = ""
                if actor == "operator", case .operatorAction(let s, _, let outcome)? = events.last { what = " \(s) → \(outcome)" }
                for f in now where !seen.contains(f.detail) {
                    print("trace: step \(step) by \(actor) (roll \(roll))\(what) breaks rule \(f)")
                }
                for d in seen.subtracting(now.map(\.detail)) { print("trace: step \(step) by \(actor) (roll \(roll))\(what) mends: \(d)") }
                seen = Set(now.map(\.detail))
            }
        }
    }

    /// Everyone (the hostile node too, when a restore lost what it sent) pushes everything once, as a
    /// session does, then pulls everything; at least twice, and again while a session failed (up to 8 rounds).
    mutating func settle() throws {
        for round in 1...8 {
            stats.settleRounds = round
            var failed: [String] = []
            if !hostile.resend.isEmpty { try hostileResend() }
            for i in nodes.indices {
                do { try login(i) } catch let f as SessionFailed {
                    failed.append(f.node)
                    continue
                }
                var after: Int64 = 0
                while let last = try push(i, limit: 50, loseAck: false, after: after, login: false) { after = last }
            }
            for i in nodes.indices where !failed.contains(nodes[i].id) { try pull(i, pages: .max, limit: 50) }
            stuck = failed
            if round >= 2 && failed.isEmpty { return }
        }
    }

    mutating func local(_ i: Int, _ write: () throws -> LocalWrite, fields: Fields, table: String) throws {
        do {
            let w = try write()
            stats.changes += 1
            for (k, v) in fields { written.append((nodes[i].id, w.seq, table, w.id, k, v)) }
        } catch is ReplicaError {
            stats.refused += 1
        }
    }

    mutating func randomRow(_ i: Int, table: String) throws -> (String, Fields)? {
        let rows = try nodes[i].replica.list(table: table)
        return rows.isEmpty ? nil : rows[rng.below(rows.count)]
    }

    mutating func personValues(village: String, household: String?) -> Fields {
        let birth = CalendarDate(year: rng.int(1940...2020), month: rng.int(1...12), day: rng.int(1...28)) ?? CalendarDate(year: 1980, month: 1, day: 1)!
        let sex = rng.chance(50) ? "M" : "F"
        let sequence = rng.below(500) * 2 + (sex == "M" ? 1 : 0)
        let nid = NationalID.make(region: 430521, birth: birth, sequence: sequence)
        people.append((nid, birth.description, sex))
        var f: Fields = ["village": .text(village), "name": .text(rng.pick(Simulation.names)), "sex": .text(sex),
                         "birth_date": .text(birth.description), "national_id": .text(nid)]
        if let household { f["household"] = .text(household) }
        return f
    }

    mutating func insertPerson(_ i: Int) throws {
        let household = rng.chance(50) ? try randomRow(i, table: "households")?.0 : nil
        let values = personValues(village: nodes[i].village, household: household)
        try insert(i, table: "people", values: values)
        stats.inserts += 1
    }

    mutating func insertHousehold(_ i: Int) throws {
        let values: Fields = ["village": .text(nodes[i].village), "address": .text("\(rng.int(1...99))号")]
        try insert(i, table: "households", values: values)
        stats.inserts += 1
    }

    /// Registers a person already registered (perhaps in another village): same national ID.
    mutating func duplicate(_ i: Int) throws {
        guard !people.isEmpty else { return try insertPerson(i) }
        let p = rng.pick(people)
        let values: Fields = ["village": .text(nodes[i].village), "name": .text(rng.pick(Simulation.names)), "sex": .text(p.sex),
                              "birth_date": .text(p.birth), "national_id": .text(p.id)]
        try insert(i, table: "people", values: values)
        stats.duplicates += 1
    }

    mutating func insert(_ i: Int, table: String, values: Fields) throws {
        var idRNG = SeedRandom(seed: rng.next())
        let r = nodes[i].replica
        let wall = wall(i)
        let author = "clerk-\(nodes[i].id)"
        try local(i, { try r.insert(table: table, values: values, author: author, wallMillis: wall, rng: &idRNG) },
                  fields: values, table: table)
    }

    mutating func randomEdit(table: String) -> Fields {
        var values: Fields = [:]
        if table == "people" {
            switch rng.below(6) {
            case 0: values["name"] = .text(rng.pick(Simulation.names))
            case 1: values["phone"] = rng.chance(10) ? .null : .text("139\(String(rng.int(10_000_000...99_999_999)))")
            case 2: values["marital_status"] = .text(rng.pick(["single", "married", "divorced", "widowed"]))
            case 3: values["residence"] = .text(rng.pick(["resident", "moved_out", "moved_in"]))
            case 4: values["current_address"] = .text("\(rng.pick(Simulation.villages))\(rng.int(1...50))号")
            default:
                values["name"] = .text(rng.pick(Simulation.names))
                values["marital_status"] = .text(rng.pick(["single", "married"]))
            }
        } else {
            values["address"] = .text("\(rng.int(1...99))号")
        }
        return values
    }

    mutating func edit(_ i: Int) throws {
        let table = rng.chance(85) ? "people" : "households"
        guard let (id, _) = try randomRow(i, table: table) else { return }
        var values = randomEdit(table: table)
        if table == "people", rng.chance(3), !people.isEmpty {
            // 纠错: the clerk corrects the ID with its birth date and sex, often to one another row holds
            // (a dismissed pair's ID written again, or a new duplicate).
            let p = rng.pick(people)
            values = ["national_id": .text(p.id), "birth_date": .text(p.birth), "sex": .text(p.sex)]
        }
        let r = nodes[i].replica
        let wall = wall(i)
        let author = "clerk-\(nodes[i].id)"
        try local(i, { try r.update(table: table, id: id, values: values, author: author, wallMillis: wall) },
                  fields: values, table: table)
        stats.edits += 1
    }

    mutating func delete(_ i: Int) throws {
        let table = rng.chance(80) ? "people" : "households"
        guard let (id, _) = try randomRow(i, table: table) else { return }
        let r = nodes[i].replica
        let wall = wall(i)
        let author = "clerk-\(nodes[i].id)"
        try local(i, { try r.delete(table: table, id: id, author: author, wallMillis: wall) }, fields: [:], table: table)
        stats.deletes += 1
    }

    /// 迁出: hands a row to another village.
    mutating func transfer(_ i: Int) throws {
        guard let (id, _) = try randomRow(i, table: "people") else { return }
        let to = rng.pick(Simulation.villages.filter { $0 != nodes[i].village })
        let values: Fields = ["village": .text(to)]
        let r = nodes[i].replica
        let wall = wall(i)
        let author = "clerk-\(nodes[i].id)"
        try local(i, { try r.update(table: "people", id: id, values: values, author: author, wallMillis: wall) },
                  fields: values, table: "people")
        stats.transfers += 1
    }

    /// What the client does for one push: pending changes, oldest first, reconciled; the ack recorded unless lost.
    /// An honest push is never refused as a gap, never told `seq-reused` or `invalid-change`, never gets a
    /// "re-sent" result for a `seq` it has not pushed before, and leaves `lastSeq` at the highest `seq` it pushed.
    /// Each call is a session: it logs in first (`login`) unless `login` is false. After a restore, a batch
    /// refused as a gap (a change the node holds rejected above the hub's `lastSeq`) is answered as the client
    /// does: everything from the `seq` the hub expects is sent again (`repush`).
    /// - Returns: the highest `seq` sent, or nil when nothing was pending after `after`.
    @discardableResult
    mutating func push(_ i: Int, limit: Int, loseAck: Bool, after: Int64 = 0, login: Bool = true) throws -> Int64? {
        if login {
            do { try self.login(i) } catch is SessionFailed { return nil }
        }
        let changes = try nodes[i].replica.pendingChanges(limit: limit, after: after)
        guard !changes.isEmpty else { return nil }
        let node = nodes[i].id
        let source = BatchSource(node: node, village: nodes[i].village)
        let results: [ChangeResult]
        let head = try hub.head()
        do {
            results = try hub.reconcile(changes, from: source, wallMillis: clock)
        } catch let gap as SeqGap {
            try answerGap(i, gap, seqs: changes.map(\.seq))
            return try repush(i, from: gap.expected)
        }
        try took(i, changes, results, head: head, loseAck: loseAck)
        return changes.map(\.seq).max()
    }

    /// Checks and records what the hub answered to an honest batch.
    mutating func took(_ i: Int, _ changes: [Change], _ results: [ChangeResult], head: Int64, loseAck: Bool) throws {
        let node = nodes[i].id
        let source = BatchSource(node: node, village: nodes[i].village)
        events.append(.batch(RecordedBatch(changes: changes, source: source, wallMillis: clock)))
        note(try breaches(since: head), cause: "push", what: "push by \(node) of seqs \(changes.map(\.seq))")
        #expect(results.map(\.seq) == changes.map(\.seq))
        var mine = pushed[node, default: []]
        for (c, r) in zip(changes, results) {
            if r.resent && !mine.contains(c.seq) {
                Issue.record("\(node) seq \(c.seq) pushed for the first time got a re-sent result (\(r.status.rawValue) \(r.code ?? "")): the hub held it from someone else")
            }
            if r.code == Rejection.Code.seqReused.rawValue || r.code == Rejection.Code.invalidChange.rawValue {
                Issue.record("honest \(node) seq \(c.seq) refused as \(r.code ?? ""): \(r.message ?? "")")
            }
            mine.insert(c.seq)
            let key = "\(node)/\(c.seq)"
            switch r.status {
            case .parked: stats.parked += 1
            case .applied, .conflict: taken.insert(key)
            case .rejected:
                // Taken by the hub before a restore, refused when sent again after it: the clerk sees the rejection.
                if taken.contains(key) {
                    stats.rejectedAfterRestore["\(r.code ?? "")", default: 0] += 1
                    Issue.record("\(node) seq \(c.seq), taken before a restore, refused when sent again: \(r.code ?? "") \(r.message ?? "")")
                }
            }
        }
        try checkParked(cause: "push", what: "push by \(node) of seqs \(changes.map(\.seq))")
        pushed[node] = mine
        let highest = mine.max() ?? 0
        #expect(mine.count == Int(highest), "\(node) pushed every seq up to its highest")
        let last = try hub.lastSeq(node: node)
        if last != highest { Issue.record("lastSeq of \(node) is \(last) after it pushed up to \(highest)") }
        stats.pushes += 1
        if loseAck {
            stats.lostAcks += 1
        } else {
            try nodes[i].replica.recordResults(results, wallMillis: wall(i))
        }
    }

    /// What the client does for a pull (a session: it logs in first): pages after the cursor, each applied with its cursor.
    mutating func pull(_ i: Int, pages: Int, limit: Int) throws {
        do { try login(i) } catch is SessionFailed { return }
        var n = 0
        while n < pages {
            let cursor = try nodes[i].replica.info().cursor
            let page = try hub.pull(village: nodes[i].village, after: cursor, limit: limit)
            try nodes[i].replica.applyPage(page.items, cursor: page.cursor, hubClock: try hub.clock(), wallMillis: wall(i))
            n += 1
            if page.done { break }
        }
        stats.pulls += 1
    }
}
