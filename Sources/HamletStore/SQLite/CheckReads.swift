import Foundation
import HamletCore

/// Reads the rows the logic-check rules need (`CheckData.columns`) from a store's typed
/// tables: a node's visible tables (every row live) or the hub's (live = not deleted, not merged).
struct CheckReads {
    let connection: Connection
    let schema: Schema
    /// SQL that keeps live rows (`_deleted = 0 AND _merged_into IS NULL` at the hub), nil when all are.
    let live: String?

    /// The tables and columns the rules read that this schema has.
    private func columns(_ table: String) -> (TableSchema, [String])? {
        guard let t = schema.table(named: table), t.name == table, let wanted = CheckData.columns[table] else { return nil }
        return (t, wanted.filter { t.field($0) != nil })
    }

    /// Rows of `table` matching `condition` (with its arguments), appended to `data`.
    private func read(_ table: String, _ condition: String?, _ args: [Value], into data: inout CheckData) throws {
        guard let (_, cols) = columns(table) else { return }
        let select = (["id"] + cols).map(SchemaSQL.quote).joined(separator: ", ")
        let clauses = [live, condition].compactMap { $0 }
        let sql = "SELECT \(select) FROM \(SchemaSQL.quote(table))" + (clauses.isEmpty ? "" : " WHERE " + clauses.map { "(\($0))" }.joined(separator: " AND "))
        let s = try connection.statement(sql)
        try s.bind(args)
        defer { s.reset() }
        while try s.step() {
            guard case .text(let id) = s.value(0) else { throw StoreError(.corrupt, "\(table) row without an id") }
            var fields: Fields = [:]
            for (i, c) in cols.enumerated() {
                let v = s.value(i + 1)
                if !v.isNull { fields[c] = v }
            }
            data.add(CheckRow(table: table, id: id, fields: fields))
        }
    }

    /// Every live row the rules read.
    func all() throws -> CheckData {
        var data = CheckData()
        for table in CheckData.columns.keys.sorted() { try read(table, nil, [], into: &data) }
        return data
    }

    /// `"col" IN (?1, ?2 …)` for a set of ids, with its arguments.
    private func inList(_ column: String, _ ids: [String], from start: Int = 1) -> String {
        "\(SchemaSQL.quote(column)) IN (" + ids.indices.map { "?\($0 + start)" }.joined(separator: ", ") + ")"
    }

    /// The rows around `persons` that their cards read: them, their parents and children,
    /// and every row naming any of them (children's events, for living-children counts).
    func around(_ persons: Set<String>) throws -> CheckData {
        var data = CheckData()
        let ids = persons.sorted()
        guard !ids.isEmpty else { return data }
        let args = ids.map { Value.text($0) }
        var people = CheckData()
        try read("people", [inList("id", ids), inList("mother", ids), inList("father", ids)].joined(separator: " OR "), args, into: &people)
        let parents = Set(ids.compactMap { people.people[$0] }.flatMap { [$0.text("mother"), $0.text("father")] }.compactMap { $0 })
            .subtracting(people.people.keys).sorted()
        if !parents.isEmpty { try read("people", inList("id", parents), parents.map { .text($0) }, into: &people) }
        for r in people.people.values { data.add(r) }
        let related = Array(people.people.keys).sorted()
        let relatedArgs = related.map { Value.text($0) }
        for table in ["events", "visits", "contraception"] {
            try read(table, inList("person", related), relatedArgs, into: &data)
        }
        try read("pregnancies", inList("woman", ids) + " OR " + inList("child", ids), args, into: &data)
        var households = CheckData()
        let own = ids.compactMap { data.people[$0]?.text("household") }
        try read("households", inList("head", ids) + (own.isEmpty ? "" : " OR " + inList("id", own, from: ids.count + 1)),
                 args + own.map { .text($0) }, into: &households)
        for h in households.households.values { data.add(h) }
        let headed = households.households.values.filter { ids.contains($0.text("head") ?? "") }.map(\.id).sorted()
        try read("benefits", [inList("person", ids), inList("payee", ids)].joined(separator: " OR ")
                    + (headed.isEmpty ? "" : " OR " + inList("household", headed, from: ids.count + 1)),
                 args + headed.map { .text($0) }, into: &data)
        return data
    }

    /// The people whose cards a row is on, from the values it has (before or after a write):
    /// the person it names, and for a household's benefit the household's head.
    func persons(of table: String, id: String, _ values: Fields?) throws -> Set<String> {
        var out = Set<String>()
        if table == "people" { out.insert(id) }
        for f in CheckData.personFields[table] ?? [] {
            if let p = values?[f]?.text, !p.isEmpty { out.insert(p) }
        }
        if table == "benefits", let h = values?["household"]?.text, schema.table(named: "households")?.field("head") != nil,
           let head = try connection.scalar("SELECT head FROM households WHERE id = ?1", [.text(h)]).text {
            out.insert(head)
        }
        return out
    }
}

extension CalendarDate {
    /// The calendar date at `unixMillis` in a time zone (the node's or the hub's).
    public init(unixMillis: Int64, zone: TimeZone) {
        let seconds = unixMillis / 1000 + Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(unixMillis) / 1000)))
        let days = Int(seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400)
        self.init(daysSinceEpoch: days)
    }
}
