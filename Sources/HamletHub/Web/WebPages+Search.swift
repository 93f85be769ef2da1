import HamletCore
import HamletHTTP
import HamletStore

/// The search page (`/search?q=`): people by 姓名 (any part), 身份证号 (whole, or its last 4 or more digits) or address
/// (现住址, or their household's 地址), and households by 地址; each result links to the row's history page.
///
/// The query is personal data: it is shown back on the page the operator asked for, never logged.
extension WebApp {
    /// The most rows a search shows.
    static let searchLimit = 100

    func searchPage(_ store: HubStore) throws -> HTTPResponse {
        let raw = request.queryValue("q") ?? ""
        var body = "<h1>\(h(t("search.heading")))</h1>"
        body += "<form class=\"card row\" method=\"get\" action=\"/search\">"
        body += "<label>\(h(t("search.label")))<input type=\"search\" name=\"q\" size=\"36\" maxlength=\"\(RecordSearch.maximumLength)\""
        body += " value=\"\(h(raw))\" autofocus></label><button type=\"submit\">\(h(t("search.submit")))</button>"
        body += "<p class=\"meta\" style=\"flex-basis:100%;margin:0\">\(h(t("search.hint")))</p></form>"
        guard let search = RecordSearch(raw) else { return layout(t("search.heading"), body) }
        let results = try store.search(search, limit: WebApp.searchLimit)
        let title = t("search.resultsFor", search.text)
        guard !results.rows.isEmpty else {
            return layout(title, body + "<div class=\"card\">\(h(t("search.none", search.text)))</div>")
        }
        let summary = results.isTruncated ? t("search.truncated", String(results.total), String(results.rows.count))
            : t("search.count", String(results.total))
        body += "<p class=\"meta\">\(h(summary))</p>"
        for table in store.schema.tables {
            let rows = results.rows.filter { $0.table == table.name }
            guard !rows.isEmpty else { continue }
            body += "<h2>\(h(tableLabel(table)))</h2>" + searchTable(table, rows, scope: store.schema.scope)
        }
        return layout(title, body)
    }

    /// One table's results: the title (a link to the row's history), then what tells people apart.
    private func searchTable(_ table: TableSchema, _ rows: [HubRow], scope: String) -> String {
        let columns = searchColumns(table, scope: scope)
        var s = "<table style=\"margin-bottom:1rem\"><thead><tr>"
        for f in columns { s += "<th>\(h(fieldLabel(f)))</th>" }
        s += "<th>\(h(t("state.label")))</th></tr></thead><tbody>"
        let title = RowLabeler(table: table, scope: scope).titleField?.name
        for row in rows {
            s += "<tr>"
            for f in columns {
                if f.name == title {
                    let text = display(f, row.values[f.name])
                    s += "<td><a href=\"\(h(historyURL(table.name, row.id)))\">\(h(text.isEmpty ? short(row.id) : text))</a></td>"
                } else if f.type == .enum {
                    s += "<td>\(h(display(f, row.values[f.name])))</td>"
                } else {
                    s += "<td>\(fieldValueHTML(f, row.values[f.name]))</td>"
                }
            }
            s += "<td>\(h(rowState(row)))</td></tr>"
        }
        return s + "</tbody></table>"
    }

    /// The columns of a table's results, from the schema: the title (姓名, 地址); for a table of people (it has a
    /// 身份证号) the first choice field (性别), the dates (出生日期), the 身份证号 and the other personal text (现住址);
    /// the village; the references to rows named by an address (户) or, for other tables, every reference (户主).
    func searchColumns(_ table: TableSchema, scope: String) -> [FieldSchema] {
        let labeler = RowLabeler(table: table, scope: scope)
        guard let title = labeler.titleField else { return [] }
        var columns = [title]
        let people = labeler.nationalIDField != nil
        if people {
            if let choice = table.fields.first(where: { $0.type == .enum }) { columns.append(choice) }
            columns += table.fields.filter { $0.type == .date }
            if let id = labeler.nationalIDField { columns.append(id) }
        }
        if let village = table.field(scope) { columns.append(village) }
        for f in table.referenceFields {
            guard let target = f.references.flatMap({ store?.schema.table(named: $0) }) else { continue }
            if !people || !RowLabeler(table: target, scope: scope).titleIsName { columns.append(f) }
        }
        if people { columns += table.fields.filter { $0.type == .text && $0.personal && $0.name != title.name } }
        return columns
    }
}
