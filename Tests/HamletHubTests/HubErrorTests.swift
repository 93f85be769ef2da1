import Foundation
import HamletCore
import HamletHub
import HamletNet
import HamletProtocol
import HamletStore
import HamletTestSupport
import Testing

/// Every wire error code, over real TCP: the error line, the close, and a store left as it was.
@Suite(.serialized)
struct HubErrorTests {
    /// Sends `bytes` on a fresh connection (after a login when `login`), expects `code`, the close, and no store change.
    func expect(_ code: ErrorCode, after bytes: [UInt8], login: Bool = false, hub: HubFixture? = nil,
                sourceLocation: SourceLocation = #_sourceLocation) throws {
        let hub = try hub ?? HubFixture()
        let before = try hub.fingerprint()
        let client: RawClient
        if login {
            client = try hub.login("beizhao").0
        } else {
            client = try hub.connect()
        }
        defer { client.close() }
        try client.sendBytes(bytes)
        try client.expectError(code, sourceLocation: sourceLocation)
        client.expectClosed(sourceLocation: sourceLocation)
        let line = hub.closeLine(of: client)
        #expect(line?.contains("outcome=") == true, sourceLocation: sourceLocation)
        #expect(try hub.fingerprint() == before, sourceLocation: sourceLocation)
    }

    @Test func lineTooLong() throws {
        var limits = HubFixture.testLimits
        limits.maxLine = 1024
        let hub = try HubFixture(limits: limits)
        try expect(.lineTooLong, after: Array(repeating: UInt8(ascii: "a"), count: 2000), hub: hub)
        // A complete line over the cap, after login.
        let push = Codec.encode(ClientMessage.push(batch: 1, changes: (1...20).map { Changes.household(hub.node("beizhao"), seq: Int64($0)) }))
        #expect(push.count > 1024)
        try expect(.lineTooLong, after: push, login: true, hub: hub)
    }

    @Test func badUTF8() throws {
        try expect(.badUTF8, after: [0x7B, 0xFF, 0xFE, 0x7D, 10])
    }

    @Test func badJSON() throws {
        try expect(.badJSON, after: Array("{nope\n".utf8))
    }

    @Test func notAnObject() throws {
        try expect(.notAnObject, after: Array("[1,2,3]\n".utf8))
    }

