/// Stable wire error codes. Add new ones, never rename: clients switch on them.
///
/// Every code is fatal (the hub closes the connection after the error line) except `resync-required` and
/// `seq-gap`, after which the session stays where it was and the node may go on (PROTOCOL.md §6).
public enum ErrorCode: String, Sendable, Codable, CaseIterable {
    /// The line is not valid UTF-8. Fatal.
    case badUTF8 = "bad-utf8"
    /// The line is not valid JSON. Fatal.
    case badJSON = "bad-json"
    /// The line is JSON but not an object. Fatal.
    case notAnObject = "not-an-object"
    /// The object has no string `type`. Fatal.
    case missingType = "missing-type"
    /// `type` names no message this side accepts. Fatal.
    case unknownType = "unknown-type"
    /// A field is missing or has the wrong JSON type. Fatal.
    case badField = "bad-field"
    /// The line exceeds the maximum length. Fatal.
    case lineTooLong = "line-too-long"
    /// The message is not allowed in the session's current state. Fatal.
    case outOfOrder = "out-of-order"
    /// The client's protocol version is not supported. Fatal.
    case unsupportedVersion = "unsupported-version"
    /// The credential was wrong, or the node is unknown. Fatal. Do not retry with the same secret.
    case authFailed = "auth-failed"
    /// Too many failed logins from this address; wait `retry_after` seconds. Fatal.
    case rateLimited = "rate-limited"
    /// A push holds more changes than `max_batch`. Fatal.
    case batchTooLarge = "batch-too-large"
    /// A line did not complete in time, or the session sat idle. Fatal.
    case timeout
    /// The hub is stopping; reconnect later. Fatal.
    case shuttingDown = "shutting-down"
    /// The hub's store failed; the batch was rolled back. Retry later. Fatal.
    case unavailable
    /// The hub hit a bug. Fatal.
    case `internal`
    /// The node must resync first: the welcome said so, or a pull's cursor is beyond the hub's head.
    /// Not fatal: the session stays open and accepts `resync` (and `bye`).
    case resyncRequired = "resync-required"
    /// A push's new `seq`s do not continue the node's received prefix in order; nothing of the batch was applied.
    /// The error carries `expected_seq`, the `seq` the hub will take next (`last_seq + 1`). Not fatal.
    case seqGap = "seq-gap"
    /// The node's replica holds a newer register schema than the hub: the hub must be upgraded
    /// before this node can sync. Fatal.
    case schemaNewer = "schema-newer"

    /// True when the hub closes the connection after sending this code.
    public var isFatal: Bool {
        switch self {
        case .resyncRequired, .seqGap: return false
        default: return true
        }
    }
}
