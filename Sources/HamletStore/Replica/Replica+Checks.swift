import Foundation
import HamletCore

/// A write's logic check, begun before the write: the findings on the cards it touches as they were.
struct EntryCheck {
    let reads: CheckReads
    let engine: CheckEngine
    let subjects: Set<String>
    let before: [CheckFinding]

    /// After the write (same transaction): refuses with `check-refused` when it brings in a
    /// `refuse` finding (the caller's transaction then rolls back), else returns the new warnings.
    func judge() throws -> [CheckFinding] {
        guard !subjects.isEmpty else { return [] }
        let after = engine.findings(in: try reads.around(subjects), persons: subjects)
        let new = CheckEngine.introduced(before: before, after: after)
        let refused = new.filter { $0.severity == .refuse }
        if let first = refused.first {
            var e = ReplicaError(.checkRefused, first.message.en, zh: first.message.zh)
            e.findings = refused
            throw e
        }
        return new.filter { $0.severity == .warn }
    }
}

extension Replica {
    /// The rules' reader over this replica's visible tables (every row there is live).
    var checkReads: CheckReads { CheckReads(connection: connection, schema: schema, live: nil) }

    /// The engine standing on the node's day at `wallMillis` (the computer's time zone).
    func checkEngine(wallMillis: Int64) -> CheckEngine {
        CheckEngine(schema: schema, today: CalendarDate(unixMillis: wallMillis, zone: .current))
    }

    /// Starts the logic check of a write of row `id` from `before` to `after` (nil: no row).
    func entryCheck(_ t: TableSchema, id: String, before: Fields?, after: Fields?, wallMillis: Int64) throws -> EntryCheck {
        let reads = checkReads
        let subjects = try reads.persons(of: t.name, id: id, before).union(reads.persons(of: t.name, id: id, after))
        let engine = checkEngine(wallMillis: wallMillis)
        let before = subjects.isEmpty ? [] : engine.findings(in: try reads.around(subjects), persons: subjects)
        return EntryCheck(reads: reads, engine: engine, subjects: subjects, before: before)
    }

    /// Every record in the replica that breaks a rule now (`hamlet check`).
    /// - Parameters:
    ///   - rules: only these rule ids (all when nil).
    ///   - wallMillis: now, for ages and dates in the future.
    /// - Throws: `StoreError`.
    public func check(rules: Set<String>? = nil, wallMillis: Int64) throws -> [CheckFinding] {
        try connection.transaction(.deferred) { checkEngine(wallMillis: wallMillis).findings(in: try checkReads.all(), only: rules) }
    }
}
