import Foundation
import HamletCore
import HamletNode
import HamletTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

// Issue 16 item 6: the sync port over TLS through stunnel, with the recipe `scripts/tls` ships.
// Real processes on loopback: `hamlet hub serve`, a server-mode stunnel in front of it (admitting only the
// nodes' certificates), client-mode stunnels on the node side, `hamlet sync` through them. Certificates are
// made in the test.

/// stunnel and openssl, when installed; the suite is skipped (with a printed reason) otherwise.
enum TLSTools {
    static let stunnel: String? = ExternalTool.find(
        [ProcessInfo.processInfo.environment["HAMLET_STUNNEL"] ?? "", "stunnel4", "stunnel"].filter { !$0.isEmpty })
    static let openssl: String? = ExternalTool.find(["openssl"])
    static let available: Bool = {
        let ok = stunnel != nil && openssl != nil
        if !ok {
            print("TLSTests skipped: stunnel or openssl is not installed (scripts/test installs them: apt-get install stunnel4 openssl)")
        }
        return ok
    }()
}

/// A hub behind a server-mode stunnel, certificates made with `scripts/tls cert`, and helpers to start
/// client-mode stunnels and nodes that sync through them.
final class TLSTownship {
    let tmp = TempDir("tls")
    let hub: HamletDir
    let server: HubProcess
    /// The TLS port (the hub's stunnel).
    let tlsPort: UInt16
    let hubTunnel: RunningProcess
    private(set) var tunnels: [RunningProcess] = []
    private var finished: ProcessResult?
    let script = (ExternalTool.repositoryRoot as NSString).appendingPathComponent("scripts/tls")

    init(nodes: [String]) throws {
        hub = HamletDir(tmp.file("hub"))
        try must(hub, ["hub", "init"])
        for node in nodes {
            try must(hub, ["hub", "add-node", node, "--village", "北赵", "--secret-out", tmp.file("\(node).secret")])
        }
        try Self.tls(script, ["cert", "--name", "localhost", "--ip", "127.0.0.1", "--out", tmp.file("hub-cert")])
        // Same name and address, another key: what a node pinned to the wrong certificate holds.
        try Self.tls(script, ["cert", "--name", "localhost", "--ip", "127.0.0.1", "--out", tmp.file("other-cert")])
        // Every node gets its own certificate; the hub's stunnel admits only those (--clients).
        var clients = ""
        for node in nodes {
            try Self.tls(script, ["cert", "--name", node, "--file", node, "--out", tmp.file("node-certs")])
            clients += try String(contentsOfFile: tmp.file("node-certs/\(node).crt"), encoding: .utf8)
        }
        try clients.write(toFile: tmp.file("clients.crt"), atomically: true, encoding: .utf8)
        server = try Hamlet.startServer(dir: hub.path)
        tlsPort = try rawConnectableClosedPort()
        let conf = tmp.file("hub-stunnel.conf")
        try Self.tls(script, ["hub", "--cert", tmp.file("hub-cert/hub.crt"), "--key", tmp.file("hub-cert/hub.key"),
                              "--clients", tmp.file("clients.crt"),
                              "--accept", "127.0.0.1:\(tlsPort)", "--connect", server.address, "--out", conf])
        hubTunnel = try Self.startStunnel(conf)
    }

    /// Runs `scripts/tls args…`, which must succeed.
    @discardableResult
    static func tls(_ script: String, _ args: [String], sourceLocation: SourceLocation = #_sourceLocation) throws -> ProcessResult {
        let r = try ExternalTool.run(script, args)
        try #require(r.status == 0, "scripts/tls \(args.joined(separator: " ")): \(r)", sourceLocation: sourceLocation)
        return r
    }

