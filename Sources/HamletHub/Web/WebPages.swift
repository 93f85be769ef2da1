import Foundation
import HamletCore
import HamletHTTP
import HamletStore

/// Escapes untrusted text for HTML element content and quoted attributes.
@inline(__always)
func h(_ s: String) -> String { HTML.escape(s) }

extension WebApp {
    static let css = """
        *{box-sizing:border-box}
        body{margin:0;background:#f4f6f9;color:#1c2430;font:15px/1.55 "Noto Sans CJK SC","Noto Sans SC","Source Han Sans SC","PingFang SC","Microsoft YaHei",system-ui,sans-serif}
        a{color:#1d5fa8}
        header{background:#1f4e79;color:#fff;padding:.55rem 1.5rem;display:flex;gap:1.6rem;align-items:center;flex-wrap:wrap}
        header a{color:#fff;text-decoration:none;opacity:.9}
        header a:hover{opacity:1;text-decoration:underline}
        header .brand{font-weight:700;font-size:1.05rem;opacity:1}
        header nav{display:flex;gap:1.2rem;flex:1}
        header .tools{display:flex;gap:1rem;align-items:center}
        header form{margin:0}
        header button{background:transparent;border:1px solid #8fb0d0;padding:.15rem .6rem;font-size:.85rem}
        main{max-width:1180px;margin:1.2rem auto 2rem;padding:0 1.5rem}
        h1{font-size:1.35rem;margin:.3rem 0 1rem}
        h2{font-size:1.08rem;margin:0 0 .7rem}
        .card{background:#fff;border:1px solid #dce1e8;border-radius:8px;padding:1rem 1.2rem;margin-bottom:1rem}
        table{border-collapse:collapse;width:100%;background:#fff}
        th,td{border-bottom:1px solid #e6e9ee;padding:.45rem .6rem;text-align:left;vertical-align:top}
        th{background:#eef2f7;font-weight:600;font-size:.88rem;color:#384253;white-space:nowrap}
        table.record th{width:11rem}
        .pair th:first-child{width:9rem}
        td.num,th.num{text-align:right}
        tr:hover td{background:#fafbfd}
        td.diff,tr.diff td{background:#fff3cd}
        td.diff.strong{background:#ffe49a;font-weight:600}
        .flash{padding:.7rem 1rem;border-radius:6px;margin-bottom:1rem;font-weight:500}
        .flash.ok{background:#e4f5e9;border:1px solid #9fd4ae;color:#17542a}
        .flash.error{background:#fdeaea;border:1px solid #f0aaaa;color:#8a1c1c}
        .counts{display:flex;gap:.8rem;flex-wrap:wrap;margin-bottom:1rem}
        .count{background:#fff;border:1px solid #dce1e8;border-radius:8px;padding:.6rem 1rem;min-width:8.5rem;text-decoration:none;color:inherit}
        .count b{display:block;font-size:1.5rem;line-height:1.2}
        .count.total{background:#1f4e79;color:#fff;border-color:#1f4e79}
        .badge{display:inline-block;padding:.05rem .55rem;border-radius:999px;font-size:.8rem;white-space:nowrap}
        .badge.field{background:#e1ecff;color:#1a4f9c}
        .badge.delete{background:#fde1e1;color:#9b1c1c}
        .badge.duplicate{background:#fff0c4;color:#7d5200}
        .badge.open{background:#fff4e0;color:#8a4b00}
        .badge.resolved{background:#e3f3e7;color:#1b5e2f}
        button{font:inherit;padding:.4rem .95rem;border-radius:6px;border:1px solid #1f4e79;background:#1f4e79;color:#fff;cursor:pointer}
        button.secondary{background:#fff;color:#1f4e79}
        button.danger{background:#b42318;border-color:#b42318}
        header form.search{display:flex;gap:.3rem}
        header input[type=search]{width:15rem;padding:.2rem .5rem;border-radius:6px;border:1px solid #8fb0d0;font:inherit;font-size:.88rem}
        input[type=text],input[type=password],input[type=search],input[type=date],select{font:inherit;padding:.35rem .5rem;border:1px solid #c3cad4;border-radius:6px;background:#fff}
        label{display:inline-flex;flex-direction:column;gap:.15rem;font-size:.85rem;color:#4a5363}
        .meta{color:#5d6777;font-size:.85rem}
        .warning{background:#fff5e6;border:1px solid #f3c37c;padding:.7rem 1rem;border-radius:6px;margin-bottom:1rem}
        .row{display:flex;gap:1rem;flex-wrap:wrap;align-items:flex-end}
        .grid2{display:grid;grid-template-columns:1fr 1fr;gap:1rem}
        .value{font-weight:600}
        .empty{color:#8a93a2;font-style:italic}
        code,.mono{font-family:"Noto Sans Mono CJK SC",ui-monospace,monospace;font-size:.85em}
        footer{max-width:1180px;margin:0 auto 2rem;padding:0 1.5rem;color:#7a8392;font-size:.8rem}
        """

