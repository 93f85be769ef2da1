import Foundation
import HamletCore
import HamletCrypto
import HamletHTTP
@testable import HamletHub
import HamletNet
import HamletStore
import HamletTestSupport
import Testing

/// The operator page over real HTTP on loopback, against a hub whose conflicts came from `reconcile`.
@Suite(.serialized)
struct WebConsoleTests {
    @Test func listShowsConflictsWithCountsAndEscapedChinese() throws {
        let f = try WebFixture()
        let c = f.client()
        let r = try c.get("/")
        #expect(r.status == 200)
        #expect(r.header("Content-Type") == "text/html; charset=utf-8")
        #expect(r.header("X-Frame-Options") == "DENY")
        #expect(r.header("Content-Security-Policy") != nil)
        let page = r.text
        #expect(page.contains("冲突列表"))
        #expect(page.contains("王秀英"))
        #expect(page.contains("北赵"))
        #expect(page.contains("南庄"))
        #expect(page.contains("重复登记"))
        #expect(page.contains("href=\"/conflicts/\(f.scenario.fieldConflict)\""))
        #expect(!page.contains("<一组>"), "raw register text must never reach the page unescaped")
        // Set-Cookie: the session is HttpOnly and SameSite=Strict.
        let cookie = try #require(r.headerValues("Set-Cookie").first { $0.hasPrefix("hamlet_session=") })
        #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"))

        let filtered = try c.get("/?village=%E5%8D%97%E5%BA%84&kind=duplicate")
        #expect(filtered.text.contains("href=\"/conflicts/\(f.scenario.duplicateConflict)\""))
        #expect(!filtered.text.contains("href=\"/conflicts/\(f.scenario.fieldConflict)\""))

        let english = try c.get("/?lang=en")
        #expect(english.text.contains("Conflicts") && english.text.contains("duplicate"))
        #expect(try c.get("/").text.contains("Conflicts"), "the language choice sticks in a cookie")
    }

    @Test func detailShowsBothSidesEscaped() throws {
        let f = try WebFixture()
        let c = f.client()
        let field = try c.get("/conflicts/\(f.scenario.fieldConflict)")
        #expect(field.status == 200)
        for text in ["张莉", "张丽华", "张丽", "beizhao-doctor", "beizhao", "村医刘强", "村专干王芳", "采用村专干王芳（beizhao，北赵）的值", "采用村医刘强（beizhao-doctor，北赵）的值", "姓名"] {
            #expect(field.text.contains(text), "detail lacks \(text)")
        }
        #expect(field.text.contains("diff strong"), "the differing values are highlighted")
        let hostile = try c.get("/conflicts/\(f.scenario.escapeConflict)")
        #expect(hostile.text.contains("北赵村&lt;一组&gt; &amp; &quot;12&quot;号"))
        #expect(!hostile.text.contains("<一组>"))
        let missing = try c.get("/conflicts/99999")
        #expect(missing.status == 404)
    }

