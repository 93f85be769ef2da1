import Foundation

/// The 迁入迁出通报: who left and who joined each village's register in a period, and the township's moves.
///
/// Made from what the hub sees, without changing it: transfers (a person's `village` changed, dated by the day the
/// hub received the change) and move events (`move_out` / `move_in`, dated by the clerk, the detail holding the
/// reason and the place in Chinese). `MoveLedger` pairs them into moves once, over all time; a notice is the
/// moves dated in a period.
///
/// - A transfer is a move between two of the township's villages. Its 迁出 event is the unused `move_out` that
///   `hamlet move` wrote for it (detail naming the same two villages, nearest in date on either side: a laptop's
///   clock may run ahead of the hub's), else the latest hand-written `move_out` dated on or before the transfer;
///   its date then dates the move, its detail gives the reason. The move is **received** (已接收) when she has a
///   `move_in` event dated on or after the move (the earliest unused).
/// - A `move_out` event `hamlet move` wrote between two of the township's villages, paired with no transfer (her
///   change of village waits in a conflict), is still a move between them, 待接收 until a `move_in` there.
/// - Any other `move_out` event paired with no transfer is a move out of the township (to the place its detail names);
///   a `move_in` event paired with no transfer is a move into the township, received by being recorded — unless it
///   is a second reception of a move already received (「自<本镇的村>迁入」 again, two clerks each offline).
///
/// 迁入迁出通报：本期各村迁出、迁入的人（去向、来源、原因、是否已接收），以及全镇的村间迁移和迁出、迁入本镇的人。
public struct MoveLedger: Sendable {
    /// One person as the notice names her (the operator's view: personal data).
    public struct Person: Sendable, Hashable {
        public var id: String
        public var name: String
        /// The last 4 characters of the 身份证号, nil when there is none.
        public var nationalIDLast4: String?
        /// The village she is registered in now.
        public var village: String
        /// `F` / `M`, nil when unknown.
        public var sex: String?
        public var birthDate: String?

        /// Makes a person.
        public init(id: String, name: String, nationalIDLast4: String?, village: String, sex: String?, birthDate: String?) {
            self.id = id
            self.name = name
            self.nationalIDLast4 = nationalIDLast4
            self.village = village
            self.sex = sex
            self.birthDate = birthDate
        }
    }

    /// A person's row moved from one village to another, on the day the hub received it.
    public struct Transfer: Sendable, Hashable {
        public var person: String
        public var from: String
        public var to: String
        public var date: CalendarDate

        /// Makes a transfer.
        public init(person: String, from: String, to: String, date: CalendarDate) {
            self.person = person
            self.from = from
            self.to = to
            self.date = date
        }
    }

    /// A live `move_out` or `move_in` event.
    public struct Event: Sendable, Hashable {
        /// 迁出 or 迁入.
        public enum Kind: String, Sendable, Hashable { case moveOut = "move_out", moveIn = "move_in" }
        public var person: String
        /// The village the event row is in now.
        public var village: String
        public var kind: Kind
        public var date: CalendarDate
        /// The clerk's words: reason and place (婚迁，迁往南赵).
        public var detail: String?

        /// Makes an event.
        public init(person: String, village: String, kind: Kind, date: CalendarDate, detail: String?) {
            self.person = person
            self.village = village
            self.kind = kind
            self.date = date
            self.detail = detail
        }
    }

    /// One move, once, with both ends when both are the township's.
    public struct Move: Sendable, Hashable, Encodable {
        /// Where the move sits for the township.
        public enum Scope: String, Sendable, Hashable, Encodable {
            /// Between two of its villages (村间迁移).
            case within
            /// Out of the township (迁出本镇).
            case outOfTownship = "out_of_township"
            /// Into the township (迁入本镇).
            case intoTownship = "into_township"
        }
        public var scope: Scope
        public var person: String
        public var name: String
        public var nationalIDLast4: String?
        public var sex: String?
        public var birthDate: String?
        /// The village left; nil when she came from outside the township.
        public var from: String?
        /// The village joined; nil when she left the township.
        public var to: String?
        /// The move's day (`YYYY-MM-DD`).
        public var date: String
        /// The 迁出 event's detail (reason, destination), or the 迁入 event's for a move into the township.
        public var reason: String?
        /// The day of the 迁入 event that received her; nil while 待接收.
        public var received: String?

        enum CodingKeys: String, CodingKey {
            case scope, person, name, sex, from, to, date, reason, received
            case nationalIDLast4 = "national_id_last4", birthDate = "birth_date"
        }
    }

    /// Every move, oldest first.
    public let moves: [Move]
    /// The township's villages, sorted (each gets a section, moves or not).
    public let villages: [String]

