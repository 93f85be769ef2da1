import Foundation

/// The hub's login throttle: `LoginThrottleState` behind a lock, read with the continuous clock.
///
/// `@unchecked Sendable`: `state` is guarded by `lock` (an `NSLock`).
final class AuthThrottle: @unchecked Sendable {
    private let lock = NSLock()
    // Guarded by `lock`.
    private var state: LoginThrottleState

    init(policy: AuthThrottlePolicy) {
        state = LoginThrottleState(policy: policy)
    }

    /// Seconds `node` at `address` must wait before a proof would be checked, or nil (checked at `hello`).
    func retryAfter(node: String, address: String, now: ContinuousClock.Instant = .now) -> Int? {
        lock.lock()
        defer { lock.unlock() }
        return state.retryAfter(node: node, address: address, now: now)
    }

    /// Decides on a proof and reserves its slot (see `LoginThrottleState.begin`).
    func begin(node: String, address: String, now: ContinuousClock.Instant = .now) -> LoginThrottleState.Decision {
        lock.lock()
        defer { lock.unlock() }
        return state.begin(node: node, address: address, now: now)
    }

    /// A wrong proof; returns how long to hold back the `auth-failed` reply.
    func failed(_ ticket: LoginThrottleState.Ticket, now: ContinuousClock.Instant = .now) -> Duration {
        lock.lock()
        defer { lock.unlock() }
        return state.failed(ticket, now: now)
    }

    /// A right proof.
    func succeeded(_ ticket: LoginThrottleState.Ticket) {
        lock.lock()
        state.succeeded(ticket)
        lock.unlock()
    }

    /// A check that never ran.
    func abandoned(_ ticket: LoginThrottleState.Ticket) {
        lock.lock()
        state.abandoned(ticket)
        lock.unlock()
    }
}
