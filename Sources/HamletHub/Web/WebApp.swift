import Foundation
import HamletCore
import HamletHTTP
import HamletNet
import HamletStore

/// One request of the operator page, served on a console worker thread with that thread's store: checks (method,
/// host, session, token, same-origin, CSRF), routing, actions and pages. Single use; never shared across threads.
final class WebApp {
    let console: OperatorConsole
    let request: HTTPRequest
    let local: SocketAddress?
    /// The client's address (no port): the operator token's throttle counts per address.
    let peer: String
    let store: HubStore?
    var language: ConsoleLanguage
    var session = WebSession(id: "", authenticated: false)
    var setCookies: [String] = []
    var form: [(String, String)] = []
    /// The parts of a `multipart/form-data` POST (the 比对 upload); its plain fields are also in `form`.
    var uploads: [MultipartPart] = []
    var zone = "Asia/Shanghai"
    var flash: WebFlash?

    var security: WebSecurity { console.security }

    init(console: OperatorConsole, request: HTTPRequest, local: SocketAddress?, peer: String, store: HubStore?) {
        self.console = console
        self.request = request
        self.local = local
        self.peer = peer
        self.store = store
        language = console.configuration.language
    }

    /// The response, with any cookies the request set.
    func response() -> HTTPResponse {
        var response = route()
        response.headers += setCookies.map { ("Set-Cookie", $0) }
        return response
    }

    func t(_ id: String, _ args: String...) -> String { WebMessages.text(id, language, args) }

    // MARK: - Checks and routing

    private func route() -> HTTPResponse {
        let method = request.method
        let cookies = WebSecurity.cookies(request)
        if let code = request.queryValue("lang"), let chosen = ConsoleLanguage(code: code) {
            language = chosen
            setCookies.append(WebSecurity.setCookie(WebSecurity.languageCookie, chosen.rawValue, maxAge: 365 * 86400))
        } else if let code = cookies[WebSecurity.languageCookie], let chosen = ConsoleLanguage(code: code) {
            language = chosen
        }
        guard method == "GET" || method == "HEAD" || method == "POST" else {
            var r = errorPage(405, "err.method")
            r.headers.append(("Allow", "GET, HEAD, POST"))
            return r
        }
        if security.token == nil {
            // No token: only this machine may use the page, under a loopback host name (no DNS rebinding).
            if let local, !local.isLoopback { return errorPage(403, "err.loopbackOnly") }
            if let host = request.header("Host"), !WebSecurity.isLoopbackHost(host) { return errorPage(403, "err.host") }
        }
        if let value = cookies[WebSecurity.sessionCookie], let existing = security.session(fromCookie: value) {
            session = existing
        } else {
            startSession(authenticated: false)
        }
        var viaBearer = false
        if let bearer = WebSecurity.bearer(request) {
            guard !console.isTokenCheckLocked(peer) else { return errorPage(429, "login.throttled") }
            guard security.token != nil, security.checkToken(bearer) else {
                console.recordTokenFailure(peer)
                var r = errorPage(401, "login.wrong")
                r.headers.append(("WWW-Authenticate", "Bearer realm=\"hamlet\""))
                return r
            }
            viaBearer = true
        }
        let authenticated = security.token == nil || session.authenticated || viaBearer
        let path = request.path
        if method == "POST" {
            guard WebSecurity.isSameOrigin(request) else { return errorPage(403, "err.csrf") }
            if request.isMultipart {
                // Only the 比对 upload takes files; its CSRF token is a plain field of the multipart body.
                guard path == "/compare", let parts = try? request.multipart() else { return errorPage(400, "err.badForm") }
                uploads = parts
                form = parts.filter { $0.filename == nil }.compactMap { part in part.text.map { (part.name, $0) } }
            } else {
                guard let body = request.form else { return errorPage(400, "err.badForm") }
                form = body
            }
            // A bearer request carries no ambient credential a foreign page could borrow; every browser form must
            // carry the token made for its session and action.
            if !viaBearer {
                guard security.checkCSRF(formValue("csrf"), session: session.id, purpose: path) else {
                    return errorPage(403, "err.csrf")
                }
            }
        }
        flash = console.takeFlash(session: session.id)
        if path == "/login" {
            if method == "POST" { return login() }
            return authenticated ? .redirect(to: "/") : loginPage(status: 200, wrong: false)
        }
        guard authenticated else { return loginPage(status: 401, wrong: false) }
        if path == "/logout" {
            guard method == "POST" else { return errorPage(405, "err.method") }
            startSession(authenticated: false)
            return .redirect(to: security.token == nil ? "/" : "/login")
        }
        guard let store else { return errorPage(503, "err.store") }
        zone = ((try? store.meta("time_zone")) ?? nil) ?? "Asia/Shanghai"
        do {
            return try routeAuthenticated(store, path: path, post: method == "POST")
        } catch {
            return errorPage(503, "err.store")
        }
    }

