import Foundation
import HamletCore
import HamletStore
import HamletTestSupport
import Testing

/// Issue 20, item 2: `hamlet hub resolve --all-matching … --take … [--dry-run]` takes one side for every selected field
/// conflict on one field, each settled by its own compare-and-set resolution; one that moved is refused alone.
@Suite(.serialized)
struct BulkResolveCLITests {
    struct Bulk: Decodable {
        struct Item: Decodable {
            var conflict: Int64
            var hseq: Int64?
            var refused: String?
        }
        var dry_run: Bool
        var take: String
        var items: [Item]
    }

    @Test func dryRunThenEachConflictSettledOnItsOwn() throws {
        let tmp = TempDir("bulk-resolve")
        defer { tmp.remove() }
        let hub = try ConflictsPagingCLITests.hub(tmp)
        let args = ["hub", "resolve", "--all-matching", "--field", "姓名", "--village", "南庄", "--take", "镇中心", "--operator", "张会计",
                    "--note", "户口本核实"]
        let dry = try hub.run(args + ["--dry-run", "--json"])
        #expect(dry.status == 0, "\(dry.stderr)")
        let planned = try dry.decode(Bulk.self)
        #expect(planned.dry_run && planned.take == "hub" && planned.items.count == 20 && planned.items.allSatisfy { $0.hseq == nil })
        #expect(try hub.run(["hub", "conflicts", "--village", "南庄", "--json"]).decode([ConflictRecord].self).count == 20, "a dry run changes nothing")
        let zh = try hub.run(args + ["--dry-run"], env: ["LANG": "zh_CN.UTF-8"])
        #expect(zh.stdout.contains("将处理 20 个冲突，都采用镇中心的值"), "\(zh.stdout)")

        // One row moves after its conflict opened: that one is refused, the other 19 go through.
        let store = try HubStore.open(directory: hub.path)
        let people = try #require(store.schema.table(named: "people"))
        let target = try #require(planned.items.first.flatMap { try store.conflict($0.conflict) })
        let row = try #require(try store.row(people, id: target.row))
        let version = try #require(row.versions["name"]?.hseq)
        let seq = try store.lastSeq(node: "nz2") + 1
        let edit = Change(node: "nz2", seq: seq, table: "people", row: target.row, op: .put, values: ["name": .text("南人改")],
                          bases: ["name": version], rowBase: row.hseq, hlc: HLC(wall: wallMillisNow() + 10_000, counter: 0, node: "nz2"),
                          author: "nz2", epoch: "")
        _ = try store.reconcile([edit], from: BatchSource(node: "nz2", village: "南庄"), wallMillis: wallMillisNow())
        store.close()

        let done = try hub.run(args + ["--json"])
        #expect(done.status == 65, "\(done.stderr)")
        let result = try done.decode(Bulk.self)
        let settled = result.items.filter { $0.hseq != nil }
        #expect(settled.count == 19 && Set(settled.compactMap(\.hseq)).count == 19, "each its own hub change")
        #expect(result.items.first { $0.conflict == target.id }?.refused == "stale")
        let open = try hub.run(["hub", "conflicts", "--village", "南庄", "--json"]).decode([ConflictRecord].self)
        #expect(open.map(\.id) == [target.id])
        let closed = try hub.run(["hub", "conflicts", "--village", "南庄", "--all", "--limit", "0", "--json"]).decode([ConflictRecord].self)
            .filter { $0.status == "resolved" }
        #expect(closed.count == 19 && closed.allSatisfy { $0.resolution == "take hub" && $0.resolvedBy == "张会计" && $0.note == "户口本核实" })
        #expect(try hub.run(["hub", "conflicts", "--village", "北赵", "--json"]).decode(ConflictsPagingCLITests.Paged.self).total == 130,
                "北赵 untouched")
    }

    @Test func refusedSelections() throws {
        let tmp = TempDir("bulk-refused")
        defer { tmp.remove() }
        let hub = try ConflictsPagingCLITests.hub(tmp)
        for args in [["--all-matching", "--take", "hub", "--field", "phone"],  // people.phone or households.phone
                     ["--all-matching", "--take", "hub", "--field", "no_such"], ["--all-matching", "--field", "name"],
                     ["--all-matching", "5", "--take", "hub"], ["--take", "hub"]] {
            let r = try hub.run(["hub", "resolve"] + args)
            #expect(r.status == 64, "\(args): \(r.stdout) \(r.stderr)")
        }
        #expect(try hub.run(["hub", "conflicts", "--json"]).decode(ConflictsPagingCLITests.Paged.self).total == 150)
    }
}

extension BulkResolveCLITests {
    @Test func aSelectionAcrossFieldsIsAUsageError() throws {
        let tmp = TempDir("bulk-fields")
        defer { tmp.remove() }
        let hub = try ConflictsPagingCLITests.hub(tmp)
        // A phone conflict beside the name conflicts: 南人0's phone, written by both 南庄 nodes on the same base.
        let store = try HubStore.open(directory: hub.path)
        let people = try #require(store.schema.table(named: "people"))
        let conflict = try #require(try store.conflicts(status: "open", village: "南庄", limit: 1).first)
        let row = try #require(try store.row(people, id: conflict.row))
        for (k, node) in ["nz1", "nz2"].enumerated() {
            let edit = Change(node: node, seq: try store.lastSeq(node: node) + 1, table: "people", row: row.id, op: .put,
                              values: ["phone": .text("1380000000\(k)")], bases: ["phone": 0], rowBase: row.hseq,
                              hlc: HLC(wall: wallMillisNow() + 60_000 + Int64(k), counter: 0, node: node), author: node, epoch: "")
            _ = try store.reconcile([edit], from: BatchSource(node: node, village: "南庄"), wallMillis: wallMillisNow())
        }
        store.close()
        let r = try hub.run(["hub", "resolve", "--all-matching", "--village", "南庄", "--take", "hub"])
        #expect(r.status == 64 && r.stderr.contains("not-one-field"), "\(r.stdout) \(r.stderr)")
        #expect(try hub.run(["hub", "resolve", "--all-matching", "--village", "南庄", "--field", "people.phone", "--take", "hub"]).status == 0)
    }
}
