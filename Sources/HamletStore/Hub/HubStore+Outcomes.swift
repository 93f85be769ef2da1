import HamletCore

/// Where conflicts stand, as a node may see them (the `outcomes` request, PROTOCOL §5): the node asks about the
/// conflicts its changes opened, and learns how each was settled.
extension HubStore {
    /// The outcomes of the conflicts `ids` that a node may see: those of its village, and those its own changes
    /// opened (wherever the row went since). Ids it may not see, and ids no conflict has, are left out alike,
    /// so the answer never tells a node that another village's conflict exists.
    /// - Parameters:
    ///   - ids: Conflict ids, in any order, repeats allowed.
    ///   - village: The node's village.
    ///   - node: The node.
    /// - Returns: One outcome per visible id, by id.
    /// - Throws: `StoreError`.
    public func outcomes(of ids: [Int64], village: String, node: String) throws -> [ConflictOutcome] {
        var out: [ConflictOutcome] = []
        for id in Set(ids.filter { $0 > 0 }).sorted() {
            guard let c = try conflict(id), c.village == village || c.incomingNode == node else { continue }
            out.append(try outcome(of: c))
        }
        return out
    }

    /// One conflict's outcome: status, decision, who, when, note; the value a field took; a merge's survivor.
    func outcome(of c: ConflictRecord) throws -> ConflictOutcome {
        var o = ConflictOutcome(id: c.id, kind: c.kind.rawValue, status: c.status, table: c.table, row: c.row, field: c.field,
                                resolution: c.resolution, resolvedBy: c.resolvedBy, resolvedAt: c.resolvedAt, note: c.note)
        guard c.status != "open" else { return o }
        switch c.kind {
        case .field:
            // The decision is an operator change: the value it wrote is in the log at its hseq (a superseded
            // conflict shares the deciding one's hseq). A moot close wrote nothing.
            if let field = c.field, let hseq = c.resolutionHseq,
               let r = try connection.row("SELECT vals FROM log WHERE hseq = ?1", [.integer(hseq)]) {
                o.value = try JSONText.decode(Fields.self, try r.text(0))[field]
            }
        case .duplicate:
            var decided: ConflictRecord? = c
            if let n = ResolutionWording.supersededBy(c.resolution) { decided = try conflict(n) }
            if let d = decided, d.resolution == "merge", let details = d.details {
                o.survivor = try JSONText.decode(MergeRecord.self, details).survivor
            }
        case .delete:
            break
        }
        return o
    }
}
