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
        /// Another command (a sync, a resync) is using the replica: retry when it has finished (exit 75).
        case busy
    }

    /// What kind of failure.
    public var code: Code
    /// What failed and what to do.
    public var message: String
    /// The hub's wire error code, when the hub sent an error.
    public var hubCode: String?
    /// Seconds the hub asked the node to wait (`rate-limited`).
    public var retryAfter: Int?
    /// What failed and what to do, in Chinese for the clerk; nil where ``message(chinese:)`` words it from the code.
    public var messageZH: String?

    /// Creates an error.
    public init(_ code: Code, _ message: String, zh: String? = nil, hubCode: String? = nil, retryAfter: Int? = nil) {
        self.code = code
        self.message = message
        self.messageZH = zh
        self.hubCode = hubCode
        self.retryAfter = retryAfter
    }

    /// What failed and what to do, in the clerk's language.
    /// - Parameter chinese: The interface language.
    /// - Returns: ``message``, or in Chinese ``messageZH`` or a sentence for the code.
    public func message(chinese: Bool) -> String {
        guard chinese else { return message }
        if let messageZH { return messageZH }
        switch code {
        case .unreachable: return "与镇中心的连接断了，请稍后再同步"
        case .refused: return "镇中心拒绝了本节点，请联系镇管理员"
        case .protocol: return "镇中心发来的数据本节点处理不了（协议错误），请告诉镇管理员，用 --lang en 运行可看到详细原因"
        case .store: return "本地数据文件读写出错，请检查磁盘空间和文件权限；用 --lang en 运行可看到详细原因"
        case .notConfigured: return "本节点还没有配置好镇中心地址或密钥文件"
        case .busy: return "本地数据文件正被另一个 hamlet 命令使用，请等它结束后再试"
        }
    }

    /// The process exit status for this error (sysexits).
    public var exitCode: Int32 {
        switch code {
        case .unreachable: return 75
        case .refused: return 77
        case .protocol: return 1
        case .store: return 74
        case .notConfigured: return 64
        case .busy: return 75
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
                             zh: "镇中心不认这个节点的身份：请核对节点名和密钥文件（密钥由镇管理员用 hamlet hub add-node 发给本村）", hubCode: code)
        case ErrorCode.rateLimited.rawValue:
            return SyncError(.refused, "the hub is refusing this node's logins from this address for now (\(message)); wait and retry",
                             zh: "本节点从这台电脑登录失败的次数太多，镇中心暂时不接受，请稍后再试", hubCode: code, retryAfter: retryAfter)
        case "out-of-scope", "unknown-node", "node-disabled", "forbidden":
            return SyncError(.refused, "the hub refused the session: \(message)", zh: "镇中心拒绝了本节点（节点未登记、已停用或无权同步这个村），请联系镇管理员",
                             hubCode: code)
        case ErrorCode.resyncRequired.rawValue:
            return SyncError(.protocol, "the hub requires a resync (\(message)); run hamlet resync",
                             zh: "镇中心要求重新同步：请运行 hamlet resync（未上传的修改会保留）", hubCode: code)
        case ErrorCode.seqGap.rawValue:
            return SyncError(.protocol, "the hub is missing earlier changes of this node (\(message)); run hamlet resync",
                             zh: "镇中心缺少本节点早先的修改：请运行 hamlet resync", hubCode: code)
        case ErrorCode.timeout.rawValue, ErrorCode.shuttingDown.rawValue, ErrorCode.unavailable.rawValue:
            return SyncError(.unreachable, "the hub ended the session: \(message); retry later",
                             zh: "镇中心中断了这次同步（超时、正在关闭或暂时不可用），请稍后再同步", hubCode: code, retryAfter: retryAfter)
        default:
            return SyncError(.protocol, "the hub reported \(code): \(message)", hubCode: code)
        }
    }
}