    private func startSession(authenticated: Bool) {
        session = WebSession(id: security.makeSessionID(), authenticated: authenticated)
        setCookies.append(WebSecurity.setCookie(WebSecurity.sessionCookie, security.cookieValue(session)))
    }

    private func routeAuthenticated(_ store: HubStore, path: String, post: Bool) throws -> HTTPResponse {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        switch (post, parts.count) {
        case (false, 0):
            return try listPage(store)
        case (false, 1) where parts[0] == "nodes":
            return try nodesPage(store)
        case (false, 1) where parts[0] == "checks":
            return try checksPage(store)
        case (true, 2) where parts[0] == "checks" && parts[1] == "mark":
            return try markCheck(store)
        case (false, 1) where parts[0] == "compare":
            return try comparePage(store)
        case (true, 1) where parts[0] == "compare":
            return try compareUpload(store)
        case (false, 2) where parts[0] == "compare" && (parts[1] == "result.csv" || parts[1] == "result.xlsx"):
            return compareDownload(xlsx: parts[1] == "result.xlsx")
        case (false, 1) where parts[0] == "report":
            return try reportPage(store, print: false)
        case (false, 2) where parts[0] == "report" && parts[1] == "print":
            return try reportPage(store, print: true)
        case (false, 1) where parts[0] == "report.csv" || parts[0] == "report.xlsx":
            return try reportDownload(store, xlsx: parts[0] == "report.xlsx")
        case (false, 1) where parts[0] == "moves":
            return try movesPage(store, print: false)
        case (false, 2) where parts[0] == "moves" && parts[1] == "print":
            return try movesPage(store, print: true)
        case (false, 1) where parts[0] == "moves.csv" || parts[0] == "moves.xlsx":
            return try movesDownload(store, xlsx: parts[0] == "moves.xlsx")
        case (false, 1) where parts[0] == "search":
            return try searchPage(store)
        case (false, 1) where parts[0] == "export":
            return try exportPage(store)
        case (false, 2) where parts[0] == "export" && parts[1].hasSuffix(".csv"):
            return try export(store, table: String(parts[1].dropLast(4)), xlsx: false)
        case (false, 2) where parts[0] == "export" && parts[1].hasSuffix(".xlsx"):
            return try export(store, table: String(parts[1].dropLast(5)), xlsx: true)
        case (false, 2) where parts[0] == "conflicts":
            guard let id = Int64(parts[1]) else { return errorPage(404, "err.notFound") }
            return try detailPage(store, id: id)
        case (false, 3) where parts[0] == "history":
            return try historyPage(store, table: parts[1], id: parts[2])
        case (true, 4) where parts[0] == "history" && parts[3] == "edit":
            return try editRow(store, table: parts[1], id: parts[2])
        case (true, 2) where parts[0] == "conflicts" && parts[1] == "bulk":
            return try resolveBulk(store)
        case (true, 2) where parts[0] == "conflicts" && parts[1] == "bulk-dismiss":
            return try dismissBulk(store)
        case (true, 3) where parts[0] == "conflicts":
            guard let id = Int64(parts[1]) else { return errorPage(404, "err.notFound") }
            switch parts[2] {
            case "resolve": return try resolveField(store, id: id)
            case "decide": return try resolveDelete(store, id: id)
            case "merge": return try merge(store, id: id)
            case "unmerge": return try unmerge(store, id: id)
            case "dismiss": return try dismiss(store, id: id)
            default: return errorPage(404, "err.notFound")
            }
        default:
            return errorPage(post ? 404 : 404, "err.notFound")
        }
    }

