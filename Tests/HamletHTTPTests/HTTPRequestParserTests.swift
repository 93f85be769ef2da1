import HamletHTTP
import Testing

@Suite("HTTP request parser")
struct HTTPRequestParserTests {
    static let get = "GET /nodes/%E5%BC%A0%20x?name=%E5%BC%A0&q=a+b&flag HTTP/1.1\r\nHost: hub.local:8080\r\nUser-Agent: test\r\nACCEPT: text/html\r\n\r\n"
    static let post = "POST /nodes HTTP/1.1\r\nHost: hub\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 40\r\n\r\nname=%E5%BC%A0%E4%B8%89&note=a+b%2Bc&x=1"

    @Test func parsesAGet() throws {
        let results = parseWhole(Self.get)
        #expect(results.count == 1)
        let request = try #require(results.first?.request)
        #expect(request.method == "GET")
        #expect(request.target == "/nodes/%E5%BC%A0%20x?name=%E5%BC%A0&q=a+b&flag")
        #expect(request.path == "/nodes/张 x")
        #expect(request.query.map(\.0) == ["name", "q", "flag"])
        #expect(request.query.map(\.1) == ["张", "a b", ""])
        #expect(request.queryValue("q") == "a b")
        #expect(request.version == .http1_1)
        #expect(request.header("host") == "hub.local:8080")
        #expect(request.header("Accept") == "text/html")
        #expect(request.header("Cookie") == nil)
        #expect(request.headers.map(\.name) == ["Host", "User-Agent", "ACCEPT"])
        #expect(request.body.isEmpty)
        #expect(request.keepAlive)
    }

    @Test func parsesAPostForm() throws {
        let results = parseWhole(Self.post)
        let request = try #require(results.first?.request)
        #expect(results.count == 1)
        #expect(request.method == "POST")
        #expect(request.path == "/nodes")
        #expect(request.body.count == 40)
        let form = try #require(request.form)
        #expect(form.map(\.0) == ["name", "note", "x"])
        #expect(form.map(\.1) == ["张三", "a b+c", "1"])
        #expect(request.formValue("name") == "张三")
        #expect(request.formValue("missing") == nil)
    }

    @Test func formIsNilForOtherContentTypes() throws {
        let text = "POST / HTTP/1.1\r\nHost: h\r\nContent-Type: application/json\r\nContent-Length: 3\r\n\r\na=b"
        let request = try #require(parseWhole(text).first?.request)
        #expect(request.form == nil)
        let bare = "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\na=b"
        #expect(try #require(parseWhole(bare).first?.request).formValue("a") == "b")
        let charset = "POST / HTTP/1.1\r\nHost: h\r\nContent-Type: Application/X-WWW-Form-Urlencoded; charset=UTF-8\r\nContent-Length: 3\r\n\r\na=b"
        #expect(try #require(parseWhole(charset).first?.request).formValue("a") == "b")
    }

    @Test func chunkingDoesNotChangeTheResult() {
        let seed = testSeed("chunkingDoesNotChangeTheResult")
        var rng = SeededGenerator(seed: seed)
        let inputs = [
            Self.get,
            Self.post,
            Self.get + Self.post + Self.get,
            "GET / HTTP/1.0\n\n",
            "\r\n\r\nGET /a HTTP/1.1\nHost: h\n\n",
            Self.post.replacingOccurrences("\r\n", with: "\n"),
            Self.get + "GET /bad path HTTP/1.1\r\nHost: h\r\n\r\n",
            "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\nabc",
        ]
        for input in inputs {
            let bytes = Array(input.utf8)
            let whole = parse(bytes, chunks: [])
            #expect(!whole.isEmpty)
            #expect(parse(bytes, chunks: [1]) == whole, "byte by byte: \(input.debugDescription)")
            for _ in 0..<50 {
                let chunks = (0..<8).map { _ in Int.random(in: 1...20, using: &rng) }
                #expect(parse(bytes, chunks: chunks) == whole, "chunks \(chunks), seed \(seed)")
            }
        }
    }

    @Test func pipelinedRequestsComeOutInOrder() throws {
        var parser = HTTPRequestParser()
        parser.append(Array((Self.post + Self.get + "GET /third HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\nGET /partial").utf8))
        let first = try #require(parser.next().request)
        #expect(first.method == "POST")
        #expect(first.formValue("x") == "1")
        let second = try #require(parser.next().request)
        #expect(second.path == "/nodes/张 x")
        let third = try #require(parser.next().request)
        #expect(third.path == "/third")
        #expect(!third.keepAlive)
        #expect(parser.next() == .needMore)
        #expect(parser.hasPartialRequest)
        #expect(parser.bufferedByteCount == "GET /partial".utf8.count)
        parser.append(Array(" HTTP/1.1\r\nHost: h\r\n\r\n".utf8))
        #expect(try #require(parser.next().request).path == "/partial")
        #expect(parser.next() == .needMore)
        #expect(!parser.hasPartialRequest)
        #expect(parser.bufferedByteCount == 0)
    }

