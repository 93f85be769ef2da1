/// The logic of each rule in `check-rules.json`, by id. Each reads one card and
/// emits the records that break it; the rule's severity, wording and numbers come
/// from its declaration.
enum CardRules {
    typealias Logic = @Sendable (CheckRule, PersonCard, inout Findings) -> Void

    static let all: [String: Logic] = [
        "pregnancy-care-for-man": pregnancyCareForMan,
        "pregnancy-for-man": pregnancyForMan,
        "iud-for-man": iudForMan,
        "mother-too-young": motherTooYoung,
        "mother-age-unusual": motherAgeUnusual,
        "married-under-age": marriedUnderAge,
        "birth-recorded-twice": birthRecordedTwice,
        "two-mothers": twoMothers,
        "after-death": afterDeath,
        "future-date": futureDate,
        "before-birth": beforeBirth,
        "birth-event-date": birthEventDate,
        "two-ongoing-pregnancies": twoOngoingPregnancies,
        "pregnancy-overdue": pregnancyOverdue,
        "only-child-reward-with-siblings": onlyChildReward,
        "benefit-amount-range": benefitAmountRange,
        "moved-out-still-resident": movedOutStillResident,
        "head-not-in-household": headNotInHousehold,
        // A whole-register rule, not a card's: `CheckEngine.findings(in:only:)` runs it (`CheckData.danglingReferences`).
        "dangling-reference": { _, _, _ in },
    ]

    // MARK: - Sex

    static func pregnancyCareForMan(_ r: CheckRule, _ c: PersonCard, _ out: inout Findings) {
        guard c.sex == "M" else { return }
        let kinds = Set(r.p.kinds ?? [])
        for v in c.visits {
            guard let kind = v.text("kind"), kinds.contains(kind) else { continue }
            out.emit(v, date: v.text("date"), ["kind": out.engine.value("visits", "kind", kind)])
        }
    }

    static func pregnancyForMan(_ r: CheckRule, _ c: PersonCard, _ out: inout Findings) {
        guard c.sex == "M" else { return }
        for p in c.pregnancies { out.emit(p, date: p.text("found_on")) }
    }

    static func iudForMan(_ r: CheckRule, _ c: PersonCard, _ out: inout Findings) {
        guard c.sex == "M" else { return }
        let methods = Set(r.p.methods ?? [])
        for m in c.contraception {
            guard let method = m.text("method"), methods.contains(method) else { continue }
            out.emit(m, date: m.text("since"), ["method": out.engine.value("contraception", "method", method)])
        }
    }

    // MARK: - Ages

    /// The moments a woman is pregnant or gives birth on her card: her children's births
    /// (where she is the mother), pregnancies found, and prenatal/postnatal visits.
    static func motherhood(_ c: PersonCard, visitKinds: Set<String>) -> [(CheckRow, CalendarDate, String)] {
        var out: [(CheckRow, CalendarDate, String)] = []
        for child in c.children where child.text("mother") == c.id {
            if let d = child.date("birth_date") { out.append((child, d, "birth_date")) }
        }
        for p in c.pregnancies { if let d = p.date("found_on") { out.append((p, d, "found_on")) } }
        for v in c.visits where visitKinds.contains(v.text("kind") ?? "") {
            if let d = v.date("date") { out.append((v, d, "date")) }
        }
        return out
    }

    static func motherTooYoung(_ r: CheckRule, _ c: PersonCard, _ out: inout Findings) {
        guard let birth = c.birth else { return }
        let minimum = r.p.minAge ?? 12
        for (row, date, _) in motherhood(c, visitKinds: ["prenatal", "postnatal"]) {
            let age = date.years(since: birth)
            guard age < minimum, date >= birth else { continue }
            out.emit(row, date: date.description, ["age": Label(zh: "\(age)", en: "\(age)"), "date": text(date)])
        }
    }

