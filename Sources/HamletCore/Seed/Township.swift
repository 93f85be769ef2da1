/// A generated township: the register's tables as ordered lists of rows.
///
/// Each row maps `id` and schema field names to text values (integers in
/// decimal); a field without a value is absent from the row. Rows are in
/// creation order, which is also id order (ids are time-ordered).
public struct Township: Sendable {
    /// The schema the rows follow.
    public let schema: Schema
    /// The villages, in generation order.
    public let villages: [String]
    /// The day the register describes: nothing is dated after it.
    public let asOf: CalendarDate
    /// 户: one row per household.
    public internal(set) var households: [[String: String]] = []
    /// 全员人口: one row per person.
    public internal(set) var people: [[String: String]] = []
    /// 婚育动态: births, marriages, divorces, deaths, moves.
    public internal(set) var events: [[String: String]] = []
    /// 随访: child health, prenatal, postnatal, health checks, follow-ups, 查环/查孕 rounds.
    public internal(set) var visits: [[String: String]] = []
    /// 奖扶: assistance and reward payments, one row per beneficiary and year.
    public internal(set) var benefits: [[String: String]] = []
    /// 孕情: pregnancies ongoing, born (with the child) and ended.
    public internal(set) var pregnancies: [[String: String]] = []
    /// 节育措施: married women's contraception, in use and stopped.
    public internal(set) var contraception: [[String: String]] = []
    /// Child id → mother id, for mothers listed in the register (the same as
    /// the people rows' `mother`), for checks that want a lookup.
    public internal(set) var mothers: [String: String] = [:]

    init(schema: Schema, villages: [String], asOf: CalendarDate) {
        self.schema = schema
        self.villages = villages
        self.asOf = asOf
    }

    /// Lets every row go (after a village was handed over by `SeedGenerator.generate(byVillage:)`).
    mutating func removeRows() {
        households = []
        people = []
        events = []
        visits = []
        benefits = []
        pregnancies = []
        contraception = []
        mothers = [:]
    }

    /// The rows of a table.
    /// - Parameter table: the table name (`people`); its singular (`person`) also works.
    /// - Returns: the rows in creation order; empty for a table the generator does not fill.
    public func rows(_ table: String) -> [[String: String]] {
        switch schema.table(named: table)?.name ?? table {
        case "households": return households
        case "people": return people
        case "events": return events
        case "visits": return visits
        case "benefits": return benefits
        case "pregnancies": return pregnancies
        case "contraception": return contraception
        default: return []
        }
    }

    /// The number of rows over all tables.
    public var rowCount: Int {
        households.count + people.count + events.count + visits.count + benefits.count + pregnancies.count + contraception.count
    }

    /// The CSV columns of a table: `id`, then the schema's fields in schema order.
    /// - Parameter table: the table name.
    /// - Returns: the column names; just `id` for an unknown table.
    public func columns(_ table: String) -> [String] {
        ["id"] + (schema.table(named: table)?.fields.map(\.name) ?? [])
    }

    /// A table as CSV: UTF-8 without a byte-order mark, LF line ends, a header
    /// row of `columns(table)`, then one record per row (absent fields empty).
    /// - Parameter table: the table name.
    /// - Returns: the document.
    public func csv(table: String) -> String {
        let cols = columns(table)
        var all: [[String]] = [cols]
        let rows = rows(table)
        all.reserveCapacity(rows.count + 1)
        for row in rows { all.append(cols.map { row[$0] ?? "" }) }
        return CSV.encode(all, bom: false, lineEnding: "\n")
    }

    /// The row as typed values for `Validator`: empty text becomes null and
    /// integer fields become integers.
    /// - Parameters:
    ///   - row: a generated row.
    ///   - table: its table schema.
    /// - Returns: the fields (without `id`).
    public static func fields(of row: [String: String], table: TableSchema) -> Fields {
        var out: Fields = [:]
        for f in table.fields {
            guard let s = row[f.name], !s.isEmpty else { out[f.name] = .null; continue }
            if f.type == .integer, let i = Int64(s) { out[f.name] = .integer(i) } else { out[f.name] = .text(s) }
        }
        return out
    }
}
