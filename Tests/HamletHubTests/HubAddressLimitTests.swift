import Foundation
import HamletNet
import HamletHub
import HamletProtocol
import HamletStore
import HamletTestSupport
import Testing

// Issue 16, item 2: connections before login are limited per address and must log in within the login
// timeout, so one address cannot hold the hub's connection cap. (Linux loopback answers all of 127/8.)

@Suite("Hub: per-address limits and the login deadline")
struct HubAddressLimitTests {
    static let other = try? SocketAddress(host: "127.0.0.2", port: 0)

    static func connect(_ hub: HubFixture, from source: SocketAddress?) throws -> RawClient {
        RawClient(try ClientSocket.connect(to: hub.address, from: source, timeout: .seconds(5)))
    }

    /// True when the hub closed the connection (EOF or reset) within `timeout` without sending a line.
    static func isClosed(_ client: RawClient, within timeout: Duration = .seconds(2)) -> Bool {
        do {
            return try client.socket.readLine(maxLength: 1 << 20, deadline: .now.advanced(by: timeout)) == nil
        } catch let error as NetError {
            return error.code != .timeout
        } catch {
            return true
        }
    }

    @Test("a connection that says hello but never proves is cut at the login deadline, not the idle timeout")
    func loginDeadline() throws {
        var limits = HubFixture.testLimits
        limits.idleTimeout = 30
        limits.readTimeout = 30
        let hub = try HubFixture(limits: limits, configure: { $0.loginTimeout = .seconds(1) })
        let client = try hub.connect()
        defer { client.close() }
        let start = ContinuousClock.now
        _ = try client.hello("beizhao")
        let line = try client.expectErrorLine(.timeout, timeout: .seconds(10))
        let waited = start.duration(to: .now)
        #expect(waited >= .milliseconds(800) && waited < .seconds(3), "waited \(waited)")
        #expect(line.message.contains("log in"), "\(line.message)")
        #expect(hub.closeLine(of: client)?.contains("outcome=timeout") == true)
        // A node that logs in at once is not affected, and stays past the login deadline.
        let (node, _) = try hub.login("beizhao")
        defer { node.close() }
        Thread.sleep(forTimeInterval: 1.5)
        #expect(try node.pull(cursor: 0).head >= 0)
    }

    @Test("pre-login connections over the per-address limit are closed at accept; other addresses and logged-in ones are not")
    func preLoginLimitPerAddress() throws {
        let source = try #require(HubAddressLimitTests.other)
        let hub = try HubFixture(configure: { $0.maxPreLoginPerAddress = 4 })
        var held: [RawClient] = []
        defer { for c in held { c.close() } }
        for _ in 0..<4 { held.append(try HubAddressLimitTests.connect(hub, from: source)) }
        #expect(waitUntil(.seconds(5)) { hub.server.connectionCount == 4 })
        let fifth = try HubAddressLimitTests.connect(hub, from: source)
        defer { fifth.close() }
        #expect(HubAddressLimitTests.isClosed(fifth), "the fifth pre-login connection from 127.0.0.2 is closed")
        #expect(hub.logger.wait(timeout: .seconds(5)) { $0.hasPrefix("refused 1 connection(s) at accept") } != nil,
                "the hub says it refused connections, once a minute at most")
        // Another address logs in as usual.
        let (node, _) = try hub.login("nanzhuang")
        defer { node.close() }
        // A connection that logged in no longer counts: close one idle, log in from 127.0.0.2, and one more fits.
        held.removeFirst().close()
        #expect(waitUntil(.seconds(5)) { hub.server.connectionCount == 4 })
        let logged = try HubAddressLimitTests.connect(hub, from: source)
        defer { logged.close() }
        _ = try logged.login(hub.node("beizhao"))
        let again = try HubAddressLimitTests.connect(hub, from: source)
        defer { again.close() }
        #expect(!HubAddressLimitTests.isClosed(again, within: .milliseconds(500)), "room again after a login")
    }

    @Test("one address may hold at most its share of the connection cap, logged in or not")
    func shareOfTheCap() throws {
        let source = try #require(HubAddressLimitTests.other)
        let hub = try HubFixture(configure: { $0.maxConnectionsPerAddress = 2 })
        let a = try HubAddressLimitTests.connect(hub, from: source)
        defer { a.close() }
        _ = try a.login(hub.node("beizhao"))
        let b = try HubAddressLimitTests.connect(hub, from: source)
        defer { b.close() }
        _ = try b.login(hub.node("beizhao-doctor"))
        let c = try HubAddressLimitTests.connect(hub, from: source)
        defer { c.close() }
        #expect(HubAddressLimitTests.isClosed(c), "a third connection from 127.0.0.2 is over its share")
        let (node, _) = try hub.login("nanzhuang")
        node.close()
    }
}

@Suite("Operator page: the header deadline")
struct PageDeadlineTests {
    @Test("a page client that never finishes its headers is cut at the sync port's read_timeout, not after 120 s")
    func slowHeadersAreCut() throws {
        let dir = TempDir("page-deadline")
        defer { dir.remove() }
        _ = try HubStore.create(directory: dir.path)
        let console = OperatorConsole(configuration: .init(directory: dir.path))
        defer { console.stop() }
        var limits = HubFixture.testLimits
        limits.readTimeout = 1
        let server = try HubServer(configuration: HubServerConfiguration(
            directory: dir.path, listen: .loopback(), web: .loopback(), webHandlerFactory: console.handlerFactory,
            limits: limits, logger: LogCollector()))
        let web = try #require(try server.start().web)
        defer { server.stop(grace: .seconds(1)) }
        let client = RawClient(try ClientSocket.connect(to: web, timeout: .seconds(5)))
        defer { client.close() }
        try client.sendBytes(Array("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n".utf8))
        let start = ContinuousClock.now
        #expect(HubAddressLimitTests.isClosed(client, within: .seconds(10)), "the page closed the slow client")
        let waited = start.duration(to: .now)
        #expect(waited >= .milliseconds(800) && waited < .seconds(4), "cut after \(waited)")
    }
}
