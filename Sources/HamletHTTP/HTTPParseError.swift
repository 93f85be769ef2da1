/// Why the ``HTTPRequestParser`` refused a request, and which status to answer with.
///
/// After a failure the connection's byte stream can no longer be trusted: send
/// ``HTTPResponse/error(_:)`` with ``status`` (and `keepAlive: false`), then close.
/// Messages never echo request bytes back.
public struct HTTPParseError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Stable codes for logs; add new ones, never rename.
    public enum Code: String, Sendable, Hashable, CaseIterable {
        /// The request line is not `METHOD SP target SP HTTP/x.y`. Status 400.
        case malformedRequestLine
        /// A header line is not `name: value`, or uses obsolete line folding. Status 400.
        case malformedHeader
        /// The request target is not origin-, absolute- or asterisk-form, has bad
        /// percent escapes, or does not decode to UTF-8. Status 400.
        case invalidTarget
        /// An HTTP/1.1 request has no `Host` header, or more than one. Status 400.
        case missingHost
        /// `Content-Length` is not a decimal number, or two copies disagree. Status 400.
        case badContentLength
        /// The declared body exceeds ``HTTPLimits/maxBodyBytes``. Status 413.
        case bodyTooLarge
        /// The request target exceeds ``HTTPLimits/maxTargetLength``. Status 414.
        case targetTooLong
        /// The request line and headers exceed ``HTTPLimits/maxHeaderBytes``. Status 431.
        case headersTooLarge
        /// More header lines than ``HTTPLimits/maxHeaderCount``. Status 431.
        case tooManyHeaders
        /// A `Transfer-Encoding` header was sent (chunked bodies are not supported;
        /// clients must send `Content-Length`). Status 501.
        case unsupportedTransferEncoding
        /// The version is well formed but neither HTTP/1.0 nor HTTP/1.1. Status 505.
        case unsupportedVersion
    }

    /// What went wrong.
    public var code: Code
    /// A human-readable explanation, free of request bytes.
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

    /// The HTTP status code the server should answer with.
    public var status: Int {
        switch code {
        case .malformedRequestLine, .malformedHeader, .invalidTarget, .missingHost, .badContentLength: 400
        case .bodyTooLarge: 413
        case .targetTooLong: 414
        case .headersTooLarge, .tooManyHeaders: 431
        case .unsupportedTransferEncoding: 501
        case .unsupportedVersion: 505
        }
    }

    /// `"<code>: <message>"`.
    public var description: String { "\(code.rawValue): \(message)" }

    private static func defaultMessage(_ code: Code) -> String {
        switch code {
        case .malformedRequestLine: "the request line is malformed"
        case .malformedHeader: "a header line is malformed"
        case .invalidTarget: "the request target is not a valid UTF-8 path and query"
        case .missingHost: "an HTTP/1.1 request needs exactly one Host header"
        case .badContentLength: "Content-Length is not a valid length"
        case .bodyTooLarge: "the request body is larger than the server accepts"
        case .targetTooLong: "the request target is longer than the server accepts"
        case .headersTooLarge: "the request headers are larger than the server accepts"
        case .tooManyHeaders: "the request has more headers than the server accepts"
        case .unsupportedTransferEncoding: "Transfer-Encoding is not supported; send Content-Length"
        case .unsupportedVersion: "only HTTP/1.0 and HTTP/1.1 are supported"
        }
    }
}
