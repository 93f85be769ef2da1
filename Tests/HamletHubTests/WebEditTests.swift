import Foundation
import HamletCore
import HamletHTTP
import HamletStore
import HamletTestSupport
import Testing

/// The record view's correction form (issue 19, item 8): posted over real HTTP, written with `operatorEdit`.
@Suite(.serialized)
struct WebEditTests {
    static func row(_ f: WebFixture, _ table: String, _ id: String) throws -> HubRow {
        let store = try f.scenario.openStore()
        let t = try #require(store.schema.table(named: table))
        return try #require(try store.row(t, id: id))
    }

    @Test func correctionLandsAsTheOperatorsChange() throws {
        let f = try WebFixture()
        let c = f.client()
        let id = f.scenario.bride
        let before = try Self.row(f, "people", id)
        let page = try c.get("/history/people/\(id)")
        #expect(page.status == 200)
        let action = "/history/people/\(id)/edit"
        #expect(page.text.contains("action=\"\(action)\""))
        #expect(page.text.contains("name=\"expect\" value=\"\(before.hseq)\""), "the version shown rides along")
        #expect(page.text.contains("更正这条记录") && page.text.contains("name=\"f.birth_date\" size=\"24\" value=\"1990-03-12\""))
        #expect(page.text.contains("<option value=\"single\" selected>未婚 single</option>"), "enums are a choice, named in Chinese")

        let done = try c.edit(page, action: action, [("f.phone", "13912345678"), ("f.marital_status", "married"),
                                                       ("f.name", "王秀英"), ("operator", "镇管理员李明"), ("note", "户口本核对")])
        #expect(done.status == 303)
        #expect(done.header("Location") == "/history/people/\(id)")
        let after = try Self.row(f, "people", id)
        #expect(after.values["phone"] == .text("13912345678") && after.values["marital_status"] == .text("married"))
        let entry = try #require(try f.scenario.openStore().logEntry(after.hseq))
        #expect(entry.node == NodeID.hub && entry.author == "镇管理员李明" && entry.note == "户口本核对")
        #expect(Set(entry.values.keys) == ["phone", "marital_status"], "only what changed is written: \(entry.values)")
        let shown = try c.get("/history/people/\(id)")
        #expect(shown.text.contains("flash ok") && shown.text.contains("已更正"))
        #expect(shown.text.contains("镇管理员李明") && shown.text.contains("户口本核对"), "the history lists the correction")

        // Clearing a field: an empty box.
        let cleared = try c.edit(shown, action: action, [("f.phone", "")])
        #expect(cleared.status == 303)
        #expect(try Self.row(f, "people", id).values["phone"] == nil)
    }

    @Test func staleAndInvalidReshowThePageAndChangeNothing() throws {
        let f = try WebFixture()
        let c = f.client()
        let id = f.scenario.bride
        let action = "/history/people/\(id)/edit"
        let page = try c.get("/history/people/\(id)")
        // Another operator corrects the phone after this page was made.
        let other = f.client()
        #expect(try other.edit(try other.get("/history/people/\(id)"), action: action, [("f.phone", "13700000000")]).status == 303)
        let moved = try Self.row(f, "people", id)

        let stale = try c.edit(page, action: action, [("f.phone", "13912345678"), ("f.current_address", "南庄村二组 3 号")])
        #expect(stale.status == 409)
        #expect(stale.text.contains("flash error") && stale.text.contains("又被修改了"), "\(stale.text)")
        #expect(stale.text.contains("电话 = 13700000000"), "the flash names the value now")
        #expect(stale.text.contains("name=\"expect\" value=\"\(moved.hseq)\""), "the re-shown form confirms on the version now")
        #expect(stale.text.contains("value=\"13700000000\""), "the moved field shows its new value")
        #expect(stale.text.contains("南庄村二组 3 号"), "the operator's value in a field that did not move is kept")
        #expect(try Self.row(f, "people", id) == moved, "nothing written")
        // Having looked, the operator saves the re-shown form.
        let confirmed = try c.edit(stale, action: action, [("f.current_address", "南庄村二组 3 号")])
        #expect(confirmed.status == 303)
        #expect(try Self.row(f, "people", id).values["current_address"] == .text("南庄村二组 3 号"))

        let now = try c.get("/history/people/\(id)")
        let invalid = try c.edit(now, action: action, [("f.birth_date", "1990-02-30"), ("f.name", "<b>王</b>")])
        #expect(invalid.status == 422)
        #expect(invalid.text.contains("flash error") && invalid.text.contains("出生日期") && invalid.text.contains("不是有效日期"))
        #expect(invalid.text.contains("value=\"1990-02-30\""), "the typed value stays in the form")
        #expect(invalid.text.contains("&lt;b&gt;王&lt;/b&gt;") && !invalid.text.contains("<b>王</b>"), "typed text is escaped")
        #expect(try Self.row(f, "people", id).values["birth_date"] == .text("1990-03-12"))
        let english = try c.edit(now, action: action, [("f.birth_date", "1990-02-30")], query: "?lang=en")
        #expect(english.status == 422 && english.text.contains("is not a real date"))
    }

    @Test func csrfAndOriginAreCheckedLikeEveryForm() throws {
        let f = try WebFixture()
        let c = f.client()
        let id = f.scenario.bride
        let action = "/history/people/\(id)/edit"
        let page = try c.get("/history/people/\(id)")
        let token = try #require(WebClient.csrf(in: page.text, action: action))
        let head = try f.scenario.openStore().head()
        let hseq = try Self.row(f, "people", id).hseq
        let fields = [("expect", String(hseq)), ("f.phone", "13912345678")]
        #expect(try c.post(action, form: fields).status == 403, "no token")
        let otherRow = try #require(WebClient.csrf(in: try c.get("/history/people/\(f.scenario.person)").text,
                                                   action: "/history/people/\(f.scenario.person)/edit"))
        #expect(try c.post(action, form: [("csrf", otherRow)] + fields).status == 403, "a token for another row's form")
        #expect(try c.post(action, form: [("csrf", token)] + fields, origin: "http://evil.example").status == 403, "a foreign page")
        #expect(try f.client().post(action, form: [("csrf", token)] + fields).status == 403, "another browser")
        #expect(try f.scenario.openStore().head() == head)
    }

    @Test func untouchedValuesSurviveTheRoundTrip() throws {
        let f = try WebFixture()
        let c = f.client()
        let id = f.scenario.event
        let page = try c.get("/history/events/\(id)")
        // The detail holds quotes and a line break: escaped in a text area, and posted back (CRLF, as browsers do) as no change.
        #expect(page.text.contains("李&quot;会计&quot;\n备注"))
        let row = try Self.row(f, "events", id)
        let all = row.values.map { ("f." + $0.key, $0.value.description.replacingOccurrences(of: "\n", with: "\r\n")) }
        let same = try c.edit(page, action: "/history/events/\(id)/edit", all)
        #expect(same.status == 303)
        #expect(try c.get("/history/events/\(id)").text.contains("填写的值与现在的相同"))
        #expect(try Self.row(f, "events", id) == row)
    }
}

extension WebClient {
    /// Posts a correction form as a browser would: the page's CSRF token and hidden `expect`, plus `fields`.
    func edit(_ page: WebResponse, action: String, _ fields: [(String, String)], query: String = "") throws -> WebResponse {
        let token = try #require(WebClient.csrf(in: page.text, action: action), "no form with action \(action)")
        let expect = try #require(page.text.firstMatch(of: /name="expect" value="(\d+)"/)?.1, "no expect in the form")
        return try post(action + query, form: [("csrf", token), ("expect", String(expect))] + fields)
    }
}
