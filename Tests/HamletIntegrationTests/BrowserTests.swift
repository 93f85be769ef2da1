import Foundation
import HamletCore
import HamletHub
import HamletNet
import HamletStore
import HamletTestSupport
import Testing

/// The operator page in a real browser: headless Chromium driven over `--remote-debugging-pipe` (DevTools protocol
/// JSON, NUL-terminated, on the child's fds 3 and 4), with no packages. Skipped with a printed reason when Chromium
/// is not installed (`scripts/test` installs it). With `HAMLET_SCREENSHOT_DIR` set, PNGs of the pages are saved there
/// (`scripts/screenshot`).
@Suite(.serialized)
struct BrowserTests {
    static let chromium: String? = {
        let env = ProcessInfo.processInfo.environment
        let candidates = [env["HAMLET_CHROMIUM"], "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
        let found = candidates.compactMap { $0 }.first { FileManager.default.isExecutableFile(atPath: $0) }
        if found == nil { print("BrowserTests skipped: chromium is not installed (scripts/test installs it: apt-get install chromium fonts-noto-cjk)") }
        return found
    }()

    @Test(.enabled(if: BrowserTests.chromium != nil, "chromium is not installed"))
    func resolveAConflictThroughTheBrowser() throws {
        let chromium = try #require(BrowserTests.chromium)
        let hub = try BrowserHub()
        defer { hub.stop() }
        let browser = try DevToolsBrowser(executable: chromium)
        defer { browser.close() }
        let page = try browser.newPage(width: 1280, height: 900)
        let shots = ProcessInfo.processInfo.environment["HAMLET_SCREENSHOT_DIR"].flatMap { $0.isEmpty ? nil : $0 }
        if let shots { try FileManager.default.createDirectory(atPath: shots, withIntermediateDirectories: true) }

        try page.navigate("http://\(hub.web)/")
        let list = try page.text()
        #expect(list.contains("冲突列表"))
        #expect(list.contains("王秀英"))
        #expect(list.contains("重复登记"))
        if let shots { try page.screenshot(to: (shots as NSString).appendingPathComponent("conflict-list.png")) }

        // Find a person from the header's search box: both 王秀英 rows, by part of the name.
        _ = try page.evaluate("document.querySelector('form.search input[name=q]').value = '秀英'")
        try page.clickAndWait("form.search button")
        let found = try page.text()
        #expect(found.contains("共 2 条") && found.contains("北赵") && found.contains("南庄"), "\(found)")
        if let shots { try page.screenshot(to: (shots as NSString).appendingPathComponent("search.png")) }
        try page.navigate("http://\(hub.web)/")

        // Open the field conflict from the list, as an operator would.
        let id = hub.fieldConflict
        try page.clickAndWait("a[href=\"/conflicts/\(id)\"]")
        let detail = try page.text()
        #expect(detail.contains("张丽华") && detail.contains("张莉"))
        #expect(detail.contains("采用村专干王芳（beizhao，北赵）的值"), "each side named by its author")
        if let shots { try page.screenshot(to: (shots as NSString).appendingPathComponent("conflict-detail.png")) }

        if let shots {
            try page.navigate("http://\(hub.web)/conflicts/\(hub.duplicateConflict)")
            try page.screenshot(to: (shots as NSString).appendingPathComponent("duplicate-detail.png"))
            try page.navigate("http://\(hub.web)/nodes")
            try page.screenshot(to: (shots as NSString).appendingPathComponent("nodes.png"))
            try page.navigate("http://\(hub.web)/conflicts/\(id)?lang=en")
            try page.screenshot(to: (shots as NSString).appendingPathComponent("conflict-detail-en.png"))
            try page.navigate("http://\(hub.web)/conflicts/\(id)?lang=zh")
        }

        // Take the village value: fill the operator name, click the button; the form posts, redirects, shows a flash.
        _ = try page.evaluate("document.querySelector('form[action=\"/conflicts/\(id)/resolve\"] input[name=operator]').value = '浏览器里的管理员'")
        _ = try page.evaluate("document.querySelector('form[action=\"/conflicts/\(id)/resolve\"] input[name=note]').value = '和村专干电话核实'")
        try page.clickAndWait("form[action=\"/conflicts/\(id)/resolve\"] button[value=village]")
        let after = try page.text()
        #expect(after.contains("冲突 #\(id) 已处理"), "flash after the redirect")
        #expect(try page.evaluate("location.pathname") as? String == "/conflicts/\(id)")
        if let shots { try page.screenshot(to: (shots as NSString).appendingPathComponent("conflict-resolved.png")) }

        let store = try HubStore.open(directory: hub.dir.path, readOnly: true)
        let conflict = try #require(try store.conflict(id))
        #expect(conflict.status == "resolved")
        #expect(conflict.resolution == "take village")
        #expect(conflict.resolvedBy == "浏览器里的管理员")
        #expect(conflict.note == "和村专干电话核实")
        let people = try #require(store.schema.table(named: "people"))
        #expect(try store.row(people, id: hub.person)?.values["name"] == conflict.incoming)

        // 比对: choose a file in the upload form (DevTools sets the file input), submit, read the summary.
        let newcomer = NationalID.make(region: 130_123, birth: try #require(CalendarDate(year: 2001, month: 5, day: 20)), sequence: 7)
        let listPath = hub.dir.path + "/公安户籍名单.csv"
        try Data("身份证号,姓名\r\n\(newcomer),周新\r\n".utf8).write(to: URL(fileURLWithPath: listPath))
        try page.navigate("http://\(hub.web)/compare")
        let document = try browser.call("DOM.getDocument", session: page.session)
        let root = try #require((document["root"] as? [String: Any])?["nodeId"] as? Int)
        let input = try browser.call("DOM.querySelector", ["nodeId": root, "selector": "input[type=file]"], session: page.session)
        try browser.call("DOM.setFileInputFiles", ["files": [listPath], "nodeId": try #require(input["nodeId"] as? Int)], session: page.session)
        try page.clickAndWait("form[action=\"/compare\"] button[type=submit]")
        let compared = try page.text()
        #expect(compared.contains("公安户籍名单 1 人，与登记簿对上 0 人") && compared.contains(newcomer), "\(compared)")
        if let shots { try page.screenshot(to: (shots as NSString).appendingPathComponent("compare.png")) }
    }

    /// Issue 14 item 7: the 报表 page and its A4 print view in Chromium — the charts are drawn (each SVG laid out with
    /// its bars), the screenshots are more than a blank page, and printing the print view to PDF gives A4 pages.
    @Test(.enabled(if: BrowserTests.chromium != nil, "chromium is not installed"))
    func theReportAndItsPrintViewRenderTheirCharts() throws {
        let chromium = try #require(BrowserTests.chromium)
        let hub = try BrowserHub()
        defer { hub.stop() }
        let browser = try DevToolsBrowser(executable: chromium)
        defer { browser.close() }
        let page = try browser.newPage(width: 1280, height: 900)
        let scratch = TempDir("report-shots")
        defer { scratch.remove() }
        let shots = ProcessInfo.processInfo.environment["HAMLET_SCREENSHOT_DIR"].flatMap { $0.isEmpty ? nil : $0 } ?? scratch.path
        try FileManager.default.createDirectory(atPath: shots, withIntermediateDirectories: true)

        // 1990: 王秀英 is born in March (registered in two villages, counted once), 张丽 in 1988 is not.
        try page.navigate("http://\(hub.web)/report?period=1990")
        let text = try page.text()
        #expect(text.contains("本镇 1990年报表") && text.contains("全镇合计") && text.contains("口径"), "\(text.prefix(400))")
        for id in ["births-by-month", "sex-ratio-trend", "villages-births"] {
            let width = try page.evaluate("(() => { const s = document.querySelector('#\(id) svg'); return s ? Math.round(s.getBoundingClientRect().width) : 0 })()") as? Int
            #expect((width ?? 0) >= 300, "chart \(id) is laid out: \(width ?? 0) px wide")
        }
        #expect(try page.evaluate("document.querySelectorAll('#births-by-month rect.bar').length") as? Int == 12, "a bar per month")
        #expect(try page.evaluate("Math.round(document.querySelectorAll('#births-by-month rect.bar')[2].getBoundingClientRect().height)") as? Int ?? 0 > 20,
                "March's bar has a height")
        let reportShot = (shots as NSString).appendingPathComponent("report.png")
        try page.screenshot(to: reportShot)
        let png = try #require(FileManager.default.contents(atPath: reportShot))
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]) && png.count > 60_000, "a PNG with the page drawn: \(png.count) bytes")

        try page.clickAndWait("a[href^=\"/report/print\"]")
        #expect(try page.evaluate("document.querySelector('header, nav, form') === null") as? Bool == true, "no header, navigation or form")
        #expect(try page.text().contains("本镇 1990年报表"))
        #expect(try page.evaluate("document.querySelectorAll('figure.chart svg').length") as? Int == 3)
        try page.screenshot(to: (shots as NSString).appendingPathComponent("report-print.png"))
        let printed = try browser.call("Page.printToPDF", ["preferCSSPageSize": true, "printBackground": true], session: page.session, timeout: 60)
        let pdf = try #require((printed["data"] as? String).flatMap { Data(base64Encoded: $0) })
        #expect(pdf.starts(with: Array("%PDF".utf8)) && pdf.count > 20_000, "a PDF of the print view: \(pdf.count) bytes")
        let raw = String(decoding: pdf, as: UTF8.self)
        #expect(raw.contains("/MediaBox [0 0 595") || raw.contains("/MediaBox [0 0 594"), "A4 pages (595 × 842 pt)")
        try pdf.write(to: URL(fileURLWithPath: (shots as NSString).appendingPathComponent("report-print.pdf")))
    }

