/// One period's counting over an engine's indexes: every fact is added to its village's tally
/// and to the township's (index `villages.count`), each tally deduplicating on its own.
struct ReportPass {
    let engine: ReportEngine
    let period: ReportPeriod
    /// First and last day, and the day before the period, as `YYYY-MM-DD`.
    let from: String
    let to: String
    let start: String
    /// One tally per village, then the township's.
    var tallies: [Tally]
    /// Each person's place at the period end when they are a married woman of 15–49 then.
    var marriedWomen: [(person: Int, village: Int)] = []
    /// True when a ring or pregnancy check round fell in the period anywhere in the township.
    var roundsHeld = false

    init(engine: ReportEngine, period: ReportPeriod) {
        self.engine = engine
        self.period = period
        from = period.from.description
        to = period.to.description
        start = CalendarDate(daysSinceEpoch: period.from.daysSinceEpoch - 1).description
        tallies = Array(repeating: Tally(), count: engine.villages.count + 1)
    }

    var township: Int { engine.villages.count }

    func inPeriod(_ d: String?) -> Bool { d.map { $0 >= from && $0 <= to } ?? false }

    /// The day `years` before `day` as text (`2026-11-30`, 15 → `2011-11-30`): born on or before it = aged `years` or more on `day`.
    static func yearsBefore(_ day: String, _ years: Int) -> String {
        let y = Int(day.prefix(4)) ?? 0
        let s = String(y - years)
        return String(repeating: "0", count: max(0, 4 - s.count)) + s + day.dropFirst(4)
    }

    /// Adds to a village's tally and the township's.
    mutating func add(_ village: Int, _ body: (inout Tally) -> Void) {
        body(&tallies[village])
        body(&tallies[township])
    }

    /// Population at start and end, by sex and age, women 15–49, migrants; births by sex and order.
    mutating func countPeople() {
        let age15 = ReportPass.yearsBefore(to, 15), age50 = ReportPass.yearsBefore(to, 50)
        let age60 = ReportPass.yearsBefore(to, 60), age65 = ReportPass.yearsBefore(to, 65)
        for (i, p) in engine.persons.enumerated() {
            let born = p.birthDate ?? ""
            let death = engine.deathDate[i]
            if born <= start, death.map({ $0 > start }) ?? true {
                add(engine.village(of: i, on: start)) { $0.populationStart += 1 }
            }
            if born <= to, death.map({ $0 > to }) ?? true {
                let v = engine.village(of: i, on: to)
                let female = p.sex == "F"
                let fertile = female && !born.isEmpty && born > age50 && born <= age15
                let married = fertile && p.maritalStatus == "married"
                if married { marriedWomen.append((i, v)) }
                add(v) { t in
                    t.populationEnd += 1
                    if p.sex == "M" { t.populationMale += 1 }
                    if female { t.populationFemale += 1 }
                    if !born.isEmpty {
                        if born > age15 { t.age0to14 += 1 } else if born > age60 { t.age15to59 += 1 } else { t.age60plus += 1 }
                        if born <= age65 { t.age65plus += 1 }
                    }
                    if fertile { t.women15to49 += 1 }
                    if married { t.marriedWomen += 1 }
                    if p.residence == "moved_out" { t.migrantsOut += 1 }
                    if p.residence == "moved_in" { t.migrantsIn += 1 }
                }
            }
            if inPeriod(p.birthDate) {
                let order = engine.birthOrder[i]
                add(engine.village(of: i, on: born)) { t in
                    t.births += 1
                    if p.sex == "M" { t.birthsMale += 1 }
                    if p.sex == "F" { t.birthsFemale += 1 }
                    let part = order.map { $0 >= 3 ? "3+" : String($0) } ?? "unknown"
                    t.birthsByOrder[part, default: 0] += 1
                    if let order, order >= 2 {
                        if p.sex == "M" { t.laterBoys += 1 }
                        if p.sex == "F" { t.laterGirls += 1 }
                    }
                }
            }
        }
    }

    /// Deaths, marriages, first marriages, and moves (transfers and move events).
    mutating func countEvents() {
        for i in engine.persons.indices {
            if let d = engine.deathDate[i], inPeriod(d) { add(engine.village(of: i, on: d)) { $0.deaths += 1 } }
            let dates = engine.marriageDates[i]
            if let d = dates.first(where: inPeriod) {
                let first = dates.first == d
                add(engine.village(of: i, on: d)) { t in
                    t.marriages += 1
                    if first { t.firstMarriages += 1 }
                }
            }
            for t in engine.transfers[i] where inPeriod(t.date) {
                // The village it went to: the next transfer's origin, or its village now.
                let next = engine.transfers[i].first { $0.date > t.date }?.from ?? engine.home[i]
                guard next != t.from else { continue }
                tallies[t.from].movedOut.insert(i)
                tallies[next].movedIn.insert(i)
            }
        }
        for e in engine.input.events where (e.kind == "move_in" || e.kind == "move_out") && inPeriod(e.date) {
            // A 迁出 event that moved with her counts for the village she left, not the one holding it now.
            let village = e.kind == "move_out" ? e.origin ?? e.village : e.village
            guard let p = e.person.flatMap({ engine.personIndex[$0] }), let v = engine.villageIndex[village] else { continue }
            if e.kind == "move_in" { add(v) { $0.movedIn.insert(p) } } else { add(v) { $0.movedOut.insert(p) } }
        }
    }

    /// The data-quality counts of a village (nil: the township's sum); nil when the store gave none.
    func quality(_ village: String?) -> ReportInput.Quality? {
        guard let q = engine.input.quality else { return nil }
        if let village { return q[village] ?? ReportInput.Quality() }
        return q.values.reduce(into: ReportInput.Quality()) {
            $0.openConflicts += $1.openConflicts
            $0.openDuplicates += $1.openDuplicates
            $0.checkItems += $1.checkItems
        }
    }
}
