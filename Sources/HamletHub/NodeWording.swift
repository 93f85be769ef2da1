import Foundation

/// How a node's health reads to the operator, in Chinese and English: `hamlet hub nodes` and the page's node table
/// both say it through here. The stored codes (`ok`, `auth-failed`, `protocol-error:…`) stay as they are in `--json`
/// and the store.
package enum NodeWording {
    /// A session outcome code → (zh, en).
    static let results: [String: (zh: String, en: String)] = [
        "ok": ("成功", "ok"),
        "peer-closed": ("节点中途断开", "peer-closed"),
        "reset": ("连接被重置", "reset"),
        "timeout": ("超时", "timeout"),
        "write-overflow": ("节点接收太慢，已断开", "write-overflow"),
        "closed": ("已断开", "closed"),
        "shutdown": ("镇中心关闭时中断", "shutdown"),
        "auth-failed": ("身份验证失败（节点名或密钥不对）", "auth-failed"),
        "rate-limited": ("登录太频繁，暂被拒绝", "rate-limited"),
        "unavailable": ("镇中心暂不可用", "unavailable"),
        "internal": ("镇中心内部错误", "internal"),
    ]

    /// The last session's outcome for people: `ok` → 成功, `protocol-error:bad-line` → 协议错误 [bad-line].
    /// - Parameters:
    ///   - result: The stored outcome, if any.
    ///   - chinese: The interface language.
    /// - Returns: The words to show; `-` for none, an unknown code as it is.
    package static func result(_ result: String?, chinese: Bool) -> String {
        guard let result else { return "-" }
        if let entry = results[result] { return chinese ? entry.zh : entry.en }
        if chinese, result.hasPrefix("protocol-error:") { return "协议错误 [\(result.dropFirst(15))]" }
        return result
    }

    /// A clock skew: `+3s`, `-12min`, `+1.5h`, `+2.0d`; in Chinese `+3秒`, `-12分钟`, `+1.5小时`, `+2.0天`.
    /// - Parameters:
    ///   - ms: The skew in milliseconds, if known.
    ///   - chinese: The interface language.
    /// - Returns: The text; `-` when unknown.
    package static func skew(_ ms: Int64?, chinese: Bool) -> String {
        guard let ms else { return "-" }
        let s = Double(ms) / 1000
        if abs(s) < 120 { return String(format: chinese ? "%+.0f秒" : "%+.0fs", s) }
        if abs(s) < 7200 { return String(format: chinese ? "%+.0f分钟" : "%+.0fmin", s / 60) }
        if abs(s) < 172_800 { return String(format: chinese ? "%+.1f小时" : "%+.1fh", s / 3600) }
        return String(format: chinese ? "%+.1f天" : "%+.1fd", s / 86400)
    }
}
