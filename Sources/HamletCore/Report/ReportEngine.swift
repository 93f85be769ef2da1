/// Makes reports from a `ReportInput`: pure, no I/O, the same figures for the same rows.
///
/// Make one engine per input and ask it for as many periods as needed (the month, the month
/// before, the same month last year for the 漏报 signal): the indexes are built once.
///
/// How it never counts twice (口径, see `Indicator.commonRules`):
/// - **People** are grouped by 身份证号: rows sharing one (an open duplicate) are one person,
///   represented by the row with the smallest id, which is the row registered first (ids are
///   UUIDv7, time-ordered); the person counts in that row's village. Rows without an ID stand alone.
///   Events, pregnancies and contraception naming any row of the group belong to the person.
/// - **Births** are people whose birth date is in the period, never birth events: two birth
///   events of one child are one birth, and a child whose birth event was never entered is still born.
/// - **Deaths** use the earliest death event of the person; **marriages** each person once.
/// - **Moves**: a transfer between villages is the old village's 迁出 and the new one's 迁入 (not
///   the township's); move events count in the event's village; each person once per village,
///   direction and period.
/// - **Village on a day**: a person counts in the village whose register held their row that day:
///   the village the row left at its first transfer after that day, or its village now.
/// - **Money** is summed in integer 分.
public struct ReportEngine: Sendable {
    /// The rows.
    public let input: ReportInput
    /// Every village (the input's, then any other a row names), in order; the township is index `villages.count`.
    public let villages: [String]
    let villageIndex: [String: Int]
    /// One entry per person (the representative row of each 身份证号 group, or a row without one).
    let persons: [ReportInput.Person]
    /// Row id → index in `persons` (every live row, duplicates onto their representative).
    let personIndex: [String: Int]
    /// Each person's village now, as a village index.
    let home: [Int]
    /// Each person's transfers, oldest first: (date received, index of the village left).
    let transfers: [[(date: String, from: Int)]]
    /// Each person's 孩次, when their mother is on the register.
    let birthOrder: [Int?]
    /// Each person's earliest death date.
    let deathDate: [String?]
    /// Each person's marriage dates, oldest first.
    let marriageDates: [[String]]
    /// Each person's contraception episodes.
    let methods: [[ReportInput.Contraception]]

    /// Indexes the rows.
    /// - Parameter input: the live rows.
    public init(_ input: ReportInput) {
        self.input = input
        var names = input.villages
        var seen = Set(names)
        for v in input.people.map(\.village) + input.events.map(\.village) + input.visits.map(\.village)
            + input.benefits.map(\.village) + input.pregnancies.map(\.village) where !seen.contains(v) {
            seen.insert(v)
            names.append(v)
        }
        villages = names
        let villageIndex = Dictionary(names.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        self.villageIndex = villageIndex
        let (persons, personIndex) = ReportEngine.groupPeople(input.people)
        self.persons = persons
        self.personIndex = personIndex
        home = persons.map { villageIndex[$0.village] ?? 0 }
        transfers = ReportEngine.transfers(input.moves, persons: persons.count, personIndex: personIndex, villageIndex: villageIndex)
        birthOrder = ReportEngine.birthOrders(persons, personIndex: personIndex)
        var deaths = [String?](repeating: nil, count: persons.count)
        var marriages = [[String]](repeating: [], count: persons.count)
        for e in input.events {
            guard let id = e.person, let p = personIndex[id], let d = e.date else { continue }
            if e.kind == "death", deaths[p].map({ d < $0 }) ?? true { deaths[p] = d }
            if e.kind == "marriage" { marriages[p].append(d) }
        }
        deathDate = deaths
        marriageDates = marriages.map { $0.sorted() }
        var episodes = [[ReportInput.Contraception]](repeating: [], count: persons.count)
        for c in input.contraception {
            if let id = c.person, let p = personIndex[id] { episodes[p].append(c) }
        }
        methods = episodes
    }

    /// Groups rows by 身份证号: the smallest id of each group represents it.
    static func groupPeople(_ people: [ReportInput.Person]) -> ([ReportInput.Person], [String: Int]) {
        // The stores read rows in insertion order, which is almost always id order (UUIDv7): sort only when not.
        let inOrder = people.indices.dropFirst().allSatisfy { people[$0 - 1].id < people[$0].id }
        let sorted = inOrder ? people : people.sorted { $0.id < $1.id }
        var out: [ReportInput.Person] = []
        out.reserveCapacity(sorted.count)
        var index: [String: Int] = [:]
        index.reserveCapacity(sorted.count)
        var byNationalID: [String: Int] = [:]
        byNationalID.reserveCapacity(sorted.count)
        for p in sorted {
            if let n = p.nationalID, !n.isEmpty, let first = byNationalID[n] {
                index[p.id] = first
                continue
            }
            index[p.id] = out.count
            if let n = p.nationalID, !n.isEmpty { byNationalID[n] = out.count }
            out.append(p)
        }
        return (out, index)
    }

    /// Each person's transfers (those of the representative row only), oldest first.
    static func transfers(_ moves: [ReportInput.Move], persons: Int, personIndex: [String: Int],
                          villageIndex: [String: Int]) -> [[(date: String, from: Int)]] {
        var out = [[(date: String, from: Int)]](repeating: [], count: persons)
        for m in moves.sorted(by: { ($0.date, $0.person) < ($1.date, $1.person) }) {
            guard let p = personIndex[m.person], let from = villageIndex[m.from] else { continue }
            out[p].append((m.date, from))
        }
        return out
    }

    /// 孩次 of every person whose mother is on the register (`BirthOrder` over her children).
    static func birthOrders(_ persons: [ReportInput.Person], personIndex: [String: Int]) -> [Int?] {
        var children: [Int: [BirthOrder.Child]] = [:]
        for (i, p) in persons.enumerated() {
            guard let m = p.mother.flatMap({ personIndex[$0] }), let b = p.birthDate else { continue }
            children[m, default: []].append(BirthOrder.Child(id: String(i), birthDate: b))
        }
        var out = [Int?](repeating: nil, count: persons.count)
        for (_, list) in children {
            for o in BirthOrder.of(list) { if let i = Int(o.id) { out[i] = o.order } }
        }
        return out
    }

    /// The village index whose register held person `p` on day `d`.
    func village(of p: Int, on d: String) -> Int {
        for t in transfers[p] where t.date > d { return t.from }
        return home[p]
    }

    /// The report for one period: every indicator for the township and each village.
    /// - Parameter period: the period.
    /// - Returns: the report.
    public func report(for period: ReportPeriod) -> Report {
        var pass = ReportPass(engine: self, period: period)
        pass.countPeople()
        pass.countEvents()
        pass.countFamilyHealth()
        pass.countVisitsAndBenefits()
        let absent = Set(input.absentTables.flatMap { Tally.fromTable[$0] ?? [] })
        func figures(_ i: Int, _ village: String?) -> [String: ReportValue] {
            var f = pass.tallies[i].figures(quality: pass.quality(village), roundsHeld: pass.roundsHeld)
            for key in absent { f[key] = .missing }
            return f
        }
        var out: [String: [String: ReportValue]] = [:]
        for (i, v) in villages.enumerated() { out[v] = figures(i, v) }
        return Report(period: period, township: figures(villages.count, nil), villages: out)
    }
}
