/// An incremental, size-capped HTTP/1.0 and HTTP/1.1 request parser.
///
/// Feed bytes as they arrive with ``append(_:)``, then call ``next()`` until it
/// returns ``Result/needMore``. Pipelined requests come out one per call; bytes
/// after a request stay buffered for the next.
///
/// ```swift
/// parser.append(bytesRead)
/// loop: while true {
///     switch parser.next() {
///     case .needMore: break loop
///     case .request(let request): respond(to: request)
///     case .failure(let error): send(.error(error.status), keepAlive: false); close()
///     }
/// }
/// ```
///
/// What it accepts:
/// - Lines end in CRLF or a bare LF; empty lines before a request line are skipped.
/// - Origin-form (`/path?q`), absolute-form (`http://host/path`) and asterisk-form
///   (`*`) targets. Raw non-ASCII bytes in the target are allowed if UTF-8.
/// - Bodies framed by `Content-Length` only. Any `Transfer-Encoding` (including
///   `chunked`) is refused with **501** and code `unsupportedTransferEncoding`: HTML
///   forms never send one, and a client that does must retry with `Content-Length`.
/// - `Expect: 100-continue` is not answered; clients such as curl send the body
///   anyway after a short wait.
///
/// Every limit in ``HTTPLimits`` is checked before more input is buffered for the
/// current request, so a peer cannot make the parser hold more than about
/// `maxHeaderBytes + maxBodyBytes` (`maxUploadBodyBytes` for an upload path) for one request. The caller bounds how much it
/// appends ahead of ``next()`` (see ``bufferedByteCount``).
///
/// After a failure the parser stays failed: every later ``next()`` returns the same
/// error, because the stream can no longer be framed.
public struct HTTPRequestParser: Sendable {
    /// What ``next()`` found.
    public enum Result: Sendable, Equatable {
        /// The buffer holds no complete request yet; append more bytes.
        case needMore
        /// A complete request, consumed from the buffer.
        case request(HTTPRequest)
        /// The input is not an acceptable request; answer with `error.status` and close.
        case failure(HTTPParseError)
    }

    /// The caps this parser enforces.
    public let limits: HTTPLimits

    private struct Head: Sendable {
        var request: HTTPRequest
        var contentLength: Int
    }

    private enum State: Sendable {
        case head
        case body(Head)
        case failed(HTTPParseError)
    }

    private var buffer: [UInt8] = []
    /// Index of the first unconsumed byte in `buffer`.
    private var start = 0
    /// Index from which to continue searching for the end of the head.
    private var scanFrom = 0
    private var state: State = .head

    /// Allowance for the method, spaces and version around a maximal target.
    private static let requestLineSlack = 64

    /// Creates a parser with empty input.
    ///
    /// - Parameter limits: The size caps; the defaults suit the operator page.
    public init(limits: HTTPLimits = HTTPLimits()) {
        self.limits = limits
    }

    /// The number of received bytes not yet returned as part of a request.
    public var bufferedByteCount: Int { buffer.count - start }

    /// Whether part of a request has been received (useful to tell a clean close
    /// between requests from a truncated one).
    public var hasPartialRequest: Bool {
        switch state {
        case .body: true
        case .failed: false
        case .head: buffer[start...].contains { $0 != 0x0d && $0 != 0x0a }
        }
    }

    /// Appends received bytes.
    ///
    /// - Parameter bytes: Bytes read from the connection, in order.
    public mutating func append(_ bytes: some Sequence<UInt8>) {
        compactIfWorthwhile()
        buffer.append(contentsOf: bytes)
    }

