import Foundation
import HamletCore
import HamletStore
import Testing

/// A rule of DESIGN.md the hub broke, the step that broke it, and whether issue 19 already names the hole.
struct Finding: CustomStringConvertible {
    /// The DESIGN rule's number: "6" (references), "8" (duplicates stay live and flagged, or dismissed),
    /// "13" (parking), "14" (compare-and-set).
    var rule: String
    var detail: String
    /// Who broke it: an operator action's kind ("keep", "merge", …), "push", "hostile", or "end" (found only at the end).
    var cause = "end"
    /// The step, as "step N: what".
    var step = ""
    var description: String { "rule \(rule) \(Finding.titles[rule] ?? ""): \(detail)\(step.isEmpty ? "" : " (\(step))")" }

    static let titles = ["6": "(references)", "8": "(duplicates)", "13": "(parking)", "14": "(compare-and-set)"]


}

extension Simulation {
    /// Keeps the findings of one step, first cause only; each fails the run at once.
    mutating func note(_ found: [Finding], cause: String, what: String) {
        for var f in found where !findings.contains(where: { $0.rule == f.rule && $0.detail == f.detail }) {
            f.cause = cause
            f.step = "step \(stats.steps): \(what)"
            findings.append(f)
            Issue.record("\(f)")
        }
    }

    static func pairDetail(_ a: String, _ b: String) -> String {
        "live people \(min(a, b)) and \(max(a, b)) share a national ID with no open duplicate conflict (nor a dismissal that holds)"
    }

    static func reopenedDetail(_ a: String, _ b: String) -> String {
        "live people \(min(a, b)) and \(max(a, b)) were dismissed as 非同一人 and reopened though neither ID was written since"
    }

    static func pairKey(_ a: String, _ b: String) -> String { "\(min(a, b))|\(max(a, b))" }

    /// Whether the operator's dismissal of the pair still holds for `value`: it was dismissed for that ID and
    /// neither row's ID has been written since (its version is not above the dismissal).
    func dismissalHolds(_ a: String, _ b: String, value: String) throws -> Bool {
        guard let d = dismissals[Simulation.pairKey(a, b)], d.value == .text(value), let t = hub.schema.table(named: "people") else {
            return false
        }
        for id in [a, b] {
            guard let r = try hub.row(t, id: id), (r.versions["national_id"]?.hseq ?? 0) <= d.at else { return false }
        }
        return true
    }

    /// Rule 8 with dismissals, for two live people sharing `value`: an open duplicate conflict, unless the pair
    /// was dismissed for that value and neither ID written since; then none (a dismissal does not reopen).
    func duplicateFinding(_ a: String, _ b: String, value: String) throws -> Finding? {
        let open = try openDuplicate(a, b)
        if try dismissalHolds(a, b, value: value) {
            return open ? Finding(rule: "8", detail: Simulation.reopenedDetail(a, b)) : nil
        }
        return open ? nil : Finding(rule: "8", detail: Simulation.pairDetail(a, b))
    }

    static func referenceDetail(_ table: String, _ id: String, _ field: String, _ target: String, _ targetID: String) -> String {
        "live \(table) \(id).\(field) points at deleted \(target) \(targetID)"
    }

    /// Rules 6 and 8 around the rows a step wrote (every row whose `_hseq` is above `head`): a live row
    /// written references no deleted row, a row deleted is referenced by no live row, and a live person
    /// written shares its national ID with no live person outside an open duplicate conflict.
    func breaches(since head: Int64) throws -> [Finding] {
        var out: [Finding] = []
        for t in hub.schema.tables {
            for r in try inspector.rows("SELECT id FROM \"\(t.name)\" WHERE _hseq > ?1", [.integer(head)]) {
                guard let row = try hub.row(t, id: r.text(0)) else { continue }
                if row.deleted {
                    guard row.mergedInto == nil else { continue }
                    for (rt, rid, rf) in try hub.references(to: t.name, id: row.id) {
                        guard let rts = hub.schema.table(named: rt), let referrer = try hub.row(rts, id: rid), !referrer.deleted else { continue }
                        out.append(Finding(rule: "6", detail: Simulation.referenceDetail(rt, rid, rf, t.name, row.id)))
                    }
                    continue
                }
                out += try referenceBreaches(t, row)
                if t.name == "people", let nid = row.values["national_id"]?.text {
                    for o in try inspector.rows("SELECT id FROM people WHERE national_id = ?1 AND _deleted = 0 AND id <> ?2",
                                                [.text(nid), .text(row.id)]) {
                        if let f = try duplicateFinding(row.id, try o.text(0), value: nid) { out.append(f) }
                    }
                }
            }
        }
        return out
    }

