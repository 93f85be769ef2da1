import Foundation
import HamletCore
import HamletHTTP
import HamletHub
import HamletNet
import HamletStore
import HamletTestSupport
import Testing

/// A hub folder whose conflicts were made the way real ones are: `HubStore.reconcile` of node batches.
///
/// - field: two 北赵 nodes edit 张丽's name concurrently (`#field`), and the household address, one value carrying
///   HTML metacharacters (`#escape`);
/// - delete: one node deletes a household while the other edits it (`#delete`);
/// - duplicate: 南庄 registers 王秀英 again with her 北赵 national ID (`#duplicate`); an event references the 北赵 row,
///   a 南庄 household names the 南庄 row as head.
struct WebScenario {
    let dir: TempDir
    var person: String = ""        // 张丽 (field conflict on name)
    var household: String = ""     // address conflict with <, >, &, quotes
    var doomed: String = ""        // delete conflict
    var bride: String = ""         // 王秀英 in 北赵 (registered first)
    var brideAgain: String = ""    // 王秀英 in 南庄
    var event: String = ""         // references bride
    var southHousehold: String = "" // head = brideAgain
    var fieldConflict: Int64 = 0
    var escapeConflict: Int64 = 0
    var deleteConflict: Int64 = 0
    var duplicateConflict: Int64 = 0

    static let hostileAddress = "北赵村<一组> & \"12\"号"
    static let eventDetail = "嫁到南庄，登记人：李\"会计\"\n备注：原户口未注销"

    init() throws {
        dir = TempDir("web")
        let store = try HubStore.create(directory: dir.path)
        let now = wallMillisNow()
        for (id, village) in [("beizhao", "北赵"), ("beizhao-doctor", "北赵"), ("nanzhuang", "南庄")] {
            try store.addNode(id: id, village: village, secretHash: String(repeating: "0", count: 64), wallMillis: now)
        }
        var seqs: [String: Int64] = [:]
        var counter: Int64 = 0
        func change(_ node: String, _ table: String, _ row: String, _ values: Fields, op: ChangeOp = .put,
                    bases: [String: Int64] = [:], rowBase: Int64 = 0) -> Change {
            seqs[node, default: 0] += 1
            counter += 1
            return Change(node: node, seq: seqs[node] ?? 1, table: table, row: row, op: op, values: values,
                          bases: values.isEmpty ? bases : values.mapValues { _ in 0 }.merging(bases) { _, b in b },
                          rowBase: rowBase, hlc: HLC(wall: now + counter, counter: 0, node: node), author: node == "beizhao" ? "村专干王芳" : "村医刘强",
                          epoch: "")
        }
        func push(_ node: String, _ village: String, _ changes: [Change]) throws -> [ChangeResult] {
            let results = try store.reconcile(changes, from: BatchSource(node: node, village: village), wallMillis: now)
            for r in results where r.status.rawValue == "rejected" {
                throw TestFailure("rejected \(r.code ?? "") \(r.message ?? "")")
            }
            return results
        }
        func newID() -> String {
            var rng = SystemRandomNumberGenerator()
            return RowID.make(unixMillis: wallMillisNow(), using: &rng)
        }
        person = newID(); household = newID(); doomed = newID(); bride = newID(); event = newID()
        let birth = try #require(CalendarDate(year: 1990, month: 3, day: 12))
        let brideID = NationalID.make(region: 130123, birth: birth, sequence: 24)
        let zhangID = NationalID.make(region: 130123, birth: try #require(CalendarDate(year: 1988, month: 7, day: 1)), sequence: 42)
        let first = try push("beizhao", "北赵", [
            change("beizhao", "households", household, ["village": .text("北赵"), "address": .text("北赵村一组 12 号")]),
            change("beizhao", "people", person, ["village": .text("北赵"), "household": .text(household), "name": .text("张丽"),
                                                "sex": .text("F"), "birth_date": .text("1988-07-01"), "national_id": .text(zhangID)]),
            change("beizhao", "households", doomed, ["village": .text("北赵"), "address": .text("北赵村三组 5 号")]),
            change("beizhao", "people", bride, ["village": .text("北赵"), "name": .text("王秀英"), "sex": .text("F"),
                                               "birth_date": .text("1990-03-12"), "national_id": .text(brideID),
                                               "marital_status": .text("single")]),
            change("beizhao", "events", event, ["village": .text("北赵"), "person": .text(bride), "kind": .text("marriage"),
                                               "date": .text("2015-05-01"), "detail": .text(WebScenario.eventDetail)]),
        ])
        let h = first.map { $0.hseq ?? 0 }
        _ = try push("beizhao-doctor", "北赵", [
            change("beizhao-doctor", "people", person, ["name": .text("张莉")], bases: ["name": h[1]], rowBase: h[1]),
            change("beizhao-doctor", "households", household, ["address": .text(WebScenario.hostileAddress)], bases: ["address": h[0]], rowBase: h[0]),
            change("beizhao-doctor", "households", doomed, ["address": .text("北赵村三组 6 号")], bases: ["address": h[2]], rowBase: h[2]),
        ])
        _ = try push("beizhao", "北赵", [
            change("beizhao", "people", person, ["name": .text("张丽华")], bases: ["name": h[1]], rowBase: h[1]),
            change("beizhao", "households", household, ["address": .text("北赵村一组 12 号院")], bases: ["address": h[0]], rowBase: h[0]),
            change("beizhao", "households", doomed, [:], op: .delete, rowBase: h[2]),
        ])
        brideAgain = newID(); southHousehold = newID()
        _ = try push("nanzhuang", "南庄", [
            change("nanzhuang", "people", brideAgain, ["village": .text("南庄"), "name": .text("王秀英"), "sex": .text("F"),
                                                     "birth_date": .text("1990-03-12"), "national_id": .text(brideID),
                                                     "marital_status": .text("married"), "current_address": .text("南庄村二组 3 号")]),
            change("nanzhuang", "households", southHousehold, ["village": .text("南庄"), "address": .text("南庄村二组 3 号"),
                                                                "head": .text(brideAgain)]),
        ])
        for c in try store.conflicts(status: nil) {
            switch (c.kind, c.table) {
            case (.field, "people"): fieldConflict = c.id
            case (.field, "households"): escapeConflict = c.id
            case (.delete, _): deleteConflict = c.id
            case (.duplicate, _): duplicateConflict = c.id
            default: break
            }
        }
        guard fieldConflict > 0, escapeConflict > 0, deleteConflict > 0, duplicateConflict > 0 else {
            throw TestFailure("scenario made conflicts \(try store.conflicts(status: nil).map { "\($0.kind)/\($0.table)" })")
        }
    }

    func openStore() throws -> HubStore { try HubStore.open(directory: dir.path) }
}

/// A running `HubServer` with the operator console on 127.0.0.1:0.
///
/// `@unchecked Sendable`: every stored property is immutable and thread-safe by itself, or a value.
final class WebFixture: @unchecked Sendable {
    let scenario: WebScenario
    let console: OperatorConsole
    let server: HubServer
    let web: SocketAddress

