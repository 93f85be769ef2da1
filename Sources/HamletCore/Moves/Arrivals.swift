/// A person who arrived by a move and is not received yet (待接收).
public struct Arrival: Sendable, Hashable {
    public var person: String
    /// The 迁出 event's date.
    public var date: String
    /// Where she came from, read from the 迁出 event's detail (nil for a hand-written event).
    public var origin: String?
    public var reason: MoveReason?
    /// The 迁出 event's row id.
    public var event: String

    public init(person: String, date: String, origin: String?, reason: MoveReason?, event: String) {
        self.person = person
        self.date = date
        self.origin = origin
        self.reason = reason
        self.event = event
    }
}

/// The arrival rule: a person of the village whose latest 迁出 (`move_out`) event has no 迁入 (`move_in`) event
/// on or after its date is awaiting reception. Receiving her records that 迁入 event, which ends the wait.
public enum ArrivalRule {
    /// One event of a person, as the rule reads it.
    public struct Event: Sendable {
        public var id: String
        public var person: String
        public var values: Fields

        public init(id: String, person: String, values: Fields) {
            self.id = id
            self.person = person
            self.values = values
        }
    }

    /// The people awaiting reception.
    /// - Parameters:
    ///   - people: Ids of the village's live people (others are not this village's to receive).
    ///   - events: Their 迁出 and 迁入 events (other kinds are ignored).
    ///   - village: The receiving village: only a 迁出 `hamlet move` wrote to it counts (a hand-written 迁出 in her
    ///     own village means she left; one to another village is an older move she carries, e.g. after a merge
    ///     across villages); nil reads every 迁出.
    /// - Returns: One arrival per waiting person, by date then person id.
    public static func awaiting(people: Set<String>, events: [Event], village: String? = nil) -> [Arrival] {
        var latestOut: [String: Event] = [:]
        var latestIn: [String: String] = [:]
        for e in events where people.contains(e.person) {
            guard let date = e.values["date"]?.text else { continue }
            switch e.values["kind"]?.text {
            case "move_out":
                // In a village, only a 迁出 `hamlet move` wrote to it is an arrival: a hand-written 迁出 in her own
                // village means she left (the township, say), and one to another village is an older move of hers.
                if let village, e.values["detail"]?.text.flatMap(MoveDetail.parse)?.destination != village { continue }
                if let o = latestOut[e.person], let d = o.values["date"]?.text, (d, o.id) > (date, e.id) { continue }
                latestOut[e.person] = e
            case "move_in":
                latestIn[e.person] = max(latestIn[e.person] ?? "", date)
            default:
                continue
            }
        }
        var out: [Arrival] = []
        for (person, e) in latestOut {
            let date = e.values["date"]?.text ?? ""
            if let received = latestIn[person], received >= date { continue }
            let detail = e.values["detail"]?.text.flatMap(MoveDetail.parse)
            out.append(Arrival(person: person, date: date, origin: detail?.origin, reason: detail?.reason, event: e.id))
        }
        return out.sorted { ($0.date, $0.person) < ($1.date, $1.person) }
    }
}