    /// Returns the next complete request, or why there is none.
    ///
    /// - Returns: ``Result/needMore``, ``Result/request(_:)`` (consumed from the
    ///   buffer), or ``Result/failure(_:)`` carrying the status to answer with.
    public mutating func next() -> Result {
        switch state {
        case .failed(let error):
            return .failure(error)
        case .body(let head):
            return finishBody(head)
        case .head:
            break
        }

        // Tolerate empty lines before the request line (RFC 9112 §2.2).
        while start < buffer.count, buffer[start] == 0x0d || buffer[start] == 0x0a {
            start += 1
        }
        scanFrom = max(scanFrom, start)

        guard let headEnd = findHeadEnd() else {
            if let error = checkIncompleteHead() {
                return fail(error)
            }
            return .needMore
        }
        guard headEnd - start <= limits.maxHeaderBytes else {
            return fail(HTTPParseError(.headersTooLarge))
        }

        let parsed = parseHead(buffer[start..<headEnd])
        start = headEnd
        scanFrom = headEnd
        switch parsed {
        case .failure(let error):
            return fail(error)
        case .success(let head):
            return finishBody(head)
        }
    }

    // MARK: - Framing

    private mutating func fail(_ error: HTTPParseError) -> Result {
        state = .failed(error)
        buffer = []
        start = 0
        scanFrom = 0
        return .failure(error)
    }

