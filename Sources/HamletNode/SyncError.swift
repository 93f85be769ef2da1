import HamletProtocol

/// Why a sync failed. Messages never carry record values.
public struct SyncError: Error, Sendable, CustomStringConvertible {
    /// Stable codes; add new ones, never rename.
    public enum Code: String, Sendable, Hashable, CaseIterable {
        /// The hub could not be reached or the connection was lost: retry later (exit 75).
        case unreachable
        /// The hub refused the node: wrong secret, rate limited, not allowed (exit 77).
        case refused
        /// The hub sent something the client did not expect (exit 1).
        case `protocol`
        /// The local replica failed (exit 74).
        case store
        /// The replica names no hub address or secret file, or there is no replica (exit 64).
        case notConfigured = "not-configured"
    }

    /// What kind of failure.
    public var code: Code
    /// What failed and what to do.
    public var message: String
    /// The hub's wire error code, when the hub sent an error.
    public var hubCode: String?
    /// Seconds the hub asked the node to wait (`rate-limited`).
    public var retryAfter: Int?

    /// Creates an error.
    public init(_ code: Code, _ message: String, hubCode: String? = nil, retryAfter: Int? = nil) {
        self.code = code
        self.message = message
        self.hubCode = hubCode
        self.retryAfter = retryAfter
    }

    /// The process exit status for this error (sysexits).
    public var exitCode: Int32 {
        switch code {
        case .unreachable: return 75
        case .refused: return 77
        case .protocol: return 1
        case .store: return 74
        case .notConfigured: return 64
        }
    }

    public var description: String {
        hubCode.map { "\(code.rawValue) (\($0)): \(message)" } ?? "\(code.rawValue): \(message)"
    }

    /// Maps a hub `error` message to a client error.
    static func fromHub(_ code: String, _ message: String, retryAfter: Int?) -> SyncError {
        switch code {
        case ErrorCode.authFailed.rawValue:
            return SyncError(.refused, "the hub refused this node's credentials (\(message)); check the node id and secret file",
                             hubCode: code)
        case ErrorCode.rateLimited.rawValue:
            return SyncError(.refused, "the hub is refusing logins from this address for now (\(message)); wait and retry",
                             hubCode: code, retryAfter: retryAfter)
        case "out-of-scope", "unknown-node", "node-disabled", "forbidden":
            return SyncError(.refused, "the hub refused the session: \(message)", hubCode: code)
        case ErrorCode.resyncRequired.rawValue:
            return SyncError(.protocol, "the hub requires a resync (\(message)); run hamlet resync", hubCode: code)
        case ErrorCode.seqGap.rawValue:
            return SyncError(.protocol, "the hub is missing earlier changes of this node (\(message)); run hamlet resync",
                             hubCode: code)
        case ErrorCode.timeout.rawValue, ErrorCode.shuttingDown.rawValue, ErrorCode.unavailable.rawValue:
            return SyncError(.unreachable, "the hub ended the session: \(message); retry later", hubCode: code,
                             retryAfter: retryAfter)
        default:
            return SyncError(.protocol, "the hub reported \(code): \(message)", hubCode: code)
        }
    }
}
