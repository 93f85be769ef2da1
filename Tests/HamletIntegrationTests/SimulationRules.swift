import Foundation
import HamletCore
import HamletStore
import Testing

/// A rule of DESIGN.md the hub broke, the step that broke it, and whether issue 19 already names the hole.
struct Finding: CustomStringConvertible {
    /// The DESIGN rule's number: "6" (references), "8" (duplicates stay live and flagged), "14" (compare-and-set).
    var rule: String
    var detail: String
    /// Who broke it: an operator action's kind ("keep", "merge", …), "push", "hostile", or "end" (found only at the end).
    var cause = "end"
    /// The step, as "step N: what".
    var step = ""
    var description: String { "rule \(rule) \(Finding.titles[rule] ?? ""): \(detail)\(step.isEmpty ? "" : " (\(step))")" }

    static let titles = ["6": "(references)", "8": "(duplicates)", "14": "(compare-and-set)"]


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
        "live people \(min(a, b)) and \(max(a, b)) share a national ID with no open duplicate conflict"
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
                        let other = try o.text(0)
                        if try !openDuplicate(row.id, other) { out.append(Finding(rule: "8", detail: Simulation.pairDetail(row.id, other))) }
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

    /// The hub's present breaches of rules 6 and 8, over every row.
    func ruleViolations() throws -> [Finding] {
        var found: [Finding] = []
        for t in hub.schema.tables where !t.referenceFields.isEmpty {
            for row in try hub.rows(table: t.name) { found += try referenceBreaches(t, row) }
        }
        var holders: [String: [String]] = [:]
        for row in try hub.rows(table: "people") {
            if let nid = row.values["national_id"]?.text { holders[nid, default: []].append(row.id) }
        }
        for (_, ids) in holders where ids.count > 1 {
            for (k, a) in ids.enumerated() {
                for b in ids[(k + 1)...] where try !openDuplicate(a, b) {
                    found.append(Finding(rule: "8", detail: Simulation.pairDetail(a, b)))
                }
            }
        }
        return found
    }

    /// Rules the operator's actions and the merge must keep (issues 10 and 19): what the checks after each
    /// step found, and what breaches remain at the end. Any breach fails the run.
    func checkOperatorRules() throws {
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
