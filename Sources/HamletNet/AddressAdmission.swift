/// Counts one listener's connections per peer host and decides, at accept, whether one more may open.
///
/// Two caps keep one address from filling the listener: connections the handler has not yet vouched for
/// (`Connection.markTrusted()`, e.g. after a login) are capped by `maxUntrusted`, and all connections from the host
/// by `maxTotal` (its fair share of `maxConnections`). A connection over either cap is closed at accept, before a
/// handler exists. Pure value: the event loop owns it on its thread.
package struct AddressAdmission: Sendable {
    /// Why a connection was or was not admitted.
    package enum Verdict: Sendable, Hashable {
        /// Opened; counted as untrusted until `trust(_:)`.
        case admitted
        /// The host already holds `maxUntrusted` connections that are not trusted yet.
        case tooManyUntrusted
        /// The host already holds `maxTotal` connections.
        case overShare
    }

    /// Untrusted connections one host may hold at once.
    package let maxUntrusted: Int
    /// Connections one host may hold at once, trusted or not.
    package let maxTotal: Int
    /// Open connections per host (only hosts with at least one).
    package private(set) var open: [String: Int] = [:]
    /// Untrusted connections per host (only hosts with at least one).
    package private(set) var untrusted: [String: Int] = [:]

    /// Creates an empty count.
    /// - Parameters:
    ///   - maxUntrusted: Untrusted connections allowed per host.
    ///   - maxTotal: Connections allowed per host.
    package init(maxUntrusted: Int, maxTotal: Int) {
        self.maxUntrusted = maxUntrusted
        self.maxTotal = maxTotal
    }

    /// Decides on a new connection from `host`, counting it when admitted.
    /// - Parameter host: The peer's address, without the port.
    /// - Returns: `.admitted`, or why not.
    package mutating func admit(_ host: String) -> Verdict {
        let total = open[host, default: 0]
        guard total < maxTotal else { return .overShare }
        guard untrusted[host, default: 0] < maxUntrusted else { return .tooManyUntrusted }
        open[host] = total + 1
        untrusted[host, default: 0] += 1
        return .admitted
    }

    /// A connection from `host` was vouched for: it no longer counts against `maxUntrusted`.
    /// - Parameter host: The peer's address.
    package mutating func trust(_ host: String) {
        decrement(&untrusted, host)
    }

    /// A connection from `host` closed.
    /// - Parameters:
    ///   - host: The peer's address.
    ///   - trusted: Whether it had been trusted (else it still counted as untrusted).
    package mutating func release(_ host: String, trusted: Bool) {
        decrement(&open, host)
        if !trusted { decrement(&untrusted, host) }
    }

    private func decrement(_ counts: inout [String: Int], _ host: String) {
        guard let count = counts[host] else { return }
        counts[host] = count > 1 ? count - 1 : nil
    }
}
