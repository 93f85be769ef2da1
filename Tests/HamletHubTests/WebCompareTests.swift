import Foundation
import HamletCore
import HamletHTTP
import HamletHub
import HamletStore
import HamletTestSupport
import Testing

/// Issue 13 item 4 on the page: 比对 — an outside list uploaded as multipart/form-data, compared with the register,
/// the CLI's summary and items shown, the whole result downloadable as CSV and xlsx for the session, the register
/// untouched.
@Suite(.serialized)
struct WebCompareTests {
    static let action = OperatorAction(name: "镇管理员", wallMillis: 1_767_229_000_000)

    static func nid(_ year: Int, _ sequence: Int) throws -> String {
        NationalID.make(region: 130_123, birth: try #require(CalendarDate(year: year, month: 5, day: 20)), sequence: sequence)
    }

    /// Adds three 北赵 people to the scenario (李明, 赵敏, 孙强) and returns the register's live people.
    static func seed(_ f: WebFixture) throws -> [HubRow] {
        let store = try f.scenario.openStore()
        defer { store.close() }
        let people: [(id: String, values: Fields)] = try [("li", "李明", "M", 1971, 1), ("zhao", "赵敏", "F", 1982, 2), ("sun", "孙强", "M", 1993, 3)]
            .map { id, name, sex, year, seq in
                ("cmp-\(id)", ["village": .text("北赵"), "name": .text(name), "sex": .text(sex),
                               "birth_date": .text("\(year)-05-20"), "national_id": .text(try nid(year, seq))])
            }
        _ = try store.load(table: "people", rows: people, action: action)
        return try store.rows(table: "people")
    }

    /// The register as a 公安户籍 CSV, without 孙强, with 赵敏 as 赵敏敏, and one newcomer (周新).
    static func list(_ people: [HubRow]) throws -> (csv: String, newcomer: String) {
        var seen: Set<String> = []
        var lines = ["身份证号,姓名,性别,出生日期,备注"]
        for p in people {
            guard case .text(let id)? = p.values["national_id"], seen.insert(id).inserted, p.id != "cmp-sun" else { continue }
            let name = p.id == "cmp-zhao" ? "赵敏敏" : p.values["name"]?.description ?? ""
            lines.append("\(id),\(name),\(p.values["sex"]?.description ?? ""),\(p.values["birth_date"]?.description ?? ""),")
        }
        let newcomer = try nid(2001, 7)
        lines.append("\(newcomer),周新,M,2001-05-20,新迁入")
        return (lines.joined(separator: "\r\n") + "\r\n", newcomer)
    }

    /// The words of a page's visible text written in Latin letters, apart from the format and language names.
    static func englishWords(_ html: String) -> [String] {
        var text = html
        if let style = text.range(of: "<style>"), let end = text.range(of: "</style>") { text.removeSubrange(style.lowerBound..<end.upperBound) }
        text = text.replacingOccurrences(of: "<[^>]*>", with: " ", options: .regularExpression)
        text = text.replacingOccurrences(of: "&[a-z#0-9]+;", with: " ", options: .regularExpression)
        let allowed: Set<String> = ["English", "CSV", "csv", "xlsx", "UTF", "GBK"]  // formats, the uploaded file's name, the language switch
        return text.split { !($0.isASCII && $0.isLetter) }.map(String.init).filter { $0.count > 1 && !allowed.contains($0) }
    }

    @Test func uploadShowsSummaryItemsLinksAndDownloads() throws {
        let f = try WebFixture()
        let c = f.client()
        let people = try Self.seed(f)
        let (csv, newcomer) = try Self.list(people)
        let store = try f.scenario.openStore()
        defer { store.close() }
        let headBefore = try store.head()
        let expected = try store.compare(list: OutsideList.read(CSVTable.read(csv), kind: .hukou))

        let form = try c.get("/compare")
        #expect(form.status == 200 && form.text.contains("<a href=\"/compare\">比对</a>"), "the header links the page")
        #expect(form.text.contains("enctype=\"multipart/form-data\"") && form.text.contains("accept=\".csv,.xlsx\""))
        #expect(form.text.contains("<option value=\"北赵\">北赵</option>") && form.text.contains(">出生医学证明</option>"))
        #expect(Self.englishWords(form.text).isEmpty, "\(Self.englishWords(form.text))")

        let page = try c.upload(form, fields: [("kind", "hukou"), ("village", "")], file: ("公安户籍名单.csv", "text/csv", Array(csv.utf8)))
        #expect(page.status == 200, "\(page.text)")
        let s = expected.summary
        #expect(s.missing == 1 && s.notInList >= 1 && s.differences >= 1)
        for line in ["公安户籍名单 \(s.listRows) 人，与登记簿对上 \(s.matched) 人", "名单有、登记簿没有（可能漏报）：\(s.missing) 人",
                     "登记簿有、名单没有：\(s.notInList) 人", "信息不一致：\(s.differingPeople) 人 \(s.differences) 项"] {
            #expect(page.text.contains(line), "summary line \(line)")
        }
        #expect(page.text.contains("名单文件：公安户籍名单.csv（公安户籍）；范围：全镇"))
        let missingRow = try #require(page.text.range(of: "<td>\(ListComparison.Category.missing.label.zh)</td><td>\(newcomer)</td>"),
                                      "the newcomer is in the 漏报 list")
        #expect(page.text[missingRow.upperBound...].hasPrefix("<td>周新</td>"))
        #expect(page.text.contains("<td>孙强</td>") && page.text.contains("href=\"/history/people/cmp-sun\""), "each register person links to the history")
        #expect(page.text.contains("<td>赵敏敏</td><td>赵敏</td>"), "the differing name: the list's, then the register's")
        #expect(!page.text.contains("显示前"), "not cut")
        #expect(Self.englishWords(page.text).isEmpty, "\(Self.englishWords(page.text))")
        #expect(try c.get("/history/people/cmp-sun").status == 200)

        // The session's result stays on the page, in either language.
        let english = try c.get("/compare?lang=en")
        #expect(english.text.contains("household registration list: \(s.listRows) people, \(s.matched) matched in the register"))
        #expect(english.text.contains("on the list, not in the register (possibly unreported): 1"))
        #expect(try c.get("/compare?lang=zh").text.contains("名单有、登记簿没有（可能漏报）：1 人"))

        let rows = ComparisonExport.rows(expected, chinese: true)
        let csvDownload = try c.get("/compare/result.csv")
        #expect(csvDownload.status == 200 && csvDownload.header("Content-Type") == "text/csv; charset=utf-8")
        #expect(csvDownload.header("Content-Disposition") == "attachment; filename=\"compare-hukou.csv\"; filename*=UTF-8''"
                + FormCoding.percentEncode("比对结果-公安户籍") + ".csv")
        let parsed = try CSV.parse(bytes: csvDownload.body)
        #expect(parsed.first == ComparisonExport.header(chinese: true) && parsed.count == rows.count + 1)
        #expect(parsed.contains { $0.count > 2 && $0[1] == newcomer && $0[2] == "周新" })

