/// The 育龄妇女 card: pregnancies (孕情), contraception (节育措施) and the year's
/// 查环/查孕 rounds, made from a household's members once their ids are known.
extension SeedBuilder {
    /// One contraception episode; days count from 1970-01-01.
    struct MethodEpisode {
        var method: String
        var since: Int
        var until: Int?
    }

    /// The months of the 查环查孕 rounds.
    static let roundMonths = [3, 7, 11]

    mutating func familyHealth(village: String, members: [SeedMember], leader: String) {
        for (i, w) in members.enumerated() where !w.male && w.death == nil && w.residence != "moved_out" {
            let births = Array(Set(members.filter { $0.mother == i }.map(\.birth))).sorted()
            let spans = pregnancies(village: village, woman: w, index: i, members: members, leader: leader)
            let a = SeedBuilder.age(w.birth, on: today)
            guard w.marital == "married", (15...49).contains(a) else { continue }
            let episodes = contraception(woman: w, births: births)
            for e in episodes {
                var row: [String: String] = ["id": newID(), "village": village, "person": w.id, "method": e.method,
                                             "since": SeedBuilder.date(e.since), "responsible": leader,
                                             "status": e.until == nil ? "active" : "stopped"]
                if let u = e.until { row["until"] = SeedBuilder.date(u) }
                township.contraception.append(row)
            }
            rounds(village: village, woman: w, episodes: episodes, pregnant: spans)
        }
    }

    /// A woman's pregnancies of the last three years: one per birth (closed by the child), the one
    /// she carries now, and now and then one that ended (流产、引产). Returns the days each covered.
    mutating func pregnancies(village: String, woman w: SeedMember, index: Int, members: [SeedMember],
                              leader: String) -> [ClosedRange<Int>] {
        var spans: [ClosedRange<Int>] = []
        var previous: Int?
        for c in members.filter({ $0.mother == index }).sorted(by: { ($0.birth, $0.id) < ($1.birth, $1.id) })
        where c.birth > today - 3 * 365 && c.birth != previous {
            previous = c.birth
            let found = c.birth - rng.int(30...34) * 7
            pregnancy(village, w.id, found: found, expected: c.birth + rng.int(-10...14), leader: leader,
                      status: "born", ended: c.birth, child: c.id)
            spans.append((c.birth - 280)...c.birth)
        }
        if w.pregnantWeeks > 0 {
            let foundWeek = min(w.pregnantWeeks, rng.int(6...10))
            pregnancy(village, w.id, found: today - (w.pregnantWeeks - foundWeek) * 7,
                      expected: today + (40 - w.pregnantWeeks) * 7, leader: leader, status: "ongoing")
            spans.append((today - w.pregnantWeeks * 7)...today)
        }
        let a = SeedBuilder.age(w.birth, on: today)
        let earliest = max(today - 3 * 365, w.marriage ?? w.birth)
        if w.marital == "married", (20...44).contains(a), earliest <= today - 60, rng.chance(10) {
            let found = day(in: earliest...(today - 60))
            let ended = min(today, found + rng.int(14...56))
            let clear = members.filter { $0.mother == index }.allSatisfy { found > $0.birth + 120 || ended < $0.birth - 290 }
                && (w.pregnantWeeks == 0 || ended < today - w.pregnantWeeks * 7 - 30)
            if clear {
                let kind = ["miscarriage", "induced", "other"][rng.weighted(cumulative: [65, 90, 100])]
                pregnancy(village, w.id, found: found, expected: found + rng.int(200...230), leader: leader,
                          status: "ended", endKind: kind, ended: ended)
                spans.append((found - 42)...ended)
            }
        }
        return spans
    }

