import HamletCore
import HamletTestSupport
import Testing
@testable import HamletStore

/// The replica's reads behind the reference resolver, row labels and sorted, limited lists.
@Suite struct ReplicaReferenceTests {
    struct FixedRNG: RandomNumberGenerator {
        var state: UInt64 = 7
        mutating func next() -> UInt64 { state &+= 0x9E37_79B9_7F4A_7C15; return state }
    }

    /// A replica with a household, two 王秀英 (one in it) and a 张丽 without an ID.
    struct Fixture {
        let r: Replica
        let household: String
        let wangOld: String
        let wangYoung: String
        let zhang: String

        init(_ dir: TempDir) throws {
            r = try Replica.create(directory: dir.path, node: "beizhao", village: "北赵", hub: nil, secretFile: nil)
            var rng = FixedRNG()
            household = try r.insert(table: "households", values: ["address": .text("北赵村三组12号")], author: "t", wallMillis: 1_000, rng: &rng).id
            wangOld = try r.insert(table: "people", values: ["name": .text("王秀英"), "sex": .text("F"), "birth_date": .text("1962-04-03"),
                                                             "national_id": .text(Registry.nationalID(birth: "1962-04-03", sex: "F")),
                                                             "household": .text(household)],
                                   author: "t", wallMillis: 1_000, rng: &rng).id
            wangYoung = try r.insert(table: "people", values: ["name": .text("王秀英"), "sex": .text("F"), "birth_date": .text("1990-03-02"),
                                                               "national_id": .text(Registry.nationalID(birth: "1990-03-02", sex: "F"))],
                                     author: "t", wallMillis: 1_000, rng: &rng).id
            zhang = try r.insert(table: "people", values: ["name": .text("张丽"), "sex": .text("F"), "birth_date": .text("1985-07-15")],
                                 author: "t", wallMillis: 1_000, rng: &rng).id
        }
    }

    @Test func resolvesByWhatTheClerkKnows() throws {
        let dir = TempDir("replica-refs")
        defer { dir.remove() }
        let f = try Fixture(dir)
        #expect(try f.r.resolveReference("张丽", to: "person") == f.zhang)
        #expect(try f.r.resolveReference(Registry.nationalID(birth: "1990-03-02", sex: "F"), to: "people") == f.wangYoung)
        #expect(try f.r.resolveReference("三组", to: "households") == f.household)
        #expect(try f.r.resolveReference(String(f.zhang.suffix(10)), to: "people") == f.zhang)
        // Ids made in one millisecond share their first 12 hex digits: a prefix that short names them all.
        let error = try #require(throws: ReferenceError.self) { try f.r.resolveReference(String(f.wangOld.prefix(13)), to: "people") }
        #expect(error.code == .ambiguous && error.candidates.count == 3)
        let twoWangs = try #require(throws: ReferenceError.self) { try f.r.resolveReference("王秀英", to: "people") }
        #expect(twoWangs.candidates.map(\.id) == [f.wangOld, f.wangYoung].sorted())
        let old = try #require(twoWangs.candidates.first { $0.id == f.wangOld })
        #expect(old.references["household"] == "北赵村三组12号", "candidates carry their household's address")
        #expect(throws: ReferenceError.self) { try f.r.resolveReference("李四", to: "people") }
        #expect(throws: ReplicaError.self) { try f.r.resolveReference("李四", to: "nobody") }
    }

    @Test("a failed read fails the resolution: it never turns into 'not found'")
    func readErrorsThrow() throws {
        let dir = TempDir("replica-refs")
        defer { dir.remove() }
        let f = try Fixture(dir)
        try f.r.connection.execute("ALTER TABLE people RENAME TO people_gone")
        #expect(throws: StoreError.self) { try f.r.resolveReference("张丽", to: "people") }
    }

    @Test func labelsForListsAndTheLog() throws {
        let dir = TempDir("replica-refs")
        defer { dir.remove() }
        let f = try Fixture(dir)
        let people = try #require(f.r.schema.table(named: "people"))
        let labels = try f.r.rowLabels(people, ids: [f.wangOld, f.zhang])
        #expect(labels == [f.wangOld: "王秀英 *" + Registry.nationalID(birth: "1962-04-03", sex: "F").suffix(4), f.zhang: "张丽"])
        // A deleted row keeps its label from the change log; an event is labelled by its person.
        var rng = FixedRNG(state: 99)
        let events = try #require(f.r.schema.table(named: "events"))
        let event = try f.r.insert(table: "events", values: ["person": .text(f.zhang), "kind": .text("birth"), "date": .text("2024-01-01")],
                                   author: "t", wallMillis: 2_000, rng: &rng).id
        try f.r.delete(table: "events", id: event, author: "t", wallMillis: 3_000)
        #expect(try f.r.rowLabels(events, ids: [event]) == [event: "张丽"])
        #expect(try f.r.rowLabels(people, ids: ["01a229cf-0000-7000-8000-00000000abcd"]) == ["01a229cf-0000-7000-8000-00000000abcd": "#0000abcd"])
    }

    @Test func listSortsThenLimitsAndCounts() throws {
        let dir = TempDir("replica-list")
        defer { dir.remove() }
        let r = try Replica.create(directory: dir.path, node: "n", village: "北赵", hub: nil, secretFile: nil)
        var rng = FixedRNG()
        // Created in reverse pinyin order.
        for (i, name) in ["赵敏", "张丽", "栾川", "吕布", "卢志", "薄一波", "白起"].enumerated() {
            _ = try r.insert(table: "people", values: ["name": .text(name), "sex": .text("M"), "birth_date": .text("198\(i)-01-01")],
                             author: "t", wallMillis: 1_000 + Int64(i), rng: &rng)
        }
        let page = try r.list(table: "people", where: [], limit: 3)
        #expect(page.total == 7 && page.isTruncated)
        #expect(page.rows.map { $0.1["name"]?.text } == ["白起", "薄一波", "卢志"])
        let ranged = try r.list(table: "people", where: [RowFilter(field: "birth_date", op: .greaterOrEqual, value: .text("1983-01-01")),
                                                         RowFilter(field: "name", op: .prefix, value: .text("卢"))], limit: 10)
        #expect(ranged.rows.map { $0.1["name"]?.text } == ["卢志"] && !ranged.isTruncated)
        #expect(try r.list(table: "people", where: [RowFilter(field: "birth_date", op: .less, value: .text("1982"))], limit: 10).total == 2)
        #expect(throws: ReplicaError.self) { try r.list(table: "people", where: [RowFilter(field: "nmae", op: .equals, value: .null)], limit: 1) }
    }
}
