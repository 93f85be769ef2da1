import Foundation
import HamletCore

/// What a duplicate merge did, kept in the conflict for `unmerge`.
public struct MergeRecord: Sendable, Codable {
    public struct Repointed: Sendable, Codable { public var table: String; public var id: String; public var field: String }
    /// A row the merge moved to the survivor's village (or a household whose head it cleared), with the values it
    /// had before, so that `unmerge` can put it back.
    public struct Moved: Sendable, Codable {
        public var table: String
        public var id: String
        public var kind: MergeMove.Update.Kind
        public var values: Fields
        public var before: Fields
    }
    /// The move a merge across villages recorded: from the loser's village to the survivor's.
    public struct Move: Sendable, Codable {
        public var from: String
        public var to: String
        public var date: String
        /// 婚迁 / 务工 / 其他.
        public var reason: String
        /// The 迁出 and 迁入 events the merge created.
        public var events: [String]
    }
    public var table: String
    public var survivor: String
    public var loser: String
    /// The survivor's values before the merge, for the fields the merge changed (null = was empty).
    public var survivorBefore: Fields
    public var survivorBeforeEmpty: [String]
    /// References repointed in place.
    public var repointed: [Repointed]
    /// Rows that followed her to the survivor's village, and households left without their head (merges across
    /// villages; nil in records written before).
    public var moved: [Moved]?
    /// nil when both rows were in one village.
    public var move: Move?
    public var hseqs: [Int64]
}

/// Duplicate merges and their undo (rule 11 of the design, issue 15 item 4 for merges across villages).
extension HubStore {
    /// Merges the two rows of a duplicate conflict into a survivor: fields chosen from the other
    /// row (and the survivor's empty fields filled from it), references to the loser repointed,
    /// the loser tombstoned with a pointer to the survivor. When the two rows are in different villages the
    /// merge is also a move (``MergeMove``): the rows that follow her go to the survivor's village and a 迁出 and a
    /// 迁入 event are recorded. Undo with `unmerge`.
    /// - Parameters:
    ///   - keep: the survivor's id (which also chooses the surviving village); default the row registered first.
    ///   - fieldsFrom: field → the id of the row whose value to keep.
    ///   - expectedRowVersions: row id → the version (`hseq`) the operator was shown; nil = the rows
    ///     as the conflict left them. Changed since: `stale`.
    ///   - reason: for a merge across villages, why she moved (default 婚迁: 因婚两次录入).
    ///   - moveDate: for a merge across villages, the move's day (default today in the hub's time zone).
    /// - Returns: what was done.
    /// - Throws: `OperatorError` or `StoreError`.
    @discardableResult
    public func mergeDuplicate(_ id: Int64, keep: String? = nil, fieldsFrom: [String: String] = [:],
                               expectedRowVersions: [String: Int64]? = nil, reason: MoveReason = .marriage,
                               moveDate: String? = nil, action: OperatorAction) throws -> MergeRecord {
        try connection.transaction {
            let c = try openConflictForAction(id, kinds: [.duplicate])
            guard let other = c.otherRow else { throw OperatorError(code: .wrongKind, message: "conflict #\(id) names one row", zh: "冲突 #\(id) 只涉及一条记录") }
            let pair = [c.row, other]
            let survivorID = keep ?? pair.min() ?? c.row
            guard pair.contains(survivorID) else {
                throw OperatorError(code: .invalid, message: "--keep must be one of the conflict's two rows",
                                    zh: "--keep 必须是这个冲突的两条记录之一")
            }
            let loserID = pair.first { $0 != survivorID } ?? other
            let (t, survivor) = try loadLive(c.table, survivorID)
            let (_, loser) = try loadLive(c.table, loserID)
            let shown = expectedRowVersions ?? [survivorID: c.incomingHseq, loserID: c.incomingHseq]
            let plan = try decided(OperatorDecision.merge(survivor: survivor, loser: loser, fieldsFrom: fieldsFrom, table: t,
                                                          scope: schema.scope, shownRows: shown, sharedField: c.field))
            try validate(t, plan.survivor, fields: Set(plan.changed.keys))
            let day = try moveDay(moveDate, wallMillis: action.wallMillis)
            var clock = HybridClock(node: NodeID.hub, last: try clock())
            var hseqs: [Int64] = []
            if !plan.changed.isEmpty {
                hseqs.append(try operatorWrite(t, plan.survivor, previous: survivor, op: "merge", values: plan.changed,
                                               action: action, clock: &clock))
            }
            var record = MergeRecord(table: t.name, survivor: survivorID, loser: loserID, survivorBefore: plan.before,
                                     survivorBeforeEmpty: plan.beforeEmpty, repointed: [], moved: nil, move: nil, hseqs: [])
            let move = MergeMove.plan(survivor: survivorID, survivorVillage: plan.survivor.scope(schema) ?? "",
                                      loserVillage: loser.scope(schema) ?? "", references: try referencing(t.name, loserID),
                                      schema: schema, reason: reason, date: day)
            try applyReferences(move, to: &record, hseqs: &hseqs, action: action, clock: &clock)
            hseqs.append(try operatorWrite(t, plan.loser, previous: loser, op: "merged-into", values: [:], action: action, clock: &clock))
            try setMeta("hlc", clock.last.description)
            record.hseqs = hseqs
            try closeConflict(id, resolution: "merge", hseq: hseqs.last, action: action, details: JSONText.encode(record))
            // A twin conflict for the same pair (opened before duplicates were deduplicated) is settled with it.
            for twin in try connection.rows("""
                SELECT id FROM conflicts WHERE kind = 'duplicate' AND status = 'open' AND tbl = ?1 AND id <> ?2
                  AND ((row_id = ?3 AND other_row = ?4) OR (row_id = ?4 AND other_row = ?3))
                """, [.text(t.name), .integer(id), .text(survivorID), .text(loserID)]) {
                try closeConflict(twin.int(0), resolution: "superseded by #\(id)", hseq: hseqs.last, action: action)
            }
            return record
        }
    }