    func referenceBreaches(_ t: TableSchema, _ row: HubRow) throws -> [Finding] {
        var out: [Finding] = []
        for f in t.referenceFields {
            guard let id = row.values[f.name]?.text, let target = f.references, let tt = hub.schema.table(named: target) else { continue }
            guard let r = try hub.row(tt, id: id) else {
                out.append(Finding(rule: "6", detail: "live \(t.name) \(row.id) names \(target) \(id), which the hub never saw"))
                continue
            }
            if r.deleted && r.mergedInto == nil {
                out.append(Finding(rule: "6", detail: Simulation.referenceDetail(t.name, row.id, f.name, target, id)))
            }
        }
        return out
    }

    func openDuplicate(_ a: String, _ b: String) throws -> Bool {
        try inspector.row("""
            SELECT 1 FROM conflicts WHERE kind = 'duplicate' AND status = 'open'
              AND ((row_id = ?1 AND other_row = ?2) OR (row_id = ?2 AND other_row = ?1))
            """, [.text(a), .text(b)]) != nil
    }

    /// The hub's present breaches of rules 6, 8 and 13, over every row.
    func ruleViolations() throws -> [Finding] {
        var found: [Finding] = []
        for t in hub.schema.tables where !t.referenceFields.isEmpty {
            for row in try hub.rows(table: t.name) { found += try referenceBreaches(t, row) }
        }
        var holders: [String: [String]] = [:]
        for row in try hub.rows(table: "people") {
            if let nid = row.values["national_id"]?.text { holders[nid, default: []].append(row.id) }
        }
        for (nid, ids) in holders where ids.count > 1 {
            for (k, a) in ids.enumerated() {
                for b in ids[(k + 1)...] {
                    if let f = try duplicateFinding(a, b, value: nid) { found.append(f) }
                }
            }
        }
        for r in try inspector.rows("SELECT node, seq, wait_tbl, wait_id FROM parked") {
            guard let t = hub.schema.table(named: try r.text(2)), try hub.row(t, id: r.text(3)) != nil else { continue }
            found.append(Finding(rule: "13", detail: "\(try r.text(0)) seq \(try r.int(1)) stays parked though \(t.name) \(try r.text(3)) has arrived"))
        }
        return found
    }

    /// Live pairs sharing an ID that the operator dismissed: held closed, and reopened since (an ID written again).
    func dismissalOutcomes() throws -> (held: Int, reopened: Int) {
        var held = 0, reopened = 0
        guard let t = hub.schema.table(named: "people") else { return (0, 0) }
        for key in dismissals.keys {
            let ids = key.split(separator: "|").map(String.init)
            guard ids.count == 2, let a = try hub.row(t, id: ids[0]), let b = try hub.row(t, id: ids[1]), !a.deleted, !b.deleted,
                  let nid = a.values["national_id"]?.text, b.values["national_id"] == a.values["national_id"] else { continue }
            if try dismissalHolds(a.id, b.id, value: nid) { held += 1 } else if try openDuplicate(a.id, b.id) { reopened += 1 }
        }
        return (held, reopened)
    }

    /// Rules the operator's actions and the merge must keep (issues 10 and 19): what the checks after each
    /// step found, and what breaches remain at the end. Any breach fails the run.
    mutating func checkOperatorRules() throws {
        (stats.dismissedHeld, stats.dismissedReopened) = try dismissalOutcomes()
        var all = findings
        for f in try ruleViolations() where !all.contains(where: { $0.rule == f.rule && $0.detail == f.detail }) {
            Issue.record("\(f) (no step's check saw it happen)")
            all.append(f)
        }
        var counts: [String: Int] = [:]
        for f in all { counts["\(f.cause)/rule \(f.rule)", default: 0] += 1 }
        if !all.isEmpty { print("findings: \(counts.map { "\($0.key) \($0.value)" }.sorted().joined(separator: ", "))") }
        for f in all.prefix(10) { print("finding: \(f)") }
    }
}
