import HamletHTTP
import Testing

@Suite("Form coding")
struct FormCodingTests {
    @Test func decodesChineseAndPlus() throws {
        let pairs = try #require(FormCoding.decode(Array("name=%E5%BC%A0&note=a+b%2B&empty=&bare&&x=%e4%b8%89".utf8)))
        #expect(pairs.map(\.0) == ["name", "note", "empty", "bare", "x"])
        #expect(pairs.map(\.1) == ["张", "a b+", "", "", "三"])
        let query = try #require(FormCoding.decode(query: "q=%E5%BC%A0+%E4%B8%89&page=2"))
        #expect(query.map(\.1) == ["张 三", "2"])
        #expect(FormCoding.decode([])?.isEmpty == true)
        // Raw UTF-8 passes through.
        #expect(FormCoding.decode(Array("n=张".utf8))?.first?.1 == "张")
        #expect(FormCoding.decode(Array("a=b=c".utf8))?.first?.1 == "b=c")
    }

    @Test(arguments: ["%", "%4", "%zz", "a=%E5%BC", "a=%FF", "%C0%AF"])
    func rejectsBadEscapes(_ text: String) {
        #expect(FormCoding.decode(Array(text.utf8)) == nil)
        #expect(FormCoding.decode(query: text) == nil)
    }

    @Test func rejectsInvalidUTF8Body() {
        #expect(FormCoding.decode([UInt8(ascii: "a"), UInt8(ascii: "="), 0xff]) == nil)
    }

    @Test func percentDecodeHonoursPlusFlag() {
        #expect(FormCoding.percentDecode("a+b%20c", plusIsSpace: true) == "a b c")
        #expect(FormCoding.percentDecode("a+b%20c", plusIsSpace: false) == "a+b c")
        #expect(FormCoding.percentDecode("%E5%BC%A0", plusIsSpace: false) == "张")
        #expect(FormCoding.percentDecode("100%", plusIsSpace: false) == nil)
    }

    @Test func percentEncodeRoundTrips() {
        #expect(FormCoding.percentEncode("张 三/a+b&c=d~._-") == "%E5%BC%A0%20%E4%B8%89%2Fa%2Bb%26c%3Dd~._-")
        for text in ["", "张三", "a b+c&d=e%f", "emoji 🎉", "line\nbreak"] {
            #expect(FormCoding.percentDecode(FormCoding.percentEncode(text), plusIsSpace: true) == text)
        }
        let pairs = [("姓名", "张 三"), ("a&b", "c=d")]
        let decoded = FormCoding.decode(Array(FormCoding.encode(pairs).utf8))
        #expect(decoded?.map(\.0) == pairs.map(\.0))
        #expect(decoded?.map(\.1) == pairs.map(\.1))
    }
}

@Suite("HTML escaping")
struct HTMLTests {
    @Test func escapesTheFiveCharacters() {
        #expect(HTML.escape(#"<a href="x">Tom & 'Jerry'</a>"#)
            == "&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/a&gt;")
        #expect(HTML.escape("张三") == "张三")
        #expect(HTML.escape("") == "")
        #expect(HTML.escape("&amp;") == "&amp;amp;")
        #expect(HTML.escape("<script>张</script>") == "&lt;script&gt;张&lt;/script&gt;")
    }
}

@Suite("HTTP response encoding")
struct HTTPResponseTests {
    private func text(_ bytes: [UInt8]) -> String {
        String(decoding: bytes, as: UTF8.self)
    }

