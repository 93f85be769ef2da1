extension ReportPass {
    /// Long-acting methods first, then the others, for a woman with several in use.
    static let methodRank = ["sterilization": 0, "iud": 1, "implant": 2, "drugs": 3, "other": 4]
    static let longActing: Set<String> = ["iud", "sterilization", "implant"]

    /// Pregnancies (new, ongoing at end, ended by outcome), contraception at end, ring/pregnancy checks.
    mutating func countFamilyHealth() {
        var seenPregnancy = Set<String>()
        for g in engine.input.pregnancies.sorted(by: { $0.id < $1.id }) {
            guard let w = g.woman.flatMap({ engine.personIndex[$0] }) else { continue }
            // One woman, one found date: one pregnancy, however many rows were entered for it.
            guard seenPregnancy.insert("\(w)|\(g.foundOn ?? g.id)").inserted else { continue }
            if let f = g.foundOn, inPeriod(f) { add(engine.village(of: w, on: f)) { $0.pregnanciesNew += 1 } }
            if let f = g.foundOn, f <= to {
                let ongoing = g.endedOn.map { $0 > to } ?? (g.status == "ongoing" || g.status == nil)
                if ongoing { add(engine.village(of: w, on: to)) { $0.pregnanciesOngoing += 1 } }
            }
            if let e = g.endedOn, inPeriod(e) {
                let outcome = g.status == "born" ? "born" : (g.endKind.flatMap { ["miscarriage", "induced", "other"].contains($0) ? $0 : nil } ?? "other")
                add(engine.village(of: w, on: e)) { $0.pregnanciesEnded[outcome, default: 0] += 1 }
            }
        }
        var checked = Set<Int>()
        for v in engine.input.visits where (v.kind == "ring_check" || v.kind == "pregnancy_check") && inPeriod(v.date) {
            guard let r = v.round, !r.isEmpty else { continue }
            roundsHeld = true
            if let p = v.person.flatMap({ engine.personIndex[$0] }) { checked.insert(p) }
        }
        for (p, v) in marriedWomen {
            let method = methodInUse(p)
            let isChecked = checked.contains(p)
            add(v) { t in
                t.methods[method ?? "none", default: 0] += 1
                if let method, ReportPass.longActing.contains(method) { t.longActing += 1 }
                if isChecked { t.checked += 1 }
            }
        }
    }

    /// The method a person uses on the period's last day (a long-acting one first), or nil.
    func methodInUse(_ p: Int) -> String? {
        var best: String?
        for c in engine.methods[p] {
            guard let m = c.method, let since = c.since, since <= to else { continue }
            let inUse = c.until.map { $0 > to } ?? (c.status != "stopped")
            guard inUse else { continue }
            let rank = ReportPass.methodRank[m] ?? 5
            if best.map({ rank < (ReportPass.methodRank[$0] ?? 5) }) ?? true { best = m }
        }
        return best
    }

    /// Visits by kind; benefits by program (people new / continuing / ended in the years the period
    /// covers, and the amounts paid in it, in 分).
    mutating func countVisitsAndBenefits() {
        for v in engine.input.visits where inPeriod(v.date) {
            guard let i = engine.villageIndex[v.village] else { continue }
            add(i) { $0.visits[v.kind ?? "other", default: 0] += 1 }
        }
        let years = period.from.year...period.to.year
        for b in engine.input.benefits.sorted(by: { $0.id < $1.id }) {
            guard let i = engine.villageIndex[b.village] else { continue }
            let program = b.program.flatMap { $0.isEmpty ? nil : $0 } ?? "其他"
            if let y = b.period.flatMap({ Int($0.prefix(4)) }), years.contains(y),
               let life = b.lifecycle, ["new", "continuing", "ended"].contains(life) {
                let who: String
                if let p = b.person.flatMap({ engine.personIndex[$0] }) { who = "p\(p)" }
                else if let h = b.household, !h.isEmpty { who = "h\(h)" }
                else { who = "r\(b.id)" }
                add(i) { $0.beneficiaries[program, default: [:]][life, default: []].insert(who) }
            }
            if b.status == "paid", inPeriod(b.paidOn), let fen = b.amountFen {
                add(i) { t in
                    t.paidFen[program, default: 0] += fen
                    _ = t.beneficiaries[program, default: [:]]
                }
            }
        }
    }
}
