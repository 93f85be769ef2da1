import CSQLiteSession
import Foundation
import HamletCore
import HamletHub
import HamletNet
import HamletNode
import HamletProtocol
import HamletStore
#if canImport(Glibc)
import Glibc
#endif

// Each section of the table: it builds its own hub in a scratch folder, measures,
// and returns its rows. Nothing is asserted: figures are printed beside the ceilings.

/// Registers nodes (id, village) in a hub folder and writes their secrets; returns id → secret.
func registerNodes(_ dir: String, _ nodes: [(String, String)]) throws -> [String: String] {
    let hub = try HubStore.open(directory: dir)
    var secrets: [String: String] = [:]
    try hub.write {
        for (id, village) in nodes {
            let secret = Credentials.makeSecret()
            guard let key = Credentials.storedKey(secret: secret) else { throw BenchError("secret") }
            try hub.addNode(id: id, village: village, secretHash: key, wallMillis: Int64(Date().timeIntervalSince1970 * 1000))
            secrets[id] = secret
        }
    }
    return secrets
}

/// Starts an in-process hub server on a free loopback port.
func startHub(_ dir: String, readers: Int = 4) throws -> (HubServer, SocketAddress) {
    let server = try HubServer(configuration: HubServerConfiguration(directory: dir, listen: .loopback(port: 0), readers: readers,
                                                                     logger: SilentLogger()))
    let bound = try server.start()
    return (server, bound.protocol)
}

/// Loads rows straight into a hub (`HubStore.load`, the `hamlet seed` path) in chunks of 5,000.
func load(_ hub: HubStore, _ rows: [SeedRow]) throws {
    let action = OperatorAction(name: "bench", wallMillis: Int64(Date().timeIntervalSince1970 * 1000), note: "prefill")
    var i = 0
    while i < rows.count {
        let end = min(i + 5000, rows.count)
        var j = i
        // One call per table run inside the chunk.
        while j < end {
            var k = j
            while k < end && rows[k].table == rows[j].table { k += 1 }
            try hub.load(table: rows[j].table, rows: rows[j..<k].map { (id: $0.id, values: $0.values) }, action: action)
            j = k
        }
        i = end
    }
}

/// The hub's reconcile rate for one workload: two nodes of its village push it over
/// loopback TCP in batches of 500 (inserts, then A's edits, then B's concurrent edits).
struct ReconcileResult {
    var changes: Int
    var seconds: Double
    var conflicts: Int
    var rejected: Int
    var rate: Double { Double(changes) / max(seconds, 1e-9) }
}

func runReconcile(hubDir: String, workload w: ReconcileWorkload, tag: String) throws -> ReconcileResult {
    let nodeA = "\(tag)-a", nodeB = "\(tag)-b"
    let secrets = try registerNodes(hubDir, [(nodeA, w.village), (nodeB, w.village)])
    let (server, address) = try startHub(hubDir)
    defer { server.stop(grace: .seconds(5)) }
    let a = try WireClient(address: address, node: nodeA, secret: secrets[nodeA] ?? "")
    let b = try WireClient(address: address, node: nodeB, secret: secrets[nodeB] ?? "")
    defer { a.close(); b.close() }
    let epoch = a.welcome.epoch
    var clockA = HybridClock(node: nodeA)
    var clockB = HybridClock(node: nodeB)

    let inserts = makeChanges(w.inserts, node: nodeA, firstSeq: 1, epoch: epoch, insert: true, base: { _ in 0 }, clock: &clockA)
    let insertLines = encodePushes(inserts, size: 500)
    var results: [[ChangeResult]] = []
    var total = 0.0
    total += try timed { for l in insertLines { results.append(try a.push(l)) } }
    var hseqOf: [String: Int64] = [:]
    let bySeq = Dictionary(uniqueKeysWithValues: inserts.map { ($0.seq, $0.row) })
    for r in results.joined() { if let h = r.hseq, let row = bySeq[r.seq] { hseqOf[row] = h } }

    let editsA = makeChanges(w.editsA, node: nodeA, firstSeq: Int64(inserts.count + 1), epoch: epoch, insert: false,
                             base: { hseqOf[$0.id] ?? 0 }, clock: &clockA)
    let editsB = makeChanges(w.editsB, node: nodeB, firstSeq: 1, epoch: epoch, insert: false,
                             base: { hseqOf[$0.id] ?? 0 }, clock: &clockB)
    let linesA = encodePushes(editsA, size: 500, firstBatch: Int64(insertLines.count + 1))
    let linesB = encodePushes(editsB, size: 500)
    total += try timed { for l in linesA { results.append(try a.push(l)) } }
    total += try timed { for l in linesB { results.append(try b.push(l)) } }
    let all = results.joined()
    return ReconcileResult(changes: w.total, seconds: total, conflicts: all.filter { $0.status == .conflict }.count,
                           rejected: all.filter { $0.status == .rejected }.count)
}

