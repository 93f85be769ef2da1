#if canImport(Glibc)
import Glibc
#endif

/// A numeric IPv4 or IPv6 address and a TCP port.
///
/// Parses `"127.0.0.1:7420"`, `"0.0.0.0:0"`, `"[::1]:7420"` and `"localhost:7420"` (read as `127.0.0.1`).
/// Other host names are rejected: resolution would block.
public struct SocketAddress: Sendable, Hashable, CustomStringConvertible {
    /// The address family.
    public enum Family: Sendable, Hashable {
        /// IPv4 (`AF_INET`).
        case ipv4
        /// IPv6 (`AF_INET6`).
        case ipv6
    }

    /// The numeric host in canonical form (`"127.0.0.1"`, `"::1"`), without brackets.
    public let host: String
    /// The TCP port; 0 asks the system for a free port when binding.
    public let port: UInt16
    /// IPv4 or IPv6.
    public let family: Family

    /// Parses `host:port`, with IPv6 hosts in brackets.
    /// - Parameter text: For example `"127.0.0.1:7420"`, `"[::1]:7420"` or `"localhost:0"`.
    /// - Throws: `NetError` with code `.addressInvalid` when the text is not a numeric address, `localhost`, and a port.
    public init(parsing text: String) throws {
        let hostPart: Substring
        let portPart: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"),
                  text[text.index(after: close)...].hasPrefix(":")
            else {
                throw NetError(.addressInvalid, "address \"\(text)\" is not [ipv6]:port; write it like [::1]:7420")
            }
            hostPart = text[text.index(after: text.startIndex)..<close]
            portPart = text[text.index(close, offsetBy: 2)...]
        } else {
            guard let colon = text.lastIndex(of: ":"), text.firstIndex(of: ":") == colon else {
                throw NetError(.addressInvalid, "address \"\(text)\" is not host:port; write it like 127.0.0.1:7420")
            }
            hostPart = text[..<colon]
            portPart = text[text.index(after: colon)...]
        }
        guard !portPart.isEmpty, portPart.allSatisfy(\.isASCII), let port = UInt16(portPart) else {
            throw NetError(.addressInvalid, "port in \"\(text)\" must be a number from 0 to 65535")
        }
        try self.init(host: String(hostPart), port: port)
    }

    /// Creates an address from a numeric host (or `localhost`) and a port.
    /// - Parameters:
    ///   - host: `"127.0.0.1"`, `"::1"`, `"0.0.0.0"`, `"localhost"`; no brackets.
    ///   - port: The TCP port.
    /// - Throws: `NetError` with code `.addressInvalid` when `host` is not numeric or `localhost`.
    public init(host: String, port: UInt16) throws {
        let numeric = host.lowercased() == "localhost" ? "127.0.0.1" : host
        var v4 = in_addr()
        var v6 = in6_addr()
        if inet_pton(AF_INET, numeric, &v4) == 1 {
            self.init(canonicalHost: SocketAddress.text(of: v4), port: port, family: .ipv4)
        } else if inet_pton(AF_INET6, numeric, &v6) == 1 {
            self.init(canonicalHost: SocketAddress.text(of: v6), port: port, family: .ipv6)
        } else {
            throw NetError(.addressInvalid, "host \"\(host)\" is not a numeric IP address or localhost")
        }
    }

    private init(canonicalHost: String, port: UInt16, family: Family) {
        self.host = canonicalHost
        self.port = port
        self.family = family
    }

    /// The loopback address `127.0.0.1` with the given port.
    /// - Parameter port: The TCP port; 0 by default.
    /// - Returns: `127.0.0.1:port`.
    public static func loopback(port: UInt16 = 0) -> SocketAddress {
        SocketAddress(canonicalHost: "127.0.0.1", port: port, family: .ipv4)
    }

    /// `true` for `127.0.0.0/8` and `::1`.
    public var isLoopback: Bool {
        switch family {
        case .ipv4: host.hasPrefix("127.")
        case .ipv6: host == "::1" || host.hasPrefix("::ffff:127.")
        }
    }

    /// `host:port`, or `[host]:port` for IPv6.
    public var description: String {
        switch family {
        case .ipv4: "\(host):\(port)"
        case .ipv6: "[\(host)]:\(port)"
        }
    }

    // MARK: sockaddr conversion

    init?(storage: sockaddr_storage) {
        var storage = storage
        switch Int32(storage.ss_family) {
        case AF_INET:
            let address = withUnsafeBytes(of: &storage) { $0.load(as: sockaddr_in.self) }
            self.init(
                canonicalHost: SocketAddress.text(of: address.sin_addr),
                port: UInt16(bigEndian: address.sin_port),
                family: .ipv4
            )
        case AF_INET6:
            let address = withUnsafeBytes(of: &storage) { $0.load(as: sockaddr_in6.self) }
            self.init(
                canonicalHost: SocketAddress.text(of: address.sin6_addr),
                port: UInt16(bigEndian: address.sin6_port),
                family: .ipv6
            )
        default:
            return nil
        }
    }

    var addressFamily: Int32 {
        family == .ipv4 ? AF_INET : AF_INET6
    }

    /// Calls `body` with this address as a `sockaddr` pointer and its length.
    func withSockAddr<Result>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> Result) -> Result {
        switch family {
        case .ipv4:
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = port.bigEndian
            _ = inet_pton(AF_INET, host, &address.sin_addr)
            return withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    body($0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
        case .ipv6:
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            address.sin6_port = port.bigEndian
            _ = inet_pton(AF_INET6, host, &address.sin6_addr)
            return withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    body($0, socklen_t(MemoryLayout<sockaddr_in6>.size))
                }
            }
        }
    }

    private static func text(of address: in_addr) -> String {
        var address = address
        return text(family: AF_INET, &address, capacity: Int(INET_ADDRSTRLEN))
    }

    private static func text(of address: in6_addr) -> String {
        var address = address
        return text(family: AF_INET6, &address, capacity: Int(INET6_ADDRSTRLEN))
    }

    private static func text(family: Int32, _ address: UnsafeRawPointer, capacity: Int) -> String {
        var buffer = [CChar](repeating: 0, count: capacity + 1)
        guard inet_ntop(family, address, &buffer, socklen_t(capacity)) != nil else {
            preconditionFailure("inet_ntop cannot fail for a valid family and a large enough buffer")
        }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
