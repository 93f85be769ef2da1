import HamletCore
import HamletHTTP
import HamletStore

/// The record view's direct correction: a form listing a live row's fields with their current values, posted to
/// `/history/<table>/<id>/edit` and written with `HubStore.operatorEdit` (the call `hamlet hub edit` makes),
/// compare-and-set on the row version the page showed (the hidden `expect`).
extension WebApp {
    /// What a re-shown correction form holds: the operator's typed values and the version to confirm with.
    struct EditForm {
        var typed: [String: String]
        var expect: Int64
    }

    /// The form's action URL (percent-encoded) and its CSRF purpose (the decoded path the server will see).
    func editAction(_ table: TableSchema, _ id: String) -> (url: String, purpose: String) {
        (historyURL(table.name, id) + "/edit", "/history/\(table.name)/\(id)/edit")
    }

    /// Every field with its current value and an input holding it (or what the operator typed, when re-shown).
    func editCard(_ table: TableSchema, _ row: HubRow, form: EditForm?) -> String {
        let (url, purpose) = editAction(table, row.id)
        let expect = form?.expect ?? row.hseq
        var s = "<div class=\"card\"><h2>\(h(t("edit.heading"))) <span class=\"meta mono\">\(h(row.id))</span></h2>"
        s += "<p class=\"meta\">\(h(t("edit.hint")))</p>"
        s += "<form method=\"post\" action=\"\(h(url))\">\(csrfField(purpose))"
        s += "<input type=\"hidden\" name=\"expect\" value=\"\(expect)\">"
        s += "<table class=\"record\"><thead><tr><th>\(h(t("col.field")))</th><th>\(h(t("detail.current")))</th>"
        s += "<th>\(h(t("edit.new")))</th></tr></thead><tbody>"
        for f in table.fields {
            let current = row.values[f.name]
            let shown = form?.typed[f.name] ?? current?.description ?? ""
            let moved = shown != (current?.description ?? "")
            s += "<tr\(moved ? " class=\"diff\"" : "")><th>\(h(fieldLabel(f)))</th><td>\(fieldValueHTML(f, current))</td>"
            s += "<td>\(editInput(f, shown))</td></tr>"
        }
        s += "<tr><th>\(h(t("state.label")))</th><td>\(h(rowState(row)))</td><td></td></tr></tbody></table>"
        s += "<div class=\"row\" style=\"margin-top:.8rem\">\(whoFields())"
        s += "<button type=\"submit\">\(h(t("edit.submit")))</button></div></form></div>"
        return s
    }

    /// One field's input: a choice for an enum, a text area for long text (line breaks kept), else a line.
    func editInput(_ f: FieldSchema, _ value: String) -> String {
        let name = "f.\(f.name)"
        if f.type == .enum {
            var choices = f.values ?? []
            if !value.isEmpty, !choices.contains(value) { choices.append(value) }  // an odd stored value is kept, not lost
            var s = "<select name=\"\(h(name))\"><option value=\"\"\(value.isEmpty ? " selected" : "")>\(h(t("value.empty")))</option>"
            for v in choices {
                let label = display(f, .text(v))
                s += "<option value=\"\(h(v))\"\(v == value ? " selected" : "")>\(h(label == v ? v : "\(label) \(v)"))</option>"
            }
            return s + "</select>"
        }
        if f.type == .text, (f.max ?? 0) > 60 || value.contains("\n") {
            // The newline after the tag keeps a value's own leading newline (the parser drops the first one).
            return "<textarea name=\"\(h(name))\" rows=\"2\" cols=\"40\">\n\(h(value))</textarea>"
        }
        let size = f.type == .ref || f.type == .nationalID ? 38 : 24
        return "<input type=\"text\" name=\"\(h(name))\" size=\"\(size)\" value=\"\(h(value))\">"
    }

    /// POST `/history/<table>/<id>/edit`: the fields whose value differs from the row's become one operator change.
    /// Stale (the row moved past `expect`) and invalid re-show the page with a flash and the typed values.
    func editRow(_ store: HubStore, table name: String, id: String) throws -> HTTPResponse {
        guard let table = store.schema.table(named: name) else { return errorPage(404, "err.noTable") }
        guard let row = try store.row(table, id: id) else { return errorPage(404, "err.rowNotFound") }
        guard let expect = formValue("expect").flatMap({ Int64($0) }) else { return errorPage(400, "err.badForm") }
        var typed: [String: String] = [:]
        for f in table.fields { if let v = formValue("f.\(f.name)") { typed[f.name] = v } }
        if row.hseq > expect { return try staleEdit(store, table, row, typed: typed, since: expect) }
        guard !row.deleted else {
            flash = WebFlash(isError: true, text: t("err.editDeleted"))
            return try historyPage(store, table: table.name, id: row.id, status: 409)
        }
        var values: Fields = [:]
        let validator = Validator(schema: store.schema)
        for f in table.fields {
            guard let raw = typed[f.name] else { continue }
            do {
                let v = try validator.parse(raw, for: f, table: table.name)
                if (row.values[f.name] ?? .null) != v { values[f.name] = v }
            } catch {
                return try reshow(store, table, row, typed: typed, expect: expect, status: 422,
                                  t("err.invalid", error.message(chinese: language == .zh, schema: store.schema)))
            }
        }
        guard !values.isEmpty else {
            console.setFlash(WebFlash(isError: false, text: t("flash.editNothing")), session: session.id)
            return .redirect(to: historyURL(table.name, row.id))
        }
        do {
            let hseq = try store.operatorEdit(table: table.name, id: row.id, values: values, expectedRowVersion: expect, action: action())
            let fields = table.fields.filter { values[$0.name] != nil }.map(fieldLabel).joined(separator: language == .zh ? "、" : ", ")
            console.setFlash(WebFlash(isError: false, text: t("flash.edited", fields, String(hseq))), session: session.id)
            return .redirect(to: historyURL(table.name, row.id))
        } catch let error as OperatorError {
            switch error.code {
            case .stale:
                guard let now = try store.row(table, id: row.id) else { return errorPage(404, "err.rowNotFound") }
                return try staleEdit(store, table, now, typed: typed, since: expect)
            case .invalid:
                let issues = error.issues.map { $0.message(chinese: language == .zh, schema: store.schema) }
                let text = issues.isEmpty ? t("err.editRefused") : t("err.invalid", issues.joined(separator: language == .zh ? "；" : "; "))
                return try reshow(store, table, row, typed: typed, expect: expect, status: 422, text)
            case .notFound:
                return errorPage(404, "err.rowNotFound")
            default:
                return try reshow(store, table, row, typed: typed, expect: expect, status: 409, t("err.editRefused"))
            }
        }
    }

    /// The row moved past the version the page showed: name the current values of the fields the form would change,
    /// keep what the operator typed in the fields that did not move, and offer the new version to confirm with.
    private func staleEdit(_ store: HubStore, _ table: TableSchema, _ row: HubRow, typed: [String: String], since: Int64) throws -> HTTPResponse {
        let validator = Validator(schema: store.schema)
        var now: [String] = []
        var kept: [String: String] = [:]
        for f in table.fields {
            guard let raw = typed[f.name] else { continue }
            let current = row.values[f.name] ?? .null
            let parsed = try? validator.parse(raw, for: f, table: table.name)
            if parsed != current {
                now.append("\(fieldLabel(f)) = \(current.isNull ? t("value.empty") : display(f, current))")
            }
            if (row.versions[f.name]?.hseq ?? 0) <= since { kept[f.name] = raw }
        }
        if row.deleted { now.append(rowState(row)) }
        let text = now.isEmpty ? t("err.editStaleShort", String(since), String(row.hseq))
            : t("err.editStale", String(since), String(row.hseq), now.joined(separator: language == .zh ? "；" : "; "))
        return try reshow(store, table, row, typed: kept, expect: row.hseq, status: 409, text)
    }

    private func reshow(_ store: HubStore, _ table: TableSchema, _ row: HubRow, typed: [String: String], expect: Int64,
                        status: Int, _ text: String) throws -> HTTPResponse {
        flash = WebFlash(isError: true, text: text)
        return try historyPage(store, table: table.name, id: row.id, edit: EditForm(typed: typed, expect: expect), status: status)
    }
}
