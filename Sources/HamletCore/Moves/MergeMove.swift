/// What a duplicate merge does to the rows that name the loser (issue 15, 因婚两次录入).
///
/// Within one village every reference is repointed to the survivor. Across villages the merge is also a move,
/// decided the way a node's ``MovePlan`` decides one, so that nothing is left behind in the loser's village:
/// - a row that follows a person (``MoveFollowers``: her events, visits, pregnancies, contraception, the benefits
///   she receives or is paid) and still lies in the loser's village is repointed **and** moves to the survivor's
///   village, its household references cleared (the household stays);
/// - a household of the loser's village she headed keeps no head (`head` cleared), as when she moves;
/// - any other reference (a child's `mother` or `father`, a pregnancy's `child`, a row already in the survivor's
///   village) is repointed in place: the schema lets those cross villages;
/// - a 迁出 and a 迁入 event are recorded in the survivor's village, dated the move's day, with the reason, so the
///   通报 and the report count one move from the loser's village to the survivor's, already received.
///
/// 跨村合并重复登记（因婚两次录入）：被并入一方的事件、随访、孕情、避孕措施和她领取的待遇随人迁到保留方的村，
/// 她当户主的户清空户主，并记一条迁出事件和一条迁入事件。
public struct MergeMove: Sendable, Equatable {
    /// A row that names the loser: (table, id, the naming field, the row's current values).
    public struct Reference: Sendable, Equatable {
        public var table: String
        public var id: String
        public var field: String
        public var values: Fields

        public init(table: String, id: String, field: String, values: Fields) {
            self.table = table
            self.id = id
            self.field = field
            self.values = values
        }
    }

    /// One change to a referencing row.
    public struct Update: Sendable, Equatable {
        public enum Kind: String, Sendable, Equatable, Codable {
            /// Only the naming field now names the survivor.
            case repoint
            /// Repointed and moved to the survivor's village (household references cleared).
            case follow
            /// A household's `head` cleared: the household stays, she is no longer its head.
            case headCleared = "head-cleared"
        }
        public var kind: Kind
        public var table: String
        public var id: String
        public var field: String
        /// The fields written.
        public var values: Fields
        /// Those fields' values before, to undo the merge.
        public var before: Fields
    }

    /// The loser's village, nil when both rows are in one village (no move).
    public var from: String?
    /// The survivor's village.
    public var to: String
    /// The move's day, `YYYY-MM-DD`.
    public var date: String
    public var reason: MoveReason
    /// In the references' order.
    public var updates: [Update]

    /// The 迁出 and 迁入 events' values (person, kind, date, detail, village), empty when there is no move.
    public var events: [Fields] {
        guard let from else { return [] }
        let detail = MoveDetail(destination: to, reason: reason, origin: from)
        return [
            ["person": .text(survivor), "kind": .text("move_out"), "date": .text(date), "detail": .text(detail.text), scope: .text(to)],
            ["person": .text(survivor), "kind": .text("move_in"), "date": .text(date), "detail": .text(ReceivedDetail.text(from: from)), scope: .text(to)],
        ]
    }

    /// The survivor's id.
    public var survivor: String
    /// The schema's scope field (`village`).
    public var scope: String

    /// Decides the merge's writes to the rows naming the loser.
    /// - Parameters:
    ///   - survivor: The surviving row's id.
    ///   - survivorVillage: Its village (after the merge).
    ///   - loserVillage: The loser's village.
    ///   - references: Live rows naming the loser.
    ///   - schema: The register schema (which rows follow a person, which fields name a household).
    ///   - reason: Why she moved (因婚两次录入: 婚迁).
    ///   - date: The move's day.
    /// - Returns: The plan.
    public static func plan(survivor: String, survivorVillage: String, loserVillage: String, references: [Reference],
                            schema: Schema, reason: MoveReason, date: String) -> MergeMove {
        let scope = schema.scope
        let crosses = survivorVillage != loserVillage
        let followers = Set(MoveFollowers.rules(schema))
        let updates = references.map { r -> Update in
            let here = r.values[scope]?.text == loserVillage
            if crosses && here && followers.contains(MoveFollower(r.table, r.field)) {
                var values = MovePlan.leaving(schema.table(named: r.table), r.values, scope: scope, to: survivorVillage)
                values[r.field] = .text(survivor)
                return Update(kind: .follow, table: r.table, id: r.id, field: r.field, values: values, before: before(values, r.values))
            }
            if crosses && here && r.table == "households" && r.field == "head" {
                return Update(kind: .headCleared, table: r.table, id: r.id, field: r.field, values: ["head": .null],
                              before: ["head": r.values["head"] ?? .null])
            }
            let values: Fields = [r.field: .text(survivor)]
            return Update(kind: .repoint, table: r.table, id: r.id, field: r.field, values: values, before: before(values, r.values))
        }
        return MergeMove(from: crosses ? loserVillage : nil, to: survivorVillage, date: date, reason: reason, updates: updates,
                         survivor: survivor, scope: scope)
    }

    static func before(_ written: Fields, _ current: Fields) -> Fields {
        var out: Fields = [:]
        for k in written.keys { out[k] = current[k] ?? .null }
        return out
    }
}
