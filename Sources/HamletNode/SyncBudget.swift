/// The time one sync may spend waiting on the hub (`SyncOptions.timeout`, `hamlet sync --timeout`).
///
/// Connecting, every read and write, and the pauses between retries all draw on it; each message from the hub
/// renews it, so a long sync that keeps hearing from the hub is never cut, while a hub that accepts and then says
/// nothing ends the sync after `timeout` in all, retries included (exit 75).
final class SyncBudget {
    /// The whole budget.
    let timeout: Duration
    /// When it runs out, unless renewed first.
    private(set) var deadline: ContinuousClock.Instant

    /// Starts a budget now.
    init(timeout: Duration, now: ContinuousClock.Instant = .now) {
        self.timeout = timeout
        deadline = now.advanced(by: timeout)
    }

    /// The hub spoke: the whole budget again from now.
    func renew(now: ContinuousClock.Instant = .now) {
        deadline = now.advanced(by: timeout)
    }

    /// The deadline of one wait of at most `limit`: `limit` from now, or the budget's end when that comes first.
    func deadline(within limit: Duration, now: ContinuousClock.Instant = .now) -> ContinuousClock.Instant {
        min(now.advanced(by: limit), deadline)
    }

    /// What is left of the budget (zero once it ran out).
    func remaining(now: ContinuousClock.Instant = .now) -> Duration {
        max(.zero, now.duration(to: deadline))
    }

    /// True once the budget ran out.
    func isExpired(now: ContinuousClock.Instant = .now) -> Bool { now >= deadline }

    /// The error a sync ends with when the budget runs out: unreachable (exit 75), retry later.
    var expired: SyncError {
        let seconds = timeout.components.seconds
        return SyncError(.unreachable, "the hub did not answer within \(seconds) s (--timeout); check the network and retry later",
                         zh: "镇中心 \(seconds) 秒内没有回应，请检查网络，稍后再同步（可用 --timeout 调整等待秒数）")
    }
}
