/// One part of a `multipart/form-data` body (RFC 7578): a form field or an uploaded file.
public struct MultipartPart: Sendable, Equatable {
    /// The field name from `Content-Disposition: form-data; name="…"`.
    public var name: String
    /// The file name a browser sent with a file input (`filename="…"`, or RFC 5987 `filename*=`); nil for a
    /// plain field. It is what the client says and nothing more: never use it as a path.
    public var filename: String?
    /// The part's `Content-Type`, as sent; nil when absent (a plain field).
    public var contentType: String?
    /// The part's header lines in order.
    public var headers: [HTTPField]
    /// The part's content, byte for byte.
    public var body: [UInt8]

    /// Creates a part.
    ///
    /// - Parameters:
    ///   - name: The field name.
    ///   - filename: The sent file name, or nil.
    ///   - contentType: The sent content type, or nil.
    ///   - headers: The header lines.
    ///   - body: The content.
    public init(name: String, filename: String? = nil, contentType: String? = nil, headers: [HTTPField] = [], body: [UInt8]) {
        self.name = name
        self.filename = filename
        self.contentType = contentType
        self.headers = headers
        self.body = body
    }

    /// The content as UTF-8 text (a plain field's value), or nil when it is not valid UTF-8.
    public var text: String? { String(validating: body, as: UTF8.self) }
}

/// Caps ``Multipart/parse(_:contentType:limits:)`` enforces; the HTTP body cap (``HTTPLimits``) bounds the rest.
public struct MultipartLimits: Sendable, Hashable {
    /// The most parts a body may have.
    public var maxParts: Int
    /// The most bytes one part's header block may take (lines and line endings).
    public var maxPartHeaderBytes: Int
    /// The most header lines one part may have.
    public var maxPartHeaderCount: Int

    /// Creates limits; the defaults suit an upload form of a file and a few fields.
    ///
    /// - Parameters:
    ///   - maxParts: Cap on parts; default 32.
    ///   - maxPartHeaderBytes: Cap on one part's headers; default 8 KiB.
    ///   - maxPartHeaderCount: Cap on one part's header lines; default 16.
    public init(maxParts: Int = 32, maxPartHeaderBytes: Int = 8192, maxPartHeaderCount: Int = 16) {
        self.maxParts = maxParts
        self.maxPartHeaderBytes = maxPartHeaderBytes
        self.maxPartHeaderCount = maxPartHeaderCount
    }
}

/// Why a `multipart/form-data` body was refused. Unlike ``HTTPParseError`` the connection is still sound (the
/// body was framed by `Content-Length`); the server answers 400 and may keep the connection. Messages never
/// echo body bytes.
public struct MultipartError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Stable codes for logs; add new ones, never rename.
    public enum Code: String, Sendable, Hashable, CaseIterable {
        /// The `Content-Type` is not `multipart/form-data`.
        case notMultipart
        /// The `Content-Type` has no `boundary`, or one RFC 2046 does not allow (1–70 characters of its set).
        case badBoundary
        /// No delimiter line starts the body.
        case noFirstBoundary
        /// A part's headers are not `name: value` lines ending in an empty line, or are not UTF-8.
        case malformedPartHeader
        /// A part has no `Content-Disposition: form-data` with a `name`.
        case missingName
        /// The body ends inside a part: the closing delimiter (`--boundary--`) never comes.
        case missingFinalBoundary
        /// More parts than ``MultipartLimits/maxParts``.
        case tooManyParts
        /// A part's header block exceeds ``MultipartLimits/maxPartHeaderBytes`` or ``MultipartLimits/maxPartHeaderCount``.
        case partHeaderTooLarge
    }

    /// What went wrong.
    public var code: Code
    /// A human-readable explanation, free of body bytes.
    public var message: String

    /// Creates an error.
    ///
    /// - Parameters:
    ///   - code: What went wrong.
    ///   - message: An explanation; defaults to a generic one for the code.
    public init(_ code: Code, message: String? = nil) {
        self.code = code
        self.message = message ?? Self.defaultMessage(code)
    }

    /// `"<code>: <message>"`.
    public var description: String { "\(code.rawValue): \(message)" }

    private static func defaultMessage(_ code: Code) -> String {
        switch code {
        case .notMultipart: "the body is not multipart/form-data"
        case .badBoundary: "the multipart boundary is missing or invalid"
        case .noFirstBoundary: "the body does not start with the multipart boundary"
        case .malformedPartHeader: "a part's headers are malformed"
        case .missingName: "a part has no Content-Disposition form-data name"
        case .missingFinalBoundary: "the body ends before the closing multipart boundary"
        case .tooManyParts: "the body has more parts than the server accepts"
        case .partHeaderTooLarge: "a part's headers are larger than the server accepts"
        }
    }
}

