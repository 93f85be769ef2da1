import HamletCore
import HamletProtocol
import Testing

/// The node's session machine: every hub message in every state, the node's requests, the verdict, and the
/// happy paths.
struct NodeSessionMachineTests {
    enum StateName: String, CaseIterable, Sendable {
        case idle, awaitingChallenge, proving, awaitingWelcome, ready, mustResync, awaitingAck, awaitingPage, awaitingVerified
        case awaitingConflicts, awaitingSnapshot, receivingSnapshot, awaitingBye, closed
    }

    enum MessageName: String, CaseIterable, Sendable {
        case challenge, welcome, ack, page, verified, conflicts, snapshotBegin, rows, snapshotEnd, bye
        case fatalError, resyncRequired, seqGap
    }

    static let hello = ClientMessage.Hello(node: "beizhao", client: "t", hub: "", epoch: "", cursor: 0, clock: nil)
    static let row = RowState(table: "households", id: "01a20814-a626-77d5-9cbc-2e89ff793c00", values: ["village": .text("beizhao")],
                              versions: ["village": 3], deleted: false, mergedInto: nil, hseq: 3)

    static func change(_ seq: Int64) -> Change {
        Change(node: "beizhao", seq: seq, table: "households", row: row.id, op: .put, values: ["village": .text("beizhao")],
               bases: ["village": 0], rowBase: 0, hlc: HLC(wall: 1, counter: seq, node: "beizhao"), author: "", epoch: "")
    }

    static func welcome(head: Int64 = 5, lastSeq: Int64 = 0, village: String = "beizhao", resync: String? = nil,
                        hub: String = "h", epoch: String = "e", features: [String]? = ProtocolFeature.all) -> HubMessage.Welcome {
        HubMessage.Welcome(hub: hub, epoch: epoch, head: head, lastSeq: lastSeq, village: village, resync: resync != nil, reason: resync,
                           limits: .standard, clock: nil, features: features)
    }

    /// A settled field conflict, as the hub answers `outcomes`.
    static let settled = ConflictOutcome(id: 1, kind: "field", status: "resolved", table: "households", row: row.id, field: "address",
                                         resolution: "take village", resolvedBy: "镇管理员", resolvedAt: 1_767_229_200_000,
                                         note: "核实过", value: .text("北赵村三组 8 号"))

    static func message(_ name: MessageName) -> HubMessage {
        switch name {
        case .challenge: return .challenge(nonce: "ab")
        case .welcome: return .welcome(welcome())
        case .ack: return .ack(batch: 1, results: [ChangeResult(seq: 1, status: .applied, hseq: 6)])
        case .page: return .page(items: [.put(row)], cursor: 6, head: 6, done: true, clock: nil)
        case .verified: return .verified(match: true, tables: [])
        case .conflicts: return .conflicts([settled])
        case .snapshotBegin: return .snapshotBegin(head: 5, epoch: "e", hub: "h")
        case .rows: return .rows([row])
        case .snapshotEnd: return .snapshotEnd(head: 5, count: 0, lastSeq: 0, clock: nil)
        case .bye: return .bye
        case .fatalError: return .error(code: .timeout, message: "no message", fatal: true, retryAfter: nil, expectedSeq: nil)
        case .resyncRequired: return .error(code: .resyncRequired, message: "resync", fatal: false, retryAfter: nil, expectedSeq: nil)
        case .seqGap: return .error(code: .seqGap, message: "gap", fatal: false, retryAfter: nil, expectedSeq: 3)
        }
    }

    static func started() -> NodeSessionMachine {
        var m = NodeSessionMachine()
        _ = m.start(hello: hello, village: "beizhao", nextSeq: 2, asked: false, mayRepair: true)
        return m
    }

