/// How a conflict's outcome reads to people, in Chinese and English: the hub's CLI and page (through
/// `ConflictWording`) and the node's `log`, `show` and `status` name resolutions through here, so the operator
/// and the clerk read the same words. The stored codes (`take village`, `dismissed`, `moot`, `superseded by #N`, …)
/// stay as they are in `--json`, on the wire and in the stores.
public enum ResolutionWording {
    /// Stored resolution code → (zh, en).
    public static let resolutions: [String: (zh: String, en: String)] = [
        "take village": ("采用村节点的值", "took the village value"),
        "take hub": ("采用镇中心的值", "took the hub value"),
        "new value": ("采用新值", "set a new value"),
        "keep": ("保留记录", "kept the row"),
        "delete": ("删除记录", "deleted the row"),
        "merge": ("已合并", "merged"),
        "unmerged": ("已撤销合并", "merge undone"),
        "dismissed": ("判定不是同一人", "dismissed: not the same person"),
        "moot": ("已无需处理", "moot, nothing left to decide"),
        "county": ("县级已处理", "settled at the county"),
    ]

    /// Shorter words for a list's status column → (zh, en).
    public static let brief: [String: (zh: String, en: String)] = [
        "take village": ("采用村节点的值", "took village"),
        "take hub": ("采用镇中心的值", "took hub"),
        "new value": ("采用新值", "new value"),
        "keep": ("保留记录", "kept"),
        "delete": ("删除记录", "deleted"),
        "merge": ("已合并", "merged"),
        "unmerged": ("已撤销合并", "unmerged"),
        "dismissed": ("不是同一人", "not same person"),
        "moot": ("已无需处理", "moot"),
        "county": ("县级已处理", "county"),
    ]

    /// Notes the hub writes itself when it closes a conflict (`moot`) → (zh, en).
    public static let hubNotes: [String: (zh: String, en: String)] = [
        "the two rows no longer share a live value": ("两条记录已不再有相同的有效值（已删除、已合并或号码已更正）",
                                                      "the two rows no longer share a live value (deleted, merged or corrected)"),
    ]

    /// A conflict kind → (zh, en).
    public static let kinds: [String: (zh: String, en: String)] = [
        "field": ("字段冲突", "field conflict"),
        "delete": ("删除冲突", "delete conflict"),
        "duplicate": ("重复登记", "duplicate"),
    ]

    /// The conflict whose decision closed this one, from a `superseded by #N` resolution.
    /// - Parameter resolution: A stored resolution code.
    /// - Returns: N, or nil for any other resolution.
    public static func supersededBy(_ resolution: String?) -> Int64? {
        guard let resolution, resolution.hasPrefix("superseded by #") else { return nil }
        return Int64(resolution.dropFirst(15))
    }

    /// A resolution for people: `dismissed` → 判定不是同一人, `superseded by #5` → 随 #5 的决定一并处理.
    /// - Parameters:
    ///   - resolution: A stored resolution code; an unknown one is shown as it is.
    ///   - chinese: The interface language.
    ///   - brief: Fewer words, for a table's status column.
    /// - Returns: The label, empty for nil.
    public static func resolution(_ resolution: String?, chinese: Bool, brief: Bool = false) -> String {
        guard let resolution else { return "" }
        if let n = supersededBy(resolution) {
            if brief { return chinese ? "随 #\(n) 一并处理" : "superseded by #\(n)" }
            return chinese ? "随 #\(n) 的决定一并处理" : "superseded by the decision on #\(n)"
        }
        guard let entry = (brief ? ResolutionWording.brief : resolutions)[resolution] else { return resolution }
        return chinese ? entry.zh : entry.en
    }

    /// Who closed a conflict: an operator's name, or the hub itself (`@hub`).
    /// - Parameters:
    ///   - name: `resolved_by` as stored.
    ///   - chinese: The interface language.
    /// - Returns: The name to show.
    public static func resolver(_ name: String?, chinese: Bool) -> String {
        guard let name else { return "?" }
        if name == NodeID.hub { return chinese ? "镇中心（自动）" : "the hub (automatically)" }
        return name
    }

    /// A conflict's note: the operator's words as written; the hub's own notes in the interface language.
    /// - Parameters:
    ///   - note: The stored note.
    ///   - chinese: The interface language.
    /// - Returns: The note to show, nil when there is none.
    public static func note(_ note: String?, chinese: Bool) -> String? {
        guard let note, !note.isEmpty else { return nil }
        guard let entry = hubNotes[note] else { return note }
        return chinese ? entry.zh : entry.en
    }

    /// A conflict kind for people; an unknown kind as it is.
    /// - Parameters:
    ///   - kind: `field`, `delete` or `duplicate`.
    ///   - chinese: The interface language.
    /// - Returns: The label.
    public static func kind(_ kind: String, chinese: Bool) -> String {
        guard let entry = kinds[kind] else { return kind }
        return chinese ? entry.zh : entry.en
    }
}
