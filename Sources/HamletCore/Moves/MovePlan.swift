/// Why a person moves (迁移原因), as the clerk types it and as the 迁出 event's detail records it.
public enum MoveReason: String, Sendable, CaseIterable {
    case marriage = "婚迁"
    case work = "务工"
    case other = "其他"

    /// Reads 婚迁 / 务工 / 其他, or the English codes `marriage` / `work` / `other`.
    /// - Parameter text: What the clerk typed.
    public init?(text: String) {
        switch text.trimmingWhitespace {
        case "婚迁", "marriage": self = .marriage
        case "务工", "work": self = .work
        case "其他", "other": self = .other
        default: return nil
        }
    }

    /// The English code.
    public var code: String {
        switch self {
        case .marriage: "marriage"
        case .work: "work"
        case .other: "other"
        }
    }
}

/// One reference field whose rows follow a person when she moves (`events.person`, …).
public struct MoveFollower: Sendable, Hashable, CustomStringConvertible {
    public var table: String
    public var field: String

    public init(_ table: String, _ field: String) {
        self.table = table
        self.field = field
    }

    public var description: String { "\(table).\(field)" }
}

/// Which rows leave with a person, read from the schema: every table with a *required* reference to
/// `people` (her events, visits, pregnancies, contraception: records about her alone), plus the
/// benefits she receives or is paid (`person`, `payee`, optional there because a benefit may be a
/// household's). Other references to her (a child's `mother`, a pregnancy's `child`) stay: the schema
/// lets them cross villages.
public enum MoveFollowers {
    /// Optional references that follow anyway: a benefit belongs to whoever receives or is paid it.
    public static let optionalFollowers: [MoveFollower] = [MoveFollower("benefits", "person"), MoveFollower("benefits", "payee")]

    /// The reference fields whose rows follow a person of `schema`.
    /// - Parameter schema: The register schema.
    /// - Returns: (table, field) pairs in schema order.
    public static func rules(_ schema: Schema) -> [MoveFollower] {
        var out: [MoveFollower] = []
        for t in schema.tables where t.name != "people" {
            for f in t.referenceFields where f.references == "people" {
                let rule = MoveFollower(t.name, f.name)
                if f.required || optionalFollowers.contains(rule) { out.append(rule) }
            }
        }
        return out
    }
}

/// The 迁出 event's `detail`: 「迁往南赵（婚迁），原村北赵」. The events table has no structured field for the
/// other village, so the destination, reason and origin are written in this one fixed shape, and read back
/// only by ``parse(_:)`` (the receiving node's 待接收 list shows where she came from).
public struct MoveDetail: Sendable, Hashable {
    public var destination: String
    public var reason: MoveReason
    public var origin: String

    public init(destination: String, reason: MoveReason, origin: String) {
        self.destination = destination
        self.reason = reason
        self.origin = origin
    }

    /// `迁往南赵（婚迁），原村北赵`.
    public var text: String { "迁往\(destination)（\(reason.rawValue)），原村\(origin)" }

    /// Reads a detail written by ``text``; nil for any other wording (a hand-typed event).
    /// - Parameter text: The event's detail.
    public static func parse(_ text: String) -> MoveDetail? {
        guard text.hasPrefix("迁往"), let open = text.firstIndex(of: "（"), let close = text.firstIndex(of: "）"),
              open < close, let mark = text.range(of: "），原村") else { return nil }
        let destination = String(text[text.index(text.startIndex, offsetBy: 2)..<open])
        guard let reason = MoveReason(text: String(text[text.index(after: open)..<close])) else { return nil }
        let origin = String(text[mark.upperBound...])
        guard !destination.isEmpty, !origin.isEmpty else { return nil }
        return MoveDetail(destination: destination, reason: reason, origin: origin)
    }
}

/// The 迁入 event's `detail` a reception writes: 「自北赵迁入」, written and read back only here.
public enum ReceivedDetail {
    /// `自北赵迁入`, or `迁入` when the origin is unknown.
    public static func text(from origin: String?) -> String { origin.map { "自\($0)迁入" } ?? "迁入" }

    /// The origin of a detail written by ``text(from:)``, nil for any other wording.
    public static func origin(_ text: String) -> String? {
        guard text.hasPrefix("自"), text.hasSuffix("迁入"), text.count > 3 else { return nil }
        return String(text.dropFirst().dropLast(2))
    }
}