/// The plain-SQLite ceiling: the same rows into the same typed tables with prepared
/// statements, one transaction per 500.
func runRaw(_ ops: [PlainOp], path: String) throws -> Double {
    let db = try RawDB(path: path)
    try db.createPlainTables(schema)
    return try timed {
        var i = 0
        while i < ops.count {
            try db.exec("BEGIN")
            for op in ops[i..<min(i + 500, ops.count)] { try db.write(op, schema: schema) }
            try db.exec("COMMIT")
            i += 500
        }
    }
}

/// SQLite's session extension as the peer: changesets recorded on scratch copies
/// (node A's view, and node B's view that never saw A's edits, so B's changesets
/// conflict), then applied to the target with `sqlite3changeset_apply`, one
/// transaction per 500. Only the apply is timed. Returns (seconds, data conflicts).
func runSession(_ w: ReconcileWorkload, path: String) throws -> (Double, Int) {
    let target = try RawDB(path: path)
    try target.createPlainTables(schema)
    let scratchA = try RawDB(path: ":memory:", wal: false)
    let scratchB = try RawDB(path: ":memory:", wal: false)
    try scratchA.createPlainTables(schema)
    try scratchB.createPlainTables(schema)

    func record(_ db: RawDB, _ ops: ArraySlice<PlainOp>, mirror: RawDB? = nil) throws -> [UInt8] {
        var session: OpaquePointer?
        guard sqlite3session_create(db.handle, "main", &session) == SQLITE_OK, let session else { throw BenchError("session_create") }
        defer { sqlite3session_delete(session) }
        guard sqlite3session_attach(session, nil) == SQLITE_OK else { throw BenchError("session_attach") }
        try db.exec("BEGIN")
        for op in ops { try db.write(op, schema: schema) }
        try db.exec("COMMIT")
        if let mirror {
            try mirror.exec("BEGIN")
            for op in ops { try mirror.write(op, schema: schema) }
            try mirror.exec("COMMIT")
        }
        var n: Int32 = 0
        var p: UnsafeMutableRawPointer?
        guard sqlite3session_changeset(session, &n, &p) == SQLITE_OK else { throw BenchError("session_changeset") }
        defer { sqlite3_free(p) }
        guard n > 0, let p else { throw BenchError("the session recorded nothing (table without a primary key?)") }
        return [UInt8](UnsafeRawBufferPointer(start: p, count: Int(n)))
    }

    let inserts = w.inserts.map { PlainOp(table: $0.table, id: $0.id, values: $0.values, isInsert: true) }
    let editsA = w.editsA.map { PlainOp(table: $0.table, id: $0.id, values: $0.values, isInsert: false) }
    let editsB = w.editsB.map { PlainOp(table: $0.table, id: $0.id, values: $0.values, isInsert: false) }
    var changesets: [[UInt8]] = []
    func chunks(_ ops: [PlainOp], _ body: (ArraySlice<PlainOp>) throws -> Void) rethrows {
        var i = 0
        while i < ops.count {
            try body(ops[i..<min(i + 500, ops.count)])
            i += 500
        }
    }
    try chunks(inserts) { changesets.append(try record(scratchA, $0, mirror: scratchB)) }
    try chunks(editsA) { changesets.append(try record(scratchA, $0)) }
    try chunks(editsB) { changesets.append(try record(scratchB, $0)) }

    let conflicts = UnsafeMutablePointer<Int>.allocate(capacity: 1)
    conflicts.pointee = 0
    defer { conflicts.deallocate() }
    let seconds = try timed {
        for var cs in changesets {
            try target.exec("BEGIN")
            let rc = cs.withUnsafeMutableBytes { buf in
                sqlite3changeset_apply(target.handle, Int32(buf.count), buf.baseAddress, nil, { ctx, kind, _ in
                    if kind == SQLITE_CHANGESET_DATA {
                        ctx?.assumingMemoryBound(to: Int.self).pointee += 1
                        return SQLITE_CHANGESET_REPLACE
                    }
                    return SQLITE_CHANGESET_OMIT
                }, conflicts)
            }
            guard rc == SQLITE_OK else { throw BenchError("changeset_apply: \(rc)") }
            try target.exec("COMMIT")
        }
    }
    return (seconds, conflicts.pointee)
}

