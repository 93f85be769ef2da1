import Foundation
import HamletCore
import HamletHTTP
import HamletStore

/// The 比对 page: an outside list (公安户籍, 出生医学证明, 婚姻登记; CSV or xlsx) uploaded and compared with the
/// register by 身份证号, as `hamlet hub compare` does: the same summary sentences, the same items (the first 200 on
/// the page, with links to each register person's history), and the whole result as CSV and xlsx downloads kept
/// in memory for the session (`CompareResults`). Read only: nothing in the register changes.
extension WebApp {
    /// Items listed on the page at most (the downloads hold all of them).
    static let comparePageLimit = 200
    /// The sheet's columns the page shows, as the CLI's table does (人员编号 becomes a link).
    static let compareColumns = [0, 1, 2, 5, 6, 7, 8, 9, 11]

    static let compareMessages: [String: (zh: String, en: String)] = [
        "nav.compare": ("比对", "Compare"),
        "compare.heading": ("比对外部名单", "Compare an outside list"),
        "compare.intro": ("上传公安户籍、出生医学证明或婚姻登记名单，按身份证号与登记簿逐人核对。只读：登记簿不会被修改。",
                          "Upload a household registration, birth certificate or marriage registration list; it is matched with the register by national ID. Read only: the register is not changed."),
        "compare.file": ("外部名单文件", "Outside list file"),
        "compare.fileHint": ("CSV（UTF-8 或 GBK）或 xlsx，须有身份证号一列", "CSV (UTF-8 or GBK) or xlsx, with a national ID column"),
        "compare.kind": ("名单类别", "List kind"),
        "compare.village": ("村", "Village"),
        "compare.allVillages": ("全镇", "the whole township"),
        "compare.submit": ("比对", "Compare"),
        "compare.result": ("比对结果", "Result"),
        "compare.source": ("名单文件：%1（%2）；范围：%3", "List file: %1 (%2); scope: %3"),
        "compare.sum.list": ("%1名单 %2 人，与登记簿对上 %3 人", "%1 list: %2 people, %3 matched in the register"),
        "compare.sum.missing": ("名单有、登记簿没有（可能漏报）：%1 人", "on the list, not in the register (possibly unreported): %1"),
        "compare.sum.notInList": ("登记簿有、名单没有：%1 人", "in the register, not on the list: %1"),
        "compare.sum.differs": ("信息不一致：%1 人 %2 项", "differing: %2 field(s) of %1 people"),
        "compare.sum.issues": ("名单中无法比对的行：%1", "list lines not compared: %1"),
        "compare.sum.outOfScope": ("属于其他村、未列出：%1 人", "in other villages, not listed: %1"),
        "compare.none": ("名单与登记簿完全一致，没有需要核对的条目。", "The list and the register agree: nothing to look at."),
        "compare.cut": ("共 %1 条，显示前 %2 条；下载可得全部条目。", "%1 items, first %2 shown; the downloads hold all of them."),
        "compare.download": ("下载全部结果", "Download every item"),
        "compare.xlsx": ("xlsx 表格", "xlsx workbook"),
        "compare.csv": ("CSV 文件", "CSV file"),
        "compare.kept": ("结果含姓名和身份证号，只在本次登录的内存中保留 30 分钟，不写入磁盘。",
                         "The result holds names and national IDs: it is kept in memory for this session for 30 minutes and never written to disk."),
        "compare.open": ("查看", "Open"),
        "compare.person": ("人员", "person"),
        "compare.failed": ("无法比对这个文件：%1", "This file cannot be compared: %1"),
        "compare.noFile": ("请选择要上传的名单文件。", "Choose the list file to upload."),
        "compare.badKind": ("名单类别只能是 公安户籍、出生医学证明 或 婚姻登记。", "The list kind is household registration, birth certificates or marriage registration."),
        "compare.gone": ("没有可下载的比对结果（尚未比对，或已超过 30 分钟），请重新上传名单。",
                         "No comparison to download (none made yet, or older than 30 minutes): upload the list again."),
    ]

    /// GET /compare: the upload form, and the session's last result when there is one.
    func comparePage(_ store: HubStore) throws -> HTTPResponse {
        let entry = console.compareResults.entry(session: session.id)
        return try compareLayout(store, entry: entry, error: nil, status: 200)
    }

