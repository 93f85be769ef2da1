import Foundation
import HamletCore
import HamletStore
import HamletTestSupport
import Testing

/// Issue 20, item 2: `hamlet hub dismiss --all-matching [--village] [--search] --note … [--dry-run]` closes every
/// selected duplicate as not the same person, each on its own with the note; exact counts in both languages.
@Suite(.serialized)
struct BulkDismissCLITests {
    struct Bulk: Decodable {
        struct Item: Decodable {
            var conflict: Int64
            var skipped: String?
        }
        var dry_run: Bool
        var dismissed: Int
        var skipped: Int
        var items: [Item]
    }

    static func hub(_ tmp: TempDir) throws -> HamletDir {
        let dir = HamletDir(tmp.file("hub"), env: ["LANG": "en_US.UTF-8"])
        let store = try HubStore.create(directory: dir.path)
        defer { store.close() }
        try ConflictBatch.addDuplicates(store, count: 40, village: "北赵", nodes: ("bz1", "bz2"), prefix: "北人", region: 130124)
        try ConflictBatch.addDuplicates(store, count: 12, village: "南庄", nodes: ("nz1", "nz2"), prefix: "南人", region: 130125)
        try ConflictBatch.add(store, count: 5, village: "南庄", nodes: ("nz1", "nz2"), prefix: "南乙", region: 130127)
        return dir
    }

    @Test func dryRunThenEachDuplicateDismissedOnItsOwn() throws {
        let tmp = TempDir("bulk-dismiss")
        defer { tmp.remove() }
        let hub = try Self.hub(tmp)
        func open(_ village: String) throws -> [ConflictRecord] {
            try hub.run(["hub", "conflicts", "--village", village, "--kind", "duplicate", "--limit", "0", "--json"]).decode([ConflictRecord].self)
        }
        #expect(try open("南庄").count == 12 && open("北赵").count == 40)
        let args = ["hub", "dismiss", "--all-matching", "--village", "南庄", "--operator", "张会计", "--note", "户口本核实，是两个人"]
        let dry = try hub.run(args + ["--dry-run", "--json"])
        #expect(dry.status == 0, "\(dry.stderr)")
        let planned = try dry.decode(Bulk.self)
        #expect(planned.dry_run && planned.items.count == 12 && planned.dismissed == 0 && planned.items.allSatisfy { $0.skipped == nil })
        #expect(try open("南庄").count == 12, "a dry run changes nothing")
        let zh = try hub.run(args + ["--dry-run"], env: ["LANG": "zh_CN.UTF-8"])
        #expect(zh.status == 0 && zh.stdout.contains("将关闭 12 个重复登记") && zh.stdout.contains("去掉 --dry-run"), "\(zh.stdout)")

        // A search narrows to one person; the note is required, and no id goes with --all-matching.
        let one = try hub.run(["hub", "dismiss", "--all-matching", "--search", "北人7又", "--note", "x", "--dry-run", "--json"]).decode(Bulk.self)
        #expect(one.items.count == 1)
        let bare = try hub.run(["hub", "dismiss", "--all-matching", "--village", "南庄"], env: ["LANG": "zh_CN.UTF-8"])
        #expect(bare.status == 64 && bare.stderr.contains("缺少 --note") && bare.stderr.contains("--all-matching"), "\(bare)")
        #expect(try hub.run(["hub", "dismiss", "5", "--all-matching", "--note", "x"]).status == 64)

        // One is closed before the bulk runs (by another operator): no longer selected; the other 11 each recorded.
        let first = try #require(planned.items.first?.conflict)
        #expect(try hub.run(["hub", "dismiss", String(first), "--note", "先处理了", "--operator", "李明"]).status == 0)
        let done = try hub.run(args + ["--json"])
        #expect(done.status == 0, "\(done.stderr)")
        let result = try done.decode(Bulk.self)
        #expect(result.dismissed == 11 && result.skipped == 0 && result.items.count == 11, "the selection is what was open when it ran")
        let text = try hub.run(["hub", "conflicts", "--village", "南庄", "--kind", "duplicate", "--all", "--limit", "0", "--json"])
            .decode([ConflictRecord].self)
        #expect(text.count == 12 && text.allSatisfy { $0.status == "resolved" && $0.resolution == "dismissed" })
        #expect(text.filter { $0.resolvedBy == "张会计" && $0.note == "户口本核实，是两个人" }.count == 11)
        #expect(try open("北赵").count == 40, "北赵 untouched")
        let field = try hub.run(["hub", "conflicts", "--village", "南庄", "--kind", "field", "--json"]).decode([ConflictRecord].self)
        #expect(field.count == 5, "field conflicts untouched")
        let again = try hub.run(args, env: ["LANG": "zh_CN.UTF-8"])
        #expect(again.status == 0 && again.stdout.contains("已关闭 0 个重复登记"), "\(again.stdout)")
    }
}
