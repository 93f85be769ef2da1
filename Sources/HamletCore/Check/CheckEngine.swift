/// Runs the logic-check rules (逻辑核查) over people's cards: pure, no I/O.
///
/// The node runs it at entry around the people a write touches (``introduced(before:after:)``
/// decides what to refuse and warn about) and in bulk for `hamlet check`; the hub runs it in
/// bulk for `hamlet hub check` and the 核查 page. The same rules, the same answers.
public struct CheckEngine: Sendable {
    public let rules: CheckRuleSet
    public let schema: Schema
    /// The day the checker stands on (the node's or hub's clock): ages and 「未来日期」 are judged from it.
    public let today: CalendarDate

    public init(rules: CheckRuleSet = .register, schema: Schema = .register, today: CalendarDate) {
        self.rules = rules
        self.schema = schema
        self.today = today
    }

    /// The ids of the rules that have logic here.
    public static var implemented: Set<String> { Set(CardRules.all.keys) }

    /// Every finding on one card, for the rules in `only` (all when nil).
    public func findings(_ card: PersonCard, only: Set<String>? = nil) -> [CheckFinding] {
        var out = Findings(engine: self, card: card)
        for rule in rules.rules where only?.contains(rule.id) ?? true {
            out.rule = rule
            CardRules.all[rule.id]?(rule, card, &out)
        }
        return out.list
    }

    /// The findings on the cards of `persons`, each record once, in a stable order (village, rule, record).
    public func findings(in data: CheckData, persons: some Sequence<String>, only: Set<String>? = nil) -> [CheckFinding] {
        var seen = Set<CheckKey>()
        var out: [CheckFinding] = []
        for p in persons {
            guard let card = data.card(of: p) else { continue }
            for f in findings(card, only: only) where seen.insert(f.key).inserted { out.append(f) }
        }
        return out.sorted { ($0.village, $0.rule, $0.table, $0.row) < ($1.village, $1.rule, $1.table, $1.row) }
    }

    /// Every finding in the data (all its people).
    public func findings(in data: CheckData, only: Set<String>? = nil) -> [CheckFinding] {
        var out = findings(in: data, persons: data.people.keys, only: only)
        if let rule = rules.rule("dangling-reference"), only?.contains(rule.id) ?? true {
            out += dangling(data, rule)
            out.sort { ($0.village, $0.rule, $0.table, $0.row) < ($1.village, $1.rule, $1.table, $1.row) }
        }
        return out
    }

    /// The whole-register rule `dangling-reference`: rows naming a person the data does not hold.
    func dangling(_ data: CheckData, _ rule: CheckRule) -> [CheckFinding] {
        data.danglingReferences.map { r, field, person in
            var message = CheckMessage()
            let table = schema.table(named: r.table)?.label ?? Label(zh: r.table, en: r.table)
            message.set("table", table)
            message.set("field", self.field(r.table, field))
            return CheckFinding(rule: rule.id, severity: rule.severity, table: r.table, row: r.id, person: person,
                                village: r.text("village") ?? "", date: nil, message: message.render(rule.message))
        }
    }

    /// What a write brings in: findings after it whose record and rule were not broken before it.
    /// Rows that were already wrong do not stop an unrelated edit (or the edit that fixes them).
    public static func introduced(before: [CheckFinding], after: [CheckFinding]) -> [CheckFinding] {
        let old = Set(before.map(\.key))
        return after.filter { !old.contains($0.key) }
    }

    // MARK: - Wording helpers for the rules

    /// A person as a clerk knows her: `王秀英 *1224`.
    func name(_ row: CheckRow?) -> Label {
        guard let row, let people = schema.table(named: "people"),
              let text = RowLabeler(table: people, scope: schema.scope).label(row.fields) else {
            return Label(zh: "此人", en: "this person")
        }
        return Label(zh: text, en: text)
    }

    /// An enum value's label (`prenatal` → 产前).
    func value(_ table: String, _ field: String, _ code: String) -> Label {
        schema.table(named: table)?.field(field)?.label(ofValue: code) ?? Label(zh: code, en: code)
    }

    /// A field's label (`found_on` → 发现日期).
    func field(_ table: String, _ field: String) -> Label {
        schema.table(named: table)?.field(field)?.label ?? Label(zh: field, en: field)
    }
}

/// Collects one card's findings for the rule being run.
struct Findings {
    let engine: CheckEngine
    let card: PersonCard
    var rule = CheckRule(id: "", severity: .warn, tables: [], label: Label(zh: "", en: ""), message: Label(zh: "", en: ""))
    var list: [CheckFinding] = []

    init(engine: CheckEngine, card: PersonCard) {
        self.engine = engine
        self.card = card
    }

    /// Records that `row` breaks the current rule; `person` is filled with the card's name unless set.
    mutating func emit(_ row: CheckRow, date: String?, _ args: [String: Label] = [:]) {
        var message = CheckMessage()
        message.set("person", engine.name(card.person))
        for (k, v) in args { message.set(k, v) }
        let village = row.text("village") ?? card.person.text("village") ?? ""
        list.append(CheckFinding(rule: rule.id, severity: rule.severity, table: row.table, row: row.id, person: card.id,
                                 village: village, date: date, message: message.render(rule.message)))
    }
}