    /// Starts `stunnel CONF` and waits until it says its configuration loaded.
    static func startStunnel(_ conf: String) throws -> RunningProcess {
        let p = try ExternalTool.start(try #require(TLSTools.stunnel), [conf])
        guard p.waitForLine(in: .stderr, timeout: .seconds(10), { $0.contains("Configuration successful") }) != nil else {
            p.kill()
            throw ProcessRunnerError("stunnel \(conf) did not start:\n\(p.wait(timeout: .seconds(5)))")
        }
        return p
    }

    /// A client-mode stunnel to the hub's TLS port, pinned to `certificate`, presenting the certificate made for
    /// `identity` (none when nil); returns its plain port and process.
    func nodeTunnel(pinning certificate: String, as identity: String?) throws -> (port: UInt16, process: RunningProcess) {
        let port = try rawConnectableClosedPort()
        let conf = tmp.file("node-stunnel-\(port).conf")
        // By name, as a node dials a real hub: the hub's certificate must hold it (checkHost).
        var args = ["node", "--hub", "localhost:\(tlsPort)", "--ca", certificate, "--accept", "127.0.0.1:\(port)", "--out", conf]
        if let identity {
            args += ["--cert", tmp.file("node-certs/\(identity).crt"), "--key", tmp.file("node-certs/\(identity).key")]
        }
        try Self.tls(script, args)
        let p = try Self.startStunnel(conf)
        tunnels.append(p)
        return (port, p)
    }

    /// `hamlet init` of a registered node whose hub address is `hub`, with one person added.
    func node(_ name: String, hub address: String, person: String) throws -> HamletDir {
        let dir = HamletDir(tmp.file("node-\(name)"))
        try must(dir, ["init", "--node", name, "--village", "北赵", "--hub", address, "--secret-file", tmp.file("\(name).secret")])
        try must(dir, Registry.person(person))
        return dir
    }

    /// The names in the hub's people export of 北赵.
    func hubNames() throws -> Set<String> {
        let r = try hub.run(["hub", "export", "people", "--village", "北赵"])
        guard r.status == 0 else { throw ProcessRunnerError("hub export: \(r)") }
        return Set(try CSVTable.read(bytes: [UInt8](r.stdoutData)).rows.compactMap { $0.fields["name"] })
    }

    /// Stops every stunnel, then the hub (once; later calls return the same result); returns the hub's result.
    func finish() -> ProcessResult {
        if let finished { return finished }
        for t in tunnels + [hubTunnel] {
            t.terminate()
            _ = t.wait(timeout: .seconds(5))
        }
        let r = server.stop(timeout: .seconds(10))
        tmp.remove()
        finished = r
        return r
    }
}

@Suite("TLS through stunnel (scripts/tls)", .serialized)
struct TLSTests {
    @Test("a node syncs through two stunnels; plain TCP, a wrongly pinned certificate and an unknown node cannot reach the hub",
          .enabled(if: TLSTools.available, "stunnel or openssl is not installed"))
    func syncThroughStunnel() throws {
        let town = try TLSTownship(nodes: ["bz1", "bz2", "bz3", "bz4"])
        defer { _ = town.finish() }

        // Through the pinned tunnel: the change reaches the hub and the replica matches it.
        let good = try town.nodeTunnel(pinning: town.tmp.file("hub-cert/hub.crt"), as: "bz1")
        let bz1 = try town.node("bz1", hub: "127.0.0.1:\(good.port)", person: "张丽")
        let r = try bz1.run(["sync", "--json"])
        try #require(r.status == 0, "sync through stunnel: \(r)")
        let summary = try r.decode(SyncSummary.self)
        #expect(summary.pushed == 1 && summary.accepted == 1 && summary.verify == "match", "\(summary)")
        #expect(try town.hubNames().contains("张丽"), "the person arrived at the hub")
        #expect(good.process.text(.stderr).contains("Certificate accepted"), "the node's stunnel checked the hub's certificate")

        // A plain-TCP client on the TLS port gets no protocol bytes back, and the connection closes
        // (stunnel refuses the handshake) instead of hanging.
        let fd = try rawConnect(town.tlsPort)
        let started = ContinuousClock.now
        let answer = rawExchange(fd, #"{"type":"hello","protocol":1,"node":"bz3","client":"raw","hub":"","epoch":"","cursor":0}"# + "\n")
        close(fd)
        #expect(answer.isEmpty, "plain TCP got an answer from the TLS port: \(answer)")
        #expect(ContinuousClock.now - started < .seconds(4), "the TLS port closed a plain connection rather than waiting")
        // `hamlet sync` pointed straight at the TLS port fails as an unreachable hub would: exit 75, no hang.
        let bz3 = try town.node("bz3", hub: "127.0.0.1:\(town.tlsPort)", person: "王秀英")
        let plain = try bz3.run(["sync"], timeout: .seconds(60))
        #expect(plain.status == 75 && !plain.timedOut, "plain sync to the TLS port: \(plain)")

        // A node stunnel pinned to another certificate refuses the hub: nothing is sent.
        let wrong = try town.nodeTunnel(pinning: town.tmp.file("other-cert/hub.crt"), as: "bz2")
        let bz2 = try town.node("bz2", hub: "127.0.0.1:\(wrong.port)", person: "李秀兰")
        let refused = try bz2.run(["sync"], timeout: .seconds(60))
        #expect(refused.status == 75 && !refused.timedOut, "sync through a wrongly pinned tunnel: \(refused)")
        #expect(wrong.process.text(.stderr).contains("certificate verify failed"), "the wrong pin is why")
        #expect(try bz2.log(pending: true).count == 1, "the change stays pending on the node")

        // A tunnel that trusts the hub but holds no node certificate: the hub's stunnel refuses it, so a
        // stranger cannot even send `hello` (nor spend the hub's per-address login budget, all of which
        // comes from 127.0.0.1 behind stunnel).
        let stranger = try town.nodeTunnel(pinning: town.tmp.file("hub-cert/hub.crt"), as: nil)
        let bz4 = try town.node("bz4", hub: "127.0.0.1:\(stranger.port)", person: "孙秀梅")
        let shut = try bz4.run(["sync"], timeout: .seconds(60))
        #expect(shut.status == 75 && !shut.timedOut, "sync without a node certificate: \(shut)")
        #expect(town.hubTunnel.text(.stderr).contains("peer did not return a certificate"), "the hub's stunnel is why")

        // The hub and its tunnel are unharmed: the good node syncs again, and neither refused node's person is there.
        try must(bz1, Registry.person("赵秀珍", sequence: 31))
        let again = try bz1.run(["sync", "--json"])
        #expect(again.status == 0, "\(again)")
        let names = try town.hubNames()
        #expect(names == ["张丽", "赵秀珍"], "\(names)")
        let stopped = town.finish()
        #expect(stopped.status == 0, "hub serve stops cleanly on SIGTERM: \(stopped)")
    }
}