        let xlsx = try c.get("/compare/result.xlsx")
        #expect(xlsx.status == 200 && xlsx.header("Content-Disposition")?.contains("filename=\"compare-hukou.xlsx\"") == true)
        let sheet = try SheetFile.read(bytes: xlsx.body, name: "result.xlsx")
        #expect(sheet.header == ComparisonExport.header(chinese: true) && sheet.rows.count == rows.count)
        #expect(sheet.rows.contains { $0.fields["身份证号"] == newcomer && $0.fields["类别"] == ListComparison.Category.missing.label.zh })

        // Read only: the log did not move, the people are as they were.
        #expect(try store.head() == headBefore)
        #expect(try store.rows(table: "people").map(\.values) == people.map(\.values))
        // Another session has no result to download.
        #expect(try f.client().get("/compare/result.csv").status == 404)
    }

    @Test func oneVillageXlsxAndTheCutAt200() throws {
        let f = try WebFixture()
        let c = f.client()
        _ = try Self.seed(f)
        // 250 newcomers in an xlsx with a wide ignored column: about a megabyte, past the 64 KiB form cap.
        let padding = String(repeating: "备注", count: 600)
        let rows = try (0..<250).map { k in [try Self.nid(1950 + k % 50, 100 + k), "新人\(k)", padding] }
        let columns = ["身份证号", "姓名", "备注"].map { XLSXWriter.Column($0, .text) }
        let workbook = XLSXWriter.workbook(sheetName: "名单", columns: columns, rows: rows)
        let csv = Array(CSV.encode([["身份证号", "姓名", "备注"]] + rows, bom: true).utf8)
        #expect(csv.count > 65536)
        for (name, bytes) in [("名单.xlsx", workbook), ("名单.csv", csv)] {
            let page = try c.upload(try c.get("/compare"), fields: [("kind", "hukou"), ("village", "北赵")],
                                    file: (name, "application/octet-stream", bytes))
            #expect(page.status == 200, "\(name): \(page.text.prefix(400))")
            #expect(page.text.contains("名单有、登记簿没有（可能漏报）：250 人") && page.text.contains("范围：北赵"))
            let total = try #require(page.text.range(of: "共 "))
            #expect(page.text[total.upperBound...].hasPrefix("25") && page.text.contains("条，显示前 200 条"))
            #expect(page.text.components(separatedBy: "<tr>").count - 1 == 201, "a header row and 200 items")
            #expect(page.text.contains("<option value=\"北赵\" selected>"))
        }
        let download = try CSV.parse(bytes: try c.get("/compare/result.csv").body)
        #expect(download.count > 251, "the download holds every item")
    }

    @Test func csrfAndMultipartOnlyWhereUploadsGo() throws {
        let f = try WebFixture()
        let c = f.client()
        let form = try c.get("/compare")
        let file = ("名单.csv", "text/csv", Array("身份证号,姓名\r\n".utf8))
        #expect(try c.multipart("/compare", [("kind", "hukou")], file: file).status == 403, "no token")
        #expect(try c.multipart("/compare", [("csrf", "forged"), ("kind", "hukou")], file: file).status == 403)
        let token = try #require(WebClient.csrf(in: form.text, action: "/compare"))
        #expect(try c.multipart("/checks/mark", [("csrf", token)], file: file).status == 400, "only /compare takes multipart")
        let broken = try c.send("POST", "/compare", headers: [("Content-Type", "multipart/form-data; boundary=x"), ("Origin", c.origin)],
                                body: Array("--x\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\nv".utf8))
        #expect(broken.status == 400)
        #expect(try c.upload(form, fields: [("kind", "hukou")], file: file).status == 200, "with the page's token")
    }

    @Test func badFilesGetAClearPage() throws {
        let f = try WebFixture()
        let c = f.client()
        let noID = try c.upload(try c.get("/compare"), fields: [("kind", "birth")], file: ("名单.csv", "text/csv", Array("姓名,性别\r\n张三,男\r\n".utf8)))
        #expect(noID.status == 422 && noID.text.contains("无法比对这个文件") && noID.text.contains("身份证号"), "\(noID.text)")
        #expect(Self.englishWords(noID.text).isEmpty, "\(Self.englishWords(noID.text))")
        #expect(noID.text.contains("enctype=\"multipart/form-data\""), "the form is there to try again")
        let xls: [UInt8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1] + [UInt8](repeating: 0, count: 64)
        let old = try c.upload(try c.get("/compare"), fields: [("kind", "hukou")], file: ("名单.xls", "application/vnd.ms-excel", xls))
        #expect(old.status == 422 && old.text.contains(".xlsx"))
        let english = try c.upload(try c.get("/compare?lang=en"), fields: [("kind", "hukou")], file: ("list.xls", "application/vnd.ms-excel", xls))
        #expect(english.status == 422 && english.text.contains("This file cannot be compared") && english.text.contains("old Excel"))
        _ = try c.get("/compare?lang=zh")
        let none = try c.upload(try c.get("/compare"), fields: [("kind", "hukou")], file: ("", "application/octet-stream", []))
        #expect(none.status == 400 && none.text.contains("请选择要上传的名单文件"))
        let kind = try c.upload(try c.get("/compare"), fields: [("kind", "police")], file: ("a.csv", "text/csv", Array("身份证号\r\n".utf8)))
        #expect(kind.status == 400 && kind.text.contains("名单类别只能是"))
        let gone = try c.get("/compare/result.xlsx")
        #expect(gone.status == 404 && gone.text.contains("没有可下载的比对结果"))
    }

    @Test func resultsAreBoundedAndExpire() {
        let clock = ManualInstant()
        let cache = CompareResults(lifetime: .seconds(60), maxSessions: 2, now: { clock.now })
        let r = ListComparison.make(list: OutsideList(kind: .birth, rows: []), people: [], marriages: [:], village: nil)
        cache.put(r, fileName: "a.csv", session: "a")
        clock.advance(.seconds(10))
        cache.put(r, fileName: "b.csv", session: "b")
        cache.put(r, fileName: "b2.csv", session: "b")
        #expect(cache.count == 2 && cache.entry(session: "b")?.fileName == "b2.csv", "one per session")
        clock.advance(.seconds(10))
        cache.put(r, fileName: "c.csv", session: "c")
        #expect(cache.entry(session: "a") == nil && cache.count == 2, "the oldest goes first")
        clock.advance(.seconds(55))
        #expect(cache.entry(session: "b") == nil && cache.entry(session: "c") != nil, "dropped after the lifetime")
    }
}

