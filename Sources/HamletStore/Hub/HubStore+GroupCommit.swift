import HamletCore

/// One node's batch waiting for the writer: what `HubStore.reconcile(_:from:wallMillis:)` takes.
public struct PushBatch: Sendable {
    public var changes: [Change]
    public var source: BatchSource
    public var wallMillis: Int64
    /// Each change's `contentHash`, computed here, on the thread that makes the batch (a session's worker), so
    /// the one writer thread does not spend its time on SHA-256.
    public let hashes: [String]
    /// What else the worker prepared for each change, against `schema` (nil when no schema was given).
    let prepared: [PreparedChange]?
    /// The schema `prepared` was judged against; the writer uses `prepared` only when it is the store's.
    let schema: Schema?

    /// - Parameter schema: the hub's schema, when the caller knows it: each change's shape is then checked and
    ///   its log text written here too, off the writer thread.
    public init(changes: [Change], source: BatchSource, wallMillis: Int64, schema: Schema? = nil) {
        self.changes = changes
        self.source = source
        self.wallMillis = wallMillis
        self.schema = schema
        hashes = changes.map(\.contentHash)
        prepared = schema.map { schema in
            let validator = Validator(schema: schema)
            return changes.map { PreparedChange($0, schema: schema, validator: validator) }
        }
    }
}

/// The writer-independent work on one change, done on the session's worker: `Merge.checkShape` (true when the
/// table exists and the change has its shape; a change that fails is judged again by the writer, which gives
/// the rejection) and the change's values as the log stores them.
struct PreparedChange: Sendable {
    let shapeChecked: Bool
    let logValues: String

    init(_ change: Change, schema: Schema, validator: Validator) {
        if let t = schema.table(named: change.table), t.name == change.table {
            shapeChecked = Merge.checkShape(change, table: t, validator: validator) == nil
        } else {
            shapeChecked = false
        }
        logValues = HubStore.logValues(change)
    }
}

extension HubStore {
    /// Reconciles several nodes' batches in **one** SQLite transaction (group commit): fifty villages pushing at
    /// once share one commit instead of queueing behind fifty. Each batch runs in its own savepoint, in order,
    /// and keeps its own results and exactly-once records, exactly as `reconcile(_:from:wallMillis:)` would give
    /// it alone: a batch with a `SeqGap`, or one whose statements fail while the transaction stays open, is rolled
    /// back to its savepoint and gets that error while the others go on.
    /// - Returns: one result per batch, in order. Nothing is committed until this returns, so a caller sends
    ///   the acks only then.
    /// - Throws: `StoreError` when the transaction cannot begin or commit, or SQLite aborted it: nothing of any
    ///   batch was committed then.
    public func reconcile(group: [PushBatch]) throws -> [Result<[ChangeResult], any Error>] {
        try connection.transaction {
            var out: [Result<[ChangeResult], any Error>] = []
            out.reserveCapacity(group.count)
            for batch in group {
                do {
                    out.append(.success(try connection.transaction {
                        try reconcileInTransaction(batch.changes, hashes: batch.hashes, prepared: batch.schema == schema ? batch.prepared : nil,
                                                   from: batch.source, wallMillis: batch.wallMillis)
                    }))
                } catch {
                    // A savepoint rolled back: the batch alone failed. A transaction SQLite aborted: all of them did.
                    try connection.checkNotAborted()
                    out.append(.failure(error))
                }
            }
            return out
        }
    }
}