/// Why a move is refused.
public enum MoveRefusal: Error, Sendable, Equatable {
    /// The destination is empty (or only spaces).
    case noDestination
    /// The destination is the node's own village.
    case sameVillage(String)
    /// The date is not a real `YYYY-MM-DD` day.
    case invalidDate(String)
    /// The date is after tomorrow.
    case futureDate(String)
    /// The person is not in the node's village (already moved, or another village's row).
    case notInVillage
}

/// One write of a move, applied by the store in order, each an ordinary local change.
public struct MoveWrite: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// Create the 迁出 event (in the old village: a node creates rows only in its own).
        case insertEvent
        /// Change fields of an existing row.
        case update(table: String, id: String)
        /// Hand the new 迁出 event to the destination too.
        case moveEvent
    }
    public var kind: Kind
    public var values: Fields
}

/// A person's move out of the village, decided from what the store read (read → decide → apply).
public struct MovePlan: Sendable, Equatable {
    /// The move's date, `YYYY-MM-DD`.
    public var date: String
    public var detail: MoveDetail
    /// In order: the 迁出 event, the person, the households she headed, her dependent rows, the event again.
    public var writes: [MoveWrite]

    /// What the store read for a move.
    public struct Input: Sendable {
        public var person: String
        public var personValues: Fields
        public var ownVillage: String
        public var destination: String
        public var reason: MoveReason
        /// The date the clerk gave, or nil for today.
        public var date: String?
        public var today: CalendarDate
        /// Rows that name her through a follower field: (table, id, values).
        public var dependents: [(table: String, id: String, values: Fields)]
        /// Households whose head she is.
        public var headed: [String]

        public init(person: String, personValues: Fields, ownVillage: String, destination: String, reason: MoveReason,
                    date: String?, today: CalendarDate, dependents: [(table: String, id: String, values: Fields)], headed: [String]) {
            self.person = person
            self.personValues = personValues
            self.ownVillage = ownVillage
            self.destination = destination
            self.reason = reason
            self.date = date
            self.today = today
            self.dependents = dependents
            self.headed = headed
        }
    }

    public static func == (a: MovePlan, b: MovePlan) -> Bool { a.date == b.date && a.detail == b.detail && a.writes == b.writes }

    /// Decides a move: refusals first, then every write, so she leaves as one unit.
    /// - Parameters:
    ///   - input: What the store read.
    ///   - schema: The register schema (which fields reference households, cleared as the household stays).
    /// - Returns: The plan.
    /// - Throws: `MoveRefusal`.
    public static func decide(_ input: Input, schema: Schema) throws(MoveRefusal) -> MovePlan {
        let destination = input.destination.trimmingWhitespace
        guard !destination.isEmpty else { throw .noDestination }
        guard destination != input.ownVillage else { throw .sameVillage(destination) }
        guard input.personValues[schema.scope]?.text == input.ownVillage else { throw .notInVillage }
        let date = input.date?.trimmingWhitespace ?? input.today.description
        guard let day = CalendarDate(date) else { throw .invalidDate(date) }
        guard day <= input.today.adding(days: 1) else { throw .futureDate(date) }
        let detail = MoveDetail(destination: destination, reason: input.reason, origin: input.ownVillage)
        let scope = schema.scope
        var writes = [MoveWrite(kind: .insertEvent, values: [
            "person": .text(input.person), "kind": .text("move_out"), "date": .text(date), "detail": .text(detail.text),
        ])]
        writes.append(MoveWrite(kind: .update(table: "people", id: input.person),
                                values: leaving(schema.table(named: "people"), input.personValues, scope: scope, to: destination)))
        for h in input.headed {
            writes.append(MoveWrite(kind: .update(table: "households", id: h), values: ["head": .null]))
        }
        for d in input.dependents {
            writes.append(MoveWrite(kind: .update(table: d.table, id: d.id),
                                    values: leaving(schema.table(named: d.table), d.values, scope: scope, to: destination)))
        }
        writes.append(MoveWrite(kind: .moveEvent, values: [scope: .text(destination)]))
        return MovePlan(date: date, detail: detail, writes: writes)
    }

    /// The fields a leaving row changes: its village, and every reference to a household (which stays) cleared.
    static func leaving(_ t: TableSchema?, _ values: Fields, scope: String, to destination: String) -> Fields {
        var out: Fields = [scope: .text(destination)]
        for f in t?.referenceFields ?? [] where f.references == "households" && !(values[f.name]?.isNull ?? true) {
            out[f.name] = .null
        }
        return out
    }
}

extension String {
    var trimmingWhitespace: String {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s.removeFirst() }
        while let l = s.last, l.isWhitespace { s.removeLast() }
        return String(s)
    }
}
