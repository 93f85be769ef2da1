import Foundation
import HamletCore
import HamletHub
import HamletNet
import HamletProtocol
import HamletStore
import HamletTestSupport
import Testing

/// The session rules a raw client can break: the resync verdict, the head a pull may name, negative cursors,
/// another node's changes, and seq gaps (PROTOCOL.md §4, §6, §7, §9).
@Suite(.serialized)
struct HubSessionRulesTests {
    static let otherHub = "0190aaaa-0000-7000-8000-000000000000"

    /// A hub where beizhao has pushed three households (head 3).
    func hubWithRows() throws -> HubFixture {
        let hub = try HubFixture()
        let (client, _) = try hub.login("beizhao")
        defer { client.close() }
        let a = hub.node("beizhao")
        #expect(try client.push(1, (1...3).map { Changes.household(a, seq: Int64($0)) }).allSatisfy { $0.status == .applied })
        return hub
    }

    /// Reads a whole snapshot; returns its head and row count.
    func readSnapshot(_ client: RawClient) throws -> (head: Int64, rows: Int) {
        guard case .snapshotBegin(let head, _, _) = try client.read() else { throw TestFailure("no snapshot-begin") }
        var rows = 0
        while true {
            switch try client.read() {
            case .rows(let r): rows += r.count
            case .snapshotEnd(let end, let count, _, _):
                #expect(end == head && Int(count) == rows)
                return (head, rows)
            case let other: throw TestFailure("unexpected \(other.type)")
            }
        }
    }

    @Test("after welcome resync:true, push, pull and verify are refused (not fatal) until a snapshot completes")
    func verdictIsEnforced() throws {
        let hub = try hubWithRows()
        let a = hub.node("beizhao")
        let (client, welcome) = try hub.login("beizhao", hub: Self.otherHub, epoch: hub.epoch, cursor: 0)
        defer { client.close() }
        #expect(welcome.resync && welcome.reason == "hub replaced")
        let before = try hub.fingerprint()
        try client.send(.push(batch: 2, changes: [Changes.household(a, seq: 4)]))
        let refused = try client.expectErrorLine(.resyncRequired)
        #expect(refused.message.contains("hub replaced"))
        try client.send(.pull(cursor: 0, limit: nil))
        try client.expectError(.resyncRequired)
        try client.send(.verify(digest: DigestBuilder(schema: .register).finish()))
        try client.expectError(.resyncRequired)
        #expect(try hub.fingerprint() == before, "the refused push changed nothing")
        // The same connection resyncs, then the session is ordinary.
        try client.send(.resync)
        let snapshot = try readSnapshot(client)
        #expect(snapshot.head == 3 && snapshot.rows == 3)
        #expect(try client.pull(cursor: snapshot.head).done)
        #expect(try client.push(3, [Changes.household(a, seq: 4)]).first?.status == .applied)
    }

