import HamletCore
import HamletProtocol
import Testing

/// The hub's session machine: every client message in every state, the verdict, and the happy path.
struct HubSessionMachineTests {
    enum StateName: String, CaseIterable, Sendable {
        case awaitingHello, awaitingAuth, authenticating, ready, mustResync, resyncing, closed
    }

    enum MessageName: String, CaseIterable, Sendable {
        case hello, auth, push, pull, verify, outcomes, resync, bye
    }

    static let hello = ClientMessage.Hello(node: "beizhao", client: "t", hub: "", epoch: "", cursor: 0, clock: nil)
    static let change = Change(node: "beizhao", seq: 1, table: "households", row: "01a20814-a626-77d5-9cbc-2e89ff793c00", op: .put,
                               values: ["village": .text("beizhao")], bases: ["village": 0], rowBase: 0,
                               hlc: HLC(wall: 1, counter: 0, node: "beizhao"), author: "", epoch: "")
    static let digest = ScopeDigest(tables: [:])

    static func welcome(head: Int64 = 5, resync: ResyncReason? = nil) -> HubMessage.Welcome {
        HubMessage.Welcome(hub: "h", epoch: "e", head: head, lastSeq: 0, village: "beizhao", resync: resync != nil,
                           reason: resync?.rawValue, limits: .standard, clock: nil)
    }

    static func message(_ name: MessageName) -> ClientMessage {
        switch name {
        case .hello: return .hello(hello)
        case .auth: return .auth(proof: "00")
        case .push: return .push(batch: 1, changes: [change])
        case .pull: return .pull(cursor: 0, limit: nil)
        case .verify: return .verify(digest: digest)
        case .outcomes: return .outcomes(conflicts: [3, 1])
        case .resync: return .resync
        case .bye: return .bye
        }
    }

    /// A machine brought to `state` through its own events.
    static func machine(in state: StateName) -> HubSessionMachine {
        var m = HubSessionMachine()
        func go(_ message: ClientMessage) { _ = m.receive(message, nonce: { "n" }) }
        switch state {
        case .awaitingHello: break
        case .awaitingAuth: go(.hello(hello))
        case .authenticating: go(.hello(hello)); go(.auth(proof: "00"))
        case .ready: go(.hello(hello)); go(.auth(proof: "00")); _ = m.authenticated(welcome())
        case .mustResync: go(.hello(hello)); go(.auth(proof: "00")); _ = m.authenticated(welcome(resync: .hubReplaced))
        case .resyncing: go(.hello(hello)); go(.auth(proof: "00")); _ = m.authenticated(welcome()); go(.resync)
        case .closed: go(.bye)
        }
        #expect(name(m.state) == state)
        return m
    }

    static func name(_ s: HubSessionMachine.State) -> StateName {
        switch s {
        case .awaitingHello: return .awaitingHello
        case .awaitingAuth: return .awaitingAuth
        case .authenticating: return .authenticating
        case .ready: return .ready
        case .mustResync: return .mustResync
        case .resyncing: return .resyncing
        case .closed: return .closed
        }
    }

    /// The action's kind: its case name, with the error code for refusals and failures.
    static func kind(_ a: HubSessionMachine.Action) -> String {
        switch a {
        case .sendChallenge: return "challenge"
        case .verify: return "verify-proof"
        case .sendWelcome: return "welcome"
        case .push: return "push"
        case .pull: return "pull"
        case .verifyDigest: return "verify-digest"
        case .outcomes: return "outcomes"
        case .resync: return "resync"
        case .refuse(let e, _): return "refuse \(e.code.rawValue)"
        case .fail(let e): return "fail \(e.code.rawValue)"
        case .bye: return "bye"
        }
    }

    struct Row: Sendable, CustomTestStringConvertible {
        var state: StateName
        var message: MessageName
        var action: String
        var next: StateName
        var testDescription: String { "\(message.rawValue) in \(state.rawValue) → \(action), \(next.rawValue)" }
    }

