/// An HTTP/1.1 response to encode onto the wire.
///
/// ``encode(keepAlive:includeBody:)`` writes the status line, the headers, a
/// `Content-Length` computed from ``body`` and a `Connection` header; headers
/// named `Content-Length`, `Connection` or `Transfer-Encoding` in ``headers`` are
/// ignored so the framing can never be wrong.
public struct HTTPResponse: Sendable {
    /// The status code, 100–599 (anything else is sent as 500).
    public var status: Int
    /// Extra header lines in order, e.g. `("Content-Type", "text/html; charset=utf-8")`.
    public var headers: [(String, String)]
    /// The body bytes (ignored when ``stream`` is set).
    public var body: [UInt8]
    /// A body made while it is sent, for responses too large to hold (see ``HTTPBodyStream``); nil for ``body``.
    public var stream: HTTPBodyStream?

    /// Creates a response.
    ///
    /// - Parameters:
    ///   - status: The status code; default 200.
    ///   - headers: Header lines in order.
    ///   - body: The body bytes.
    public init(status: Int = 200, headers: [(String, String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// Creates a response whose body is streamed (see ``HTTPBodyStream``).
    ///
    /// - Parameters:
    ///   - status: The status code; default 200.
    ///   - headers: Header lines in order.
    ///   - stream: Produces the body while it is sent.
    public init(status: Int = 200, headers: [(String, String)] = [], stream: HTTPBodyStream) {
        self.init(status: status, headers: headers)
        self.stream = stream
    }

    /// Headers sent with every page built by the convenience constructors.
    public static let securityHeaders: [(String, String)] = [
        ("X-Content-Type-Options", "nosniff"),
        ("Content-Security-Policy", "default-src 'self'; style-src 'self' 'unsafe-inline'"),
        ("X-Frame-Options", "DENY"),
        ("Referrer-Policy", "same-origin"),
        ("Cache-Control", "no-store"),
    ]

    /// Returns the value of the first header with this name (ASCII case-insensitive).
    ///
    /// - Parameter name: The header name, in any case.
    /// - Returns: The value, or `nil` when absent.
    public func header(_ name: String) -> String? {
        headers.first { asciiCaseInsensitiveEquals($0.0, name) }?.1
    }

    /// An HTML page (`text/html; charset=utf-8`) with ``securityHeaders``.
    ///
    /// - Parameters:
    ///   - body: The complete HTML document; escape inserted values with ``HTML/escape(_:)``.
    ///   - status: The status code; default 200.
    /// - Returns: The response.
    public static func html(_ body: String, status: Int = 200) -> HTTPResponse {
        HTTPResponse(
            status: status,
            headers: [("Content-Type", "text/html; charset=utf-8")] + securityHeaders,
            body: Array(body.utf8)
        )
    }

    /// A plain-text response (`text/plain; charset=utf-8`) with ``securityHeaders``.
    ///
    /// - Parameters:
    ///   - body: The text.
    ///   - status: The status code; default 200.
    /// - Returns: The response.
    public static func text(_ body: String, status: Int = 200) -> HTTPResponse {
        HTTPResponse(
            status: status,
            headers: [("Content-Type", "text/plain; charset=utf-8")] + securityHeaders,
            body: Array(body.utf8)
        )
    }

    /// A `303 See Other` redirect, the answer to a successful form POST.
    ///
    /// - Parameter location: The URL or path to load next, e.g. `/nodes`; CR, LF and
    ///   NUL are replaced by spaces when encoded.
    /// - Returns: The response, with an empty body and ``securityHeaders``.
    public static func redirect(to location: String) -> HTTPResponse {
        HTTPResponse(status: 303, headers: [("Location", location)] + securityHeaders, body: [])
    }

    /// A small HTML error page naming the status, e.g. for ``HTTPParseError/status``.
    ///
    /// - Parameters:
    ///   - status: The status code.
    ///   - message: An optional sentence shown under the heading (HTML-escaped).
    /// - Returns: The response.
    public static func error(_ status: Int, message: String? = nil) -> HTTPResponse {
        let title = HTML.escape("\(status) \(reasonPhrase(for: status))")
        var page = "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>\(title)</title></head>"
        page += "<body><h1>\(title)</h1>"
        if let message {
            page += "<p>\(HTML.escape(message))</p>"
        }
        page += "</body></html>\n"
        return html(page, status: status)
    }

    /// The standard reason phrase for a status code.
    ///
    /// - Parameter status: The status code.
    /// - Returns: The phrase, e.g. `Not Found`; `Unknown` for unregistered codes.
    public static func reasonPhrase(for status: Int) -> String {
        switch status {
        case 100: "Continue"
        case 101: "Switching Protocols"
        case 200: "OK"
        case 201: "Created"
        case 202: "Accepted"
        case 204: "No Content"
        case 301: "Moved Permanently"
        case 302: "Found"
        case 303: "See Other"
        case 304: "Not Modified"
        case 307: "Temporary Redirect"
        case 308: "Permanent Redirect"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 408: "Request Timeout"
        case 409: "Conflict"
        case 411: "Length Required"
        case 413: "Content Too Large"
        case 414: "URI Too Long"
        case 415: "Unsupported Media Type"
        case 422: "Unprocessable Content"
        case 429: "Too Many Requests"
        case 431: "Request Header Fields Too Large"
        case 500: "Internal Server Error"
        case 501: "Not Implemented"
        case 502: "Bad Gateway"
        case 503: "Service Unavailable"
        case 504: "Gateway Timeout"
        case 505: "HTTP Version Not Supported"
        default: "Unknown"
        }
    }

    /// Encodes the response as HTTP/1.1 bytes.
    ///
    /// Header names that are not tokens are dropped; CR, LF and NUL in values become
    /// spaces, so a header can never split the response. 1xx, 204 and 304 responses
    /// carry neither body nor `Content-Length`.
    ///
    /// With a ``stream`` only the head is encoded: `Transfer-Encoding: chunked` when `chunked`, else no framing
    /// header at all (the body ends when the connection closes, so `keepAlive` must be false); the server then
    /// sends the body as ``stream`` produces it (``HTTPBodyStream/chunk(_:)``, ``HTTPBodyStream/lastChunk``).
    ///
    /// - Parameters:
    ///   - keepAlive: Whether the connection stays open; sends `Connection: keep-alive`
    ///     or `Connection: close` accordingly.
    ///   - includeBody: Pass `false` to answer a `HEAD` request: the headers
    ///     (including `Content-Length`) are the same, the body is left out.
    ///   - chunked: For a ``stream``: chunked framing (HTTP/1.1 clients) or none (HTTP/1.0). Ignored otherwise.
    /// - Returns: The bytes to write.
    public func encode(keepAlive: Bool, includeBody: Bool = true, chunked: Bool = true) -> [UInt8] {
        let code = (100...599).contains(status) ? status : 500
        let bodyless = code < 200 || code == 204 || code == 304
        var head = "HTTP/1.1 \(code) \(Self.reasonPhrase(for: code))\r\n"
        for (name, value) in headers {
            guard isToken(name),
                !asciiCaseInsensitiveEquals(name, "Content-Length"),
                !asciiCaseInsensitiveEquals(name, "Connection"),
                !asciiCaseInsensitiveEquals(name, "Transfer-Encoding")
            else { continue }
            head += name + ": " + Self.sanitize(value) + "\r\n"
        }
        if !bodyless, stream != nil {
            if chunked { head += "Transfer-Encoding: chunked\r\n" }
        } else if !bodyless {
            head += "Content-Length: \(body.count)\r\n"
        }
        head += keepAlive ? "Connection: keep-alive\r\n" : "Connection: close\r\n"
        head += "\r\n"
        var out = Array(head.utf8)
        if includeBody && !bodyless && stream == nil {
            out.append(contentsOf: body)
        }
        return out
    }

    private static func sanitize(_ value: String) -> String {
        guard value.utf8.contains(where: { $0 == 0x0d || $0 == 0x0a || $0 == 0x00 }) else { return value }
        return String(decoding: value.utf8.map { ($0 == 0x0d || $0 == 0x0a || $0 == 0x00) ? 0x20 : $0 }, as: UTF8.self)
    }
}

/// Escaping for text placed in HTML.
public enum HTML {
    /// Escapes `&`, `<`, `>`, `"` and `'` so the text is safe in element content
    /// and in quoted attribute values.
    ///
    /// - Parameter s: Untrusted text, e.g. a register value such as `张三`.
    /// - Returns: The text with `&amp;`, `&lt;`, `&gt;`, `&quot;` and `&#39;`
    ///   substituted; other characters are unchanged.
    public static func escape(_ s: String) -> String {
        guard s.utf8.contains(where: needsEscape) else { return s }
        var out = [UInt8]()
        out.reserveCapacity(s.utf8.count + 16)
        for byte in s.utf8 {
            switch byte {
            case UInt8(ascii: "&"): out.append(contentsOf: "&amp;".utf8)
            case UInt8(ascii: "<"): out.append(contentsOf: "&lt;".utf8)
            case UInt8(ascii: ">"): out.append(contentsOf: "&gt;".utf8)
            case UInt8(ascii: "\""): out.append(contentsOf: "&quot;".utf8)
            case UInt8(ascii: "'"): out.append(contentsOf: "&#39;".utf8)
            default: out.append(byte)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func needsEscape(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "&") || byte == UInt8(ascii: "<") || byte == UInt8(ascii: ">")
            || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'")
    }
}
