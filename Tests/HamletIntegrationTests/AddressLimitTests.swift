import Foundation
import HamletNet
import HamletTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

// Issue 16, item 2: one address must not fill the hub's connection cap. Linux loopback answers the whole
// 127/8, so the flood comes from 127.0.0.2 while the node's sync (through the fixture's proxy) comes from 127.0.0.1.

@Suite("Per-address connection limits at the hub", .serialized)
struct AddressLimitTests {
    @Test("10,100 idle connections from 127.0.0.2 do not keep a node on 127.0.0.1 from syncing")
    func floodFromOneAddressLeavesRoomForNodes() throws {
        let limit = NetSystem.raiseOpenFileLimit()
        try #require(limit >= 10_500, "needs 10,500 open files in the test process, have \(limit)")
        let town = try ProcTownship("flood", nodes: [("bz1", "北赵")])
        defer { town.finish() }
        let server = try #require(town.server)
        let hub = try SocketAddress(parsing: server.address)
        let source = try SocketAddress(host: "127.0.0.2", port: 0)

        let start = ContinuousClock.now
        var flood: [ClientSocket] = []
        flood.reserveCapacity(10_100)
        defer { for socket in flood { socket.close() } }
        var refused = 0
        for _ in 0..<10_100 {
            do {
                flood.append(try ClientSocket.connect(to: hub, from: source, timeout: .seconds(5)))
            } catch {
                refused += 1
            }
        }
        let opened = start.duration(to: .now)
        print("measured: 10,100 connects from 127.0.0.2 took \(opened) (\(refused) refused by the kernel)")

        let synced = ContinuousClock.now
        let r = try town["bz1"].run(["sync", "--json"])
        print("measured: sync beside the flood took \(synced.duration(to: .now))")
        #expect(r.status == 0, "a node on another address syncs while one address floods: \(r)")
    }
}
