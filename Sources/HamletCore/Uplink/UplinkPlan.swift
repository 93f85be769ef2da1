/// A row as one tier of the reporting chain holds it (issue 18): the values, and whether it is a tombstone or a
/// merged-away loser. The uplink compares the township hub's rows with its upstream replica's in these terms.
public struct TierRow: Sendable, Hashable {
    /// Every field with a value (absent = null).
    public var values: Fields
    /// A tombstone (deleted, or the loser of a merge).
    public var deleted: Bool
    /// The survivor, for a row merged away.
    public var mergedInto: String?
    /// Each field's version in the tier it comes from (the county's `hseq`s for a row the county sent; empty when
    /// not known).
    public var versions: [String: Int64]

    /// Creates a tier row.
    /// - Parameters:
    ///   - values: Every field with a value.
    ///   - deleted: Tombstoned.
    ///   - mergedInto: The survivor of a merge.
    ///   - versions: Each field's version, where known.
    public init(values: Fields, deleted: Bool = false, mergedInto: String? = nil, versions: [String: Int64] = [:]) {
        self.values = values
        self.deleted = deleted
        self.mergedInto = mergedInto
        self.versions = versions
    }

    /// Neither deleted nor merged away.
    public var isLive: Bool { !deleted && mergedInto == nil }
}

/// One local write the uplink makes in its upstream replica, standing for what the township accepted.
public enum UplinkWrite: Sendable, Hashable {
    /// Set these fields (`.null` clears one); a row the replica lacks is created whole.
    case put(table: String, id: String, values: Fields)
    /// Delete the row (deleted or merged away in the township).
    case delete(table: String, id: String)
}

/// What the downlink writes into the township hub for one row the county changed: an operator change.
public struct DownlinkEdit: Sendable, Hashable {
    /// Fields whose value the county holds otherwise (`.null` clears one).
    public var values: Fields
    /// The row's tombstone as it is to be.
    public var deleted: Bool
    /// The row's merge pointer as it is to be.
    public var mergedInto: String?
    /// True when the township lacks the row (the county made it, or it moved in from another township).
    public var created: Bool
}

/// The uplink's two pure decisions (issue 18; read → decide → apply): which township changes go up, and which county
/// outcomes come down. Both compare states rather than replay changes, so running either twice does nothing more.
///
/// The guard between them is the export mark: the township's `hseq` up to which its changes were handed to the
/// upstream replica. A township field set above the mark is the township's own news (it goes up and is never
/// overwritten by the downlink); a field at or below the mark that differs from the county is the county's news
/// (it comes down and is never sent back up).
public enum UplinkPlan {
    /// The author of the downlink's operator changes in the township hub; its log entries are not exported.
    public static let downlinkAuthor = "县级"

    /// The write that brings the upstream replica to the township's state of a row.
    /// - Parameters:
    ///   - township: The township hub's row.
    ///   - upstream: The replica's row (shadow with its outstanding edits), nil when it never held it.
    ///   - mark: The export mark.
    /// - Returns: The write, or nil when nothing of the township's news differs.
    public static func export(_ township: HubRow, upstream: TierRow?, mark: Int64) -> UplinkWrite? {
        let live = !township.deleted && township.mergedInto == nil
        guard live else {
            // Deleted or merged away in the township: the county deletes its copy (a merge's survivor goes up
            // with its own values, and the repointed references as their own rows).
            guard let up = upstream, up.isLive, township.hseq > mark else { return nil }
            return .delete(table: township.table, id: township.id)
        }
        guard let up = upstream, up.isLive else {
            // New upstream, or brought back in the township after the county's delete: sent whole.
            guard upstream == nil || township.hseq > mark else { return nil }
            return .put(table: township.table, id: township.id, values: township.values.filter { !$0.value.isNull })
        }
        var out: Fields = [:]
        for f in Set(township.values.keys).union(up.values.keys) where (township.versions[f]?.hseq ?? 0) > mark {
            let mine = township.values[f] ?? .null
            if mine != (up.values[f] ?? .null) { out[f] = mine }
        }
        return out.isEmpty ? nil : .put(table: township.table, id: township.id, values: out)
    }

    /// Fields on which the township and the county both have news: the township set them since the export (so the
    /// downlink leaves them alone), and the county set them since the last downlink (`seenUpTo`) to another value.
    /// The export sends these with base 0, so that the county judges them concurrent (a conflict there, the county
    /// operator's value standing provisionally) instead of a fast-forward over its news.
    /// - Parameters:
    ///   - county: The row as the county last sent it, with its versions.
    ///   - township: The township hub's row.
    ///   - exportMark: The export mark.
    ///   - seenUpTo: The downlink mark before this pass (county versions up to it came down already).
    /// - Returns: The contested fields, sorted.
    public static func contested(_ county: TierRow, township: HubRow?, exportMark: Int64, seenUpTo: Int64) -> [String] {
        guard let t = township else { return [] }
        return Set(t.values.keys).union(county.values.keys).filter { f in
            (t.versions[f]?.hseq ?? 0) > exportMark && (county.versions[f] ?? 0) > seenUpTo
                && (county.values[f] ?? .null) != (t.values[f] ?? .null)
        }.sorted()
    }

    /// The operator change that brings the township's row to the county's outcome.
    /// - Parameters:
    ///   - county: The row as the county last sent it.
    ///   - township: The township hub's row, nil when it lacks it.
    ///   - exportMark: The export mark: fields the township set above it are its own news, left alone.
    /// - Returns: The edit, or nil when the township already agrees (or only its own news differs).
    public static func downlink(_ county: TierRow, township: HubRow?, exportMark: Int64) -> DownlinkEdit? {
        guard let t = township else {
            guard county.isLive else { return nil }
            return DownlinkEdit(values: county.values.filter { !$0.value.isNull }, deleted: false, mergedInto: nil, created: true)
        }
        var values: Fields = [:]
        for f in Set(t.values.keys).union(county.values.keys) where (t.versions[f]?.hseq ?? 0) <= exportMark {
            let theirs = county.values[f] ?? .null
            if theirs != (t.values[f] ?? .null) { values[f] = theirs }
        }
        // A tombstone or merge comes down unless the township touched the row since the export (its edit goes up
        // and meets the county's delete there).
        let settled = t.hseq <= exportMark
        let deleted = settled ? county.deleted : t.deleted
        // A merge the township made reached the county as a delete (a node cannot merge): the county's plain
        // tombstone keeps the township's merge pointer; the county's own merge, or its unmerge (live), comes down.
        let merged = settled ? (county.mergedInto ?? (county.deleted && t.deleted ? t.mergedInto : nil)) : t.mergedInto
        guard !values.isEmpty || deleted != t.deleted || merged != t.mergedInto else { return nil }
        return DownlinkEdit(values: values, deleted: deleted, mergedInto: merged, created: false)
    }
}