/// A settable instant for `CompareResults`.
///
/// `@unchecked Sendable`: `value` is guarded by `lock`.
final class ManualInstant: @unchecked Sendable {
    private let lock = NSLock()
    private var value = ContinuousClock.now
    var now: ContinuousClock.Instant { lock.withLock { value } }
    func advance(_ d: Duration) { lock.withLock { value = value.advanced(by: d) } }
}

extension WebClient {
    /// Posts `multipart/form-data` as a browser does: the fields, then the file part (when given).
    func multipart(_ path: String, _ fields: [(String, String)], file: (name: String, type: String, bytes: [UInt8])?) throws -> WebResponse {
        let boundary = "----HamletTestBoundary\(UInt64.random(in: 0...UInt64.max))"
        var body: [UInt8] = []
        for (name, value) in fields {
            body += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n".utf8)
        }
        if let file {
            body += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\(file.name)\"\r\n".utf8)
            body += Array("Content-Type: \(file.type)\r\n\r\n".utf8) + file.bytes + Array("\r\n".utf8)
        }
        body += Array("--\(boundary)--\r\n".utf8)
        return try send("POST", path, headers: [("Content-Type", "multipart/form-data; boundary=\(boundary)"), ("Origin", origin)], body: body)
    }

    /// Uploads through the page's 比对 form: its CSRF token, the fields, the file.
    func upload(_ page: WebResponse, fields: [(String, String)], file: (name: String, type: String, bytes: [UInt8])) throws -> WebResponse {
        let token = try #require(WebClient.csrf(in: page.text, action: "/compare"), "no 比对 form")
        return try multipart("/compare", [("csrf", token)] + fields, file: file)
    }
}
