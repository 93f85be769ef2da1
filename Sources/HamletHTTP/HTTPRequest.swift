/// The HTTP versions the parser accepts.
public enum HTTPVersion: String, Sendable, Hashable, CaseIterable {
    /// HTTP/1.0: connections close after each response unless `Connection: keep-alive`.
    case http1_0 = "HTTP/1.0"
    /// HTTP/1.1: connections persist unless `Connection: close`.
    case http1_1 = "HTTP/1.1"
}

/// One header line: a name (case kept as sent) and a value with surrounding
/// whitespace removed.
public struct HTTPField: Sendable, Hashable {
    /// The header name as sent, e.g. `Content-Type`.
    public var name: String
    /// The value, without leading or trailing spaces and tabs.
    public var value: String

    /// Creates a header field.
    ///
    /// - Parameters:
    ///   - name: The header name.
    ///   - value: The header value.
    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// A parsed HTTP/1.x request with its whole body.
public struct HTTPRequest: Sendable, Equatable {
    /// The method token, case-sensitive as sent (`GET`, `POST`, …).
    public var method: String
    /// The request target exactly as sent (still percent-encoded).
    public var target: String
    /// The percent-decoded path (UTF-8); `*` for an asterisk-form target. `+` stays `+`.
    public var path: String
    /// The decoded query pairs in order (`+` is a space); empty without a query.
    public var query: [(String, String)]
    /// The protocol version.
    public var version: HTTPVersion
    /// The header lines in the order received.
    public var headers: [HTTPField]
    /// The body, exactly `Content-Length` bytes (empty without one).
    public var body: [UInt8]
    /// Whether the connection may carry another request after the response.
    public var keepAlive: Bool

    /// Creates a request; the parser fills every field, tests and handlers may too.
    ///
    /// - Parameters:
    ///   - method: The method token.
    ///   - target: The raw request target.
    ///   - path: The decoded path.
    ///   - query: The decoded query pairs.
    ///   - version: The protocol version.
    ///   - headers: The header lines.
    ///   - body: The body bytes.
    ///   - keepAlive: Whether the connection persists.
    public init(
        method: String,
        target: String,
        path: String,
        query: [(String, String)] = [],
        version: HTTPVersion = .http1_1,
        headers: [HTTPField] = [],
        body: [UInt8] = [],
        keepAlive: Bool = true
    ) {
        self.method = method
        self.target = target
        self.path = path
        self.query = query
        self.version = version
        self.headers = headers
        self.body = body
        self.keepAlive = keepAlive
    }

    /// Returns the value of the first header with this name, compared ASCII
    /// case-insensitively.
    ///
    /// - Parameter name: The header name, in any case.
    /// - Returns: The first value, or `nil` when the header is absent.
    public func header(_ name: String) -> String? {
        headers.first { asciiCaseInsensitiveEquals($0.name, name) }?.value
    }

    /// Returns the values of every header with this name, in order.
    ///
    /// - Parameter name: The header name, in any case.
    /// - Returns: The values; empty when the header is absent.
    public func headerValues(_ name: String) -> [String] {
        headers.filter { asciiCaseInsensitiveEquals($0.name, name) }.map(\.value)
    }

    /// Returns the first query value with this name.
    ///
    /// - Parameter name: The decoded parameter name (case-sensitive).
    /// - Returns: The decoded value, or `nil` when absent.
    public func queryValue(_ name: String) -> String? {
        query.first { $0.0 == name }?.1
    }

    /// The body decoded as `application/x-www-form-urlencoded` pairs.
    ///
    /// `nil` when a `Content-Type` other than `application/x-www-form-urlencoded`
    /// was sent, or the body has bad percent escapes or is not UTF-8. A request
    /// without `Content-Type` is decoded anyway.
    public var form: [(String, String)]? {
        if let contentType = header("Content-Type") {
            let mediaType = contentType.split(separator: ";", maxSplits: 1).first.map(String.init) ?? ""
            guard asciiCaseInsensitiveEquals(trimOWS(mediaType), "application/x-www-form-urlencoded") else {
                return nil
            }
        }
        return FormCoding.decode(body)
    }

    /// Returns the first form value with this name.
    ///
    /// - Parameter name: The decoded field name (case-sensitive).
    /// - Returns: The decoded value, or `nil` when absent or the body is not a form.
    public func formValue(_ name: String) -> String? {
        form?.first { $0.0 == name }?.1
    }

    /// Compares every field; query pairs compare element by element.
    ///
    /// - Parameters:
    ///   - lhs: A request.
    ///   - rhs: Another request.
    /// - Returns: `true` when all fields are equal.
    public static func == (lhs: HTTPRequest, rhs: HTTPRequest) -> Bool {
        lhs.method == rhs.method && lhs.target == rhs.target && lhs.path == rhs.path
            && lhs.query.count == rhs.query.count
            && zip(lhs.query, rhs.query).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
            && lhs.version == rhs.version && lhs.headers == rhs.headers
            && lhs.body == rhs.body && lhs.keepAlive == rhs.keepAlive
    }
}

// MARK: - ASCII helpers shared by the module

@inline(__always)
func asciiLower(_ byte: UInt8) -> UInt8 {
    (byte >= 0x41 && byte <= 0x5a) ? byte | 0x20 : byte
}

func asciiCaseInsensitiveEquals(_ a: String, _ b: String) -> Bool {
    a.utf8.count == b.utf8.count && zip(a.utf8, b.utf8).allSatisfy { asciiLower($0) == asciiLower($1) }
}

func trimOWS(_ s: String) -> String {
    let bytes = Array(s.utf8)
    var lo = 0, hi = bytes.count
    while lo < hi, bytes[lo] == 0x20 || bytes[lo] == 0x09 { lo += 1 }
    while hi > lo, bytes[hi - 1] == 0x20 || bytes[hi - 1] == 0x09 { hi -= 1 }
    return String(decoding: bytes[lo..<hi], as: UTF8.self)
}

/// RFC 9110 `tchar`: the characters allowed in methods and header names.
func isTokenByte(_ byte: UInt8) -> Bool {
    switch byte {
    case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"):
        true
    case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"),
        UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."),
        UInt8(ascii: "^"), UInt8(ascii: "_"), UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
        true
    default:
        false
    }
}

func isToken(_ s: String) -> Bool {
    !s.isEmpty && s.utf8.allSatisfy(isTokenByte)
}
