import HamletCore

/// The replica's per-table statements, built once (its schema is fixed for its life) instead of once per row: a pull
/// wrote every row through an upsert whose text it built again (and the statement cache hashed again) each time.
///
/// A pull also writes its rows many at a time: `INSERT … VALUES (…),(…),…` runs SQLite's per-statement work once for
/// up to `maxBatch` rows — notably the temporary tables that the enum columns' `CHECK (… IN (…))` lists build at each
/// execution. Each size is a power of two, so at most eight texts per table enter the statement cache.
final class ReplicaSQL {
    /// The statements of one register table.
    struct Table {
        /// `INSERT OR REPLACE` of the visible row, every column (`SchemaSQL.upsert`).
        let upsert: String
        /// `DELETE` of the visible row by id.
        let delete: String
        /// The field names in `sorted()` order with their JSON key bytes, for writing field maps without sorting each.
        let shadowKeys: ShadowJSON.Keys
        /// The field names in column order (after `id`).
        let fieldNames: [String]
    }

    /// The most rows one multi-row statement writes.
    static let maxBatch = 128
    /// The columns of a `_shadow` row a pull writes (`gone` is written as 0).
    static let shadowColumns = 8

    private var tables: [String: Table] = [:]
    private var batched: [String: String] = [:]

    init(schema: Schema) {
        for t in schema.tables { tables[t.name] = Self.makeTable(t) }
    }

    private static func makeTable(_ t: TableSchema) -> Table {
        Table(upsert: SchemaSQL.upsert(t), delete: "DELETE FROM \(SchemaSQL.quote(t.name)) WHERE id = ?1",
              shadowKeys: ShadowJSON.Keys(sortedNames: t.fields.map(\.name).sorted()), fieldNames: t.fields.map(\.name))
    }

    /// The statements of `t` (built on the spot for a table outside the schema the replica opened with).
    func table(_ t: TableSchema) -> Table {
        if let known = tables[t.name] { return known }
        let made = Self.makeTable(t)
        tables[t.name] = made
        return made
    }

    /// `INSERT OR REPLACE` of `rows` visible rows of `t` (id, then every field), parameters numbered in row order.
    func upsert(_ t: TableSchema, rows: Int) -> String {
        cached("\(t.name)/\(rows)") {
            let names = ["id"] + t.fields.map { SchemaSQL.quote($0.name) }
            return "INSERT OR REPLACE INTO \(SchemaSQL.quote(t.name)) (\(names.joined(separator: ","))) VALUES "
                + Self.tuples(rows: rows, width: names.count, tail: "")
        }
    }

    /// `INSERT OR REPLACE` of `rows` shadow rows: `tbl, id, village, vals, vers, deleted, merged_into, hseq` each, `gone` 0.
    func shadowInsert(rows: Int) -> String {
        cached("_shadow/\(rows)") {
            "INSERT OR REPLACE INTO _shadow (tbl, id, village, vals, vers, deleted, merged_into, hseq, gone) VALUES "
                + Self.tuples(rows: rows, width: Self.shadowColumns, tail: ",0")
        }
    }

    /// `UPDATE _changes` of `rows` pushed changes from the hub's results: `seq, state, hseq, code, message, conflicts,
    /// acked_at` each (`ResultUpdates`), joined on `seq` (the rowid) as the one-row `UPDATE … WHERE seq = ?` was.
    func recordResults(rows: Int) -> String {
        cached("_changes/results/\(rows)") {
            """
            UPDATE _changes SET state = v.column2, hseq = v.column3, code = v.column4, message = v.column5,
              conflicts = v.column6, acked_at = v.column7
            FROM (VALUES \(Self.tuples(rows: rows, width: ResultUpdates.width, tail: ""))) AS v WHERE _changes.seq = v.column1
            """
        }
    }

    private func cached(_ key: String, _ make: () -> String) -> String {
        if let sql = batched[key] { return sql }
        let sql = make()
        batched[key] = sql
        return sql
    }

    /// `(?,…,?<tail>),(?,…)…`: `rows` tuples of `width` parameters, numbered in order of appearance.
    ///
    /// Anonymous `?`, not `?NNN`: SQLite looks each `?NNN` up in a list of the statement's parameters as it compiles
    /// it (`sqlite3VListNumToName`, a linear scan), so a 128-row statement of ~1,400 numbered parameters cost ~1M
    /// steps to prepare: 13% of a node's CPU in the fifty-village run, where every sync opens a fresh connection.
    private static func tuples(rows: Int, width: Int, tail: String) -> String {
        let one = "(" + Array(repeating: "?", count: width).joined(separator: ",") + tail + ")"
        return Array(repeating: one, count: rows).joined(separator: ",")
    }
}