    // MARK: - Layout

    /// The full page: header, flash, content, footer.
    func layout(_ title: String, _ body: String, status: Int = 200, navigation: Bool = true) -> HTTPResponse {
        var page = "<!DOCTYPE html>\n<html lang=\"\(language == .zh ? "zh-CN" : "en")\"><head><meta charset=\"utf-8\">"
        page += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        page += "<title>\(h(title)) · \(h(t("app.title")))</title><style>\(WebApp.css)\(WebApp.reportCSS)</style></head><body>"
        page += "<header><a class=\"brand\" href=\"/\">\(h(t("app.title")))</a>"
        if navigation {
            page += "<nav><a href=\"/\">\(h(t("nav.conflicts")))</a><a href=\"/nodes\">\(h(t("nav.nodes")))</a>"
            page += "<a href=\"/checks\">\(h(t("nav.checks")))</a>"
            page += "<a href=\"/compare\">\(h(t("nav.compare")))</a>"
            page += "<a href=\"/report\">\(h(t("nav.report")))</a>"
            page += "<a href=\"/moves\">\(h(t("nav.moves")))</a>"
            page += "<a href=\"/export\">\(h(t("nav.export")))</a></nav>"
            let q = request.path == "/search" ? request.queryValue("q") ?? "" : ""
            page += "<form class=\"search\" method=\"get\" action=\"/search\" role=\"search\"><input type=\"search\" name=\"q\" value=\"\(h(q))\""
            page += " maxlength=\"\(RecordSearch.maximumLength)\" placeholder=\"\(h(t("search.placeholder")))\" aria-label=\"\(h(t("search.label")))\">"
            page += "<button type=\"submit\">\(h(t("search.submit")))</button></form>"
        } else {
            page += "<nav></nav>"
        }
        page += "<div class=\"tools\"><a href=\"\(h(languageSwitchURL()))\">\(h(t("nav.otherLanguage")))</a>"
        if navigation && security.token != nil {
            page += "<form method=\"post\" action=\"/logout\">\(csrfField("/logout"))<button type=\"submit\">\(h(t("nav.logout")))</button></form>"
        }
        page += "</div></header><main>"
        if let flash {
            page += "<div class=\"flash \(flash.isError ? "error" : "ok")\" role=\"status\">\(h(flash.text))</div>"
        }
        page += body
        page += "</main><footer>\(h(zone == "Asia/Shanghai" ? t("footer.beijing") : t("footer.zone", zone)))</footer></body></html>\n"
        return .html(page, status: status)
    }

    /// The current page with `lang` switched to the other language.
    func languageSwitchURL() -> String {
        let other: ConsoleLanguage = language == .zh ? .en : .zh
        var path = String(request.target.split(separator: "?", maxSplits: 1).first ?? "/")
        if !path.hasPrefix("/") || (request.method == "POST" && path != "/compare") { path = "/" }
        let pairs = request.query.filter { $0.0 != "lang" } + [("lang", other.rawValue)]
        return path + "?" + FormCoding.encode(pairs)
    }

    /// `：` on the Chinese page, `: ` on the English one.
    var colon: String { language == .zh ? "：" : ": " }

    func csrfField(_ action: String) -> String {
        "<input type=\"hidden\" name=\"csrf\" value=\"\(h(security.csrfToken(session: session.id, purpose: action)))\">"
    }

    /// Operator name and note inputs shared by every action form.
    /// - Parameter noteRequired: The action needs a reason (「不是同一人」): the note is labelled and marked required.
    func whoFields(noteRequired: Bool = false) -> String {
        "<label>\(h(t("action.operator")))<input type=\"text\" name=\"operator\" maxlength=\"60\" value=\"\(h(rememberedOperator()))\"></label>"
            + "<label>\(h(t(noteRequired ? "action.reason" : "action.note")))<input type=\"text\" name=\"note\" maxlength=\"500\" size=\"32\""
            + (noteRequired ? " required" : "") + "></label>"
    }