    /// Pairs transfers with move events.
    /// - Parameters:
    ///   - people: the live people (unknown ids are shown by id).
    ///   - transfers: the transfers, any order.
    ///   - events: the live move events, any order.
    ///   - villages: the township's villages (those of the moves are added).
    public init(people: [Person], transfers: [Transfer], events: [Event], villages: [String]) {
        let byID = Dictionary(people.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        let sortedEvents = events.sorted { ($0.date, $0.person, $0.kind.rawValue, $0.detail ?? "") < ($1.date, $1.person, $1.kind.rawValue, $1.detail ?? "") }
        var used = Set<Int>()
        var moves: [Move] = []
        // Each person's event indices, in date order: a transfer looks only at hers.
        let byPerson = Dictionary(grouping: sortedEvents.indices, by: { sortedEvents[$0].person })
        for t in transfers.sorted(by: { ($0.date, $0.person) < ($1.date, $1.person) }) where t.from != t.to {
            let hers = (byPerson[t.person] ?? []).filter { !used.contains($0) }
            let out = Self.moveOut(for: t, among: hers, sortedEvents)
            if let out { used.insert(out) }
            let day = out.map { sortedEvents[$0].date } ?? t.date
            let into = hers.first { i in i != out && !used.contains(i) && sortedEvents[i].kind == .moveIn && sortedEvents[i].date >= day }
            if let into { used.insert(into) }
            moves.append(Self.move(.within, byID, t.person, from: t.from, to: t.to, date: day,
                                   reason: out.flatMap { sortedEvents[$0].detail }, received: into.map { sortedEvents[$0].date }))
        }
        // A 迁出 that `hamlet move` wrote to one of the township's villages with no transfer at the hub (her own
        // change of village lost to a concurrent one and waits in a conflict, or has not arrived): a move between
        // villages, 待接收 until her 迁入, never a move out of the township.
        for i in sortedEvents.indices where !used.contains(i) && sortedEvents[i].kind == .moveOut {
            let e = sortedEvents[i]
            guard let d = e.detail.flatMap(MoveDetail.parse), villages.contains(d.destination), villages.contains(d.origin) else { continue }
            used.insert(i)
            let into = (byPerson[e.person] ?? []).first { j in
                !used.contains(j) && sortedEvents[j].kind == .moveIn && sortedEvents[j].village == d.destination && sortedEvents[j].date >= e.date
            }
            if let into { used.insert(into) }
            moves.append(Self.move(.within, byID, e.person, from: d.origin, to: d.destination, date: e.date, reason: e.detail,
                                   received: into.map { sortedEvents[$0].date }))
        }
        // A second 迁入 for a move already received (two clerks of the village received her, each offline) is the
        // same reception written twice, not a move into the township.
        let receivedInto = Set(moves.filter { $0.received != nil }.map { "\($0.person)/\($0.to ?? "")" })
        for (i, e) in sortedEvents.enumerated() where !used.contains(i) {
            if e.kind == .moveIn, receivedInto.contains("\(e.person)/\(e.village)"), Self.receivedFromTownship(e, villages: villages) { continue }
            let out = e.kind == .moveOut
            moves.append(Self.move(out ? .outOfTownship : .intoTownship, byID, e.person, from: out ? e.village : nil, to: out ? nil : e.village,
                                   date: e.date, reason: e.detail, received: out ? nil : e.date))
        }
        self.moves = moves.sorted { ($0.date, $0.person, $0.scope.rawValue) < ($1.date, $1.person, $1.scope.rawValue) }
        self.villages = Set(villages + moves.flatMap { [$0.from, $0.to].compactMap { $0 } }).sorted()
    }

    /// Whether a 迁入 event's detail is the one `hamlet receive` writes for a move from one of `villages` (「自北赵迁入」).
    static func receivedFromTownship(_ e: Event, villages: [String]) -> Bool {
        guard let origin = e.detail.flatMap(ReceivedDetail.origin) else { return false }
        return villages.contains(origin)
    }

    /// The 迁出 event of a transfer, among the person's unused events (date order): the one `hamlet move` wrote for
    /// it (its detail names the same two villages; nearest in date, on either side, since the clerk dates it and the
    /// hub dates the transfer by when it arrived, and a laptop's clock may run ahead), else the latest hand-written
    /// 迁出 dated on or before the transfer.
    static func moveOut(for t: Transfer, among hers: [Int], _ events: [Event]) -> Int? {
        let outs = hers.filter { events[$0].kind == .moveOut }
        let written = outs.filter { i in
            events[i].detail.flatMap(MoveDetail.parse).map { $0.origin == t.from && $0.destination == t.to } ?? false
        }
        if let nearest = written.min(by: { abs(events[$0].date.daysSinceEpoch - t.date.daysSinceEpoch)
                                           < abs(events[$1].date.daysSinceEpoch - t.date.daysSinceEpoch) }) {
            return nearest
        }
        return outs.last { events[$0].date <= t.date && events[$0].detail.flatMap(MoveDetail.parse) == nil }
    }

    private static func move(_ scope: Move.Scope, _ people: [String: Person], _ id: String, from: String?, to: String?,
                             date: CalendarDate, reason: String?, received: CalendarDate?) -> Move {
        let p = people[id]
        let detail = reason.flatMap { $0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? nil : $0 }
        return Move(scope: scope, person: id, name: p?.name ?? id, nationalIDLast4: p?.nationalIDLast4, sex: p?.sex, birthDate: p?.birthDate,
                    from: from, to: to, date: date.description, reason: detail, received: received?.description)
    }

    /// The 通报 for a period.
    /// - Parameter period: the month, quarter or year.
    /// - Returns: every village's section and the township's.
    public func notice(for period: ReportPeriod) -> MoveNotice {
        let from = period.from.description, to = period.to.description
        let inPeriod = moves.filter { $0.date >= from && $0.date <= to }
        let sections = villages.map { v in
            MoveNotice.Village(village: v, out: inPeriod.filter { $0.from == v }, in: inPeriod.filter { $0.to == v })
        }
        let township = MoveNotice.Township(within: inPeriod.filter { $0.scope == .within },
                                           out: inPeriod.filter { $0.scope == .outOfTownship },
                                           in: inPeriod.filter { $0.scope == .intoTownship })
        return MoveNotice(period: period, from: from, to: to, villages: sections, township: township, unreceived: [])
    }

    /// Moves between villages not received yet (no `move_in` on or after them) whose day is at least `days` before today.
    /// - Parameters:
    ///   - days: how old a move must be (30 for the operator page).
    ///   - today: today in the hub's time zone.
    /// - Returns: the moves, oldest first.
    public func unreceived(olderThan days: Int, today: CalendarDate) -> [Move] {
        let cutoff = CalendarDate(daysSinceEpoch: today.daysSinceEpoch - days).description
        return moves.filter { $0.scope == .within && $0.received == nil && $0.date <= cutoff }
    }
}

/// The 迁入迁出通报 of a period: per village its 迁出 and 迁入 lists, and the township's moves (between its
/// villages once with both ends, out of it, into it), plus the moves between villages left unreceived too long.
public struct MoveNotice: Sendable, Encodable {
    /// One village's section.
    public struct Village: Sendable, Encodable {
        public var village: String
        /// 迁出: moves whose `from` is this village.
        public var out: [MoveLedger.Move]
        /// 迁入: moves whose `to` is this village.
        public var `in`: [MoveLedger.Move]
        /// 迁出人数.
        public var outCount: Int { out.count }
        /// 迁入人数.
        public var inCount: Int { `in`.count }