// MARK: Sections

struct Config {
    var quick: Bool
    /// `--county`: growth goes on to a county hub's 2.5M rows (issue 18's sizing).
    var county = false
    var reconcileChanges: Int { quick ? 4_000 : 30_000 }
    var growthPoints: [Int] {
        quick ? [1_000, 10_000, 50_000] : county ? [10_000, 100_000, 1_000_000, 2_500_000] : [10_000, 100_000, 1_000_000]
    }
    var growthChanges: Int { quick ? 2_000 : 6_000 }
    var pullRows: Int { quick ? 20_000 : 200_000 }
    var resyncPeople: Int { quick ? 1_000 : 5_000 }
    var connections: Int { quick ? 100 : 500 }
    var syncNodes: Int { quick ? 10 : 50 }
    var changesPerNode: Int { quick ? 200 : 1_000 }
    var localWrites: Int { quick ? 300 : 1_000 }
    var addRuns: Int { quick ? 20 : 50 }
    var townshipVillages: Int { quick ? 5 : 50 }
    var townshipPeople: Int { quick ? 300 : 3_000 }
}

func fmtRate(_ r: Double) -> String {
    r >= 10_000 ? String(format: "%.0fk/s", r / 1000) : r >= 1000 ? String(format: "%.1fk/s", r / 1000) : String(format: "%.0f/s", r)
}
func fmtCount(_ n: Int) -> String { n >= 1_000_000 ? String(format: "%.1fM", Double(n) / 1e6) : n >= 1000 ? "\(n / 1000)k" : "\(n)" }
func fmtMB(_ b: Int) -> String { String(format: "%.0f MB", Double(b) / 1_048_576) }
func fmtSeconds(_ s: Double) -> String { s < 1 ? String(format: "%.0f ms", s * 1000) : String(format: "%.2f s", s) }
func fmtMillis(_ s: Double) -> String { s < 0.01 ? String(format: "%.2f ms", s * 1000) : String(format: "%.0f ms", s * 1000) }

func reconcileSection(_ c: Config, _ scratch: Scratch) throws -> [Figure] {
    progress("reconcile: building a workload of about \(c.reconcileChanges) changes")
    let w = ReconcileWorkload(village: "对照村", changes: c.reconcileChanges, seed: 11, region: 370481)
    let dir = try scratch.folder("reconcile")
    let hubDir = (dir as NSString).appendingPathComponent("hub")
    _ = try HubStore.create(directory: hubDir)
    progress("reconcile: hub over loopback TCP (\(w.total) changes: \(w.inserts.count) new rows, \(w.editsA.count) edits, \(w.editsB.count) concurrent edits)")
    let hub = try runReconcile(hubDir: hubDir, workload: w, tag: "recon")
    progress("reconcile: plain SQLite ceiling")
    let raw = try runRaw(w.plainOps, path: (dir as NSString).appendingPathComponent("raw.sqlite"))
    progress("reconcile: session-extension changeset apply")
    let (session, sessionConflicts) = try runSession(w, path: (dir as NSString).appendingPathComponent("session.sqlite"))
    let rawRate = Double(w.total) / raw, sessionRate = Double(w.total) / session
    let note = "\(w.total) changes in batches of 500; \(hub.conflicts) conflicts, \(hub.rejected) rejected at the hub; \(sessionConflicts) data conflicts in the changesets"
    return [
        Figure(section: "Reconcile", measure: "hub changes/s vs plain SQLite", value: hub.rate, unit: "changes/s", shown: fmtRate(hub.rate),
               ceiling: rawRate, ceilingShown: fmtRate(rawRate) + " raw", ratio: hub.rate / rawRate, target: "≥ 30% of raw",
               met: hub.rate / rawRate >= 0.30, note: note),
        Figure(section: "Reconcile", measure: "hub changes/s vs changeset apply", value: hub.rate, unit: "changes/s", shown: fmtRate(hub.rate),
               ceiling: sessionRate, ceilingShown: fmtRate(sessionRate) + " session", ratio: hub.rate / sessionRate,
               target: "≥ 25% of session", met: hub.rate / sessionRate >= 0.25, note: "sqlite3changeset_apply, one transaction per 500; recording not timed"),
    ]
}

