import HamletCore

/// One conflict of a bulk resolution and what became of it.
public struct BulkOutcome: Sendable {
    /// The conflict as it was selected.
    public var conflict: ConflictRecord
    /// The hub change that settled it; nil when it was not settled by this resolution.
    public var hseq: Int64?
    /// Why it was not settled: `stale` (the field moved since it was shown), `already-resolved` (settled since,
    /// or closed by an earlier conflict of the selection on the same field of the same row), …
    public var refusal: OperatorError?

    /// - Parameters:
    ///   - conflict: The conflict as selected.
    ///   - hseq: The change that settled it, if any.
    ///   - refusal: Why it was not settled, if it was not.
    public init(conflict: ConflictRecord, hseq: Int64? = nil, refusal: OperatorError? = nil) {
        self.conflict = conflict
        self.hseq = hseq
        self.refusal = refusal
    }
}

/// Taking the same side for a selection of field conflicts on one field (issue 20, item 2): each conflict is settled
/// by its own `resolveField` — its own transaction and its own compare-and-set against the version the operator was
/// shown — so one that moved is refused alone and the others go through.
extension HubStore {
    /// The open field conflicts a bulk resolution would settle: every one matching `query`, oldest first.
    ///
    /// - Parameter query: Filters and search; the status is taken as open and the kind as field.
    /// - Returns: The conflicts, all on one field of one table.
    /// - Throws: `OperatorError.invalid` when they name more than one field (a message of its own, no issues); `StoreError` when a read fails.
    public func bulkFieldSelection(_ query: ConflictQuery) throws -> [ConflictRecord] {
        var q = query
        q.status = "open"
        q.kind = .field
        q.sort = .age
        let list = try conflictPage(q, limit: Int.max / 2).conflicts
        let fields = Set(list.map { "\($0.table).\($0.field ?? "")" })
        guard fields.count <= 1 else {
            let names = fields.sorted().joined(separator: ", ")
            throw OperatorError(code: .invalid, message: "the matching conflicts are on \(fields.count) fields (\(names)): choose one",
                                zh: "符合条件的冲突涉及 \(fields.count) 个字段（\(names)），请只选一个字段")
        }
        return list
    }

    /// The fields that open field conflicts are on, as (table, field), for the page's field filter.
    /// - Returns: Each (table, field) once, by table then field.
    /// - Throws: `StoreError` when a read fails.
    public func openConflictFields() throws -> [(table: String, field: String)] {
        try connection.rows("""
            SELECT DISTINCT tbl, field FROM conflicts WHERE status = 'open' AND kind = 'field' AND field IS NOT NULL ORDER BY tbl, field
            """).map { (try $0.text(0), try $0.text(1)) }
    }

    /// Settles each conflict with the same side, each on its own.
    ///
    /// - Parameters:
    ///   - selection: Each conflict with the field version the operator was shown (nil: the version the conflict shows).
    ///   - choice: `.village` or `.hub` (a typed value is for one conflict at a time).
    ///   - action: Who acts, when, and why (recorded on each).
    /// - Returns: Each conflict's outcome, in the selection's order.
    /// - Throws: `StoreError` when a read or write fails (conflicts settled before it stay settled).
    public func resolveFields(_ selection: [(conflict: ConflictRecord, expectedVersion: Int64?)], choice: FieldChoice,
                              action: OperatorAction) throws -> [BulkOutcome] {
        try selection.map { item in
            do {
                let hseq = try resolveField(item.conflict.id, choice: choice, expectedVersion: item.expectedVersion, action: action)
                return BulkOutcome(conflict: item.conflict, hseq: hseq)
            } catch let refusal as OperatorError {
                return BulkOutcome(conflict: item.conflict, hseq: nil, refusal: refusal)
            }
        }
    }
}
