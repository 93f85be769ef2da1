import Foundation
import HamletCore

/// A person this village moved out: the sending replica's read-only trace (`_moves`), local bookkeeping
/// that is never synced, so `show` and `list` can say 已迁出 after her rows have left with her.
public struct MovedOut: Sendable, Codable, Hashable {
    public var person: String
    /// `王秀英 *1224`.
    public var label: String
    public var destination: String
    public var date: String
    /// 婚迁 / 务工 / 其他.
    public var reason: String
    public var movedAt: Int64

    enum CodingKeys: String, CodingKey {
        case person, label, destination, date, reason
        case movedAt = "moved_at"
    }
}

/// What a move wrote.
public struct MoveResult: Sendable {
    public var plan: MovePlan
    /// The 迁出 event's row id.
    public var event: String
    /// How many dependent rows left with her (events, visits, …), the new event not counted.
    public var followers: Int
    /// The local changes written, first to last.
    public var seqs: [Int64]
}

/// Why a reception is refused.
public enum ReceiveRefusal: Error, Sendable, Equatable {
    /// She is not awaiting reception (never moved in, or already received).
    case notAwaiting
    case invalidDate(String)
    case futureDate(String)
    /// The 迁入 date is before her 迁出 date.
    case beforeMoveOut(date: String, movedOut: String)
}

/// The node side of a move (issue 15): `move` hands a person and her dependent rows to another village in one
/// transaction of ordinary local changes (the hub records each as a transfer); `arrivals` and `receive` are the
/// receiving village's side.
extension Replica {
    static let movesTableSQL = """
        CREATE TABLE IF NOT EXISTS _moves (
          person TEXT NOT NULL, name TEXT, national_id TEXT, label TEXT NOT NULL, destination TEXT NOT NULL,
          date TEXT NOT NULL, reason TEXT NOT NULL, moved_at INTEGER NOT NULL, PRIMARY KEY (person, moved_at))
        """
    static let movesColumns = "person, name, national_id, label, destination, date, reason, moved_at"

    /// Makes `_moves` in a replica created before moves were kept (read first: no write lock when present).
    func ensureMovesTable() throws {
        guard try connection.row("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_moves'") == nil else { return }
        try connection.execute(Replica.movesTableSQL)
    }

    /// Moves a person of this village to `destination` with her dependent rows (``MoveFollowers``), in one
    /// transaction: a 迁出 event, her `village` changed (household cleared), `head` cleared on households she
    /// headed, every dependent row's `village` changed, and a `_moves` trace.
    /// - Throws: `MoveRefusal` (nothing written), `ReplicaError`, `StoreError`.
    public func move(person: String, to destination: String, reason: MoveReason, date: String?, author: String,
                     wallMillis: Int64, zone: TimeZone = .current, rng: inout some RandomNumberGenerator) throws -> MoveResult {
        let people = try table("people")
        return try connection.transaction {
            let info = try self.info()
            guard let values = try visibleRow(people, id: person) else { throw MoveRefusal.notInVillage }
            var dependents: [(table: String, id: String, values: Fields)] = []
            var seen = Set<RowKey>()
            for rule in MoveFollowers.rules(schema) where schema.table(named: rule.table)?.field(rule.field) != nil {
                for (id, row) in try list(table: rule.table, filters: [(rule.field, .text(person))], limit: Int.max)
                where row[schema.scope]?.text == info.village && seen.insert(RowKey(rule.table, id)).inserted {
                    dependents.append((rule.table, id, row))
                }
            }
            let headed = try list(table: "households", filters: [("head", .text(person))], limit: Int.max).map(\.0)
            let input = MovePlan.Input(person: person, personValues: values, ownVillage: info.village, destination: destination,
                                       reason: reason, date: date, today: CalendarDate(unixMillis: wallMillis, zone: zone),
                                       dependents: dependents, headed: headed)
            let plan = try MovePlan.decide(input, schema: schema)
            var event = ""
            var seqs: [Int64] = []
            for w in plan.writes {
                switch w.kind {
                case .insertEvent:
                    let r = try insert(table: "events", values: w.values, author: author, wallMillis: wallMillis, rng: &rng)
                    event = r.id
                    seqs.append(r.seq)
                case let .update(table, id):
                    seqs.append(try update(table: table, id: id, values: w.values, author: author, wallMillis: wallMillis).seq)
                case .moveEvent:
                    seqs.append(try update(table: "events", id: event, values: w.values, author: author, wallMillis: wallMillis).seq)
                }
            }
            let label = RowLabeler(table: people, scope: schema.scope).label(values) ?? person
            try connection.run("INSERT OR REPLACE INTO _moves (\(Replica.movesColumns)) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)", [
                .text(person), values["name"] ?? .null, values["national_id"] ?? .null, .text(label),
                .text(plan.detail.destination), .text(plan.date), .text(plan.detail.reason.rawValue), .integer(wallMillis),
            ])
            return MoveResult(plan: plan, event: event, followers: dependents.count, seqs: seqs)
        }
    }

