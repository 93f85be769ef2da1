import Foundation
import HamletCore
import HamletHTTP
import HamletStore

/// Taking one side for a selection of field conflicts on one field (issue 20, item 2): the list filtered to one field
/// shows a checkbox per conflict with the field's version as shown; `POST /conflicts/bulk` settles each selected
/// conflict by its own compare-and-set resolution (`HubStore.resolveFields`), so one that moved is refused alone.
/// Filtered to open duplicates, the list offers the other bulk action: `POST /conflicts/bulk-dismiss` closes each
/// selected duplicate as not the same person, each with its own record.
extension WebApp {
    /// The field filter: every field that open field conflicts are on.
    func fieldFilterSelect(_ store: HubStore, _ filters: ConflictListFilters) throws -> String {
        var s = "<label>\(h(t("list.field")))<select name=\"field\"><option value=\"\">\(h(t("list.any")))</option>"
        for (table, field) in try store.openConflictFields() {
            let value = "\(table).\(field)"
            let tableName = store.schema.table(named: table).map(tableLabel) ?? table
            let selected = filters.field.map { $0.table == table && $0.name == field } ?? false
            s += "<option value=\"\(h(value))\"\(selected ? " selected" : "")>\(h(tableName)) · \(h(fieldLabel(store, table: table, field: field)))</option>"
        }
        return s + "</select></label>"
    }

    /// The page's conflicts (all on the chosen field) with a checkbox each, and the two sides to take.
    func bulkResolveForm(_ store: HubStore, _ list: [ConflictRecord], _ filters: ConflictListFilters) throws -> String {
        var s = try bulkFormOpening(store, list, filters, action: "/conflicts/bulk")
        s += "<div class=\"card\" style=\"margin-top:1rem\"><h2>\(h(t("bulk.heading")))</h2><p class=\"meta\">\(h(t("bulk.hint")))</p>"
        s += "<div class=\"row\">\(whoFields())"
        s += "<button type=\"submit\" name=\"choice\" value=\"village\">\(h(t("bulk.takeVillage")))</button>"
        s += "<button type=\"submit\" name=\"choice\" value=\"hub\" class=\"secondary\">\(h(t("bulk.takeHub")))</button></div></div></form>"
        return s
    }

    /// `POST /conflicts/bulk`: settles each selected conflict on its own; back to the list with what happened.
    func resolveBulk(_ store: HubStore) throws -> HTTPResponse {
        let choice: FieldChoice
        switch formValue("choice") {
        case "village": choice = .village
        case "hub": choice = .hub
        default: return errorPage(400, "err.badForm")
        }
        let picked: [ConflictRecord]
        switch try bulkSelection(store) {
        case .success(let list): picked = list
        case .failure(let missing): return errorPage(404, "err.noConflict", String(missing.id))
        }
        let selection = picked.map { (conflict: $0, expectedVersion: formValue("expect.\($0.id)").flatMap { Int64($0) }) }
        let back = bulkReturn()
        let fields = Set(selection.map { "\($0.conflict.kind.rawValue) \($0.conflict.table).\($0.conflict.field ?? "")" })
        guard let first = selection.first, fields.count == 1, first.conflict.kind == .field else {
            console.setFlash(WebFlash(isError: true, text: t(selection.isEmpty ? "bulk.none" : "bulk.oneField")), session: session.id)
            return .redirect(to: back)
        }
        let outcomes = try store.resolveFields(selection, choice: choice, action: action())
        let settled = outcomes.filter { $0.hseq != nil }.count
        let stale = outcomes.filter { $0.refusal?.code == .stale }.map { "#\($0.conflict.id)" }
        var text = t("bulk.done", String(settled), String(outcomes.count))
        if !stale.isEmpty { text += " " + t("bulk.stale", stale.joined(separator: language == .zh ? "、" : ", ")) }
        console.setFlash(WebFlash(isError: !stale.isEmpty, text: text), session: session.id)
        return .redirect(to: back)
    }

    /// The page's open duplicates with a checkbox each, a required reason, and one button: not the same person.
    func bulkDismissForm(_ store: HubStore, _ list: [ConflictRecord], _ filters: ConflictListFilters) throws -> String {
        var s = try bulkFormOpening(store, list, filters, action: "/conflicts/bulk-dismiss")
        s += "<div class=\"card\" style=\"margin-top:1rem\"><h2>\(h(t("bulkDismiss.heading")))</h2><p class=\"meta\">\(h(t("bulkDismiss.hint")))</p>"
        s += "<div class=\"row\">\(whoFields(noteRequired: true))"
        s += "<button type=\"submit\">\(h(t("bulkDismiss.button")))</button></div></div></form>"
        return s
    }