/// A strict, bounded `multipart/form-data` reader (RFC 7578 over RFC 2046 §5.1.1), pure and allocation-light.
///
/// - The boundary comes from the `Content-Type` (`boundary=…`, quoted or not, 1–70 characters).
/// - A preamble before the first delimiter and an epilogue after the last are ignored, as RFC 2046 says.
/// - A delimiter is `CRLF--boundary` followed by optional spaces or tabs and CRLF (or `--` to close); the same
///   bytes followed by anything else are content. Lines end in CRLF only.
/// - Each part needs `Content-Disposition: form-data; name="…"`; `filename` (as browsers send it, raw UTF-8 with
///   `"` as `%22`) or `filename*=UTF-8''…` (RFC 5987) give the file name. `Content-Transfer-Encoding` is not
///   decoded (RFC 7578 §4.7 deprecates it; browsers never send it).
///
/// Each delimiter search looks at each byte a bounded number of times (the delimiter holds one CR), so a hostile
/// body costs time linear in its size.
public enum Multipart {
    /// Reads the parts of a request body.
    ///
    /// - Parameters:
    ///   - body: The whole body.
    ///   - contentType: The request's `Content-Type` header value.
    ///   - limits: Caps on parts and part headers.
    /// - Returns: The parts in order.
    /// - Throws: ``MultipartError`` with any of its codes.
    public static func parse(_ body: [UInt8], contentType: String,
                             limits: MultipartLimits = MultipartLimits()) throws(MultipartError) -> [MultipartPart] {
        try parse(body, boundary: boundary(contentType: contentType), limits: limits)
    }

    /// The boundary named by a `multipart/form-data` content type.
    ///
    /// - Parameter contentType: E.g. `multipart/form-data; boundary=----WebKitFormBoundary7MA4YWxkTrZu0gW`.
    /// - Returns: The boundary text (without the leading `--`).
    /// - Throws: ``MultipartError`` `notMultipart` or `badBoundary`.
    public static func boundary(contentType: String) throws(MultipartError) -> String {
        let (value, parameters) = HeaderParameters.split(contentType)
        guard asciiCaseInsensitiveEquals(value, "multipart/form-data") else { throw MultipartError(.notMultipart) }
        guard let boundary = parameters.first(where: { $0.0 == "boundary" })?.1 else { throw MultipartError(.badBoundary) }
        guard (1...70).contains(boundary.utf8.count), boundary.utf8.allSatisfy(isBoundaryByte), boundary.utf8.last != 0x20 else {
            throw MultipartError(.badBoundary)
        }
        return boundary
    }

    /// Reads the parts of a body with a known boundary.
    ///
    /// - Parameters:
    ///   - body: The whole body.
    ///   - boundary: The boundary, without the leading `--`.
    ///   - limits: Caps on parts and part headers.
    /// - Returns: The parts in order.
    /// - Throws: ``MultipartError``: `badBoundary`, `noFirstBoundary`, `malformedPartHeader`, `missingName`,
    ///   `missingFinalBoundary`, `tooManyParts`, `partHeaderTooLarge`.
    public static func parse(_ body: [UInt8], boundary: String,
                             limits: MultipartLimits = MultipartLimits()) throws(MultipartError) -> [MultipartPart] {
        guard !boundary.isEmpty else { throw MultipartError(.badBoundary) }
        let delimiter: [UInt8] = [0x0d, 0x0a, 0x2d, 0x2d] + Array(boundary.utf8)
        // The first delimiter may open the body without the CRLF before it.
        var cursor: Int
        if body.count >= delimiter.count - 2, body[0..<(delimiter.count - 2)].elementsEqual(delimiter[2...]),
           let after = delimiterEnd(body, at: delimiter.count - 2) {
            cursor = after.index
            if after.closes { return [] }
        } else if let found = findDelimiter(body, delimiter, from: 0) {
            cursor = found.end
            if found.closes { return [] }
        } else {
            throw MultipartError(.noFirstBoundary)
        }
        var parts: [MultipartPart] = []
        while true {
            guard parts.count < limits.maxParts else { throw MultipartError(.tooManyParts) }
            let (headers, contentStart) = try readHeaders(body, from: cursor, limits: limits)
            guard let next = findDelimiter(body, delimiter, from: contentStart) else {
                throw MultipartError(.missingFinalBoundary)
            }
            parts.append(try makePart(headers, body: Array(body[contentStart..<next.start])))
            if next.closes { return parts }
            cursor = next.end
        }
    }

