import Foundation
import HamletCore
import HamletHTTP
import HamletStore
import HamletTestSupport
import Testing

/// Issue 20, item 2: a conflict list the operator can work through — pages by cursor that cover every conflict once,
/// exact counts, filters kept in the links, an order, and a search — over real HTTP.
@Suite(.serialized)
struct WebConflictListTests {
    /// The conflict numbers listed on a page, in order.
    static func ids(_ page: String) -> [Int64] {
        page.components(separatedBy: "<tr><td class=\"num\"><a href=\"/conflicts/").dropFirst().compactMap { Int64($0.prefix { $0.isNumber }) }
    }

    /// The href of the link marked `rel`, unescaped.
    static func link(_ page: String, rel: String) -> String? {
        guard let start = page.range(of: "rel=\"\(rel)\" href=\"") else { return nil }
        let rest = page[start.upperBound...]
        return rest.firstIndex(of: "\"").map { String(rest[..<$0]).replacingOccurrences(of: "&amp;", with: "&") }
    }

    /// Follows `next` links from `start`: every page's ids and text.
    static func walk(_ c: WebClient, from start: String, rel: String = "next") throws -> [(ids: [Int64], text: String)] {
        var pages: [(ids: [Int64], text: String)] = []
        var path: String? = start
        while let p = path, pages.count < 100 {
            let r = try c.get(p)
            #expect(r.status == 200, "\(p)")
            pages.append((ids(r.text), r.text))
            path = link(r.text, rel: rel)
        }
        return pages
    }

    static func fixture(extra: Int = 250) throws -> WebFixture {
        let f = try WebFixture()
        let store = try f.scenario.openStore()
        try ConflictBatch.add(store, count: extra, village: "北赵", nodes: ("beizhao", "beizhao-doctor"), prefix: "北人")
        try ConflictBatch.add(store, count: 30, village: "南庄", nodes: ("nanzhuang", "nanzhuang-doctor"), prefix: "南人",
                               region: 130125)
        return f
    }

    @Test func pagesCoverEveryOpenConflictExactlyOnceWithExactCounts() throws {
        let f = try Self.fixture()
        let store = try f.scenario.openStore()
        let open = try store.conflicts(status: "open", limit: 100_000).map(\.id)
        #expect(open.count > 250)
        let pages = try Self.walk(f.client(), from: "/")
        let seen = pages.flatMap(\.ids)
        #expect(seen == open, "every open conflict once, oldest first")
        #expect(pages.count == (open.count + 99) / 100)
        #expect(pages[0].text.contains("第 1–100 条，共 \(open.count) 条"))
        #expect(pages[1].text.contains("第 101–200 条，共 \(open.count) 条"))
        #expect(pages.last?.text.contains("第 \(open.count / 100 * 100 + 1)–\(open.count) 条，共 \(open.count) 条") == true)
        #expect(Self.link(pages[0].text, rel: "prev") == nil && Self.link(pages.last?.text ?? "", rel: "next") == nil)
        // Back from the last page: the same pages, in reverse.
        let last = try #require(Self.link(pages[pages.count - 2].text, rel: "next"))
        let back = try Self.walk(f.client(), from: last, rel: "prev")
        #expect(back.map(\.ids) == pages.map(\.ids).reversed())
        // English.
        #expect(try f.client().get("/?lang=en").text.contains("Rows 1–100 of \(open.count)"))
    }

    @Test func aPageIsStableWhenNewConflictsArrive() throws {
        let f = try Self.fixture(extra: 150)
        let c = f.client()
        let first = try c.get("/")
        let next = try #require(Self.link(first.text, rel: "next"))
        try ConflictBatch.add(try f.scenario.openStore(), count: 20, village: "北赵", nodes: ("beizhao", "beizhao-doctor"), prefix: "新人", region: 130126)
        let second = try c.get(next)
        #expect(Self.ids(second.text).first == (Self.ids(first.text).last ?? 0) + 1, "the next page starts right after the first")
        #expect(second.text.contains("第 101–200 条"), "counts are exact now: \(Self.ids(second.text).count)")
    }