    /// A machine brought to `state` through its own events.
    static func machine(in state: StateName) -> NodeSessionMachine {
        var m = NodeSessionMachine()
        func ready() {
            m = started()
            _ = m.receive(.challenge(nonce: "ab"))
            _ = m.prove("p")
            _ = m.receive(.welcome(welcome()))
        }
        switch state {
        case .idle: break
        case .awaitingChallenge: m = started()
        case .proving: m = started(); _ = m.receive(.challenge(nonce: "ab"))
        case .awaitingWelcome: m = started(); _ = m.receive(.challenge(nonce: "ab")); _ = m.prove("p")
        case .ready: ready()
        case .mustResync:
            m = started()
            _ = m.receive(.challenge(nonce: "ab"))
            _ = m.prove("p")
            _ = m.receive(.welcome(welcome(resync: "hub replaced")))
        case .awaitingAck: ready(); _ = m.push(batch: 1, changes: [change(1)])
        case .awaitingPage: ready(); _ = m.pull(cursor: 5, limit: nil)
        case .awaitingVerified: ready(); _ = m.verify(ScopeDigest(tables: [:]))
        case .awaitingConflicts: ready(); _ = m.outcomes([1, 2])
        case .awaitingSnapshot: ready(); _ = m.resync(.asked)
        case .receivingSnapshot: ready(); _ = m.resync(.asked); _ = m.receive(.snapshotBegin(head: 5, epoch: "e", hub: "h"))
        case .awaitingBye: ready(); _ = m.bye()
        case .closed: ready(); m.closed()
        }
        #expect(name(m) == state)
        return m
    }

    static func name(_ m: NodeSessionMachine) -> StateName {
        switch m.state {
        case .idle: return .idle
        case .awaitingChallenge: return .awaitingChallenge
        case .proving: return .proving
        case .awaitingWelcome: return .awaitingWelcome
        case .ready: return m.verdict == nil ? .ready : .mustResync
        case .awaitingAck: return .awaitingAck
        case .awaitingPage: return .awaitingPage
        case .awaitingVerified: return .awaitingVerified
        case .awaitingConflicts: return .awaitingConflicts
        case .awaitingSnapshot: return .awaitingSnapshot
        case .receivingSnapshot: return .receivingSnapshot
        case .awaitingBye: return .awaitingBye
        case .closed: return .closed
        }
    }

    static func kind(_ a: NodeSessionMachine.Action) -> String {
        switch a {
        case .send(let m): return "send \(m.type)"
        case .prove: return "prove"
        case .welcomed(_, let r): return r == nil ? "welcomed" : "welcomed, resync"
        case .applyAck: return "apply ack"
        case .applyPage: return "apply page"
        case .repush(let from): return "repush \(from)"
        case .startResync: return "start resync"
        case .verified: return "verified"
        case .applyOutcomes: return "apply outcomes"
        case .beginSnapshot: return "begin snapshot"
        case .applyRows: return "apply rows"
        case .finishSnapshot: return "finish snapshot"
        case .finished: return "finished"
        case .fail(.hub(let code, _, _)): return "fail hub \(code.rawValue)"
        case .fail(.unexpected): return "fail unexpected"
        case .fail(.wrongVillage): return "fail wrong village"
        case .fail(.misuse): return "fail misuse"
        }
    }

    struct Row: Sendable, CustomTestStringConvertible {
        var state: StateName
        var message: MessageName
        var action: String
        var next: StateName
        var testDescription: String { "\(message.rawValue) in \(state.rawValue) → \(action), \(next.rawValue)" }
    }

    /// Every state × every hub message.
    static let table: [Row] = {
        var rows: [Row] = []
        for s in StateName.allCases {
            for m in MessageName.allCases {
                var expected: (String, StateName) = ("fail unexpected", .closed)
                switch (s, m) {
                case (_, .fatalError): expected = ("fail hub timeout", .closed)
                case (.awaitingAck, .resyncRequired), (.awaitingPage, .resyncRequired), (.awaitingVerified, .resyncRequired),
                     (.awaitingConflicts, .resyncRequired):
                    expected = ("start resync", .mustResync)
                case (_, .resyncRequired): expected = ("fail hub resync-required", .closed)
                case (.awaitingAck, .seqGap): expected = ("repush 1", .ready)
                case (_, .seqGap): expected = ("fail hub seq-gap", .closed)
                case (.awaitingChallenge, .challenge): expected = ("prove", .proving)
                case (.awaitingWelcome, .welcome): expected = ("welcomed", .ready)
                case (.awaitingAck, .ack): expected = ("apply ack", .ready)
                case (.awaitingPage, .page): expected = ("apply page", .ready)
                case (.awaitingVerified, .verified): expected = ("verified", .ready)
                case (.awaitingConflicts, .conflicts): expected = ("apply outcomes", .ready)
                case (.awaitingSnapshot, .snapshotBegin): expected = ("begin snapshot", .receivingSnapshot)
                case (.receivingSnapshot, .rows): expected = ("apply rows", .receivingSnapshot)
                case (.receivingSnapshot, .snapshotEnd): expected = ("finish snapshot", .ready)
                case (.awaitingBye, .bye): expected = ("finished", .closed)
                default: break
                }
                rows.append(Row(state: s, message: m, action: expected.0, next: expected.1))
            }
        }
        return rows
    }()

