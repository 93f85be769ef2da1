import Foundation
import HamletCore
import HamletHTTP
import HamletStore

/// The conflict detail page: a field conflict with every value competing for the field, a delete conflict, a
/// duplicate pair with its merge form and the 「不是同一人」 dismissal.
extension WebApp {
    // MARK: - Conflict detail

    func detailPage(_ store: HubStore, id: Int64) throws -> HTTPResponse {
        guard let c = try store.conflict(id) else { return errorPage(404, "err.noConflict", String(id)) }
        guard let table = store.schema.table(named: c.table) else { return errorPage(404, "err.noTable") }
        let row = try store.row(table, id: c.row)
        var body = "<p><a href=\"/\">\(h(t("detail.back")))</a></p>"
        body += "<h1>\(h(t("detail.heading", String(c.id)))) \(kindBadge(c.kind)) \(statusBadge(c))</h1>"
        body += "<div class=\"card\"><div class=\"row\" style=\"justify-content:space-between\"><div>"
        body += "<span class=\"value\">\(h(rowLabel(table, row)))</span> · \(h(tableLabel(table))) · \(h(c.village))"
        body += " · <a href=\"\(h(historyURL(c.table, c.row)))\">\(h(t("detail.history")))</a> <span class=\"meta mono\">\(h(c.row))</span></div></div>"
        body += "<div class=\"meta\">\(h(t("detail.reason")))\(colon)\(h(reasonText(c.reason)))</div>"
        if c.status != "open" || c.resolution == "unmerged" {
            let by = c.resolvedBy == NodeID.hub ? t("detail.resolvedByHub", resolutionLabel(c.resolution))
                : t("detail.resolvedBy", resolverLabel(c.resolvedBy), time(c.resolvedAt), resolutionLabel(c.resolution))
            body += "<div class=\"meta\">\(h(by))"
            if let note = ConflictWording.note(c.note, chinese: language == .zh) { body += " — \(h(t("detail.noteLabel", note)))" }
            body += "</div>"
        }
        body += "</div>"
        switch c.kind {
        case .field: body += try fieldConflict(store, c, table, row)
        case .delete: body += try deleteConflict(store, c, table, row)
        case .duplicate: body += try duplicateConflict(store, c, table)
        }
        return layout(t("detail.heading", String(c.id)), body)
    }

    /// `who · node · when · version` of a hub field version.
    func describeVersion(_ store: HubStore, _ v: FieldVersion?) -> String {
        guard let side = versionSide(store, v) else { return "-" }
        return "\(side.author) · \(nodeLabel(side.node)) · \(time(side.wall)) · \(t("change.number", String(side.hseq)))"
    }

    /// The side of a conflict that arrived last: the change the conflict holds (author, node, stamp), the log
    /// entry filling what an older conflict row lacks.
    func incomingSide(_ store: HubStore, _ c: ConflictRecord) -> ConflictSide {
        let entry = c.incomingHseq > 0 ? ((try? store.logEntry(c.incomingHseq)) ?? nil) : nil
        let node = c.incomingNode ?? entry?.node ?? "?"
        return ConflictSide(author: c.incomingAuthor ?? entry?.author ?? "?", node: node, village: nodeVillage(store, node),
                            wall: c.incomingHLC.flatMap { HLC($0)?.wall } ?? entry.flatMap { HLC($0.hlc)?.wall },
                            hseq: c.incomingHseq, op: entry?.op)
    }

    /// The side that wrote a hub version: its setter node and stamp, the author and operation from the change log.
    func versionSide(_ store: HubStore, _ v: FieldVersion?) -> ConflictSide? {
        guard let v else { return nil }
        let entry = (try? store.logEntry(v.hseq)) ?? nil
        let node = v.writers.first ?? entry?.node ?? "?"
        return ConflictSide(author: entry?.author ?? "?", node: node, village: nodeVillage(store, node), wall: v.hlc.wall,
                            hseq: v.hseq, op: entry?.op)
    }

    /// The village a node serves (nil for the hub, or a node the hub no longer lists); a display, not a decision.
    func nodeVillage(_ store: HubStore, _ node: String) -> String? {
        node == NodeID.hub ? nil : ((try? store.node(node)) ?? nil)?.village
    }