    @Test func encodesStatusHeadersLengthAndBody() {
        let response = HTTPResponse(status: 200, headers: [("X-Test", "1")], body: Array("张".utf8))
        #expect(text(response.encode(keepAlive: true))
            == "HTTP/1.1 200 OK\r\nX-Test: 1\r\nContent-Length: 3\r\nConnection: keep-alive\r\n\r\n张")
        #expect(text(response.encode(keepAlive: false))
            == "HTTP/1.1 200 OK\r\nX-Test: 1\r\nContent-Length: 3\r\nConnection: close\r\n\r\n张")
        #expect(text(response.encode(keepAlive: false, includeBody: false))
            == "HTTP/1.1 200 OK\r\nX-Test: 1\r\nContent-Length: 3\r\nConnection: close\r\n\r\n")
    }

    @Test func htmlCarriesSecurityHeaders() {
        let page = HTTPResponse.html("<p>hi</p>")
        #expect(page.status == 200)
        #expect(page.header("content-type") == "text/html; charset=utf-8")
        #expect(page.header("X-Content-Type-Options") == "nosniff")
        #expect(page.header("Content-Security-Policy") == "default-src 'self'; style-src 'self' 'unsafe-inline'")
        #expect(page.header("X-Frame-Options") == "DENY")
        #expect(page.header("Referrer-Policy") == "same-origin")
        #expect(page.header("Cache-Control") == "no-store")
        let wire = text(page.encode(keepAlive: true))
        #expect(wire.hasPrefix("HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"))
        #expect(wire.hasSuffix("Content-Length: 9\r\nConnection: keep-alive\r\n\r\n<p>hi</p>"))
        #expect(HTTPResponse.text("ok", status: 201).header("Content-Type") == "text/plain; charset=utf-8")
        #expect(HTTPResponse.text("ok", status: 201).status == 201)
    }

    @Test func redirectIs303() {
        let response = HTTPResponse.redirect(to: "/nodes?added=1")
        #expect(response.status == 303)
        #expect(response.header("Location") == "/nodes?added=1")
        #expect(text(response.encode(keepAlive: true)).hasPrefix("HTTP/1.1 303 See Other\r\nLocation: /nodes?added=1\r\n"))
        #expect(text(response.encode(keepAlive: true)).contains("Content-Length: 0\r\n"))
    }

    @Test(arguments: [400, 404, 405, 413, 414, 431, 500, 501, 505])
    func errorPages(status: Int) {
        let response = HTTPResponse.error(status, message: "<bad> & \"worse\"")
        #expect(response.status == status)
        let body = text(response.body)
        #expect(body.contains("<h1>\(status) \(HTTPResponse.reasonPhrase(for: status))</h1>"))
        #expect(body.contains("&lt;bad&gt; &amp; &quot;worse&quot;"))
        #expect(response.header("X-Frame-Options") == "DENY")
        #expect(HTTPResponse.reasonPhrase(for: status) != "Unknown")
    }

    @Test func framingCannotBeOverriddenOrInjected() {
        let response = HTTPResponse(
            status: 200,
            headers: [
                ("Content-Length", "999"), ("connection", "upgrade"), ("Transfer-Encoding", "chunked"),
                ("Bad Name", "x"), ("X-Evil", "a\r\nSet-Cookie: b"), ("", "empty"),
            ],
            body: Array("ok".utf8)
        )
        #expect(text(response.encode(keepAlive: false))
            == "HTTP/1.1 200 OK\r\nX-Evil: a  Set-Cookie: b\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
    }

    @Test func bodylessStatusesAndOddCodes() {
        let noContent = HTTPResponse(status: 204, body: Array("ignored".utf8))
        #expect(text(noContent.encode(keepAlive: true)) == "HTTP/1.1 204 No Content\r\nConnection: keep-alive\r\n\r\n")
        #expect(text(HTTPResponse(status: 304).encode(keepAlive: true)) == "HTTP/1.1 304 Not Modified\r\nConnection: keep-alive\r\n\r\n")
        #expect(text(HTTPResponse(status: 42).encode(keepAlive: false)).hasPrefix("HTTP/1.1 500 Internal Server Error\r\n"))
        #expect(text(HTTPResponse(status: 299).encode(keepAlive: false)).hasPrefix("HTTP/1.1 299 Unknown\r\n"))
    }

    @Test func parserErrorsMapToErrorResponses() throws {
        var parser = HTTPRequestParser()
        parser.append(Array("GET / HTTP/3.0\r\n\r\n".utf8))
        guard case .failure(let error) = parser.next() else {
            Issue.record("expected a failure")
            return
        }
        let wire = text(HTTPResponse.error(error.status).encode(keepAlive: false))
        #expect(wire.hasPrefix("HTTP/1.1 505 HTTP Version Not Supported\r\n"))
    }
}
