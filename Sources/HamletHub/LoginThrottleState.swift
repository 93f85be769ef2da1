/// The login throttle's decisions, as a pure value with the clock passed in: which proofs may be checked, which are
/// refused with `rate-limited`, and how long a failure's reply is held back.
///
/// Failures count per **(node, address)**, so a guesser behind a village's NAT locks out only the node id it guesses
/// from that address (the other nodes behind the same NAT still log in), and per **address** with a wider cap, so
/// one address cannot spray guesses over many node ids. A proof being checked counts as a failure of its
/// (node, address) until it succeeds (`begin` reserves the slot), so parallel sessions guessing one node share one
/// budget: 200 proofs sent at once get at most `maxFailures` checks. The per-address cap counts failures only:
/// fifty honest villages behind one NAT (or one stunnel) logging in at once must all be checked, and the proofs an
/// address can have under way at once are already bounded by its pre-login connection limit.
struct LoginThrottleState: Sendable {
    /// A reserved check: settle it with `failed`, `succeeded` or `abandoned`, exactly once.
    struct Ticket: Sendable, Hashable {
        var node: String
        var address: String
    }

    /// Whether a proof may be checked now.
    enum Decision: Sendable, Hashable {
        /// Check it; the slot is reserved until the ticket is settled.
        case check(Ticket)
        /// Refuse it with `rate-limited`; retry after this many seconds.
        case refuse(retryAfter: Int)
    }

    let policy: AuthThrottlePolicy
    /// Failure instants per (node, address) and per address, oldest first.
    private(set) var keyed: [Ticket: [ContinuousClock.Instant]] = [:]
    private(set) var byAddress: [String: [ContinuousClock.Instant]] = [:]
    /// Checks under way.
    private(set) var inFlight: [Ticket: Int] = [:]

    init(policy: AuthThrottlePolicy) {
        self.policy = policy
    }

    /// Seconds `node` at `address` must wait, or nil when a proof would be checked now. Reserves nothing (used at
    /// `hello`, to spare a locked-out client the challenge).
    mutating func retryAfter(node: String, address: String, now: ContinuousClock.Instant) -> Int? {
        let ticket = Ticket(node: node, address: address)
        let own = wait(failures: prune(&keyed, ticket, now), inFlight: inFlight[ticket, default: 0],
                       limit: policy.maxFailures, now: now)
        let wide = wait(failures: prune(&byAddress, address, now), inFlight: 0,
                        limit: policy.maxFailuresPerAddress, now: now)
        switch (own, wide) {
        case (nil, nil): return nil
        case (let a?, nil), (nil, let a?): return a
        case (let a?, let b?): return max(a, b)
        }
    }

    /// Decides on a proof that just arrived and, when it may be checked, reserves its slot.
    mutating func begin(node: String, address: String, now: ContinuousClock.Instant) -> Decision {
        if let wait = retryAfter(node: node, address: address, now: now) { return .refuse(retryAfter: wait) }
        let ticket = Ticket(node: node, address: address)
        inFlight[ticket, default: 0] += 1
        return .check(ticket)
    }

    /// The proof was wrong: the reserved slot becomes a failure.
    /// - Returns: How long to hold back the `auth-failed` reply: `min(baseDelay × 2^(n−1), maxDelay)` for the n-th
    ///   failure of the (node, address) within the window.
    mutating func failed(_ ticket: Ticket, now: ContinuousClock.Instant) -> Duration {
        release(ticket)
        var own = prune(&keyed, ticket, now)
        own.append(now)
        keyed[ticket] = own
        var wide = prune(&byAddress, ticket.address, now)
        wide.append(now)
        byAddress[ticket.address] = wide
        if keyed.count > 100_000 || byAddress.count > 100_000 { sweep(now: now) }
        let exponent = min(own.count - 1, 30)
        return min(policy.baseDelay * (1 << exponent), policy.maxDelay)
    }

    /// The proof was right: the slot is freed and the (node, address) failures are forgotten. The address's own
    /// count stays (a guesser holding one good secret cannot wipe it).
    mutating func succeeded(_ ticket: Ticket) {
        release(ticket)
        keyed[ticket] = nil
    }

    /// The check never happened (the store failed, the hub is stopping): the slot is freed, nothing counted.
    mutating func abandoned(_ ticket: Ticket) {
        release(ticket)
    }

    private mutating func release(_ ticket: Ticket) {
        if let n = inFlight[ticket] { inFlight[ticket] = n > 1 ? n - 1 : nil }
    }

    /// Seconds until `failures + inFlight` drops below `limit`, or nil when it already is below.
    private func wait(failures: [ContinuousClock.Instant], inFlight: Int, limit: Int,
                      now: ContinuousClock.Instant) -> Int? {
        let total = failures.count + inFlight
        guard limit > 0, total >= limit else { return nil }
        // Enough failures must age out to bring the total below the limit; checks under way end within seconds.
        let aging = total - limit
        guard aging < failures.count else { return 1 }
        let wait = now.duration(to: failures[aging].advanced(by: policy.window))
        return max(1, Int((wait / .milliseconds(1)).rounded(.up) / 1000))
    }

    private func prune<Key: Hashable>(_ table: inout [Key: [ContinuousClock.Instant]], _ key: Key,
                                      _ now: ContinuousClock.Instant) -> [ContinuousClock.Instant] {
        guard var list = table[key] else { return [] }
        let horizon = now.advanced(by: .zero - policy.window)
        list.removeAll { $0 < horizon }
        table[key] = list.isEmpty ? nil : list
        return list
    }

    private mutating func sweep(now: ContinuousClock.Instant) {
        for key in Array(keyed.keys) { _ = prune(&keyed, key, now) }
        for key in Array(byAddress.keys) { _ = prune(&byAddress, key, now) }
    }
}