    static func motherAgeUnusual(_ r: CheckRule, _ c: PersonCard, _ out: inout Findings) {
        guard let birth = c.birth else { return }
        let impossible = out.engine.rules.rule("mother-too-young")?.p.minAge ?? 12
        let low = r.p.minAge ?? 15, high = r.p.maxAge ?? 55
        for (row, date, _) in motherhood(c, visitKinds: []) {
            let age = date.years(since: birth)
            guard age >= impossible, age < low || age > high else { continue }
            out.emit(row, date: date.description, ["age": Label(zh: "\(age)", en: "\(age)"), "date": text(date)])
        }
    }

    /// The legal marriage age for a sex on a day: 20/22 since the 1980 Marriage Law took effect, 18/20 before.
    static func legalAge(_ r: CheckRule, sex: String, on day: CalendarDate) -> Int? {
        let p = r.p
        if let since = p.since.flatMap(CalendarDate.init), day < since {
            return sex == "F" ? p.earlierF : sex == "M" ? p.earlierM : nil
        }
        return sex == "F" ? p.ageF : sex == "M" ? p.ageM : nil
    }

    static func legalWording(_ r: CheckRule, sex: String, on day: CalendarDate) -> Label {
        let age = legalAge(r, sex: sex, on: day) ?? 0
        return sex == "F" ? Label(zh: "女 \(age) 岁", en: "women \(age)") : Label(zh: "男 \(age) 岁", en: "men \(age)")
    }

    static func marriedUnderAge(_ r: CheckRule, _ c: PersonCard, _ out: inout Findings) {
        guard let birth = c.birth, let sex = c.sex else { return }
        let today = out.engine.today
        if let status = c.person.text("marital_status"), status != "single", let legal = legalAge(r, sex: sex, on: today),
           today.years(since: birth) < legal {
            let age = today.years(since: birth)
            out.emit(c.person, date: nil, ["age": Label(zh: "\(age)", en: "\(age)"), "when": Label(zh: "现年 ", en: "now"),
                                          "legal": legalWording(r, sex: sex, on: today),
                                          "status": out.engine.value("people", "marital_status", status)])
        }
        for e in c.events where e.text("kind") == "marriage" {
            guard let d = e.date("date"), d >= birth, let legal = legalAge(r, sex: sex, on: d), d.years(since: birth) < legal else { continue }
            let age = d.years(since: birth)
            out.emit(e, date: d.description, ["age": Label(zh: "\(age)", en: "\(age)"),
                                             "when": Label(zh: "\(d.description) 结婚时 ", en: "on \(d.description)"),
                                             "legal": legalWording(r, sex: sex, on: d),
                                             "status": Label(zh: "已登记结婚", en: "married")])
        }
    }

    // MARK: - Births

    static func birthRecordedTwice(_ r: CheckRule, _ c: PersonCard, _ out: inout Findings) {
        let births = c.events.filter { $0.text("kind") == "birth" }.sorted { ($0.text("date") ?? "", $0.id) < ($1.text("date") ?? "", $1.id) }
        guard let first = births.first else { return }
        for e in births.dropFirst() { out.emit(e, date: e.text("date"), ["date": Label(zh: first.text("date") ?? "", en: first.text("date") ?? "")]) }
    }

    static func twoMothers(_ r: CheckRule, _ c: PersonCard, _ out: inout Findings) {
        let pregnancies = c.bornOf.sorted { ($0.text("found_on") ?? "", $0.id) < ($1.text("found_on") ?? "", $1.id) }
        let mother = c.person.text("mother") ?? pregnancies.first?.text("woman")
        for p in pregnancies where p.text("woman") != mother {
            let other = c.mother.map(out.engine.name) ?? Label(zh: "另一人", en: "someone else")
            out.emit(p, date: p.text("found_on"), ["other": other])
        }
    }

    static func birthEventDate(_ r: CheckRule, _ c: PersonCard, _ out: inout Findings) {
        guard let birth = c.birth else { return }
        for e in c.events where e.text("kind") == "birth" {
            guard let d = e.date("date"), d != birth else { continue }
            out.emit(e, date: d.description, ["birth": text(birth), "date": text(d)])
        }
    }

    static func text(_ d: CalendarDate) -> Label { Label(zh: d.description, en: d.description) }
}
