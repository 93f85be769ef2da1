/// Rules about dates, pregnancies, benefits and households.
extension CardRules {
    /// The dated fields of each table that say when something happened (not plans such as 预产期).
    static let happenedOn: [String: [String]] = [
        "people": ["birth_date"], "events": ["date"], "visits": ["date"], "benefits": ["paid_on"],
        "pregnancies": ["found_on", "ended_on"], "contraception": ["since"],
    ]

    static func ownRows(_ c: PersonCard) -> [CheckRow] {
        [c.person] + c.events + c.visits + c.benefits.filter { $0.text("person") == c.id } + c.pregnancies + c.contraception
    }

    // MARK: - Dates

    static func afterDeath(_ r: CheckRule, _ c: PersonCard, _ out: inout Findings) {
        guard let death = c.death else { return }
        let rows = c.events.filter { $0.text("kind") != "death" } + c.visits
            + c.benefits.filter { $0.text("person") == c.id && $0.text("status") == "paid" }
        for row in rows {
            let field = row.table == "benefits" ? "paid_on" : "date"
            guard let d = row.date(field), d > death else { continue }
            out.emit(row, date: d.description, ["death": text(death), "date": text(d)])
        }
    }

    static func futureDate(_ r: CheckRule, _ c: PersonCard, _ out: inout Findings) {
        let limit = out.engine.today.adding(days: 1)
        for row in ownRows(c) {
            for f in happenedOn[row.table] ?? [] {
                guard let d = row.date(f), d > limit else { continue }
                out.emit(row, date: d.description, ["field": out.engine.field(row.table, f), "date": text(d)])
                break
            }
        }
    }

    static func beforeBirth(_ r: CheckRule, _ c: PersonCard, _ out: inout Findings) {
        guard let birth = c.birth else { return }
        for row in ownRows(c) where row.table != "people" && row.table != "benefits" {
            for f in happenedOn[row.table] ?? [] {
                guard let d = row.date(f), d < birth else { continue }
                out.emit(row, date: d.description, ["birth": text(birth), "field": out.engine.field(row.table, f), "date": text(d)])
                break
            }
        }
    }

    // MARK: - Pregnancies

    static func ongoing(_ c: PersonCard) -> [CheckRow] {
        c.pregnancies.filter { $0.text("status") == "ongoing" }
            .sorted { ($0.text("found_on") ?? "", $0.id) < ($1.text("found_on") ?? "", $1.id) }
    }

    static func twoOngoingPregnancies(_ r: CheckRule, _ c: PersonCard, _ out: inout Findings) {
        let open = ongoing(c)
        guard let first = open.first else { return }
        for p in open.dropFirst() {
            out.emit(p, date: p.text("found_on"), ["date": Label(zh: first.text("found_on") ?? "", en: first.text("found_on") ?? "")])
        }
    }

    static func pregnancyOverdue(_ r: CheckRule, _ c: PersonCard, _ out: inout Findings) {
        let weeks = r.p.weeks ?? 44, due = r.p.dueWeeks ?? 40
        for p in ongoing(c) {
            // From the due date (40 weeks) when known, else from the day it was found (a later bound).
            let limit = p.date("expected_on").map { $0.adding(days: (weeks - due) * 7) }
                ?? p.date("found_on").map { $0.adding(days: weeks * 7) }
            guard let limit, out.engine.today > limit else { continue }
            out.emit(p, date: p.text("found_on"), ["date": Label(zh: p.text("found_on") ?? "", en: p.text("found_on") ?? "")])
        }
    }

    // MARK: - Benefits

    /// The day a benefit counts from: paid on, else the end of its year (period), else today.
    static func benefitDate(_ b: CheckRow, today: CalendarDate) -> CalendarDate {
        if let d = b.date("paid_on") { return d }
        if let p = b.text("period"), p.count == 4, let y = Int(p), let end = CalendarDate(year: y, month: 12, day: 31) {
            return min(end, today)
        }
        return today
    }

    /// Children of `parent` born by `date` and not dead before it.
    static func livingChildren(of parent: String, on date: CalendarDate, _ c: PersonCard) -> Int {
        c.childrenOf(parent).filter { child in
            guard let born = child.date("birth_date"), born <= date else { return false }
            let death = c.eventsOf(child.id).filter { $0.text("kind") == "death" }.compactMap { $0.date("date") }.min()
            return death.map { $0 > date } ?? true
        }.count
    }

    static func onlyChildReward(_ r: CheckRule, _ c: PersonCard, _ out: inout Findings) {
        guard let program = r.p.program else { return }
        let mine = c.benefits.filter { $0.text("person") == c.id } + c.householdBenefits.filter { $0.text("person") == nil }
        for b in mine where b.text("program") == program {
            let date = benefitDate(b, today: out.engine.today)
            let count = livingChildren(of: c.id, on: date, c)
            guard count > 1 else { continue }
            out.emit(b, date: b.text("paid_on"), ["date": text(date), "count": Label(zh: "\(count)", en: "\(count)")])
        }
    }

    static func benefitAmountRange(_ r: CheckRule, _ c: PersonCard, _ out: inout Findings) {
        let ranges = r.p.yuan ?? [:]
        for b in c.benefits + c.householdBenefits {
            guard let program = b.text("program"), let range = ranges[program], range.count == 2,
                  let fen = b.fields["amount"]?.integer else { continue }
            guard fen < Int64(range[0]) * 100 || fen > Int64(range[1]) * 100 else { continue }
            let yuan = fen % 100 == 0 ? "\(fen / 100)" : "\(fen / 100).\(fen % 100 < 10 ? "0" : "")\(fen % 100)"
            out.emit(b, date: b.text("paid_on"), ["program": Label(zh: program, en: program), "amount": Label(zh: yuan, en: yuan),
                                                 "min": Label(zh: "\(range[0])", en: "\(range[0])"),
                                                 "max": Label(zh: "\(range[1])", en: "\(range[1])")])
        }
    }

    // MARK: - Residence and households

    static func movedOutStillResident(_ r: CheckRule, _ c: PersonCard, _ out: inout Findings) {
        guard c.person.text("residence") == "resident" else { return }
        let dated = c.events.compactMap { e -> (String, CalendarDate)? in e.date("date").map { (e.text("kind") ?? "", $0) } }
        guard let lastOut = dated.filter({ $0.0 == "move_out" }).map(\.1).max() else { return }
        guard !dated.contains(where: { $0.0 == "move_in" && $0.1 >= lastOut }) else { return }
        out.emit(c.person, date: lastOut.description, ["date": text(lastOut)])
    }

    static func headNotInHousehold(_ r: CheckRule, _ c: PersonCard, _ out: inout Findings) {
        for h in c.headOf where c.person.text("household") != h.id {
            let address = h.text("address") ?? ""
            out.emit(h, date: nil, ["address": Label(zh: address, en: address)])
        }
    }
}
