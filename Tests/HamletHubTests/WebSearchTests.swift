import Foundation
import HamletCore
import HamletHTTP
@testable import HamletHub
import HamletStore
import HamletTestSupport
import Testing

/// Issue 11, item 10: the operator page's search, the authors on a field conflict's two sides, no internal jargon on
/// the Chinese page, and exports filtered by village and dates with Chinese headers — all over real HTTP.
@Suite(.serialized)
struct WebSearchTests {
    static func q(_ text: String) -> String { "/search?q=" + FormCoding.percentEncode(text) }

    static var brideID: String {
        NationalID.make(region: 130123, birth: CalendarDate(year: 1990, month: 3, day: 12) ?? CalendarDate(daysSinceEpoch: 0), sequence: 24)
    }

    @Test func searchFindsPeopleByPartOfTheirNameAndLinksToTheirHistory() throws {
        let f = try WebFixture()
        let c = f.client()
        let r = try c.get(Self.q("秀英"))
        #expect(r.status == 200)
        #expect(r.text.contains("共 2 条"), "both 王秀英 rows: \(r.text)")
        for id in [f.scenario.bride, f.scenario.brideAgain] { #expect(r.text.contains("href=\"/history/people/\(id)\"")) }
        for text in ["王秀英", "北赵", "南庄", "1990-03-12", Self.brideID, "女", "南庄村二组 3 号"] {
            #expect(r.text.contains(text), "results lack \(text)")
        }
        #expect(!r.text.contains("张丽"), "張丽 does not match 秀英")
        // The header's box on every page, the query shown back escaped.
        #expect(try c.get("/").text.contains("action=\"/search\""))
        let hostile = try c.get(Self.q("<b>\"王"))
        #expect(hostile.status == 200 && hostile.text.contains("&lt;b&gt;&quot;王") && !hostile.text.contains("<b>\"王"))
        // Opening the history from a result.
        #expect(try c.get("/history/people/\(f.scenario.bride)").text.contains("王秀英"))
    }

    @Test func searchFindsPeopleByNationalIDWholeOrItsEnd() throws {
        let f = try WebFixture()
        let c = f.client()
        for typed in [Self.brideID, String(Self.brideID.suffix(4)), String(Self.brideID.suffix(8))] {
            let r = try c.get(Self.q(typed))
            #expect(r.text.contains("共 2 条"), "\(typed): \(r.text)")
            #expect(r.text.contains("href=\"/history/people/\(f.scenario.brideAgain)\""))
        }
        let label = try c.get(Self.q("王秀英 *" + Self.brideID.suffix(4)))
        #expect(label.text.contains("共 2 条"), "a label copied from a page finds the row")
        #expect(try c.get(Self.q("9999")).text.contains("没有找到"))
    }

    @Test func searchFindsPeopleAndHouseholdsByAddress() throws {
        let f = try WebFixture()
        let c = f.client()
        // 南庄村二组 3 号: the household's 地址 and the re-registered 王秀英's 现住址.
        let south = try c.get(Self.q("南庄村二组"))
        #expect(south.text.contains("href=\"/history/households/\(f.scenario.southHousehold)\""))
        #expect(south.text.contains("href=\"/history/people/\(f.scenario.brideAgain)\""))
        #expect(south.text.contains("共 2 条"), "\(south.text)")
        // 一组: 张丽 through her household's address (the person row holds none).
        let north = try c.get(Self.q("一组"))
        #expect(north.text.contains("href=\"/history/people/\(f.scenario.person)\""), "\(north.text)")
        #expect(north.text.contains("href=\"/history/households/\(f.scenario.household)\""))
    }

    @Test func searchWithNothingFoundOrNothingTyped() throws {
        let f = try WebFixture()
        let c = f.client()
        let none = try c.get(Self.q("欧阳"))
        #expect(none.status == 200 && none.text.contains("没有找到与「欧阳」相符的人口或户"))
        let empty = try c.get("/search?q=%20")
        #expect(empty.status == 200 && empty.text.contains("身份证号可以输入全部 18 位"))
        let english = try c.get(Self.q("欧阳") + "&lang=en")
        #expect(english.text.contains("No person or household matches"))
    }

    @Test func searchSaysWhenItCutTheList() throws {
        let f = try WebFixture()
        let store = try f.scenario.openStore()
        var rng = SystemRandomNumberGenerator()
        let rows = (0..<105).map { i -> (id: String, values: Fields) in
            (RowID.make(unixMillis: wallMillisNow(), using: &rng),
             ["village": .text("东河"), "name": .text("欧阳\(i)"),
              "sex": .text("M"), "birth_date": .text("1970-01-01")])
        }
        try store.load(table: "people", rows: rows, action: OperatorAction(name: "测试", wallMillis: wallMillisNow()))
        store.close()
        let c = f.client()
        let r = try c.get(Self.q("欧阳"))
        #expect(r.text.contains("共 105 条，显示前 100 条"), "\(r.text.prefix(3000))")
        #expect(r.text.components(separatedBy: "href=\"/history/people/").count - 1 == 100)
        #expect(try c.get(Self.q("欧阳") + "&lang=en").text.contains("105 found, showing the first 100"))
    }

    @Test func fieldConflictSidesAreNamedByTheirAuthors() throws {
        let f = try WebFixture()
        let c = f.client()
        let page = try c.get("/conflicts/\(f.scenario.fieldConflict)").text
        // 张丽华 came last, from 村专干王芳 on beizhao; the hub held 张莉 by 村医刘强 on beizhao-doctor.
        #expect(page.contains("村专干王芳（beizhao，北赵）的值"), "\(page)")
        #expect(page.contains("村医刘强（beizhao-doctor，北赵）的值"))
        #expect(page.contains("采用村专干王芳（beizhao，北赵）的值"))
        #expect(page.contains("采用村医刘强（beizhao-doctor，北赵）的值"))
        for jargon in ["村节点的值", "镇中心的值", "hseq"] { #expect(!page.contains(jargon), "\(jargon) on the page") }
        let english = try c.get("/conflicts/\(f.scenario.fieldConflict)?lang=en").text
        #expect(english.contains("Take the value of 村专干王芳 (beizhao, 北赵)"))
        #expect(english.contains("change #") && !english.contains("hseq"))
        let delete = try c.get("/conflicts/\(f.scenario.deleteConflict)?lang=zh").text
        #expect(delete.contains("村专干王芳（beizhao，北赵）") && delete.contains("村医刘强（beizhao-doctor，北赵）"))
        #expect(delete.contains("删除") && !delete.contains("村节点的值"))
    }

    @Test func noInternalJargonOnAnyPage() throws {
        let f = try WebFixture()
        let c = f.client()
        let s = f.scenario
        var paths = ["/", "/nodes", "/export", Self.q("王"), "/history/people/\(s.person)", "/history/households/\(s.doomed)"]
        paths += [s.fieldConflict, s.escapeConflict, s.deleteConflict, s.duplicateConflict].map { "/conflicts/\($0)" }
        // After a resolution: the flash and the history's operator change.
        let detail = try c.get("/conflicts/\(s.fieldConflict)")
        let people = try #require(try s.openStore().schema.table(named: "people"))
        let version = try #require(try s.openStore().row(people, id: s.person)?.versions["name"]?.hseq)
        let done = try c.submit(detail, action: "/conflicts/\(s.fieldConflict)/resolve", [("choice", "hub"), ("expect", String(version))])
        #expect(done.status == 303)
        #expect(try c.get("/conflicts/\(s.fieldConflict)").text.contains("已处理"))
        for language in ["zh", "en"] {
            for path in paths + ["/conflicts/\(s.fieldConflict)"] {
                let page = try c.get(path + (path.contains("?") ? "&" : "?") + "lang=\(language)").text
                #expect(!page.contains("hseq"), "\(path) in \(language) says hseq")
                #expect(!page.contains("@hub"), "\(path) in \(language) shows the hub's internal id")
                if language == "zh" {
                    for word in [">put<", ">resolve<", ">delete<", "Asia/Shanghai"] { #expect(!page.contains(word), "\(path) shows \(word)") }
                }
            }
        }
    }
}
