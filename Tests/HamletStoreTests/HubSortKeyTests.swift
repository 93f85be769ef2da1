import HamletCore
import HamletTestSupport
import Testing
@testable import HamletStore

/// The hub's stored pinyin keys (`_sort`) follow the readings of the build that sorts.
@Suite struct HubSortKeyTests {
    @Test("keys stored under older readings are recomputed: 薄 sorts as bó, 吕 after every 卢")
    func staleKeysAreRecomputed() throws {
        let dir = TempDir("hub-sort")
        defer { dir.remove() }
        let h = try HubStore.create(directory: dir.path)
        let east = BatchSource(node: "east-1", village: "东村")
        let names = ["吕安", "卢志", "薄一波", "鲍明", "白起"]
        var changes: [Change] = []
        for (i, name) in names.enumerated() {
            let id = "01900000-0000-7000-8000-00000000000\(i)"
            let values: Fields = ["village": .text("东村"), "name": .text(name), "sex": .text("M"), "birth_date": .text("1980-01-01")]
            changes.append(Change(node: east.node, seq: Int64(i + 1), table: "people", row: id, op: .put, values: values,
                                  bases: values.mapValues { _ in 0 }, rowBase: 0,
                                  hlc: HLC(wall: Int64(i + 1), counter: 0, node: east.node), author: "t", epoch: ""))
        }
        _ = try h.reconcile(changes, from: east, wallMillis: 0)
        let order = ["白起", "鲍明", "薄一波", "卢志", "吕安"]
        #expect(try h.rows(table: "people").compactMap { $0.values["name"]?.text } == order)
        // An older build's keys (the old layout: toneless reading, U+0001, the name): 薄 read báo and 吕 as
        // plain lu sort 薄一波 before 鲍明 and 吕安 before 卢志; no version recorded.
        try h.connection.run("UPDATE people SET _sort = 'bao yi bo' || char(1) || name WHERE name = '薄一波'")
        try h.connection.run("UPDATE people SET _sort = 'lu an' || char(1) || name WHERE name = '吕安'")
        try h.connection.run("UPDATE people SET _sort = 'lu zhi' || char(1) || name WHERE name = '卢志'")
        try h.connection.run("UPDATE people SET _sort = 'bao ming' || char(1) || name WHERE name = '鲍明'")
        try h.connection.setMeta("sort_keys.people", nil)
        #expect(try h.rows(table: "people").compactMap { $0.values["name"]?.text } == order)
        #expect(try h.meta("sort_keys.people") == Pinyin.keyVersion)
    }

    @Test("a bulk load writes the keys with the rows: the first sorted read has none to fill (issue 20, item 3)")
    func loadWritesSortKeys() throws {
        let dir = TempDir("hub-sort-load")
        defer { dir.remove() }
        let h = try HubStore.create(directory: dir.path)
        let names = ["曾国藩", "单田芳", "令狐冲", "郝藏文", "王秀英", "Anna", "吕淼"]
        let rows = names.enumerated().map { i, name in
            (id: "01900000-0000-7000-8000-00000000001\(i)",
             values: ["village": .text("东村"), "name": .text(name), "sex": .text("F"), "birth_date": .text("1980-01-01")] as Fields)
        }
        try h.load(table: "people", rows: rows, action: OperatorAction(name: "seed", wallMillis: 0, note: nil))
        func keys() throws -> [String: String] {
            Dictionary(uniqueKeysWithValues: try h.connection.rows("SELECT id, hex(_sort) FROM people WHERE _sort IS NOT NULL")
                .map { (try $0.text(0), try $0.text(1)) })
        }
        let loaded = try keys()
        #expect(loaded.count == names.count)
        // The keys a fill computes afterwards are the same.
        try h.connection.run("UPDATE people SET _sort = NULL")
        _ = try h.rows(table: "people")
        #expect(try keys() == loaded)
        #expect(try h.meta("sort_keys.people") == Pinyin.keyVersion, "recorded, so the keys are not dropped as stale")
        #expect(try h.rows(table: "people").compactMap { $0.values["name"]?.text } == names.sorted { Pinyin.sortKey($0) < Pinyin.sortKey($1) })
    }
}