/// Rows of villages generated ten at a time, fed to `body` until `count` rows have gone.
final class PrefillSource {
    private var buffer: [SeedRow] = []
    private var heads: [SeedRow] = []
    private var chunk = 0
    let peoplePerVillage: Int
    init(peoplePerVillage: Int) { self.peoplePerVillage = peoplePerVillage }

    func take(_ count: Int) -> [SeedRow] {
        var out: [SeedRow] = []
        while out.count < count {
            if buffer.isEmpty {
                let names = (0..<10).map { "预\(chunk)-\($0)" }
                let t = township(names, people: peoplePerVillage, seed: 1000 + UInt64(chunk), region: 370402 + chunk % 5)
                let (rows, _) = orderedRows(t, heads: false)
                buffer = rows.reversed()
                chunk += 1
            }
            let n = min(count - out.count, buffer.count)
            out.append(contentsOf: buffer.suffix(n).reversed())
            buffer.removeLast(n)
        }
        return out
    }
}

func growthSection(_ c: Config, _ scratch: Scratch) throws -> [Figure] {
    let dir = try scratch.folder("growth")
    let hubDir = (dir as NSString).appendingPathComponent("hub")
    let hub = try HubStore.create(directory: hubDir)
    let source = PrefillSource(peoplePerVillage: c.quick ? 300 : 3000)
    var held = 0
    var figures: [Figure] = []
    var first = 0.0
    for (i, point) in c.growthPoints.enumerated() {
        let need = point - held
        if need > 0 {
            progress("growth: loading the hub up to \(fmtCount(point)) rows")
            let rows = source.take(need)
            try load(hub, rows)
            held += rows.count
        }
        let w = ReconcileWorkload(village: "增长\(i)", changes: c.growthChanges, seed: 200 + UInt64(i), region: 370481)
        progress("growth: reconcile \(w.total) changes with \(fmtCount(held)) rows held")
        let r = try runReconcile(hubDir: hubDir, workload: w, tag: "grow\(i)")
        held += w.inserts.count
        if i == 0 { first = r.rate }
        let last = i == c.growthPoints.count - 1
        figures.append(Figure(section: "Growth", measure: "reconcile with \(fmtCount(point)) rows held", value: r.rate, unit: "changes/s",
                              shown: fmtRate(r.rate), ceiling: i == 0 ? nil : first, ceilingShown: i == 0 ? "" : fmtRate(first) + " at \(fmtCount(c.growthPoints[0]))",
                              ratio: i == 0 ? nil : r.rate / first, target: last ? "ratio ≥ 0.8" : "",
                              met: last ? r.rate / first >= 0.8 : nil, note: "\(w.total) changes, \(r.conflicts) conflicts"))
    }
    return figures
}