    @Test func bareLineFeedsAndLeadingBlankLines() throws {
        let request = try #require(parseWhole("\r\n\nPOST /x HTTP/1.1\nHost: h\nContent-Length: 2\n\nok").first?.request)
        #expect(request.path == "/x")
        #expect(request.body == Array("ok".utf8))
        let mixed = try #require(parseWhole("GET / HTTP/1.1\r\nHost: h\n\r\n").first?.request)
        #expect(mixed.header("Host") == "h")
    }

    @Test func keepAliveRules() throws {
        func keepAlive(_ text: String) throws -> Bool {
            try #require(parseWhole(text).first?.request).keepAlive
        }
        #expect(try keepAlive("GET / HTTP/1.1\r\nHost: h\r\n\r\n"))
        #expect(try !keepAlive("GET / HTTP/1.1\r\nHost: h\r\nConnection: Close\r\n\r\n"))
        #expect(try !keepAlive("GET / HTTP/1.1\r\nHost: h\r\nConnection: upgrade, close\r\n\r\n"))
        #expect(try !keepAlive("GET / HTTP/1.0\r\n\r\n"))
        #expect(try keepAlive("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n"))
    }

    @Test func targetForms() throws {
        let absolute = try #require(parseWhole("GET http://hub:8080/a%20b?x=1 HTTP/1.1\r\nHost: hub\r\n\r\n").first?.request)
        #expect(absolute.path == "/a b")
        #expect(absolute.queryValue("x") == "1")
        let bareAuthority = try #require(parseWhole("GET HTTP://hub HTTP/1.1\r\nHost: hub\r\n\r\n").first?.request)
        #expect(bareAuthority.path == "/")
        let star = try #require(parseWhole("OPTIONS * HTTP/1.1\r\nHost: hub\r\n\r\n").first?.request)
        #expect(star.path == "*")
        let rawUTF8 = try #require(parseWhole("GET /张?n=三 HTTP/1.1\r\nHost: hub\r\n\r\n").first?.request)
        #expect(rawUTF8.path == "/张")
        #expect(rawUTF8.queryValue("n") == "三")
        let plus = try #require(parseWhole("GET /a+b HTTP/1.1\r\nHost: hub\r\n\r\n").first?.request)
        #expect(plus.path == "/a+b")
    }

    @Test func limitsAreInclusive() throws {
        let limits = HTTPLimits(maxHeaderBytes: 200, maxHeaderCount: 3, maxBodyBytes: 5, maxTargetLength: 20)
        let target = "/" + String(repeating: "a", count: 19)
        let ok = "POST \(target) HTTP/1.1\r\nHost: h\r\nA: 1\r\nContent-Length: 5\r\n\r\nhello"
        #expect(try #require(parseWhole(ok, limits: limits).first?.request).body == Array("hello".utf8))
        let longTarget = "POST \(target)a HTTP/1.1\r\nHost: h\r\n\r\n"
        #expect(parseWhole(longTarget, limits: limits).first?.error?.code == .targetTooLong)
        let fourHeaders = "GET / HTTP/1.1\r\nHost: h\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n"
        #expect(parseWhole(fourHeaders, limits: limits).first?.error?.code == .tooManyHeaders)
        let bigBody = "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 6\r\n\r\n"
        #expect(parseWhole(bigBody, limits: limits).first?.error?.code == .bodyTooLarge)
        let bigHead = "GET / HTTP/1.1\r\nHost: h\r\nX: " + String(repeating: "v", count: 200) + "\r\n\r\n"
        #expect(parseWhole(bigHead, limits: limits).first?.error?.code == .headersTooLarge)
        // Too large before the end of the head arrives, byte by byte.
        let endless = "GET / HTTP/1.1\r\nHost: h\r\nX: " + String(repeating: "v", count: 300)
        #expect(parse(Array(endless.utf8), chunks: [1], limits: limits).last?.error?.code == .headersTooLarge)
        let endlessTarget = "GET /" + String(repeating: "t", count: 300)
        #expect(parse(Array(endlessTarget.utf8), chunks: [1], limits: limits).last?.error?.code == .targetTooLong)
    }

    @Test func failureIsSticky() {
        var parser = HTTPRequestParser()
        parser.append(Array("BROKEN\r\n\r\n".utf8))
        let first = parser.next()
        #expect(first.error?.status == 400)
        parser.append(Array("GET / HTTP/1.1\r\nHost: h\r\n\r\n".utf8))
        #expect(parser.next() == first)
        #expect(!parser.hasPartialRequest)
    }

