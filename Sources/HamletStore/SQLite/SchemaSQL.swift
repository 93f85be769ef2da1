import HamletCore

/// DDL generated from the register schema. Identifiers come from the checked
/// schema (lowercase ASCII), never from user input; values are always bound.
enum SchemaSQL {
    /// Quotes an identifier that `Schema.check()` already restricted to `[a-z0-9_]`.
    static func quote(_ name: String) -> String { "\"\(name)\"" }

    /// `CREATE TABLE` for a typed register table. `extra` adds bookkeeping columns.
    static func createTable(_ t: TableSchema, extra: [String] = [], withoutRowID: Bool = true, named: String? = nil) -> String {
        let cols = ["id TEXT PRIMARY KEY NOT NULL"] + t.fields.map(column) + extra
        return "CREATE TABLE IF NOT EXISTS \(quote(named ?? t.name)) (\n  " + cols.joined(separator: ",\n  ") + "\n)"
            + (withoutRowID ? " WITHOUT ROWID" : "")
    }

    /// One field's column definition, with its type and value constraints.
    ///
    /// An enum's values are checked as `= 'a' OR = 'b' …`, not `IN ('a', 'b', …)`: SQLite builds a temporary b-tree
    /// for a constant `IN` list at every execution of a statement that checks it (every row write: ~10% of the hub's
    /// writer). Stores made before keep their `IN` lists, which accept and refuse the same values.
    static func column(_ f: FieldSchema) -> String {
        var c = "\(quote(f.name)) \(f.isInteger ? "INTEGER" : "TEXT")"
        if f.name == "village" { c += " NOT NULL" }
        if f.type == .enum, let values = f.values {
            let name = quote(f.name)
            let each = values.map { "\(name) = '\($0.filter { $0 != "'" })'" }
            c += " CHECK (" + ([name + " IS NULL"] + each).joined(separator: " OR ") + ")"
        }
        if f.isInteger { c += " CHECK (\(quote(f.name)) IS NULL OR typeof(\(quote(f.name))) = 'integer')" }
        return c
    }

    /// Indexes for references, unique (duplicate-checked) fields and the scope column.
    static func indexes(_ t: TableSchema, scope: String, partialLive: String? = nil) -> [String] {
        var out: [String] = []
        let whereClause = partialLive.map { " WHERE \($0)" } ?? ""
        for f in t.fields where f.type == .ref || f.unique {
            out.append("CREATE INDEX IF NOT EXISTS \(quote("\(t.name)_\(f.name)")) ON \(quote(t.name)) (\(quote(f.name)))\(whereClause)")
        }
        return out
    }

    /// `INSERT OR REPLACE` of every column (id first, then schema fields, then `extra`).
    static func upsert(_ t: TableSchema, extra: [String] = []) -> String {
        let names = ["id"] + t.fields.map { quote($0.name) } + extra
        let params = (1...names.count).map { "?\($0)" }.joined(separator: ",")
        return "INSERT OR REPLACE INTO \(quote(t.name)) (\(names.joined(separator: ","))) VALUES (\(params))"
    }

    /// The column list `id, f1, f2, …` for selects.
    static func columns(_ t: TableSchema, extra: [String] = []) -> String {
        (["id"] + t.fields.map { quote($0.name) } + extra).joined(separator: ", ")
    }
}