    func errorPage(_ status: Int, _ message: String, _ args: String...) -> HTTPResponse {
        let text = WebMessages.text(message, language, args)
        let title = "\(status) \(HTTPResponse.reasonPhrase(for: status))"
        return layout(title, "<h1>\(h(title))</h1><div class=\"card\"><p>\(h(text))</p><p><a href=\"/\">\(h(t("detail.back")))</a></p></div>",
                      status: status, navigation: status != 401)
    }

    func loginPage(status: Int, wrong: Bool) -> HTTPResponse {
        var body = "<h1>\(h(t("login.heading")))</h1><div class=\"card\">"
        if wrong { body += "<div class=\"flash error\">\(h(t("login.wrong")))</div>" }
        body += "<form method=\"post\" action=\"/login\" class=\"row\">\(csrfField("/login"))"
        body += "<label>\(h(t("login.token")))<input type=\"password\" name=\"token\" size=\"40\" autocomplete=\"current-password\" autofocus></label>"
        body += "<button type=\"submit\">\(h(t("login.submit")))</button></form>"
        body += "<p class=\"meta\">\(h(t("login.hint")))</p></div>"
        var r = layout(t("login.heading"), body, status: status, navigation: false)
        if status == 401 { r.headers.append(("WWW-Authenticate", "Bearer realm=\"hamlet\"")) }
        return r
    }

    func valueHTML(_ value: Value?, field: FieldSchema? = nil) -> String {
        guard let value, !value.isNull, !value.description.isEmpty else { return "<span class=\"empty\">\(h(t("value.empty")))</span>" }
        let shown = display(field, value)
        guard shown != value.description else { return h(shown) }
        return "\(h(shown)) <span class=\"meta mono\">\(h(value.description))</span>"
    }

    func kindBadge(_ kind: ConflictKind) -> String {
        "<span class=\"badge \(kind.rawValue)\">\(h(kindLabel(kind)))</span>"
    }

    func statusBadge(_ c: ConflictRecord) -> String {
        let open = c.status == "open"
        var s = "<span class=\"badge \(open ? "open" : "resolved")\">\(h(t(open ? "status.open" : "status.resolved")))</span>"
        if !open, let r = c.resolution { s += " <span class=\"meta\">\(h(resolutionLabel(r)))</span>" }
        return s
    }

    func historyURL(_ table: String, _ id: String) -> String {
        "/history/\(FormCoding.percentEncode(table))/\(FormCoding.percentEncode(id))"
    }

    // MARK: - Row display

