/// What a report is made from: the live rows of the register as typed values, the transfers
/// between villages, and the data-quality counts. The store fills it (`HubStore.reportInput()`,
/// `Replica.reportInput()`); `ReportEngine` only reads it.
///
/// Dates are `YYYY-MM-DD` text as the register stores them (they sort in date order); a
/// missing value is nil. Only live rows belong here: deleted and merged-away rows never.
public struct ReportInput: Sendable {
    /// A person (全员人口).
    public struct Person: Sendable, Hashable {
        public var id: String
        /// The village whose register holds the row now.
        public var village: String
        /// `M` or `F`.
        public var sex: String?
        public var birthDate: String?
        public var nationalID: String?
        /// `single`, `married`, `divorced`, `widowed`.
        public var maritalStatus: String?
        /// `resident`, `moved_out`, `moved_in`.
        public var residence: String?
        public var mother: String?
        public var father: String?

        /// Makes a person.
        public init(id: String, village: String, sex: String? = nil, birthDate: String? = nil, nationalID: String? = nil,
                    maritalStatus: String? = nil, residence: String? = nil, mother: String? = nil, father: String? = nil) {
            self.id = id
            self.village = village
            self.sex = sex
            self.birthDate = birthDate
            self.nationalID = nationalID
            self.maritalStatus = maritalStatus
            self.residence = residence
            self.mother = mother
            self.father = father
        }
    }

    /// A 婚育动态 event.
    public struct Event: Sendable, Hashable {
        public var id: String
        public var person: String?
        public var village: String
        /// `birth`, `marriage`, `divorce`, `death`, `move_out`, `move_in`.
        public var kind: String
        public var date: String?
        /// For a 迁出 event a move carried to the destination (`hamlet move`): the village she left, read from its
        /// detail (``MoveDetail``); nil for any other event.
        public var origin: String?

        /// Makes an event.
        public init(id: String, person: String?, village: String, kind: String, date: String?, origin: String? = nil) {
            self.id = id
            self.person = person
            self.village = village
            self.kind = kind
            self.date = date
            self.origin = origin
        }
    }

    /// A row's transfer from one village's register to another's (`departures` at the hub).
    public struct Move: Sendable, Hashable {
        /// The person's row id.
        public var person: String
        public var from: String
        public var to: String
        /// The day the hub received the transfer (its time zone).
        public var date: String

        /// Makes a move.
        public init(person: String, from: String, to: String, date: String) {
            self.person = person
            self.from = from
            self.to = to
            self.date = date
        }
    }

    /// A 孕情.
    public struct Pregnancy: Sendable, Hashable {
        public var id: String
        public var woman: String?
        public var village: String
        public var foundOn: String?
        /// `ongoing`, `born`, `ended`.
        public var status: String?
        /// `miscarriage`, `induced`, `other`.
        public var endKind: String?
        public var endedOn: String?

        /// Makes a pregnancy.
        public init(id: String, woman: String?, village: String, foundOn: String?, status: String?, endKind: String? = nil,
                    endedOn: String? = nil) {
            self.id = id
            self.woman = woman
            self.village = village
            self.foundOn = foundOn
            self.status = status
            self.endKind = endKind
            self.endedOn = endedOn
        }
    }

    /// A 节育措施 episode.
    public struct Contraception: Sendable, Hashable {
        public var id: String
        public var person: String?
        public var village: String
        /// `iud`, `sterilization`, `implant`, `drugs`, `other`.
        public var method: String?
        public var since: String?
        public var until: String?
        /// `active`, `stopped`.
        public var status: String?

        /// Makes an episode.
        public init(id: String, person: String?, village: String, method: String?, since: String?, until: String? = nil,
                    status: String? = nil) {
            self.id = id
            self.person = person
            self.village = village
            self.method = method
            self.since = since
            self.until = until
            self.status = status
        }
    }

    /// A 随访.
    public struct Visit: Sendable, Hashable {
        public var id: String
        public var person: String?
        public var village: String
        public var kind: String?
        public var date: String?
        /// The 查环查孕 round (`2026年11月`), for ring and pregnancy checks.
        public var round: String?

        /// Makes a visit.
        public init(id: String, person: String?, village: String, kind: String?, date: String?, round: String? = nil) {
            self.id = id
            self.person = person
            self.village = village
            self.kind = kind
            self.date = date
            self.round = round
        }
    }

    /// A 奖扶 row (one beneficiary, program and year).
    public struct Benefit: Sendable, Hashable {
        public var id: String
        public var person: String?
        public var household: String?
        public var village: String
        public var program: String?
        /// Integer 分.
        public var amountFen: Int64?
        /// `eligible`, `confirmed`, `paid`.
        public var status: String?
        public var paidOn: String?
        /// The benefit year (`2025`).
        public var period: String?
        /// `new`, `continuing`, `ended`.
        public var lifecycle: String?

        /// Makes a benefit row.
        public init(id: String, person: String?, household: String?, village: String, program: String?, amountFen: Int64?,
                    status: String?, paidOn: String?, period: String?, lifecycle: String?) {
            self.id = id
            self.person = person
            self.household = household
            self.village = village
            self.program = program
            self.amountFen = amountFen
            self.status = status
            self.paidOn = paidOn
            self.period = period
            self.lifecycle = lifecycle
        }
    }

    /// A village's data-quality counts, as of now.
    public struct Quality: Sendable, Hashable {
        public var openConflicts: Int
        public var openDuplicates: Int
        public var checkItems: Int

        /// Makes the counts.
        public init(openConflicts: Int = 0, openDuplicates: Int = 0, checkItems: Int = 0) {
            self.openConflicts = openConflicts
            self.openDuplicates = openDuplicates
            self.checkItems = checkItems
        }
    }

    /// The township's villages (each gets a column even with no rows).
    public var villages: [String]
    public var people: [Person] = []
    public var events: [Event] = []
    public var moves: [Move] = []
    public var pregnancies: [Pregnancy] = []
    public var contraception: [Contraception] = []
    public var visits: [Visit] = []
    public var benefits: [Benefit] = []
    /// Per village; nil when the store cannot tell (the figures then show `—`).
    public var quality: [String: Quality]?
    /// Register tables the store does not have (a deployment's schema without `pregnancies`): the
    /// indicators made from them show `—` instead of a 0 that would claim nothing happened.
    public var absentTables: Set<String> = []
    /// When the store read only what periods between these days (`YYYY-MM-DD`, inclusive) need —
    /// visits dated in it, benefits of its years or paid in it, events up to its end but no birth or
    /// divorce events — the input serves only periods inside it (`covers(_:)`); nil: every row, any period.
    public var window: (from: String, to: String)?

    /// True when a report of `period` can be made from this input (it lies inside the window, or there is none).
    /// - Parameter period: the period.
    /// - Returns: whether the input holds every row the period needs.
    public func covers(_ period: ReportPeriod) -> Bool {
        guard let window else { return true }
        return period.from.description >= window.from && period.to.description <= window.to
    }

    /// Makes an empty input for these villages.
    /// - Parameter villages: the township's villages.
    public init(villages: [String]) {
        self.villages = villages
    }
}
