import Foundation
import Synchronization
import HamletCore
import HamletProtocol
import HamletStore
import HamletTestSupport
import Testing
@testable import HamletHub

/// Issue 17: long push lines are decoded only once admitted (backpressure), so a hub that many villages push to at
/// once holds the waiting batches as bytes, not as values. Held lines resume in order and lose nothing.
@Suite("Push admission (backpressure)")
struct PushAdmissionTests {
    @Test("the queue admits one long line at least, holds the rest in order, and resumes them as room appears")
    func heldInOrder() {
        let q = PushQueue(maxAdmittedBytes: 100)
        let order = Mutex<[Int]>([])
        let first = q.admit(bytes: 80, resume: { order.withLock { $0.append(0) } })
        let second = q.admit(bytes: 30, resume: { order.withLock { $0.append(1) } })
        let third = q.admit(bytes: 10, resume: { order.withLock { $0.append(2) } })
        #expect(first && !second)
        #expect(!third, "a line never overtakes a held one")
        #expect(q.admission == (80, 2))
        q.release(bytes: 80)
        #expect(order.withLock { $0 } == [1, 2])
        #expect(q.admission == (40, 0))
        // One line larger than the whole allowance is still admitted when nothing else is.
        q.release(bytes: 30)
        q.release(bytes: 10)
        let big = q.admit(bytes: 1_000, resume: {})
        let small = q.admit(bytes: 1, resume: { order.withLock { $0.append(3) } })
        #expect(big && !small)
        q.close()
        #expect(order.withLock { $0 } == [1, 2, 3], "a stopping hub resumes every held line")
        let after = q.admit(bytes: 5_000, resume: {})
        #expect(after, "and holds nothing after")
    }

    @Test("three villages pushing long batches at once through an allowance of one line: every change lands once")
    func manyLongPushesThroughOneLine() throws {
        let hub = try HubFixture(configure: { $0.pushAdmissionBytes = 1 })
        let address = String(repeating: "北赵村幸福路一百二十三号院内东侧第三排", count: 6)   // ~350 bytes a change
        let ids = ["beizhao", "beizhao-doctor", "nanzhuang"]
        var clients: [RawClient] = []
        for id in ids { clients.append(try hub.login(id).0) }
        var sent: [String: [[Change]]] = [:]
        for round in 0..<3 {
            // Every client's line goes out before any ack is read: the hub has three long lines at once.
            for (i, id) in ids.enumerated() {
                let node = hub.node(id)
                let changes = (0..<200).map { n -> Change in
                    let seq = Int64(round * 200 + n + 1)
                    let row = Changes.newRowID()
                    let values: Fields = ["village": .text(node.village), "address": .text("\(address)\(seq)")]
                    return Change(node: id, seq: seq, table: "households", row: row, op: .put, values: values,
                                  bases: values.mapValues { _ in 0 }, rowBase: 0, hlc: HLC(wall: 1_000 + seq, counter: 0, node: id),
                                  author: "测试员", epoch: hub.epoch)
                }
                sent[id, default: []].append(changes)
                let line = Codec.encode(ClientMessage.push(batch: Int64(round + 1), changes: changes))
                #expect(line.count >= PushQueue.admissionThreshold)
                try clients[i].send(.push(batch: Int64(round + 1), changes: changes))
            }
            for client in clients {
                guard case .ack(let batch, let results) = try client.read() else { throw TestFailure("expected an ack") }
                #expect(batch == Int64(round + 1))
                #expect(results.count == 200 && results.allSatisfy { $0.status == .applied })
            }
        }
        for c in clients { c.close() }
        let store = try hub.openStore()
        #expect(try store.sqliteFile().scalar("SELECT count(*) FROM households").integer == 1_800)
        #expect(try store.head() == 1_800)
        hub.server.stop(grace: .seconds(1))
        let summary = try #require(hub.logger.all.first { $0.hasPrefix("group commit:") })
        let held = Int(summary.split(separator: ";").last?.split(separator: " ").first ?? "") ?? 0
        #expect(held >= 1, "\(summary)")
    }
}