    /// Every state × every message.
    static let table: [Row] = {
        let ooo = "fail out-of-order"
        var rows: [Row] = []
        func add(_ s: StateName, _ expected: [MessageName: (String, StateName)]) {
            for m in MessageName.allCases {
                let (action, next) = expected[m] ?? (m == .bye ? ("bye", .closed) : (ooo, .closed))
                rows.append(Row(state: s, message: m, action: action, next: next))
            }
        }
        add(.awaitingHello, [.hello: ("challenge", .awaitingAuth)])
        add(.awaitingAuth, [.auth: ("verify-proof", .authenticating)])
        add(.authenticating, [:])
        add(.ready, [.push: ("push", .ready), .pull: ("pull", .ready), .verify: ("verify-digest", .ready),
                     .outcomes: ("outcomes", .ready), .resync: ("resync", .resyncing)])
        add(.mustResync, [.push: ("refuse resync-required", .mustResync), .pull: ("refuse resync-required", .mustResync),
                          .verify: ("refuse resync-required", .mustResync), .outcomes: ("refuse resync-required", .mustResync),
                          .resync: ("resync", .resyncing)])
        add(.resyncing, [:])
        add(.closed, [.bye: (ooo, .closed)])
        return rows
    }()

    @Test func tableCoversEveryStateAndMessage() {
        #expect(Self.table.count == StateName.allCases.count * MessageName.allCases.count)
    }