func pullSection(_ c: Config, _ scratch: Scratch) throws -> [Figure] {
    let dir = try scratch.folder("pull")
    let hubDir = (dir as NSString).appendingPathComponent("hub")
    let hub = try HubStore.create(directory: hubDir)
    progress("pull: loading a village of about \(fmtCount(c.pullRows)) rows and a \(c.resyncPeople)-person village")
    let pullVillage = "拉取村"
    var rows = orderedRows(township([pullVillage], people: Int(Double(c.pullRows) / 4.4), seed: 31, region: 370481), heads: false).rows
    if rows.count > c.pullRows { rows = Array(rows.prefix(c.pullRows)) }
    try load(hub, rows)
    let resyncVillage = "重建村"
    let resyncGen = orderedRows(township([resyncVillage], people: c.resyncPeople, seed: 32, region: 370481))
    try load(hub, resyncGen.rows + resyncGen.heads)
    let resyncRows = resyncGen.rows.count
    let secrets = try registerNodes(hubDir, [("pull-node", pullVillage), ("pull-wire", pullVillage), ("resync-node", resyncVillage)])
    let (server, address) = try startHub(hubDir)
    defer { server.stop(grace: .seconds(5)) }

    func node(_ id: String, _ village: String) throws -> String {
        let d = (dir as NSString).appendingPathComponent(id)
        let secretPath = (dir as NSString).appendingPathComponent("\(id).secret")
        try (secrets[id] ?? "").write(toFile: secretPath, atomically: true, encoding: .utf8)
        _ = try Replica.create(directory: d, node: id, village: village, hub: address.description, secretFile: secretPath)
        return d
    }

    progress("pull: a node pulls \(rows.count) rows over loopback")
    let pullDir = try node("pull-node", pullVillage)
    var summary = SyncSummary()
    let pullSeconds = try timed { summary = try SyncClient.sync(directory: pullDir, options: SyncOptions(retries: 0, verify: false)) }
    let pullRate = Double(summary.pulled) / pullSeconds

    progress("pull: the same pages over the wire only (decoded, not stored)")
    let wire = try WireClient(address: address, node: "pull-wire", secret: secrets["pull-wire"] ?? "")
    var wireItems = 0
    let wireSeconds = try timed { wireItems = try wire.pullAll(limit: 500) }
    wire.close()
    let wireRate = Double(wireItems) / wireSeconds

    progress("pull: raw scan of the same rows, encoded as JSON lines")
    var scanned = 0
    var bytes = 0
    let scanSeconds = try timed {
        let db = try RawDB(path: HubStore.path(in: hubDir), wal: false)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        for t in schema.tables {
            let cols = ["id"] + t.fields.map(\.name)
            let s = try db.prepare("SELECT \(cols.map { "\"\($0)\"" }.joined(separator: ",")) FROM \"\(t.name)\" WHERE \"\(schema.scope)\" = ?1")
            sqlite3_reset(s)
            sqlite3_bind_text(s, 1, pullVillage, -1, transientDestructor)
            var out = Data()
            while sqlite3_step(s) == SQLITE_ROW {
                var row: [String: Value] = [:]
                for (i, name) in cols.enumerated() {
                    switch sqlite3_column_type(s, Int32(i)) {
                    case SQLITE_NULL: continue
                    case SQLITE_INTEGER: row[name] = .integer(sqlite3_column_int64(s, Int32(i)))
                    default:
                        if let p = sqlite3_column_text(s, Int32(i)) { row[name] = .text(String(cString: p)) }
                    }
                }
                out.append(try encoder.encode(row))
                out.append(10)
                scanned += 1
            }
            bytes += out.count
        }
    }
    let scanRate = Double(scanned) / scanSeconds

    progress("resync: hamlet resync of a \(c.resyncPeople)-person village (\(resyncRows) rows) as a child process")
    let resyncDir = try node("resync-node", resyncVillage)
    // The child reports its own VmHWM: wait4's ru_maxrss would include this (large) process's
    // memory map, which posix_spawn shares with the child until exec.
    let rssFile = (dir as NSString).appendingPathComponent("resync.rss")
    var env = ProcessInfo.processInfo.environment
    env["HAMLET_PEAK_RSS_FILE"] = rssFile
    let child = try Child(hamletBinary(), ["resync", "--dir", resyncDir], stderrPath: (dir as NSString).appendingPathComponent("resync.log"),
                          environment: env)
    var r = child.wait()
    if let kb = (try? String(contentsOfFile: rssFile, encoding: .utf8)).flatMap({ Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }) {
        r.maxRSS = kb * 1024
    }
    guard r.status == 0 else { throw BenchError("hamlet resync exited \(r.status) (see \(dir)/resync.log)") }
    let resyncTarget = c.quick ? "" : " (5,000 people)"
    let nodeReport = try nodeReportFigure(replicaDir: resyncDir, people: c.resyncPeople)
    return [nodeReport,
        Figure(section: "Pull", measure: "node pulls \(fmtCount(summary.pulled)) rows", value: pullRate, unit: "rows/s", shown: fmtRate(pullRate),
               ceiling: scanRate, ceilingShown: fmtRate(scanRate) + " scan+JSON", ratio: pullRate / scanRate, target: "≥ 50% of scan",
               met: pullRate / scanRate >= 0.5, note: "sync without verify, pages of 500, stored in the replica; scan: \(scanned) rows, \(bytes / 1024) KiB of JSON lines"),
        Figure(section: "Pull", measure: "same pages, wire only (not stored)", value: wireRate, unit: "rows/s", shown: fmtRate(wireRate),
               ceiling: scanRate, ceilingShown: fmtRate(scanRate) + " scan+JSON", ratio: wireRate / scanRate, target: "", met: nil,
               note: "the hub's side of the pull: \(wireItems) items in pages of 500, decoded by the client and dropped"),
        Figure(section: "Resync", measure: "\(c.resyncPeople)-person village, time", value: r.seconds, unit: "s", shown: fmtSeconds(r.seconds),
               ceiling: nil, ceilingShown: "", ratio: nil, target: "< 3 s" + resyncTarget, met: c.quick ? nil : r.seconds < 3,
               note: "\(resyncRows) rows; a whole `hamlet resync` process"),
        Figure(section: "Resync", measure: "\(c.resyncPeople)-person village, peak RSS", value: Double(r.maxRSS), unit: "bytes", shown: fmtMB(r.maxRSS),
               ceiling: nil, ceilingShown: "", ratio: nil, target: "< 100 MB" + resyncTarget, met: c.quick ? nil : r.maxRSS < 100 << 20,
               note: "VmHWM the `hamlet resync` process reports for itself"),
    ]
}

