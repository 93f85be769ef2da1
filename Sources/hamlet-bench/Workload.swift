import Foundation
import HamletCore
import HamletNet
import HamletProtocol
import HamletStore

// Generated rows in reference order, the changes a node would send for them,
// and a bare protocol client that pushes pre-encoded batches.

let schema = Schema.register
let tableOrder = ["households", "people", "events", "visits", "benefits", "pregnancies", "contraception"]

/// A generated row with typed values (nulls dropped).
struct SeedRow {
    var table: String
    var id: String
    var values: Fields
}

/// The township's rows in the order a store accepts them: households without
/// their head, people (mothers first), events, visits, benefits, pregnancies, contraception; then the heads as edits.
func orderedRows(_ township: Township, heads: Bool = true) -> (rows: [SeedRow], heads: [SeedRow]) {
    var rows: [SeedRow] = []
    rows.reserveCapacity(township.rowCount)
    var headRows: [SeedRow] = []
    for table in tableOrder {
        guard let t = schema.table(named: table) else { continue }
        for r in township.rows(table) {
            var f = Township.fields(of: r, table: t).filter { !$0.value.isNull }
            if table == "households" {
                if heads, let h = f["head"] { headRows.append(SeedRow(table: table, id: r["id"] ?? "", values: ["head": h])) }
                f["head"] = nil
            }
            rows.append(SeedRow(table: table, id: r["id"] ?? "", values: f))
        }
    }
    return (rows, headRows)
}

/// Generates villages `names` with about `people` people each (a region code of
/// its own keeps national IDs apart from other generated villages).
func township(_ names: [String], people: Int, seed: UInt64, region: Int = 370481) -> Township {
    SeedGenerator(seed: seed, villages: names, peoplePerVillage: people, region: region).generate()
}

/// The reconcile workload of one village: new rows, edits, and concurrent edits
/// from a second node of the same village (about 5% of all changes) that open conflicts.
struct ReconcileWorkload {
    var village: String
    var inserts: [SeedRow]
    /// Edits by node A: (row, fields) — bases are the insert's hseq, known after the inserts.
    var editsA: [SeedRow]
    /// Edits by node B of rows A edited, with the insert's (now stale) hseq as base.
    var editsB: [SeedRow]
    var total: Int { inserts.count + editsA.count + editsB.count }

    /// About `changes` changes in all.
    init(village: String, changes: Int, seed: UInt64, region: Int) {
        self.village = village
        // ~4.4 rows per person; inserts ≈ 62% of the changes, edits ≈ 33%, conflicting edits 5%.
        let people = max(20, Int(Double(changes) * 0.62 / 4.4))
        let (rows, _) = orderedRows(township([village], people: people, seed: seed, region: region), heads: false)
        let insertCount = min(rows.count, Int(Double(changes) * 0.62))
        inserts = Array(rows.prefix(insertCount))
        var rng = SeedRandom(seed: seed ^ 0x9E37)
        var a: [SeedRow] = []
        let wantA = Int(Double(changes) * 0.33)
        let wantB = Int(Double(changes) * 0.05)
        let persons = inserts.filter { $0.table == "people" }
        let visits = inserts.filter { $0.table == "visits" }
        for p in persons where a.count < wantA {
            a.append(SeedRow(table: "people", id: p.id, values: ["phone": .text(randomMobile(&rng))]))
        }
        for v in visits where a.count < wantA {
            a.append(SeedRow(table: "visits", id: v.id, values: ["result": .text("复查：血压\(110 + rng.next(40))/\(70 + rng.next(20))，未见异常")]))
        }
        editsA = a
        var b: [SeedRow] = []
        for e in a where e.table == "people" && b.count < wantB {
            b.append(SeedRow(table: "people", id: e.id, values: ["phone": .text(randomMobile(&rng))]))
        }
        editsB = b
    }

    /// The same writes as plain inserts and updates, in push order.
    var plainOps: [PlainOp] {
        inserts.map { PlainOp(table: $0.table, id: $0.id, values: $0.values, isInsert: true) }
            + editsA.map { PlainOp(table: $0.table, id: $0.id, values: $0.values, isInsert: false) }
            + editsB.map { PlainOp(table: $0.table, id: $0.id, values: $0.values, isInsert: false) }
    }
}

/// A small deterministic generator for the workload's own values.
struct SeedRandom {
    private var state: UInt64
    init(seed: UInt64) { state = seed == 0 ? 0x1234_5678 : seed }
    mutating func nextRaw() -> UInt64 {
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        return state
    }
    mutating func next(_ bound: Int) -> Int { Int(nextRaw() % UInt64(max(1, bound))) }
}