    @Test(arguments: table)
    func everyMessageInEveryState(_ row: Row) {
        var m = Self.machine(in: row.state)
        let action = m.receive(Self.message(row.message), nonce: { "n" })
        #expect(Self.kind(action) == row.action)
        #expect(Self.name(m.state) == row.next)
        if case .fail = action { #expect(m.isClosed) }
        if case .refuse(let e, _) = action { #expect(!e.code.isFatal) }
    }

    @Test func happyPath() {
        var m = HubSessionMachine()
        #expect(m.receive(.hello(Self.hello), nonce: { "abc" }) == .sendChallenge(nonce: "abc"))
        #expect(m.node == "beizhao")
        #expect(m.receive(.auth(proof: "p"), nonce: { "x" }) == .verify(node: "beizhao", proof: "p", nonce: "abc", hello: Self.hello))
        #expect(m.authenticated(Self.welcome()) == .sendWelcome(Self.welcome()))
        let peer = HubSessionMachine.Peer(node: "beizhao", village: "beizhao", head: 5)
        #expect(m.peer == peer)
        #expect(m.receive(.push(batch: 7, changes: [Self.change]), nonce: { "" }) == .push(peer, batch: 7, changes: [Self.change]))
        m.acknowledged([ChangeResult(seq: 1, status: .applied, hseq: 9)])
        #expect(m.peer?.head == 9)
        // A pull at the head the ack showed is served; the limit is clamped to the page size.
        #expect(m.receive(.pull(cursor: 9, limit: 0), nonce: { "" }) == .pull(.init(node: "beizhao", village: "beizhao", head: 9), cursor: 9, limit: 1))
        m.paged(cursor: 12, head: 12)
        #expect(m.receive(.pull(cursor: 12, limit: 5000), nonce: { "" })
                == .pull(.init(node: "beizhao", village: "beizhao", head: 12), cursor: 12, limit: Limits.standard.pageSize))
        #expect(m.receive(.verify(digest: Self.digest), nonce: { "" }) == .verifyDigest(.init(node: "beizhao", village: "beizhao", head: 12),
                                                                                      digest: Self.digest))
        // Outcomes are asked for the peer, ids as sent (the store filters what the node may see).
        #expect(m.receive(.outcomes(conflicts: [4, 2, 4]), nonce: { "" })
                == .outcomes(.init(node: "beizhao", village: "beizhao", head: 12), conflicts: [4, 2, 4]))
        guard case .refuse(let gap, 3) = m.seqGap(expected: 3) else { Issue.record("no seq-gap refusal"); return }
        #expect(gap.code == .seqGap && gap.message.contains("seq 3"))
        #expect(Self.name(m.state) == .ready)
        #expect(m.receive(.bye, nonce: { "" }) == .bye)
        #expect(m.isClosed)
    }

    @Test func theVerdictSticksUntilASnapshotCompletes() {
        var m = Self.machine(in: .mustResync)
        guard case .mustResync(_, let reason) = m.state else { Issue.record("not must resync"); return }
        #expect(reason == .hubReplaced)
        for message in [ClientMessage.push(batch: 1, changes: [Self.change]), .pull(cursor: 0, limit: nil), .verify(digest: Self.digest)] {
            guard case .refuse(let e, nil) = m.receive(message, nonce: { "" }) else { Issue.record("not refused"); continue }
            #expect(e.code == .resyncRequired)
            #expect(e.message.contains("hub replaced"))
        }
        guard case .resync(let peer) = m.receive(.resync, nonce: { "" }) else { Issue.record("no resync"); return }
        #expect(peer.village == "beizhao")
        m.snapshotSent(head: 40)
        #expect(m.state == .ready(.init(node: "beizhao", village: "beizhao", head: 40)))
        #expect(Self.kind(m.receive(.pull(cursor: 40, limit: nil), nonce: { "" })) == "pull")
        #expect(Self.kind(m.receive(.push(batch: 2, changes: [Self.change]), nonce: { "" })) == "push")
    }

    @Test func aPullBeyondTheHeadIsRefusedAndTheSessionMustResync() {
        var m = Self.machine(in: .ready)
        guard case .refuse(let e, nil) = m.receive(.pull(cursor: 6, limit: nil), nonce: { "" }) else {
            Issue.record("not refused")
            return
        }
        #expect(e.code == .resyncRequired)
        #expect(m.state == .mustResync(.init(node: "beizhao", village: "beizhao", head: 5), reason: .cursorAhead))
        // Even a pull from 0 is refused now, until the resync.
        #expect(Self.kind(m.receive(.pull(cursor: 0, limit: nil), nonce: { "" })) == "refuse resync-required")
    }

    @Test func negativeCursorsAreBadField() {
        var ready = Self.machine(in: .ready)
        #expect(Self.kind(ready.receive(.pull(cursor: -1, limit: nil), nonce: { "" })) == "fail bad-field")
        #expect(ready.isClosed)
        var must = Self.machine(in: .mustResync)
        #expect(Self.kind(must.receive(.pull(cursor: -1, limit: nil), nonce: { "" })) == "fail bad-field")
        var fresh = HubSessionMachine()
        var h = Self.hello
        h.cursor = -1
        #expect(Self.kind(fresh.receive(.hello(h), nonce: { "" })) == "fail bad-field")
        // The version is judged before the cursor.
        var other = HubSessionMachine()
        h.proto = 2
        #expect(Self.kind(other.receive(.hello(h), nonce: { "" })) == "fail unsupported-version")
    }

    @Test func batchTooLargeAndOtherEnds() {
        var limits = Limits.standard
        limits.maxBatch = 1
        var m = HubSessionMachine(limits: limits)
        _ = m.receive(.hello(Self.hello), nonce: { "n" })
        _ = m.receive(.auth(proof: ""), nonce: { "n" })
        _ = m.authenticated(Self.welcome())
        #expect(Self.kind(m.receive(.push(batch: 1, changes: [Self.change, Self.change]), nonce: { "" })) == "fail batch-too-large")
        // An outcomes request names at most max_batch conflicts too; an empty one is answered (with nothing).
        var asks = Self.machine(in: .ready)
        #expect(Self.kind(asks.receive(.outcomes(conflicts: []), nonce: { "" })) == "outcomes")
        #expect(Self.kind(asks.receive(.outcomes(conflicts: Array(1...Int64(Limits.standard.maxBatch))), nonce: { "" })) == "outcomes")
        #expect(Self.kind(asks.receive(.outcomes(conflicts: Array(1...Int64(Limits.standard.maxBatch + 1))), nonce: { "" }))
                == "fail batch-too-large")
        #expect(asks.isClosed)
        // In must-resync the verdict is judged before the size.
        var must = HubSessionMachine(limits: limits)
        _ = must.receive(.hello(Self.hello), nonce: { "n" })
        _ = must.receive(.auth(proof: ""), nonce: { "n" })
        _ = must.authenticated(Self.welcome(resync: .cursorAhead))
        #expect(Self.kind(must.receive(.push(batch: 1, changes: [Self.change, Self.change]), nonce: { "" })) == "refuse resync-required")

        var auth = Self.machine(in: .authenticating)
        #expect(Self.kind(auth.authFailed()) == "fail auth-failed")
        #expect(auth.isClosed)
        var decode = Self.machine(in: .ready)
        #expect(decode.decodeFailed(ProtocolError(.badJSON, "x")) == .fail(ProtocolError(.badJSON, "x")))
        #expect(decode.isClosed)
        var late = Self.machine(in: .ready)
        #expect(Self.kind(late.authenticated(Self.welcome())) == "fail internal")
        var gone = Self.machine(in: .ready)
        gone.failed()
        #expect(gone.isClosed && gone.node == nil)
    }
}