    /// POST /compare: reads the uploaded list, compares it, keeps the result for the session and shows it.
    func compareUpload(_ store: HubStore) throws -> HTTPResponse {
        let kindText = formValue("kind") ?? OutsideListKind.hukou.rawValue
        guard let kind = OutsideListKind(rawValue: kindText) else {
            return try compareLayout(store, entry: nil, error: t("compare.badKind"), status: 400)
        }
        guard let file = uploads.first(where: { $0.name == "file" && $0.filename != nil }), !file.body.isEmpty else {
            return try compareLayout(store, entry: nil, error: t("compare.noFile"), status: 400)
        }
        let fileName = file.filename ?? ""
        let list: OutsideList
        switch readOutsideList(file.body, name: fileName, kind: kind) {
        case .success(let read): list = read
        case .failure(let failure):
            return try compareLayout(store, entry: nil, error: t("compare.failed", failure.message), status: 422)
        }
        let village = (formValue("village") ?? "").trimmingCharacters(in: .whitespaces)
        let result = try store.compare(list: list, village: village.isEmpty ? nil : village)
        console.compareResults.put(result, fileName: fileName, session: session.id)
        let entry = console.compareResults.entry(session: session.id)
        return try compareLayout(store, entry: entry, error: nil, status: 200)
    }

    /// GET /compare/result.csv or .xlsx: the session's last result, every item, in the page's language.
    func compareDownload(xlsx: Bool) -> HTTPResponse {
        guard let entry = console.compareResults.entry(session: session.id) else { return errorPage(404, "compare.gone") }
        let chinese = language == .zh
        let body = xlsx ? ComparisonExport.xlsx(entry.result, chinese: chinese)
            : Array(ComparisonExport.csv(entry.result, chinese: chinese).utf8)
        let headers = [("Content-Type", xlsx ? RegisterExport.xlsxContentType : "text/csv; charset=utf-8"),
                       ("Content-Disposition", compareDisposition(entry.result, xlsx ? "xlsx" : "csv"))]
        return HTTPResponse(status: 200, headers: headers + HTTPResponse.securityHeaders, body: body)
    }

    /// `attachment; filename="compare-hukou.csv"; filename*=UTF-8''比对结果-公安户籍-北赵.csv` (percent-encoded).
    func compareDisposition(_ result: ListComparison, _ ext: String) -> String {
        let ascii = "compare-\(result.kind.rawValue)"
        let full = (["比对结果", result.kind.label.zh] + [result.village].compactMap { $0 }).joined(separator: "-")
        return "attachment; filename=\"\(ascii).\(ext)\"; filename*=UTF-8''\(FormCoding.percentEncode(full)).\(ext)"
    }

    /// The list read as `hamlet hub compare --file` reads it, or the reason in the page's language.
    func readOutsideList(_ bytes: [UInt8], name: String, kind: OutsideListKind) -> Result<OutsideList, CompareFileFailure> {
        let chinese = language == .zh
        let sheet: CSVTable
        let isCSV: Bool
        do throws(CSVError) {
            isCSV = try SheetFile.format(bytes: bytes, name: name) != .xlsx
            sheet = try SheetFile.read(bytes: bytes, name: name)
        } catch {
            return .failure(CompareFileFailure(chinese ? error.messageZH : error.message))
        }
        do throws(OutsideListError) {
            return .success(try OutsideList.read(sheet, kind: kind, isCSV: isCSV))
        } catch {
            return .failure(CompareFileFailure(chinese ? error.messageZH : error.message))
        }
    }

    // MARK: - Rendering

    func compareLayout(_ store: HubStore, entry: CompareResults.Entry?, error: String?, status: Int) throws -> HTTPResponse {
        var body = "<h1>\(h(t("compare.heading")))</h1>"
        if let error { body += "<div class=\"flash error\" role=\"alert\">\(h(error))</div>" }
        body += try compareForm(store, chosen: entry?.result)
        if let entry { body += compareResult(entry) }
        return layout(t("compare.heading"), body, status: status)
    }