    @Test func tableCoversEveryStateAndMessage() {
        #expect(Self.table.count == StateName.allCases.count * MessageName.allCases.count)
    }

    @Test(arguments: table)
    func everyMessageInEveryState(_ row: Row) {
        var m = Self.machine(in: row.state)
        let action = m.receive(Self.message(row.message))
        #expect(Self.kind(action) == row.action)
        #expect(Self.name(m) == row.next)
    }

    /// The node's own requests, in the states where they matter.
    struct RequestRow: Sendable, CustomTestStringConvertible {
        var state: StateName
        var request: String
        var action: String
        var testDescription: String { "\(request) in \(state.rawValue) → \(action)" }
    }

    static let requests: [RequestRow] = {
        var rows: [RequestRow] = []
        for s: StateName in [.ready, .mustResync, .awaitingAck, .closed] {
            for r in ["push", "pull", "verify", "outcomes", "resync", "bye"] {
                let action: String
                switch (s, r) {
                case (.ready, _): action = "send \(r)"
                case (.mustResync, "resync"), (.mustResync, "bye"): action = "send \(r)"
                case (.awaitingAck, "bye"): action = "send bye"
                default: action = "fail misuse"
                }
                rows.append(RequestRow(state: s, request: r, action: action))
            }
        }
        return rows
    }()

    @Test(arguments: requests)
    func requestsInState(_ row: RequestRow) {
        var m = Self.machine(in: row.state)
        let action: NodeSessionMachine.Action
        switch row.request {
        case "push": action = m.push(batch: 9, changes: [Self.change(2)])
        case "pull": action = m.pull(cursor: 5, limit: 10)
        case "verify": action = m.verify(ScopeDigest(tables: [:]))
        case "outcomes": action = m.outcomes([1])
        case "resync": action = m.resync(.asked)
        default: action = m.bye()
        }
        #expect(Self.kind(action) == row.action)
    }

    @Test func happyPathWithARepairedMismatch() {
        var m = NodeSessionMachine()
        #expect(m.start(hello: Self.hello, village: "beizhao", nextSeq: 3, asked: false, mayRepair: true) == .send(.hello(Self.hello)))
        #expect(m.receive(.challenge(nonce: "ab")) == .prove(nonce: "ab"))
        #expect(m.prove("pp") == .send(.auth(proof: "pp")))
        #expect(m.receive(.welcome(Self.welcome(lastSeq: 1))) == .welcomed(Self.welcome(lastSeq: 1), resync: nil))
        #expect(m.push(batch: 1, changes: [Self.change(2)]) == .send(.push(batch: 1, changes: [Self.change(2)])))
        let results = [ChangeResult(seq: 2, status: .applied, hseq: 9)]
        #expect(m.receive(.ack(batch: 1, results: results)) == .applyAck(batch: 1, results: results))
        #expect(m.head == 9)
        #expect(m.pull(cursor: 0, limit: 100) == .send(.pull(cursor: 0, limit: 100)))
        #expect(m.receive(.page(items: [], cursor: 9, head: 9, done: false, clock: nil)) == .applyPage(items: [], cursor: 9, head: 9, done: false, clock: nil))
        #expect(m.verify(ScopeDigest(tables: [:])) == .send(.verify(digest: ScopeDigest(tables: [:]))))
        #expect(m.receive(.verified(match: false, tables: ["people"])) == .verified(match: false, tables: ["people"], resync: .verifyMismatch))
        // The verdict stands until the snapshot: no pulling meanwhile.
        #expect(Self.kind(m.pull(cursor: 9, limit: nil)) == "fail misuse")
    }

