import HamletProtocol

/// What one sync did, for the CLI line, `status` and logs. No record values.
public struct SyncSummary: Sendable, Codable, Hashable {
    /// Changes sent (re-sent unacknowledged ones included).
    public var pushed = 0
    /// Changes the hub applied.
    public var accepted = 0
    /// Changes the hub took with a conflict opened for the operator.
    public var conflicted = 0
    /// Changes the hub refused (kept in the log, marked rejected).
    public var rejected = 0
    /// Changes the hub holds until the row they name arrives (sent again next sync).
    public var parked = 0
    /// Conflicts opened by this node's changes that the sync learned the hub has closed (resolved, merged,
    /// dismissed, moot, superseded).
    public var settled = 0
    /// Rows received in pull pages.
    public var pulled = 0
    /// True when the replica was rebuilt from a snapshot.
    public var resynced = false
    /// Why it was rebuilt.
    public var resyncReason: String?
    /// Rows in the snapshot, when resynced.
    public var snapshotRows = 0
    /// Changes re-pushed because the hub had lost them (restored from a backup).
    public var requeued = 0
    /// `match`, `mismatch` or `skipped`.
    public var verify = "skipped"
    /// The node's cursor after the sync.
    public var cursor: Int64 = 0
    /// The hub's head when last seen.
    public var head: Int64 = 0
    /// The hub's identity.
    public var hubID = ""
    /// Wall time the sync took.
    public var durationMillis: Int64 = 0
    /// The register schema version the replica was upgraded to at login (the hub's), when it was.
    public var schemaUpgraded: Int?

    /// An empty summary.
    public init() {}

    /// One line in English.
    public var line: String {
        var s = "pushed \(pushed) (accepted \(accepted), conflicts \(conflicted), rejected \(rejected)\(parked > 0 ? ", parked \(parked)" : "")), pulled \(pulled) rows"
        if settled > 0 { s += ", \(settled) conflict(s) settled at the hub" }
        if requeued > 0 { s += ", re-pushed \(requeued) the hub had lost" }
        if resynced { s += ", resynced (\(resyncReason ?? "asked"), \(snapshotRows) rows)" }
        if let v = schemaUpgraded { s += ", register upgraded to schema \(v)" }
        s += ", verify \(verify), cursor \(cursor)/\(head), \(durationMillis) ms"
        return s
    }

    /// One line in Chinese.
    public var lineZH: String {
        var s = "上传 \(pushed) 条（已接收 \(accepted)，冲突 \(conflicted)，已退回 \(rejected)\(parked > 0 ? "，暂存 \(parked)" : "")），下载 \(pulled) 行"
        if settled > 0 { s += "，镇中心已处理冲突 \(settled) 个" }
        if requeued > 0 { s += "，重新上传 \(requeued) 条（中心丢失）" }
        if resynced { s += "，已重建（\(SyncSummary.reasonZH(resyncReason))，\(snapshotRows) 行）" }
        if let v = schemaUpgraded { s += "，台账结构已升级到第 \(v) 版" }
        let v = verify == "match" ? "核对一致" : verify == "mismatch" ? "核对不一致" : "未核对"
        s += "，\(v)，下载进度 \(cursor)/\(head)，用时 \(durationMillis) 毫秒"
        return s
    }

    /// Why a replica was rebuilt, in Chinese (the reasons are English wire words).
    static func reasonZH(_ reason: String?) -> String {
        switch ResyncReason.fromWire(reason ?? ResyncReason.hubAsked.rawValue) {
        case .asked: "按本村要求"
        case .hubReplaced: "镇中心已更换"
        case .hubRestored: "镇中心从备份恢复"
        case .cursorAhead: "本节点的下载进度超过了镇中心"
        case .hubHoldsLaterSeqs: "镇中心有本节点更新的修改（本地数据可能是旧副本）"
        case .anotherHub: "本节点原先连的是另一个镇中心"
        case .verifyMismatch: "核对发现不一致"
        case .hubAsked: "镇中心要求"
        }
    }
}
