import HamletCore
import HamletStore

/// How a conflict's outcome reads to the operator, in Chinese and English. `hamlet hub conflicts`, `hub conflict` and
/// the operator page all name resolutions through here, so the CLI and the page say the same thing; the words
/// themselves live in Core (`ResolutionWording`), which the node's `log` and `show` use too. The stored codes
/// (`take village`, `dismissed`, `moot`, `superseded by #N`, …) stay as they are in `--json` and the store.
package enum ConflictWording {
    /// The conflict whose decision closed this one, from a `superseded by #N` resolution (`ResolutionWording`).
    /// - Parameter resolution: A stored resolution code.
    /// - Returns: N, or nil for any other resolution.
    package static func supersededBy(_ resolution: String?) -> Int64? { ResolutionWording.supersededBy(resolution) }

    /// A resolution for people (`ResolutionWording`, shared with the node's `log` and `show`).
    /// - Parameters:
    ///   - resolution: A stored resolution code; an unknown one is shown as it is.
    ///   - chinese: The interface language.
    ///   - brief: Fewer words, for a table's status column.
    /// - Returns: The label, empty for nil.
    package static func resolution(_ resolution: String?, chinese: Bool, brief: Bool = false) -> String {
        ResolutionWording.resolution(resolution, chinese: chinese, brief: brief)
    }

    /// Who closed a conflict: an operator's name, or the hub itself (`@hub`).
    /// - Parameters:
    ///   - name: `resolved_by` as stored.
    ///   - chinese: The interface language.
    /// - Returns: The name to show.
    package static func resolver(_ name: String?, chinese: Bool) -> String { ResolutionWording.resolver(name, chinese: chinese) }

    /// A conflict's note: the operator's words as written; the hub's own notes in the interface language.
    /// - Parameters:
    ///   - note: The stored note.
    ///   - chinese: The interface language.
    /// - Returns: The note to show, nil when there is none.
    package static func note(_ note: String?, chinese: Bool) -> String? { ResolutionWording.note(note, chinese: chinese) }

    /// The engine's reason for a conflict in the interface language (the page's message table; unknown reasons as
    /// they are).
    /// - Parameters:
    ///   - reason: The stored reason.
    ///   - chinese: The interface language.
    ///   - schema: For a field's label.
    /// - Returns: The reason to show.
    package static func reason(_ reason: String, chinese: Bool, schema: Schema) -> String {
        // A reason the merge extended with a broken cross-field rule reads part by part.
        if reason.contains("; ") {
            return reason.components(separatedBy: "; ").map { self.reason($0, chinese: chinese, schema: schema) }
                .joined(separator: chinese ? "；" : "; ")
        }
        if reason.hasPrefix("the merged row breaks "), let open = reason.firstIndex(of: "("), let close = reason.firstIndex(of: ")") {
            let code = String(reason[reason.index(reason.startIndex, offsetBy: 22)..<open]).trimmingCharacters(in: .whitespaces)
            let fields = reason[reason.index(after: open)..<close].components(separatedBy: ", ").map { name in
                schema.tables.lazy.compactMap { $0.field(name) }.first.map { chinese ? $0.label.zh : $0.label.en } ?? name
            }
            guard chinese else { return "the merged row breaks \(code) (\(fields.joined(separator: ", "))): review both values" }
            let rules = ["national-id-birth-date-mismatch": "身份证号与出生日期不符", "national-id-sex-mismatch": "身份证号与性别不符",
                         "date-before-birth": "日期早于出生日期", "missing-one-of": "缺少至少一项必填"]
            return "合并后的记录\(rules[code] ?? "违反规则 [\(code)]")（\(fields.joined(separator: "、"))）：请核对两边的值"
        }
        let language: ConsoleLanguage = chinese ? .zh : .en
        if WebMessages.table["reason." + reason] != nil { return WebMessages.text("reason." + reason, language) }
        if reason.hasPrefix("delete of a row that "), let n = reason.dropFirst(21).split(separator: " ").first {
            return WebMessages.text("reason.references", language, [String(n)])
        }
        if reason.hasPrefix("two live rows hold the same ") {
            let field = String(reason.dropFirst(28))
            let f = schema.tables.lazy.compactMap { $0.field(field) }.first
            return WebMessages.text("reason.same", language, [f.map { chinese ? $0.label.zh : $0.label.en } ?? field])
        }
        return reason
    }

    /// The field conflicts that compete with `c`: every open field conflict on the same row and field while `c` is
    /// open (one decision settles them all); once closed, the conflicts one decision closed together (the decided one
    /// and those `superseded by` it). Oldest first; just `c` when nothing competes.
    /// - Parameters:
    ///   - store: The hub store.
    ///   - c: A conflict of any kind (only field conflicts have competitors).
    /// - Returns: The group, `c` included.
    /// - Throws: `StoreError`.
    package static func competing(_ store: HubStore, _ c: ConflictRecord) throws -> [ConflictRecord] {
        guard c.kind == .field, let field = c.field else { return [c] }
        let same = try store.conflicts(touching: c.table, id: c.row).filter { $0.kind == .field && $0.row == c.row && $0.field == field }
        let group: [ConflictRecord]
        if c.status == "open" {
            group = same.filter { $0.status == "open" }
        } else {
            let decided = supersededBy(c.resolution) ?? c.id
            group = same.filter { $0.id == decided || supersededBy($0.resolution) == decided }
        }
        return group.contains { $0.id == c.id } ? group : [c]
    }

    /// The hub-side values a group of competing conflicts was opened against that are neither one of the group's
    /// incoming values nor the field's value now (in a three-way race, the first writer's value), oldest first.
    /// - Parameters:
    ///   - group: From `competing(_:_:)`.
    ///   - currentVersion: The `hseq` of the field's value now, if the row is there.
    /// - Returns: Each such value once, with the conflict that shows it.
    package static func earlierHubValues(_ group: [ConflictRecord], currentVersion: Int64?) -> [(conflict: Int64, value: Value?, version: FieldVersion)] {
        var seen = Set(group.map(\.incomingHseq))
        if let currentVersion { seen.insert(currentVersion) }
        var out: [(conflict: Int64, value: Value?, version: FieldVersion)] = []
        for c in group {
            guard let v = c.hubVersion, !seen.contains(v.hseq) else { continue }
            seen.insert(v.hseq)
            out.append((c.id, c.hubValue, v))
        }
        return out.sorted { $0.version.hseq < $1.version.hseq }
    }
}