/// Collects durations from many threads. `@unchecked Sendable`: `values` and `errors` are guarded by `lock`.
final class Collector: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [Double] = []
    private var errors: [String] = []
    func add(_ v: Double) { lock.lock(); values.append(v); lock.unlock() }
    func fail(_ e: String) { lock.lock(); errors.append(e); lock.unlock() }
    var all: ([Double], [String]) { lock.lock(); defer { lock.unlock() }; return (values, errors) }
}

func manyVillagesSection(_ c: Config, _ scratch: Scratch) throws -> [Figure] {
    NetSystem.ignoreSIGPIPE()
    NetSystem.raiseOpenFileLimit()
    let dir = try scratch.folder("many")
    let hubDir = (dir as NSString).appendingPathComponent("hub")
    _ = try HubStore.create(directory: hubDir)
    let workers = (0..<c.syncNodes).map { ("v\($0)", "多村\($0)") }
    let idle = (0..<c.connections).map { ("idle\($0)", "闲置村") }
    let secrets = try registerNodes(hubDir, workers + idle)

    progress("many villages: starting `hamlet hub serve` as a child process")
    let hubProcess = try Child(hamletBinary(), ["hub", "serve", "--dir", hubDir, "--listen", "127.0.0.1:0", "--no-web"],
                               captureStdout: true, stderrPath: (dir as NSString).appendingPathComponent("hub.log"))
    guard let line = hubProcess.readLine(prefix: "listening "), let address = try? SocketAddress(parsing: String(line.dropFirst(10))) else {
        hubProcess.signal(SIGKILL)
        _ = hubProcess.wait()
        throw BenchError("hub serve did not start (see \(dir)/hub.log)")
    }
    defer {
        hubProcess.signal(SIGTERM)
        _ = hubProcess.wait()
    }

    progress("many villages: \(c.syncNodes) nodes, \(c.changesPerNode) local changes each")
    var nodeDirs: [String] = []
    for (i, (id, village)) in workers.enumerated() {
        let d = (dir as NSString).appendingPathComponent(id)
        let secretPath = d + ".secret"
        try (secrets[id] ?? "").write(toFile: secretPath, atomically: true, encoding: .utf8)
        let replica = try Replica.create(directory: d, node: id, village: village, hub: address.description, secretFile: secretPath)
        let rows = orderedRows(township([village], people: max(20, c.changesPerNode / 3), seed: 500 + UInt64(i),
                                        region: 370481), heads: false).rows.prefix(c.changesPerNode)
        var rng = SystemRandomNumberGenerator()
        let wall = Int64(Date().timeIntervalSince1970 * 1000)
        try replica.write {
            for r in rows { _ = try replica.insert(table: r.table, id: r.id, values: r.values, author: "bench", wallMillis: wall, rng: &rng) }
        }
        nodeDirs.append(d)
    }

    progress("many villages: opening \(c.connections) logged-in idle connections")
    var idleClients: [WireClient] = []
    for (id, _) in idle { idleClients.append(try WireClient(address: address, node: id, secret: secrets[id] ?? "")) }
    defer { for client in idleClients { client.close() } }

    progress("many villages: \(c.syncNodes) nodes sync at once (push \(c.changesPerNode), pull, verify)")
    let collector = Collector()
    let conflicts = Collector()
    let group = DispatchGroup()
    let wallStart = ContinuousClock.now
    for d in nodeDirs {
        group.enter()
        let thread = Thread {
            let start = ContinuousClock.now
            do {
                let s = try SyncClient.sync(directory: d, options: SyncOptions(retries: 0))
                if s.pushed != c.changesPerNode || s.rejected > 0 { collector.fail("\((d as NSString).lastPathComponent): \(s.line)") }
                conflicts.add(Double(s.conflicted))
                collector.add(seconds(since: start))
            } catch {
                collector.fail("\(d): \(error)")
            }
            group.leave()
        }
        thread.stackSize = 1 << 20
        thread.start()
    }
    group.wait()
    let wall = seconds(since: wallStart)
    let (durations, errors) = collector.all
    let hubRSS = procStatus("VmHWM", pid: String(hubProcess.pid))
    if !errors.isEmpty { progress("many villages: \(errors.count) sync(s) failed: \(errors.prefix(3))") }
    let p50 = percentile(durations, 50), p99 = percentile(durations, 99)
    let conflictCount = Int(conflicts.all.0.reduce(0, +))
    let note = "\(c.connections) idle logged-in connections open; \(conflictCount) conflicts; all \(c.syncNodes) syncs start together on this 2-core machine (clients share the CPU); done in \(fmtSeconds(wall))"
        + (errors.isEmpty ? "" : "; \(errors.count) failed")
    let scale = c.quick ? " (full run: 500 conns, 50×1000)" : ""
    return [
        Figure(section: "Many villages", measure: "sync p50, \(c.syncNodes) nodes × \(c.changesPerNode)", value: p50, unit: "s", shown: fmtSeconds(p50),
               ceiling: nil, ceilingShown: "", ratio: nil, target: "", met: nil, note: note),
        Figure(section: "Many villages", measure: "sync p99, \(c.syncNodes) nodes × \(c.changesPerNode)", value: p99, unit: "s", shown: fmtSeconds(p99),
               ceiling: nil, ceilingShown: "", ratio: nil, target: "< 2 s, none fail" + scale, met: c.quick ? nil : p99 < 2 && errors.isEmpty, note: ""),
        Figure(section: "Many villages", measure: "hub peak RSS, \(c.connections) connections", value: Double(hubRSS), unit: "bytes",
               shown: fmtMB(hubRSS), ceiling: nil, ceilingShown: "", ratio: nil, target: "< 200 MB" + scale,
               met: c.quick ? nil : hubRSS < 200 << 20, note: "VmHWM of the `hamlet hub serve` process"),
    ]
}