    /// The rows naming `(table, id)`, with their values (tombstones too: they are repointed like live rows).
    func referencing(_ table: String, _ id: String) throws -> [MergeMove.Reference] {
        try references(to: table, id: id).compactMap { rt, rid, rf in
            guard let rts = schema.table(named: rt), let r = try row(rts, id: rid) else { return nil }
            return MergeMove.Reference(table: rt, id: rid, field: rf, values: r.values)
        }
    }

    /// Writes a merge's changes to the rows naming the loser, and its 迁出 and 迁入 events when it crosses villages.
    func applyReferences(_ move: MergeMove, to record: inout MergeRecord, hseqs: inout [Int64], action: OperatorAction,
                         clock: inout HybridClock) throws {
        var moved: [MergeRecord.Moved] = []
        for u in move.updates {
            guard let rts = schema.table(named: u.table), let r = try row(rts, id: u.id) else { continue }
            var n = r
            for (k, v) in u.values { n.setValue(v, named: k) }
            hseqs.append(try operatorWrite(rts, n, previous: r, op: u.kind == .repoint ? "repoint" : "merge-move", values: u.values,
                                           action: action, clock: &clock))
            if u.kind == .repoint { record.repointed.append(.init(table: u.table, id: u.id, field: u.field)) }
            else { moved.append(.init(table: u.table, id: u.id, kind: u.kind, values: u.values, before: u.before)) }
        }
        guard let from = move.from, let events = schema.table(named: "events") else { return }
        var ids: [String] = []
        // 迁入 first: a node whose pull page ends between the two never sees her 迁出 without its 迁入 (待接收).
        for values in move.events.reversed() {
            // The id is made from the hub, its epoch and the change's hseq: replaying the same actions on a copy of
            // the hub makes the same rows (the simulation's determinism check), and no two hub changes share a seed.
            var rng = SeedRandom(seed: Self.fnv1a("\(try hubID())|\(try epoch())|\(try head() + 1)"))
            let eid = RowID.make(unixMillis: action.wallMillis, using: &rng)
            let empty = HubRow(table: events.name, id: eid, values: [:], versions: [:], hseq: 0)
            let row = HubRow(table: events.name, id: eid, values: values, versions: [:], hseq: 0)
            hseqs.append(try operatorWrite(events, row, previous: empty, op: "merge-move", values: values, action: action, clock: &clock))
            ids.append(eid)
        }
        record.moved = moved
        record.move = .init(from: from, to: move.to, date: move.date, reason: move.reason.rawValue, events: ids)
    }

    /// FNV-1a, 64 bits: a stable seed from text.
    static func fnv1a(_ text: String) -> UInt64 {
        text.utf8.reduce(0xcbf2_9ce4_8422_2325 as UInt64) { ($0 ^ UInt64($1)) &* 0x0000_0100_0000_01b3 }
    }

