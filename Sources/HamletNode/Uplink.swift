import Foundation
import HamletCore
import HamletStore

/// What one uplink cycle did (no record values).
public struct UplinkSummary: Sendable, Codable, Hashable {
    /// Township rows handed up as changes.
    public var exported = 0
    /// County outcomes written into the township hub.
    public var downlinked = 0
    /// The upstream sync.
    public var sync: SyncSummary?
    /// The export mark after the cycle (township `hseq`).
    public var exportMark: Int64 = 0

    enum CodingKeys: String, CodingKey {
        case exported, downlinked, sync
        case exportMark = "export_mark"
    }
}

/// The reporting chain upward (issue 18): a township hub syncs to a county hub as one of its nodes.
///
/// The uplink keeps an ordinary node replica in `TOWNSHIP/uplink/` whose scope is the township's villages, and
/// drives the same `SyncClient` a village laptop runs. A cycle is: downlink (county outcomes the replica pulled
/// come into the township hub as operator changes), export (the township's accepted changes after the export mark
/// become local writes of the replica, the mark stored in the same transaction), sync (push, pull, verify), and
/// the downlink again. Each step compares states and moves its mark after its writes commit, so a kill at any point
/// only repeats work; the sync itself is the node protocol's exactly-once push and resumable pull.
public enum Uplink {
    /// The upstream replica's folder inside a township hub's folder.
    public static func folder(township directory: String) -> String {
        (directory as NSString).appendingPathComponent("uplink")
    }

    /// Makes the upstream replica on first use, or checks the existing one names the same county node.
    /// - Parameters:
    ///   - directory: The township hub's folder.
    ///   - hub: The county hub's `HOST:PORT`.
    ///   - node: The node id the county registered for this township.
    ///   - secretFile: The node's secret file (absolute path).
    /// - Throws: `SyncError.notConfigured` when the township hub names no township, or the replica serves another node.
    public static func prepare(township directory: String, hub: String, node: String, secretFile: String) throws {
        let t = try HubStore.open(directory: directory)
        defer { t.close() }
        guard let township = try t.township() else {
            throw SyncError(.notConfigured, "the hub names no township: set one with hub uplink --township",
                            zh: "本镇中心还没有写明是哪个镇：请在 hub uplink 加 --township 镇名")
        }
        let dir = folder(township: directory)
        let r: Replica
        if FileManager.default.fileExists(atPath: Replica.path(in: dir)) {
            r = try Replica.open(directory: dir)
            let info = try r.info()
            guard info.node == node, info.village == township else {
                throw SyncError(.notConfigured, "the uplink folder serves node \(info.node) of \(info.village), not \(node)",
                                zh: "上传目录属于节点 \(info.node)（\(info.village)），不是 \(node)")
            }
            try r.setMeta("hub", hub)
            try r.setMeta("secret_file", secretFile)
        } else {
            r = try Replica.create(directory: dir, node: node, village: township, hub: hub, secretFile: secretFile, schema: t.schema)
            // Its first session is a resync: the county may hold this node's changes already (a lost uplink folder),
            // and its seqs continue from the county's, never reused.
            try r.setMeta(freshKey, "1")
        }
        try r.ensureUplinkIndex()
        r.close()
    }

    /// One cycle: downlink, export, sync, downlink.
    /// - Parameters:
    ///   - directory: The township hub's folder.
    ///   - options: The upstream sync's options (`wallClock` also stamps the uplink's own writes).
    /// - Returns: What it did.
    /// - Throws: `SyncError` from the upstream sync; `StoreError` from either store.
    public static func cycle(township directory: String, options: SyncOptions = SyncOptions()) throws -> UplinkSummary {
        var s = UplinkSummary()
        if try isFresh(directory) {
            s.sync = try SyncClient.resync(directory: folder(township: directory), options: options)
            let r = try Replica.open(directory: folder(township: directory))
            try r.setMeta(freshKey, nil)
            r.close()
        }
        try followTownship(directory)
        s.downlinked += try downlink(directory, wallMillis: options.wallClock())
        s.exported += try export(directory, wallMillis: options.wallClock())
        s.sync = try SyncClient.sync(directory: folder(township: directory), options: options)
        s.downlinked += try downlink(directory, wallMillis: options.wallClock())
        let r = try Replica.open(directory: folder(township: directory))
        s.exportMark = try r.exportMark()
        r.close()
        return s
    }

    /// Meta key of an uplink replica not yet rebuilt from the county.
    static let freshKey = "uplink_fresh"

    static func isFresh(_ directory: String) throws -> Bool {
        let r = try Replica.open(directory: folder(township: directory))
        defer { r.close() }
        return try r.meta(freshKey) == "1"
    }

