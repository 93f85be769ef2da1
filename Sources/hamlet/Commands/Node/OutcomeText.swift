import HamletCLI
import HamletCore
import HamletStore

/// How the clerk reads what became of the conflicts a change opened (`hamlet log`, `hamlet show`, `hamlet status`):
/// the decision in the words the operator's console uses (`ResolutionWording`), the value the field took, who
/// decided, when, and the note.
enum OutcomeText {
    /// The log's reason cell for a conflicted change: each conflict with whether it is still open.
    static func cell(_ e: ChangeRecord, _ known: [Int64: ConflictOutcome], _ c: Context) -> String {
        e.conflicts.map { id in
            let closed = known[id]?.isClosed == true
            return c.t("冲突 #\(id) \(closed ? "已处理" : "待处理")", "conflict #\(id) \(closed ? "settled" : "open")")
        }.joined(separator: c.t("；", "; "))
    }

    /// The state column: a conflicted change whose conflicts are all closed reads 已处理 (settled).
    static func state(_ e: ChangeRecord, _ known: [Int64: ConflictOutcome], _ c: Context) -> String? {
        Replica.isSettled(e, known) ? c.t("已处理", "settled") : nil
    }

    /// One line per conflict of `entries` the hub has decided (closed, or an undone merge), each starting with the
    /// change's seq; nothing for conflicts still waiting.
    static func lines(_ entries: [ChangeRecord], _ known: [Int64: ConflictOutcome], _ r: Replica, _ c: Context,
                      includeOpen: Bool = false) throws -> [String] {
        var out: [String] = []
        for e in entries {
            for id in e.conflicts {
                if let o = known[id], o.isClosed || o.resolution != nil || includeOpen {
                    out.append("#\(e.change.seq) " + (try line(o, r, c)))
                } else if includeOpen {
                    out.append("#\(e.change.seq) " + c.t("冲突 #\(id)：待镇中心处理", "conflict #\(id): waiting for the township office"))
                }
            }
        }
        return out
    }

    /// `冲突 #3 字段冲突（电话）：采用村节点的值「13900000001」；处理人 镇管理员，2026-01-02 10:00；备注：电话已核实`.
    static func line(_ o: ConflictOutcome, _ r: Replica, _ c: Context) throws -> String {
        let zh = c.chinese
        let table = o.table.flatMap { r.schema.table(named: $0) }
        let field = o.field.flatMap { table?.field($0) }
        var head = c.t("冲突 #\(o.id) ", "conflict #\(o.id), ") + ResolutionWording.kind(o.kind, chinese: zh)
        if let field { head += zh ? "（\(field.label.zh)）" : " (\(field.name))" } else if let f = o.field { head += zh ? "（\(f)）" : " (\(f))" }
        guard o.isClosed || o.resolution != nil else { return head + c.t("：待镇中心处理", ": waiting for the township office") }
        var what = ResolutionWording.resolution(o.resolution, chinese: zh)
        if !o.isClosed { what += c.t("，重新待处理", ", open again") }
        if let value = o.value {
            let shown = try valueText(value, field, r, c)
            what += zh ? "「\(shown)」" : " “\(shown)”"
        }
        if let survivor = o.survivor, let t = table {
            // The two rows of a duplicate share a label (the same name and ID): the short id tells which one stayed.
            let label = (try r.rowLabels(t, ids: [survivor])[survivor]).map { "\($0) #\(ShortID.of(survivor))" } ?? "#" + ShortID.of(survivor)
            what += c.t("，保留 \(label)", ", kept \(label)")
        }
        var parts = [head + c.t("：", ": ") + what]
        var who = c.t("处理人 ", "by ") + ResolutionWording.resolver(o.resolvedBy, chinese: zh)
        if let at = o.resolvedAt { who += c.t("，", ", ") + c.time(at) }
        parts.append(who)
        if let note = ResolutionWording.note(o.note, chinese: zh) { parts.append(c.t("备注：", "note: ") + note) }
        return parts.joined(separator: c.t("；", "; "))
    }

    /// A decided value as the clerk reads it: an enum by its label under Chinese, a reference by the row's label,
    /// an emptied field as 空.
    static func valueText(_ value: Value, _ field: FieldSchema?, _ r: Replica, _ c: Context) throws -> String {
        guard !value.isNull else { return c.t("空", "empty") }
        guard let field, let text = value.text else { return value.description }
        switch field.type {
        case .enum where c.chinese: return field.label(ofValue: text).zh
        case .ref:
            guard let t = field.references.flatMap({ r.schema.table(named: $0) }) else { return text }
            return try r.rowLabels(t, ids: [text])[text] ?? ShortID.of(text)
        default: return text
        }
    }

    /// `hamlet show --json`'s `conflicted`: the row's changes that opened conflicts, with their outcomes.
    static func conflictedJSON(_ r: Replica, table: String, id: String) throws -> [ChangeJSON] {
        let known = try r.knownOutcomes()
        return try r.conflictedChanges(table: table, id: id).map { ChangeJSON($0, known: known) }
    }

    /// `hamlet show`'s section: how each conflict this row's changes opened stands.
    static func showSection(_ r: Replica, table: String, id: String, _ c: Context) throws {
        let changes = try r.conflictedChanges(table: table, id: id)
        guard !changes.isEmpty else { return }
        let known = try r.knownOutcomes()
        Output.out(c.t("\n冲突及处理结果：\n", "\nConflicts and how they were settled:\n"))
        for l in try lines(changes, known, r, c, includeOpen: true) { Output.out("  \(l)\n") }
    }
}