    @Test func serveRefusesAnOpenPageBeyondLoopbackAndAsksForTheTokenWithOne() throws {
        let dir = TempDir("web-cli")
        defer { dir.remove() }
        let hubDir = dir.file("hub")
        #expect(try Hamlet.run(["hub", "init", "--dir", hubDir]).status == 0)
        let refused = try Hamlet.run(["hub", "serve", "--dir", hubDir, "--listen", "127.0.0.1:0", "--web", "0.0.0.0:0"])
        #expect(refused.status == 64)
        #expect(refused.stderr.contains("--token-file"))

        let tokenFile = dir.file("token")
        try "operator-token-0123456789\n".write(toFile: tokenFile, atomically: true, encoding: .utf8)
        let p = try Hamlet.start(["hub", "serve", "--dir", hubDir, "--listen", "127.0.0.1:0", "--web", "127.0.0.1:0",
                                  "--token-file", tokenFile])
        defer { p.terminate(); _ = p.wait(timeout: .seconds(15)) }
        let line = try #require(p.waitForLine(prefix: "web ", in: .stdout, timeout: .seconds(15)))
        let address = String(line.dropFirst("web http://".count)).trimmingCharacters(in: CharacterSet(charactersIn: "/ \n"))
        let web = try SocketAddress(parsing: address)
        func get(_ headers: String) throws -> String {
            let socket = try ClientSocket.connect(to: web, timeout: .seconds(5))
            defer { socket.close() }
            try socket.write(Array("GET / HTTP/1.1\r\nHost: \(address)\r\nConnection: close\r\n\(headers)\r\n".utf8),
                             deadline: .now.advanced(by: .seconds(10)))
            var all: [UInt8] = []
            while true {
                let chunk = try socket.read(upTo: 65536, deadline: .now.advanced(by: .seconds(10)))
                if chunk.isEmpty { break }
                all += chunk
            }
            return String(decoding: all, as: UTF8.self)
        }
        let anonymous = try get("")
        #expect(anonymous.hasPrefix("HTTP/1.1 401"))
        #expect(anonymous.contains("action=\"/login\""))
        #expect(try get("Authorization: Bearer operator-token-0123456789\r\n").hasPrefix("HTTP/1.1 200"))
    }
}

