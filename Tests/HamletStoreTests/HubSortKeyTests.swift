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
}