    // MARK: - Form helpers

    func formValue(_ name: String) -> String? { form.first { $0.0 == name }?.1 }

    /// The operator's name: the form field, else the remembered cookie, else the default; remembered for next time.
    func operatorName() -> String {
        let typed = (formValue("operator") ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if !typed.isEmpty {
            let name = String(typed.prefix(60))
            setCookies.append(WebSecurity.setCookie(WebSecurity.operatorCookie, FormCoding.percentEncode(name), maxAge: 365 * 86400))
            return name
        }
        return rememberedOperator()
    }

    func rememberedOperator() -> String {
        if let raw = WebSecurity.cookies(request)[WebSecurity.operatorCookie],
           let name = FormCoding.percentDecode(raw, plusIsSpace: false), !name.isEmpty {
            return String(name.prefix(60))
        }
        return console.configuration.defaultOperator
    }

    func action() -> OperatorAction {
        let note = (formValue("note") ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        return OperatorAction(name: operatorName(), wallMillis: console.configuration.wallMillis(),
                              note: note.isEmpty ? nil : String(note.prefix(500)))
    }

    /// A 303 back to the conflict with a flash message.
    func back(to id: Int64, _ flash: WebFlash) -> HTTPResponse {
        console.setFlash(flash, session: session.id)
        return .redirect(to: "/conflicts/\(id)")
    }

    /// The operator-facing sentence for a refused action, in the page's language, from the conflict's fresh state.
    func describe(_ error: OperatorError, _ store: HubStore, id: Int64) -> String {
        switch error.code {
        case .alreadyResolved:
            let c = try? store.conflict(id)
            return t("err.alreadyResolved", resolverLabel(c?.resolvedBy), time(c?.resolvedAt), resolutionLabel(c?.resolution))
        case .stale: return t("err.staleShort")
        case .invalid:
            return t("err.invalid", error.issues.first?.message(chinese: language == .zh, schema: store.schema) ?? error.message)
        case .referenced: return t("err.referenced")
        case .notMerged: return t("err.notMerged")
        case .wrongKind: return t("err.wrongKind")
        case .notFound: return t("err.rowNotFound")
        }
    }

    // MARK: - Actions (each one HubStore call, the same the CLI makes)

    private func resolveField(_ store: HubStore, id: Int64) throws -> HTTPResponse {
        guard let c = try store.conflict(id) else { return errorPage(404, "err.noConflict", String(id)) }
        let choice: FieldChoice
        switch formValue("choice") {
        case "village": choice = .village
        case "hub": choice = .hub
        case "value":
            guard let name = c.field, let t = store.schema.table(named: c.table), let f = t.field(name) else {
                return back(to: id, WebFlash(isError: true, text: self.t("err.wrongKind")))
            }
            do {
                choice = .value(try Validator(schema: store.schema).parse(formValue("value") ?? "", for: f, table: t.name))
            } catch {
                return back(to: id, WebFlash(isError: true, text: self.t("err.invalid", error.message(chinese: language == .zh, schema: store.schema))))
            }
        default:
            return errorPage(400, "err.badForm")
        }
        let expected = formValue("expect").flatMap { Int64($0) }
        do {
            let hseq = try store.resolveField(id, choice: choice, expectedVersion: expected, action: action())
            return back(to: id, WebFlash(isError: false, text: t("flash.resolved", String(id), String(hseq))))
        } catch let error as OperatorError {
            return back(to: id, WebFlash(isError: true, text: describe(error, store, id: id)))
        }
    }

    private func resolveDelete(_ store: HubStore, id: Int64) throws -> HTTPResponse {
        guard try store.conflict(id) != nil else { return errorPage(404, "err.noConflict", String(id)) }
        let keep: Bool
        switch formValue("choice") {
        case "keep": keep = true
        case "delete": keep = false
        default: return errorPage(400, "err.badForm")
        }
        do {
            let hseq = try store.resolveDelete(id, keep: keep, expectedRowVersion: formValue("expect").flatMap { Int64($0) },
                                               action: action())
            return back(to: id, WebFlash(isError: false, text: t("flash.resolved", String(id), String(hseq))))
        } catch let error as OperatorError {
            return back(to: id, WebFlash(isError: true, text: describe(error, store, id: id)))
        }
    }

    private func merge(_ store: HubStore, id: Int64) throws -> HTTPResponse {
        guard try store.conflict(id) != nil else { return errorPage(404, "err.noConflict", String(id)) }
        var fields: [String: String] = [:]
        for (name, value) in form where name.hasPrefix("field.") {
            fields[String(name.dropFirst(6))] = value
        }
        let keep = formValue("keep").flatMap { $0.isEmpty ? nil : $0 }
        var shown: [String: Int64] = [:]
        for (name, value) in form where name.hasPrefix("expect.") { shown[String(name.dropFirst(7))] = Int64(value) }
        do {
            let m = try store.mergeDuplicate(id, keep: keep, fieldsFrom: fields, expectedRowVersions: shown.isEmpty ? nil : shown,
                                             action: action())
            if let move = m.move {
                let followed = m.moved?.filter { $0.kind == .follow }.count ?? 0
                return back(to: id, WebFlash(isError: false, text: t("flash.mergedMove", String(id), short(m.survivor), String(followed), move.from, move.to)))
            }
            return back(to: id, WebFlash(isError: false, text: t("flash.merged", String(id), short(m.survivor), String(m.repointed.count))))
        } catch let error as OperatorError {
            return back(to: id, WebFlash(isError: true, text: describe(error, store, id: id)))
        }
    }

    private func unmerge(_ store: HubStore, id: Int64) throws -> HTTPResponse {
        guard try store.conflict(id) != nil else { return errorPage(404, "err.noConflict", String(id)) }
        do {
            let m = try store.unmerge(id, action: action())
            return back(to: id, WebFlash(isError: false, text: t("flash.unmerged", String(id), String(m.repointed.count))))
        } catch let error as OperatorError {
            return back(to: id, WebFlash(isError: true, text: describe(error, store, id: id)))
        }
    }

    /// 「不是同一人」: closes a duplicate as dismissed; the note (why they are different people) is required.
    private func dismiss(_ store: HubStore, id: Int64) throws -> HTTPResponse {
        guard try store.conflict(id) != nil else { return errorPage(404, "err.noConflict", String(id)) }
        let done = action()
        guard done.note != nil else { return back(to: id, WebFlash(isError: true, text: t("err.noteRequired"))) }
        do {
            try store.dismissDuplicate(id, action: done)
            return back(to: id, WebFlash(isError: false, text: t("flash.dismissed", String(id))))
        } catch let error as OperatorError {
            return back(to: id, WebFlash(isError: true, text: describe(error, store, id: id)))
        }
    }

    private func login() -> HTTPResponse {
        guard security.token != nil else { return .redirect(to: "/") }
        guard !console.isTokenCheckLocked(peer) else { return errorPage(429, "login.throttled") }
        guard security.checkToken(formValue("token") ?? "") else {
            console.recordTokenFailure(peer)
            return loginPage(status: 401, wrong: true)
        }
        // A fresh session id on login, so a session planted before it is worth nothing.
        startSession(authenticated: true)
        return .redirect(to: "/")
    }

    // MARK: - Formatting

    /// Milliseconds since 1970 as `yyyy-MM-dd HH:mm` in the hub's time zone.
    func time(_ millis: Int64?) -> String {
        guard let millis, millis > 0 else { return "-" }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: zone) ?? TimeZone(secondsFromGMT: 8 * 3600) ?? .gmt
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: Date(timeIntervalSince1970: Double(millis) / 1000))
        func two(_ n: Int?) -> String { let s = String(n ?? 0); return s.count < 2 ? "0" + s : s }
        return "\(c.year ?? 0)-\(two(c.month))-\(two(c.day)) \(two(c.hour)):\(two(c.minute))"
    }