/// A hub with real conflicts (made by `reconcile` from two 北赵 nodes and one 南庄 node) served in-process with the
/// operator console on 127.0.0.1:0.
final class BrowserHub {
    let dir = TempDir("browser")
    let console: OperatorConsole
    let server: HubServer
    let web: SocketAddress
    var person = ""
    var fieldConflict: Int64 = 0
    var duplicateConflict: Int64 = 0

    struct Quiet: HubLogger { func log(_ line: String) {} }

    init() throws {
        let store = try HubStore.create(directory: dir.path)
        let now = wallMillisNow()
        for (id, village) in [("beizhao", "北赵"), ("beizhao-doctor", "北赵"), ("nanzhuang", "南庄")] {
            try store.addNode(id: id, village: village, secretHash: String(repeating: "0", count: 64), wallMillis: now)
        }
        try store.recordSession(node: "beizhao", wallMillis: now - 3_600_000, address: "127.0.0.1:50000", result: "ok", skewMillis: -90_000, cursor: 3)
        try store.recordSession(node: "nanzhuang", wallMillis: now - 86_400_000 * 3, address: "10.0.0.7:41000", result: "ok", skewMillis: 2 * 86_400_000)
        var seqs: [String: Int64] = [:]
        var tick: Int64 = 0
        func change(_ node: String, _ table: String, _ row: String, _ values: Fields, base: Int64 = 0, op: ChangeOp = .put) -> Change {
            seqs[node, default: 0] += 1
            tick += 1
            return Change(node: node, seq: seqs[node] ?? 1, table: table, row: row, op: op, values: values,
                          bases: values.mapValues { _ in base }, rowBase: base, hlc: HLC(wall: now + tick * 60_000, counter: 0, node: node),
                          author: node == "beizhao" ? "村专干王芳" : node == "nanzhuang" ? "村专干赵敏" : "村医刘强", epoch: "")
        }
        func push(_ node: String, _ village: String, _ changes: [Change]) throws -> [Int64] {
            try store.reconcile(changes, from: BatchSource(node: node, village: village), wallMillis: now).map { $0.hseq ?? 0 }
        }
        func id() -> String {
            var rng = SystemRandomNumberGenerator()
            return RowID.make(unixMillis: wallMillisNow(), using: &rng)
        }
        person = id()
        let household = id(), bride = id(), event = id(), brideAgain = id(), south = id(), other = id(), doomed = id()
        let brideNumber = NationalID.make(region: 130123, birth: CalendarDate(year: 1990, month: 3, day: 12) ?? .init(daysSinceEpoch: 0), sequence: 24)
        let h = try push("beizhao", "北赵", [
            change("beizhao", "households", household, ["village": .text("北赵"), "address": .text("北赵村一组 12 号")]),
            change("beizhao", "people", person, ["village": .text("北赵"), "household": .text(household), "name": .text("张丽"),
                                                "sex": .text("F"), "birth_date": .text("1988-07-01")]),
            change("beizhao", "people", bride, ["village": .text("北赵"), "name": .text("王秀英"), "sex": .text("F"),
                                               "birth_date": .text("1990-03-12"), "national_id": .text(brideNumber), "marital_status": .text("single"),
                                               "phone": .text("13812345678")]),
            change("beizhao", "events", event, ["village": .text("北赵"), "person": .text(bride), "kind": .text("marriage"),
                                              "date": .text("2015-05-01"), "detail": .text("嫁到南庄，原户口未注销")]),
            change("beizhao", "people", other, ["village": .text("北赵"), "name": .text("曾国华"), "sex": .text("M"), "birth_date": .text("1975-11-30")]),
            change("beizhao", "households", doomed, ["village": .text("北赵"), "address": .text("北赵村三组 5 号")]),
        ])
        _ = try push("beizhao-doctor", "北赵", [
            change("beizhao-doctor", "people", person, ["name": .text("张莉")], base: h[1]),
            change("beizhao-doctor", "people", other, ["phone": .text("13900001111")], base: h[4]),
            change("beizhao-doctor", "households", doomed, ["address": .text("北赵村三组 6 号")], base: h[5]),
        ])
        _ = try push("beizhao", "北赵", [
            change("beizhao", "people", person, ["name": .text("张丽华")], base: h[1]),
            change("beizhao", "people", other, ["phone": .text("13900002222")], base: h[4]),
            change("beizhao", "households", doomed, [:], base: h[5], op: .delete),
        ])
        _ = try push("nanzhuang", "南庄", [
            change("nanzhuang", "people", brideAgain, ["village": .text("南庄"), "name": .text("王秀英"), "sex": .text("F"),
                                                     "birth_date": .text("1990-03-12"), "national_id": .text(brideNumber),
                                                     "marital_status": .text("married"), "current_address": .text("南庄村二组 3 号")]),
            change("nanzhuang", "households", south, ["village": .text("南庄"), "address": .text("南庄村二组 3 号"), "head": .text(brideAgain)]),
        ])
        for c in try store.conflicts() {
            if c.kind == .field && c.row == person { fieldConflict = c.id }
            if c.kind == .duplicate { duplicateConflict = c.id }
        }
        guard fieldConflict > 0, duplicateConflict > 0 else {
            throw ProcessRunnerError("the scenario made no field or duplicate conflict")
        }
        console = OperatorConsole(configuration: .init(directory: dir.path, language: .zh))
        server = try HubServer(configuration: HubServerConfiguration(
            directory: dir.path, listen: .loopback(), web: .loopback(), webHandlerFactory: console.handlerFactory, logger: Quiet()))
        guard let bound = try server.start().web else { throw ProcessRunnerError("no web address") }
        web = bound
    }

