import Foundation
import HamletCore
import HamletHTTP
import HamletStore

/// The conflict list (`/`): filters that combine (village, kind, status, a search), an order, and pages of
/// ``WebApp/conflictPageSize`` reached by cursor (`after=` / `before=` a conflict's number), so conflicts that
/// arrive while the operator works through the list never shift a page; the counts are exact.
extension WebApp {
    /// Conflicts per page of the list.
    static let conflictPageSize = 100

    /// The list's filters and order as read from the query string.
    struct ConflictListFilters {
        var village: String?
        var kind: ConflictKind?
        var showAll: Bool
        var sort: ConflictSort
        var search: RecordSearch?
        /// One field of one table (`people.name`): field conflicts only, and the bulk form.
        var field: (table: String, name: String)?

        var query: ConflictQuery {
            ConflictQuery(status: showAll ? nil : "open", village: village, kind: field == nil ? kind : .field, search: search, sort: sort,
                          table: field?.table, field: field?.name)
        }

        /// The query-string pairs that keep these filters (defaults left out).
        var pairs: [(String, String)] {
            var q: [(String, String)] = []
            if let village { q.append(("village", village)) }
            if let kind { q.append(("kind", kind.rawValue)) }
            if showAll { q.append(("status", "all")) }
            if sort != .age { q.append(("sort", sort.rawValue)) }
            if let search { q.append(("q", search.text)) }
            if let field { q.append(("field", "\(field.table).\(field.name)")) }
            return q
        }
    }

    func conflictListFilters() -> ConflictListFilters {
        ConflictListFilters(village: request.queryValue("village").flatMap { $0.isEmpty ? nil : $0 },
                            kind: request.queryValue("kind").flatMap { ConflictKind(rawValue: $0) },
                            showAll: request.queryValue("status") == "all",
                            sort: request.queryValue("sort").flatMap { ConflictSort(rawValue: $0) } ?? .age,
                            search: request.queryValue("q").flatMap(RecordSearch.init),
                            field: request.queryValue("field").flatMap { text in
                                let parts = text.split(separator: ".", maxSplits: 1).map(String.init)
                                return parts.count == 2 ? (parts[0], parts[1]) : nil
                            })
    }

    /// Where the requested page starts: `after=` or `before=` a conflict's number, else the first page.
    func conflictListPosition() -> ConflictPosition {
        if let after = request.queryValue("after").flatMap({ Int64($0) }) { return .after(after) }
        if let before = request.queryValue("before").flatMap({ Int64($0) }) { return .before(before) }
        return .first
    }

    func listPage(_ store: HubStore) throws -> HTTPResponse {
        let filters = conflictListFilters()
        let page = try store.conflictPage(filters.query, at: conflictListPosition(), limit: WebApp.conflictPageSize)
        var body = "<h1>\(h(t("list.heading")))</h1>"
        body += try conflictCountCards(store, filters)
        body += try conflictFilterForm(store, filters)
        if page.conflicts.isEmpty {
            body += "<div class=\"card\">\(h(t(page.total == 0 ? "list.empty" : "list.pastEnd")))</div>"
        } else {
            body += "<p class=\"meta\" id=\"range\">\(h(t("list.range", String(page.from), String(page.to), String(page.total))))</p>"
            if filters.field != nil && !filters.showAll {
                body += try bulkResolveForm(store, page.conflicts, filters)
            } else if filters.kind == .duplicate && !filters.showAll {
                body += try bulkDismissForm(store, page.conflicts, filters)
            } else {
                body += try conflictTable(store, page.conflicts)
            }
        }
        body += conflictPager(page, filters)
        return layout(t("list.heading"), body)
    }

    /// The open counts by kind (of the village chosen), each a link to that kind.
    func conflictCountCards(_ store: HubStore, _ filters: ConflictListFilters) throws -> String {
        let counts = try store.openConflictCounts(village: filters.village)
        let total = counts.values.reduce(0, +)
        var s = "<div class=\"counts\"><a class=\"count total\" href=\"/\"><b>\(total)</b>\(h(t("list.openLabel")))</a>"
        for k in ConflictKind.allCases {
            var q: [(String, String)] = [("kind", k.rawValue)]
            if let village = filters.village { q.insert(("village", village), at: 0) }
            s += "<a class=\"count\" href=\"/?\(h(FormCoding.encode(q)))\"><b>\(counts[k] ?? 0)</b>\(kindBadge(k))</a>"
        }
        return s + "</div>"
    }

