/// One place's counts for one period (a village, or the township as one place).
struct Tally {
    var populationStart: Int64 = 0
    var populationEnd: Int64 = 0
    var populationMale: Int64 = 0
    var populationFemale: Int64 = 0
    var age0to14: Int64 = 0
    var age15to59: Int64 = 0
    var age60plus: Int64 = 0
    var age65plus: Int64 = 0
    var women15to49: Int64 = 0
    var marriedWomen: Int64 = 0
    var migrantsOut: Int64 = 0
    var migrantsIn: Int64 = 0
    var births: Int64 = 0
    var birthsMale: Int64 = 0
    var birthsFemale: Int64 = 0
    var birthsByOrder: [String: Int64] = [:]
    var laterBoys: Int64 = 0
    var laterGirls: Int64 = 0
    var deaths: Int64 = 0
    var marriages: Int64 = 0
    var firstMarriages: Int64 = 0
    /// People (person indexes) who joined / left this place's register in the period.
    var movedIn = Set<Int>()
    var movedOut = Set<Int>()
    var pregnanciesNew: Int64 = 0
    var pregnanciesOngoing: Int64 = 0
    var pregnanciesEnded: [String: Int64] = [:]
    var methods: [String: Int64] = [:]
    var longActing: Int64 = 0
    var checked: Int64 = 0
    var visits: [String: Int64] = [:]
    /// Program → lifecycle → beneficiaries (`p<person>`, `h<household>` or `r<row>`).
    var beneficiaries: [String: [String: Set<String>]] = [:]
    /// Program → 分 paid in the period.
    var paidFen: [String: Int64] = [:]

    /// A breakdown with every fixed part present (0 when none).
    static func parts(_ counts: [String: Int64], _ fixed: [String]) -> ReportValue {
        var o: [String: ReportValue] = [:]
        for k in fixed { o[k] = .integer(0) }
        for (k, n) in counts { o[k] = .integer(n) }
        return .object(o)
    }

    /// The figures by indicator key.
    /// - Parameters:
    ///   - quality: the place's data-quality counts (nil: unknown, shown `—`).
    ///   - roundsHeld: whether a ring/pregnancy check round fell in the period.
    func figures(quality: ReportInput.Quality?, roundsHeld: Bool) -> [String: ReportValue] {
        let mean = Double(populationStart + populationEnd) / 2
        var f: [String: ReportValue] = [
            "population_start": .integer(populationStart), "population_end": .integer(populationEnd),
            "population_end_male": .integer(populationMale), "population_end_female": .integer(populationFemale),
            "population_age_0_14": .integer(age0to14), "population_age_15_59": .integer(age15to59),
            "population_age_60_plus": .integer(age60plus), "population_age_65_plus": .integer(age65plus),
            "women_15_49": .integer(women15to49), "married_women_15_49": .integer(marriedWomen),
            "migrants_out": .integer(migrantsOut), "migrants_in": .integer(migrantsIn),
            "births": .integer(births), "births_male": .integer(birthsMale), "births_female": .integer(birthsFemale),
            "births_by_order": Tally.parts(birthsByOrder, ["1", "2", "3+", "unknown"]),
            "sex_ratio_at_birth": ReportValue.rate(birthsMale, over: Double(birthsFemale), scale: 100),
            "sex_ratio_at_birth_order2plus": ReportValue.rate(laterBoys, over: Double(laterGirls), scale: 100),
            "deaths": .integer(deaths),
            "birth_rate": ReportValue.rate(births, over: mean, scale: 1000),
            "death_rate": ReportValue.rate(deaths, over: mean, scale: 1000),
            "natural_growth_rate": ReportValue.rate(births - deaths, over: mean, scale: 1000),
            "marriages": .integer(marriages), "first_marriages": .integer(firstMarriages),
            "moves_in": .integer(Int64(movedIn.count)), "moves_out": .integer(Int64(movedOut.count)),
            "pregnancies_new": .integer(pregnanciesNew), "pregnancies_ongoing_end": .integer(pregnanciesOngoing),
            "pregnancies_ended": Tally.parts(pregnanciesEnded, ["born", "miscarriage", "induced", "other"]),
            "contraception_by_method": Tally.parts(methods, ["iud", "sterilization", "implant", "drugs", "other", "none"]),
            "long_acting_rate": ReportValue.rate(longActing, over: Double(marriedWomen), scale: 100),
            "ring_pregnancy_checked": roundsHeld ? .integer(checked) : .missing,
            "ring_pregnancy_due": roundsHeld ? .integer(marriedWomen) : .missing,
            "ring_pregnancy_check_rate": roundsHeld ? ReportValue.rate(checked, over: Double(marriedWomen), scale: 100) : .missing,
            "visits_by_kind": Tally.parts(visits, ["health_check", "prenatal", "postnatal", "child_health", "follow_up",
                                                   "ring_check", "pregnancy_check"]),
        ]
        var programs: [String: ReportValue] = [:]
        var total: Int64 = 0
        for (program, kinds) in beneficiaries {
            let fen = paidFen[program] ?? 0
            total += fen
            programs[program] = .object([
                "new": .integer(Int64(kinds["new"]?.count ?? 0)), "continuing": .integer(Int64(kinds["continuing"]?.count ?? 0)),
                "ended": .integer(Int64(kinds["ended"]?.count ?? 0)), "paid_fen": .integer(fen),
                "paid_yuan": .text(ReportValue.yuan(fen: fen)),
            ])
        }
        f["benefits"] = .object(programs)
        f["benefits_paid_fen"] = .integer(total)
        f["benefits_paid_yuan"] = .text(ReportValue.yuan(fen: total))
        f["open_conflicts"] = quality.map { .integer(Int64($0.openConflicts)) } ?? .missing
        f["open_duplicates"] = quality.map { .integer(Int64($0.openDuplicates)) } ?? .missing
        f["check_items"] = quality.map { .integer(Int64($0.checkItems)) } ?? .missing
        return f
    }

    /// The indicators made from each table: shown `—` when the register has no such table.
    static let fromTable: [String: [String]] = [
        "events": ["deaths", "death_rate", "natural_growth_rate", "marriages", "first_marriages"],
        "pregnancies": ["pregnancies_new", "pregnancies_ongoing_end", "pregnancies_ended"],
        "contraception": ["contraception_by_method", "long_acting_rate"],
        "visits": ["visits_by_kind", "ring_pregnancy_checked", "ring_pregnancy_due", "ring_pregnancy_check_rate"],
        "benefits": ["benefits", "benefits_paid_fen", "benefits_paid_yuan"],
    ]
}