    /// `村医刘强（beizhao-doctor，北赵）` / `村医刘强 (beizhao-doctor, 北赵)`: who wrote a side, and where.
    func sideName(_ side: ConflictSide) -> String {
        let place = [nodeLabel(side.node), side.village].compactMap { $0 }.joined(separator: language == .zh ? "，" : ", ")
        return language == .zh ? "\(side.author)（\(place)）" : "\(side.author) (\(place))"
    }

    /// `2025-03-02 10:15 · 版本 12`: when a side wrote, and the hub's number for its change.
    func sideWhen(_ side: ConflictSide) -> String {
        "\(time(side.wall)) · \(t("change.number", String(side.hseq)))"
    }

    func fieldConflict(_ store: HubStore, _ c: ConflictRecord, _ table: TableSchema, _ row: HubRow?) throws -> String {
        let field = c.field ?? ""
        let base = try store.value(table: c.table, row: c.row, field: field, at: c.base)
        let schemaField = table.field(field)
        let differs = (c.incoming ?? .null) != (c.hubValue ?? .null)
        let current = row?.values[field]
        let version = row?.versions[field]?.hseq ?? 0
        let incoming = incomingSide(store, c)
        let held = versionSide(store, c.hubVersion)
        let incomingName = sideName(incoming)
        let heldName = held.map(sideName) ?? t("side.unknown")
        var s = "<table><thead><tr><th>\(h(t("col.field")))</th><th>\(h(t("col.base")))</th>"
        s += "<th>\(h(t("side.valueOf", incomingName)))</th><th>\(h(t("side.valueOf", heldName)))</th></tr></thead><tbody>"
        s += "<tr><td>\(h(fieldLabel(store, table: c.table, field: field)))</td><td>\(valueHTML(base, field: schemaField))</td>"
        s += "<td class=\"\(differs ? "diff strong" : "")\">\(valueHTML(c.incoming, field: schemaField))</td>"
        s += "<td class=\"\(differs ? "diff strong" : "")\">\(valueHTML(c.hubValue, field: schemaField))</td></tr>"
        s += "<tr><td class=\"meta\">\(h(t("col.whenChange")))</td>"
        s += "<td class=\"meta\">\(c.base > 0 ? h(t("change.number", String(c.base))) : "-")</td>"
        s += "<td class=\"meta\">\(h(sideWhen(incoming)))</td><td class=\"meta\">\(h(held.map(sideWhen) ?? "-"))</td></tr>"
        s += "</tbody></table>"
        s += try competingValues(store, c, schemaField, row)
        s += "<div class=\"card\" style=\"margin-top:1rem\"><div>\(h(t("detail.provisional")))\(colon)"
        s += "<span class=\"value\">\(h(t("side.valueOf", c.incomingWon ? incomingName : heldName)))</span></div>"
        s += "<div>\(h(t("detail.current")))\(colon)<span class=\"value\">\(valueHTML(current, field: schemaField))</span> <span class=\"meta\">(\(h(t("detail.version", String(version)))))</span></div></div>"
        if c.status == "open" {
            let action = "/conflicts/\(c.id)/resolve"
            s += "<div class=\"card\"><h2>\(h(t("action.resolveHeading")))</h2>"
            s += "<form method=\"post\" action=\"\(action)\" class=\"row\">\(csrfField(action))"
            s += "<input type=\"hidden\" name=\"expect\" value=\"\(version)\">\(whoFields())"
            s += "<button type=\"submit\" name=\"choice\" value=\"village\">\(h(t("action.takeSide", incomingName)))\(colon)\(h(c.incoming.map { display(schemaField, $0) } ?? t("value.empty")))</button>"
            s += "<button type=\"submit\" name=\"choice\" value=\"hub\" class=\"secondary\">\(h(t("action.takeSide", heldName)))\(colon)\(h(c.hubValue.map { display(schemaField, $0) } ?? t("value.empty")))</button>"
            s += "</form><hr style=\"border:none;border-top:1px solid #e6e9ee;margin:1rem 0\">"
            s += "<form method=\"post\" action=\"\(action)\" class=\"row\">\(csrfField(action))"
            s += "<input type=\"hidden\" name=\"expect\" value=\"\(version)\"><input type=\"hidden\" name=\"choice\" value=\"value\">"
            s += "<label>\(h(t("action.newValue")))<input type=\"text\" name=\"value\" size=\"28\" value=\"\(h(current?.description ?? ""))\"></label>"
            s += whoFields()
            s += "<button type=\"submit\" class=\"secondary\">\(h(t("action.useNewValue")))</button></form></div>"
        }
        if let row { s += rowCard(table, row, highlight: [field]) }
        return s
    }

