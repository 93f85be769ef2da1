
import HamletCore
import HamletTestSupport
import Testing
@testable import HamletStore

@Suite struct ConnectionTests {
    @Test func transactionCommitsAndRollsBackOnAnyError() throws {
        let dir = TempDir("conn")
        defer { dir.remove() }
        let c = try Connection(path: dir.file("t.sqlite"))
        try c.execute("CREATE TABLE t (x INTEGER PRIMARY KEY, y TEXT NOT NULL)")
        try c.transaction { try c.run("INSERT INTO t (x, y) VALUES (?1, ?2)", [.integer(1), .text("一")]) }
        struct Boom: Error {}
        #expect(throws: Boom.self) {
            try c.transaction {
                try c.run("INSERT INTO t (x, y) VALUES (?1, ?2)", [.integer(2), .text("二")])
                throw Boom()
            }
        }
        #expect(try c.scalar("SELECT count(*) FROM t") == .integer(1))
        #expect(!c.inTransaction)
    }

    @Test func textIsBoundWithItsLengthEmptyAndNULIncluded() throws {
        let dir = TempDir("conn")
        defer { dir.remove() }
        let c = try Connection(path: dir.file("t.sqlite"))
        try c.execute("CREATE TABLE t (x INTEGER PRIMARY KEY, y TEXT)")
        let texts = ["", "a\u{0}b", "北赵村\u{0}", "🙂𠀀", String(repeating: "长", count: 5_000)]
        for (i, text) in texts.enumerated() { try c.run("INSERT INTO t (x, y) VALUES (?1, ?2)", [.integer(Int64(i)), .text(text)]) }
        #expect(try c.rows("SELECT y FROM t ORDER BY x").map { $0[0] } == texts.map { Value.text($0) })
        #expect(try c.scalar("SELECT count(*) FROM t WHERE y IS NULL") == .integer(0), "an empty text is text, not NULL")
        #expect(try c.scalar("SELECT length(CAST(y AS BLOB)) FROM t WHERE x = 1") == .integer(3))
    }

    /// The statement cache finds a statement by where its text lives: texts built afresh for each call, texts whose
    /// storage is freed and reused by other SQL, and more distinct texts than the address table keeps must each get
    /// their own statement's answers.
    @Test func statementsFoundByTextAddressAnswerForTheirOwnText() throws {
        let dir = TempDir("conn")
        defer { dir.remove() }
        let c = try Connection(path: dir.file("t.sqlite"))
        try c.execute("CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT)")
        for k in 0..<40 { try c.run("INSERT INTO t (k, v) VALUES (?1, ?2)", [.integer(Int64(k)), .text("值\(k)")]) }
        let stored = "SELECT v FROM t WHERE k = ?1 -- stored"
        for round in 0..<2_000 {
            let k = round % 40
            // A fresh text each call (new storage, freed after), some of them the same SQL as another round's.
            let fresh = "SELECT v, \(round % 700) FROM t WHERE k = ?1"
            #expect(try c.row(fresh, [.integer(Int64(k))])?[1] == .integer(Int64(round % 700)))
            #expect(try c.row(stored, [.integer(Int64(k))])?[0] == .text("值\(k)"))
            let count = "SELECT count(*) + \(round % 3) FROM t WHERE k < ?1"
            #expect(try c.scalar(count, [.integer(Int64(k))]) == .integer(Int64(k + round % 3)))
        }
    }

    @Test func nestedTransactionsUseSavepoints() throws {
        let dir = TempDir("conn")
        defer { dir.remove() }
        let c = try Connection(path: dir.file("t.sqlite"))
        try c.execute("CREATE TABLE t (x INTEGER PRIMARY KEY)")
        struct Boom: Error {}
        try c.transaction {
            try c.run("INSERT INTO t (x) VALUES (1)")
            try? c.transaction {
                try c.run("INSERT INTO t (x) VALUES (2)")
                throw Boom()
            }
            try c.run("INSERT INTO t (x) VALUES (3)")
        }
        #expect(try c.rows("SELECT x FROM t ORDER BY x").map { try $0.int(0) } == [1, 3])
    }

    @Test func errorsCarryTheSQLiteCodeAndNoBoundValues() throws {
        let dir = TempDir("conn")
        defer { dir.remove() }
        let c = try Connection(path: dir.file("t.sqlite"))
        try c.execute("CREATE TABLE t (x TEXT PRIMARY KEY)")
        try c.run("INSERT INTO t (x) VALUES (?1)", [.text("370481199003021224")])
        do {
            try c.run("INSERT INTO t (x) VALUES (?1)", [.text("370481199003021224")])
            Issue.record("expected a constraint error")
        } catch let e as StoreError {
            #expect(e.isConstraintViolation)
            #expect(e.sqliteCode == 1555) // SQLITE_CONSTRAINT_PRIMARYKEY
            #expect(!e.description.contains("370481199003021224"))
        }
        #expect(throws: StoreError.self) { try c.run("SELECT nope FROM t") }
    }

    @Test func statementsAreCachedAndRebindable() throws {
        let dir = TempDir("conn")
        defer { dir.remove() }
        let c = try Connection(path: dir.file("t.sqlite"))
        try c.execute("CREATE TABLE t (x INTEGER, y TEXT)")
        let sql = "INSERT INTO t (x, y) VALUES (?1, ?2)"
        let a = try c.statement(sql)
        let b = try c.statement(sql)
        #expect(a === b)
        for i in 0..<100 { try c.run(sql, [.integer(Int64(i)), i % 2 == 0 ? .null : .text("张\(i)")]) }
        #expect(try c.scalar("SELECT count(*) FROM t WHERE y IS NULL") == .integer(50))
        #expect(throws: StoreError.self) { try c.run(sql, [.integer(1)]) }
    }

    @Test func walAndBusyTimeoutAreOn() throws {
        let dir = TempDir("conn")
        defer { dir.remove() }
        let c = try Connection(path: dir.file("t.sqlite"))
        #expect(try c.scalar("PRAGMA journal_mode") == .text("wal"))
        #expect(try c.scalar("PRAGMA busy_timeout") == .integer(10_000))
    }

    @Test func openingAMissingFileWithoutCreateFailsCleanly() {
        var o = Connection.Options()
        o.create = false
        #expect(throws: StoreError.self) { try Connection(path: "/nonexistent/dir/x.sqlite", options: o) }
    }
}