    func short(_ id: String) -> String { String(id.suffix(8)) }

    /// A writer's node: its id, or 镇中心 / "the hub" for the hub itself (`@hub`).
    func nodeLabel(_ node: String) -> String { node == NodeID.hub ? t("node.hub") : node }

    /// A change-log operation (`put`, `resolve`, `merged-into` …) in the page's language.
    func opLabel(_ op: String) -> String {
        let id = "op." + op
        return WebMessages.table[id] == nil ? op : t(id)
    }

    /// A stored resolution (`dismissed`, `moot`, `superseded by #N`, …) in the page's language, as the CLI says it.
    func resolutionLabel(_ resolution: String?) -> String { ConflictWording.resolution(resolution, chinese: language == .zh) }

    /// Who closed a conflict: the operator's name, or the hub itself.
    func resolverLabel(_ name: String?) -> String { ConflictWording.resolver(name, chinese: language == .zh) }

    func kindLabel(_ kind: ConflictKind) -> String { t("kind." + kind.rawValue) }

    func tableLabel(_ t: TableSchema) -> String { language == .zh ? t.label.zh : t.label.en }

    func fieldLabel(_ f: FieldSchema) -> String { language == .zh ? f.label.zh : f.label.en }

    func fieldLabel(_ store: HubStore, table: String, field: String?) -> String {
        guard let field else { return "" }
        guard let f = store.schema.table(named: table)?.field(field) else { return field }
        return fieldLabel(f)
    }