    mutating func pregnancy(_ village: String, _ woman: String, found: Int, expected: Int, leader: String, status: String,
                            endKind: String? = nil, ended: Int? = nil, child: String? = nil) {
        var row: [String: String] = ["id": newID(), "village": village, "woman": woman, "found_on": SeedBuilder.date(found),
                                     "expected_on": SeedBuilder.date(expected), "responsible": leader, "status": status]
        if let endKind { row["end_kind"] = endKind }
        if let ended { row["ended_on"] = SeedBuilder.date(ended) }
        if let child { row["child"] = child }
        township.pregnancies.append(row)
    }

    /// A married woman's methods: an IUD taken out to have the next child, then what she
    /// uses since her last birth, chosen by how many children she has (上环 after one,
    /// often 结扎 after two); none yet after a recent birth, none while pregnant.
    mutating func contraception(woman w: SeedMember, births: [Int]) -> [MethodEpisode] {
        var out: [MethodEpisode] = []
        for k in births.indices.dropLast() where rng.chance(45) {
            let since = births[k] + rng.int(60...180)
            let until = births[k + 1] - 280 - rng.int(30...120)
            if until - since >= 120 { out.append(MethodEpisode(method: "iud", since: since, until: until)) }
        }
        let married = w.marriage ?? SeedBuilder.adding(years: 22, to: w.birth)
        if w.pregnantWeeks > 0 {
            // Stopped before she conceived.
            let conception = today - w.pregnantWeeks * 7
            let since = max(births.last.map { $0 + 60 } ?? married, conception - rng.int(200...900))
            let until = conception - rng.int(10...60)
            if rng.chance(40), until - since >= 90 {
                out.append(MethodEpisode(method: rng.chance(50) ? "drugs" : "iud", since: since, until: until))
            }
            return out
        }
        let since = births.last.map { $0 + rng.int(42...240) } ?? (married + rng.int(0...90))
        guard since <= today - 7 else { return out }
        let children = max(w.children, births.count)
        let weights: [Int]
        switch children {
        case 0: weights = [0, 0, 0, 40, 43, 100]          // drugs, other, or none
        case 1: weights = [60, 62, 67, 82, 84, 100]
        default: weights = [45, 75, 82, 90, 92, 100]
        }
        let pick = rng.weighted(cumulative: weights)
        guard pick < 5 else { return out }
        let method = ["iud", "sterilization", "implant", "drugs", "other"][pick]
        var until: Int?
        if method == "drugs", rng.chance(20) {
            let end = since + rng.int(90...700)
            if end < today { until = end }
        }
        out.append(MethodEpisode(method: method, since: since, until: until))
        return out
    }

    /// The register year's 查环/查孕 rounds: 查环 for a woman with an IUD, 查孕 for the others;
    /// a sterilized woman is exempt. About one in ten is missed.
    mutating func rounds(village: String, woman w: SeedMember, episodes: [MethodEpisode], pregnant: [ClosedRange<Int>]) {
        let year = SeedBuilder.year(today)
        for month in SeedBuilder.roundMonths {
            guard let first = CalendarDate(year: year, month: month, day: 1)?.daysSinceEpoch else { continue }
            let d = first + rng.int(0...20)
            guard d <= today, (15...49).contains(SeedBuilder.age(w.birth, on: d)), (w.marriage ?? today) <= d,
                  rng.chance(90) else { continue }
            let method = episodes.last { $0.since <= d && ($0.until.map { d < $0 } ?? true) }?.method
            let round = "\(year)年\(month)月"
            if method == "sterilization" { continue }
            if method == "iud" {
                let result = rng.chance(94) ? "环位正常，未孕" : "环位下移，已通知一个月后复查"
                township.visits.append(["id": newID(), "village": village, "person": w.id, "kind": "ring_check",
                                        "date": SeedBuilder.date(d), "result": result, "round": round])
            } else {
                let result = pregnant.contains { $0.contains(d) } ? "已孕，孕情已登记" : "未孕"
                township.visits.append(["id": newID(), "village": village, "person": w.id, "kind": "pregnancy_check",
                                        "date": SeedBuilder.date(d), "result": result, "round": round])
            }
        }
    }
}
