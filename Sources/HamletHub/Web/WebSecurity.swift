import Foundation
import HamletCrypto
import HamletHTTP

/// A browser session of the operator page: a random id, and whether it proved the operator token.
struct WebSession: Sendable, Hashable {
    /// 128 random bits, hex.
    var id: String
    /// True once the session logged in with the operator token.
    var authenticated: Bool
}

/// The page's keys and checks: signed session cookies, CSRF tokens, the operator token, and the same-host check
/// on POST. Every MAC is HMAC-SHA256 under a secret drawn once per process, and every comparison is constant-time.
struct WebSecurity: Sendable {
    static let sessionCookie = "hamlet_session"
    static let languageCookie = "hamlet_lang"
    static let operatorCookie = "hamlet_operator"

    /// 256 random bits, new for each process: restarting the hub ends every session and form.
    let secret: [UInt8]
    /// The operator token (`--token-file`), or nil when the page is open on loopback.
    let token: String?

    init(token: String?, secret: [UInt8] = SecureRandom.bytes(32)) {
        self.token = token
        self.secret = secret
    }

    private func mac(_ parts: String...) -> [UInt8] {
        HMACSHA256.authenticate(key: secret, message: Array(parts.joined(separator: "\n").utf8))
    }

    /// A new session id (128 random bits).
    func makeSessionID() -> String { Hex.encode(SecureRandom.bytes(16)) }

    /// The cookie value of a session: `id.level.mac`, where level is `a` (token proved) or `o` (open).
    func cookieValue(_ session: WebSession) -> String {
        let level = session.authenticated ? "a" : "o"
        return "\(session.id).\(level).\(Hex.encode(mac("hamlet-session/1", session.id, level)))"
    }

    /// Reads and verifies a session cookie value; nil when it is malformed or its MAC is wrong.
    func session(fromCookie value: String) -> WebSession? {
        let parts = value.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 3, parts[0].utf8.count == 32, parts[1] == "a" || parts[1] == "o",
              let presented = Hex.decode(parts[2]) else { return nil }
        guard constantTimeEquals(presented, mac("hamlet-session/1", parts[0], parts[1])) else { return nil }
        return WebSession(id: parts[0], authenticated: parts[1] == "a")
    }

    /// The CSRF token of a form: HMAC over the session id and the form's purpose (its action path).
    func csrfToken(session: String, purpose: String) -> String {
        Hex.encode(mac("hamlet-csrf/1", session, purpose))
    }

    /// Checks a submitted CSRF token in constant time.
    func checkCSRF(_ presented: String?, session: String, purpose: String) -> Bool {
        guard let presented, let bytes = Hex.decode(presented) else { return false }
        return constantTimeEquals(bytes, mac("hamlet-csrf/1", session, purpose))
    }

    /// Checks a presented operator token in constant time (both sides are MACed first, so lengths do not leak).
    func checkToken(_ presented: String) -> Bool {
        guard let token else { return false }
        return constantTimeEquals(mac("hamlet-token/1", presented), mac("hamlet-token/1", token))
    }

    /// The cookies of a request, name → value (first wins).
    static func cookies(_ request: HTTPRequest) -> [String: String] {
        var out: [String: String] = [:]
        for header in request.headerValues("Cookie") {
            for piece in header.split(separator: ";") {
                let pair = piece.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                guard pair.count == 2 else { continue }
                let name = pair[0].trimmingCharacters(in: .whitespaces)
                if out[name] == nil { out[name] = pair[1].trimmingCharacters(in: .whitespaces) }
            }
        }
        return out
    }

    /// A `Set-Cookie` value: HttpOnly, SameSite=Strict, Path=/.
    static func setCookie(_ name: String, _ value: String, maxAge: Int? = nil) -> String {
        "\(name)=\(value); Path=/; HttpOnly; SameSite=Strict" + (maxAge.map { "; Max-Age=\($0)" } ?? "")
    }

    /// The `Authorization: Bearer …` token of a request, if any.
    static func bearer(_ request: HTTPRequest) -> String? {
        guard let value = request.header("Authorization") else { return nil }
        let parts = value.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        return parts[1].trimmingCharacters(in: .whitespaces)
    }

    /// The `host[:port]` part of an `http(s)://host[:port]/…` URL, lowercased.
    static func authority(ofURL url: String) -> String? {
        let lower = url.lowercased()
        let rest: Substring
        if lower.hasPrefix("http://") { rest = lower.dropFirst(7) } else if lower.hasPrefix("https://") { rest = lower.dropFirst(8) } else { return nil }
        let end = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
        let authority = rest[rest.startIndex..<end]
        return authority.isEmpty ? nil : String(authority)
    }

    /// The same-host check for POST: `Origin` (or, without it, `Referer`) must name the `Host` the request was sent
    /// to. A request with neither header (not a browser) passes; the CSRF token still has to match.
    static func isSameOrigin(_ request: HTTPRequest) -> Bool {
        guard let host = request.header("Host")?.lowercased() else { return request.header("Origin") == nil }
        if let origin = request.header("Origin") {
            return authority(ofURL: origin) == host
        }
        if let referer = request.header("Referer") {
            return authority(ofURL: referer) == host
        }
        return true
    }

    /// True when a `Host` header names this machine (`localhost`, `127.*`, `[::1]`), whatever the port: the check
    /// that keeps a DNS-rebinding page from talking to an open loopback console.
    static func isLoopbackHost(_ host: String) -> Bool {
        var name = host.lowercased()
        if name.hasPrefix("[") {
            guard let close = name.firstIndex(of: "]") else { return false }
            name = String(name[name.index(after: name.startIndex)..<close])
            return name == "::1"
        }
        if let colon = name.lastIndex(of: ":") { name = String(name[..<colon]) }
        if name == "localhost" || name.hasSuffix(".localhost") { return true }
        let octets = name.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets[0] == "127" && octets.allSatisfy { UInt8($0) != nil }
    }
}
