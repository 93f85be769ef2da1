import Foundation
import HamletCore
import HamletHTTP
import HamletStore

/// The 迁移 page: the 迁入迁出通报 for a period (per village 迁出 and 迁入, the township's moves), a printable A4
/// view (the report's print CSS), the CSV/xlsx downloads (`MoveNoticeSheet`, the CLI's bytes), and the moves
/// between villages not received after 30 days. Read only; it names people, as every operator page does.
extension WebApp {
    static let movesMessages: [String: (zh: String, en: String)] = [
        "nav.moves": ("迁移", "Moves"),
        "moves.heading": ("迁入迁出通报", "Move notice"),
        "moves.title": ("%1 %2迁入迁出通报", "%1 move notice for %2"),
        "moves.intro": ("村间迁移在迁出村和迁入村各列一次，全镇只列一次；迁入村记下迁入（迁入动态）之前为「待接收」。迁出日期取迁出动态的日期，没有则取镇中心收到的日期。",
                        "A move between villages is listed by both villages and once for the township; it is awaiting until the receiving village records the move in. A move is dated by its move-out event, else by the day the hub received it."),
        "moves.village": ("村", "Village"),
        "moves.countLine": ("迁出 %1 人，迁入 %2 人", "%1 moved out, %2 moved in"),
        "moves.out": ("迁出", "Moved out"),
        "moves.in": ("迁入", "Moved in"),
        "moves.none": ("本期没有迁入迁出。", "No moves in the period."),
        "moves.township": ("全镇", "Township"),
        "moves.townshipLine": ("村间迁移 %1 人，迁出本镇 %2 人，迁入本镇 %3 人", "%1 between villages, %2 out of the township, %3 into it"),
        "moves.within": ("村间迁移", "Between villages"),
        "moves.outOfTownship": ("迁出本镇", "Out of the township"),
        "moves.intoTownship": ("迁入本镇", "Into the township"),
        "moves.name": ("姓名", "Name"),
        "moves.idTail": ("身份证号后4位", "ID (last 4)"),
        "moves.sex": ("性别", "Sex"),
        "moves.birth": ("出生日期", "Born"),
        "moves.from": ("迁出地", "From"),
        "moves.to": ("迁入地", "To"),
        "moves.date": ("日期", "Date"),
        "moves.reason": ("原因/说明", "Reason / detail"),
        "moves.received": ("接收情况", "Received"),
        "moves.unreceived": ("超过30天未接收", "Not received after 30 days"),
        "moves.unreceivedHint": ("以下村间迁移已超过30天，迁入村还没有记迁入：请通知迁入村在本村节点上记迁入，或核实是否迁错。",
                                 "These moves between villages are over 30 days old and the receiving village has not recorded the move in: ask it to receive her, or check the move."),
        "moves.noneUnreceived": ("没有超过30天未接收的迁移。", "No move awaiting for over 30 days."),
        "moves.print": ("打印（A4）", "Print (A4)"),
        "moves.backToPage": ("返回通报", "Back to the notice"),
        "moves.sign": ("通报单位：%1　　负责人：________　　经办人：________　　日期：________",
                       "Office: %1    Head: ________    Prepared by: ________    Date: ________"),
    ]

    /// The query's period (default: last month) and village, and the notice for them — or the error page
    /// (400 for a period that cannot be read, 404 for a village the township lacks).
    private func movesNotice(_ store: HubStore) throws -> Result<(period: ReportPeriod, village: String?, notice: MoveNotice), MovesRefusal> {
        let q: (period: ReportPeriod, village: String?)
        switch reportQuery().map({ ($0.period, $0.village) }) {
        case .success(let r): q = r
        case .failure(let e): return .failure(MovesRefusal(page: movesError(store, e.message, status: 400)))
        }
        do {
            return .success((q.period, q.village, try store.moveNotice(period: q.period, village: q.village, wallMillis: console.configuration.wallMillis())))
        } catch let error as ReportError {
            return .failure(MovesRefusal(page: movesError(store, language == .zh ? error.zh : error.message, status: 404)))
        }
    }