    /// Every field of a row, with its state; `highlight` fields marked.
    func rowCard(_ table: TableSchema, _ row: HubRow, highlight: Set<String>) -> String {
        var s = "<div class=\"card\"><h2>\(h(t("detail.row"))) <span class=\"meta mono\">\(h(row.id))</span></h2><table class=\"record\"><tbody>"
        for f in table.fields {
            s += "<tr\(highlight.contains(f.name) ? " class=\"diff\"" : "")><th>\(h(fieldLabel(f)))</th><td>\(fieldValueHTML(f, row.values[f.name]))</td></tr>"
        }
        s += "<tr><th>\(h(t("state.label")))</th><td>\(h(rowState(row)))</td></tr></tbody></table></div>"
        return s
    }

    /// A value, as a history link when the field references another row: the
    /// row's label (王秀英 *1224, the address), the whole id on hover.
    func fieldValueHTML(_ f: FieldSchema, _ value: Value?) -> String {
        if f.type == .ref, let target = f.references, let id = value?.text, !id.isEmpty {
            guard let label = referenceLabel(target, id) else {
                return "<a class=\"mono\" href=\"\(h(historyURL(target, id)))\">\(h(short(id)))</a>"
            }
            return "<a href=\"\(h(historyURL(target, id)))\" title=\"\(h(id))\">\(h(label))</a>"
        }
        return valueHTML(value, field: f)
    }

    // MARK: - Nodes

    func nodesPage(_ store: HubStore) throws -> HTTPResponse {
        let openByVillage = try store.openConflictsByVillage()
        let nodes = try store.nodes()
        var body = "<h1>\(h(t("nodes.heading")))</h1>"
        guard !nodes.isEmpty else { return layout(t("nodes.heading"), body + "<div class=\"card\">\(h(t("nodes.empty")))</div>") }
        body += "<table><thead><tr><th>\(h(t("nodes.node")))</th><th>\(h(t("col.village")))</th><th>\(h(t("nodes.lastSeen")))</th>"
        body += "<th>\(h(t("nodes.lastResult")))</th><th class=\"num\">\(h(t("nodes.waiting")))</th><th class=\"num\">\(h(t("nodes.open")))</th>"
        body += "<th class=\"num\">\(h(t("nodes.skew")))</th><th class=\"num\">\(h(t("nodes.lastSeq")))</th><th>\(h(t("nodes.address")))</th></tr></thead><tbody>"
        for n in nodes {
            // Issue 18: a township node's backlog and conflicts are its villages'.
            let scope = try store.scope(node: n.id, village: n.village)
            let waiting = try store.waiting(scope: scope, after: n.cursor ?? 0)
            let open = scope.villages.reduce(0) { $0 + (openByVillage[$1] ?? 0) }
            var villageQuery = [("village", n.village)]
            villageQuery.append(("status", "open"))
            body += "<tr><td class=\"mono\">\(h(n.id))</td><td>\(h(n.village))</td>"
            body += "<td>\(n.lastSeen == nil ? "<span class=\"empty\">\(h(t("nodes.never")))</span>" : h(time(n.lastSeen)))</td>"
            body += "<td>\(h(NodeWording.result(n.lastResult, chinese: language == .zh)))</td><td class=\"num\">\(waiting)</td>"
            body += "<td class=\"num\">\(open > 0 ? "<a href=\"/?\(h(FormCoding.encode(villageQuery)))\">\(open)</a>" : "0")</td>"
            body += "<td class=\"num\">\(h(WebApp.skew(n.clockSkewMillis, chinese: language == .zh)))</td><td class=\"num\">\(n.lastSeq)</td>"
            body += "<td class=\"meta\">\(h(n.lastAddress ?? ""))</td></tr>"
        }
        body += "</tbody></table>"
        return layout(t("nodes.heading"), body)
    }

    /// A clock skew as `+3s`, `-12min`, `+1.5h`, `+2.0d` (`+3秒` … in Chinese): `NodeWording.skew`.
    static func skew(_ ms: Int64?, chinese: Bool) -> String {
        NodeWording.skew(ms, chinese: chinese)
    }

    // MARK: - History

    /// A row's history and current state; a live row comes with the correction form (`edit`: re-shown after a refusal).
    func historyPage(_ store: HubStore, table name: String, id: String, edit: EditForm? = nil, status: Int = 200) throws -> HTTPResponse {
        guard let table = store.schema.table(named: name) else { return errorPage(404, "err.noTable") }
        let entries = try store.history(table: table.name, id: id)
        let row = try store.row(table, id: id)
        let title = t("history.heading", tableLabel(table), row.map { rowLabel(table, $0) } ?? short(id))
        var body = "<h1>\(h(title))</h1>"
        guard !entries.isEmpty else { return layout(title, body + "<div class=\"card\">\(h(t("history.empty")))</div>", status: 404) }
        body += "<table><thead><tr><th class=\"num\">\(h(t("history.hseq")))</th><th>\(h(t("history.when")))</th><th>\(h(t("history.node")))</th>"
        body += "<th>\(h(t("history.who")))</th><th>\(h(t("history.op")))</th><th>\(h(t("history.values")))</th><th>\(h(t("history.note")))</th></tr></thead><tbody>"
        for e in entries {
            let values = table.fields.compactMap { f -> String? in
                guard let v = e.values[f.name] else { return nil }
                return "<div><span class=\"meta\">\(h(fieldLabel(f)))</span> \(fieldValueHTML(f, v))</div>"
            }.joined()
            body += "<tr><td class=\"num\">\(e.hseq)</td><td>\(h(time(HLC(e.hlc)?.wall)))</td><td class=\"mono\">\(h(nodeLabel(e.node)))</td>"
            body += "<td>\(h(e.author))</td><td>\(h(opLabel(e.op)))</td><td>\(values)</td><td>\(h(e.note ?? ""))</td></tr>"
        }
        body += "</tbody></table>"
        if let row {
            body += "<h2 style=\"margin-top:1.2rem\">\(h(t("history.current")))</h2>"
            body += row.deleted ? rowCard(table, row, highlight: []) : editCard(table, row, form: edit)
        }
        body += try checkMarksCard(store, table: table.name, id: id)
        let related = try store.conflicts(touching: table.name, id: id)
        if !related.isEmpty {
            body += "<div class=\"card\"><h2>\(h(t("history.conflicts")))</h2>"
            body += related.map { "<a href=\"/conflicts/\($0.id)\">#\($0.id)</a> \(kindBadge($0.kind)) \(statusBadge($0))" }.joined(separator: "<br>")
            body += "</div>"
        }
        return layout(title, body, status: status)
    }
}