    private mutating func finishBody(_ head: Head) -> Result {
        guard buffer.count - start >= head.contentLength else {
            state = .body(head)
            return .needMore
        }
        var request = head.request
        request.body = Array(buffer[start..<(start + head.contentLength)])
        start += head.contentLength
        scanFrom = start
        state = .head
        if start == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            start = 0
            scanFrom = 0
        }
        return .request(request)
    }

    private mutating func compactIfWorthwhile() {
        guard start > 0, start >= 4096 || start * 2 >= buffer.count else { return }
        buffer.removeSubrange(0..<start)
        scanFrom -= start
        start = 0
    }

    /// Finds the index just past the empty line ending the head, scanning each
    /// byte once across calls.
    private mutating func findHeadEnd() -> Int? {
        let limit = min(buffer.count, start + limits.maxHeaderBytes + 4)
        var i = scanFrom
        while i < limit {
            if buffer[i] == 0x0a {
                if i + 1 >= buffer.count {
                    scanFrom = i
                    return nil
                }
                if buffer[i + 1] == 0x0a { return i + 2 }
                if buffer[i + 1] == 0x0d {
                    if i + 2 >= buffer.count {
                        scanFrom = i
                        return nil
                    }
                    if buffer[i + 2] == 0x0a { return i + 3 }
                }
            }
            i += 1
        }
        scanFrom = i
        return nil
    }

    /// Decides whether an unfinished head has already broken a limit.
    private func checkIncompleteHead() -> HTTPParseError? {
        let pending = buffer.count - start
        let lineCap = limits.maxTargetLength + Self.requestLineSlack
        if pending > lineCap {
            let lineEnd = buffer[start...].firstIndex(of: 0x0a) ?? buffer.count
            if lineEnd - start > lineCap {
                let hasSpace = buffer[start..<min(lineEnd, start + Self.requestLineSlack)].contains(0x20)
                return HTTPParseError(hasSpace ? .targetTooLong : .malformedRequestLine)
            }
        }
        if pending > limits.maxHeaderBytes {
            return HTTPParseError(.headersTooLarge)
        }
        return nil
    }

    // MARK: - Head parsing

    private enum Parsed {
        case success(Head)
        case failure(HTTPParseError)
    }

    private func parseHead(_ bytes: ArraySlice<UInt8>) -> Parsed {
        var lines: [ArraySlice<UInt8>] = []
        for var line in bytes.split(separator: 0x0a, omittingEmptySubsequences: false) {
            if line.last == 0x0d { line = line.dropLast() }
            lines.append(line)
        }
        // The head ends with an empty line (and split leaves one more after the final LF).
        while let last = lines.last, last.isEmpty { lines.removeLast() }
        guard let requestLine = lines.first else {
            return .failure(HTTPParseError(.malformedRequestLine))
        }
        // The cap `checkIncompleteHead` puts on a request line still arriving (its CR counted), so a
        // complete head is judged the same however its bytes were split.
        let lineCap = limits.maxTargetLength + Self.requestLineSlack
        if (bytes.firstIndex(of: 0x0a) ?? bytes.endIndex) - bytes.startIndex > lineCap {
            let hasSpace = bytes.prefix(Self.requestLineSlack).contains(0x20)
            return .failure(HTTPParseError(hasSpace ? .targetTooLong : .malformedRequestLine))
        }
        for (index, line) in lines.enumerated() where line.contains(0x0d) {
            // A bare CR inside a line is never valid.
            return .failure(HTTPParseError(index == 0 ? .malformedRequestLine : .malformedHeader))
        }

        // Request line: method SP target SP version.
        let parts = requestLine.split(separator: 0x20, omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, parts[0].allSatisfy(isTokenByte), !parts[1].isEmpty else {
            if parts.count >= 2, parts[1].count > limits.maxTargetLength {
                return .failure(HTTPParseError(.targetTooLong))
            }
            return .failure(HTTPParseError(.malformedRequestLine))
        }
        let method = String(decoding: parts[0], as: UTF8.self)
        let rawTarget = parts[1]
        guard rawTarget.count <= limits.maxTargetLength else {
            return .failure(HTTPParseError(.targetTooLong))
        }
        let version: HTTPVersion
        switch parseVersion(parts[2]) {
        case .some(.some(let v)): version = v
        case .some(.none): return .failure(HTTPParseError(.unsupportedVersion))
        case .none: return .failure(HTTPParseError(.malformedRequestLine))
        }
        guard let target = String(validating: rawTarget, as: UTF8.self),
            let (path, query) = decodeTarget(rawTarget, method: method)
        else {
            return .failure(HTTPParseError(.invalidTarget))
        }

        // Header lines.
        var headers: [HTTPField] = []
        for line in lines.dropFirst() {
            guard headers.count < limits.maxHeaderCount else {
                return .failure(HTTPParseError(.tooManyHeaders))
            }
            guard let field = parseField(line) else {
                return .failure(HTTPParseError(.malformedHeader))
            }
            headers.append(field)
        }

        var request = HTTPRequest(
            method: method, target: target, path: path, query: query,
            version: version, headers: headers, body: [], keepAlive: true
        )

        let hosts = request.headerValues("Host")
        guard hosts.count <= 1, version == .http1_0 || hosts.count == 1 else {
            return .failure(HTTPParseError(.missingHost))
        }
        guard request.headerValues("Transfer-Encoding").isEmpty else {
            return .failure(HTTPParseError(.unsupportedTransferEncoding))
        }
        let contentLength: Int
        switch parseContentLength(request.headerValues("Content-Length"), cap: limits.maxBodyBytes(method: method, path: path)) {
        case .failure(let error): return .failure(error)
        case .success(let length): contentLength = length
        }

        let connectionTokens = request.headerValues("Connection")
            .flatMap { $0.split(separator: ",") }
            .map { trimOWS(String($0)).lowercased() }
        switch version {
        case .http1_1: request.keepAlive = !connectionTokens.contains("close")
        case .http1_0: request.keepAlive = connectionTokens.contains("keep-alive")
        }
        return .success(Head(request: request, contentLength: contentLength))
    }

    /// `nil`: malformed (400); `.some(nil)`: well formed but unsupported (505).
    private func parseVersion(_ bytes: ArraySlice<UInt8>) -> HTTPVersion?? {
        let v = Array(bytes)
        guard v.count == 8, v[0..<5].elementsEqual("HTTP/".utf8), v[6] == UInt8(ascii: "."),
            isDigit(v[5]), isDigit(v[7])
        else { return nil }
        switch (v[5], v[7]) {
        case (UInt8(ascii: "1"), UInt8(ascii: "1")): return .some(.http1_1)
        case (UInt8(ascii: "1"), UInt8(ascii: "0")): return .some(.http1_0)
        default: return .some(nil)
        }
    }

    private func decodeTarget(_ raw: ArraySlice<UInt8>, method: String) -> (String, [(String, String)])? {
        // Visible ASCII or UTF-8; no controls, spaces, DEL or fragments.
        guard raw.allSatisfy({ $0 > 0x20 && $0 != 0x7f && $0 != UInt8(ascii: "#") }) else { return nil }
        if raw.elementsEqual("*".utf8) {
            return method == "OPTIONS" ? ("*", []) : nil
        }
        var pathAndQuery = raw
        if raw.first != UInt8(ascii: "/") {
            // Absolute-form: scheme "://" authority, then the origin-form part.
            let lowered = raw.prefix(8).map(asciiLower)
            let schemeLength: Int
            if lowered.starts(with: "http://".utf8) {
                schemeLength = 7
            } else if lowered.starts(with: "https://".utf8) {
                schemeLength = 8
            } else {
                return nil
            }
            let afterScheme = raw.dropFirst(schemeLength)
            guard let authorityEnd = afterScheme.firstIndex(where: { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") }) else {
                return afterScheme.isEmpty ? nil : ("/", [])
            }
            pathAndQuery = raw[authorityEnd...]
        }
        let pathPart: ArraySlice<UInt8>
        var query: [(String, String)] = []
        if let questionMark = pathAndQuery.firstIndex(of: UInt8(ascii: "?")) {
            pathPart = pathAndQuery[pathAndQuery.startIndex..<questionMark]
            guard let pairs = FormCoding.decodePairs(pathAndQuery[(questionMark + 1)...]) else { return nil }
            query = pairs
        } else {
            pathPart = pathAndQuery
        }
        guard let path = FormCoding.percentDecode(pathPart, plusIsSpace: false) else { return nil }
        guard !path.utf8.contains(0) else { return nil }
        return (path.isEmpty ? "/" : path, query)
    }

    private func parseField(_ line: ArraySlice<UInt8>) -> HTTPField? {
        // Obsolete line folding (a continuation line) is rejected (RFC 9112 §5.2).
        guard let first = line.first, first != 0x20, first != 0x09,
            let colon = line.firstIndex(of: UInt8(ascii: ":"))
        else { return nil }
        let name = line[line.startIndex..<colon]
        guard !name.isEmpty, name.allSatisfy(isTokenByte) else { return nil }
        var value = line[(colon + 1)...]
        while let b = value.first, b == 0x20 || b == 0x09 { value = value.dropFirst() }
        while let b = value.last, b == 0x20 || b == 0x09 { value = value.dropLast() }
        guard value.allSatisfy({ $0 == 0x09 || ($0 >= 0x20 && $0 != 0x7f) }) else { return nil }
        return HTTPField(name: String(decoding: name, as: UTF8.self), value: String(decoding: value, as: UTF8.self))
    }

    private enum LengthResult {
        case success(Int)
        case failure(HTTPParseError)
    }

    private func parseContentLength(_ values: [String], cap: Int) -> LengthResult {
        guard let first = values.first else { return .success(0) }
        guard values.allSatisfy({ $0 == first }) else {
            return .failure(HTTPParseError(.badContentLength, message: "conflicting Content-Length headers"))
        }
        guard !first.isEmpty, first.utf8.allSatisfy(isDigit) else {
            return .failure(HTTPParseError(.badContentLength))
        }
        var length = 0
        for digit in first.utf8 {
            let (times10, overflow1) = length.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(Int(digit - UInt8(ascii: "0")))
            guard !overflow1, !overflow2, sum <= cap else {
                return .failure(HTTPParseError(.bodyTooLarge))
            }
            length = sum
        }
        return .success(length)
    }
}

@inline(__always)
private func isDigit(_ byte: UInt8) -> Bool {
    byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
}