    /// GET /moves and /moves/print.
    func movesPage(_ store: HubStore, print: Bool) throws -> HTTPResponse {
        let q: (period: ReportPeriod, village: String?, notice: MoveNotice)
        switch try movesNotice(store) {
        case .success(let r): q = r
        case .failure(let refusal): return refusal.page
        }
        let notice = q.notice
        let named = ((try store.meta("township")) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        let township = named.isEmpty ? t("report.thisTownship") : named
        let title = t("moves.title", q.village ?? township, q.period.label(chinese: language == .zh))
        let tables = movesTables(notice, village: q.village)
        guard !print else { return movesPrint(notice, title: title, township: township, tables: tables, query: movesLink(q.period, q.village)) }
        var body = "<h1>\(h(title))</h1><p class=\"meta\">\(h(t("report.range", notice.from, notice.to)))。\(h(t("moves.intro")))</p>"
        body += movesForm(store, period: q.period.description, village: q.village)
        let here = movesLink(q.period, q.village)
        body += "<p class=\"noprint\"><a href=\"/moves/print?\(h(here))\">\(h(t("moves.print")))</a> · \(h(t("report.download")))\(h(language == .zh ? "：" : ": "))"
        body += "<a href=\"/moves.xlsx?\(h(here))\">\(h(t("compare.xlsx")))</a> · <a href=\"/moves.csv?\(h(here))\">\(h(t("compare.csv")))</a></p>"
        body += "<div class=\"card\" id=\"unreceived\"><h2>\(h(t("moves.unreceived")))</h2>"
        body += notice.unreceived.isEmpty ? "<p>\(h(t("moves.noneUnreceived")))</p>"
            : "<p class=\"meta\">\(h(t("moves.unreceivedHint")))</p>" + movesTable(notice.unreceived)
        body += "</div>" + tables
        return layout(title, body)
    }

    /// GET /moves.csv and /moves.xlsx.
    func movesDownload(_ store: HubStore, xlsx: Bool) throws -> HTTPResponse {
        let q: (period: ReportPeriod, village: String?, notice: MoveNotice)
        switch try movesNotice(store) {
        case .success(let r): q = r
        case .failure(let refusal): return refusal.page
        }
        let notice = q.notice
        let chinese = language == .zh
        let sheet = MoveNoticeSheet(notice)
        let body = xlsx ? sheet.xlsx(chinese: chinese, sheetName: chinese ? "迁入迁出通报 \(q.period)" : "moves \(q.period)")
            : Array(sheet.csv(chinese: chinese).utf8)
        let ext = xlsx ? "xlsx" : "csv"
        let full = (["迁入迁出通报", q.period.description] + [q.village].compactMap { $0 }).joined(separator: "-")
        let headers = [("Content-Type", xlsx ? RegisterExport.xlsxContentType : "text/csv; charset=utf-8"),
                       ("Content-Disposition", "attachment; filename=\"moves-\(q.period.description).\(ext)\"; filename*=UTF-8''\(FormCoding.percentEncode(full)).\(ext)")]
        return HTTPResponse(status: 200, headers: headers + HTTPResponse.securityHeaders, body: body)
    }

    func movesLink(_ period: ReportPeriod, _ village: String?) -> String {
        FormCoding.encode([("period", period.description)] + (village.map { [("village", $0)] } ?? []))
    }

    func movesError(_ store: HubStore, _ message: String, status: Int) -> HTTPResponse {
        var body = "<h1>\(h(t("moves.heading")))</h1><div class=\"flash error\" role=\"alert\">\(h(message))</div>"
        body += movesForm(store, period: request.queryValue("period") ?? "", village: request.queryValue("village"))
        return layout(t("moves.heading"), body, status: status)
    }

    func movesForm(_ store: HubStore, period: String, village: String?) -> String {
        let villages = ((try? store.knownVillages()) ?? []).sorted()
        var s = "<form class=\"card row noprint\" method=\"get\" action=\"/moves\">"
        s += "<label>\(h(t("report.period")))<input type=\"text\" name=\"period\" value=\"\(h(period))\" size=\"10\" maxlength=\"20\" placeholder=\"2026-11\"></label>"
        s += "<label>\(h(t("moves.village")))<select name=\"village\"><option value=\"\">\(h(t("moves.township")))</option>"
        for v in villages { s += "<option value=\"\(h(v))\"\(v == village ? " selected" : "")>\(h(v))</option>" }
        return s + "</select></label><button type=\"submit\">\(h(t("report.show")))</button></form>"
    }

    /// Each village's 迁出 and 迁入 tables, then the township's (all villages only).
    func movesTables(_ n: MoveNotice, village: String?) -> String {
        var s = ""
        for v in n.villages {
            s += "<div class=\"card village-moves\"><h2>\(h(v.village))：\(h(t("moves.countLine", String(v.outCount), String(v.inCount))))</h2>"
            if v.out.isEmpty && v.in.isEmpty { s += "<p class=\"meta\">\(h(t("moves.none")))</p>" }
            if !v.out.isEmpty { s += "<h3>\(h(t("moves.out")))</h3>" + movesTable(v.out) }
            if !v.in.isEmpty { s += "<h3>\(h(t("moves.in")))</h3>" + movesTable(v.in) }
            s += "</div>"
        }
        guard village == nil else { return s }
        let tw = n.township
        s += "<div class=\"card\" id=\"township-moves\"><h2>\(h(t("moves.township")))：\(h(t("moves.townshipLine", String(tw.within.count), String(tw.out.count), String(tw.in.count))))</h2>"
        for (key, list) in [("moves.within", tw.within), ("moves.outOfTownship", tw.out), ("moves.intoTownship", tw.in)] where !list.isEmpty {
            s += "<h3>\(h(t(key)))</h3>" + movesTable(list)
        }
        return s + "</div>"
    }

    func movesTable(_ moves: [MoveLedger.Move]) -> String {
        let chinese = language == .zh
        let heads = ["moves.name", "moves.idTail", "moves.sex", "moves.birth", "moves.from", "moves.to", "moves.date", "moves.reason", "moves.received"]
        var s = "<table><thead><tr>" + heads.map { "<th>\(h(t($0)))</th>" }.joined() + "</tr></thead><tbody>"
        for m in moves {
            let awaiting = m.scope == .within && m.received == nil
            s += "<tr><td><a href=\"/history/people/\(h(m.person))\">\(h(m.name))</a></td><td class=\"mono\">\(h(m.nationalIDLast4 ?? ""))</td>"
            s += "<td>\(h(MoveNoticeSheet.sexLabel(m.sex, chinese: chinese)))</td><td>\(h(m.birthDate ?? ""))</td>"
            s += "<td>\(h(MoveNoticeSheet.place(m.from, chinese: chinese)))</td><td>\(h(MoveNoticeSheet.place(m.to, chinese: chinese)))</td>"
            s += "<td>\(h(m.date))</td><td>\(h(m.reason ?? ""))</td>"
            s += "<td><span class=\"badge\(awaiting ? " open" : "")\">\(h(MoveNoticeSheet.receivedLabel(m, chinese: chinese)))</span></td></tr>"
        }
        return s + "</tbody></table>"
    }

    /// GET /moves/print: the notice on A4, no header, navigation or form, a line to sign.
    func movesPrint(_ n: MoveNotice, title: String, township: String, tables: String, query: String) -> HTTPResponse {
        var page = "<!DOCTYPE html>\n<html lang=\"\(language == .zh ? "zh-CN" : "en")\"><head><meta charset=\"utf-8\">"
        page += "<title>\(h(title))</title><style>\(WebApp.css)\(WebApp.reportCSS)\(WebApp.printCSS)</style></head><body class=\"print\">"
        page += "<main class=\"sheet\"><p class=\"noprint meta\">\(h(t("report.printHint"))) <a href=\"/moves?\(h(query))\">\(h(t("moves.backToPage")))</a></p>"
        page += "<h1>\(h(title))</h1><p class=\"sub\">\(h(t("report.range", n.from, n.to)))　\(h(t("report.madeAt", time(console.configuration.wallMillis()))))</p>"
        page += tables
        if !n.unreceived.isEmpty { page += "<h2>\(h(t("moves.unreceived")))</h2>" + movesTable(n.unreceived) }
        page += "<p class=\"signature\">\(h(t("moves.sign", township)))</p></main></body></html>\n"
        return .html(page)
    }
}

/// A moves page that cannot be shown: the error page to answer with.
struct MovesRefusal: Error {
    let page: HTTPResponse
}
