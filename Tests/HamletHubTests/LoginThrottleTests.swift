import Foundation
@testable import HamletHub
import HamletNet
import HamletProtocol
import Testing

// Issue 16, item 3: the login throttle is decided at the proof, per (node, address) and per address, and a proof
// being checked counts until it succeeds, so parallel sessions share one budget.

@Suite("Login throttle: the pure state")
struct LoginThrottleStateTests {
    static let policy = AuthThrottlePolicy(baseDelay: .milliseconds(250), maxDelay: .seconds(5), maxFailures: 8,
                                           window: .seconds(600), maxFailuresPerAddress: 32)

    @Test("200 proofs at once: 8 are checked, 192 refused, and the 8 failures lock the (node, address)")
    func parallelProofsShareOneBudget() {
        var state = LoginThrottleState(policy: Self.policy)
        let t0 = ContinuousClock.now
        var tickets: [LoginThrottleState.Ticket] = []
        var refused = 0
        for _ in 0..<200 {
            switch state.begin(node: "beizhao", address: "10.0.0.9", now: t0) {
            case .check(let ticket): tickets.append(ticket)
            case .refuse(let wait):
                refused += 1
                #expect(wait >= 1)
            }
        }
        #expect(tickets.count == 8 && refused == 192)
        let delays = tickets.map { state.failed($0, now: t0) }
        #expect(delays.first == .milliseconds(250) && delays.last == .seconds(5), "doubling, capped: \(delays)")
        #expect(state.retryAfter(node: "beizhao", address: "10.0.0.9", now: t0) == 600)
        #expect(state.retryAfter(node: "beizhao", address: "10.0.0.9", now: t0 + .seconds(601)) == nil, "failures age out")
    }

    @Test("a guesser behind a NAT locks out only the node id it guesses; a success clears only its own (node, address)")
    func lockIsPerNodeAndAddress() {
        var state = LoginThrottleState(policy: Self.policy)
        let now = ContinuousClock.now
        for _ in 0..<8 {
            guard case .check(let t) = state.begin(node: "beizhao", address: "nat", now: now) else { Issue.record("refused early"); return }
            _ = state.failed(t, now: now)
        }
        #expect(state.retryAfter(node: "beizhao", address: "nat", now: now) != nil)
        #expect(state.retryAfter(node: "beizhao", address: "elsewhere", now: now) == nil, "the node from another address")
        guard case .check(let neighbour) = state.begin(node: "nanzhuang", address: "nat", now: now) else {
            Issue.record("the neighbour behind the same NAT was refused")
            return
        }
        state.succeeded(neighbour)
        #expect(state.retryAfter(node: "beizhao", address: "nat", now: now) != nil, "her success does not clear his lock")
        #expect(state.inFlight.isEmpty)
    }

    @Test("spraying many node ids from one address hits the wider per-address cap")
    func sprayHitsTheAddressCap() {
        var state = LoginThrottleState(policy: Self.policy)
        let now = ContinuousClock.now
        for i in 0..<32 {
            guard case .check(let t) = state.begin(node: "guess\(i)", address: "spray", now: now) else { Issue.record("refused at \(i)"); return }
            _ = state.failed(t, now: now)
        }
        #expect(state.begin(node: "nanzhuang", address: "spray", now: now) == .refuse(retryAfter: 600))
        #expect(state.retryAfter(node: "nanzhuang", address: "other", now: now) == nil)
    }

    @Test("fifty villages behind one address logging in at once are all checked (the bench's 50 syncs were refused)")
    func honestCrowdIsChecked() {
        var state = LoginThrottleState(policy: Self.policy)
        let now = ContinuousClock.now
        var tickets: [LoginThrottleState.Ticket] = []
        for i in 0..<50 {
            guard case .check(let t) = state.begin(node: "v\(i)", address: "127.0.0.1", now: now) else {
                Issue.record("village \(i) refused while 49 others were being checked")
                return
            }
            tickets.append(t)
        }
        for t in tickets { state.succeeded(t) }
        #expect(state.inFlight.isEmpty)
    }

    @Test("an abandoned check frees its slot and counts nothing")
    func abandonedFreesTheSlot() {
        var state = LoginThrottleState(policy: AuthThrottlePolicy(baseDelay: .zero, maxDelay: .zero, maxFailures: 1, window: .seconds(60)))
        let now = ContinuousClock.now
        guard case .check(let t) = state.begin(node: "a", address: "x", now: now) else { Issue.record("refused"); return }
        #expect(state.begin(node: "a", address: "x", now: now) == .refuse(retryAfter: 1), "one check under way fills a budget of 1")
        state.abandoned(t)
        #expect(state.retryAfter(node: "a", address: "x", now: now) == nil)
    }
}

@Suite("Login throttle over TCP", .serialized)
struct LoginThrottleWireTests {
    @Test("200 sessions send hello, then 200 wrong proofs: at most 8 are checked, the rest are rate-limited")
    func parallelGuessesShareOneBudget() throws {
        let limit = NetSystem.raiseOpenFileLimit()
        try #require(limit >= 600, "needs 600 open files, have \(limit)")
        let policy = AuthThrottlePolicy(baseDelay: .milliseconds(10), maxDelay: .milliseconds(50), maxFailures: 8, window: .seconds(60))
        let hub = try HubFixture(throttle: policy, configure: {
            $0.maxPreLoginPerAddress = 300
            $0.loginTimeout = .seconds(60)
        })
        var clients: [(RawClient, String)] = []
        defer { for (c, _) in clients { c.close() } }
        for _ in 0..<200 {
            let c = try hub.connect()
            clients.append((c, try c.hello("beizhao")))
        }
        for (c, nonce) in clients {
            let proof = try #require(Credentials.proof(secret: Credentials.makeSecret(), nonce: nonce, node: "beizhao"))
            try c.send(#"{"type":"auth","proof":"\#(proof)"}"#)
        }
        var failed = 0
        var limited = 0
        for (c, _) in clients {
            guard case .error(let code, _, _, _, _) = try c.read() else { continue }
            if code == .authFailed { failed += 1 }
            if code == .rateLimited { limited += 1 }
        }
        print("measured: 200 parallel wrong proofs: \(failed) checked (auth-failed), \(limited) rate-limited")
        #expect(failed <= 8, "\(failed) proofs were checked")
        #expect(failed + limited == 200)
        // Another node from the same address (a village behind the same NAT) still gets in.
        let (other, _) = try hub.login("nanzhuang")
        other.close()
    }
}

@Suite("Refusals at accept: one log line a minute at most")
struct RefusalReportTests {
    @Test func linesAreRateLimited() {
        var report = RefusalReport(every: .seconds(60))
        let t0 = ContinuousClock.now
        #expect(report.line(total: 0, now: t0) == nil, "nothing refused, nothing said")
        #expect(report.line(total: 3, now: t0)?.hasPrefix("refused 3 connection(s)") == true)
        #expect(report.line(total: 500, now: t0 + .seconds(30)) == nil, "within the minute")
        #expect(report.line(total: 500, now: t0 + .seconds(61))?.hasPrefix("refused 497 connection(s)") == true)
        #expect(report.line(total: 500, now: t0 + .seconds(200)) == nil, "no new refusals")
    }
}