        enum CodingKeys: String, CodingKey { case village, out, `in`, outCount = "out_count", inCount = "in_count" }

        /// Encodes the lists and their counts.
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(village, forKey: .village)
            try c.encode(outCount, forKey: .outCount)
            try c.encode(inCount, forKey: .inCount)
            try c.encode(out, forKey: .out)
            try c.encode(`in`, forKey: .in)
        }
    }

    /// The township's section.
    public struct Township: Sendable, Encodable {
        /// 村间迁移: each once, with both ends.
        public var within: [MoveLedger.Move]
        /// 迁出本镇.
        public var out: [MoveLedger.Move]
        /// 迁入本镇.
        public var `in`: [MoveLedger.Move]
    }

    public var period: ReportPeriod
    /// First and last day.
    public var from: String
    public var to: String
    public var villages: [Village]
    public var township: Township
    /// Moves between villages still 待接收 after the hub's limit (30 days), whatever their period; filled by the caller.
    public var unreceived: [MoveLedger.Move]

    /// Only one village's section (the township's moves kept to those touching it).
    /// - Parameter village: the village.
    /// - Returns: the notice, or nil when the village has no section.
    public func only(village: String) -> MoveNotice? {
        guard let section = villages.first(where: { $0.village == village }) else { return nil }
        func touches(_ m: MoveLedger.Move) -> Bool { m.from == village || m.to == village }
        return MoveNotice(period: period, from: from, to: to, villages: [section],
                          township: Township(within: township.within.filter(touches), out: township.out.filter(touches),
                                             in: township.in.filter(touches)),
                          unreceived: unreceived.filter(touches))
    }
}
