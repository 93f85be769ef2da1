import Foundation
import HamletHTTP
import Testing

/// `multipart/form-data` (RFC 7578): hand-made bodies as browsers send them, hostile and broken ones, a seeded
/// fuzz round trip, and bodies made by Python (urllib3, and the standard `email` package) read back field by field.
@Suite("multipart/form-data")
struct MultipartTests {
    static let boundary = "----WebKitFormBoundary7MA4YWxkTrZu0gW"
    static let contentType = "multipart/form-data; boundary=\(boundary)"

    /// A body as Chromium sends the 比对 form: the token, a file with CRLF, `--` lines and non-UTF-8 bytes, a select.
    static let fileBytes: [UInt8] = Array("身份证号,姓名\r\n--\r\n--\(boundary)X\r\n".utf8) + [0x00, 0xff, 0x0d, 0x0a, 0x2d]
    static func browserBody() -> [UInt8] {
        var b = Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\ntok.123\r\n".utf8)
        b += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"公安%22户籍%22.csv\"\r\n".utf8)
        b += Array("Content-Type: text/csv\r\n\r\n".utf8) + fileBytes
        b += Array("\r\n--\(boundary)\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\nhukou\r\n--\(boundary)--\r\n".utf8)
        return b
    }

    @Test func browserBodyParses() throws {
        let parts = try Multipart.parse(Self.browserBody(), contentType: Self.contentType)
        #expect(parts.map(\.name) == ["csrf", "file", "kind"])
        #expect(parts[0].text == "tok.123" && parts[0].filename == nil && parts[0].contentType == nil)
        #expect(parts[1].filename == "公安\"户籍\".csv" && parts[1].contentType == "text/csv")
        #expect(parts[1].body == Self.fileBytes, "the boundary text inside the content, not on its own line, is content")
        #expect(parts[2].text == "hukou")
        let request = HTTPRequest(method: "POST", target: "/compare", path: "/compare",
                                  headers: [HTTPField(name: "content-type", value: Self.contentType)], body: Self.browserBody())
        #expect(request.isMultipart && request.form == nil)
        #expect(try request.multipart() == parts)
    }

    @Test func quotedBoundaryPreambleEpiloguePaddingAndExtendedFilename() throws {
        let body = Array(("this is a preamble\r\n--a'b()+_,-./:=?\t \r\n"
            + "content-disposition: FORM-DATA; name=\"f;x\"; filename*=UTF-8''%E5%90%8D%E5%8D%95.xlsx; filename=\"fallback\"\r\n\r\n"
            + "\r\n--a'b()+_,-./:=?--\r\nepilogue --a'b()+_,-./:=?\r\n").utf8)
        let parts = try Multipart.parse(body, contentType: "Multipart/Form-Data ; boundary=\"a'b()+_,-./:=?\"")
        #expect(parts.count == 1)
        #expect(parts[0].name == "f;x" && parts[0].filename == "名单.xlsx" && parts[0].body.isEmpty)
        #expect(try Multipart.parse(Array("--x--".utf8), boundary: "x").isEmpty, "a body of the closing delimiter has no parts")
    }

    static let badTypes: [(String, MultipartError.Code)] = [
        ("text/plain", .notMultipart),
        ("multipart/mixed; boundary=x", .notMultipart),
        ("multipart/form-data", .badBoundary),
        ("multipart/form-data; boundary=", .badBoundary),
        ("multipart/form-data; boundary=\"\"", .badBoundary),
        ("multipart/form-data; boundary=" + String(repeating: "a", count: 71), .badBoundary),
        ("multipart/form-data; boundary=a<b", .badBoundary),
        ("multipart/form-data; boundary=\"ab \"", .badBoundary),
        ("multipart/form-data; boundary=张", .badBoundary),
    ]

    @Test(arguments: badTypes)
    func badContentTypes(contentType: String, code: MultipartError.Code) {
        #expect(throws: MultipartError(code)) { try Multipart.boundary(contentType: contentType) }
    }

    @Test func seventyCharacterBoundaryIsAccepted() throws {
        let b = String(repeating: "z", count: 70)
        #expect(try Multipart.boundary(contentType: "multipart/form-data; charset=utf-8; boundary=\(b)") == b)
    }

    static func part(_ headers: String, _ content: String = "v") -> String {
        "--b\r\n\(headers)\r\n\r\n\(content)\r\n"
    }

    static let brokenBodies: [(String, MultipartError.Code)] = [
        ("", .noFirstBoundary),
        ("no boundary at all", .noFirstBoundary),
        ("--b\nContent-Disposition: form-data; name=\"a\"\n\nv\n--b--\n", .noFirstBoundary),
        ("--bX\r\n", .noFirstBoundary),
        (part("Content-Disposition: form-data; name=\"a\""), .missingFinalBoundary),
        (part("Content-Disposition: form-data; name=\"a\"") + "--b", .missingFinalBoundary),
        ("--b\r\nContent-Disposition: form-data; name=\"a\"", .missingFinalBoundary),
        ("--b\r\n", .missingFinalBoundary),
        (part("Content-Disposition: form-data; name=\"a\"", "v\r\n--bX") + "--c--", .missingFinalBoundary),
        (part("Content-Disposition: attachment; name=\"a\"") + "--b--", .missingName),
        (part("Content-Disposition: form-data") + "--b--", .missingName),
        (part("Content-Type: text/plain") + "--b--", .missingName),
        ("--b\r\n\r\nv\r\n--b--", .missingName),
        (part("Content-Disposition: form-data; name=\"a\"\r\nContent-Disposition: form-data; name=\"b\"") + "--b--", .missingName),
        (part("Content-Disposition form-data") + "--b--", .malformedPartHeader),
        (part(" Content-Disposition: form-data; name=\"a\"") + "--b--", .malformedPartHeader),
        ("--b\r\nContent-Disposition: form-data; name=\"a\"\n\nv\r\n--b--", .malformedPartHeader),
        (part("Content-Disposition: form-data; name=\"a\"\rX: y") + "--b--", .malformedPartHeader),
    ]

    @Test(arguments: brokenBodies)
    func malformedBodies(body: String, code: MultipartError.Code) {
        #expect(throws: MultipartError(code)) { try Multipart.parse(Array(body.utf8), boundary: "b") }
    }

    @Test func nonUTF8HeaderIsRefused() {
        let body = Array("--b\r\nContent-Disposition: form-data; name=\"".utf8) + [0xff] + Array("\"\r\n\r\nv\r\n--b--".utf8)
        #expect(throws: MultipartError(.malformedPartHeader)) { try Multipart.parse(body, boundary: "b") }
    }

    @Test func limitsOnHeadersAndParts() {
        let huge = Self.part("Content-Disposition: form-data; name=\"a\"\r\nX-Pad: " + String(repeating: "p", count: 10_000)) + "--b--"
        #expect(throws: MultipartError(.partHeaderTooLarge)) { try Multipart.parse(Array(huge.utf8), boundary: "b") }
        let endless = "--b\r\nContent-Disposition: form-data; name=\"a\"\r\nX: " + String(repeating: "p", count: 100_000)
        #expect(throws: MultipartError(.partHeaderTooLarge)) { try Multipart.parse(Array(endless.utf8), boundary: "b") }
        let lines = Self.part("Content-Disposition: form-data; name=\"a\"" + String(repeating: "\r\nX: y", count: 16)) + "--b--"
        #expect(throws: MultipartError(.partHeaderTooLarge)) { try Multipart.parse(Array(lines.utf8), boundary: "b") }
        let many = String(repeating: Self.part("Content-Disposition: form-data; name=\"a\""), count: 33) + "--b--"
        #expect(throws: MultipartError(.tooManyParts)) { try Multipart.parse(Array(many.utf8), boundary: "b") }
        let allowed = String(repeating: Self.part("Content-Disposition: form-data; name=\"a\""), count: 32) + "--b--"
        #expect((try? Multipart.parse(Array(allowed.utf8), boundary: "b"))?.count == 32)
    }

    @Test func everyTruncationIsAnErrorNeverACrash() {
        let body = Self.browserBody()
        let closeEnd = body.count - 2  // after `--boundary--`, only the epilogue's CRLF is optional
        for length in 0..<closeEnd {
            #expect(throws: MultipartError.self, "prefix of \(length) bytes") {
                try Multipart.parse(Array(body.prefix(length)), contentType: Self.contentType)
            }
        }
        #expect((try? Multipart.parse(Array(body.prefix(closeEnd)), contentType: Self.contentType))?.count == 3)
    }

    @Test func hostileDelimiterPrefixesStayLinear() throws {
        // Megabytes of near-delimiters: each CR is looked at once and the scan skips what it matched.
        let near = Array(String(repeating: "\r\n--\(Self.boundary.dropLast())", count: 60_000).utf8)
        var body = Array("--\(Self.boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x\"\r\n\r\n".utf8)
        body += near + Array("\r\n--\(Self.boundary)--".utf8)
        let clock = ContinuousClock()
        var parts: [MultipartPart] = []
        let elapsed = try clock.measure { parts = try Multipart.parse(body, contentType: Self.contentType) }
        #expect(parts.first?.body == near)
        #expect(elapsed < .seconds(5), "\(elapsed) for \(body.count) bytes")
    }

    // MARK: - Fuzz

    static func encode(_ parts: [MultipartPart], boundary: String) -> [UInt8] {
        var out: [UInt8] = []
        for p in parts {
            out += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(p.name)\"".utf8)
            if let f = p.filename { out += Array("; filename=\"\(f)\"".utf8) }
            out += Array("\r\n".utf8)
            if let c = p.contentType { out += Array("Content-Type: \(c)\r\n".utf8) }
            out += Array("\r\n".utf8) + p.body + Array("\r\n".utf8)
        }
        return out + Array("--\(boundary)--\r\n".utf8)
    }

    @Test func seededRoundTripAndMutations() {
        var rng = SeededGenerator(seed: testSeed("multipart fuzz"))
        let alphabet: [UInt8] = [0x0d, 0x0a, 0x2d, 0x2d, 0x20, 0x22, 0x3b, 0x00, 0xff] + Array("bound".utf8)
        for _ in 0..<300 {
            let boundary = "fz" + String((0..<Int.random(in: 1...20, using: &rng)).map { _ in "abcXYZ019-_".randomElement(using: &rng) ?? "a" })
            let parts: [MultipartPart] = (0..<Int.random(in: 0...5, using: &rng)).map { k in
                let body = (0..<Int.random(in: 0...80, using: &rng)).map { _ in
                    Bool.random(using: &rng) ? alphabet.randomElement(using: &rng) ?? 0 : UInt8.random(in: 0...255, using: &rng)
                }
                let file = Bool.random(using: &rng)
                return MultipartPart(name: "f\(k)", filename: file ? "名单\(k).csv" : nil, contentType: file ? "text/csv" : nil, body: body)
            }
            let encoded = Self.encode(parts, boundary: boundary)
            guard let read = try? Multipart.parse(encoded, boundary: boundary) else {
                Issue.record("round trip failed for boundary \(boundary)")
                continue
            }
            #expect(read.map(\.name) == parts.map(\.name) && read.map(\.body) == parts.map(\.body)
                    && read.map(\.filename) == parts.map(\.filename) && read.map(\.contentType) == parts.map(\.contentType))
            for _ in 0..<10 {
                var mutated = encoded
                for _ in 0..<Int.random(in: 1...4, using: &rng) where !mutated.isEmpty {
                    let i = Int.random(in: 0..<mutated.count, using: &rng)
                    switch Int.random(in: 0..<4, using: &rng) {
                    case 0: mutated[i] = alphabet.randomElement(using: &rng) ?? 0
                    case 1: mutated.remove(at: i)
                    case 2: mutated.insert(contentsOf: alphabet.shuffled(using: &rng).prefix(3), at: i)
                    default: mutated = Array(mutated.prefix(i))
                    }
                }
                if let again = try? Multipart.parse(mutated, boundary: boundary) {
                    #expect(again.count <= MultipartLimits().maxParts)
                    #expect(again.reduce(0) { $0 + $1.body.count } <= mutated.count)
                }
            }
        }
    }

    // MARK: - Python as an outside oracle

    struct Oracle: Decodable {
        struct Part: Decodable {
            var name: String
            var filename: String?
            var content_type: String?
            var body_hex: String
        }
        var content_type: String
        var body_hex: String
        var parts: [Part]
    }

    static func hex(_ s: String) -> [UInt8] {
        let chars = Array(s.utf8)
        return stride(from: 0, to: chars.count - 1, by: 2).compactMap { UInt8(String(decoding: chars[$0..<($0 + 2)], as: UTF8.self), radix: 16) }
    }

    /// Runs `script` with python3; nil (and a printed reason) when python3 or a module it needs is missing.
    static func runPython(_ script: String, seed: UInt64) throws -> Oracle? {
        // python3 as found on PATH (a pyenv or venv one may have urllib3 when the system one does not).
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, String(seed)]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = Pipe()
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            print("multipart oracle skipped: python3 exited \(process.terminationStatus) (127: no python3; 3: no urllib3)")
            return nil
        }
        return try JSONDecoder().decode(Oracle.self, from: data)
    }

    static let pythonFields = """
        import sys, json, random
        rng = random.Random(int(sys.argv[1]) % (2**63))
        def blob(n):
            pieces = [b'\\r\\n', b'--', b'\\r\\n--', b'\\x00', b'\\xff', '名单'.encode(), b'"', b';']
            return b''.join(rng.choice(pieces) if rng.random() < 0.3 else bytes([rng.randrange(256)]) for _ in range(n))
        fields = [('csrf', 'tok.' + str(rng.randrange(10**9)), None, None),
                  ('file', blob(rng.randrange(0, 3000)), '公安户籍 "第1批"; 北赵.xlsx',
                   'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'),
                  ('kind', '出生医学证明', None, None), ('village', '', None, None)]
        """

    static let urllib3Script = pythonFields + """

        try:
            from urllib3 import encode_multipart_formdata
            from urllib3.fields import RequestField
        except ImportError:
            sys.exit(3)
        rfs = []
        for name, data, filename, ctype in fields:
            rf = RequestField(name=name, data=data, filename=filename)
            rf.make_multipart(content_type=ctype)
            rfs.append(rf)
        body, ctype = encode_multipart_formdata(rfs)
        parts = [dict(name=n, filename=f, content_type=c,
                      body_hex=(d if isinstance(d, bytes) else d.encode()).hex()) for n, d, f, c in fields]
        print(json.dumps(dict(content_type=ctype, body_hex=body.hex(), parts=parts)))
        """

    static let emailScript = pythonFields + """

        import email.policy, email.parser
        from email.mime.multipart import MIMEMultipart
        from email.mime.base import MIMEBase
        pol = email.policy.HTTP
        m = MIMEMultipart('form-data', policy=pol)
        for name, data, filename, ctype in fields:
            maintype, subtype = (ctype or 'text/plain').split('/')
            p = MIMEBase(maintype, subtype, policy=pol)
            del p['MIME-Version']
            p.set_payload(data if isinstance(data, bytes) else data.encode())
            if filename:
                p.add_header('Content-Disposition', 'form-data', name=name, filename=filename)
            else:
                p.add_header('Content-Disposition', 'form-data', name=name)
            m.attach(p)
        whole = m.as_bytes(policy=pol)
        head, body = whole.split(b'\\r\\n\\r\\n', 1)
        # Python's own parser reads back what its generator wrote: the expectation.
        again = email.parser.BytesParser(policy=pol).parsebytes(whole)
        parts = [dict(name=p.get_param('name', header='content-disposition'), filename=p.get_filename(),
                      content_type=p.get('Content-Type'), body_hex=p.get_payload(decode=True).hex())
                 for p in again.iter_parts()]
        print(json.dumps(dict(content_type=m['Content-Type'], body_hex=body.hex(), parts=parts)))
        """

    @Test(arguments: ["urllib3", "email"])
    func pythonBodiesReadTheSame(library: String) throws {
        let seed = testSeed("multipart oracle \(library)")
        guard let oracle = try Self.runPython(library == "urllib3" ? Self.urllib3Script : Self.emailScript, seed: seed) else { return }
        let parts = try Multipart.parse(Self.hex(oracle.body_hex), contentType: oracle.content_type)
        #expect(parts.map(\.name) == oracle.parts.map(\.name))
        #expect(parts.map(\.filename) == oracle.parts.map(\.filename))
        #expect(parts.map(\.body) == oracle.parts.map { Self.hex($0.body_hex) })
        if library == "urllib3" {
            #expect(parts.map(\.contentType) == oracle.parts.map(\.content_type))
        }
        #expect(parts.first { $0.name == "file" }?.filename == "公安户籍 \"第1批\"; 北赵.xlsx")
    }

    // MARK: - The upload path's body cap

    @Test func uploadPathsGetTheLargerBodyCap() {
        let limits = HTTPLimits(uploadPaths: ["/compare"])
        #expect(limits.maxBodyBytes(method: "POST", path: "/compare") == 8 << 20)
        #expect(limits.maxBodyBytes(method: "POST", path: "/checks/mark") == 65536)
        #expect(limits.maxBodyBytes(method: "GET", path: "/compare") == 65536)
        let body = [UInt8](repeating: UInt8(ascii: "x"), count: 3 << 20)
        func request(_ path: String) -> [UInt8] {
            Array("POST \(path) HTTP/1.1\r\nHost: h\r\nContent-Length: \(body.count)\r\n\r\n".utf8) + body
        }
        #expect(parse(request("/compare"), chunks: [65536], limits: limits).first?.request?.body.count == body.count)
        #expect(parse(request("/other"), chunks: [65536], limits: limits).first?.error?.code == .bodyTooLarge)
        let huge = Array("POST /compare HTTP/1.1\r\nHost: h\r\nContent-Length: \((8 << 20) + 1)\r\n\r\n".utf8)
        #expect(parse(huge, chunks: [], limits: limits).first?.error?.code == .bodyTooLarge)
    }
}