    /// A short human label for a row: 姓名 and the ID's last 4, the address, or first plain fields.
    func rowLabel(_ t: TableSchema, _ row: HubRow?) -> String {
        guard let row else { return "" }
        if let label = RowLabeler(table: t, scope: store?.schema.scope ?? Schema.register.scope).label(row.values) { return label }
        let plain = t.fields.filter { $0.type != .ref && $0.name != "village" }.prefix(2)
        return plain.map { display($0, row.values[$0.name]) }.filter { !$0.isEmpty }.joined(separator: " · ")
    }

    /// The label of a referenced row (nil when it cannot be read or has none:
    /// the page then shows the short id; a display, not a decision).
    func referenceLabel(_ table: String, _ id: String) -> String? {
        guard let store, let t = store.schema.table(named: table), let row = try? store.row(t, id: id) else { return nil }
        let label = rowLabel(t, row)
        return label.isEmpty ? nil : label
    }

    /// The engine's reason for a conflict, in the page's language (unknown reasons as they are).
    func reasonText(_ reason: String) -> String {
        guard let store else { return reason }
        return ConflictWording.reason(reason, chinese: language == .zh, schema: store.schema)
    }

    /// A stored value for display: enum codes named in Chinese on the Chinese page (`F` → `女`).
    func display(_ f: FieldSchema?, _ value: Value?) -> String {
        guard let value else { return "" }
        let text = value.description
        if language == .zh, f?.type == .enum, let zh = WebMessages.enumZH[text] { return zh }
        return text
    }

    func rowState(_ row: HubRow) -> String {
        if let into = row.mergedInto { return t("state.mergedInto", short(into)) }
        return row.deleted ? t("state.deleted") : t("state.live")
    }
}
