/// One live row a rule reads: its table, id and the fields the rules need.
public struct CheckRow: Sendable, Hashable {
    public var table: String
    public var id: String
    public var fields: Fields

    public init(table: String, id: String, fields: Fields) {
        self.table = table
        self.id = id
        self.fields = fields
    }

    /// A field's text, nil when null or empty.
    public func text(_ name: String) -> String? {
        guard let s = fields[name]?.text, !s.isEmpty else { return nil }
        return s
    }

    /// A field as a calendar date, nil when null or not a date.
    public func date(_ name: String) -> CalendarDate? { text(name).flatMap(CalendarDate.init) }
}

/// The live register rows the rules read, indexed by the person each belongs to.
///
/// Built from whatever rows a store hands over: all of a township for a bulk
/// check, or only the rows around the people a write touches at entry. A
/// person's card (``card(of:)``) is complete when every row naming her was given.
public struct CheckData: Sendable {
    /// The columns the rules read, per table; a store reads only these (and `id`).
    public static let columns: [String: [String]] = [
        "people": ["village", "household", "mother", "father", "name", "national_id", "sex", "birth_date",
                   "marital_status", "residence"],
        "events": ["village", "person", "kind", "date"],
        "visits": ["village", "person", "kind", "date"],
        "benefits": ["village", "person", "household", "payee", "program", "amount", "status", "paid_on", "period"],
        "pregnancies": ["village", "woman", "found_on", "expected_on", "status", "ended_on", "child"],
        "contraception": ["village", "person", "method", "since", "until", "status"],
        "households": ["village", "address", "head"],
    ]

    /// For each table, the fields that name the people a row belongs to.
    public static let personFields: [String: [String]] = [
        "events": ["person"], "visits": ["person"], "contraception": ["person"],
        "benefits": ["person", "payee"], "pregnancies": ["woman", "child"], "households": ["head"],
        "people": ["mother", "father"],
    ]

    public private(set) var people: [String: CheckRow] = [:]
    public private(set) var households: [String: CheckRow] = [:]
    private var rowsByPerson: [String: [CheckRow]] = [:]
    private var childrenByParent: [String: [CheckRow]] = [:]
    private var pregnanciesByChild: [String: [CheckRow]] = [:]
    private var householdsByHead: [String: [CheckRow]] = [:]
    private var benefitsByHousehold: [String: [CheckRow]] = [:]

    public init() {}

    /// Builds the index from rows of any of the tables in ``columns``.
    public init(rows: [CheckRow]) {
        for r in rows { add(r) }
    }

    /// Adds one row to the index.
    public mutating func add(_ r: CheckRow) {
        switch r.table {
        case "people":
            people[r.id] = r
            for parent in Set([r.text("mother"), r.text("father")].compactMap { $0 }) {
                childrenByParent[parent, default: []].append(r)
            }
        case "households":
            households[r.id] = r
            if let head = r.text("head") { householdsByHead[head, default: []].append(r) }
        case "pregnancies":
            if let woman = r.text("woman") { rowsByPerson[woman, default: []].append(r) }
            if let child = r.text("child") { pregnanciesByChild[child, default: []].append(r) }
        case "benefits":
            for who in Set([r.text("person"), r.text("payee")].compactMap { $0 }) { rowsByPerson[who, default: []].append(r) }
            if let h = r.text("household") { benefitsByHousehold[h, default: []].append(r) }
        default:
            if let who = r.text("person") { rowsByPerson[who, default: []].append(r) }
        }
    }

    /// Rows naming, in a field that must stay within the village, a person who is not among the rows: on a node,
    /// a person it cannot see (moved or merged away while the row stayed). `mother` and `father` may name a
    /// person of another village and are not listed. Each row once, with the field and the missing person.
    public var danglingReferences: [(row: CheckRow, field: String, person: String)] {
        var out: [(row: CheckRow, field: String, person: String)] = []
        var seen = Set<String>()
        for (person, rows) in rowsByPerson where people[person] == nil {
            for r in rows {
                let field = ["person", "woman", "payee"].first { r.text($0) == person } ?? "person"
                if seen.insert(r.table + "/" + r.id + "/" + field).inserted { out.append((r, field, person)) }
            }
        }
        for (head, rows) in householdsByHead where people[head] == nil {
            for r in rows { out.append((r, "head", head)) }
        }
        return out.sorted { ($0.row.table, $0.row.id, $0.field) < ($1.row.table, $1.row.id, $1.field) }
    }

    /// Everything about one person the rules read, or nil when she is not among the rows.
    public func card(of person: String) -> PersonCard? {
        guard let me = people[person] else { return nil }
        let own = rowsByPerson[person] ?? []
        let headOf = householdsByHead[person] ?? []
        return PersonCard(
            person: me,
            mother: me.text("mother").flatMap { people[$0] },
            father: me.text("father").flatMap { people[$0] },
            events: own.filter { $0.table == "events" },
            visits: own.filter { $0.table == "visits" },
            benefits: own.filter { $0.table == "benefits" },
            pregnancies: own.filter { $0.table == "pregnancies" && $0.text("woman") == person },
            contraception: own.filter { $0.table == "contraception" },
            children: childrenByParent[person] ?? [],
            bornOf: pregnanciesByChild[person] ?? [],
            headOf: headOf,
            householdBenefits: headOf.flatMap { benefitsByHousehold[$0.id] ?? [] },
            childrenOf: { self.childrenByParent[$0] ?? [] },
            eventsOf: { (self.rowsByPerson[$0] ?? []).filter { $0.table == "events" } })
    }
}

/// One person's card (卡片): her row and every row about her the rules read.
public struct PersonCard: Sendable {
    public var person: CheckRow
    public var mother: CheckRow?
    public var father: CheckRow?
    /// Her events (birth, marriage, death, moves).
    public var events: [CheckRow]
    public var visits: [CheckRow]
    /// Benefits naming her as the person or the payee.
    public var benefits: [CheckRow]
    /// Pregnancies where she is the woman.
    public var pregnancies: [CheckRow]
    public var contraception: [CheckRow]
    /// People naming her as mother or father.
    public var children: [CheckRow]
    /// Pregnancies naming her as the child.
    public var bornOf: [CheckRow]
    /// Households naming her as head.
    public var headOf: [CheckRow]
    /// Household benefits of the households she heads.
    public var householdBenefits: [CheckRow]
    /// Another person's children (for a spouse's view of a household benefit).
    public var childrenOf: @Sendable (String) -> [CheckRow]
    /// Another person's events (a child's death).
    public var eventsOf: @Sendable (String) -> [CheckRow]

    public var id: String { person.id }
    public var sex: String? { person.text("sex") }
    public var birth: CalendarDate? { person.date("birth_date") }

    /// The date of her first death event, if any.
    public var death: CalendarDate? {
        events.filter { $0.text("kind") == "death" }.compactMap { $0.date("date") }.min()
    }
}

extension CalendarDate {
    /// Whole years from `birth` to this date (an age).
    public func years(since birth: CalendarDate) -> Int {
        year - birth.year - ((month, day) < (birth.month, birth.day) ? 1 : 0)
    }

    /// The date `n` days later.
    public func adding(days n: Int) -> CalendarDate { CalendarDate(daysSinceEpoch: daysSinceEpoch + n) }
}
