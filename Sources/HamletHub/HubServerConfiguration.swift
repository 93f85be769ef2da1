import HamletNet
import HamletProtocol
#if canImport(Glibc)
import Glibc
#endif

/// Where the hub writes its operational log: one line per connection, plus start-up and store notes.
///
/// Lines never carry record values (names, national IDs, phone numbers): only node ids, addresses, counts and codes.
public protocol HubLogger: Sendable {
    /// Writes one line (without a trailing newline).
    /// - Parameter line: The text to log.
    func log(_ line: String)
}

/// A logger that writes each line to standard error with `write(2)` (Swift 6 rejects the C global `stderr`).
public struct StandardErrorLogger: HubLogger {
    /// Creates the logger.
    public init() {}

    /// Writes `line` and a newline to file descriptor 2.
    /// - Parameter line: The text to log.
    public func log(_ line: String) {
        var bytes = Array(line.utf8)
        bytes.append(10)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { raw in
                Glibc.write(2, raw.baseAddress.map { $0 + offset }, raw.count - offset)
            }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { return }
            offset += written
        }
    }
}

/// How failed logins are slowed down and then refused: per (node, address), and per address with a wider cap.
public struct AuthThrottlePolicy: Sendable, Hashable {
    /// The delay before the first `auth-failed` reply; each further failure doubles it.
    public var baseDelay: Duration
    /// The longest delay before an `auth-failed` reply.
    public var maxDelay: Duration
    /// After this many failures (proofs being checked count too) within `window` for one node id from one address,
    /// that node id gets `rate-limited` from that address.
    public var maxFailures: Int
    /// After this many failures within `window` from one address, whatever the node ids, the address gets
    /// `rate-limited`.
    public var maxFailuresPerAddress: Int
    /// How long a failure counts.
    public var window: Duration

    /// The shipped policy: 250 ms doubling up to 5 s; 8 failures of one node id from one address, or 32 from one
    /// address in all, within 10 minutes lock it out.
    public static let standard = AuthThrottlePolicy(baseDelay: .milliseconds(250), maxDelay: .seconds(5), maxFailures: 8,
                                                    window: .seconds(600), maxFailuresPerAddress: 32)

    /// Creates a policy.
    /// - Parameters:
    ///   - baseDelay: Delay of the first failure's reply.
    ///   - maxDelay: Cap on the delay.
    ///   - maxFailures: Failures within `window` that lock a (node, address) out.
    ///   - window: How long a failure counts.
    ///   - maxFailuresPerAddress: Failures within `window` that lock an address out; 4 × `maxFailures` by default.
    public init(baseDelay: Duration, maxDelay: Duration, maxFailures: Int, window: Duration, maxFailuresPerAddress: Int? = nil) {
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.maxFailures = maxFailures
        self.maxFailuresPerAddress = maxFailuresPerAddress ?? 4 * maxFailures
        self.window = window
    }
}

/// Everything a `HubServer` needs: its folder, addresses, limits, worker counts and logger.
public struct HubServerConfiguration: Sendable {
    /// The hub folder holding `hub.sqlite`.
    public var directory: String
    /// Where nodes connect (the sync protocol); port 0 picks a free port.
    public var listen: SocketAddress
    /// Where the operator web page listens; served only when `webHandlerFactory` is set too.
    public var web: SocketAddress?
    /// Makes the handler for each web connection.
    public var webHandlerFactory: (@Sendable (Connection) -> any ConnectionHandler)?
    /// Line, batch, page and timeout limits announced in `welcome` and enforced.
    public var limits: Limits
    /// Reader connections (and threads) serving logins, pulls, verifies and resyncs concurrently.
    public var readers: Int
    /// Where log lines go.
    public var logger: any HubLogger
    /// How failed logins are slowed down and locked out.
    public var authThrottle: AuthThrottlePolicy
    /// A connection whose pending output makes no progress for this long is closed.
    public var writeTimeout: Duration
    /// Open protocol connections allowed at once; more are accepted and closed.
    public var maxConnections: Int
    /// Connections from one address that have not logged in yet (and, on the operator page, all of them); more
    /// are accepted and closed at once.
    public var maxPreLoginPerAddress: Int
    /// Protocol connections from one address, logged in or not: its share of `maxConnections`.
    public var maxConnectionsPerAddress: Int
    /// How long a new protocol connection has to send `hello` and `auth`; otherwise `error timeout`.
    public var loginTimeout: Duration
    /// Bytes of long lines (pushes of 64 KiB or more) decoded, queued or being reconciled at once; the next waits
    /// undecoded until room appears (backpressure: fifty villages pushing at once no longer hold every batch in
    /// memory as values). 4 MiB by default, about ten thousand changes; one line is always admitted.
    public var pushAdmissionBytes = 4 << 20

    /// Creates a configuration.
    /// - Parameters:
    ///   - directory: The hub folder.
    ///   - listen: The protocol address.
    ///   - web: The operator page address, or nil.
    ///   - webHandlerFactory: The operator page's connection handler factory, or nil.
    ///   - limits: Protocol limits; `Limits.standard` by default.
    ///   - readers: Reader connections; 4 by default.
    ///   - logger: Where log lines go; standard error by default.
    ///   - authThrottle: Login throttling; `AuthThrottlePolicy.standard` by default.
    ///   - writeTimeout: Longest output stall; 30 s by default.
    ///   - maxConnections: Open protocol connections allowed; 10,000 by default.
    ///   - maxPreLoginPerAddress: Connections per address before login; 64 by default.
    ///   - maxConnectionsPerAddress: Protocol connections per address; 2,500 (a quarter of the default cap) by default.
    ///   - loginTimeout: Time from connect to `auth`; 5 s by default.
    public init(
        directory: String,
        listen: SocketAddress,
        web: SocketAddress? = nil,
        webHandlerFactory: (@Sendable (Connection) -> any ConnectionHandler)? = nil,
        limits: Limits = .standard,
        readers: Int = 4,
        logger: any HubLogger = StandardErrorLogger(),
        authThrottle: AuthThrottlePolicy = .standard,
        writeTimeout: Duration = .seconds(30),
        maxConnections: Int = 10_000,
        maxPreLoginPerAddress: Int = 64,
        maxConnectionsPerAddress: Int = 2_500,
        loginTimeout: Duration = .seconds(5)
    ) {
        self.directory = directory
        self.listen = listen
        self.web = web
        self.webHandlerFactory = webHandlerFactory
        self.limits = limits
        self.readers = readers
        self.logger = logger
        self.authThrottle = authThrottle
        self.writeTimeout = writeTimeout
        self.maxConnections = maxConnections
        self.maxPreLoginPerAddress = maxPreLoginPerAddress
        self.maxConnectionsPerAddress = maxConnectionsPerAddress
        self.loginTimeout = loginTimeout
    }
}