    /// A township hub restored from a backup took a new epoch: the marks follow it (`Replica.followTownship`).
    static func followTownship(_ directory: String) throws {
        try withTiers(directory) { t, r in
            let lineage = try t.lineage()
            try r.followTownship(epoch: try t.epoch()) { stored in
                // Shared history with the stored epoch: up to the first fork after it (nil when it is not an ancestor).
                guard let i = lineage.firstIndex(where: { $0.epoch == stored }) else { return nil }
                return lineage[(i + 1)...].map(\.forkHseq).min()
            }
        }
    }

    /// Hands the township's changes after the export mark to the upstream replica.
    /// - Returns: How many rows went up.
    static func export(_ directory: String, wallMillis: Int64, pass: Int = 2_000) throws -> Int {
        try withTiers(directory) { t, r in
            var total = 0
            while true {
                let mark = try r.exportMark()
                let changes = try t.townshipChanges(after: mark, limit: pass)
                var writes: [UplinkWrite] = []
                var authors: [RowKey: String] = [:]
                for row in changes.rows {
                    guard let w = UplinkPlan.export(row, upstream: try r.tierRow(table: row.table, id: row.id), mark: mark) else { continue }
                    writes.append(w)
                    authors[RowKey(row.table, row.id)] = changes.authors[RowKey(row.table, row.id)]
                }
                if !writes.isEmpty || changes.mark != mark {
                    try r.recordExport(writes, from: mark, mark: changes.mark, authors: authors, wallMillis: wallMillis)
                }
                total += writes.count
                if changes.done { return total }
            }
        }
    }

    /// Writes what the county sent (after the downlink mark) into the township hub.
    /// - Returns: How many township rows changed.
    static func downlink(_ directory: String, wallMillis: Int64, page: Int = 500) throws -> Int {
        try withTiers(directory) { t, r in
            var total = 0
            while true {
                let from = try r.downlinkMark()
                let (rows, mark) = try r.countyChanges(limit: page)
                guard mark > from else { return total }
                let applied = try t.applyCounty(rows, exportMark: try r.exportMark(), seenUpTo: from, wallMillis: wallMillis)
                total += applied.changed
                try r.setDownlinkMark(mark, contested: applied.contested)
            }
        }
    }
}

extension Uplink {
    /// Runs cycles until `shouldStop()`: every `interval`, sooner when the township's log grows (checked every 2 s);
    /// after an unreachable county it backs off, doubling up to 5 minutes.
    /// - Parameters:
    ///   - directory: The township hub's folder.
    ///   - options: The upstream sync's options (retries inside one cycle are turned off: the loop retries).
    ///   - interval: The longest wait between cycles.
    ///   - shouldStop: Polled at least every 200 ms.
    ///   - log: Receives each cycle's summary, or its error.
    public static func watch(township directory: String, options: SyncOptions, interval: Duration,
                             shouldStop: @Sendable () -> Bool, log: (UplinkSummary?, (any Error)?) -> Void) {
        var opts = options
        opts.retries = 0
        var backoff: Duration = .zero
        while !shouldStop() {
            var wait = interval
            do {
                log(try cycle(township: directory, options: opts), nil)
                backoff = .zero
            } catch {
                if let e = error as? SyncError, e.code == .unreachable {
                    backoff = backoff == .zero ? .seconds(5) : min(backoff * 2, .seconds(300))
                    wait = min(backoff, interval)
                }
                log(nil, error)
            }
            let seen = townshipHead(directory)
            let deadline = ContinuousClock.now + wait
            var nextPoll = ContinuousClock.now + .seconds(2)
            while !shouldStop() && ContinuousClock.now < deadline {
                Thread.sleep(forTimeInterval: 0.2)
                guard backoff == .zero, ContinuousClock.now >= nextPoll else { continue }
                nextPoll = ContinuousClock.now + .seconds(2)
                if let n = townshipHead(directory), let s = seen, n > s { break }
            }
        }
    }

    /// Runs `body` with the township hub and the uplink's replica open, closing both after.
    static func withTiers<T>(_ directory: String, _ body: (HubStore, Replica) throws -> T) throws -> T {
        let t = try HubStore.open(directory: directory)
        defer { t.close() }
        let r = try Replica.open(directory: folder(township: directory))
        defer { r.close() }
        return try body(t, r)
    }

    /// The township hub's head, read through a read-only connection (nil when it cannot be read).
    static func townshipHead(_ directory: String) -> Int64? {
        guard let t = try? HubStore.open(directory: directory, readOnly: true) else { return nil }
        defer { t.close() }
        return try? t.head()
    }
}
