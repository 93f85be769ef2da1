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

    /// Steps through `table`'s live rows, handing `body` a reader of the wanted columns by position
    /// (`id` is column 0, then `columns` in order; a column the table lacks reads nil).
    /// - Returns: false when the schema has no such table.
    private func scan(_ table: String, _ columns: [String], _ body: (Cells) throws -> Void) throws -> Bool {
        guard let t = schema.table(named: table), t.name == table else { return false }
        let present = columns.map { t.field($0) != nil }
        let select = (["id"] + columns.enumerated().map { present[$0.offset] ? SchemaSQL.quote($0.element) : "NULL" })
            .joined(separator: ", ")
        var clauses = [live].compactMap { $0 }
        if village != nil { clauses.append("\(SchemaSQL.quote(schema.scope)) = ?1") }
        let sql = "SELECT \(select) FROM \(SchemaSQL.quote(table))" + (clauses.isEmpty ? "" : " WHERE " + clauses.joined(separator: " AND "))
        let s = try connection.statement(sql)
        try s.bind(village.map { [.text($0)] } ?? [])
        defer { s.reset() }
        let cells = Cells(statement: s)
        while try s.step() { try body(cells) }
        return true
    }

    /// Every live row a report reads, for `villages` (more are added from the rows).
    func input(villages: [String]) throws -> ReportInput {
        var input = ReportInput(villages: villages)
        var absent = Set<String>()
        let scope = schema.scope
        if try !scan("people", [scope, "sex", "birth_date", "national_id", "marital_status", "residence", "mother", "father"], { c in
            input.people.append(ReportInput.Person(id: try c.id(), village: c.text(1) ?? "", sex: c.text(2), birthDate: c.text(3),
                                                   nationalID: c.text(4), maritalStatus: c.text(5), residence: c.text(6),
                                                   mother: c.text(7), father: c.text(8)))
        }) { absent.insert("people") }
        if try !scan("events", [scope, "person", "kind", "date"], { c in
            input.events.append(ReportInput.Event(id: try c.id(), person: c.text(2), village: c.text(1) ?? "", kind: c.text(3) ?? "",
                                                  date: c.text(4)))
        }) { absent.insert("events") }
        if try !scan("pregnancies", [scope, "woman", "found_on", "status", "end_kind", "ended_on"], { c in
            input.pregnancies.append(ReportInput.Pregnancy(id: try c.id(), woman: c.text(2), village: c.text(1) ?? "", foundOn: c.text(3),
                                                           status: c.text(4), endKind: c.text(5), endedOn: c.text(6)))
        }) { absent.insert("pregnancies") }
        if try !scan("contraception", [scope, "person", "method", "since", "until", "status"], { c in
            input.contraception.append(ReportInput.Contraception(id: try c.id(), person: c.text(2), village: c.text(1) ?? "",
                                                                 method: c.text(3), since: c.text(4), until: c.text(5), status: c.text(6)))
        }) { absent.insert("contraception") }
        if try !scan("visits", [scope, "person", "kind", "date", "round"], { c in
            input.visits.append(ReportInput.Visit(id: try c.id(), person: c.text(2), village: c.text(1) ?? "", kind: c.text(3),
                                                  date: c.text(4), round: c.text(5)))
        }) { absent.insert("visits") }
        if try !scan("benefits", [scope, "person", "household", "program", "amount", "status", "paid_on", "period", "lifecycle"], { c in
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