    /// `POST /conflicts/bulk-dismiss`: closes each selected duplicate on its own (`HubStore.dismissDuplicates`), each
    /// with the reason; one closed meanwhile is skipped and counted. Back to the list with what happened.
    func dismissBulk(_ store: HubStore) throws -> HTTPResponse {
        let back = bulkReturn()
        let selection: [ConflictRecord]
        switch try bulkSelection(store) {
        case .success(let list): selection = list
        case .failure(let missing): return errorPage(404, "err.noConflict", String(missing.id))
        }
        let done = action()
        let refusal = selection.isEmpty ? "bulk.none" : selection.contains { $0.kind != .duplicate } ? "bulkDismiss.duplicatesOnly"
            : done.note == nil ? "err.noteRequired" : nil
        if let refusal {
            console.setFlash(WebFlash(isError: true, text: t(refusal)), session: session.id)
            return .redirect(to: back)
        }
        let outcomes = try store.dismissDuplicates(selection, action: done)
        let dismissed = outcomes.filter { $0.refusal == nil }.count
        var text = t("bulkDismiss.done", String(dismissed), String(outcomes.count))
        if dismissed < outcomes.count { text += " " + t("bulkDismiss.skipped", String(outcomes.count - dismissed)) }
        console.setFlash(WebFlash(isError: false, text: text), session: session.id)
        return .redirect(to: back)
    }

    /// A bulk form's start: the form posting to `action` with its CSRF field, where to return, the conflicts with a
    /// checkbox each.
    func bulkFormOpening(_ store: HubStore, _ list: [ConflictRecord], _ filters: ConflictListFilters, action: String) throws -> String {
        let back = filters.pairs.isEmpty ? "/" : "/?" + FormCoding.encode(filters.pairs)
        var s = "<form method=\"post\" action=\"\(action)\">\(csrfField(action))"
        s += "<input type=\"hidden\" name=\"return\" value=\"\(h(back))\">"
        return s + (try conflictTable(store, list, select: true))
    }

    /// Where a bulk post returns: the list it came from (`/` or `/?…`, one line), else `/`.
    func bulkReturn() -> String {
        formValue("return").flatMap { $0 == "/" || ($0.hasPrefix("/?") && !$0.contains("\r") && !$0.contains("\n")) ? $0 : nil } ?? "/"
    }

    /// A conflict id the form named that the hub does not hold.
    struct MissingConflict: Error { var id: Int64 }

    /// The conflicts a bulk post selected (its `c` fields), in order; the first id the hub does not hold fails it.
    func bulkSelection(_ store: HubStore) throws -> Result<[ConflictRecord], MissingConflict> {
        var out: [ConflictRecord] = []
        for id in form.filter({ $0.0 == "c" }).compactMap({ Int64($0.1) }) {
            guard let c = try store.conflict(id) else { return .failure(MissingConflict(id: id)) }
            out.append(c)
        }
        return .success(out)
    }

    /// The bulk form's words.
    static let bulkMessages: [String: (zh: String, en: String)] = [
        "list.field": ("字段", "Field"),
        "bulk.heading": ("对选中的冲突都采用同一方的值", "Take one side for the selected conflicts"),
        "bulk.hint": ("每个冲突单独处理、单独记录；显示之后又改过的冲突不会处理，会列出来请您逐个查看。",
                      "Each conflict is settled and recorded on its own; one that changed since this page was made is not settled, and is listed for you to look at."),
        "bulk.takeVillage": ("都采用村节点的值", "Take the village's value for each"),
        "bulk.takeHub": ("都采用镇中心的值", "Take the hub's value for each"),
        "bulk.done": ("已处理 %1 个冲突（共选中 %2 个），每个都留下了处理记录。", "Settled %1 of %2 selected conflicts, each recorded."),
        "bulk.stale": ("这些在显示之后又改过，没有处理，请逐个查看：%1", "These changed since they were shown and were not settled; look at each: %1"),
        "bulk.none": ("没有选中任何冲突。", "No conflict was selected."),
        "bulk.oneField": ("只能一次处理同一个字段的字段冲突。", "Only field conflicts on one field can be settled together."),
        "bulkDismiss.heading": ("选中的重复登记都判定为不是同一人", "Judge the selected duplicates not the same person"),
        "bulkDismiss.hint": ("每个冲突单独关闭、单独记录，两条记录都保留，什么也不改；理由必填，村里以后能看到。在此期间已被处理的会跳过并计数。",
                             "Each is closed and recorded on its own; both rows stay and nothing is written. The reason is required: clerks read it later. Any closed meanwhile are skipped and counted."),
        "bulkDismiss.button": ("都判定为不是同一人", "Not the same person, each"),
        "bulkDismiss.done": ("已关闭 %1 个重复登记（共选中 %2 个），每个都留下了处理记录。", "Closed %1 of %2 selected duplicates, each recorded."),
        "bulkDismiss.skipped": ("另有 %1 个在此期间已被处理，已跳过。", "%1 were closed meanwhile and were skipped."),
        "bulkDismiss.duplicatesOnly": ("只能一次关闭重复登记，请先按类型筛选出重复登记。", "Only duplicates can be dismissed together: filter the list to duplicates first."),
    ]
}