    func deleteConflict(_ store: HubStore, _ c: ConflictRecord, _ table: TableSchema, _ row: HubRow?) throws -> String {
        var s = "<div class=\"warning\">\(h(t("detail.deleteHint")))</div>"
        s += "<table><thead><tr><th>\(h(t("side.who")))</th><th>\(h(t("history.op")))</th><th>\(h(t("col.whenChange")))</th></tr></thead><tbody>"
        var sides: [ConflictSide] = []
        if let held = versionSide(store, c.hubVersion ?? row?.deletion) {
            sides.append(held)
        } else {
            // A delete that met an edit: the concurrent writes are the other writers' changes to the row after the
            // delete's base and before it, read from the change log.
            for e in try store.history(table: c.table, id: c.row)
            where e.hseq > c.base && e.hseq < c.incomingHseq && e.node != c.incomingNode {
                sides.append(ConflictSide(author: e.author, node: e.node, village: nodeVillage(store, e.node), wall: HLC(e.hlc)?.wall,
                                          hseq: e.hseq, op: e.op))
            }
        }
        sides.append(incomingSide(store, c))
        for side in sides {
            s += "<tr><td>\(h(sideName(side)))</td><td>\(h(side.op.map(opLabel) ?? "-"))</td><td class=\"meta\">\(h(sideWhen(side)))</td></tr>"
        }
        s += "</tbody></table>"
        if let row { s += rowCard(table, row, highlight: []) } else { s += "<div class=\"card\">\(h(t("detail.rowGone")))</div>" }
        if c.status == "open" {
            let action = "/conflicts/\(c.id)/decide"
            s += "<div class=\"card\"><h2>\(h(t("action.resolveHeading")))</h2><form method=\"post\" action=\"\(action)\" class=\"row\">"
            s += csrfField(action) + whoFields()
            if let row { s += "<input type=\"hidden\" name=\"expect\" value=\"\(row.hseq)\">" }
            s += "<button type=\"submit\" name=\"choice\" value=\"keep\">\(h(t("action.keep")))</button>"
            s += "<button type=\"submit\" name=\"choice\" value=\"delete\" class=\"danger\">\(h(t("action.delete")))</button></form></div>"
        }
        return s
    }

