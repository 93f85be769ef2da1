import Foundation
import HamletStore

/// Hands a non-Sendable resource (a `HubStore`) to the one thread that will use it.
///
/// `@unchecked Sendable`: the value is made on the starting thread, passed once to its worker thread when the
/// thread starts, and from then on touched only by that thread.
final class ResourceBox<Resource>: @unchecked Sendable {
    let value: Resource
    init(_ value: Resource) { self.value = value }
}

/// A fixed set of threads, each owning one resource, serving one FIFO queue of jobs.
///
/// The hub's writer is a pool of one store: jobs (reconciles, session records) run one at a time, in the order
/// they were submitted. The readers are several stores serving jobs concurrently on WAL snapshots; the session
/// workers own nothing (`Void`); the operator page's workers own a store each. The hub keeps all of this off
/// Dispatch's global queues, whose threads an embedding process may hold blocked, and never on the event loop.
///
/// `@unchecked Sendable`: `jobs`, `head`, `isStopping` and `running` are guarded by `condition` (an `NSCondition`);
/// each resource is confined to its thread (see `ResourceBox`).
final class ThreadPool<Resource>: @unchecked Sendable {
    typealias Job = @Sendable (Resource) -> Void

    private let condition = NSCondition()
    // Guarded by `condition`.
    private var jobs: [Job] = []
    private var head = 0
    private var isStopping = false
    private var running = 0

    /// Starts one thread per resource.
    /// - Parameters:
    ///   - name: A thread name prefix, for debuggers.
    ///   - resources: One per thread; each goes to its own thread.
    ///   - finish: Runs on the owning thread when it exits (closing a store folds its WAL away).
    init(name: String, resources: [ResourceBox<Resource>], finish: @escaping @Sendable (Resource) -> Void = { _ in }) {
        condition.lock()
        running = resources.count
        condition.unlock()
        for (index, box) in resources.enumerated() {
            let thread = Thread { [self] in
                work(box.value)
                finish(box.value)
                exited()
            }
            thread.name = "\(name)-\(index)"
            thread.stackSize = 4 << 20
            thread.start()
        }
    }

    /// Queues a job.
    /// - Parameter job: Runs on a worker thread with that thread's resource.
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

    private func work(_ resource: Resource) {
        while true {
            condition.lock()
            while head == jobs.count && !isStopping { condition.wait() }
            guard head < jobs.count else {
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
            job(resource)
        }
    }

    private func exited() {
        condition.lock()
        running -= 1
        condition.broadcast()
        condition.unlock()
    }
}

/// Threads each owning a `HubStore` connection, closed when the thread exits.
typealias StorePool = ThreadPool<HubStore>

/// Threads owning nothing, for short non-blocking jobs (decoding lines, driving sessions).
typealias WorkerPool = ThreadPool<Void>

extension ThreadPool where Resource == HubStore {
    /// A pool over these stores; each is closed on its thread when the pool stops.
    convenience init(name: String, stores: [HubStore]) {
        self.init(name: name, resources: stores.map(ResourceBox.init), finish: { $0.close() })
    }
}

extension ThreadPool where Resource == Void {
    /// A pool of `threads` threads.
    convenience init(name: String, threads: Int) {
        self.init(name: name, resources: (0..<threads).map { _ in ResourceBox(()) })
    }

    /// Queues a job that needs no resource.
    @discardableResult
    func submit(_ job: @escaping @Sendable () -> Void) -> Bool {
        submit { (_: Void) in job() }
    }
}
