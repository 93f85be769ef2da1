import Foundation
import HamletCore
import HamletHub
import HamletNet
import HamletProtocol
import HamletStore
import HamletTestSupport
import Testing

/// Every message type, over real TCP, in raw lines.
@Suite(.serialized)
struct HubConformanceTests {
    @Test func helloChallengeAuthWelcome() throws {
        let hub = try HubFixture()
        let client = try hub.connect()
        defer { client.close() }
        try client.send(client.helloLine("beizhao"))
        let challenge = try #require(try client.readLine())
        let message = try Codec.decodeHub(Array(challenge.utf8))
        guard case .challenge(let nonce) = message else { Issue.record("got \(challenge)"); return }
        #expect(nonce.count == 64 && nonce.allSatisfy(\.isHexDigit))
        let proof = try #require(Credentials.proof(secret: hub.node("beizhao").secret, nonce: nonce, node: "beizhao"))
        try client.send(#"{"type":"auth","proof":"\#(proof)"}"#)
        guard case .welcome(let w) = try client.read() else { Issue.record("no welcome"); return }
        #expect(w.hub == hub.hubID)
        #expect(w.epoch == hub.epoch)
        #expect(w.head == 0)
        #expect(w.lastSeq == 0)
        #expect(w.village == "beizhao")
        #expect(!w.resync)
        #expect(w.reason == nil)
        #expect(w.limits == hub.limits)
        try client.send(#"{"type":"bye"}"#)
        #expect(try client.read() == .bye)
        client.expectClosed()
        let line = try #require(hub.closeLine(of: client))
        #expect(line.contains("node=beizhao outcome=ok"))
        #expect(line.contains("skew_ms="))
        // The session is recorded in the nodes table.
        #expect(try waitUntil { try hub.openStore().node("beizhao")?.lastResult == "ok" })
    }

    @Test func eachHelloGetsAFreshNonce() throws {
        let hub = try HubFixture()
        var nonces: Set<String> = []
        for _ in 0..<3 {
            let client = try hub.connect()
            nonces.insert(try client.hello("beizhao"))
            client.close()
        }
        #expect(nonces.count == 3)
    }

    @Test func unknownNodeGetsAChallengeThenAuthFailed() throws {
        let hub = try HubFixture()
        let client = try hub.connect()
        defer { client.close() }
        let nonce = try client.hello("nobody")
        #expect(nonce.count == 64)
        let proof = try #require(Credentials.proof(secret: Credentials.makeSecret(), nonce: nonce, node: "nobody"))
        try client.send(#"{"type":"auth","proof":"\#(proof)"}"#)
        try client.expectError(.authFailed)
        client.expectClosed()
        #expect(hub.closeLine(of: client)?.contains("outcome=auth-failed") == true)
    }

    @Test func pushAppliedConflictAndRejected() throws {
        let hub = try HubFixture()
        let (clerk, _) = try hub.login("beizhao")
        let (doctor, _) = try hub.login("beizhao-doctor")
        defer { clerk.close(); doctor.close() }
        let a = hub.node("beizhao")
        let b = hub.node("beizhao-doctor")
        let row = Changes.newRowID()
        let created = try clerk.push(1, [Changes.household(a, seq: 1, row: row)])
        #expect(created == [ChangeResult(seq: 1, status: .applied, hseq: 1)])
        // The doctor edits the address having seen version 1: fast-forward.
        let forward = try doctor.push(1, [Changes.edit(b, seq: 1, row: row, field: "address", value: .text("北赵村二组 3 号"), base: 1)])
        #expect(forward.first?.status == .applied)
        #expect(forward.first?.hseq == 2)
        // The clerk edits the same field from version 1 too: concurrent, different value → review conflict.
        let results = try clerk.push(2, [
            Changes.edit(a, seq: 2, row: row, field: "address", value: .text("北赵村三组 8 号"), base: 1),
            Changes.invalidPerson(a, seq: 3),
            Changes.household(a, seq: 4, village: "nanzhuang"),
        ])
        #expect(results.count == 3)
        #expect(results[0].status == .conflict)
        #expect(results[0].hseq == 3)
        #expect(results[0].conflicts.count == 1)
        #expect(results[1].status == .rejected)
        #expect(results[1].code == "invalid-enum")
        #expect(results[1].hseq == nil)
        #expect(results[2].status == .rejected)
        #expect(results[2].code == "out-of-scope")
        // Rejection messages name fields, never values.
        #expect(results[1].message?.contains("X") == false)
    }

    @Test func resentBatchGetsOriginalResultsAndReusedSeqIsRefused() throws {
        let hub = try HubFixture()
        let a = hub.node("beizhao")
        let batch = (1...5).map { Changes.household(a, seq: Int64($0)) }
        let first: [ChangeResult]
        do {
            let (client, welcome) = try hub.login("beizhao")
            #expect(welcome.lastSeq == 0)
            first = try client.push(7, batch)
            client.close()
        }
        #expect(first.allSatisfy { $0.status == .applied && !$0.resent })
        let before = try hub.fingerprint()
        // Reconnect (a lost ack): the hub says what it holds, and a re-sent batch changes nothing.
        let (client, welcome) = try hub.login("beizhao")
        defer { client.close() }
        #expect(welcome.lastSeq == 5)
        #expect(welcome.head == 5)
        let again = try client.push(7, batch)
        #expect(again.map(\.hseq) == first.map(\.hseq))
        #expect(again.allSatisfy { $0.resent && $0.status == .applied })
        #expect(try hub.fingerprint() == before)
        // Seq 3 again with other content: refused, and the original stays.
        let reused = try client.push(8, [Changes.household(a, seq: 3, address: "别处")])
        #expect(reused.first?.status == .rejected)
        #expect(reused.first?.code == "seq-reused")
        #expect(reused.first?.resent == true)
        #expect(try hub.fingerprint() == before)
    }

    @Test func pullPagesUntilDoneOnlyOwnVillage() throws {
        let hub = try HubFixture()
        let (clerk, _) = try hub.login("beizhao")
        let (south, _) = try hub.login("nanzhuang")
        defer { clerk.close(); south.close() }
        let a = hub.node("beizhao")
        _ = try clerk.push(1, (1...25).map { Changes.household(a, seq: Int64($0)) })
        _ = try south.push(1, (1...4).map { Changes.household(hub.node("nanzhuang"), seq: Int64($0)) })
        let first = try clerk.pull(cursor: 0, limit: 10)
        #expect(first.items.count == 10)
        #expect(!first.done)
        #expect(first.head == 29)
        let all = try clerk.pullAll(from: 0, limit: 10)
        #expect(all.items.count == 25)
        #expect(all.pages == 3)
        #expect(all.cursor == 29)
        let ids = Set(all.items.compactMap { item -> String? in if case .put(let r) = item { return r.values["village"]?.text } else { return nil } })
        #expect(ids == ["beizhao"])
        // The page size caps the limit; nothing new after the head.
        #expect(try clerk.pull(cursor: 0, limit: 500).items.count == 10)
        let empty = try clerk.pull(cursor: 29)
        #expect(empty.items.isEmpty && empty.done && empty.cursor == 29)
        let south4 = try south.pullAll()
        #expect(south4.items.count == 4)
    }

    @Test func verifyMatchAndMismatch() throws {
        let hub = try HubFixture()
        let (clerk, _) = try hub.login("beizhao")
        defer { clerk.close() }
        let a = hub.node("beizhao")
        _ = try clerk.push(1, (1...3).map { Changes.household(a, seq: Int64($0)) })
        let pulled = try clerk.pullAll()
        var builder = DigestBuilder(schema: .register)
        var rows: [RowState] = []
        for item in pulled.items { if case .put(let r) = item { builder.add(r); rows.append(r) } }
        try clerk.send(.verify(digest: builder.finish()))
        #expect(try clerk.read() == .verified(match: true, tables: []))
        var wrong = DigestBuilder(schema: .register)
        for (i, var r) in rows.enumerated() {
            if i == 0 { r.values["address"] = .text("不一样") }
            wrong.add(r)
        }
        try clerk.send(.verify(digest: wrong.finish()))
        #expect(try clerk.read() == .verified(match: false, tables: ["households"]))
    }

    @Test func resyncStreamsAConsistentSnapshot() throws {
        let hub = try HubFixture()
        let (clerk, _) = try hub.login("beizhao")
        defer { clerk.close() }
        let a = hub.node("beizhao")
        _ = try clerk.push(1, (1...23).map { Changes.household(a, seq: Int64($0)) })
        _ = try clerk.push(2, [Changes.invalidPerson(a, seq: 24)])
        try clerk.send(#"{"type":"resync"}"#)
        guard case .snapshotBegin(let head, let epoch, let hubID) = try clerk.read() else { Issue.record("no begin"); return }
        #expect(head == 23 && epoch == hub.epoch && hubID == hub.hubID)
        var rows: [RowState] = []
        var pages = 0
        while true {
            let message = try clerk.read()
            if case .rows(let page) = message {
                #expect(page.count <= hub.limits.pageSize)
                rows += page
                pages += 1
                continue
            }
            guard case .snapshotEnd(let endHead, let count, let lastSeq, let clock) = message else {
                Issue.record("unexpected \(message.type)")
                return
            }
            #expect(endHead == 23)
            #expect(count == 23)
            #expect(lastSeq == 24)
            #expect(clock != nil)
            break
        }
        #expect(rows.count == 23)
        #expect(pages == 3)
        #expect(Set(rows.map(\.id)).count == 23)
        // The session goes on after a snapshot.
        #expect(try clerk.pull(cursor: 23).done)
        let line = try { clerk.close(); return try #require(hub.closeLine(of: clerk)) }()
        #expect(line.contains("resync=yes"))
    }

    @Test func byeClosesTheSession() throws {
        let hub = try HubFixture()
        let client = try hub.connect()
        try client.send(#"{"type":"bye"}"#)
        #expect(try client.read() == .bye)
        client.expectClosed()
    }

    @Test func welcomeAsksForResync() throws {
        let hub = try HubFixture()
        let cases: [(hub: String, epoch: String, cursor: Int64, reason: String?)] = [
            (hub.hubID, hub.epoch, 0, nil),
            ("", "", 0, nil),
            ("0190aaaa-0000-7000-8000-000000000000", hub.epoch, 0, "hub replaced"),
            (hub.hubID, "0190aaaa-0000-7000-8000-000000000001", 0, "hub restored from a backup"),
            (hub.hubID, hub.epoch, 5, "cursor ahead of hub"),
        ]
        for c in cases {
            let (client, welcome) = try hub.login("beizhao", hub: c.hub, epoch: c.epoch, cursor: c.cursor)
            client.close()
            #expect(welcome.resync == (c.reason != nil))
            #expect(welcome.reason == c.reason)
        }
    }

    @Test func restoredHubTakesANewEpoch() throws {
        let hub = try HubFixture(prepare: { try $0.setMeta("restored", "1") })
        let (client, welcome) = try hub.login("beizhao", hub: hub.hubID, epoch: hub.epoch)
        defer { client.close() }
        #expect(welcome.epoch != hub.epoch)
        #expect(welcome.resync)
        #expect(welcome.reason == "hub restored from a backup")
        #expect(try hub.openStore().lineage().count == 2)
        #expect(hub.logger.all.contains { $0.contains("restored") })
    }

    @Test func pipelinedMessagesAreAnsweredInOrder() throws {
        let hub = try HubFixture()
        let (clerk, _) = try hub.login("beizhao")
        defer { clerk.close() }
        let a = hub.node("beizhao")
        var bytes = Codec.encode(ClientMessage.push(batch: 1, changes: [Changes.household(a, seq: 1)]))
        bytes += Codec.encode(ClientMessage.pull(cursor: 0, limit: nil))
        bytes += Codec.encode(ClientMessage.bye)
        try clerk.sendBytes(bytes)
        guard case .ack = try clerk.read() else { Issue.record("no ack"); return }
        guard case .page(let items, _, _, _, _) = try clerk.read() else { Issue.record("no page"); return }
        #expect(items.count == 1)
        #expect(try clerk.read() == .bye)
    }

    @Test func logLinesCarryNoRecordValues() throws {
        let hub = try HubFixture()
        let (clerk, _) = try hub.login("beizhao")
        let a = hub.node("beizhao")
        _ = try clerk.push(1, [Changes.household(a, seq: 1, address: "秘密地址 99 号"), Changes.invalidPerson(a, seq: 2)])
        clerk.close()
        let line = try #require(hub.closeLine(of: clerk))
        #expect(line.contains("pushed=2 accepted=1 conflicts=0 rejected=1"))
        #expect(!hub.logger.all.contains { $0.contains("秘密") || $0.contains("张三") })
    }
}