    init(token: String? = nil, limits: HTTPLimits = HTTPLimits()) throws {
        scenario = try WebScenario()
        console = OperatorConsole(configuration: .init(directory: scenario.dir.path, token: token, language: .zh, limits: limits))
        server = try HubServer(configuration: HubServerConfiguration(
            directory: scenario.dir.path, listen: .loopback(), web: .loopback(), webHandlerFactory: console.handlerFactory,
            logger: QuietLogger()))
        guard let bound = try server.start().web else { throw TestFailure("no web address") }
        web = bound
    }

    deinit {
        server.stop(grace: .seconds(1))
        console.stop()
        scenario.dir.remove()
    }

    func client() -> WebClient { WebClient(address: web) }
}

struct QuietLogger: HubLogger {
    func log(_ line: String) {}
}

/// One HTTP response as the test client read it.
struct WebResponse {
    var status: Int
    var headers: [(String, String)]
    var body: [UInt8]
    var text: String { String(decoding: body, as: UTF8.self) }
    func header(_ name: String) -> String? { headers.first { $0.0.lowercased() == name.lowercased() }?.1 }
    func headerValues(_ name: String) -> [String] { headers.filter { $0.0.lowercased() == name.lowercased() }.map(\.1) }
}

/// A tiny HTTP/1.1 client over `ClientSocket` with a cookie jar; one connection per request unless told otherwise.
final class WebClient {
    let address: SocketAddress
    /// The local address to connect from (127.0.0.2 plays a second client machine); nil lets the kernel choose.
    var source: SocketAddress?
    var cookies: [String: String] = [:]

    init(address: SocketAddress, source: SocketAddress? = nil) {
        self.address = address
        self.source = source
    }

    var host: String { "\(address)" }
    var origin: String { "http://\(address)" }

    static func deadline() -> ContinuousClock.Instant { .now.advanced(by: .seconds(10)) }

    func get(_ path: String, headers: [(String, String)] = []) throws -> WebResponse {
        try send("GET", path, headers: headers)
    }

    func post(_ path: String, form: [(String, String)], origin: String? = nil, headers: [(String, String)] = []) throws -> WebResponse {
        var h = headers
        h.append(("Content-Type", "application/x-www-form-urlencoded"))
        h.append(("Origin", origin ?? self.origin))
        return try send("POST", path, headers: h, body: Array(FormCoding.encode(form).utf8))
    }

