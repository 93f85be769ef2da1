import HamletCore
import HamletHTTP
import HamletStore

/// The export page and its downloads: every table as xlsx or CSV, narrowed to one village and a date range on each
/// table's main date (`ExportFilter`). The bytes are `RegisterExport`'s, the same as `hamlet hub export`: on the
/// Chinese page Chinese headers and enum labels (what a clerk's import reads back), on the English page (or with
/// `?codes=1`) field names and stored codes, as `hub export --codes` gives.
extension WebApp {
    /// The filter named by the query (`village`, `from`, `to`), or the 400 page saying what is wrong.
    func exportFilter() -> Result<ExportFilter, ExportFilterError> {
        Result { () throws(ExportFilterError) in
            try ExportFilter.parse(village: request.queryValue("village"), from: request.queryValue("from"), to: request.queryValue("to"))
        }
    }

    /// The query string a download link carries: the filter's non-empty parts (and `codes`, `deleted` when set).
    func exportQuery(_ filter: ExportFilter) -> String {
        var pairs: [(String, String)] = []
        if let v = filter.village { pairs.append(("village", v)) }
        if let d = filter.from { pairs.append(("from", d.description)) }
        if let d = filter.to { pairs.append(("to", d.description)) }
        for flag in ["codes", "deleted"] where request.queryValue(flag) == "1" { pairs.append((flag, "1")) }
        return pairs.isEmpty ? "" : "?" + FormCoding.encode(pairs)
    }

    func exportPage(_ store: HubStore) throws -> HTTPResponse {
        let filter: ExportFilter
        switch exportFilter() {
        case .success(let f): filter = f
        case .failure(let e): return errorPage(400, "err.exportFilter", e.message(chinese: language == .zh))
        }
        let villages = try store.knownVillages().union(filter.village.map { [$0] } ?? [])
            .sorted { Pinyin.sortKey($0) < Pinyin.sortKey($1) }
        var body = "<h1>\(h(t("export.heading")))</h1>"
        body += "<form class=\"card row\" method=\"get\" action=\"/export\">"
        body += "<label>\(h(t("list.village")))<select name=\"village\"><option value=\"\">\(h(t("list.any")))</option>"
        for v in villages { body += "<option value=\"\(h(v))\"\(v == filter.village ? " selected" : "")>\(h(v))</option>" }
        body += "</select></label>"
        body += "<label>\(h(t("export.from")))<input type=\"date\" name=\"from\" value=\"\(h(filter.from?.description ?? ""))\"></label>"
        body += "<label>\(h(t("export.to")))<input type=\"date\" name=\"to\" value=\"\(h(filter.to?.description ?? ""))\"></label>"
        body += "<button type=\"submit\">\(h(t("list.apply")))</button>"
        body += "<p class=\"meta\" style=\"flex-basis:100%;margin:0\">\(h(t("export.dateRule")))</p></form>"
        body += "<div class=\"card\"><p>\(h(exportScope(filter)))</p>"
        body += "<table><thead><tr><th>\(h(t("col.table")))</th><th>\(h(t("export.dateField")))</th>"
        body += "<th>\(h(t("export.download")))</th></tr></thead><tbody>"
        let query = exportQuery(filter)
        for table in store.schema.tables {
            let path = "/export/\(FormCoding.percentEncode(table.name))"
            let dated = ExportFilter.dateField(of: table).map(fieldLabel) ?? t("export.noDate")
            body += "<tr><td>\(h(tableLabel(table)))</td><td>\(h(dated))</td>"
            body += "<td><a href=\"\(h(path + ".xlsx" + query))\">\(h(table.name)).xlsx</a> · "
            body += "<a href=\"\(h(path + ".csv" + query))\">\(h(table.name)).csv</a></td></tr>"
        }
        body += "</tbody></table><p class=\"meta\">\(h(t("export.hint")))</p></div>"
        return layout(t("export.heading"), body)
    }

