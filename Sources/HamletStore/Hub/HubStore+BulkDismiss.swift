import HamletCore

/// Dismissing a selection of duplicates as moot (issue 20, item 2): each selected duplicate conflict is closed by its
/// own `dismissDuplicate` — its own transaction and its own record, with the operator's note — so a conflict closed
/// meanwhile (by a merge, another operator, or a sync that wrote one of the two rows) is skipped and counted, never
/// closed twice, and the others go through.
extension HubStore {
    /// The open duplicate conflicts a bulk dismissal would close: every one matching `query`, oldest first.
    ///
    /// - Parameter query: Filters and search (`hub conflicts`'s); the status is taken as open and the kind as duplicate.
    /// - Returns: The conflicts.
    /// - Throws: `StoreError` when a read fails.
    public func bulkDuplicateSelection(_ query: ConflictQuery) throws -> [ConflictRecord] {
        var q = query
        q.status = "open"
        q.kind = .duplicate
        q.sort = .age
        return try conflictPage(q, limit: Int.max / 2).conflicts
    }

    /// Dismisses each duplicate on its own.
    ///
    /// - Parameters:
    ///   - selection: The duplicate conflicts, as selected.
    ///   - action: Who acts, when, and why (the note is recorded on each).
    /// - Returns: Each conflict's outcome, in the selection's order: no refusal when it was dismissed (a dismissal
    ///   writes no change, so `hseq` stays nil); `already-resolved` when it was closed meanwhile; `invalid` when it
    ///   is not a duplicate.
    /// - Throws: `StoreError` when a read or write fails (conflicts dismissed before it stay dismissed).
    public func dismissDuplicates(_ selection: [ConflictRecord], action: OperatorAction) throws -> [BulkOutcome] {
        try selection.map { conflict in
            do {
                try dismissDuplicate(conflict.id, action: action)
                return BulkOutcome(conflict: conflict)
            } catch let refusal as OperatorError {
                return BulkOutcome(conflict: conflict, refusal: refusal)
            }
        }
    }
}