    func conflictFilterForm(_ store: HubStore, _ filters: ConflictListFilters) throws -> String {
        let villages = try store.knownVillages().sorted { Pinyin.sortKey($0) < Pinyin.sortKey($1) }
        var s = "<form class=\"card row\" method=\"get\" action=\"/\">"
        s += "<label>\(h(t("list.village")))<select name=\"village\"><option value=\"\">\(h(t("list.any")))</option>"
        for v in villages {
            s += "<option value=\"\(h(v))\"\(v == filters.village ? " selected" : "")>\(h(v))</option>"
        }
        s += "</select></label><label>\(h(t("list.kind")))<select name=\"kind\"><option value=\"\">\(h(t("list.any")))</option>"
        for k in ConflictKind.allCases {
            s += "<option value=\"\(k.rawValue)\"\(k == filters.kind ? " selected" : "")>\(h(kindLabel(k)))</option>"
        }
        s += "</select></label><label>\(h(t("list.status")))<select name=\"status\">"
        s += "<option value=\"open\"\(filters.showAll ? "" : " selected")>\(h(t("list.openOnly")))</option>"
        s += "<option value=\"all\"\(filters.showAll ? " selected" : "")>\(h(t("list.everything")))</option></select></label>"
        s += try fieldFilterSelect(store, filters)
        s += "<label>\(h(t("list.sort")))<select name=\"sort\">"
        for o in ConflictSort.allCases {
            s += "<option value=\"\(o.rawValue)\"\(o == filters.sort ? " selected" : "")>\(h(t("list.sort.\(o.rawValue)")))</option>"
        }
        s += "</select></label><label>\(h(t("list.search")))<input type=\"search\" name=\"q\" value=\"\(h(filters.search?.text ?? ""))\""
        s += " maxlength=\"\(RecordSearch.maximumLength)\" size=\"22\" placeholder=\"\(h(t("list.searchHint")))\"></label>"
        s += "<button type=\"submit\">\(h(t("list.apply")))</button></form>"
        return s
    }

    /// The table of conflicts; `select` adds a checkbox (checked) and the version shown for each, for the bulk form.
    func conflictTable(_ store: HubStore, _ list: [ConflictRecord], select: Bool = false) throws -> String {
        var s = "<table><thead><tr>\(select ? "<th></th>" : "")<th class=\"num\">#</th><th>\(h(t("col.kind")))</th><th>\(h(t("col.village")))</th>"
        s += "<th>\(h(t("col.record")))</th><th>\(h(t("col.field")))</th><th>\(h(t("col.node")))</th>"
        s += "<th>\(h(t("col.when")))</th><th>\(h(t("col.status")))</th></tr></thead><tbody>"
        for c in list {
            let schema = store.schema.table(named: c.table)
            let row = try schema.flatMap { try store.row($0, id: c.row) }
            let label = schema.map { rowLabel($0, row) } ?? ""
            let link = "/conflicts/\(c.id)"
            s += "<tr>"
            if select {
                let version = c.field.flatMap { row?.versions[$0]?.hseq } ?? 0
                s += "<td><input type=\"checkbox\" name=\"c\" value=\"\(c.id)\" checked aria-label=\"#\(c.id)\">"
                s += "<input type=\"hidden\" name=\"expect.\(c.id)\" value=\"\(version)\"></td>"
            }
            s += "<td class=\"num\"><a href=\"\(link)\">\(c.id)</a></td><td>\(kindBadge(c.kind))</td><td>\(h(c.village))</td>"
            s += "<td><a href=\"\(link)\">\(h(label.isEmpty ? short(c.row) : label))</a>"
            s += " <span class=\"meta\">\(h(schema.map(tableLabel) ?? c.table))</span></td>"
            s += "<td>\(h(fieldLabel(store, table: c.table, field: c.field)))</td>"
            s += "<td>\(h(c.incomingNode.map(nodeLabel) ?? "-"))</td><td>\(h(time(c.incomingHLC.flatMap { HLC($0)?.wall })))</td>"
            s += "<td>\(statusBadge(c))</td></tr>"
        }
        return s + "</tbody></table>"
    }

    /// First / previous / next links, each keeping the filters and the order.
    func conflictPager(_ page: ConflictPage, _ filters: ConflictListFilters) -> String {
        var links: [String] = []
        let base = filters.pairs
        func url(_ extra: [(String, String)]) -> String {
            let q = base + extra
            return q.isEmpty ? "/" : "/?" + FormCoding.encode(q)
        }
        if page.hasPrevious || (page.conflicts.isEmpty && page.total > 0) {
            links.append("<a href=\"\(h(url([])))\">\(h(t("list.firstPage")))</a>")
        }
        if let previous = page.previous {
            links.append("<a rel=\"prev\" href=\"\(h(url([("before", String(previous))])))\">\(h(t("list.previous")))</a>")
        }
        if let next = page.next {
            links.append("<a rel=\"next\" href=\"\(h(url([("after", String(next))])))\">\(h(t("list.next")))</a>")
        }
        guard !links.isEmpty else { return "" }
        return "<nav class=\"pager row\" style=\"margin-top:.8rem\">" + links.joined() + "</nav>"
    }

    /// The conflict list's words.
    static let conflictListMessages: [String: (zh: String, en: String)] = [
        "list.range": ("第 %1–%2 条，共 %3 条", "Rows %1–%2 of %3"),
        "list.pastEnd": ("这一页之后没有更多冲突了。", "No more conflicts after this page."),
        "list.firstPage": ("« 第一页", "« First page"),
        "list.previous": ("‹ 上一页", "‹ Previous"),
        "list.next": ("下一页 ›", "Next ›"),
        "list.sort": ("排序", "Order"),
        "list.sort.age": ("按时间（先来的在前）", "By age (oldest first)"),
        "list.sort.village": ("按村", "By village"),
        "list.sort.kind": ("按类型", "By kind"),
        "list.search": ("查找", "Search"),
        "list.searchHint": ("姓名、身份证号（后 4 位起）、记录编号或 #冲突号", "name, national ID (last 4+), row id or #number"),
    ]
}