func randomMobile(_ rng: inout SeedRandom) -> String {
    let prefixes = ["139", "138", "137", "158", "186", "150", "152", "188", "135", "159"]
    var s = prefixes[rng.next(prefixes.count)]
    for _ in 0..<8 { s += String(rng.next(10)) }
    return s
}

/// Turns rows into a node's changes: `seq` from `firstSeq`, stamps from a clock,
/// bases from `base(row)` (0 for new rows).
func makeChanges(_ rows: [SeedRow], node: String, firstSeq: Int64, epoch: String, insert: Bool,
                 base: (SeedRow) -> Int64, clock: inout HybridClock) -> [Change] {
    var out: [Change] = []
    out.reserveCapacity(rows.count)
    var seq = firstSeq
    let wall = Int64(Date().timeIntervalSince1970 * 1000)
    for r in rows {
        let b = insert ? 0 : base(r)
        out.append(Change(node: node, seq: seq, table: r.table, row: r.id, op: .put, values: r.values,
                          bases: r.values.mapValues { _ in b }, rowBase: b, hlc: clock.tick(wallMillis: wall),
                          author: "bench", epoch: epoch))
        seq += 1
    }
    return out
}

/// Pre-encoded `push` lines of `size` changes each.
func encodePushes(_ changes: [Change], size: Int, firstBatch: Int64 = 1) -> [[UInt8]] {
    var out: [[UInt8]] = []
    var i = 0
    var batch = firstBatch
    while i < changes.count {
        out.append(Codec.encode(ClientMessage.push(batch: batch, changes: Array(changes[i..<min(i + size, changes.count)]))))
        batch += 1
        i += size
    }
    return out
}

/// A node's session spoken directly over a socket: login, then pushes of pre-encoded batches.
final class WireClient {
    let socket: ClientSocket
    let welcome: HubMessage.Welcome
    let maxLine = Limits.standard.maxLine

    init(address: SocketAddress, node: String, secret: String) throws {
        socket = try ClientSocket.connect(to: address, timeout: .seconds(10))
        try socket.write(Codec.encode(ClientMessage.hello(.init(node: node, client: "hamlet-bench", hub: "", epoch: "", cursor: 0,
                                                                  clock: Int64(Date().timeIntervalSince1970 * 1000)))),
                         deadline: .now + .seconds(10))
        guard case .challenge(let nonce) = try WireClient.receive(socket, maxLine) else { throw BenchError("no challenge") }
        guard let proof = Credentials.proof(secret: secret, nonce: nonce, node: node) else { throw BenchError("bad nonce") }
        try socket.write(Codec.encode(ClientMessage.auth(proof: proof)), deadline: .now + .seconds(10))
        guard case .welcome(let w) = try WireClient.receive(socket, maxLine) else { throw BenchError("no welcome") }
        welcome = w
    }

    static func receive(_ socket: ClientSocket, _ maxLine: Int) throws -> HubMessage {
        guard let line = try socket.readLine(maxLength: maxLine, deadline: .now + .seconds(120)) else {
            throw BenchError("the hub closed the connection")
        }
        let m = try Codec.decodeHub(line)
        if case .error(let code, let message, _, _, _) = m { throw BenchError("hub error \(code.rawValue): \(message)") }
        return m
    }

    /// Sends one pre-encoded push and returns its results.
    func push(_ line: [UInt8]) throws -> [ChangeResult] {
        try socket.write(line, deadline: .now + .seconds(120))
        guard case .ack(_, let results) = try WireClient.receive(socket, maxLine) else { throw BenchError("no ack") }
        return results
    }

    /// Pulls every page after `cursor` without storing anything; returns the items received.
    func pullAll(limit: Int) throws -> Int {
        var cursor: Int64 = 0
        var items = 0
        while true {
            try socket.write(Codec.encode(ClientMessage.pull(cursor: cursor, limit: limit)), deadline: .now + .seconds(120))
            guard case .page(let page, let next, _, let done, _) = try WireClient.receive(socket, maxLine) else { throw BenchError("no page") }
            items += page.count
            if done { return items }
            guard next > cursor else { throw BenchError("a page did not advance the cursor") }
            cursor = next
        }
    }

    func close() {
        try? socket.write(Codec.encode(ClientMessage.bye), deadline: .now + .seconds(2))
        socket.close()
    }
}
