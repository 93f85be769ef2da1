import HamletCore

/// Reads the register rows a report needs (`ReportInput`) from a store's typed tables, column by
/// column through one prepared statement per table: a node's visible tables (every row live) or
/// the hub's (live = not deleted, not merged away). A table the schema lacks is listed in
/// `absentTables`; a column it lacks reads as nil.
struct ReportReads {
    let connection: Connection
    let schema: Schema
    /// SQL that keeps live rows, nil when every row is.
    let live: String?
    /// Only rows of this village (a node's own), nil for all.
    let village: String?
    /// Only the rows a report of a period between these days needs (`YYYY-MM-DD`), nil for all.
    var window: (from: String, to: String)? = nil

    /// The window spanning `periods` (nil when there are none: every row).
    static func window(_ periods: [ReportPeriod]) -> (from: String, to: String)? {
        guard let from = periods.map(\.from).min(), let to = periods.map(\.to).max() else { return nil }
        return (from.description, to.description)
    }

    /// Steps through `table`'s live rows, handing `body` a reader of the wanted columns by position
    /// (`id` is column 0, then `columns` in order; a column the table lacks reads nil).
    /// - Returns: false when the schema has no such table.
    private func scan(_ table: String, _ columns: [String], only condition: String? = nil,
                      _ body: (Cells) throws -> Void) throws -> Bool {
        guard let t = schema.table(named: table), t.name == table else { return false }
        let present = columns.map { t.field($0) != nil }
        let select = (["id"] + columns.enumerated().map { present[$0.offset] ? SchemaSQL.quote($0.element) : "NULL" })
            .joined(separator: ", ")
        var clauses = [live].compactMap { $0 }
        if village != nil { clauses.append("\(SchemaSQL.quote(schema.scope)) = ?1") }
        // The window's condition only when the table has every column it names (else every row: slower, never wrong).
        let windowed = condition != nil && window != nil
            && columns.allSatisfy { !(condition ?? "").contains("\"\($0)\"") || t.field($0) != nil }
        if windowed, let condition { clauses.append("(\(condition))") }
        let sql = "SELECT \(select) FROM \(SchemaSQL.quote(table))" + (clauses.isEmpty ? "" : " WHERE " + clauses.joined(separator: " AND "))
        let s = try connection.statement(sql)
        var args: [Value] = village.map { [.text($0)] } ?? []
        if windowed, let w = window { args = [village.map { .text($0) } ?? .null, .text(w.from), .text(w.to)] }
        try s.bind(args)
        defer { s.reset() }
        let cells = Cells(statement: s)
        while try s.step() { try body(cells) }
        return true
    }

    /// Every live row a report reads, for `villages` (more are added from the rows); with a
    /// `window`, only the rows a period inside it needs (`ReportInput.window`).
    func input(villages: [String]) throws -> ReportInput {
        var input = ReportInput(villages: villages)
        input.window = window
        var absent = Set<String>()
        let scope = schema.scope
        if try !scan("people", [scope, "sex", "birth_date", "national_id", "marital_status", "residence", "mother", "father"], { c in
            input.people.append(ReportInput.Person(id: try c.id(), village: c.text(1) ?? "", sex: c.text(2), birthDate: c.text(3),
                                                   nationalID: c.text(4), maritalStatus: c.text(5), residence: c.text(6),
                                                   mother: c.text(7), father: c.text(8)))
        }) { absent.insert("people") }
        // Unused by the figures: birth and divorce events (births come from birth dates); dated after the period.
        if try !scan("events", [scope, "person", "kind", "date", "detail"],
                     only: "\"kind\" IN ('death', 'marriage', 'move_in', 'move_out') AND \"date\" <= ?3", { c in
            let kind = c.text(3) ?? ""
            input.events.append(ReportInput.Event(id: try c.id(), person: c.text(2), village: c.text(1) ?? "", kind: kind,
                                                  date: c.text(4), origin: kind == "move_out" ? c.text(5).flatMap(MoveDetail.parse)?.origin : nil))
        }) { absent.insert("events") }
        if try !scan("pregnancies", [scope, "woman", "found_on", "status", "end_kind", "ended_on"],
                     only: "\"found_on\" <= ?3 OR \"ended_on\" >= ?2", { c in
            input.pregnancies.append(ReportInput.Pregnancy(id: try c.id(), woman: c.text(2), village: c.text(1) ?? "", foundOn: c.text(3),
                                                           status: c.text(4), endKind: c.text(5), endedOn: c.text(6)))
        }) { absent.insert("pregnancies") }
        if try !scan("contraception", [scope, "person", "method", "since", "until", "status"], only: "\"since\" <= ?3", { c in
            input.contraception.append(ReportInput.Contraception(id: try c.id(), person: c.text(2), village: c.text(1) ?? "",
                                                                 method: c.text(3), since: c.text(4), until: c.text(5), status: c.text(6)))
        }) { absent.insert("contraception") }
        if try !scan("visits", [scope, "person", "kind", "date", "round"], only: "\"date\" BETWEEN ?2 AND ?3", { c in
            input.visits.append(ReportInput.Visit(id: try c.id(), person: c.text(2), village: c.text(1) ?? "", kind: c.text(3),
                                                  date: c.text(4), round: c.text(5)))
        }) { absent.insert("visits") }
        if try !scan("benefits", [scope, "person", "household", "program", "amount", "status", "paid_on", "period", "lifecycle"],
                     only: "\"paid_on\" BETWEEN ?2 AND ?3 OR substr(\"period\", 1, 4) BETWEEN substr(?2, 1, 4) AND substr(?3, 1, 4)", { c in
            input.benefits.append(ReportInput.Benefit(id: try c.id(), person: c.text(2), household: c.text(3), village: c.text(1) ?? "",
                                                      program: c.text(4), amountFen: c.integer(5), status: c.text(6), paidOn: c.text(7),
                                                      period: c.text(8), lifecycle: c.text(9)))
        }) { absent.insert("benefits") }
        input.absentTables = absent
        return input
    }
}

/// The current row of a statement, read by column without building values for unused columns.
struct Cells {
    let statement: Statement

    /// Column `i` as text (an integer reads as its digits), nil when NULL or empty.
    func text(_ i: Int) -> String? {
        switch statement.value(i) {
        case .text(let s): return s.isEmpty ? nil : s
        case .integer(let n): return String(n)
        case .null: return nil
        }
    }

    /// Column `i` as an integer, nil when NULL or not one.
    func integer(_ i: Int) -> Int64? {
        switch statement.value(i) {
        case .integer(let n): return n
        case .text(let s): return Int64(s)
        case .null: return nil
        }
    }

    /// The row id (column 0).
    /// - Throws: `StoreError.corrupt` when it is NULL.
    func id() throws -> String {
        guard let s = text(0) else { throw StoreError(.corrupt, "a row without an id") }
        return s
    }
}