    // MARK: - Internals

    private struct Found {
        var start: Int
        var end: Int
        var closes: Bool
    }

    /// The next real delimiter at or after `from`: its first byte, the index after its line, and whether it closes.
    private static func findDelimiter(_ body: [UInt8], _ delimiter: [UInt8], from: Int) -> Found? {
        var i = from
        let last = body.count - delimiter.count
        while i <= last {
            guard body[i] == 0x0d else {
                i += 1
                continue
            }
            var k = 1
            while k < delimiter.count, body[i + k] == delimiter[k] { k += 1 }
            if k == delimiter.count, let after = delimiterEnd(body, at: i + k) {
                return Found(start: i, end: after.index, closes: after.closes)
            }
            i += max(1, k)
        }
        return nil
    }

    /// After `--boundary`: `--` closes (the epilogue is ignored); else spaces or tabs then CRLF. Nil: not a delimiter.
    private static func delimiterEnd(_ body: [UInt8], at start: Int) -> (index: Int, closes: Bool)? {
        if start + 1 < body.count, body[start] == 0x2d, body[start + 1] == 0x2d { return (body.count, true) }
        var i = start
        while i < body.count, body[i] == 0x20 || body[i] == 0x09 { i += 1 }
        guard i + 1 < body.count, body[i] == 0x0d, body[i + 1] == 0x0a else { return nil }
        return (i + 2, false)
    }

    /// A part's header lines from `from` to the empty line, and where its content starts.
    private static func readHeaders(_ body: [UInt8], from: Int,
                                    limits: MultipartLimits) throws(MultipartError) -> ([HTTPField], Int) {
        var headers: [HTTPField] = []
        var lineStart = from
        while true {
            let scanLimit = min(body.count, from + limits.maxPartHeaderBytes)
            guard let lf = body[lineStart..<scanLimit].firstIndex(of: 0x0a) else {
                throw MultipartError(scanLimit < body.count ? .partHeaderTooLarge : .missingFinalBoundary)
            }
            guard lf > lineStart, body[lf - 1] == 0x0d else { throw MultipartError(.malformedPartHeader) }
            let line = body[lineStart..<(lf - 1)]
            if line.isEmpty { return (headers, lf + 1) }
            guard headers.count < limits.maxPartHeaderCount else { throw MultipartError(.partHeaderTooLarge) }
            guard let field = parseField(line) else { throw MultipartError(.malformedPartHeader) }
            headers.append(field)
            lineStart = lf + 1
        }
    }

    private static func parseField(_ line: ArraySlice<UInt8>) -> HTTPField? {
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { return nil }
        let name = line[line.startIndex..<colon]
        guard !name.isEmpty, name.allSatisfy(isTokenByte) else { return nil }
        let rawValue = line[(colon + 1)...]
        guard rawValue.allSatisfy({ $0 == 0x09 || ($0 >= 0x20 && $0 != 0x7f) }),
              let value = String(validating: rawValue, as: UTF8.self) else { return nil }
        return HTTPField(name: String(decoding: name, as: UTF8.self), value: trimOWS(value))
    }

    private static func makePart(_ headers: [HTTPField], body: [UInt8]) throws(MultipartError) -> MultipartPart {
        let dispositions = headers.filter { asciiCaseInsensitiveEquals($0.name, "Content-Disposition") }
        guard dispositions.count == 1, let disposition = dispositions.first else { throw MultipartError(.missingName) }
        let (kind, parameters) = HeaderParameters.split(disposition.value)
        guard asciiCaseInsensitiveEquals(kind, "form-data"),
              let name = parameters.first(where: { $0.0 == "name" })?.1 else { throw MultipartError(.missingName) }
        var filename = parameters.first(where: { $0.0 == "filename" }).map { HeaderParameters.browserUnescaped($0.1) }
        if let extended = parameters.first(where: { $0.0 == "filename*" })?.1, let decoded = HeaderParameters.rfc5987(extended) {
            filename = decoded
        }
        let contentType = headers.first { asciiCaseInsensitiveEquals($0.name, "Content-Type") }?.value
        return MultipartPart(name: name, filename: filename, contentType: contentType, headers: headers, body: body)
    }