@Suite struct SchemaSQLTests {
    @Test func ddlIsTypedAndChecked() {
        let people = Schema.register.table(named: "people")!
        let ddl = SchemaSQL.createTable(people)
        #expect(ddl.contains("\"birth_date\" TEXT"))
        #expect(ddl.contains("CHECK (\"sex\" IS NULL OR \"sex\" = 'F' OR \"sex\" = 'M')"))
        let benefits = Schema.register.table(named: "benefits")!
        #expect(SchemaSQL.createTable(benefits).contains("\"amount\" INTEGER CHECK"))
        #expect(SchemaSQL.indexes(people, scope: "village").contains { $0.contains("national_id") && !$0.contains("UNIQUE") })
    }

    /// An enum's check as written now (`= … OR = …`) accepts and refuses what the `IN (…)` list of stores made
    /// before does, for every value of every enum field and values next to them.
    @Test func enumChecksAcceptWhatTheOldInListsAccept() throws {
        let dir = TempDir("conn")
        defer { dir.remove() }
        let c = try Connection(path: dir.path + "/t.sqlite")
        for t in Schema.register.tables {
            for f in t.fields where f.type == .enum {
                let values = f.values ?? []
                let name = SchemaSQL.quote(f.name)
                let old = "CREATE TABLE \"old_\(t.name)_\(f.name)\" (\(name) TEXT CHECK (\(name) IS NULL OR \(name) IN (\(values.map { "'\($0)'" }.joined(separator: ",")))))"
                try c.execute(old)
                try c.execute("CREATE TABLE \"new_\(t.name)_\(f.name)\" (\(SchemaSQL.column(f)))")
                let probes: [Value] = values.map { .text($0) } + values.map { .text($0.uppercased() + " ") }
                    + [.null, .text(""), .text("女"), .integer(1), .text(values.joined())]
                for v in probes {
                    let accepted = ["old", "new"].map { which in
                        (try? c.run("INSERT INTO \"\(which)_\(t.name)_\(f.name)\" VALUES (?1)", [v])) != nil
                    }
                    #expect(accepted[0] == accepted[1], "\(t.name).\(f.name) = \(v)")
                    #expect(accepted[1] == (v.isNull || values.contains(v.text ?? "")), "\(t.name).\(f.name) = \(v)")
                }
            }
        }
    }

    @Test func rowsReadByNameAndNeverTurnNullIntoEmptyOrZero() throws {
        let dir = TempDir("conn")
        defer { dir.remove() }
        let c = try Connection(path: dir.path + "/t.sqlite")
        try c.execute("CREATE TABLE t (name TEXT, n INTEGER)")
        try c.run("INSERT INTO t VALUES ('张丽', 7), (NULL, NULL)")
        let rows = try c.rows("SELECT name, n FROM t ORDER BY rowid")
        #expect(try rows[0].text("name") == "张丽" && rows[0].int("n") == 7)
        #expect(rows[0].columns == ["name", "n"])
        #expect(throws: StoreError.self) { try rows[1].text("name") }
        #expect(throws: StoreError.self) { try rows[1].int(1) }
        #expect(rows[1].optionalText("name") == nil && rows[1].optionalInt(1) == nil)
    }
}
