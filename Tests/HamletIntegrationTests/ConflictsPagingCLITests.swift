import Foundation
import HamletCore
import HamletStore
import HamletTestSupport
import Testing

/// Issue 20, item 2: `hamlet hub conflicts` in pages (`--limit`, `--page`, `--after`), sorted and searched through
/// the same store query as the operator page, with exact counts; `--json` stays an array unless the page is cut.
@Suite(.serialized)
struct ConflictsPagingCLITests {
    struct Paged: Decodable {
        var conflicts: [ConflictRecord]
        var total: Int
        var shown: Int
        var from: Int
        var next: Int64?
        var truncated: Bool
    }

    /// A hub with 130 field conflicts in 北赵 and 20 in 南庄.
    static func hub(_ tmp: TempDir) throws -> HamletDir {
        let dir = HamletDir(tmp.file("hub"), env: ["LANG": "en_US.UTF-8"])
        let store = try HubStore.create(directory: dir.path)
        defer { store.close() }
        try ConflictBatch.add(store, count: 130, village: "北赵", nodes: ("bz1", "bz2"), prefix: "北人")
        try ConflictBatch.add(store, count: 20, village: "南庄", nodes: ("nz1", "nz2"), prefix: "南人", region: 130125)
        return dir
    }

    @Test func pagesByCursorCoverEveryConflictOnceWithExactCounts() throws {
        let tmp = TempDir("conflict-pages")
        defer { tmp.remove() }
        let hub = try Self.hub(tmp)
        let every = try hub.run(["hub", "conflicts", "--limit", "0", "--json"]).decode([ConflictRecord].self)
        #expect(every.count == 150 && every.map(\.id) == every.map(\.id).sorted())
        var seen: [Int64] = []
        var args = ["hub", "conflicts", "--json"]
        var froms: [Int] = []
        while true {
            let page = try hub.run(args).decode(Paged.self)
            #expect(page.total == 150 && page.truncated && page.shown == page.conflicts.count)
            froms.append(page.from)
            seen += page.conflicts.map(\.id)
            guard let next = page.next else { break }
            args = ["hub", "conflicts", "--json", "--after", String(next)]
        }
        #expect(seen == every.map(\.id))
        #expect(froms == [1, 101])
        // --page N is the same page; --page past the end is empty and says so.
        let second = try hub.run(["hub", "conflicts", "--page", "2", "--json"]).decode(Paged.self)
        #expect(second.conflicts.map(\.id) == Array(every.map(\.id).suffix(50)) && second.next == nil)
        let text = try hub.run(["hub", "conflicts"])
        #expect(text.stdout.contains("conflicts 1–100 of 150: field 150, delete 0, duplicate 0"), "\(text.stdout)")
        #expect(text.stdout.contains("next page: add --after \(every[99].id)"))
        let zh = try hub.run(["hub", "conflicts", "--page", "2"], env: ["LANG": "zh_CN.UTF-8"])
        #expect(zh.stdout.contains("第 101–150 个，共 150 个：字段 150，删除 0，重复登记 0") && !zh.stdout.contains("下一页"), "\(zh.stdout)")
        #expect(try hub.run(["hub", "conflicts", "--page", "9"]).stdout.contains("no conflicts on this page, 150 in all"))
    }

    @Test func sortSearchAndFiltersCombine() throws {
        let tmp = TempDir("conflict-sort")
        defer { tmp.remove() }
        let hub = try Self.hub(tmp)
        let byVillage = try hub.run(["hub", "conflicts", "--sort", "village", "--limit", "0", "--json"]).decode([ConflictRecord].self)
        #expect(byVillage.map(\.village) == Array(repeating: "北赵", count: 130) + Array(repeating: "南庄", count: 20))
        let zhSort = try hub.run(["hub", "conflicts", "--sort", "村", "--limit", "10", "--page", "14", "--json"]).decode(Paged.self)
        #expect(zhSort.conflicts.map(\.village) == Array(repeating: "南庄", count: 10) && zhSort.from == 131 && zhSort.next != nil)
        // A name, and a filter with it.
        let found = try hub.run(["hub", "conflicts", "--search", "南人1", "--json"]).decode([ConflictRecord].self)
        #expect(found.count == 11 && found.allSatisfy { $0.village == "南庄" })
        #expect(try hub.run(["hub", "conflicts", "--search", "南人1", "--village", "北赵", "--json"]).decode([ConflictRecord].self).isEmpty)
        // A 身份证号's end, a row id's end.
        let one = try hub.run(["hub", "conflicts", "--search", String(ConflictBatch.nationalID(7, region: 130125).suffix(6)), "--json"])
            .decode([ConflictRecord].self)
        #expect(one.count == 1 && one.first?.village == "南庄")
        let row = try #require(one.first?.row)
        #expect(try hub.run(["hub", "conflicts", "--search", String(row.suffix(8)), "--json"]).decode([ConflictRecord].self).map(\.id) == one.map(\.id))
        let summary = try hub.run(["hub", "conflicts", "--search", "南人1"])
        #expect(summary.stdout.contains("11 conflict(s): field 11, delete 0, duplicate 0"), "\(summary.stdout)")
    }

    @Test func badPagingOptionsAreUsageErrors() throws {
        let tmp = TempDir("conflict-usage")
        defer { tmp.remove() }
        let hub = try Self.hub(tmp)
        for args in [["--page", "0"], ["--page", "2", "--after", "5"], ["--limit", "-1"], ["--sort", "nonsense"], ["--after", "x"]] {
            let r = try hub.run(["hub", "conflicts"] + args)
            #expect(r.status == 64, "\(args): \(r.stderr)")
            #expect(r.stderr.contains("error[usage]"), "\(args): \(r.stderr)")
        }
    }
}