    @Test("a stale cursor at login gets resync:true and its pull is refused, not answered with an empty page")
    func staleCursorPullIsRefused() throws {
        let hub = try hubWithRows()
        let (client, welcome) = try hub.login("beizhao", hub: hub.hubID, epoch: hub.epoch, cursor: 50)
        defer { client.close() }
        #expect(welcome.resync && welcome.reason == "cursor ahead of hub")
        try client.send(.pull(cursor: 50, limit: nil))
        try client.expectError(.resyncRequired)
        try client.send(#"{"type":"resync"}"#)
        _ = try readSnapshot(client)
        #expect(try client.pull(cursor: 3).done)
    }

    @Test("a pull beyond the head the session has shown is refused, and the session must then resync")
    func pullBeyondHead() throws {
        let hub = try hubWithRows()
        let (client, welcome) = try hub.login("beizhao", hub: hub.hubID, epoch: hub.epoch, cursor: 3)
        defer { client.close() }
        #expect(!welcome.resync && welcome.head == 3)
        #expect(try client.pull(cursor: 3).done)
        try client.send(.pull(cursor: 4, limit: nil))
        try client.expectError(.resyncRequired)
        try client.send(.pull(cursor: 0, limit: nil))
        try client.expectError(.resyncRequired)
        try client.send(.resync)
        _ = try readSnapshot(client)
        #expect(try client.pullAll(from: 0).items.count == 3)
        // A head learnt from this session's own ack is a head too.
        #expect(try client.push(2, [Changes.household(hub.node("beizhao"), seq: 4)]).first?.hseq == 4)
        #expect(try client.pull(cursor: 4).done)
    }

    @Test("a negative cursor is bad-field, in hello and in pull")
    func negativeCursor() throws {
        let hub = try HubFixture()
        let (client, _) = try hub.login("beizhao")
        defer { client.close() }
        try client.send(#"{"type":"pull","cursor":-1}"#)
        let line = try client.expectErrorLine(.badField)
        #expect(line.message.contains("cursor"))
        client.expectClosed()
        let fresh = try hub.connect()
        defer { fresh.close() }
        try fresh.send(fresh.helloLine("beizhao", cursor: -1))
        try fresh.expectError(.badField)
        fresh.expectClosed()
    }

    @Test("a change naming another node whose seq the sender already used is seq-reused; a new one is invalid-change")
    func forgedNode() throws {
        let hub = try HubFixture()
        let a = hub.node("beizhao")
        let doctor = hub.node("beizhao-doctor")
        let (client, _) = try hub.login("beizhao")
        defer { client.close() }
        #expect(try client.push(1, [Changes.household(a, seq: 1)]).first?.status == .applied)
        var forged = Changes.household(a, seq: 1)
        forged.node = doctor.id
        let reused = try #require(try client.push(2, [forged]).first)
        #expect(reused.status == .rejected && reused.code == "seq-reused" && reused.resent)
        forged.seq = 2
        let invalid = try #require(try client.push(3, [forged]).first)
        #expect(invalid.status == .rejected && invalid.code == "invalid-change")
    }

    @Test("a forged change never spoils the named node's seqs")
    func forgedNodeLeavesTheNamedNodeAlone() throws {
        let hub = try HubFixture()
        let doctor = hub.node("beizhao-doctor")
        let (client, _) = try hub.login("beizhao")
        defer { client.close() }
        var forged = Changes.household(doctor, seq: 1)
        forged.node = doctor.id
        #expect(try client.push(1, [forged]).first?.code == "invalid-change")
        let (real, welcome) = try hub.login("beizhao-doctor")
        defer { real.close() }
        #expect(welcome.lastSeq == 0)
        #expect(try real.push(1, [Changes.household(doctor, seq: 1)]).first?.status == .applied)
        let (again, after) = try hub.login("beizhao")
        defer { again.close() }
        #expect(after.lastSeq == 1, "the forged change used up the sender's seq 1")
    }

    @Test("a gap is refused with seq-gap and expected_seq (not fatal); nothing of the batch is applied")
    func seqGap() throws {
        let hub = try HubFixture()
        let a = hub.node("beizhao")
        let (client, _) = try hub.login("beizhao")
        defer { client.close() }
        #expect(try client.push(1, [Changes.household(a, seq: 1)]).first?.status == .applied)
        let before = try hub.fingerprint()
        // A gap at the start of the push: expected_seq is last_seq + 1.
        try client.send(.push(batch: 2, changes: [Changes.household(a, seq: 3)]))
        #expect(try client.expectErrorLine(.seqGap).expectedSeq == 2)
        // A gap inside it: nothing was applied, so expected_seq is still last_seq + 1.
        try client.send(.push(batch: 2, changes: [Changes.household(a, seq: 2), Changes.household(a, seq: 4)]))
        #expect(try client.expectErrorLine(.seqGap).expectedSeq == 2)
        #expect(try hub.fingerprint() == before)
        // The session goes on: push again from the expected seq.
        #expect(try client.push(3, (2...4).map { Changes.household(a, seq: Int64($0)) }).allSatisfy { $0.status == .applied })
        let (again, welcome) = try hub.login("beizhao")
        defer { again.close() }
        #expect(welcome.lastSeq == 4)
        // Seq 0 and below are rejected, not recorded.
        let zero = try #require(try again.push(4, [Changes.household(a, seq: 0)]).first)
        #expect(zero.status == .rejected && zero.code == "invalid-change")
    }
}