    /// What the links export, in one sentence: every village or one, any date or a range.
    private func exportScope(_ filter: ExportFilter) -> String {
        let village = filter.village ?? t("export.allVillages")
        switch (filter.from, filter.to) {
        case (nil, nil): return t("export.scopeAll", village)
        case (let a?, nil): return t("export.scopeFrom", village, a.description)
        case (nil, let b?): return t("export.scopeTo", village, b.description)
        case (let a?, let b?): return t("export.scopeRange", village, a.description, b.description)
        }
    }

    /// `/export/<table>.csv` or `.xlsx`, filtered by the query.
    ///
    /// Both formats stream: the worker fills the table's sort keys and opens a read-only store (a WAL reader, so
    /// the export never holds up syncs), and a stream thread reads the rows one at a time and sends them in 64 KiB
    /// chunks, waiting whenever the client is slower (`HTTPBodyStream`): memory stays bounded at any size. The
    /// xlsx's sheet is deflated as rows come, its ZIP entries carry their sizes in data descriptors (`ZipWriter`).
    func export(_ store: HubStore, table name: String, xlsx: Bool) throws -> HTTPResponse {
        guard let t = store.schema.table(named: name) else { return errorPage(404, "err.noTable") }
        let filter: ExportFilter
        switch exportFilter() {
        case .success(let f): filter = f
        case .failure(let e): return errorPage(400, "err.exportFilter", e.message(chinese: language == .zh))
        }
        let deleted = request.queryValue("deleted") == "1"
        // As `hamlet hub export` under the same language: Chinese headers and enum labels on the Chinese page.
        let labels = language == .zh && request.queryValue("codes") != "1"
        let ext = xlsx ? "xlsx" : "csv"
        let headers = [("Content-Type", xlsx ? RegisterExport.xlsxContentType : "text/csv; charset=utf-8"),
                       ("Content-Disposition", exportDisposition(t.name, ext, filter))] + HTTPResponse.securityHeaders
        try store.prepareExport(table: t.name)
        let reader = ResourceBox(try HubStore.open(directory: console.configuration.directory, readOnly: true))
        let scope = store.schema.scope
        return HTTPResponse(status: 200, headers: headers, stream: HTTPBodyStream { write in
            let store = reader.value
            defer { store.close() }
            try withoutActuallyEscaping(write) { sink in
                // Either writer is dropped before `write` ends.
                if xlsx {
                    var writer = RegisterXLSXWriter(table: t, labels: labels, sink: sink)
                    try store.forEachExportRow(table: t.name, village: filter.village, includeDeleted: deleted) { id, values in
                        if filter.keeps(values, in: t, scope: scope) { try writer.append(id: id, values: values) }
                    }
                    try writer.finish()
                    return
                }
                var writer = RegisterCSVWriter(table: t, labels: labels, sink: sink)
                try store.forEachExportRow(table: t.name, village: filter.village, includeDeleted: deleted) { id, values in
                    if filter.keeps(values, in: t, scope: scope) { try writer.append(id: id, values: values) }
                }
                try writer.finish()
            }
        })
    }

    /// `attachment; filename="people.csv"`; a filtered export adds the village and dates in a UTF-8 name
    /// (`people-北赵-2025-01-01-2025-06-30.csv`), so several downloads do not overwrite each other.
    func exportDisposition(_ table: String, _ ext: String, _ filter: ExportFilter) -> String {
        let plain = "attachment; filename=\"\(table).\(ext)\""
        let parts = [filter.village, filter.from?.description, filter.to?.description].compactMap { $0 }
        guard !parts.isEmpty else { return plain }
        let ascii = ([table] + [filter.from?.description, filter.to?.description].compactMap { $0 }).joined(separator: "-")
        let full = ([table] + parts).joined(separator: "-")
        return "attachment; filename=\"\(ascii).\(ext)\"; filename*=UTF-8''\(FormCoding.percentEncode(full)).\(ext)"
    }
}