    static let errorCases: [(String, HTTPParseError.Code, Int)] = [
        ("GET /\r\n\r\n", .malformedRequestLine, 400),
        ("GET  / HTTP/1.1\r\nHost: h\r\n\r\n", .malformedRequestLine, 400),
        ("G(T / HTTP/1.1\r\nHost: h\r\n\r\n", .malformedRequestLine, 400),
        ("GET / HTTX/1.1\r\nHost: h\r\n\r\n", .malformedRequestLine, 400),
        ("GET / HTTP/1.1 extra\r\nHost: h\r\n\r\n", .malformedRequestLine, 400),
        ("GET /\r HTTP/1.1\r\nHost: h\r\n\r\n", .malformedRequestLine, 400),
        ("GET / HTTP/1.1\r\nHost h\r\n\r\n", .malformedHeader, 400),
        ("GET / HTTP/1.1\r\nHost : h\r\n\r\n", .malformedHeader, 400),
        ("GET / HTTP/1.1\r\nHost: h\r\n folded\r\n\r\n", .malformedHeader, 400),
        ("GET / HTTP/1.1\r\nHost: h\u{01}\r\n\r\n", .malformedHeader, 400),
        ("GET / HTTP/1.1\r\n: empty\r\n\r\n", .malformedHeader, 400),
        ("GET /%zz HTTP/1.1\r\nHost: h\r\n\r\n", .invalidTarget, 400),
        ("GET /%FF%FE HTTP/1.1\r\nHost: h\r\n\r\n", .invalidTarget, 400),
        ("GET /?q=%E5%BC HTTP/1.1\r\nHost: h\r\n\r\n", .invalidTarget, 400),
        ("GET /a%00 HTTP/1.1\r\nHost: h\r\n\r\n", .invalidTarget, 400),
        ("GET /a#frag HTTP/1.1\r\nHost: h\r\n\r\n", .invalidTarget, 400),
        ("GET relative HTTP/1.1\r\nHost: h\r\n\r\n", .invalidTarget, 400),
        ("GET * HTTP/1.1\r\nHost: h\r\n\r\n", .invalidTarget, 400),
        ("CONNECT hub:443 HTTP/1.1\r\nHost: h\r\n\r\n", .invalidTarget, 400),
        ("GET / HTTP/1.1\r\n\r\n", .missingHost, 400),
        ("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", .missingHost, 400),
        ("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: abc\r\n\r\n", .badContentLength, 400),
        ("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: -1\r\n\r\n", .badContentLength, 400),
        ("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1, 1\r\n\r\n", .badContentLength, 400),
        ("POST / HTTP/1.1\r\nHost: h\r\nContent-Length:\r\n\r\n", .badContentLength, 400),
        ("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n", .badContentLength, 400),
        ("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 65537\r\n\r\n", .bodyTooLarge, 413),
        ("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 99999999999999999999999999\r\n\r\n", .bodyTooLarge, 413),
        ("GET /" + String(repeating: "a", count: 4096) + " HTTP/1.1\r\nHost: h\r\n\r\n", .targetTooLong, 414),
        ("GET /" + String(repeating: "a", count: 8000), .targetTooLong, 414),
        ("GET / HTTP/1.1\r\nHost: h\r\nX: " + String(repeating: "v", count: 16400) + "\r\n\r\n", .headersTooLarge, 431),
        ("GET / HTTP/1.1\r\nHost: h\r\n" + String(repeating: "X: 1\r\n", count: 64) + "\r\n", .tooManyHeaders, 431),
        ("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", .unsupportedTransferEncoding, 501),
        ("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n", .unsupportedTransferEncoding, 501),
        ("GET / HTTP/2.0\r\nHost: h\r\n\r\n", .unsupportedVersion, 505),
        ("GET / HTTP/0.9\r\n\r\n", .unsupportedVersion, 505),
    ]

    @Test(arguments: errorCases)
    func errorStatus(input: String, code: HTTPParseError.Code, status: Int) throws {
        for chunks in [[], [1], [7]] {
            let results = parse(Array(input.utf8), chunks: chunks)
            let error = try #require(results.last?.error, "\(chunks)")
            #expect(error.code == code)
            #expect(error.status == status)
            #expect(results.count == 1)
        }
    }

    @Test func repeatedHostAndContentLengthRules() throws {
        let sameLength = "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\ncontent-length: 2\r\n\r\nok"
        #expect(try #require(parseWhole(sameLength).first?.request).body == Array("ok".utf8))
        let http10NoHost = "GET / HTTP/1.0\r\n\r\n"
        #expect(parseWhole(http10NoHost).first?.request != nil)
    }

    @Test func errorDescriptionsAreStable() {
        for code in HTTPParseError.Code.allCases {
            let error = HTTPParseError(code)
            #expect(error.description.hasPrefix(code.rawValue + ": "))
            #expect([400, 413, 414, 431, 501, 505].contains(error.status))
        }
    }
}

extension String {
    func replacingOccurrences(_ target: String, with replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