    func stop() {
        server.stop(grace: .seconds(1))
        console.stop()
        dir.remove()
    }
}

/// A headless Chromium child and the DevTools protocol over its pipe: requests with ids, replies and events
/// collected by a reader thread.
///
/// `@unchecked Sendable`: `messages`, `nextID` and `finished` are guarded by `condition` (an `NSCondition`); the
/// process and pipes are set once in `init`.
final class DevToolsBrowser: @unchecked Sendable {
    struct ProtocolError: Error, CustomStringConvertible {
        var description: String
    }

    private let process = Process()
    private let input = Pipe()
    private let output = Pipe()
    private let profile = TempDir("chromium")
    private let condition = NSCondition()
    // Guarded by `condition`.
    private var messages: [[String: Any]] = []
    private var nextID = 1
    private var finished = false

    init(executable: String) throws {
        // The shell moves our two pipes to fds 3 (commands in) and 4 (replies out), then runs Chromium.
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "exec \"$0\" \"$@\" 3<&0 4>&1 0</dev/null 1>/dev/null", executable,
                             "--headless", "--remote-debugging-pipe", "--no-sandbox", "--disable-gpu", "--no-first-run",
                             "--no-default-browser-check", "--disable-extensions", "--disable-background-networking",
                             "--hide-scrollbars", "--font-render-hinting=none", "--lang=zh-CN",
                             "--user-data-dir=\(profile.path)", "about:blank"]
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let reader = Thread { [self] in readLoop() }
        reader.name = "devtools-reader"
        reader.start()
    }

    private func readLoop() {
        let handle = output.fileHandleForReading
        var buffer = Data()
        while true {
            let chunk = handle.availableData
            if chunk.isEmpty { break }
            buffer.append(chunk)
            while let nul = buffer.firstIndex(of: 0) {
                let message = buffer[buffer.startIndex..<nul]
                buffer = Data(buffer[(nul + 1)...])
                if let object = try? JSONSerialization.jsonObject(with: message) as? [String: Any] {
                    condition.lock()
                    messages.append(object)
                    condition.broadcast()
                    condition.unlock()
                }
            }
        }
        condition.lock()
        finished = true
        condition.broadcast()
        condition.unlock()
    }

    /// The number of messages received so far: pass it to `waitForEvent` to see only later events.
    var mark: Int {
        condition.lock()
        defer { condition.unlock() }
        return messages.count
    }

    /// Sends a command and waits for its reply; throws the protocol's error.
    @discardableResult
    func call(_ method: String, _ params: [String: Any] = [:], session: String? = nil,
              timeout: TimeInterval = 15) throws -> [String: Any] {
        condition.lock()
        let id = nextID
        nextID += 1
        condition.unlock()
        var message: [String: Any] = ["id": id, "method": method, "params": params]
        if let session { message["sessionId"] = session }
        var data = try JSONSerialization.data(withJSONObject: message)
        data.append(0)
        try input.fileHandleForWriting.write(contentsOf: data)
        let deadline = Date(timeIntervalSinceNow: timeout)
        condition.lock()
        defer { condition.unlock() }
        while true {
            if let reply = messages.first(where: { ($0["id"] as? Int) == id }) {
                if let error = reply["error"] as? [String: Any] {
                    throw ProtocolError(description: "\(method): \(error["message"] ?? error)")
                }
                return reply["result"] as? [String: Any] ?? [:]
            }
            if finished { throw ProtocolError(description: "\(method): chromium exited") }
            guard condition.wait(until: deadline) else { throw ProtocolError(description: "\(method): no reply in \(timeout) s") }
        }
    }

    /// Waits for an event received after `mark`.
    @discardableResult
    func waitForEvent(_ method: String, after mark: Int, session: String? = nil, timeout: TimeInterval = 15) throws -> [String: Any] {
        let deadline = Date(timeIntervalSinceNow: timeout)
        condition.lock()
        defer { condition.unlock() }
        while true {
            if mark < messages.count, let event = messages[mark...].first(where: {
                ($0["method"] as? String) == method && (session == nil || ($0["sessionId"] as? String) == session)
            }) {
                return event
            }
            if finished { throw ProtocolError(description: "waiting for \(method): chromium exited") }
            guard condition.wait(until: deadline) else { throw ProtocolError(description: "no \(method) in \(timeout) s") }
        }
    }

    /// Opens a tab and attaches to it.
    func newPage(width: Int, height: Int) throws -> DevToolsPage {
        let target = try call("Target.createTarget", ["url": "about:blank"])
        guard let targetID = target["targetId"] as? String else { throw ProtocolError(description: "no targetId") }
        let attached = try call("Target.attachToTarget", ["targetId": targetID, "flatten": true])
        guard let session = attached["sessionId"] as? String else { throw ProtocolError(description: "no sessionId") }
        let page = DevToolsPage(browser: self, session: session, width: width, height: height)
        try call("Page.enable", session: session)
        try call("Runtime.enable", session: session)
        try page.resize(height: height)
        return page
    }

    /// Asks Chromium to quit, then makes sure it has.
    func close() {
        _ = try? call("Browser.close", timeout: 5)
        try? input.fileHandleForWriting.close()
        let deadline = Date(timeIntervalSinceNow: 5)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        profile.remove()
    }
}