    /// Posts a page's form: finds the form with this action in `page`, takes its CSRF token, adds `fields`.
    func submit(_ page: WebResponse, action: String, _ fields: [(String, String)]) throws -> WebResponse {
        let token = try #require(WebClient.csrf(in: page.text, action: action), "no form with action \(action)")
        return try post(action, form: [("csrf", token)] + fields)
    }

    /// The CSRF token of the first form posting to `action`.
    static func csrf(in html: String, action: String) -> String? {
        guard let form = html.range(of: "action=\"\(action)\"") else { return nil }
        let rest = html[form.upperBound...]
        guard let name = rest.range(of: "name=\"csrf\" value=\"") else { return nil }
        let after = rest[name.upperBound...]
        guard let end = after.firstIndex(of: "\"") else { return nil }
        return String(after[..<end])
    }

    func send(_ method: String, _ path: String, headers: [(String, String)] = [], body: [UInt8] = []) throws -> WebResponse {
        let socket = try ClientSocket.connect(to: address, from: source, timeout: .seconds(5))
        defer { socket.close() }
        var head = "\(method) \(path) HTTP/1.1\r\nHost: \(host)\r\nConnection: close\r\n"
        if !cookies.isEmpty {
            head += "Cookie: " + cookies.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "; ") + "\r\n"
        }
        for (n, v) in headers { head += "\(n): \(v)\r\n" }
        if !body.isEmpty || method == "POST" { head += "Content-Length: \(body.count)\r\n" }
        head += "\r\n"
        try socket.write(Array(head.utf8) + body, deadline: WebClient.deadline())
        let response = try WebClient.readResponse(socket, method: method)
        for value in response.headerValues("Set-Cookie") {
            guard let pair = value.split(separator: ";").first else { continue }
            let kv = pair.split(separator: "=", maxSplits: 1)
            if kv.count == 2 { cookies[String(kv[0])] = String(kv[1]) }
        }
        return response
    }

    /// Reads one response (head, then `Content-Length` bytes).
    static func readResponse(_ socket: ClientSocket, method: String = "GET") throws -> WebResponse {
        var buffer: [UInt8] = []
        var headEnd: Int?
        while headEnd == nil {
            let chunk = try socket.read(upTo: 65536, deadline: deadline())
            if chunk.isEmpty { throw TestFailure("EOF before the response head (\(buffer.count) bytes)") }
            buffer += chunk
            if let r = find([13, 10, 13, 10], in: buffer) { headEnd = r }
        }
        let end = headEnd ?? 0
        let lines = String(decoding: buffer[0..<end], as: UTF8.self).components(separatedBy: "\r\n")
        let statusParts = (lines.first ?? "").split(separator: " ")
        let status = statusParts.count > 1 ? Int(statusParts[1]) ?? 0 : 0
        var headers: [(String, String)] = []
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers.append((String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        let length = headers.first { $0.0.lowercased() == "content-length" }.flatMap { Int($0.1) } ?? 0
        var body = Array(buffer[(end + 4)...])
        if method != "HEAD", headers.contains(where: { $0.0.lowercased() == "transfer-encoding" && $0.1.lowercased() == "chunked" }) {
            return WebResponse(status: status, headers: headers, body: try readChunked(socket, body))
        }
        let expected = method == "HEAD" ? 0 : length
        while body.count < expected {
            let chunk = try socket.read(upTo: 65536, deadline: deadline())
            if chunk.isEmpty { break }
            body += chunk
        }
        return WebResponse(status: status, headers: headers, body: body)
    }

    /// Reads a chunked body to its last chunk (`received` holds what came after the head), and de-chunks it.
    static func readChunked(_ socket: ClientSocket, _ received: [UInt8]) throws -> [UInt8] {
        var raw = received
        var body: [UInt8] = []
        var at = 0
        while true {
            while find([13, 10], in: Array(raw[at...])) == nil { raw += try more(socket) }
            let lineEnd = at + (find([13, 10], in: Array(raw[at...])) ?? 0)
            let size = try #require(Int(String(decoding: raw[at..<lineEnd], as: UTF8.self), radix: 16), "a chunk size")
            let start = lineEnd + 2
            while raw.count < start + size + 2 { raw += try more(socket) }
            if size == 0 { return body }
            body += raw[start..<(start + size)]
            at = start + size + 2
        }
    }

    private static func more(_ socket: ClientSocket) throws -> [UInt8] {
        let chunk = try socket.read(upTo: 65536, deadline: deadline())
        if chunk.isEmpty { throw TestFailure("EOF inside a chunked body") }
        return chunk
    }

    static func find(_ needle: [UInt8], in hay: [UInt8]) -> Int? {
        guard hay.count >= needle.count else { return nil }
        for i in 0...(hay.count - needle.count) where hay[i] == needle[0] && Array(hay[i..<(i + needle.count)]) == needle {
            return i
        }
        return nil
    }
}
