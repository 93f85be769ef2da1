import HamletCore
import HamletStore
import HamletTestSupport
import Testing

/// `HubStore.compare(list:village:)` against a real hub store: live people only, marriage events read, nothing written.
@Suite("Hub compare (比对)")
struct HubCompareTests {
    static let action = OperatorAction(name: "镇管理员", wallMillis: 1_767_229_000_000)

    static func nid(_ date: String, _ seq: Int) -> String {
        NationalID.make(region: 370_681, birth: CalendarDate(date) ?? CalendarDate(daysSinceEpoch: 0), sequence: seq)
    }

    static func person(_ village: String, _ name: String, _ sex: String, _ born: String, _ nid: String?,
                       mother: String? = nil, marital: String? = nil) -> Fields {
        var f: Fields = ["village": .text(village), "name": .text(name), "sex": .text(sex), "birth_date": .text(born)]
        if let nid { f["national_id"] = .text(nid) }
        if let mother { f["mother"] = .text(mother) }
        if let marital { f["marital_status"] = .text(marital) }
        return f
    }

    /// A hub with five people (one deleted, one merged away) and two marriage events (one deleted).
    static func makeHub(_ dir: TempDir) throws -> HubStore {
        let store = try HubStore.create(directory: dir.path)
        try store.load(table: "people", rows: [
            ("mother-1", person("beizhao", "王芳", "F", "1990-03-01", nid("1990-03-01", 2), marital: "married")),
            ("child-1", person("beizhao", "张小宝", "M", "2024-02-10", nid("2024-02-10", 1), mother: "mother-1")),
            ("man-1", person("nanzhuang", "李强", "M", "1988-07-09", nid("1988-07-09", 3), marital: "single")),
            ("gone-1", person("beizhao", "赵丽", "F", "1995-12-30", nid("1995-12-30", 4))),
            ("dup-1", person("beizhao", "钱七", "M", "1970-01-01", nid("1970-01-01", 5))),
        ], action: action)
        try store.load(table: "events", rows: [
            ("ev-1", ["village": .text("beizhao"), "person": .text("mother-1"), "kind": .text("marriage"), "date": .text("2015-05-01")]),
            ("ev-2", ["village": .text("nanzhuang"), "person": .text("man-1"), "kind": .text("marriage"), "date": .text("2016-01-01")]),
        ], action: action)
        let file = try store.sqliteFile()
        defer { file.close() }
        _ = try file.run("UPDATE people SET _deleted = 1 WHERE id = 'gone-1'")
        _ = try file.run("UPDATE people SET _merged_into = 'mother-1' WHERE id = 'dup-1'")
        _ = try file.run("UPDATE events SET _deleted = 1 WHERE id = 'ev-2'")
        return store
    }

    @Test func comparesLivePeopleOnly() throws {
        let dir = TempDir("hub-compare")
        defer { dir.remove() }
        let store = try Self.makeHub(dir)
        defer { store.close() }
        let before = try store.head()
        let list = OutsideList(kind: .hukou, rows: [
            OutsideListRow(line: 2, nationalID: Self.nid("1990-03-01", 2), name: "王 芳"),
            OutsideListRow(line: 3, nationalID: Self.nid("1995-12-30", 4), name: "赵丽"),
            OutsideListRow(line: 4, nationalID: Self.nid("1970-01-01", 5), name: "钱七"),
        ])
        let r = try store.compare(list: list)
        // Deleted and merged-away people are not in the register: their rows are 漏报 candidates.
        #expect(r.missing.map(\.line) == [3, 4])
        #expect(r.notInList.map(\.person) == ["child-1", "man-1"])
        #expect(r.differences.isEmpty && r.summary.matched == 1)
        let village = try store.compare(list: list, village: "beizhao")
        #expect(village.notInList.map(\.person) == ["child-1"])
        #expect(try store.head() == before)
    }

    @Test func birthsReadMothersAndMarriagesReadLiveEvents() throws {
        let dir = TempDir("hub-compare")
        defer { dir.remove() }
        let store = try Self.makeHub(dir)
        defer { store.close() }
        let births = OutsideList(kind: .birth, rows: [
            OutsideListRow(line: 2, nationalID: Self.nid("2024-02-10", 1), birthDate: "2024-02-10",
                           motherNationalID: Self.nid("1988-07-09", 3)),
        ])
        let b = try store.compare(list: births)
        #expect(b.differences.map(\.field) == [.motherNationalID])
        #expect(b.differences.first?.registerValue == Self.nid("1990-03-01", 2) && b.differences.first?.person == "child-1")
        let marriages = OutsideList(kind: .marriage, rows: [
            OutsideListRow(line: 2, nationalID: Self.nid("1990-03-01", 2), date: "2015-05-01"),
            OutsideListRow(line: 3, nationalID: Self.nid("1988-07-09", 3), date: "2016-01-01"),
        ])
        let m = try store.compare(list: marriages)
        // man-1's marriage event is deleted, and he is single in the register.
        #expect(m.differences.map(\.field) == [.marriageDate, .maritalStatus])
        #expect(m.differences.allSatisfy { $0.person == "man-1" } && m.differences.first?.registerValue == nil)
        #expect(m.notInList.isEmpty && m.missing.isEmpty)
    }

    @Test func readOnlyStoresCanCompare() throws {
        let dir = TempDir("hub-compare")
        defer { dir.remove() }
        try Self.makeHub(dir).close()
        let store = try HubStore.open(directory: dir.path, readOnly: true)
        defer { store.close() }
        let r = try store.compare(list: OutsideList(kind: .hukou, rows: []), village: "nanzhuang")
        #expect(r.notInList.map(\.person) == ["man-1"])
    }
}
