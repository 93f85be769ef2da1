import Foundation
import HamletCore
import HamletStore

/// The pushes waiting for the writer, taken together into one transaction (group commit).
///
/// A session queues its batch here and submits a `drain` job to the writer. The writer's drain takes every batch
/// waiting at that moment (up to `maxChanges` changes, at least one batch) and reconciles them with
/// `HubStore.reconcile(group:)`; each batch's completion (its ack) runs only after the transaction commits. While one
/// group is being reconciled the next one gathers, so fifty villages pushing at once share a few commits instead of
/// queueing behind fifty. A drain that finds the queue empty (an earlier drain took its batch) does nothing.
///
/// `@unchecked Sendable`: `waiting` and `nextToken` are guarded by `lock` (an `NSLock`).
final class PushQueue: @unchecked Sendable {
    typealias Completion = @Sendable (Result<[ChangeResult], any Error>) -> Void

    struct Waiting {
        var token: UInt64
        var batch: PushBatch
        var done: Completion
    }

    /// The most changes one group takes (a batch is never split; the first batch is always taken). Eight batches
    /// of 500: enough to share a commit among villages pushing at once, small enough that no ack waits behind a
    /// long group and the writer holds little.
    let maxChanges: Int
    private let lock = NSLock()
    // Guarded by `lock`.
    private var waiting: [Waiting] = []
    private var nextToken: UInt64 = 0
    private var groups = 0
    private var batches = 0
    private var largest = 0

    init(maxChanges: Int = 4_000, maxAdmittedBytes: Int = 4 << 20) {
        self.maxChanges = maxChanges
        self.maxAdmittedBytes = maxAdmittedBytes
    }

    // MARK: Admission (backpressure)
    //
    // Fifty villages pushing at once used to be decoded all at once: 50,000 changes as Swift values waiting for
    // the one writer (~100 MB of a 200 MB hub). A line at least `admissionThreshold` long (a push of a hundred or
    // so changes) is now decoded only once admitted: while `maxAdmittedBytes` of such lines are being decoded,
    // queued or reconciled, the next waits as its raw bytes, and its session resumes when room appears, in arrival
    // order. The writer always has more admitted than one group, so it never waits for this.

    /// Lines shorter than this are never held back (logins, pulls, small pushes).
    static let admissionThreshold = 64 << 10
    /// How many bytes of long lines may be admitted at once (at least one line always is).
    let maxAdmittedBytes: Int
    // Guarded by `lock`.
    private var admittedBytes = 0
    private var held: [(bytes: Int, resume: @Sendable () -> Void)] = []
    private var closed = false
    private var heldTotal = 0

    /// Admits a long line of `bytes` now (true), or holds `resume` until there is room (false): it then runs, on
    /// the thread that made the room, with the bytes already admitted. Every admitted byte is given back with
    /// `release(bytes:)`.
    func admit(bytes: Int, resume: @escaping @Sendable () -> Void) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        guard closed || (held.isEmpty && fits(bytes)) else {
            held.append((bytes, resume))
            heldTotal += 1
            return false
        }
        admittedBytes += bytes
        return true
    }

    /// Gives back an admitted line's bytes (its batch was acked, or its session ended) and resumes the held lines
    /// that now fit.
    func release(bytes: Int) {
        lock.lock()
        admittedBytes -= bytes
        var ready: [@Sendable () -> Void] = []
        while let first = held.first, closed || fits(first.bytes) {
            held.removeFirst()
            admittedBytes += first.bytes
            ready.append(first.resume)
        }
        lock.unlock()
        for resume in ready { resume() }
    }

    /// The hub is stopping: every held line resumes now (and meets the stopping hub).
    func close() {
        lock.lock()
        closed = true
        let ready = held
        held = []
        for h in ready { admittedBytes += h.bytes }
        lock.unlock()
        for h in ready { h.resume() }
    }

    /// Bytes admitted now and lines held (for tests and the stop line).
    var admission: (admitted: Int, held: Int) {
        lock.lock()
        defer { lock.unlock() }
        return (admittedBytes, held.count)
    }

    private func fits(_ bytes: Int) -> Bool { admittedBytes == 0 || admittedBytes + bytes <= maxAdmittedBytes }

    /// Queues a batch; `done` runs on the writer thread once its group has committed (or failed).
    /// - Returns: a token for `withdraw`.
    func enqueue(_ batch: PushBatch, done: @escaping Completion) -> UInt64 {
        lock.lock()
        defer { lock.unlock() }
        nextToken += 1
        waiting.append(Waiting(token: nextToken, batch: batch, done: done))
        return nextToken
    }

    /// Takes a batch back that no drain will run (the writer refused the job: the hub is stopping).
    /// - Returns: true when it was still waiting; false when a drain already took it (its completion will run).
    func withdraw(_ token: UInt64) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        guard let i = waiting.firstIndex(where: { $0.token == token }) else { return false }
        waiting.remove(at: i)
        return true
    }

    /// The next group: the oldest waiting batches, in order, up to `maxChanges` changes.
    func takeGroup() -> [Waiting] {
        lock.lock()
        defer { lock.unlock() }
        var total = 0
        var n = 0
        while n < waiting.count, n == 0 || total + waiting[n].batch.changes.count <= maxChanges {
            total += waiting[n].batch.changes.count
            n += 1
        }
        let group = Array(waiting.prefix(n))
        waiting.removeFirst(n)
        if n > 0 {
            groups += 1
            batches += n
            largest = max(largest, n)
        }
        return group
    }

    /// How the pushes were grouped so far: "B batches in G transactions (largest L); H long lines held for room",
    /// for the hub's stop line.
    var summary: String {
        lock.lock()
        defer { lock.unlock() }
        return "\(batches) pushed batches in \(groups) transactions (largest group \(largest)); \(heldTotal) long lines held for room"
    }

    /// Runs on the writer thread: reconciles the waiting group in one transaction, then completes each batch.
    func drain(_ store: HubStore) {
        let group = takeGroup()
        guard !group.isEmpty else { return }
        let results: [Result<[ChangeResult], any Error>]
        do {
            results = try store.reconcile(group: group.map(\.batch))
        } catch {
            results = group.map { _ in .failure(error) }
        }
        for (waiting, result) in zip(group, results) { waiting.done(result) }
    }
}