    /// A merge's move day: the one given (a real day, not after tomorrow) or today in the hub's time zone.
    func moveDay(_ given: String?, wallMillis: Int64) throws -> String {
        let today = CalendarDate(unixMillis: wallMillis, zone: try timeZone())
        guard let given = given?.trimmingCharacters(in: .whitespaces) else { return today.description }
        guard let day = CalendarDate(given) else {
            throw OperatorError(code: .invalid, message: "the move date \(given) is not a real day (YYYY-MM-DD)",
                                zh: "迁移日期 \(given) 不是有效日期（年-月-日）")
        }
        guard day <= today.adding(days: 1) else {
            throw OperatorError(code: .invalid, message: "the move date \(given) is in the future", zh: "迁移日期 \(given) 晚于今天")
        }
        return day.description
    }

    /// Undoes a duplicate merge: the loser live again, the survivor's merged fields restored,
    /// references repointed back, rows that followed her back in the loser's village and the merge's 迁出/迁入
    /// events deleted; the conflict reopens. Refused as `stale` when a merged field was changed after the merge.
    /// Each step is an ordinary operator change.
    /// - Throws: `OperatorError` or `StoreError`.
    @discardableResult
    public func unmerge(_ id: Int64, action: OperatorAction) throws -> MergeRecord {
        try connection.transaction {
            guard let c = try conflict(id) else { throw OperatorError(code: .notFound, message: "no conflict #\(id)", zh: "没有冲突 #\(id)") }
            guard c.kind == .duplicate, c.status == "resolved", c.resolution == "merge", let d = c.details else {
                throw OperatorError(code: .notMerged, message: "conflict #\(id) is not a merged duplicate",
                                    zh: "冲突 #\(id) 没有合并过，无需撤销")
            }
            let m = try JSONText.decode(MergeRecord.self, d)
            let (t, loser) = try loadLive(m.table, m.loser)
            let (_, survivor) = try loadLive(m.table, m.survivor)
            let undo = try decided(OperatorDecision.unmerge(survivor: survivor, loser: loser, before: m.survivorBefore,
                                                            beforeEmpty: m.survivorBeforeEmpty, mergeHseqs: Set(m.hseqs)))
            // The conflict reopens first, so that bringing the loser back finds its pair already open.
            try connection.run("""
                UPDATE conflicts SET status = 'open', resolution = 'unmerged', resolved_by = ?2, resolved_at = ?3, note = ?4
                WHERE id = ?1
                """, [.integer(id), .text(action.name), .integer(action.wallMillis), action.note.map { .text($0) } ?? .null])
            var clock = HybridClock(node: NodeID.hub, last: try clock())
            _ = try operatorWrite(t, undo.loser, previous: loser, op: "unmerge", values: [:], action: action, clock: &clock)
            if !undo.restored.isEmpty {
                _ = try operatorWrite(t, undo.survivor, previous: survivor, op: "unmerge", values: undo.restored, action: action, clock: &clock)
            }
            for p in m.repointed {
                guard let rt = schema.table(named: p.table), let r = try row(rt, id: p.id), r.values[p.field]?.text == m.survivor else { continue }
                var n = r
                n.values[p.field] = .text(m.loser)
                _ = try operatorWrite(rt, n, previous: r, op: "unmerge", values: [p.field: .text(m.loser)], action: action, clock: &clock)
            }
            try undoMove(m, action: action, clock: &clock)
            try setMeta("hlc", clock.last.description)
            return m
        }
    }

    /// Puts back what a merge across villages moved: each row still as the merge left it gets its values back
    /// (a row edited or moved again since is left as it is), and the merge's 迁出/迁入 events are deleted.
    func undoMove(_ m: MergeRecord, action: OperatorAction, clock: inout HybridClock) throws {
        for p in m.moved ?? [] {
            guard let rt = schema.table(named: p.table), let r = try row(rt, id: p.id),
                  p.values.allSatisfy({ (r.values[$0.key] ?? .null) == $0.value }) else { continue }
            var n = r
            for (k, v) in p.before { n.setValue(v, named: k) }
            _ = try operatorWrite(rt, n, previous: r, op: "unmerge", values: p.before, action: action, clock: &clock)
        }
        guard let events = schema.table(named: "events") else { return }
        for eid in m.move?.events ?? [] {
            guard let r = try row(events, id: eid), !r.deleted else { continue }
            var n = r
            n.deleted = true
            _ = try operatorWrite(events, n, previous: r, op: "unmerge", values: [:], action: action, clock: &clock)
        }
    }
}
