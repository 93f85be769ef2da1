import Foundation
import HamletCore
import HamletNode
import HamletProtocol
import HamletStore
import HamletTestSupport
import Testing

/// Issue 17: a pull receives and decodes page N+1 on another thread while it stores page N (`MessagePrefetch`).
/// A page that fails to store, or a hub that stops answering, must still end the sync as before: the pages stored
/// before it kept, with their cursor, nothing of the failed page, and no thread left reading the socket.
@Suite("Pull pages read ahead", .serialized)
struct PullPrefetchTests {
    /// Page `n` (1…): ten people, cursor `10 n`; `badSex` puts a value the `people` table refuses into its last row.
    static func page(_ n: Int64, last: Int64, badSex: Bool = false) -> HubMessage {
        var rng = SystemRandomNumberGenerator()
        let items: [PullItem] = (1...10).map { i in
            let hseq = (n - 1) * 10 + Int64(i)
            var values = Register.person("拉\(hseq)", village: "东村", index: Int(hseq))
            if badSex && i == 10 { values["sex"] = .text("X") }
            return .put(RowState(table: "people", id: RowID.make(unixMillis: 1_700_000_000_000 + hseq, using: &rng), values: values,
                                 versions: Dictionary(uniqueKeysWithValues: values.keys.map { ($0, hseq) }), deleted: false,
                                 mergedInto: nil, hseq: hseq))
        }
        return .page(items: items, cursor: n * 10, head: last * 10, done: n == last, clock: nil)
    }

    /// A hub whose pull pages are `answer(n)` for the pull after cursor `10 (n - 1)`.
    static func hub(_ answer: @escaping @Sendable (Int64) -> [HubMessage]) throws -> ScriptedHub {
        try ScriptedHub { m, _ in
            if case .pull(let cursor, _) = m { return answer(cursor / 10 + 1) }
            return ScriptedHub.ordinary(m)
        }
    }

    static func stored(_ directory: String) throws -> (cursor: Int64, people: Int) {
        let r = try Replica.open(directory: directory)
        return (try r.info().cursor, try r.list(table: "people").count)
    }

    @Test("a page that fails to store ends the sync; the pages before it stay, with their cursor")
    func pageThatFailsToStore() throws {
        let tmp = TempDir("prefetch-store")
        defer { tmp.remove() }
        let hub = try Self.hub { n in [Self.page(n, last: 6, badSex: n == 4)] }
        defer { hub.stop() }
        let directory = try ScriptedHubTests().node(tmp, hub: hub, inserts: 0)
        do {
            _ = try SyncClient.sync(directory: directory, options: ScriptedHubTests.options)
            Issue.record("the sync succeeded")
        } catch let e as SyncError {
            #expect(e.code == .store, "\(e)")
        }
        let (cursor, people) = try Self.stored(directory)
        #expect(cursor == 30 && people == 30)
        // The next page was asked for before page 4 was stored (one request in flight), and no further.
        #expect(hub.types.filter { $0 == "pull" }.count == 5)
    }

    @Test("a hub that stops answering mid-pull ends the sync; the pages before stay, with their cursor")
    func hubStopsAnswering() throws {
        let tmp = TempDir("prefetch-silent")
        defer { tmp.remove() }
        let hub = try Self.hub { n in n <= 3 ? [Self.page(n, last: 6)] : [] }
        defer { hub.stop() }
        let directory = try ScriptedHubTests().node(tmp, hub: hub, inserts: 0)
        var options = ScriptedHubTests.options
        options.ioTimeout = .seconds(1)
        do {
            _ = try SyncClient.sync(directory: directory, options: options)
            Issue.record("the sync succeeded")
        } catch let e as SyncError {
            #expect(e.code == .unreachable, "\(e)")
        }
        let (cursor, people) = try Self.stored(directory)
        #expect(cursor == 30 && people == 30)
    }

    @Test("every page arrives and is stored in order")
    func everyPageStored() throws {
        let tmp = TempDir("prefetch-all")
        defer { tmp.remove() }
        let hub = try Self.hub { n in [Self.page(n, last: 12)] }
        defer { hub.stop() }
        let directory = try ScriptedHubTests().node(tmp, hub: hub, inserts: 0)
        let s = try SyncClient.sync(directory: directory, options: ScriptedHubTests.options)
        #expect(s.pulled == 120)
        let (cursor, people) = try Self.stored(directory)
        #expect(cursor == 120 && people == 120)
    }
}