    @Test func missingType() throws {
        try expect(.missingType, after: Array(#"{"protocol":1,"node":"beizhao"}"#.utf8) + [10])
    }

    @Test func unknownType() throws {
        try expect(.unknownType, after: Array(#"{"type":"dance"}"#.utf8) + [10])
    }

    @Test func badField() throws {
        let hub = try HubFixture()
        try expect(.badField, after: Array(#"{"type":"hello","protocol":"one","node":"beizhao","client":"x","hub":"","epoch":"","cursor":0}"#.utf8) + [10],
                   hub: hub)
        // A push whose change lacks its hlc, after login: nothing of the batch is stored.
        let row = Changes.newRowID()
        let bad = #"{"type":"push","batch":1,"changes":[{"node":"beizhao","seq":1,"table":"households","row":"\#(row)","op":"put","values":{"village":"beizhao","address":"x"}}]}"#
        try expect(.badField, after: Array(bad.utf8) + [10], login: true, hub: hub)
    }

    @Test("a valid JSON number that is not an int is bad-field naming the path, never bad-json")
    func wrongTypedNumbersAreBadField() throws {
        let hub = try HubFixture()
        let row = Changes.newRowID()
        for number in ["1.5", "1.0", "1e3", "18446744073709551616"] {
            let pull = #"{"type":"pull","cursor":\#(number)}"#
            try expect(.badField, after: Array(pull.utf8) + [10], login: true, hub: hub)
            let push = #"{"type":"push","batch":1,"changes":[{"node":"beizhao","seq":\#(number),"table":"households","row":"\#(row)","op":"put","values":{"village":"beizhao","address":"x"},"hlc":"001767225600710.000001.beizhao"}]}"#
            let client = try hub.login("beizhao").0
            defer { client.close() }
            try client.send(push)
            let line = try client.expectErrorLine(.badField)
            #expect(line.message == "wrong type at changes.0.seq: expected an integer within 64 bits")
            client.expectClosed()
        }
        let hello = #"{"type":"hello","protocol":1,"node":"beizhao","client":"x","hub":"","epoch":"","cursor":1.5}"#
        try expect(.badField, after: Array(hello.utf8) + [10], hub: hub)
    }

    @Test("which error wins: framing, UTF-8, JSON, type, fields, then the session's state")
    func whichErrorWins() throws {
        let hub = try HubFixture()
        // Bad UTF-8 that is also bad JSON.
        try expect(.badUTF8, after: [0x7B, 0xFF, 0x0A], hub: hub)
        // An unknown type as the very first line is unknown-type, not out-of-order.
        try expect(.unknownType, after: Array(#"{"type":"dance","cursor":1.5}"#.utf8) + [10], hub: hub)
        // A malformed push before hello is bad-field (decoded first); a well-formed one is out-of-order.
        try expect(.badField, after: Array(#"{"type":"push","batch":1.5,"changes":[]}"#.utf8) + [10], hub: hub)
        try expect(.outOfOrder, after: Array(#"{"type":"push","batch":1,"changes":[]}"#.utf8) + [10], hub: hub)
        // A too-long line is refused before anything in it is read.
        var limits = HubFixture.testLimits
        limits.maxLine = 1024
        let small = try HubFixture(limits: limits)
        try expect(.lineTooLong, after: [0xFF] + Array(repeating: UInt8(ascii: "x"), count: 1100) + [10], hub: small)
    }

    @Test("lines may end in \\r\\n")
    func carriageReturnLineFeed() throws {
        let hub = try HubFixture()
        let client = try hub.connect()
        defer { client.close() }
        try client.sendBytes(Array(client.helloLine("beizhao").utf8) + [13, 10])
        guard case .challenge = try client.read() else { Issue.record("no challenge"); return }
    }

    @Test func outOfOrder() throws {
        let hub = try HubFixture()
        // auth before hello
        try expect(.outOfOrder, after: Array(#"{"type":"auth","proof":"00"}"#.utf8) + [10], hub: hub)
        // push before auth (after hello)
        let client = try hub.connect()
        defer { client.close() }
        _ = try client.hello("beizhao")
        let before = try hub.fingerprint()
        try client.send(.push(batch: 1, changes: [Changes.household(hub.node("beizhao"), seq: 1)]))
        try client.expectError(.outOfOrder)
        client.expectClosed()
        #expect(try hub.fingerprint() == before)
        // hello again after login
        try expect(.outOfOrder, after: Array(client.helloLine("beizhao").utf8) + [10], login: true, hub: hub)
    }

    @Test func unsupportedVersion() throws {
        let hub = try HubFixture()
        let client = try hub.connect()
        try expect(.unsupportedVersion, after: Array(client.helloLine("beizhao", proto: 99).utf8) + [10], hub: hub)
        client.close()
    }

    @Test func authFailedWrongProofAndUnknownNode() throws {
        let hub = try HubFixture()
        for node in ["beizhao", "nobody"] {
            let client = try hub.connect()
            defer { client.close() }
            let nonce = try client.hello(node)
            // Proof made with another secret.
            let proof = try #require(Credentials.proof(secret: Credentials.makeSecret(), nonce: nonce, node: node))
            try client.send(#"{"type":"auth","proof":"\#(proof)"}"#)
            try client.expectError(.authFailed)
            client.expectClosed()
        }
        // A malformed proof is an auth failure too, not a crash.
        let client = try hub.connect()
        defer { client.close() }
        _ = try client.hello("beizhao")
        try client.send(#"{"type":"auth","proof":"zz"}"#)
        try client.expectError(.authFailed)
    }

    @Test func failedLoginsAreDelayedThenRateLimited() throws {
        let policy = AuthThrottlePolicy(baseDelay: .milliseconds(200), maxDelay: .milliseconds(400), maxFailures: 3,
                                        window: .seconds(60))
        let hub = try HubFixture(throttle: policy)
        func fail() throws -> Duration {
            let client = try hub.connect()
            defer { client.close() }
            let nonce = try client.hello("beizhao")
            let proof = try #require(Credentials.proof(secret: Credentials.makeSecret(), nonce: nonce, node: "beizhao"))
            let start = ContinuousClock.now
            try client.send(#"{"type":"auth","proof":"\#(proof)"}"#)
            try client.expectError(.authFailed)
            return start.duration(to: .now)
        }
        let first = try fail()
        let second = try fail()
        #expect(first >= .milliseconds(190))
        #expect(second >= .milliseconds(390))
        // A success clears the count.
        _ = try hub.login("beizhao").0.close()
        _ = try fail()
        _ = try fail()
        _ = try fail()
        // Three failures within the window: hellos are refused with a wait.
        let client = try hub.connect()
        defer { client.close() }
        try client.send(client.helloLine("beizhao"))
        let retry = try client.expectError(.rateLimited)
        #expect((retry ?? 0) > 0 && (retry ?? 0) <= 60)
        client.expectClosed()
        #expect(hub.closeLine(of: client)?.contains("outcome=rate-limited") == true)
        // Even the right secret is refused now.
        let right = try hub.connect()
        defer { right.close() }
        try right.send(right.helloLine("beizhao"))
        try right.expectError(.rateLimited)
    }

    @Test func batchTooLarge() throws {
        var limits = HubFixture.testLimits
        limits.maxBatch = 5
        let hub = try HubFixture(limits: limits)
        let a = hub.node("beizhao")
        try expect(.batchTooLarge, after: Codec.encode(ClientMessage.push(batch: 1, changes: (1...6).map { Changes.household(a, seq: Int64($0)) })),
                   login: true, hub: hub)
        // Exactly the limit is fine.
        let (client, _) = try hub.login("beizhao")
        defer { client.close() }
        #expect(try client.push(2, (1...5).map { Changes.household(a, seq: Int64($0)) }).count == 5)
    }

    @Test func silentClientTimesOut() throws {
        var limits = HubFixture.testLimits
        limits.idleTimeout = 1
        let hub = try HubFixture(limits: limits)
        // Before hello, and after login.
        for login in [false, true] {
            let client = login ? try hub.login("beizhao").0 : try hub.connect()
            defer { client.close() }
            let start = ContinuousClock.now
            try client.expectError(.timeout, timeout: .seconds(10))
            let waited = start.duration(to: .now)
            #expect(waited >= .milliseconds(900) && waited < .seconds(4), "waited \(waited)")
            client.expectClosed()
            #expect(hub.closeLine(of: client)?.contains("outcome=timeout") == true)
        }
    }

    @Test func tricklingClientIsCutOff() throws {
        var limits = HubFixture.testLimits
        limits.idleTimeout = 30
        limits.readTimeout = 2
        let hub = try HubFixture(limits: limits)
        let client = try hub.connect()
        defer { client.close() }
        let line = Array(client.helloLine("beizhao").utf8)
        let start = ContinuousClock.now
        var sent = 0
        var gotError = false
        // One byte every 250 ms: the line never completes within the read timeout.
        while start.duration(to: .now) < .seconds(8) && sent < line.count {
            do {
                try client.sendBytes([line[sent]])
            } catch {
                break
            }
            sent += 1
            if let bytes = try? client.socket.read(upTo: 4096, deadline: .now.advanced(by: .milliseconds(250))), !bytes.isEmpty {
                let text = String(decoding: bytes, as: UTF8.self)
                #expect(text.contains(#""code":"timeout""#))
                gotError = true
                break
            }
        }
        let waited = start.duration(to: .now)
        #expect(gotError)
        #expect(waited >= .milliseconds(1900) && waited < .seconds(5), "waited \(waited)")
        #expect(hub.closeLine(of: client)?.contains("outcome=timeout") == true)
    }

    @Test func peerVanishingMidPushLeavesStoreUnchanged() throws {
        let hub = try HubFixture()
        let (client, _) = try hub.login("beizhao")
        let before = try hub.fingerprint()
        let a = hub.node("beizhao")
        let push = Codec.encode(ClientMessage.push(batch: 1, changes: (1...50).map { Changes.household(a, seq: Int64($0)) }))
        try client.sendBytes(Array(push[0..<(push.count / 2)]))
        client.close()
        let line = try #require(hub.closeLine(of: client))
        #expect(line.contains("outcome=peer-closed") || line.contains("outcome=reset"))
        #expect(try hub.fingerprint() == before)
        // The node can push the batch again whole.
        let (again, welcome) = try hub.login("beizhao")
        defer { again.close() }
        #expect(welcome.lastSeq == 0)
        #expect(try again.push(1, (1...50).map { Changes.household(a, seq: Int64($0)) }).allSatisfy { $0.status == .applied })
    }

    @Test func storeFailureIsUnavailableAndCommitsNothing() throws {
        let hub = try HubFixture()
        let (client, _) = try hub.login("beizhao")
        defer { client.close() }
        let a = hub.node("beizhao")
        let before = try hub.fingerprint()
        // Break the store under the writer: the hub log table disappears.
        let saboteur = try HubStore.open(directory: hub.dir.path)
        try saboteur.sqliteFile().execute("ALTER TABLE log RENAME TO log_hidden")
        try client.send(.push(batch: 1, changes: (1...3).map { Changes.household(a, seq: Int64($0)) }))
        try client.expectError(.unavailable)
        client.expectClosed()
        #expect(hub.closeLine(of: client)?.contains("outcome=unavailable") == true)
        try saboteur.sqliteFile().execute("ALTER TABLE log_hidden RENAME TO log")
        #expect(try hub.fingerprint() == before)
        // The hub still serves once the store is whole again.
        let (again, _) = try hub.login("beizhao")
        defer { again.close() }
        #expect(try again.push(1, (1...3).map { Changes.household(a, seq: Int64($0)) }).allSatisfy { $0.status == .applied })
    }
}
