import Foundation
import HamletCore
import HamletStore
import HamletTestSupport
import Testing

/// A seeded, randomized history of the sync model, in-process and without TCP:
/// the same store calls the sync client makes (`reconcile` + `recordResults`,
/// `pull` + `applyPage`), over 6 honest nodes in 3 villages (two nodes per village)
/// and one hostile node, with skewed clocks, offline edits, inserts, deletes,
/// transfers, duplicate registrations, interleaved pushes and pulls, lost acks,
/// operator actions at the hub (resolve, keep/delete, merge, unmerge, dismiss, edit), and hub backups
/// restored later (`SimulationRestore.swift`: a new epoch; nodes requeue, re-push and resync at their
/// next session as the client does).
///
/// The hostile node is registered like any other and logs in as itself; it forges
/// changes naming honest nodes, sends gaps, descending and non-positive `seq`s, and
/// re-sends its own `seq`s with other content (`SimulationHostile.swift`).
///
/// Replay a failing seed: `HAMLET_SIM_SEED=123 HAMLET_SIM_STEPS=3000 swift test --filter Simulation`.
/// Long mode: `HAMLET_SIM_SEEDS=200 HAMLET_SIM_STEPS=2000 swift test --filter Simulation` runs 200 seeds
/// derived from `HAMLET_SIM_BASE` (default below), printing each seed and a summary line per seed.
@Suite("Sync simulation", .serialized)
struct SimulationTests {
    static let ciSeeds: [UInt64] = [1, 20_240_611, 987_654_321]
    static let ciSteps = 3000
    static let defaultBase: UInt64 = 20_250_301

    static var environment: [String: String] { ProcessInfo.processInfo.environment }

    static var seeds: [UInt64] {
        if let s = environment["HAMLET_SIM_SEED"], let v = UInt64(s) { return [v] }
        if let s = environment["HAMLET_SIM_SEEDS"], let n = Int(s), n > 0 {
            return longSeeds(count: n, base: environment["HAMLET_SIM_BASE"].flatMap { UInt64($0) } ?? defaultBase)
        }
        return ciSeeds
    }

    /// `count` seeds derived from `base`, the same on every machine.
    static func longSeeds(count: Int, base: UInt64) -> [UInt64] {
        var g = SeedRandom(seed: base)
        return (0..<count).map { _ in g.next() % 1_000_000_000_000 }
    }

    static var steps: Int {
        environment["HAMLET_SIM_STEPS"].flatMap { Int($0) } ?? ciSteps
    }

    @Test("random histories converge, lose nothing, keep every node's seqs its own, and replay deterministically",
          arguments: seeds)
    func simulate(seed: UInt64) throws {
        let tmp = TempDir("sim-\(seed)")
        defer { tmp.remove() }
        let started = ContinuousClock.now
        print("simulation seed \(seed), \(Self.steps) steps (replay: HAMLET_SIM_SEED=\(seed) HAMLET_SIM_STEPS=\(Self.steps) swift test --filter Simulation)")
        var sim = try Simulation(seed: seed, root: tmp)
        try sim.run(steps: Self.steps)
        try sim.settle()
        if !sim.stuck.isEmpty { Issue.record("sessions of \(sim.stuck) still fail after \(sim.stats.settleRounds) settle rounds") }
        try sim.checkConvergence()
        try sim.checkNothingLost()
        try sim.checkIdentity()
        try sim.checkMoves()
        try sim.checkOperatorRules()
        try sim.checkDeterminism()
        let open = try sim.hub.openConflictCounts()
        for c in try sim.hub.conflicts(status: nil, limit: 10_000_000) { sim.stats.conflictsOpened[c.kind, default: 0] += 1 }
        if sim.stuck.isEmpty && sim.stats.duplicates > 20 { #expect(sim.stats.conflictsOpened[.duplicate, default: 0] > 0, "duplicate registrations open duplicate conflicts") }
        if sim.stuck.isEmpty && sim.stats.edits > 200 { #expect(sim.stats.conflictsOpened[.field, default: 0] > 0, "concurrent edits open field conflicts") }
        let elapsed = ContinuousClock.now - started
        SimulationTotals.shared.add(sim.stats, elapsed: elapsed)
        let openText = open.map { "\($0.key.rawValue) \($0.value)" }.sorted().joined(separator: ", ")
        print("simulation seed \(seed): \(sim.stats); open \(openText) in \(elapsed)")
        print("simulation totals: \(SimulationTotals.shared)")
    }
}

/// Figures summed over the seeds of one run, printed after each seed (the last line is the run's).
final class SimulationTotals: @unchecked Sendable, CustomStringConvertible {
    static let shared = SimulationTotals()
    // Every field below is guarded by `lock`.
    private let lock = NSLock()
    private var seeds = 0, steps = 0, changes = 0, hostileBatches = 0, operatorActions = 0
    private var backups = 0, restores = 0, dismissals = 0, resyncs = 0, requeued = 0, operatorLost = 0
    private var conflicts: [ConflictKind: Int] = [:]
    private var elapsed = Duration.zero

    func add(_ s: Simulation.Stats, elapsed e: Duration) {
        lock.lock()
        defer { lock.unlock() }
        seeds += 1
        steps += s.steps
        changes += s.changes
        hostileBatches += s.hostileBatches
        operatorActions += s.operatorDone
        backups += s.backups
        restores += s.restores
        dismissals += s.dismissals
        resyncs += s.resyncs
        requeued += s.requeued
        operatorLost += s.operatorLost
        for (k, v) in s.conflictsOpened { conflicts[k, default: 0] += v }
        elapsed += e
    }

    var description: String {
        lock.lock()
        defer { lock.unlock() }
        let c = conflicts.values.reduce(0, +)
        let kinds = conflicts.map { "\($0.key.rawValue) \($0.value)" }.sorted().joined(separator: ", ")
        return "\(seeds) seeds, \(steps) steps, \(changes) node changes, \(c) conflicts opened (\(kinds)), "
            + "\(hostileBatches) hostile batches, \(operatorActions) operator actions (\(dismissals) dismissals), "
            + "\(backups) backups, \(restores) restores (\(operatorLost) operator writes lost with them, \(requeued) changes requeued, "
            + "\(resyncs) resyncs), \(elapsed)"
    }
}

/// A step that threw: where, and what.
struct SimulationFailure: Error, CustomStringConvertible {
    var step: Int
    var actor: String
    var roll: Int
    var underlying: String
    var description: String { "step \(step) by \(actor) (roll \(roll)): \(underlying)" }
}

/// One recorded push, for the determinism replay.
struct RecordedBatch {
    var changes: [Change]
    var source: BatchSource
    var wallMillis: Int64
}

/// What reached the hub, in order: batches it took and operator actions (with their outcome).
enum SimEvent {
    case batch(RecordedBatch)
    case operatorAction(OperatorStep, OperatorAction, outcome: String)
    /// The hub was started from a backup: the history above is cut back to the backup's events, and the
    /// hub took this epoch and lineage (`forkEpoch` draws the epoch at random, so the replay sets it).
    case restore(epoch: String, lineage: String)
}

struct SimNode {
    var id: String
    var village: String
    var directory: String
    var skewMillis: Int64
    var replica: Replica
}
