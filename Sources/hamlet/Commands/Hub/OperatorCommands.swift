import Foundation
import HamletCLI
import HamletCore
import HamletHub
import HamletStore

/// What the operator's review commands (`HubConflictsCommand` … `HubExportCommand`) share: the conflict id,
/// the operator's name, and how rows and conflicts are shown. Each command calls the same HubStore function
/// the web page calls.
enum OperatorCommands {
    static func zone(_ h: HubStore) -> String { (try? h.meta("time_zone")) ?? "Asia/Shanghai" }

    static func operatorName(_ c: Context) -> String {
        c.value(HubCommand.operatorName) ?? c.environment["USER"] ?? "operator"
    }

    static func conflictID(_ c: Context) throws -> Int64 {
        let raw = try c.argument(CommandTree.conflictArgument).trimmingCharacters(in: CharacterSet(charactersIn: "#"))
        guard let id = Int64(raw) else {
            throw CLIError(code: "usage", exit: .usage, message: Localized(zh: "冲突编号是数字，例如 12", en: "conflict ids are numbers, e.g. 12"))
        }
        return id
    }

    static func kindLabel(_ k: ConflictKind, _ c: Context) -> String {
        switch k {
        case .field: return c.t("字段冲突", "field")
        case .delete: return c.t("删除冲突", "delete")
        case .duplicate: return c.t("重复登记", "duplicate")
        }
    }

    /// `who, node, when` of a hub version.
    static func describe(_ v: FieldVersion?, _ h: HubStore, _ c: Context) -> String {
        guard let v else { return "-" }
        let entry = try? h.logEntry(v.hseq)
        let who = entry?.author ?? "?"
        let node = v.writers.first.map { Wording.writer($0, c) } ?? "?"
        return [who, node, c.time(v.hlc.wall, zone: zone(h)), Wording.version(v.hseq, c)].joined(separator: c.t("，", ", "))
    }

    static func tableSchema(_ h: HubStore, _ name: String) throws -> TableSchema {
        guard let t = h.schema.table(named: name) else {
            throw ReplicaError(.unknownTable, "no table \(name)",
                               zh: "没有「\(name)」这个表；可用的表：\(h.schema.tables.map(\.label.zh).joined(separator: "、"))")
        }
        return t
    }

    static func showRow(_ h: HubStore, _ table: String, _ id: String, _ c: Context) throws {
        let t = try tableSchema(h, table)
        guard let r = try h.row(t, id: id) else { return }
        var list = Table(columns: [Table.Column(header: c.t("字段", "field")), Table.Column(header: c.t("值", "value"), maxCells: 40)])
        list.rows = t.fields.map { [c.chinese ? $0.label.zh : $0.name, Wording.value(r.values[$0.name], $0, c)] }
        list.rows.append([c.t("状态", "state"), r.deleted ? c.t("已删除", "deleted") : c.t("有效", "live")])
        Output.out(list.render(maxWidth: max(c.width, 60)))
    }

    /// Both rows of a duplicate side by side, differing fields marked, and what references each.
    static func showPair(_ h: HubStore, _ x: ConflictRecord, _ c: Context) throws {
        let t = try tableSchema(h, x.table)
        guard let other = x.otherRow, let a = try h.row(t, id: other), let b = try h.row(t, id: x.row) else { return }
        // The two rows are 甲 and 乙 in Chinese, A and B in English.
        let (nameA, nameB) = (c.t("甲", "A"), c.t("乙", "B"))
        var list = Table(columns: [Table.Column(header: c.t("字段", "field")), Table.Column(header: nameA + " " + String(a.id.suffix(12)), maxCells: 30),
                                   Table.Column(header: nameB + " " + String(b.id.suffix(12)), maxCells: 30), Table.Column(header: "")])
        list.rows = t.fields.map { f in
            let va = Wording.value(a.values[f.name], f, c)
            let vb = Wording.value(b.values[f.name], f, c)
            return [c.chinese ? f.label.zh : f.name, va, vb, va == vb ? "" : "≠"]
        }
        Output.out(list.render(maxWidth: max(c.width, 80)))
        for (label, row) in [(nameA, a), (nameB, b)] {
            let refs = try h.references(to: t.name, id: row.id)
            Output.out(c.t("\(label) \(row.id) 被 \(refs.count) 条记录引用", "\(label) \(row.id) is referenced by \(refs.count) row(s)"))
            Output.out(refs.isEmpty ? "\n" : c.t("：", ": ") + refs.prefix(10).map { ref in
                let other = h.schema.table(named: ref.0)
                return "\(Wording.table(ref.0, h.schema, c)).\(Wording.field(ref.2, other, c))=\(String(ref.1.suffix(12)))"
            }.joined(separator: c.t("，", ", ")) + (refs.count > 10 ? " …" : "") + "\n")
        }
    }

    /// Runs an operator action; when it is refused as stale, shows what the row or field holds now
    /// and how to act on it (the operator's own terminal: values may be shown), then rethrows (exit 65).
    static func stale<T>(_ h: HubStore, _ id: Int64, _ c: Context, _ body: () throws -> T) throws -> T {
        do { return try body() } catch let e as OperatorError where e.code == .alreadyResolved {
            throw try alreadyResolved(h, id, c) ?? e
        } catch let e as OperatorError where e.code == .stale {
            if let x = try h.conflict(id), let row = try h.row(try tableSchema(h, x.table), id: x.row) {
                let field = e.field ?? x.field
                let t = h.schema.table(named: x.table)
                let now = field.map { shown(row.values[$0], t?.field($0), c) } ?? c.t("（空）", "(empty)")
                let version = e.currentVersion ?? row.hseq
                if let field {
                    Output.err(c.t("现在\(Wording.field(field, t, c)) = \(now)（版本 \(version)）。核对后如仍要处理，请加 --expect-version \(version) 再运行\n",
                                   "now \(field) = \(now) (version \(version)). If you still want this after checking, run again with --expect-version \(version)\n"))
                } else {
                    Output.err(c.t("这条记录在显示之后又改过（现在版本 \(version)）。请用 hamlet hub conflict \(id) 重新查看，再加 --expect-version \(version) 运行\n",
                                   "the row changed since it was shown (now version \(version)). Look again with hamlet hub conflict \(id), then run with --expect-version \(version)\n"))
                }
            }
            throw e
        }
    }

}

/// The label shown for the hub as a writer.
enum NodeIDLabel {
    static let hub = NodeID.hub
}

/// `--json` shape of one conflict with its base value.
struct ConflictDetailJSON: Encodable {
    var conflict: ConflictRecord
    var base: Value?
}

/// Erases an Encodable for heterogeneous JSON objects.
struct AnyEncodable: Encodable {
    let encodeValue: (any Encoder) throws -> Void
    init<T: Encodable>(_ v: T) { encodeValue = v.encode }
    func encode(to encoder: any Encoder) throws { try encodeValue(encoder) }
}