/// One tab: navigate, evaluate, click and wait for the next page, screenshot.
struct DevToolsPage {
    let browser: DevToolsBrowser
    let session: String
    let width: Int
    let height: Int

    func resize(height: Int) throws {
        try browser.call("Emulation.setDeviceMetricsOverride",
                         ["width": width, "height": height, "deviceScaleFactor": 1, "mobile": false], session: session)
    }

    func navigate(_ url: String) throws {
        let mark = browser.mark
        try browser.call("Page.navigate", ["url": url], session: session)
        try browser.waitForEvent("Page.loadEventFired", after: mark, session: session)
    }

    /// Evaluates JavaScript in the page; returns the value (JSON-able results only).
    @discardableResult
    func evaluate(_ expression: String) throws -> Any? {
        let reply = try browser.call("Runtime.evaluate", ["expression": expression, "returnByValue": true], session: session)
        if let exception = reply["exceptionDetails"] {
            throw DevToolsBrowser.ProtocolError(description: "evaluate \(expression): \(exception)")
        }
        return (reply["result"] as? [String: Any])?["value"]
    }

    /// The page's visible text.
    func text() throws -> String { try evaluate("document.body.innerText") as? String ?? "" }

    /// Clicks the element and waits for the page it leads to (link or form submit) to load.
    func clickAndWait(_ selector: String) throws {
        let mark = browser.mark
        let found = try evaluate("(() => { const e = document.querySelector(\(jsString(selector))); if (!e) return false; e.click(); return true })()")
        guard found as? Bool == true else { throw DevToolsBrowser.ProtocolError(description: "no element \(selector)") }
        try browser.waitForEvent("Page.loadEventFired", after: mark, session: session)
    }

    /// A PNG of the whole page (the viewport grown to the content's height, then restored).
    func screenshot(to path: String) throws {
        let full = (try evaluate("document.documentElement.scrollHeight") as? Int) ?? height
        try resize(height: max(height / 2, min(full, 4000)))
        defer { try? resize(height: height) }
        let shot = try browser.call("Page.captureScreenshot", ["format": "png"], session: session)
        guard let base64 = shot["data"] as? String, let data = Data(base64Encoded: base64) else {
            throw DevToolsBrowser.ProtocolError(description: "no screenshot data")
        }
        try data.write(to: URL(fileURLWithPath: path))
    }

    private func jsString(_ s: String) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: [s])) ?? Data("[\"\"]".utf8)
        return String(decoding: data.dropFirst().dropLast(), as: UTF8.self)
    }
}
