import Foundation
import HamletCore
import HamletNet
import HamletStore
#if canImport(Glibc)
import Glibc
#endif

// Verify's cost per changed row (issue 20, item 6): N rows of the node's village change at the hub, then one sync
// pulls them with verify, against one that pulls N other changed rows without it. The hub is stopped while the rows
// change (through `HubStore.reconcile`, from a node of the village's own), so its caches stay its own, and restarted
// on the same sync address, which the node was set up with.

/// Stops a `hamlet hub serve` child: SIGTERM, then its exit.
func stopHub(_ hub: Child) {
    hub.signal(SIGTERM)
    _ = hub.wait()
}

/// Starts `hamlet hub serve` on a given sync address; returns once it listens.
func startHub(_ hubDir: String, listen: String, log: String) throws -> Child {
    let hub = try Child(hamletBinary(), ["hub", "serve", "--dir", hubDir, "--listen", listen, "--web", "127.0.0.1:0"],
                        captureStdout: true, stderrPath: log)
    guard hub.readLine(prefix: "listening ") != nil else {
        hub.signal(SIGKILL)
        _ = hub.wait()
        throw BenchError("hub serve did not start again on \(listen) (see \(log))")
    }
    return hub
}

/// Gives `count` people of `village` a new phone at the hub, as a village's sync would, in batches of 500.
func changeRows(_ hubDir: String, village: String, count: Int, round: Int) throws {
    guard count > 0 else { return }
    let store = try HubStore.open(directory: hubDir)
    defer { store.close() }
    let now = Int64(Date().timeIntervalSince1970 * 1000)
    let node = "op-editor"
    if try store.node(node) == nil {
        try store.addNode(id: node, village: village, secretHash: String(repeating: "0", count: 64), wallMillis: now)
    }
    let rows = Array(try store.rows(table: "people", village: village).prefix(count))
    guard rows.count == count else { throw BenchError("verify per row: \(village) has \(rows.count) people, fewer than \(count)") }
    let first = try store.lastSeq(node: node) + 1
    let changes = rows.enumerated().map { i, r in
        Change(node: node, seq: first + Int64(i), table: "people", row: r.id, op: .put,
               values: ["phone": .text("139" + String(10_000_000 + round * 10_000 + i))],
               bases: ["phone": r.versions["phone"]?.hseq ?? 0], rowBase: r.hseq,
               hlc: HLC(wall: now + Int64(i), counter: 0, node: node), author: node, epoch: "")
    }
    for start in stride(from: 0, to: changes.count, by: 500) {
        let batch = Array(changes[start..<min(changes.count, start + 500)])
        for r in try store.reconcile(batch, from: BatchSource(node: node, village: village), wallMillis: now) where r.status == .rejected {
            throw BenchError("verify per row: rejected \(r.code ?? "")")
        }
    }
    try store.checkpointNow()
}

/// For each N: a sync without verify after N changed rows, a sync with verify after N others; the difference is verify's.
func verifyPerChangedRow(_ c: Config, hubDir: String, nodeDir: String, village: String, listen: String,
                         path: (String) -> String) throws -> [Figure] {
    var figures: [Figure] = []
    var round = 0
    let verifyRuns = 3
    for n in c.operatorChangedRows {
        var seconds: [Bool: [Double]] = [:]
        progress("operator: \(n) changed rows, then one sync without or with verify, \(verifyRuns) times each")
        for _ in 0..<verifyRuns {
            for verify in [false, true] {
                round += 1
                try changeRows(hubDir, village: village, count: n, round: round)
                let hub = try startHub(hubDir, listen: listen, log: path("hub-verify.log"))
                defer { stopHub(hub) }
                let (r, _) = try runHamlet(["sync", "--dir", nodeDir] + (verify ? [] : ["--no-verify"]), log: path("sync-verify.log"))
                seconds[verify, default: []].append(r.seconds)
            }
        }
        let with = percentile(seconds[true] ?? [], 50), without = percentile(seconds[false] ?? [], 50)
        let cost = with - without
        figures.append(Figure(section: "Operator", measure: "verify after \(n) changed rows", value: cost, unit: "s", shown: fmtMillis(cost),
                              ceiling: nil, ceilingShown: "", ratio: nil, target: "", met: nil,
                              note: "median of \(verifyRuns) `hamlet sync` runs each pulling \(n) changed rows with verify (\(fmtMillis(with))) − of \(verifyRuns) each pulling \(n) others without (\(fmtMillis(without)))"
                                  + (n > 0 ? String(format: "; %.1f µs per changed row", cost / Double(n) * 1e6) : "")))
    }
    return figures
}