    @Test func filtersCombineAndPagerLinksKeepThem() throws {
        let f = try Self.fixture()
        let store = try f.scenario.openStore()
        let expected = try store.conflicts(status: "open", village: "北赵", kind: .field, limit: 100_000).map(\.id)
        let start = "/?village=" + FormCoding.percentEncode("北赵") + "&kind=field&sort=village"
        let pages = try Self.walk(f.client(), from: start)
        #expect(pages.flatMap(\.ids).sorted() == expected)
        #expect(pages[0].text.contains("共 \(expected.count) 条"))
        let next = try #require(Self.link(pages[0].text, rel: "next"))
        for kept in ["village=" + FormCoding.percentEncode("北赵"), "kind=field", "sort=village", "after="] {
            #expect(next.contains(kept), "\(next) keeps \(kept)")
        }
        // Status all: resolved ones too.
        let all = try store.conflicts(status: nil, limit: 100_000).count
        #expect(try f.client().get("/?status=all").text.contains("共 \(all) 条"))
    }

    @Test func sortByVillageAndByKind() throws {
        let f = try Self.fixture()
        let store = try f.scenario.openStore()
        let open = try store.conflicts(status: "open", limit: 100_000)
        let village = Dictionary(uniqueKeysWithValues: open.map { ($0.id, $0.village) })
        let byVillage = try Self.walk(f.client(), from: "/?sort=village").flatMap(\.ids)
        #expect(byVillage.sorted() == open.map(\.id))
        // 北赵 (bei) before 南庄 (nan), each village oldest first.
        let order = byVillage.compactMap { village[$0] }
        #expect(order == order.sorted { $0 == "北赵" && $1 == "南庄" })
        for v in ["北赵", "南庄"] {
            let ids = byVillage.filter { village[$0] == v }
            #expect(ids == ids.sorted())
        }
        let kind = Dictionary(uniqueKeysWithValues: open.map { ($0.id, $0.kind) })
        let byKind = try Self.walk(f.client(), from: "/?sort=kind").flatMap(\.ids)
        #expect(byKind.sorted() == open.map(\.id))
        let ranks = byKind.compactMap { kind[$0].flatMap { ConflictKind.allCases.firstIndex(of: $0) } }
        #expect(ranks == ranks.sorted())
    }

    @Test func searchByNameNationalIDRowIDAndNumber() throws {
        let f = try Self.fixture()
        let store = try f.scenario.openStore()
        let open = try store.conflicts(status: "open", limit: 100_000)
        let c = f.client()
        func search(_ q: String) throws -> [Int64] {
            try Self.walk(c, from: "/?q=" + FormCoding.percentEncode(q)).flatMap(\.ids)
        }
        // A name: 北人17 is renamed 北人17乙 / 北人17甲, so part of the name finds her one conflict … and 北人170–179.
        let person17 = try #require(open.first { $0.field == "name" && $0.village == "北赵" && $0.incoming == .text("北人17甲") })
        #expect(try search("北人17").contains(person17.id))
        #expect(try search("北人17").count == 11)
        // A whole 身份证号, and its last 6 digits.
        #expect(try search(ConflictBatch.nationalID(17)) == [person17.id])
        #expect(try search(String(ConflictBatch.nationalID(17).suffix(6))).contains(person17.id))
        // The row id, whole and as the pages show it (its last 8).
        #expect(try search(person17.row) == [person17.id])
        #expect(try search(String(person17.row.suffix(8))) == [person17.id])
        #expect(try search("#\(person17.id)") == [person17.id])
        // 王秀英: the duplicate pair, found by her name.
        #expect(try search("王秀英").contains(f.scenario.duplicateConflict))
        // Nothing found: said so.
        #expect(try c.get("/?q=" + FormCoding.percentEncode("欧阳")).text.contains("没有符合条件的冲突"))
        // Search and filter combine.
        #expect(try search("南人1").count == 11)
        #expect(try Self.walk(c, from: "/?village=" + FormCoding.percentEncode("北赵") + "&q=" + FormCoding.percentEncode("南人1")).flatMap(\.ids).isEmpty)
    }

    @Test func nodesCountOpenConflictsPerVillage() throws {
        let f = try Self.fixture()
        let store = try f.scenario.openStore()
        let byVillage = Dictionary(grouping: try store.conflicts(status: "open", limit: 100_000), by: \.village).mapValues(\.count)
        #expect(try store.openConflictsByVillage() == byVillage)
        let page = try f.client().get("/nodes").text
        #expect(page.contains(">\(byVillage["北赵"] ?? -1)</a>") && page.contains(">\(byVillage["南庄"] ?? -1)</a>"))
    }
}
