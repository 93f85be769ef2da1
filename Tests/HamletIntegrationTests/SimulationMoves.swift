import Foundation
import HamletCore
import HamletStore
import HamletTestSupport
import Testing

/// Issue 15 item 6: moves and receptions in the seeded simulation. A node moves a person of its village (with the
/// events and visits written about her) to another village while the other nodes go on offline: the second node of
/// the sending village may still edit her or add a visit for her, the receiving village may receive her before or
/// after those edits arrive, and both of its nodes may receive her. Every write is recorded from the node's own log,
/// so the common checks (nothing lost, nothing twice, replicas equal to the hub) cover every change a move or a
/// reception made.
extension Simulation {
    /// Writes made by `body` on node `i`, read back from its log and recorded in `written`.
    mutating func recorded(_ i: Int, _ body: (Replica) throws -> Void) throws {
        let r = nodes[i].replica
        let before = try r.log(pendingOnly: false).last?.change.seq ?? 0
        try body(r)
        for c in try r.log(pendingOnly: false) where c.change.seq > before {
            stats.changes += 1
            for (k, v) in c.change.values { written.append((nodes[i].id, c.change.seq, c.change.table, c.change.row, k, v)) }
        }
    }

    /// A visit or an event about a person of the village: what follows her when she moves.
    mutating func addRecord(_ i: Int) throws {
        guard let (person, _) = try randomRow(i, table: "people") else { return }
        let day = CalendarDate(year: 2026, month: rng.int(1...12), day: rng.int(1...28))?.description ?? "2026-01-01"
        var values: Fields = ["village": .text(nodes[i].village), "person": .text(person), "date": .text(day)]
        let table = rng.chance(50) ? "visits" : "events"
        values["kind"] = .text(table == "visits" ? "health_check" : rng.pick(["marriage", "divorce"]))
        try insert(i, table: table, values: values)
        stats.records += 1
    }

    /// 迁出 (`hamlet move person`): a person of the village and her rows go to another village as one unit.
    mutating func move(_ i: Int) throws {
        guard let (person, _) = try randomRow(i, table: "people") else { return }
        let to = rng.pick(Simulation.villages.filter { $0 != nodes[i].village })
        let reason = rng.pick(MoveReason.allCases)
        let (wall, author) = (wall(i), "clerk-\(nodes[i].id)")
        var idRNG = SeedRandom(seed: rng.next())
        if try refusedOrRecorded(i, { r in
            _ = try r.move(person: person, to: to, reason: reason, date: nil, author: author, wallMillis: wall, zone: Simulation.zone, rng: &idRNG)
        }) { stats.moves += 1 }
    }

    static let zone = TimeZone(identifier: "Asia/Shanghai") ?? .current

    /// Runs a move or a reception: recorded when it wrote, counted as refused locally when the node refused it.
    /// - Returns: whether it wrote.
    mutating func refusedOrRecorded(_ i: Int, _ body: (Replica) throws -> Void) throws -> Bool {
        do {
            try recorded(i, body)
            return true
        } catch is MoveRefusal, is ReceiveRefusal, is ReplicaError {
            stats.refused += 1
            return false
        }
    }

    /// 迁入 (`hamlet receive person`): a person awaiting reception joins a household of the village, or a new one.
    mutating func receive(_ i: Int) throws {
        let waiting = try nodes[i].replica.arrivals()
        guard !waiting.isEmpty else { return try addRecord(i) }
        let arrival = rng.pick(waiting)
        let household = rng.chance(60) ? try randomRow(i, table: "households")?.0 : nil
        let address = household == nil ? "\(nodes[i].village)\(rng.int(1...99))号" : nil
        let (wall, author) = (wall(i), "clerk-\(nodes[i].id)")
        var idRNG = SeedRandom(seed: rng.next())
        if try refusedOrRecorded(i, { r in
            _ = try r.receive(person: arrival.person, household: household, newHouseholdAddress: address, date: nil, author: author,
                              wallMillis: wall, zone: Simulation.zone, rng: &idRNG)
        }) { stats.receptions += 1 }
    }

    /// After settling: a person a replica lists as awaiting reception is live in that village at the hub, and the
    /// 通报 counts each move once, received at most once (two clerks of a village receiving her offline make two
    /// 迁入 events; the ledger pairs the earliest and must not count the second as a move into the township).
    mutating func checkMoves() throws {
        guard let people = hub.schema.table(named: "people") else { return }
        for n in nodes {
            for a in try n.replica.arrivals() {
                let row = try hub.row(people, id: a.person)
                if row?.scope(hub.schema) != n.village || row?.deleted == true {
                    Issue.record("\(n.id) lists \(a.person) as awaiting reception but the hub holds her elsewhere or deleted")
                }
            }
        }
        let ledger = try hub.moveLedger()
        let moves = ledger.moves
        let received = moves.filter { $0.from != nil && $0.to != nil && $0.received != nil }
        stats.receivedMoves = received.count
        // Every move of the simulation is between its villages: none may read as leaving or entering the township.
        for m in moves where m.scope != .within {
            Issue.record("a move between villages read as \(m.scope.rawValue): \(m.person) \(m.from ?? "-") → \(m.to ?? "-") on \(m.date)")
        }
    }
}