func clerkSection(_ c: Config, _ scratch: Scratch) throws -> [Figure] {
    let dir = try scratch.folder("clerk")
    let nodeDir = (dir as NSString).appendingPathComponent("node")
    let replica = try Replica.create(directory: nodeDir, node: "clerk", village: "记录村", hub: nil, secretFile: nil)
    let rows = orderedRows(township(["记录村"], people: max(20, c.localWrites / 4), seed: 41, region: 370481), heads: false).rows.prefix(c.localWrites)
    progress("clerk: \(rows.count) local writes through Replica.insert")
    var rng = SystemRandomNumberGenerator()
    var writes: [Double] = []
    for r in rows {
        let wall = Int64(Date().timeIntervalSince1970 * 1000)
        writes.append(try timed { _ = try replica.insert(table: r.table, id: r.id, values: r.values, author: "bench", wallMillis: wall, rng: &rng) })
    }
    progress("clerk: \(c.addRuns) `hamlet add household` processes")
    var runs: [Double] = []
    let bin = hamletBinary()
    var phoneRNG = SeedRandom(seed: 77)
    for i in 0..<c.addRuns {
        let child = try Child(bin, ["add", "household", "--address", "记录村三组\(i + 1)号", "--phone", randomMobile(&phoneRNG), "--dir", nodeDir])
        let r = child.wait()
        guard r.status == 0 else { throw BenchError("hamlet add exited \(r.status)") }
        runs.append(r.seconds)
    }
    let wp50 = percentile(writes, 50), wp99 = percentile(writes, 99)
    let ap50 = percentile(runs, 50), ap99 = percentile(runs, 99)
    return [
        Figure(section: "Clerk", measure: "local write p50 (Replica.insert)", value: wp50, unit: "s", shown: fmtMillis(wp50), ceiling: nil,
               ceilingShown: "", ratio: nil, target: "", met: nil, note: "\(writes.count) inserts, each its own transaction, validated"),
        Figure(section: "Clerk", measure: "local write p99", value: wp99, unit: "s", shown: fmtMillis(wp99), ceiling: nil, ceilingShown: "",
               ratio: nil, target: "< 5 ms", met: wp99 < 0.005, note: ""),
        Figure(section: "Clerk", measure: "`hamlet add` process p50", value: ap50, unit: "s", shown: fmtMillis(ap50), ceiling: nil,
               ceilingShown: "", ratio: nil, target: "", met: nil, note: "\(runs.count) runs of the release binary, spawn to exit"),
        Figure(section: "Clerk", measure: "`hamlet add` process p99", value: ap99, unit: "s", shown: fmtMillis(ap99), ceiling: nil,
               ceilingShown: "", ratio: nil, target: "< 100 ms", met: ap99 < 0.1, note: ""),
    ]
}