    /// The people this village moved out whose id (or 8+ characters of it), name or 身份证号 is `text`, latest first.
    /// - Throws: `StoreError`.
    public func movedOut(matching text: String) throws -> [MovedOut] {
        let q = text.trimmingCharacters(in: .whitespaces)
        guard !q.isEmpty else { return [] }
        let prefix = q.count >= 8 ? q.lowercased() + "%" : q
        return try movedOut(where: "person = ?1 OR person LIKE ?2 OR name = ?1 OR national_id = ?1", [.text(q), .text(prefix)])
    }

    /// Every person this village moved out, latest first.
    /// - Throws: `StoreError`.
    public func movedOut() throws -> [MovedOut] { try movedOut(where: "1", []) }

    private func movedOut(where condition: String, _ args: [Value]) throws -> [MovedOut] {
        try connection.rows("SELECT person, label, destination, date, reason, moved_at FROM _moves WHERE \(condition) ORDER BY moved_at DESC, person",
                            args).map {
            MovedOut(person: try $0.text(0), label: try $0.text(1), destination: try $0.text(2), date: try $0.text(3),
                     reason: try $0.text(4), movedAt: try $0.int(5))
        }
    }

    /// The people of this village awaiting reception (``ArrivalRule``).
    /// - Throws: `StoreError`.
    public func arrivals() throws -> [Arrival] {
        let info = try self.info()
        guard let people = schema.table(named: "people"), schema.table(named: "events") != nil else { return [] }
        let ids = Set(try connection.rows("SELECT id FROM \(SchemaSQL.quote(people.name)) WHERE \(SchemaSQL.quote(schema.scope)) = ?1",
                                          [.text(info.village)]).map { try $0.text(0) })
        var events: [ArrivalRule.Event] = []
        for kind in ["move_out", "move_in"] {
            for (id, row) in try list(table: "events", filters: [("kind", .text(kind))], limit: Int.max) {
                if let p = row["person"]?.text { events.append(ArrivalRule.Event(id: id, person: p, values: row)) }
            }
        }
        return ArrivalRule.awaiting(people: ids, events: events, village: info.village)
    }

    /// Receives a person awaiting reception: a 迁入 event, `residence` resident, and her household (an existing
    /// one, or a new one at `newHouseholdAddress` that she heads), in one transaction.
    /// - Returns: The 迁入 event's write and the household's id.
    /// - Throws: `ReceiveRefusal` (nothing written), `ReplicaError`, `StoreError`.
    public func receive(person: String, household: String?, newHouseholdAddress: String?, date: String?, author: String,
                        wallMillis: Int64, zone: TimeZone = .current,
                        rng: inout some RandomNumberGenerator) throws -> (event: LocalWrite, household: String) {
        try connection.transaction {
            guard let arrival = try arrivals().first(where: { $0.person == person }) else { throw ReceiveRefusal.notAwaiting }
            let today = CalendarDate(unixMillis: wallMillis, zone: zone)
            let day = date ?? today.description
            guard let d = CalendarDate(day) else { throw ReceiveRefusal.invalidDate(day) }
            guard d <= today.adding(days: 1) else { throw ReceiveRefusal.futureDate(day) }
            guard day >= arrival.date else { throw ReceiveRefusal.beforeMoveOut(date: day, movedOut: arrival.date) }
            var home = household ?? ""
            if household == nil, let address = newHouseholdAddress {
                home = try insert(table: "households", values: ["address": .text(address), "head": .text(person)],
                                  author: author, wallMillis: wallMillis, rng: &rng).id
            }
            let detail = ReceivedDetail.text(from: arrival.origin)
            let event = try insert(table: "events", values: ["person": .text(person), "kind": .text("move_in"), "date": .text(day),
                                                             "detail": .text(detail)], author: author, wallMillis: wallMillis, rng: &rng)
            var values: Fields = ["residence": .text("resident")]
            if !home.isEmpty { values["household"] = .text(home) }
            let current = try visibleRow(try table("people"), id: person) ?? [:]
            if values.contains(where: { current[$0.key] != $0.value }) {
                try update(table: "people", id: person, values: values.filter { current[$0.key] != $0.value }, author: author,
                           wallMillis: wallMillis)
            }
            return (event, home)
        }
    }
}
