import Foundation
import HamletStore

/// Hands a `HubStore` (deliberately not Sendable) to the one thread that will use it.
///
/// `@unchecked Sendable`: the store is created on the starting thread, passed once to its worker thread when the
/// thread starts, and from then on touched only by that thread (until the thread has exited and `StorePool`
/// drops it).
final class StoreBox: @unchecked Sendable {
    let store: HubStore
    init(_ store: HubStore) { self.store = store }
}

/// A fixed set of worker threads, each owning one `HubStore` connection, serving one FIFO queue of jobs.
///
/// With one store it is the hub's writer: jobs (reconciles, session records) run one at a time, in the order they
/// were submitted. With several it is the reader pool: each connection serves one job at a time, and jobs run
/// concurrently on WAL snapshots. Jobs never run on the event-loop thread.
///
/// `@unchecked Sendable`: `jobs`, `head`, `isStopping` and `running` are guarded by `condition` (an `NSCondition`);
/// `name` is immutable; each store is confined to its thread (see `StoreBox`).
final class StorePool: @unchecked Sendable {
    typealias Job = @Sendable (HubStore) -> Void

    private let condition = NSCondition()
    // Guarded by `condition`.
    private var jobs: [Job] = []
    private var head = 0
    private var isStopping = false
    private var running = 0

    let name: String

    /// Starts one thread per store.
    /// - Parameters:
    ///   - name: A thread name prefix, for debuggers.
    ///   - stores: The connections; each goes to its own thread.
    init(name: String, stores: [StoreBox]) {
        self.name = name
        condition.lock()
        running = stores.count
        condition.unlock()
        for (index, box) in stores.enumerated() {
            let thread = Thread { [self] in work(box) }
            thread.name = "\(name)-\(index)"
            thread.stackSize = 4 << 20
            thread.start()
        }
    }

    /// Queues a job.
    /// - Parameter job: Runs on a worker thread with that thread's store.
    /// - Returns: `false` when the pool is stopping and the job was dropped.
    @discardableResult
    func submit(_ job: @escaping Job) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard !isStopping else { return false }
        jobs.append(job)
        condition.signal()
        return true
    }

    /// The number of queued jobs not yet started.
    var backlog: Int {
        condition.lock()
        defer { condition.unlock() }
        return jobs.count - head
    }

    /// Refuses new jobs, lets the queued ones run, and waits until every thread has exited.
    func drainAndStop() {
        condition.lock()
        isStopping = true
        condition.broadcast()
        while running > 0 { condition.wait() }
        condition.unlock()
    }

    private func work(_ box: StoreBox) {
        while true {
            condition.lock()
            while head == jobs.count && !isStopping { condition.wait() }
            guard head < jobs.count else {
                // Close now, on the owning thread: the last connection to close checkpoints and removes
                // the WAL, so a stopped hub leaves only hub.sqlite (a backup can be copied over it).
                box.store.connection.close()
                running -= 1
                condition.broadcast()
                condition.unlock()
                return
            }
            let job = jobs[head]
            head += 1
            if head >= 1024 && head * 2 >= jobs.count {
                jobs.removeSubrange(0..<head)
                head = 0
            } else if head == jobs.count {
                jobs.removeAll(keepingCapacity: true)
                head = 0
            }
            condition.unlock()
            job(box.store)
        }
    }
}

/// A fixed set of threads serving one FIFO queue of short, non-blocking jobs (decoding lines, driving sessions).
///
/// The hub keeps this off Dispatch's global queues, whose threads an embedding process may hold blocked.
///
/// `@unchecked Sendable`: `jobs`, `head`, `isStopping` and `running` are guarded by `condition` (an `NSCondition`).
final class WorkerPool: @unchecked Sendable {
    typealias Job = @Sendable () -> Void

    private let condition = NSCondition()
    // Guarded by `condition`.
    private var jobs: [Job] = []
    private var head = 0
    private var isStopping = false
    private var running = 0

    /// Starts `threads` threads.
    /// - Parameters:
    ///   - name: A thread name prefix, for debuggers.
    ///   - threads: How many threads.
    init(name: String, threads: Int) {
        condition.lock()
        running = threads
        condition.unlock()
        for index in 0..<threads {
            let thread = Thread { [self] in work() }
            thread.name = "\(name)-\(index)"
            thread.stackSize = 4 << 20
            thread.start()
        }
    }

    /// Queues a job.
    /// - Returns: `false` when the pool is stopping and the job was dropped.
    @discardableResult
    func submit(_ job: @escaping Job) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard !isStopping else { return false }
        jobs.append(job)
        condition.signal()
        return true
    }

    /// Refuses new jobs, lets the queued ones run, and waits until every thread has exited.
    func drainAndStop() {
        condition.lock()
        isStopping = true
        condition.broadcast()
        while running > 0 { condition.wait() }
        condition.unlock()
    }

    private func work() {
        while true {
            condition.lock()
            while head == jobs.count && !isStopping { condition.wait() }
            guard head < jobs.count else {
                running -= 1
                condition.broadcast()
                condition.unlock()
                return
            }
            let job = jobs[head]
            head += 1
            if head >= 1024 && head * 2 >= jobs.count {
                jobs.removeSubrange(0..<head)
                head = 0
            } else if head == jobs.count {
                jobs.removeAll(keepingCapacity: true)
                head = 0
            }
            condition.unlock()
            job()
        }
    }
}
