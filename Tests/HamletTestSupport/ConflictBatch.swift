import Foundation
import HamletCore
import HamletStore

/// Many field conflicts made the way real ones are: one node registers people, then two nodes of the same village
/// rename each one concurrently (`HubStore.reconcile`), one field conflict per person. Batches with different
/// `region`s share no 身份证号 (the same one would open duplicate conflicts).
public struct ConflictBatch {
    /// The people registered, in order; person `i` is named `name(i)` and has national ID `nationalID(i)`.
    public var people: [String] = []

    public static func name(_ i: Int, prefix: String) -> String { "\(prefix)\(i)" }

    public static func nationalID(_ i: Int, region: Int = 130124) -> String {
        NationalID.make(region: region, birth: CalendarDate(daysSinceEpoch: 3000 + i), sequence: 100 + 2 * (i % 400))  // even: female
    }

    /// Registers `count` people in `village` from `nodes.0`, then renames each from both nodes concurrently.
    @discardableResult
    public static func add(_ store: HubStore, count: Int, village: String, nodes: (String, String), prefix: String,
                    region: Int = 130124) throws -> ConflictBatch {
        let now = wallMillisNow()
        for node in [nodes.0, nodes.1] where try store.node(node) == nil {
            try store.addNode(id: node, village: village, secretHash: String(repeating: "0", count: 64), wallMillis: now)
        }
        var rng = SystemRandomNumberGenerator()
        var batch = ConflictBatch()
        batch.people = (0..<count).map { _ in RowID.make(unixMillis: now, using: &rng) }
        var counter: Int64 = 0
        func change(_ node: String, _ row: String, _ values: Fields, base: Int64) throws -> Change {
            counter += 1
            return Change(node: node, seq: try store.lastSeq(node: node) + counter, table: "people", row: row, op: .put, values: values,
                          bases: values.mapValues { _ in base }, rowBase: base,
                          hlc: HLC(wall: now + counter, counter: 0, node: node), author: node, epoch: "")
        }
        func push(_ node: String, _ changes: (Int, String) throws -> Change) throws -> [Int64] {
            counter = 0
            let list = try batch.people.enumerated().map { try changes($0.offset, $0.element) }
            let results = try store.reconcile(list, from: BatchSource(node: node, village: village), wallMillis: now)
            for r in results where r.status == .rejected { throw ConflictBatchError(message: "rejected \(r.code ?? "") \(r.message ?? "")") }
            return results.map { $0.hseq ?? 0 }
        }
        let made = try push(nodes.0) { i, id in
            try change(nodes.0, id, ["village": .text(village), "name": .text(name(i, prefix: prefix)), "sex": .text("F"),
                                     "birth_date": .text(CalendarDate(daysSinceEpoch: 3000 + i).description),
                                     "national_id": .text(nationalID(i, region: region))], base: 0)
        }
        _ = try push(nodes.1) { i, id in try change(nodes.1, id, ["name": .text(name(i, prefix: prefix) + "乙")], base: made[i]) }
        _ = try push(nodes.0) { i, id in try change(nodes.0, id, ["name": .text(name(i, prefix: prefix) + "甲")], base: made[i]) }
        return batch
    }

    /// Registers `count` people in `village` from `nodes.0`, then the same 身份证号 again under other rows and names
    /// from `nodes.1` (a woman entered twice): one duplicate conflict per person.
    /// - Returns: the first node's rows, in order.
    @discardableResult
    public static func addDuplicates(_ store: HubStore, count: Int, village: String, nodes: (String, String), prefix: String,
                                     region: Int) throws -> ConflictBatch {
        let now = wallMillisNow()
        var rng = SystemRandomNumberGenerator()
        var batch = ConflictBatch()
        for (k, node) in [nodes.0, nodes.1].enumerated() {
            if try store.node(node) == nil {
                try store.addNode(id: node, village: village, secretHash: String(repeating: "0", count: 64), wallMillis: now)
            }
            let first = try store.lastSeq(node: node) + 1
            let rows = (0..<count).map { _ in RowID.make(unixMillis: now, using: &rng) }
            if k == 0 { batch.people = rows }
            let changes = rows.enumerated().map { i, row in
                let values: Fields = ["village": .text(village), "name": .text(name(i, prefix: prefix) + (k == 0 ? "" : "又")),
                                      "sex": .text("F"), "birth_date": .text(CalendarDate(daysSinceEpoch: 3000 + i).description),
                                      "national_id": .text(nationalID(i, region: region))]
                return Change(node: node, seq: first + Int64(i), table: "people", row: row, op: .put, values: values,
                              bases: values.mapValues { _ in 0 }, rowBase: 0, hlc: HLC(wall: now + Int64(i), counter: 0, node: node),
                              author: node, epoch: "")
            }
            for r in try store.reconcile(changes, from: BatchSource(node: node, village: village), wallMillis: now) where r.status == .rejected {
                throw ConflictBatchError(message: "rejected \(r.code ?? "") \(r.message ?? "")")
            }
        }
        return batch
    }
}

/// The hub refused a change a batch made (the batch's data is wrong, not the hub).
public struct ConflictBatchError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