    func duplicateConflict(_ store: HubStore, _ c: ConflictRecord, _ table: TableSchema) throws -> String {
        guard let otherID = c.otherRow, let a = try store.row(table, id: otherID), let b = try store.row(table, id: c.row) else {
            return "<div class=\"card\">\(h(t("detail.rowGone")))</div>" + dismissCard(store, c, table)
        }
        let open = c.status == "open"
        let action = "/conflicts/\(c.id)/merge"
        // The store's default survivor is the row registered first (the smaller id); the checked radios show exactly
        // what the merged row will hold.
        let defaultSurvivor = min(a.id, b.id)
        var s = ""
        if open {
            s += "<div class=\"warning\">\(h(t("dup.warning")))</div>"
            let (va, vb) = (a.scope(store.schema) ?? "", b.scope(store.schema) ?? "")
            if va != vb { s += "<div class=\"warning\">\(h(t("dup.acrossVillages", va, vb)))</div>" }
            s += "<form method=\"post\" action=\"\(action)\">\(csrfField(action))"
            // Compare-and-set: the merge is refused as stale if either row changes after this page was made.
            for r in [a, b] { s += "<input type=\"hidden\" name=\"expect.\(h(r.id))\" value=\"\(r.hseq)\">" }
        }
        s += "<table class=\"pair\"><thead><tr><th>\(h(t("col.field")))</th>"
        for (label, r) in [("A", a), ("B", b)] {
            s += "<th>\(label) · \(h(r.values["village"]?.description ?? "")) <span class=\"meta mono\">\(h(short(r.id)))</span>"
            s += " <a class=\"meta\" href=\"\(h(historyURL(table.name, r.id)))\">\(h(t("detail.history")))</a>"
            if open {
                s += "<br><label style=\"flex-direction:row;gap:.3rem\"><input type=\"radio\" name=\"keep\" value=\"\(h(r.id))\"\(r.id == defaultSurvivor ? " checked" : "")>"
                s += "\(h(t("dup.keepThis", label)))</label>"
            }
            s += "</th>"
        }
        s += "<th></th></tr></thead><tbody>"
        for f in table.fields {
            let va = a.values[f.name]
            let vb = b.values[f.name]
            let differs = (va ?? .null) != (vb ?? .null)
            s += "<tr\(differs ? " class=\"diff\"" : "")><th>\(h(fieldLabel(f)))</th>"
            for (r, v) in [(a, va), (b, vb)] {
                s += "<td>"
                if open && differs && f.name != store.schema.scope {
                    // Default pick mirrors the store: the survivor's value, or the other's when the survivor's is empty.
                    let survivorValue = defaultSurvivor == a.id ? va : vb
                    let picked = (survivorValue == nil || survivorValue == .null)
                        ? (r.id != defaultSurvivor) : (r.id == defaultSurvivor)
                    s += "<label style=\"flex-direction:row;gap:.35rem;font-size:inherit;color:inherit\"><input type=\"radio\" name=\"field.\(h(f.name))\" value=\"\(h(r.id))\"\(picked ? " checked" : "")>"
                    s += "\(fieldValueHTML(f, v))</label>"
                } else {
                    s += fieldValueHTML(f, v)
                }
                s += "</td>"
            }
            s += "<td class=\"meta\">\(differs ? h(t("dup.differs")) : "")</td></tr>"
        }
        s += "<tr><th>\(h(t("state.label")))</th><td>\(h(rowState(a)))</td><td>\(h(rowState(b)))</td><td></td></tr>"
        s += "</tbody></table>"
        if open {
            s += "<div class=\"card\" style=\"margin-top:1rem\"><p class=\"meta\">\(h(t("dup.fieldsHint")))</p><div class=\"row\">"
            s += whoFields() + "<button type=\"submit\" class=\"danger\">\(h(t("action.merge")))</button></div></div></form>"
        }
        s += dismissCard(store, c, table)
        // Everything that references each row: shown before the merge, since the merge repoints it.
        s += "<div class=\"grid2\" style=\"margin-top:1rem\">"
        for (label, r) in [("A", a), ("B", b)] {
            let refs = try store.references(to: table.name, id: r.id)
            s += "<div class=\"card\"><h2>\(h(t("dup.refs", "\(label) \(short(r.id))", String(refs.count))))</h2>"
            if refs.isEmpty {
                s += "<p class=\"meta\">\(h(t("dup.refsNone")))</p>"
            } else {
                s += "<table><thead><tr><th>\(h(t("col.table")))</th><th>\(h(t("col.record")))</th><th>\(h(t("col.field")))</th><th>\(h(t("state.label")))</th></tr></thead><tbody>"
                for (refTable, refID, refField) in refs {
                    let rt = store.schema.table(named: refTable)
                    let refRow = try rt.flatMap { try store.row($0, id: refID) }
                    let text = rt.map { rowLabel($0, refRow) } ?? ""
                    s += "<tr><td>\(h(rt.map(tableLabel) ?? refTable))</td>"
                    s += "<td><a href=\"\(h(historyURL(refTable, refID)))\">\(h(text.isEmpty ? short(refID) : text))</a> <span class=\"meta mono\">\(h(short(refID)))</span></td>"
                    s += "<td>\(h(fieldLabel(store, table: refTable, field: refField)))</td><td>\(h(refRow.map(rowState) ?? ""))</td></tr>"
                }
                s += "</tbody></table>"
            }
            s += "</div>"
        }
        s += "</div>"
        if c.status == "resolved", c.resolution == "merge" {
            if let d = c.details, let m = try? JSONDecoder().decode(MergeRecord.self, from: Data(d.utf8)) {
                s += "<div class=\"card\"><p>\(h(t("dup.mergedInfo", short(m.survivor), short(m.loser), String(m.survivorBefore.count + m.survivorBeforeEmpty.count), String(m.repointed.count))))</p>"
            } else {
                s += "<div class=\"card\">"
            }
            let undo = "/conflicts/\(c.id)/unmerge"
            s += "<p class=\"meta\">\(h(t("dup.unmergeHint")))</p>"
            s += "<form method=\"post\" action=\"\(undo)\" class=\"row\">\(csrfField(undo))\(whoFields())"
            s += "<button type=\"submit\" class=\"secondary\">\(h(t("action.unmerge")))</button></form></div>"
        }
        return s
    }

    // MARK: - Not the same person

    /// The 「不是同一人」 form of an open duplicate (a note is required: the reason a clerk reads later), or what the
    /// dismissal means once made.
    func dismissCard(_ store: HubStore, _ c: ConflictRecord, _ table: TableSchema) -> String {
        let field = fieldLabel(store, table: c.table, field: c.field)
        if c.status == "resolved", c.resolution == "dismissed" {
            return "<div class=\"card\" style=\"margin-top:1rem\"><p>\(h(t("dup.dismissedInfo", field)))</p></div>"
        }
        guard c.status == "open" else { return "" }
        let action = "/conflicts/\(c.id)/dismiss"
        var s = "<div class=\"card\" style=\"margin-top:1rem\"><h2>\(h(t("dup.dismissHeading")))</h2>"
        s += "<p class=\"meta\">\(h(t("dup.dismissHint", field)))</p>"
        s += "<form method=\"post\" action=\"\(action)\" class=\"row\">\(csrfField(action))\(whoFields(noteRequired: true))"
        s += "<button type=\"submit\" class=\"secondary\">\(h(t("action.dismiss")))</button></form></div>"
        return s
    }

    // MARK: - Competing values

    /// Every value competing for a field that has several field conflicts: each conflict's incoming value with who,
    /// where and when, and the hub's value now; one decision settles them all (the others close as superseded, each
    /// recorded). Empty when the conflict stands alone.
    func competingValues(_ store: HubStore, _ c: ConflictRecord, _ field: FieldSchema?, _ row: HubRow?) throws -> String {
        let group = try ConflictWording.competing(store, c)
        guard group.count > 1 else { return "" }
        let open = c.status == "open"
        let decided = ConflictWording.supersededBy(c.resolution) ?? c.id
        var s = "<div class=\"card\" style=\"margin-top:1rem\">"
        s += "<h2>\(h(open ? t("compete.heading", String(group.count)) : t("compete.settled", String(decided), String(group.count))))</h2>"
        if open { s += "<p class=\"meta\">\(h(t("compete.hint", String(c.id))))</p>" }
        s += "<table><thead><tr><th class=\"num\">#</th><th>\(h(t("col.value")))</th><th>\(h(t("col.who")))</th>"
        s += "<th>\(h(t("col.status")))</th></tr></thead><tbody>"
        for x in group {
            let side = incomingSide(store, x)
            let who = "\(sideName(side)) · \(sideWhen(side))"
            let status = x.status == "open" ? t("status.open") : resolutionLabel(x.resolution)
            let here = x.id == c.id
            s += "<tr\(here ? " class=\"diff\"" : "")><td class=\"num\">\(here ? "\(x.id)" : "<a href=\"/conflicts/\(x.id)\">\(x.id)</a>")</td>"
            s += "<td class=\"value\">\(valueHTML(x.incoming, field: field))</td><td class=\"meta\">\(h(who))</td>"
            s += "<td>\(h(here ? t("compete.thisOne", status) : status))</td></tr>"
        }
        for e in ConflictWording.earlierHubValues(group, currentVersion: c.field.flatMap { row?.versions[$0]?.hseq }) {
            s += "<tr><td></td><td class=\"value\">\(valueHTML(e.value, field: field))</td>"
            s += "<td class=\"meta\">\(h(describeVersion(store, e.version)))</td><td>\(h(t("compete.hubEarlier", String(e.conflict))))</td></tr>"
        }
        if let row, let name = c.field {
            s += "<tr><td></td><td class=\"value\">\(valueHTML(row.values[name], field: field))</td>"
            s += "<td class=\"meta\">\(h(describeVersion(store, row.versions[name])))</td><td>\(h(t("compete.hubNow")))</td></tr>"
        }
        s += "</tbody></table></div>"
        return s
    }
}

/// Who wrote one side of a conflict: the author, the node and the village it serves, when, and the change's number
/// at the hub (its version); the operation from the change log.
struct ConflictSide {
    var author: String
    var node: String
    var village: String?
    var wall: Int64?
    var hseq: Int64
    var op: String?
}
