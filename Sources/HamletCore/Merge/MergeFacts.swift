/// A unique field's value in a table: the key of a duplicate lookup.
public struct UniqueValue: Sendable, Hashable {
    public var table: String
    public var field: String
    public var value: Value
    public init(_ table: String, _ field: String, _ value: Value) {
        self.table = table
        self.field = field
        self.value = value
    }
}

/// The reads the merge's decision depends on, answered by a store. Every read throws:
/// a read that fails must fail the batch, never become a decision (read → decide → apply).
public protocol MergeReads {
    /// The state of a row named by a reference; nil when the hub has never seen it.
    func reference(_ key: RowKey) throws -> ReferenceState?
    /// A row whole (any state); nil when the hub has never seen it.
    func row(_ key: RowKey) throws -> HubRow?
    /// Every live row holding the unique value, in id order.
    func holders(_ key: UniqueValue) throws -> [String]
    /// Live rows that reference the row, as `table:id`.
    func referrers(_ key: RowKey) throws -> [String]
    /// The village the row belonged to at `hseq`, nil when it has not moved since.
    func village(of key: RowKey, at hseq: Int64) throws -> String?
    /// The value that the change which took `hseq` wrote to the row's field; `.some(nil)`
    /// when that change did not set it, nil when the hub does not know that change.
    func value(of key: RowKey, field: String, setAt hseq: Int64) throws -> Value??
}

/// Everything the merge consults beyond the row itself, read before deciding.
///
/// `gather` reads it through `MergeReads`; `Merge.reconcile` is then a pure function of
/// the change, the row and these facts, and the store applies the outcome.
public struct MergeFacts: Sendable, Equatable {
    /// Each referenced row looked up (following merge chains): nil = the hub never saw it.
    public var references: [RowKey: ReferenceState?] = [:]
    /// Referenced rows that are deleted, whole: reviving one checks its own references and IDs.
    public var deletedRows: [RowKey: HubRow] = [:]
    /// Live rows holding each unique value that the change, the row or a revived row carries.
    public var holders: [UniqueValue: [String]] = [:]
    /// Live rows referencing the row (deletes only).
    public var referrers: [String] = []
    /// The row's village at the change's row base (rule 7); nil = its current village.
    public var villageAtBase: String?
    /// The value each concurrently-set field had at the change's base for it (rule: re-asserting it is no change).
    public var baseValues: [String: Value] = [:]

    public init() {}

    /// How many referenced rows a revival follows (a person revived by an event revives her household too).
    static let revivalDepth = 4
    /// How many merge hops a reference follows.
    static let mergeHops = 16

    /// Reads what `Merge.reconcile(change, onto: current, …)` will consult.
    /// - Throws: whatever a read throws; nothing is decided then.
    public static func gather(for change: Change, onto current: HubRow?, table: TableSchema, schema: Schema,
                              mapBase: (Int64) -> Int64?, reads: some MergeReads) throws -> MergeFacts {
        var facts = MergeFacts()
        var uniques: [UniqueValue] = []
        func collectUniques(_ t: TableSchema, _ values: some FieldValues) {
            let l = t.layout
            for (o, f) in zip(l.uniqueOrdinals, l.uniqueFields) {
                if let v = values.value(at: o, named: f.name, in: l) { uniques.append(UniqueValue(t.name, f.name, v)) }
            }
        }
        // References named by the change or held by the row (a revived row's references are checked whole).
        var work: [(RowKey, Int)] = []
        func collectReferences(_ t: TableSchema, _ values: some FieldValues, depth: Int) {
            let l = t.layout
            for (o, f) in zip(l.referenceOrdinals, l.referenceFields) {
                if let id = values.value(at: o, named: f.name, in: l)?.text, let target = f.references {
                    work.append((RowKey(target, id), depth))
                }
            }
        }
        if change.op == .put {
            collectReferences(table, change.values, depth: 0)
            collectUniques(table, change.values)
        }
        if let current {
            collectReferences(table, current, depth: 0)
            collectUniques(table, current)
        }
        var hops = 0
        while let (key, depth) = work.popLast() {
            guard facts.references[key] == nil else { continue }
            let state = try reads.reference(key)
            facts.references[key] = .some(state)
            switch state {
            case .merged(let survivor)?:
                hops += 1
                if hops <= mergeHops { work.append((RowKey(key.table, survivor), depth)) }
            case .deleted?:
                guard depth < revivalDepth, let t = schema.table(named: key.table), let row = try reads.row(key) else { break }
                facts.deletedRows[key] = row
                collectReferences(t, row, depth: depth + 1)
                collectUniques(t, row)
            default:
                break
            }
        }
        for u in uniques where facts.holders[u] == nil { facts.holders[u] = try reads.holders(u) }
        guard let current else { return facts }
        let rowKey = RowKey(current.table, current.id)
        if change.op == .delete { facts.referrers = try reads.referrers(rowKey) }
        if let base = mapBase(change.rowBase) { facts.villageAtBase = try reads.village(of: rowKey, at: base) }
        for (name, _) in change.values {
            guard let version = current.version(name), let base = mapBase(change.bases[name] ?? 0), base > 0,
                  base != version.hseq, let known = try reads.value(of: rowKey, field: name, setAt: base), let value = known
            else { continue }
            facts.baseValues[name] = value
        }
        return facts
    }

    /// The state of a referenced row as gathered; nil when the hub never saw it.
    public func reference(_ table: String, _ id: String) -> ReferenceState? {
        let key = RowKey(table, id)
        assert(references[key] != nil, "the merge consulted \(key), which gather did not read")
        return references[key] ?? nil
    }

    /// Live rows other than `excluding` holding the unique value.
    public func duplicates(_ table: String, _ field: String, _ value: Value, excluding: String) -> [String] {
        let key = UniqueValue(table, field, value)
        assert(holders[key] != nil, "the merge consulted holders of \(table).\(field), which gather did not read")
        return (holders[key] ?? []).filter { $0 != excluding }
    }
}