func townshipSection(_ c: Config, _ scratch: Scratch) throws -> [Figure] {
    let dir = try scratch.folder("township")
    let hubDir = (dir as NSString).appendingPathComponent("hub")
    progress("township: loading \(c.townshipVillages) villages × \(c.townshipPeople) people into an empty hub")
    var rowCount = 0
    var ordered: (rows: [SeedRow], heads: [SeedRow]) = ([], [])
    let hub = try HubStore.create(directory: hubDir)
    let seconds = try timed {
        // The `hamlet seed` path: generate, then households without heads, people, events, visits, benefits, heads.
        let t = SeedGenerator(seed: 7, villageCount: c.townshipVillages, peoplePerVillage: c.townshipPeople).generate()
        ordered = orderedRows(t)
        try load(hub, ordered.rows)
        try load(hub, ordered.heads)
        rowCount = ordered.rows.count
    }
    try hub.checkpointNow()
    let hubBytes = databaseBytes(HubStore.path(in: hubDir))

    progress("township: the same rows into plain tables")
    let rawPath = (dir as NSString).appendingPathComponent("plain.sqlite")
    let raw = try RawDB(path: rawPath)
    try raw.createPlainTables(schema)
    let ops = ordered.rows.map { PlainOp(table: $0.table, id: $0.id, values: $0.values, isInsert: true) }
        + ordered.heads.map { PlainOp(table: $0.table, id: $0.id, values: $0.values, isInsert: false) }
    var i = 0
    while i < ops.count {
        try raw.exec("BEGIN")
        for op in ops[i..<min(i + 5000, ops.count)] { try raw.write(op, schema: schema) }
        try raw.exec("COMMIT")
        i += 5000
    }
    try raw.checkpoint()
    let rawBytes = databaseBytes(rawPath)
    let ratio = Double(hubBytes) / Double(max(rawBytes, 1))
    let full = c.townshipVillages == 50 && c.townshipPeople == 3000
    let check = try checkFigure(hub: hub, raw: raw, full: full)
    let reports = try hubReportFigures(hub: hub, full: full)
    return [check] + reports + [
        Figure(section: "Size", measure: "hub.sqlite vs plain tables", value: Double(hubBytes), unit: "bytes", shown: fmtMB(hubBytes),
               ceiling: Double(rawBytes), ceilingShown: fmtMB(rawBytes) + " plain", ratio: ratio, target: "< 4×", met: ratio < 4,
               note: "\(rowCount) rows + \(ordered.heads.count) heads, after a WAL checkpoint; the hub keeps a log entry per row"),
        Figure(section: "Township load", measure: "\(c.townshipVillages) villages × \(c.townshipPeople) people", value: seconds, unit: "s",
               shown: fmtSeconds(seconds), ceiling: nil, ceilingShown: "", ratio: nil, target: full ? "< 3 min" : "< 3 min (at 50×3000)",
               met: full ? seconds < 180 : nil, note: "\(rowCount) rows, generation included, HubStore.load in chunks of 5,000"),
    ]
}