    func compareForm(_ store: HubStore, chosen: ListComparison?) throws -> String {
        let action = "/compare"
        let villages = try store.knownVillages().sorted { Pinyin.sortKey($0) < Pinyin.sortKey($1) }
        var s = "<form class=\"card row\" method=\"post\" action=\"\(action)\" enctype=\"multipart/form-data\">\(csrfField(action))"
        s += "<p class=\"meta\" style=\"flex-basis:100%;margin:0\">\(h(t("compare.intro")))</p>"
        s += "<label>\(h(t("compare.file")))<input type=\"file\" name=\"file\" accept=\".csv,.xlsx\" required></label>"
        s += "<label>\(h(t("compare.kind")))<select name=\"kind\">"
        for kind in OutsideListKind.allCases {
            let selected = kind == chosen?.kind ? " selected" : ""
            s += "<option value=\"\(kind.rawValue)\"\(selected)>\(h(kind.label.text(chinese: language == .zh)))</option>"
        }
        s += "</select></label><label>\(h(t("compare.village")))<select name=\"village\">"
        s += "<option value=\"\">\(h(t("compare.allVillages")))</option>"
        for v in villages { s += "<option value=\"\(h(v))\"\(v == chosen?.village ? " selected" : "")>\(h(v))</option>" }
        s += "</select></label><button type=\"submit\">\(h(t("compare.submit")))</button>"
        return s + "<p class=\"meta\" style=\"flex-basis:100%;margin:0\">\(h(t("compare.fileHint")))</p></form>"
    }

    /// The sentences `hamlet hub compare` prints, in the page's language.
    func compareSummary(_ r: ListComparison) -> [String] {
        let s = r.summary
        var lines = [t("compare.sum.list", r.kind.label.text(chinese: language == .zh), String(s.listRows), String(s.matched)),
                     t("compare.sum.missing", String(s.missing)),
                     t("compare.sum.notInList", String(s.notInList)),
                     t("compare.sum.differs", String(s.differingPeople), String(s.differences))]
        if s.issues > 0 { lines.append(t("compare.sum.issues", String(s.issues))) }
        if s.outOfScope > 0 { lines.append(t("compare.sum.outOfScope", String(s.outOfScope))) }
        return lines
    }

    func compareResult(_ entry: CompareResults.Entry) -> String {
        let r = entry.result
        let chinese = language == .zh
        var s = "<div class=\"card\"><h2>\(h(t("compare.result")))</h2>"
        s += "<p class=\"meta\">\(h(t("compare.source", entry.fileName, r.kind.label.text(chinese: chinese), r.village ?? t("compare.allVillages"))))</p>"
        s += "<p class=\"summary\">" + compareSummary(r).map(h).joined(separator: "<br>") + "</p>"
        s += "<p>\(h(t("compare.download")))\(h(colon))<a href=\"/compare/result.xlsx\">\(h(t("compare.xlsx")))</a> · "
        s += "<a href=\"/compare/result.csv\">\(h(t("compare.csv")))</a></p><p class=\"meta\">\(h(t("compare.kept")))</p></div>"
        let rows = ComparisonExport.rows(r, chinese: chinese)
        guard !rows.isEmpty else { return s + "<div class=\"card\">\(h(t("compare.none")))</div>" }
        if rows.count > Self.comparePageLimit {
            s += "<p class=\"meta\">\(h(t("compare.cut", String(rows.count), String(Self.comparePageLimit))))</p>"
        }
        let header = ComparisonExport.header(chinese: chinese)
        s += "<table class=\"compare\"><thead><tr>"
        s += Self.compareColumns.map { "<th>\(h(header[$0]))</th>" }.joined() + "<th>\(h(t("compare.open")))</th></tr></thead><tbody>"
        for row in rows.prefix(Self.comparePageLimit) {
            s += "<tr>" + Self.compareColumns.map { "<td>\(h(row[$0]))</td>" }.joined()
            let person = row[10]
            s += "<td>" + (person.isEmpty ? "" : "<a href=\"/history/people/\(h(FormCoding.percentEncode(person)))\">\(h(t("compare.person")))</a>") + "</td></tr>"
        }
        return s + "</tbody></table>"
    }
}

/// Why an uploaded list could not be compared: the reader's sentence in the page's language.
struct CompareFileFailure: Error {
    var message: String
    init(_ message: String) { self.message = message }
}
