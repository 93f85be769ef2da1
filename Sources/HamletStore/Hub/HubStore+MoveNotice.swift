import Foundation
import HamletCore

/// The 迁入迁出通报 at the hub: live people, the transfers between villages (`departures`, dated by the day the hub
/// received them) and the live move events, read once and paired by `MoveLedger` in Core. Read only. The notice names
/// people (name, 身份证号 last 4): it is for the operator.
extension HubStore {
    /// Moves between villages still 待接收 after this many days are listed as 超过30天未接收.
    public static let moveReceiptDays = 30

    /// Every move the hub knows of, and the township's villages.
    /// - Returns: the ledger.
    /// - Throws: `StoreError`.
    public func moveLedger() throws -> MoveLedger {
        try read {
            guard schema.table(named: "people") != nil else { return MoveLedger(people: [], transfers: [], events: [], villages: []) }
            let live = "_deleted = 0 AND _merged_into IS NULL"
            let scope = SchemaSQL.quote(schema.scope)
            var villages = Set(try connection.rows("SELECT village FROM nodes").map { try $0.text(0) })
            let people = try movePeople(live: live, scope: scope)
            for p in people where !p.village.isEmpty { villages.insert(p.village) }
            let transfers = try reportMoves().compactMap { m -> MoveLedger.Transfer? in
                guard let day = CalendarDate(m.date), !m.from.isEmpty, !m.to.isEmpty else { return nil }
                return MoveLedger.Transfer(person: m.person, from: m.from, to: m.to, date: day)
            }
            return MoveLedger(people: people, transfers: transfers, events: try moveEvents(live: live, scope: scope), villages: villages.sorted())
        }
    }

    /// The 通报 for a period: every village's section and the township's, with the moves between villages not
    /// received after `moveReceiptDays` (whatever their period).
    /// - Parameters:
    ///   - period: the month, quarter or year.
    ///   - village: only this village's section, nil for all.
    ///   - wallMillis: now (today is taken in the hub's time zone).
    /// - Returns: the notice.
    /// - Throws: `ReportError` (`unknown-village`), `StoreError`.
    public func moveNotice(period: ReportPeriod, village: String? = nil,
                           wallMillis: Int64 = Int64(Date().timeIntervalSince1970 * 1000)) throws -> MoveNotice {
        let ledger = try moveLedger()
        let zone = try timeZone()
        var notice = ledger.notice(for: period)
        notice.unreceived = ledger.unreceived(olderThan: Self.moveReceiptDays, today: CalendarDate(unixMillis: wallMillis, zone: zone))
        guard let village else { return notice }
        guard let one = notice.only(village: village) else {
            let known = ledger.villages.joined(separator: "、")
            throw ReportError(.unknownVillage, "no village \(village) in the township; villages: \(ledger.villages.joined(separator: ", "))",
                              zh: "本镇没有「\(village)」这个村；可选：\(known)")
        }
        return one
    }

    /// Live people with what the notice shows of them.
    func movePeople(live: String, scope: String) throws -> [MoveLedger.Person] {
        guard let people = schema.table(named: "people") else { return [] }
        func column(_ name: String) -> String { people.field(name) != nil ? "\"\(name)\"" : "NULL" }
        let rows = try connection.rows("""
            SELECT id, \(scope), \(column("name")), \(column("national_id")), \(column("sex")), \(column("birth_date"))
            FROM people WHERE \(live)
            """)
        return try rows.map { r in
            MoveLedger.Person(id: try r.text(0), name: r.optionalText(2) ?? "", nationalIDLast4: r.optionalText(3).map { String($0.suffix(4)) },
                              village: r.optionalText(1) ?? "", sex: r.optionalText(4), birthDate: r.optionalText(5))
        }
    }

    /// Live `move_out` / `move_in` events with a valid date (none when the schema has no such events table).
    func moveEvents(live: String, scope: String) throws -> [MoveLedger.Event] {
        guard let events = schema.table(named: "events"), events.field("person") != nil, events.field("date") != nil,
              events.field("kind") != nil else { return [] }
        let detail = events.field("detail") != nil ? "\"detail\"" : "NULL"
        let rows = try connection.rows("""
            SELECT "person", \(scope), "kind", "date", \(detail) FROM \(SchemaSQL.quote(events.name))
            WHERE \(live) AND "kind" IN ('move_out', 'move_in') AND "person" IS NOT NULL
            """)
        return rows.compactMap { r in
            guard let person = r.optionalText(0), let kindText = r.optionalText(2), let kind = MoveLedger.Event.Kind(rawValue: kindText),
                  let day = r.optionalText(3).flatMap(CalendarDate.init) else { return nil }
            return MoveLedger.Event(person: person, village: r.optionalText(1) ?? "", kind: kind, date: day, detail: r.optionalText(4))
        }
    }
}
