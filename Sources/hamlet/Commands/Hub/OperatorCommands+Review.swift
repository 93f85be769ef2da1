import Foundation
import HamletCLI
import HamletCore
import HamletHub
import HamletStore

/// A conflict someone already closed, the values competing for one field, and how a resolution reads: the same words as the operator page (`ConflictWording`).
extension OperatorCommands {
    /// The refusal of an action on a conflict someone already closed: who, when and how, in both languages.
    /// - Returns: nil when the conflict is gone or still open (the caller rethrows the store's error).
    static func alreadyResolved(_ h: HubStore, _ id: Int64, _ c: Context) throws -> CLIError? {
        guard let x = try h.conflict(id), x.status != "open" else { return nil }
        let z = zone(h)
        func how(_ chinese: Bool) -> String {
            let label = ConflictWording.resolution(x.resolution, chinese: chinese)
            let who = ConflictWording.resolver(x.resolvedBy, chinese: chinese)
            if x.resolvedBy == NodeID.hub { return chinese ? "镇中心已自动关闭（\(label)）" : "was already closed by the hub (\(label))" }
            let when = x.resolvedAt.map { c.time($0, zone: z) } ?? "?"
            return chinese ? "已由 \(who) 于 \(when) 处理（\(label)）" : "was already resolved by \(who) at \(when) (\(label))"
        }
        return CLIError(code: OperatorError.Code.alreadyResolved.rawValue, exit: .invalidData,
                        message: Localized(zh: "已经处理过了：冲突 #\(id) \(how(true))，这次没有做任何修改", en: "nothing changed: conflict #\(id) \(how(false))"),
                        hint: Localized(zh: "用 hamlet hub conflict \(id) 查看", en: "see hamlet hub conflict \(id)"))
    }

    /// A status cell: `待处理` / `open`, or how it was resolved in few words (`不是同一人` / `not same person`).
    static func statusText(_ x: ConflictRecord, _ c: Context) -> String {
        if x.status == "open" { return c.t("待处理", "open") }
        return ConflictWording.resolution(x.resolution, chinese: c.chinese, brief: true)
    }

    /// The closing line of a resolved conflict: who (or the hub), when, how, and the note.
    static func resolvedLine(_ x: ConflictRecord, _ c: Context, zone z: String) -> String {
        let label = ConflictWording.resolution(x.resolution, chinese: c.chinese)
        let note = ConflictWording.note(x.note, chinese: c.chinese).map { " — \($0)" } ?? ""
        if x.resolvedBy == NodeID.hub { return c.t("镇中心自动关闭：", "closed by the hub: ") + label + note + "\n" }
        return c.t("处理人：", "resolved by: ") + [ConflictWording.resolver(x.resolvedBy, chinese: c.chinese), c.time(x.resolvedAt, zone: z), label]
            .joined(separator: c.t("，", ", ")) + note + "\n"
    }

    /// `身份证号` / `national_id`: the field a conflict is about.
    static func fieldName(_ h: HubStore, _ x: ConflictRecord, _ c: Context) -> String {
        guard let name = x.field else { return "" }
        guard c.chinese, let f = h.schema.table(named: x.table)?.field(name) else { return name }
        return f.label.zh
    }

    static func kindLabel(_ k: ConflictKind, _ language: Language) -> String {
        switch k {
        case .field: return language == .zh ? "字段冲突" : "field"
        case .delete: return language == .zh ? "删除冲突" : "delete"
        case .duplicate: return language == .zh ? "重复登记" : "duplicate"
        }
    }

    /// When several field conflicts compete for one field: every incoming value with who, node and when, the hub's
    /// value now, and that one decision settles them all (or, once settled, which decision closed them together).
    static func showCompeting(_ h: HubStore, _ x: ConflictRecord, current: HubRow?, _ c: Context) throws {
        let group = try ConflictWording.competing(h, x)
        guard group.count > 1, let field = x.field else { return }
        let z = zone(h)
        let decided = ConflictWording.supersededBy(x.resolution) ?? x.id
        let f = h.schema.table(named: x.table)?.field(field)
        Output.out(x.status == "open"
            ? c.t("\n这个字段有 \(group.count) 个待处理的冲突，争的值都在这里：\n", "\n\(group.count) open conflicts on this field, every competing value:\n")
            : c.t("\n#\(decided) 的决定一并处理了这 \(group.count) 个冲突：\n", "\nthe decision on #\(decided) settled these \(group.count) conflicts:\n"))
        var t = Table(columns: [Table.Column(header: "#", alignment: .right), Table.Column(header: c.t("值", "value"), maxCells: 24),
                                Table.Column(header: c.t("修改人", "who")), Table.Column(header: c.t("节点", "node")),
                                Table.Column(header: c.t("时间", "when")), Table.Column(header: c.t("状态", "status"))])
        t.rows = group.map { g in
            [(g.id == x.id ? "*" : "") + String(g.id), shown(g.incoming, f, c), g.incomingAuthor ?? "?", g.incomingNode.map { Wording.writer($0, c) } ?? "?",
             c.time(g.incomingHLC.flatMap { HLC($0)?.wall }, zone: z), statusText(g, c)]
        }
        for e in ConflictWording.earlierHubValues(group, currentVersion: current?.versions[field]?.hseq) {
            let who = (try? h.logEntry(e.version.hseq))??.author ?? "?"
            t.rows.append(["", shown(e.value, f, c), who, e.version.writers.first.map { Wording.writer($0, c) } ?? "?", c.time(e.version.hlc.wall, zone: z),
                           c.t("镇中心原来的值（#\(e.conflict) 与它冲突）", "the hub's earlier value (#\(e.conflict) is against it)")])
        }
        if let current {
            let v = current.versions[field]
            let who = v.flatMap { try? h.logEntry($0.hseq) }?.author ?? "?"
            t.rows.append(["", shown(current.values[field], f, c), who, v?.writers.first.map { Wording.writer($0, c) } ?? "?", c.time(v?.hlc.wall, zone: z),
                           c.t("镇中心现在的值", "the hub's value now")])
        }
        Output.out(t.render(maxWidth: max(c.width, 80)))
        if x.status == "open" {
            // A later competitor moved the field past what this conflict shows: the example confirms the value just shown.
            let now = current?.versions[field]?.hseq ?? 0
            let shownHere = OperatorDecision.shownVersion(incomingWon: x.incomingWon, incomingHseq: x.incomingHseq, hubVersion: x.hubVersion)
            let example = "hamlet hub resolve \(x.id) --take \(c.t("村节点", "village"))" + (now != shownHere ? " --expect-version \(now)" : "")
            Output.out(c.t("一次决定全部处理：处理其中任何一个（例如 \(example)），其余的都关闭为「随 #\(x.id) 的决定一并处理」，每个都留下处理记录。\n",
                           "One decision settles them all: resolve any one (e.g. \(example)) and the others close as superseded by #\(x.id), each one recorded.\n"))
        }
    }

    /// A value as the operator reads it: `（空）` for none, an enum by its label under Chinese.
    static func shown(_ v: Value?, _ f: FieldSchema?, _ c: Context) -> String {
        guard let v, !v.isNull else { return c.t("（空）", "(empty)") }
        return Wording.value(v, f, c)
    }
}
