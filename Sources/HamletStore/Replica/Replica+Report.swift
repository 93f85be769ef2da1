import HamletCore

/// The village's own report on a node (offline): the same indicators over the replica's visible rows.
extension Replica {
    /// What the village's report is made from: the visible rows of the node's village (every one is
    /// live: deleted and merged-away rows are not in the visible tables). A node has no record of
    /// transfers, so its moves are its move events only; it has no conflict or 核查 counts of the
    /// hub's kind, so `quality` is nil (the figures show `—`; the hub's report has them).
    /// - Parameter periods: read only what reports of these periods need (see `HubStore.reportInput(covering:…)`);
    ///   empty (the default) reads every row.
    /// - Returns: the input.
    /// - Throws: `StoreError`.
    public func reportInput(covering periods: [ReportPeriod] = []) throws -> ReportInput {
        try connection.transaction(.deferred) {
            let village = try meta("village") ?? ""
            var reads = ReportReads(connection: connection, schema: schema, live: nil, village: village)
            reads.window = ReportReads.window(periods)
            return try reads.input(villages: [village])
        }
    }

    /// The village's report for a period.
    /// - Parameter period: the period.
    /// - Returns: the report (`township` is the village itself: a node holds no other village).
    /// - Throws: `StoreError`.
    public func report(period: ReportPeriod) throws -> Report {
        ReportEngine(try reportInput(covering: [period])).report(for: period)
    }
}
