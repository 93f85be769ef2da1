#if canImport(Glibc)
import Glibc
#endif

/// An error from a socket operation: a stable code, the `errno` captured at the failure site and a message.
///
/// The message says what failed and what to do; it never carries payload bytes.
public struct NetError: Error, CustomStringConvertible, Sendable {
    /// A stable machine-readable error code. The raw strings are log and wire codes: add new ones, never rename.
    public enum Code: String, Sendable, Hashable, CaseIterable {
        /// The address string could not be parsed or resolved.
        case addressInvalid = "address-invalid"
        /// Creating, binding or listening on a server socket failed.
        case bindFailed = "bind-failed"
        /// An outgoing connection failed for a reason other than refusal or timeout.
        case connectFailed = "connect-failed"
        /// The peer actively refused the connection (nothing listens on that port).
        case connectionRefused = "connection-refused"
        /// The peer reset the connection, or a write hit a broken pipe.
        case connectionReset = "connection-reset"
        /// The socket was already closed, or the peer closed it in the middle of a line.
        case closed = "closed"
        /// A deadline passed before the operation completed.
        case timeout = "timeout"
        /// A line grew past its length cap without a newline.
        case lineTooLong = "line-too-long"
        /// Any other system-call failure; see `errno`.
        case ioFailed = "io-failed"
    }

    /// The stable error code.
    public var code: Code
    /// The `errno` captured right after the failing system call, if one failed.
    public var errno: Int32?
    /// A human-readable explanation of what failed.
    public var message: String

    /// Creates an error.
    /// - Parameters:
    ///   - code: The stable error code.
    ///   - errno: The captured `errno`, if a system call failed.
    ///   - message: What failed and, where useful, what to do.
    public init(_ code: Code, errno: Int32? = nil, _ message: String) {
        self.code = code
        self.errno = errno
        self.message = message
    }

    /// `code: message (errno N: text)`.
    public var description: String {
        var text = "\(code.rawValue): \(message)"
        if let errno {
            text += " (errno \(errno): \(NetError.errnoText(errno)))"
        }
        return text
    }

    static func errnoText(_ value: Int32) -> String {
        guard let cString = strerror(value) else { return "unknown" }
        return String(cString: cString)
    }

}

extension NetError.Code {
    /// Matches any error that is a `NetError` with this code, for `catch` clauses and `switch` cases.
    /// - Parameters:
    ///   - code: The code to match.
    ///   - error: Any error.
    /// - Returns: `true` when `error` is a `NetError` with that code.
    public static func ~= (code: NetError.Code, error: any Error) -> Bool {
        (error as? NetError)?.code == code
    }
}