    @Test func snapshotIsCheckedAndLiftsTheVerdict() {
        var m = Self.machine(in: .mustResync)
        #expect(m.verdict == .hubReplaced)
        #expect(m.resync(.asked) == .send(.resync))
        guard case .beginSnapshot(let s) = m.receive(.snapshotBegin(head: 8, epoch: "e2", hub: "h2")) else {
            Issue.record("no begin")
            return
        }
        #expect(s.reason == .hubReplaced && s.head == 8 && s.rows == 0)
        #expect(m.receive(.rows([Self.row, Self.row])) == .applyRows([Self.row, Self.row]))
        guard case .finishSnapshot(let done, let lastSeq, _) = m.receive(.snapshotEnd(head: 8, count: 2, lastSeq: 4, clock: nil)) else {
            Issue.record("no finish")
            return
        }
        #expect(done.rows == 2 && done.hub == "h2" && done.epoch == "e2" && lastSeq == 4)
        #expect(m.verdict == nil && m.resynced && m.state == .ready)
        // A second mismatch after a resync is not repaired again.
        _ = m.verify(ScopeDigest(tables: [:]))
        #expect(m.receive(.verified(match: false, tables: [])) == .verified(match: false, tables: [], resync: nil))
        // Nor is a second resync-required followed.
        _ = m.pull(cursor: 8, limit: nil)
        #expect(Self.kind(m.receive(Self.message(.resyncRequired))) == "fail hub resync-required")
    }

