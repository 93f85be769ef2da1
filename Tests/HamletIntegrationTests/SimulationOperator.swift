import Foundation
import HamletCore
import HamletStore
import Testing

/// One operator action at the hub, through the public `HubStore` operator API, replayable.
enum OperatorStep: CustomStringConvertible {
    /// `expectedVersion` nil: the version the conflict shows.
    case resolveField(Int64, FieldChoice, expectedVersion: Int64?)
    /// `shownRow` nil: the row as the conflict left it.
    case resolveDelete(Int64, keep: Bool, shownRow: Int64?)
    /// `shownRows` nil: the rows as the conflict left them.
    case merge(Int64, keep: String?, shownRows: [String: Int64]?)
    case unmerge(Int64)
    /// The pair judged 非同一人 (not the same person).
    case dismiss(Int64)
    case edit(table: String, id: String, values: Fields, shown: [String: Int64])

    var kind: String {
        switch self {
        case .resolveField: "resolve"
        case .resolveDelete(_, let keep, _): keep ? "keep" : "delete"
        case .merge: "merge"
        case .unmerge: "unmerge"
        case .dismiss: "dismiss"
        case .edit: "edit"
        }
    }

    var description: String {
        switch self {
        case .resolveField(let id, let choice, let v): "resolve #\(id) \(choice) shown version \(v.map(String.init) ?? "of the conflict")"
        case .resolveDelete(let id, let keep, let v): "resolve #\(id) \(keep ? "--keep" : "--delete") shown row \(v.map(String.init) ?? "of the conflict")"
        case .merge(let id, let keep, let v): "merge #\(id) keep \(keep ?? "default") shown rows \(v.map { "\($0.sorted { $0.key < $1.key })" } ?? "of the conflict")"
        case .unmerge(let id): "unmerge #\(id)"
        case .dismiss(let id): "dismiss #\(id)"
        case .edit(let table, let id, let values, _): "edit \(table) \(id) fields \(values.keys.sorted())"
        }
    }

    /// Performs the action on `hub`: "ok", or "refused <code>" for an `OperatorError`.
    /// - Throws: anything else (a store failure).
    func perform(on hub: HubStore, action: OperatorAction) throws -> String {
        do {
            switch self {
            case .resolveField(let id, let choice, let v): try hub.resolveField(id, choice: choice, expectedVersion: v, action: action)
            case .resolveDelete(let id, let keep, let v): try hub.resolveDelete(id, keep: keep, expectedRowVersion: v, action: action)
            case .merge(let id, let keep, let v): try hub.mergeDuplicate(id, keep: keep, expectedRowVersions: v, action: action)
            case .unmerge(let id): try hub.unmerge(id, action: action)
            case .dismiss(let id): try hub.dismissDuplicate(id, action: action)
            case .edit(let table, let id, let values, let v):
                try hub.operatorEdit(table: table, id: id, values: values, expectedVersions: v, action: action)
            }
            return "ok"
        } catch let e as OperatorError {
            return "refused \(e.code.rawValue)"
        }
    }
}

