/// Limits for the connections accepted on one listening address.
public struct ServerConfiguration: Sendable {
    /// Connections beyond this many are accepted and closed at once.
    public var maxConnections: Int
    /// The deadline a new connection gets, and what `Connection.setDeadline(after: nil)` applies.
    public var idleTimeout: Duration
    /// A connection whose pending output makes no progress for this long is closed with `.timeout`.
    public var writeTimeout: Duration
    /// A connection whose unsent output exceeds this many bytes is closed with `.writeOverflow`.
    public var maxPendingWriteBytes: Int
    /// The `listen(2)` backlog.
    public var backlog: Int32
    /// Connections from one peer address that the handler has not vouched for yet (`Connection.markTrusted()`);
    /// more are accepted and closed at once.
    public var maxUntrustedPerAddress: Int
    /// Connections from one peer address, trusted or not: its share of `maxConnections`; more are accepted and closed.
    public var maxConnectionsPerAddress: Int

    /// Creates a configuration.
    /// - Parameters:
    ///   - maxConnections: Open connections allowed at once; default 10,000.
    ///   - idleTimeout: Default deadline for a connection; default 120 s.
    ///   - writeTimeout: Longest stall of pending output; default 30 s.
    ///   - maxPendingWriteBytes: Cap on unsent output; default 8 MiB.
    ///   - backlog: The `listen(2)` backlog; default 1,024.
    ///   - maxUntrustedPerAddress: Untrusted connections per peer address; no cap by default.
    ///   - maxConnectionsPerAddress: Connections per peer address; no cap by default.
    public init(
        maxConnections: Int = 10_000,
        idleTimeout: Duration = .seconds(120),
        writeTimeout: Duration = .seconds(30),
        maxPendingWriteBytes: Int = 8 << 20,
        backlog: Int32 = 1_024,
        maxUntrustedPerAddress: Int = .max,
        maxConnectionsPerAddress: Int = .max
    ) {
        self.maxConnections = maxConnections
        self.idleTimeout = idleTimeout
        self.writeTimeout = writeTimeout
        self.maxPendingWriteBytes = maxPendingWriteBytes
        self.backlog = backlog
        self.maxUntrustedPerAddress = maxUntrustedPerAddress
        self.maxConnectionsPerAddress = maxConnectionsPerAddress
    }
}

/// A listening socket registered with an `EventLoop`.
///
/// `@unchecked Sendable`: created on the caller's thread, then handed to the loop under the loop's lock;
/// `openCount`, `admission` and `resumeAt` are touched on the loop thread only.
final class Listener: @unchecked Sendable {
    let id: UInt64
    let fd: Int32
    let address: SocketAddress
    let configuration: ServerConfiguration
    let handlerFactory: @Sendable (Connection) -> any ConnectionHandler

    // Loop thread only.
    var openCount = 0
    var admission: AddressAdmission
    var resumeAt: ContinuousClock.Instant?

    init(
        id: UInt64,
        fd: Int32,
        address: SocketAddress,
        configuration: ServerConfiguration,
        handlerFactory: @escaping @Sendable (Connection) -> any ConnectionHandler
    ) {
        self.id = id
        self.fd = fd
        self.address = address
        self.configuration = configuration
        self.handlerFactory = handlerFactory
        admission = AddressAdmission(maxUntrusted: configuration.maxUntrustedPerAddress,
                                     maxTotal: configuration.maxConnectionsPerAddress)
    }
}
