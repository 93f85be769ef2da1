import Foundation

/// Counts failed logins per peer address, in memory, to slow down and then refuse guessing.
///
/// Each failure delays its `auth-failed` reply by `min(baseDelay × 2^(failures−1), maxDelay)`; once `maxFailures`
/// fall within `window`, hellos from that address get `rate-limited` until the oldest of them ages out. A success
/// clears the address.
///
/// `@unchecked Sendable`: `failures` is guarded by `lock` (an `NSLock`); `policy` is immutable.
final class AuthThrottle: @unchecked Sendable {
    let policy: AuthThrottlePolicy
    private let lock = NSLock()
    // Guarded by `lock`. Failure instants per address, oldest first.
    private var failures: [String: [ContinuousClock.Instant]] = [:]

    init(policy: AuthThrottlePolicy) {
        self.policy = policy
    }

    /// Seconds the address must wait before trying again, or nil when it may try now.
    /// - Parameters:
    ///   - address: The peer host.
    ///   - now: The current instant.
    func retryAfter(_ address: String, now: ContinuousClock.Instant = .now) -> Int? {
        lock.lock()
        defer { lock.unlock() }
        let recent = pruneLocked(address, now: now)
        guard recent.count >= policy.maxFailures, policy.maxFailures > 0 else { return nil }
        // Locked out until enough failures age out to fall below the limit.
        let releasing = recent[recent.count - policy.maxFailures]
        let wait = now.duration(to: releasing.advanced(by: policy.window))
        return max(1, Int((wait / .milliseconds(1)).rounded(.up) / 1000))
    }

    /// Records a failure.
    /// - Parameters:
    ///   - address: The peer host.
    ///   - now: The current instant.
    /// - Returns: How long to hold back the `auth-failed` reply.
    func recordFailure(_ address: String, now: ContinuousClock.Instant = .now) -> Duration {
        lock.lock()
        defer { lock.unlock() }
        var recent = pruneLocked(address, now: now)
        recent.append(now)
        failures[address] = recent
        if failures.count > 100_000 { sweepLocked(now: now) }
        let exponent = min(recent.count - 1, 30)
        let delay = policy.baseDelay * (1 << exponent)
        return min(delay, policy.maxDelay)
    }

    /// Forgets the address's failures after a successful login.
    /// - Parameter address: The peer host.
    func recordSuccess(_ address: String) {
        lock.lock()
        failures[address] = nil
        lock.unlock()
    }

    private func pruneLocked(_ address: String, now: ContinuousClock.Instant) -> [ContinuousClock.Instant] {
        guard var list = failures[address] else { return [] }
        let horizon = now.advanced(by: .zero - policy.window)
        list.removeAll { $0 < horizon }
        failures[address] = list.isEmpty ? nil : list
        return list
    }

    private func sweepLocked(now: ContinuousClock.Instant) {
        for address in Array(failures.keys) { _ = pruneLocked(address, now: now) }
    }
}