    @Test func postWithoutValidCSRFIsRefusedAndChangesNothing() throws {
        let f = try WebFixture()
        let c = f.client()
        let page = try c.get("/conflicts/\(f.scenario.fieldConflict)")
        let action = "/conflicts/\(f.scenario.fieldConflict)/resolve"
        let token = try #require(WebClient.csrf(in: page.text, action: action))
        let headBefore = try f.scenario.openStore().head()

        #expect(try c.post(action, form: [("choice", "village")]).status == 403)
        #expect(try c.post(action, form: [("choice", "village"), ("csrf", String(repeating: "0", count: 64))]).status == 403)
        // A token made for another form does not fit this one.
        let other = try #require(WebClient.csrf(in: try c.get("/conflicts/\(f.scenario.deleteConflict)").text,
                                                action: "/conflicts/\(f.scenario.deleteConflict)/decide"))
        #expect(try c.post(action, form: [("choice", "village"), ("csrf", other)]).status == 403)
        // The right token from a foreign page (Origin of another site) is refused too.
        #expect(try c.post(action, form: [("choice", "village"), ("csrf", token)], origin: "http://evil.example").status == 403)
        // Another browser (no session cookie) cannot reuse the token.
        let stranger = f.client()
        #expect(try stranger.post(action, form: [("choice", "village"), ("csrf", token)]).status == 403)

        let store = try f.scenario.openStore()
        #expect(try store.head() == headBefore)
        #expect(try store.conflict(f.scenario.fieldConflict)?.status == "open")
    }

    @Test func resolveThroughTheFormThenAgainShowsAlreadyResolved() throws {
        let f = try WebFixture()
        let c = f.client()
        let id = f.scenario.fieldConflict
        let page = try c.get("/conflicts/\(id)")
        let before = try #require(try f.scenario.openStore().conflict(id))
        let done = try c.submit(page, action: "/conflicts/\(id)/resolve",
                                [("choice", "village"), ("operator", "镇管理员李明"), ("note", "电话核实过")])
        #expect(done.status == 303)
        #expect(done.header("Location") == "/conflicts/\(id)")

        let store = try f.scenario.openStore()
        let after = try #require(try store.conflict(id))
        #expect(after.status == "resolved")
        #expect(after.resolvedBy == "镇管理员李明")
        #expect(after.resolution == "take village")
        #expect(after.note == "电话核实过")
        #expect(after.resolvedAt != nil)
        let people = try #require(store.schema.table(named: "people"))
        #expect(try store.row(people, id: f.scenario.person)?.values["name"] == before.incoming)
        let resolutionHseq = try #require(after.resolutionHseq)
        let entry = try #require(try store.logEntry(resolutionHseq))
        #expect(entry.author == "镇管理员李明" && entry.node == NodeID.hub)

        let shown = try c.get("/conflicts/\(id)")
        #expect(shown.text.contains("flash ok"))
        #expect(shown.text.contains("已处理"))
        #expect(!shown.text.contains("action=\"/conflicts/\(id)/resolve\""), "a resolved conflict offers no resolve form")

        // The same form again (an old tab): the store refuses, the page says who resolved it.
        let again = try c.submit(page, action: "/conflicts/\(id)/resolve", [("choice", "hub"), ("operator", "另一个管理员")])
        #expect(again.status == 303)
        let second = try c.get("/conflicts/\(id)")
        #expect(second.text.contains("flash error"))
        #expect(second.text.contains("已经由 镇管理员李明"))
        #expect(try f.scenario.openStore().conflict(id)?.resolvedBy == "镇管理员李明")
    }

    @Test func newValueAndStaleAndInvalid() throws {
        let f = try WebFixture()
        let c = f.client()
        let id = f.scenario.escapeConflict
        let page = try c.get("/conflicts/\(id)")
        // An empty required address is refused by validation; nothing changes.
        let bad = try c.submit(page, action: "/conflicts/\(id)/resolve", [("choice", "value"), ("value", " ")])
        #expect(bad.status == 303)
        #expect(try c.get("/conflicts/\(id)").text.contains("flash error"))
        #expect(try f.scenario.openStore().conflict(id)?.status == "open")
        // Shown version 1, but the field is at a later version: stale.
        let token = try #require(WebClient.csrf(in: page.text, action: "/conflicts/\(id)/resolve"))
        let stale = try c.post("/conflicts/\(id)/resolve", form: [("csrf", token), ("choice", "hub"), ("expect", "1")])
        #expect(stale.status == 303)
        #expect(try c.get("/conflicts/\(id)").text.contains("又被修改了"))
        #expect(try f.scenario.openStore().conflict(id)?.status == "open")
        // A new value typed by the operator.
        let ok = try c.submit(page, action: "/conflicts/\(id)/resolve", [("choice", "value"), ("value", "北赵村一组 12 号")])
        #expect(ok.status == 303)
        let store = try f.scenario.openStore()
        #expect(try store.conflict(id)?.resolution == "new value")
        let households = try #require(store.schema.table(named: "households"))
        #expect(try store.row(households, id: f.scenario.household)?.values["address"] == .text("北赵村一组 12 号"))
    }

    @Test func deleteConflictKeep() throws {
        let f = try WebFixture()
        let c = f.client()
        let id = f.scenario.deleteConflict
        let page = try c.get("/conflicts/\(id)")
        #expect(page.text.contains("保留这条记录") && page.text.contains("删除这条记录"))
        let r = try c.submit(page, action: "/conflicts/\(id)/decide", [("choice", "keep")])
        #expect(r.status == 303)
        let store = try f.scenario.openStore()
        #expect(try store.conflict(id)?.resolution == "keep")
        #expect(try store.conflict(id)?.resolvedBy == "web operator")
        let households = try #require(store.schema.table(named: "households"))
        #expect(try store.row(households, id: f.scenario.doomed)?.deleted == false)
    }

    @Test func mergeThenUnmergeThroughTheForms() throws {
        let f = try WebFixture()
        let s = f.scenario
        let c = f.client()
        let id = s.duplicateConflict
        let page = try c.get("/conflicts/\(id)")
        // Both rows and everything referencing each, before the merge.
        #expect(page.text.contains("合并是最要紧的操作"))
        #expect(page.text.contains("两条记录在不同的村"), "a merge across villages says it is also a move")
        #expect(page.text.contains("南庄村二组 3 号"))
        #expect(page.text.contains("href=\"/history/events/\(s.event)\""), "the event referencing the 北赵 row is listed")
        #expect(page.text.contains("href=\"/history/households/\(s.southHousehold)\""), "the household naming the 南庄 row is listed")

        let survivor = s.bride
        let merged = try c.submit(page, action: "/conflicts/\(id)/merge",
                                  [("keep", survivor), ("field.marital_status", s.brideAgain), ("field.current_address", s.brideAgain),
                                   ("operator", "镇管理员李明"), ("note", "因婚两次录入")])
        #expect(merged.status == 303)
        var store = try s.openStore()
        let people = try #require(store.schema.table(named: "people"))
        let households = try #require(store.schema.table(named: "households"))
        #expect(try store.conflict(id)?.resolution == "merge")
        #expect(try store.row(people, id: s.brideAgain)?.mergedInto == survivor)
        #expect(try store.row(people, id: survivor)?.values["marital_status"] == .text("married"))
        // Across villages: the 南庄 household she headed stays in 南庄 without a head (she lives in 北赵 now).
        #expect(try store.row(households, id: s.southHousehold)?.values["head"] == nil)

        let after = try c.get("/conflicts/\(id)")
        #expect(after.text.contains("flash ok"))
        #expect(after.text.contains("已记迁出、迁入事件"), "the flash names the move")
        #expect(after.text.contains("action=\"/conflicts/\(id)/unmerge\""))
        let undone = try c.submit(after, action: "/conflicts/\(id)/unmerge", [])
        #expect(undone.status == 303)
        store = try s.openStore()
        #expect(try store.conflict(id)?.status == "open")
        let a = try #require(try store.row(people, id: survivor))
        let b = try #require(try store.row(people, id: s.brideAgain))
        #expect(!a.deleted && !b.deleted && b.mergedInto == nil)
        #expect(a.values["marital_status"] == .text("single"))
        #expect(a.values["current_address"] == nil)
        #expect(try store.row(households, id: s.southHousehold)?.values["head"] == .text(s.brideAgain))
        #expect(try c.get("/conflicts/\(id)").text.contains("action=\"/conflicts/\(id)/merge\""), "open again: merge offered")
    }

    @Test func exportCSVRoundTrips() throws {
        let f = try WebFixture()
        let c = f.client()
        for table in ["events", "people", "households"] {
            // The English page exports field names and codes (the Chinese one: WebExportTests).
            let r = try c.get("/export/\(table).csv?lang=en")
            #expect(r.status == 200)
            #expect(r.header("Content-Type") == "text/csv; charset=utf-8")
            #expect(r.header("Content-Disposition") == "attachment; filename=\"\(table).csv\"")
            #expect(Array(r.body.prefix(3)) == [0xEF, 0xBB, 0xBF])
            let store = try f.scenario.openStore()
            let schema = try #require(store.schema.table(named: table))
            let rows = try store.rows(table: table)
            #expect(r.body == Array(RegisterExport.csv(schema, rows).utf8), "the same bytes as hamlet hub export")
            let parsed = try CSVTable.read(bytes: r.body)
            #expect(parsed.header == ["id"] + schema.fields.map(\.name))
            #expect(parsed.rows.count == rows.count)
            for (p, row) in zip(parsed.rows, rows) {
                #expect(p.fields["id"] == row.id)
                for field in schema.fields {
                    #expect(p.fields[field.name] == (row.values[field.name]?.description ?? ""))
                }
            }
        }
        let events = try CSVTable.read(bytes: try c.get("/export/events.csv").body)
        #expect(events.rows.first?.fields["detail"] == WebScenario.eventDetail, "Chinese, commas, quotes and a newline survive")
        #expect(String(decoding: try c.get("/export/events.csv").body, as: UTF8.self).contains("\r\n"))
        #expect(try c.get("/export/nothing.csv").status == 404)
    }

    @Test func nodesAndHistoryPages() throws {
        let f = try WebFixture()
        let c = f.client()
        let nodes = try c.get("/nodes")
        #expect(nodes.status == 200)
        for text in ["beizhao-doctor", "nanzhuang", "北赵", "南庄", "从未", "待处理冲突"] { #expect(nodes.text.contains(text), "nodes lacks \(text)") }
        let history = try c.get("/history/people/\(f.scenario.person)")
        #expect(history.status == 200)
        #expect(history.text.contains("张莉") && history.text.contains("张丽华") && history.text.contains("村医刘强"))
        #expect(history.text.contains("href=\"/conflicts/\(f.scenario.fieldConflict)\""))
        #expect(try c.get("/history/people/nobody").status == 404)
        #expect(try c.get("/history/nope/x").status == 404)
        #expect(try c.get("/export").text.contains("/export/people.csv"))
    }

    @Test func malformedRequestsGetErrorsAndTheServerKeepsServing() throws {
        let f = try WebFixture(limits: HTTPLimits(maxHeaderBytes: 4096, maxBodyBytes: 2048))
        func raw(_ bytes: [UInt8]) throws -> WebResponse {
            let socket = try ClientSocket.connect(to: f.web, timeout: .seconds(5))
            defer { socket.close() }
            try socket.write(bytes, deadline: WebClient.deadline())
            return try WebClient.readResponse(socket)
        }
        var garbage: [UInt8] = []
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<300 { garbage.append(UInt8.random(in: 0...255, using: &rng)) }
        garbage += Array("\r\n\r\n".utf8)
        #expect(try raw(garbage).status == 400)
        #expect(try raw(Array("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: \(String(repeating: "a", count: 8000))\r\n\r\n".utf8)).status == 431)
        #expect(try raw(Array("POST /conflicts/1/resolve HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: abc\r\n\r\n".utf8)).status == 400)
        #expect(try raw(Array("POST /conflicts/1/resolve HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 999999999\r\n\r\n".utf8)).status == 413)
        #expect(try raw(Array("GET / HTTP/1.1\r\n\r\n".utf8)).status == 400, "no Host")
        #expect(try raw(Array("GET /%ZZ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".utf8)).status == 400)
        #expect(try raw(Array("PUT / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n".utf8)).status == 405)
        // A form body that is not form-urlencoded UTF-8.
        let c = f.client()
        _ = try c.get("/")
        #expect(try c.send("POST", "/conflicts/1/resolve", headers: [("Content-Type", "application/x-www-form-urlencoded"), ("Origin", c.origin)],
                           body: [0x25, 0xff, 0xfe]).status == 400)
        let head = try c.send("HEAD", "/")
        #expect(head.status == 200 && head.body.isEmpty)
        #expect(try c.get("/").status == 200, "still serving")
        #expect(try f.scenario.openStore().conflicts().count == 4)
    }

    @Test func keepAliveServesPipelinedRequestsInOrder() throws {
        let f = try WebFixture()
        let socket = try ClientSocket.connect(to: f.web, timeout: .seconds(5))
        defer { socket.close() }
        let one = "GET /nodes HTTP/1.1\r\nHost: \(f.web)\r\n\r\n"
        let two = "GET /conflicts/\(f.scenario.fieldConflict) HTTP/1.1\r\nHost: \(f.web)\r\nConnection: close\r\n\r\n"
        try socket.write(Array((one + two).utf8), deadline: WebClient.deadline())
        var all: [UInt8] = []
        while true {
            let chunk = try socket.read(upTo: 65536, deadline: WebClient.deadline())
            if chunk.isEmpty { break }
            all += chunk
        }
        let text = String(decoding: all, as: UTF8.self)
        let parts = text.components(separatedBy: "HTTP/1.1 200 OK\r\n")
        #expect(parts.count == 3, "two responses, then the server closed")
        let first = parts.count > 1 ? parts[1] : ""
        let second = parts.count > 2 ? parts[2] : ""
        #expect(first.contains("村节点状态") && first.contains("Connection: keep-alive"))
        #expect(second.contains("张丽华") && second.contains("Connection: close"))
    }

    @Test func foreignHostNameIsRefusedWithoutToken() throws {
        let f = try WebFixture()
        let r = try f.client().get("/", headers: [])
        #expect(r.status == 200)
        let socket = try ClientSocket.connect(to: f.web, timeout: .seconds(5))
        defer { socket.close() }
        try socket.write(Array("GET / HTTP/1.1\r\nHost: evil.example:7421\r\nConnection: close\r\n\r\n".utf8), deadline: WebClient.deadline())
        #expect(try WebClient.readResponse(socket).status == 403)
    }

    @Test func tokenModeNeedsLoginOrBearer() throws {
        let token = "s3cret-operator-token-for-tests"
        let f = try WebFixture(token: token)
        let c = f.client()
        let first = try c.get("/")
        #expect(first.status == 401)
        #expect(first.text.contains("action=\"/login\""))
        #expect(!first.text.contains("王秀英"))
        #expect(try c.get("/export/people.csv").status == 401)
        // A POST without a session is refused before it can reach the store.
        #expect(try f.client().post("/conflicts/\(f.scenario.fieldConflict)/resolve", form: [("choice", "village")]).status == 403)

        let wrong = try c.submit(first, action: "/login", [("token", "guess")])
        #expect(wrong.status == 401)
        #expect(wrong.text.contains("口令不对"))
        let login = try c.submit(first, action: "/login", [("token", token)])
        #expect(login.status == 303)
        let cookie = try #require(login.headerValues("Set-Cookie").first { $0.hasPrefix("hamlet_session=") })
        #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && cookie.contains("Path=/"))
        let list = try c.get("/")
        #expect(list.status == 200 && list.text.contains("王秀英"))

        // A forged cookie (right shape, wrong MAC) is not a login.
        let forged = f.client()
        forged.cookies["hamlet_session"] = String(repeating: "a", count: 32) + ".a." + String(repeating: "0", count: 64)
        #expect(try forged.get("/").status == 401)

        let bearer = f.client()
        #expect(try bearer.get("/", headers: [("Authorization", "Bearer \(token)")]).status == 200)
        #expect(try bearer.get("/", headers: [("Authorization", "Bearer nope")]).status == 401)
        // Bearer clients (scripts) may POST without a CSRF token.
        let r = try bearer.post("/conflicts/\(f.scenario.deleteConflict)/decide", form: [("choice", "keep")],
                                headers: [("Authorization", "Bearer \(token)")])
        #expect(r.status == 303)
        #expect(try f.scenario.openStore().conflict(f.scenario.deleteConflict)?.resolution == "keep")
    }

    @Test func wrongTokensAreThrottled() throws {
        let token = "another-operator-token-1234"
        let f = try WebFixture(token: token)
        let c = f.client()
        for _ in 0..<OperatorConsole.maxTokenFailuresPerMinute {
            #expect(try c.get("/", headers: [("Authorization", "Bearer wrong")]).status == 401)
        }
        #expect(try c.get("/", headers: [("Authorization", "Bearer \(token)")]).status == 429, "even the right token waits")
        let page = try c.get("/")
        #expect(try c.submit(page, action: "/login", [("token", token)]).status == 429)
        // The lock is the guessing address's only: the operator at another address still gets in, by Bearer
        // and by the login form (issue 16).
        let operatorDesk = WebClient(address: f.web, source: try SocketAddress(host: "127.0.0.2", port: 0))
        #expect(try operatorDesk.get("/", headers: [("Authorization", "Bearer \(token)")]).status == 200)
        let form = try operatorDesk.get("/")
        #expect(try operatorDesk.submit(form, action: "/login", [("token", token)]).status == 303)
    }

    @Test func twoOperatorsAtOnceExactlyOneWins() throws {
        let f = try WebFixture()
        let id = f.scenario.fieldConflict
        let clients = [f.client(), f.client()]
        let pages = try clients.map { try $0.get("/conflicts/\(id)") }
        let group = DispatchGroup()
        let lock = NSLock()
        nonisolated(unsafe) var statuses: [Int] = []
        for (i, client) in clients.enumerated() {
            let page = pages[i]
            nonisolated(unsafe) let c = client
            group.enter()
            Thread {
                let s = (try? c.submit(page, action: "/conflicts/\(id)/resolve", [("choice", i == 0 ? "village" : "hub"), ("operator", "op\(i)")]))?.status ?? 0
                lock.lock(); statuses.append(s); lock.unlock()
                group.leave()
            }.start()
        }
        group.wait()
        #expect(statuses == [303, 303])
        let texts = try clients.map { try $0.get("/conflicts/\(id)").text }
        #expect(texts.filter { $0.contains("flash ok") }.count == 1)
        #expect(texts.filter { $0.contains("flash error") && $0.contains("已经由 op") }.count == 1)
        let c = try #require(try f.scenario.openStore().conflict(id))
        #expect(c.resolvedBy == "op0" || c.resolvedBy == "op1")
    }

    @Test func messageTableIsComplete() {
        for (id, entry) in WebMessages.table {
            #expect(!entry.zh.isEmpty && !entry.en.isEmpty, "\(id)")
            for n in 1...5 {
                #expect(entry.zh.contains("%\(n)") == entry.en.contains("%\(n)"), "\(id) placeholders differ")
            }
        }
        #expect(WebMessages.text("detail.heading", .zh, ["%2"]) == "冲突 #%2")
    }

    @Test func securityPrimitives() {
        let s = WebSecurity(token: "abcdefghijklmnopq")
        let session = WebSession(id: s.makeSessionID(), authenticated: true)
        #expect(s.session(fromCookie: s.cookieValue(session)) == session)
        var tampered = s.cookieValue(WebSession(id: session.id, authenticated: false))
        tampered = tampered.replacingOccurrences(of: ".o.", with: ".a.")
        #expect(s.session(fromCookie: tampered) == nil)
        let csrf = s.csrfToken(session: session.id, purpose: "/conflicts/1/resolve")
        #expect(s.checkCSRF(csrf, session: session.id, purpose: "/conflicts/1/resolve"))
        #expect(!s.checkCSRF(csrf, session: session.id, purpose: "/conflicts/2/resolve"))
        #expect(!s.checkCSRF(csrf, session: "other", purpose: "/conflicts/1/resolve"))
        #expect(!s.checkCSRF(nil, session: session.id, purpose: "/conflicts/1/resolve"))
        #expect(s.checkToken("abcdefghijklmnopq") && !s.checkToken("abcdefghijklmnop"))
        #expect(WebSecurity(token: nil).checkToken("") == false)
        #expect(WebSecurity.isLoopbackHost("127.0.0.1:7421") && WebSecurity.isLoopbackHost("localhost") && WebSecurity.isLoopbackHost("[::1]:80"))
        #expect(!WebSecurity.isLoopbackHost("127.0.0.1.evil.com") && !WebSecurity.isLoopbackHost("evil.com:7421"))
        #expect(WebSecurity.authority(ofURL: "http://127.0.0.1:7421/x?y") == "127.0.0.1:7421")
    }
}