    /// RFC 2046 `bchars`: digits, letters and `'()+_,-./:=?` and space.
    private static func isBoundaryByte(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"):
            true
        case UInt8(ascii: "'"), UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "+"), UInt8(ascii: "_"), UInt8(ascii: ","),
             UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "/"), UInt8(ascii: ":"), UInt8(ascii: "="), UInt8(ascii: "?"),
             UInt8(ascii: " "):
            true
        default:
            false
        }
    }
}

/// `value; name=token; name="quoted"` header values (`Content-Type`, `Content-Disposition`).
enum HeaderParameters {
    /// The leading value and the parameters, names lower-cased; quoted strings unquoted (`\x` is `x`).
    static func split(_ header: String) -> (String, [(String, String)]) {
        let bytes = Array(header.utf8)
        var pieces: [[UInt8]] = [[]]
        var quoted = false
        var escaped = false
        for b in bytes {
            if escaped {
                pieces[pieces.count - 1].append(b)
                escaped = false
            } else if quoted && b == UInt8(ascii: "\\") {
                pieces[pieces.count - 1].append(b)
                escaped = true
            } else if b == UInt8(ascii: "\"") {
                pieces[pieces.count - 1].append(b)
                quoted.toggle()
            } else if b == UInt8(ascii: ";") && !quoted {
                pieces.append([])
            } else {
                pieces[pieces.count - 1].append(b)
            }
        }
        let value = trimOWS(String(decoding: pieces[0], as: UTF8.self))
        var parameters: [(String, String)] = []
        for piece in pieces.dropFirst() {
            guard let equals = piece.firstIndex(of: UInt8(ascii: "=")) else { continue }
            let name = trimOWS(String(decoding: piece[..<equals], as: UTF8.self)).lowercased()
            parameters.append((name, unquote(trimOWS(String(decoding: piece[(equals + 1)...], as: UTF8.self)))))
        }
        return (value, parameters)
    }

    static func unquote(_ s: String) -> String {
        let bytes = Array(s.utf8)
        guard bytes.count >= 2, bytes.first == UInt8(ascii: "\""), bytes.last == UInt8(ascii: "\"") else { return s }
        // `\"` and `\\` are quoted-pairs; any other backslash is kept (browsers send a name's `\` as it is).
        let inner = Array(bytes.dropFirst().dropLast())
        var out: [UInt8] = []
        var i = 0
        while i < inner.count {
            if inner[i] == UInt8(ascii: "\\"), i + 1 < inner.count, inner[i + 1] == UInt8(ascii: "\"") || inner[i + 1] == UInt8(ascii: "\\") {
                i += 1
            }
            out.append(inner[i])
            i += 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Browsers (HTML's form encoding) send `"`, CR and LF in a file name as `%22`, `%0D`, `%0A`.
    static func browserUnescaped(_ s: String) -> String {
        guard s.contains("%") else { return s }
        return s.replacingAll("%22", "\"").replacingAll("%0D", "\r").replacingAll("%0A", "\n")
    }

    /// RFC 5987 `charset'language'percent-encoded`; UTF-8 only. Nil for another charset or a bad escape.
    static func rfc5987(_ s: String) -> String? {
        let pieces = s.split(separator: "'", maxSplits: 2, omittingEmptySubsequences: false)
        guard pieces.count == 3, asciiCaseInsensitiveEquals(String(pieces[0]), "utf-8") else { return nil }
        return FormCoding.percentDecode(String(pieces[2]), plusIsSpace: false)
    }
}

extension String {
    fileprivate func replacingAll(_ target: String, _ replacement: String) -> String {
        var out = ""
        var rest = Substring(self)
        while let r = rest.firstRange(of: target) {
            out += rest[..<r.lowerBound] + replacement
            rest = rest[r.upperBound...]
        }
        return out + rest
    }
}

extension HTTPRequest {
    /// Whether the request says its body is `multipart/form-data`.
    public var isMultipart: Bool {
        guard let contentType = header("Content-Type") else { return false }
        return asciiCaseInsensitiveEquals(HeaderParameters.split(contentType).0, "multipart/form-data")
    }

    /// The body read as `multipart/form-data` parts.
    ///
    /// - Parameter limits: Caps on parts and part headers.
    /// - Returns: The parts in order.
    /// - Throws: ``MultipartError``; `notMultipart` when the `Content-Type` is absent or another type.
    public func multipart(limits: MultipartLimits = MultipartLimits()) throws(MultipartError) -> [MultipartPart] {
        guard let contentType = header("Content-Type") else { throw MultipartError(.notMultipart) }
        return try Multipart.parse(body, contentType: contentType, limits: limits)
    }
}