extension Simulation {
    /// One operator action on a random open conflict or a random live person: settle a field conflict
    /// (village, hub or a new value), keep or delete a held row, merge, unmerge or dismiss a duplicate, or
    /// correct a person directly (a value, the national ID with its birth date and sex, or the village; now
    /// and then the ID of a row of a dismissed pair, to the other row's ID or away from it). Each is
    /// compare-and-set: usually on what the hub shows now, sometimes on what the conflict showed (stale
    /// when the row moved since).
    mutating func operatorStep() throws {
        let action = OperatorAction(name: "镇操作员", wallMillis: clock, note: "sim")
        var step: OperatorStep?
        switch rng.below(12) {
        case 0, 1, 2:
            let open = try hub.conflicts(status: "open", kind: .field, limit: 1_000_000)
            guard let c = open.isEmpty ? nil : open[rng.below(open.count)], let field = c.field,
                  let t = hub.schema.table(named: c.table), let row = try hub.row(t, id: c.row) else { break }
            let shown = rng.chance(70) ? row.versions[field]?.hseq ?? 0 : nil
            let fresh = randomEdit(table: t.name)[field]
            let choice: FieldChoice = switch rng.below(3) {
            case 0: .village
            case 1: .hub
            default: fresh.map { .value($0) } ?? .village
            }
            step = .resolveField(c.id, choice, expectedVersion: shown)
        case 3, 4:
            let open = try hub.conflicts(status: "open", kind: .delete, limit: 1_000_000)
            if let c = open.isEmpty ? nil : open[rng.below(open.count)], let t = hub.schema.table(named: c.table) {
                let shown = rng.chance(70) ? try hub.row(t, id: c.row)?.hseq : nil
                step = .resolveDelete(c.id, keep: rng.chance(60), shownRow: shown)
            }
        case 5, 6:
            let open = try hub.conflicts(status: "open", kind: .duplicate, limit: 1_000_000)
            if let c = open.isEmpty ? nil : open[rng.below(open.count)], let other = c.otherRow, let t = hub.schema.table(named: c.table) {
                var shown: [String: Int64]?
                if rng.chance(60) {
                    shown = [c.row: try hub.row(t, id: c.row)?.hseq ?? 0, other: try hub.row(t, id: other)?.hseq ?? 0]
                }
                step = .merge(c.id, keep: rng.chance(50) ? nil : rng.pick([c.row, other]), shownRows: shown)
            }
        case 7:
            let merged = try hub.conflicts(status: "resolved", kind: .duplicate, limit: 1_000_000).filter { $0.resolution == "merge" }
            if !merged.isEmpty { step = .unmerge(merged[rng.below(merged.count)].id) }
        case 8, 9:
            let open = try hub.conflicts(status: "open", kind: .duplicate, limit: 1_000_000)
            if !open.isEmpty { step = .dismiss(open[rng.below(open.count)].id) }
        default:
            let live = try hub.rows(table: "people")
            guard !live.isEmpty else { break }
            var row = live[rng.below(live.count)]
            var values: Fields
            if rng.chance(30), let (a, b) = try dismissedLivePair() {
                // Written again: one row of a dismissed pair takes the other's ID (the same one: no write), or another.
                row = a
                if rng.chance(50) {
                    values = ["national_id", "birth_date", "sex"].reduce(into: Fields()) { $0[$1] = b.values[$1] ?? .null }
                } else {
                    let p = rng.pick(people)
                    values = ["national_id": .text(p.id), "birth_date": .text(p.birth), "sex": .text(p.sex)]
                }
                step = .edit(table: "people", id: row.id, values: values,
                             shown: Dictionary(uniqueKeysWithValues: values.keys.map { ($0, row.versions[$0]?.hseq ?? 0) }))
                break
            }
            switch rng.below(10) {
            case 0, 1:
                // The ID, birth date and sex corrected together, often to an ID another row holds.
                let p = rng.chance(60) && !people.isEmpty ? rng.pick(people) : {
                    let v = personValues(village: "", household: nil)
                    return (v["national_id"]?.text ?? "", v["birth_date"]?.text ?? "", v["sex"]?.text ?? "")
                }()
                values = ["national_id": .text(p.0), "birth_date": .text(p.1), "sex": .text(p.2)]
            case 2:
                values = ["village": .text(rng.pick(Simulation.villages.filter { $0 != row.values["village"]?.text }))]
            default:
                values = randomEdit(table: "people")
            }
            step = .edit(table: "people", id: row.id, values: values, 
                         shown: Dictionary(uniqueKeysWithValues: values.keys.map { ($0, row.versions[$0]?.hseq ?? 0) }))
        }
        guard let step else { return }
        let before = try mergePair(step)
        let head = try hub.head()
        var dismissed: (String, String, Value)?
        if case .dismiss(let id) = step, let c = try hub.conflict(id), let other = c.otherRow, let t = hub.schema.table(named: c.table) {
            dismissed = (c.row, other, try hub.row(t, id: c.row)?.values["national_id"] ?? .null)
        }
        let outcome = try step.perform(on: hub, action: action)
        if outcome == "ok" {
            if let (a, b, value) = dismissed { dismissals[Simulation.pairKey(a, b)] = (value, try hub.head()) }
            note(try breaches(since: head), cause: step.kind, what: "\(step)")
            try recordOperatorWrites(step, since: head)
        }
        events.append(.operatorAction(step, action, outcome: outcome))
        if outcome == "ok" {
            stats.operatorOK[step.kind, default: 0] += 1
        } else {
            stats.operatorRefused["\(step.kind) \(outcome.dropFirst("refused ".count))", default: 0] += 1
        }
        // Rule 14: a merge on what the conflict showed, of rows whose IDs differ by now, must be refused as stale.
        if outcome == "ok", case .merge(_, _, nil) = step, let before, before.0 != before.1 {
            note([Finding(rule: "14", detail: "\(step) merged two rows whose national IDs differ now")], cause: step.kind, what: "\(step)")
        }
    }

    /// A dismissed pair whose two rows are both live, the row to edit first, or nil.
    mutating func dismissedLivePair() throws -> (HubRow, HubRow)? {
        guard !dismissals.isEmpty, let t = hub.schema.table(named: "people") else { return nil }
        var pairs: [(HubRow, HubRow)] = []
        for key in dismissals.keys.sorted() {
            let ids = key.split(separator: "|").map(String.init)
            guard ids.count == 2, let a = try hub.row(t, id: ids[0]), let b = try hub.row(t, id: ids[1]), !a.deleted, !b.deleted else { continue }
            pairs.append(rng.chance(50) ? (a, b) : (b, a))
        }
        return pairs.isEmpty ? nil : pairs[rng.below(pairs.count)]
    }

    /// The values an edit or a field resolution wrote, as the hub logged them (nothing lost: DESIGN "Nothing lost").
    mutating func recordOperatorWrites(_ step: OperatorStep, since head: Int64) throws {
        switch step {
        case .edit, .resolveField: break
        default: return
        }
        for r in try inspector.rows("SELECT hseq, tbl, row_id FROM log WHERE hseq > ?1 AND node = ?2 ORDER BY hseq",
                                    [.integer(head), .text(NodeID.hub)]) {
            let (hseq, table, row) = (try r.int(0), try r.text(1), try r.text(2))
            guard let entry = try hub.history(table: table, id: row).first(where: { $0.hseq == hseq }) else { continue }
            for (field, value) in entry.values.sorted(by: { $0.key < $1.key }) {
                operatorWritten.append((hseq, table, row, field, value))
            }
        }
    }

    /// The national IDs of a duplicate conflict's two rows before a merge.
    func mergePair(_ step: OperatorStep) throws -> (Value?, Value?)? {
        guard case .merge(let id, _, _) = step, let c = try hub.conflict(id), let other = c.otherRow,
              let t = hub.schema.table(named: c.table) else { return nil }
        return (try hub.row(t, id: c.row)?.values["national_id"], try hub.row(t, id: other)?.values["national_id"])
    }
}