    @Test func whatTheHubSendsIsChecked() {
        var short = Self.machine(in: .receivingSnapshot)
        #expect(Self.kind(short.receive(.snapshotEnd(head: 5, count: 3, lastSeq: 0, clock: nil))) == "fail unexpected")
        var moved = Self.machine(in: .receivingSnapshot)
        #expect(Self.kind(moved.receive(.snapshotEnd(head: 6, count: 0, lastSeq: 0, clock: nil))) == "fail unexpected")
        var batch = Self.machine(in: .awaitingAck)
        #expect(Self.kind(batch.receive(.ack(batch: 2, results: [ChangeResult(seq: 1, status: .applied, hseq: 6)]))) == "fail unexpected")
        var partial = Self.machine(in: .awaitingAck)
        #expect(Self.kind(partial.receive(.ack(batch: 1, results: []))) == "fail unexpected")
        var stuck = Self.machine(in: .awaitingPage)
        #expect(Self.kind(stuck.receive(.page(items: [], cursor: 5, head: 9, done: false, clock: nil))) == "fail unexpected")
        var back = Self.machine(in: .awaitingPage)
        #expect(Self.kind(back.receive(.page(items: [], cursor: 4, head: 9, done: true, clock: nil))) == "fail unexpected")
        var done = Self.machine(in: .awaitingPage)
        #expect(Self.kind(done.receive(.page(items: [], cursor: 5, head: 5, done: true, clock: nil))) == "apply page")
        var village = Self.machine(in: .awaitingWelcome)
        #expect(Self.kind(village.receive(.welcome(Self.welcome(village: "nanzhuang")))) == "fail wrong village")
        var noSeq = Self.machine(in: .awaitingAck)
        #expect(Self.kind(noSeq.receive(.error(code: .seqGap, message: "g", fatal: false, retryAfter: nil, expectedSeq: nil)))
                == "fail unexpected")
        var fatalGap = Self.machine(in: .awaitingAck)
        #expect(Self.kind(fatalGap.receive(.error(code: .seqGap, message: "g", fatal: true, retryAfter: nil, expectedSeq: 3)))
                == "fail hub seq-gap")
    }

    @Test("outcomes: only to a hub that announced them, 1…max_batch ids; the answer may leave ids out but names none not asked, none twice")
    func outcomesAreAskedAndChecked() {
        var m = Self.machine(in: .ready)
        #expect(m.features == [ProtocolFeature.outcomes])
        // (A misuse ends the session: each refusal on a machine of its own.)
        var empty = Self.machine(in: .ready)
        #expect(Self.kind(empty.outcomes([])) == "fail misuse")
        var long = Self.machine(in: .ready)
        #expect(Self.kind(long.outcomes(Array(1...Int64(Limits.standard.maxBatch + 1)))) == "fail misuse")
        #expect(m.outcomes([1, 2, 3]) == .send(.outcomes(conflicts: [1, 2, 3])))
        // Conflict 2 is another village's: the hub leaves it out, and that is all the node learns.
        let answer = [Self.settled, ConflictOutcome(id: 3, kind: "delete", status: "open")]
        #expect(m.receive(.conflicts(answer)) == .applyOutcomes(answer))
        #expect(m.state == .ready)
        var stranger = Self.machine(in: .awaitingConflicts)
        #expect(Self.kind(stranger.receive(.conflicts([ConflictOutcome(id: 9, kind: "field", status: "open")]))) == "fail unexpected")
        var twice = Self.machine(in: .awaitingConflicts)
        #expect(Self.kind(twice.receive(.conflicts([Self.settled, Self.settled]))) == "fail unexpected")
        var none = Self.machine(in: .awaitingConflicts)
        #expect(none.receive(.conflicts([])) == .applyOutcomes([]))

        // An older hub announces nothing: the node never sends a type that hub would not know.
        var old = NodeSessionMachine()
        _ = old.start(hello: Self.hello, village: "beizhao", nextSeq: 1, asked: false, mayRepair: true)
        _ = old.receive(.challenge(nonce: "ab"))
        _ = old.prove("p")
        _ = old.receive(.welcome(Self.welcome(features: nil)))
        #expect(old.features.isEmpty)
        #expect(Self.kind(old.outcomes([1])) == "fail misuse")
    }

    @Test("seq-gap: push again from expected_seq, or from the refused batch's first seq when lower (nothing of it was applied)")
    func seqGapRepushesFromTheLowerSeq() {
        for (batch, expected, from): ([Int64], Int64, Int64) in [([5, 6], 3, 3), ([2, 4], 3, 2), ([3], 3, 3)] {
            var m = Self.machine(in: .ready)
            _ = m.push(batch: 1, changes: batch.map(Self.change))
            let gap = HubMessage.error(code: .seqGap, message: "g", fatal: false, retryAfter: nil, expectedSeq: expected)
            #expect(m.receive(gap) == .repush(from: from), "batch \(batch), expected \(expected)")
        }
    }

    @Test func aSecondSeqGapEndsTheSession() {
        var m = Self.machine(in: .awaitingAck)
        #expect(m.receive(Self.message(.seqGap)) == .repush(from: 1))
        _ = m.push(batch: 2, changes: [Self.change(3)])
        #expect(Self.kind(m.receive(Self.message(.seqGap))) == "fail hub seq-gap")
        #expect(m.state == .closed)
    }

    @Test func theRateLimitWaitIsPassedOn() {
        var m = Self.machine(in: .awaitingChallenge)
        #expect(m.receive(.error(code: .rateLimited, message: "wait", fatal: true, retryAfter: 30, expectedSeq: nil))
                == .fail(.hub(code: .rateLimited, message: "wait", retryAfter: 30)))
    }

    @Test func welcomeVerdictComesFromThePolicy() {
        func verdict(_ hello: ClientMessage.Hello, _ w: HubMessage.Welcome, nextSeq: Int64 = 5, asked: Bool = false) -> ResyncReason? {
            var m = NodeSessionMachine()
            _ = m.start(hello: hello, village: "beizhao", nextSeq: nextSeq, asked: asked, mayRepair: true)
            _ = m.receive(.challenge(nonce: "ab"))
            _ = m.prove("p")
            guard case .welcomed(_, let r) = m.receive(.welcome(w)) else { return nil }
            #expect(m.verdict == r)
            return r
        }
        var synced = Self.hello
        synced.hub = "h"
        synced.epoch = "e"
        synced.cursor = 3
        #expect(verdict(synced, Self.welcome()) == nil)
        #expect(verdict(synced, Self.welcome(), asked: true) == .asked)
        #expect(verdict(synced, Self.welcome(resync: "hub restored from a backup")) == .hubRestored)
        #expect(verdict(synced, Self.welcome(resync: "a reason from a newer hub")) == .hubAsked)
        #expect(verdict(synced, Self.welcome(hub: "other")) == .hubReplaced)
        #expect(verdict(synced, Self.welcome(head: 2)) == .cursorAhead)
        #expect(verdict(synced, Self.welcome(lastSeq: 5), nextSeq: 5) == .hubHoldsLaterSeqs)
        var noHub = synced
        noHub.hub = ""
        noHub.epoch = ""
        #expect(verdict(noHub, Self.welcome()) == .anotherHub)
        noHub.cursor = 0
        #expect(verdict(noHub, Self.welcome()) == nil)
    }
}
