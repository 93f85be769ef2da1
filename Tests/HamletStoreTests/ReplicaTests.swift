import HamletCore
import HamletTestSupport
import Testing
@testable import HamletStore

@Suite struct ReplicaTests {
    struct FixedRNG: RandomNumberGenerator {
        var state: UInt64 = 42
        mutating func next() -> UInt64 { state &+= 0x9E37_79B9_7F4A_7C15; return state }
    }

    func make(_ dir: TempDir) throws -> Replica {
        try Replica.create(directory: dir.path, node: "beizhao", village: "北赵", hub: nil, secretFile: nil)
    }

    func personValues(_ household: String) -> Fields {
        ["name": .text("张丽"), "sex": .text("F"), "birth_date": .text("1990-03-02"),
         "national_id": .text("370481199003021224"), "household": .text(household)]
    }

    @Test func typedTablesAreRealSQL() throws {
        let dir = TempDir("replica")
        defer { dir.remove() }
        let r = try make(dir)
        var rng = FixedRNG()
        let h = try r.insert(table: "household", values: ["address": .text("北赵村三组12号")], author: "t", wallMillis: 1_000, rng: &rng)
        _ = try r.insert(table: "people", values: personValues(h.id), author: "t", wallMillis: 2_000, rng: &rng)
        #expect(try r.connection.scalar("SELECT name FROM people") == .text("张丽"))
        #expect(try r.connection.scalar("SELECT village FROM people") == .text("北赵"))
        #expect(try r.connection.scalar("SELECT residence FROM people") == .text("resident"))
    }

    @Test func aWriteThatFailsHalfWayLeavesNeitherRowNorLogEntry() throws {
        let dir = TempDir("replica")
        defer { dir.remove() }
        let r = try make(dir)
        var rng = FixedRNG()
        let h = try r.insert(table: "household", values: ["address": .text("北赵村三组12号")], author: "t", wallMillis: 1_000, rng: &rng)
        // The typed row is written first; the change-log insert then fails.
        try r.connection.execute("CREATE TRIGGER boom BEFORE INSERT ON _changes WHEN NEW.tbl = 'people' BEGIN SELECT RAISE(ABORT, 'boom'); END")
        #expect(throws: StoreError.self) {
            _ = try r.insert(table: "people", values: personValues(h.id), author: "t", wallMillis: 2_000, rng: &rng)
        }
        #expect(try r.connection.scalar("SELECT count(*) FROM people") == .integer(0))
        #expect(try r.connection.scalar("SELECT count(*) FROM _changes") == .integer(1))
        #expect(try r.info().nextSeq == 2)
        // An edit that fails the same way leaves the old value.
        try r.connection.execute("DROP TRIGGER boom; CREATE TRIGGER boom2 BEFORE INSERT ON _changes BEGIN SELECT RAISE(ABORT, 'boom'); END")
        #expect(throws: StoreError.self) {
            _ = try r.update(table: "households", id: h.id, values: ["phone": .text("13800000000")], author: "t", wallMillis: 3_000)
        }
        #expect(try r.visibleRow(r.table("households"), id: h.id)?["phone"] == nil)
    }

    @Test func invalidValuesChangeNothing() throws {
        let dir = TempDir("replica")
        defer { dir.remove() }
        let r = try make(dir)
        var rng = FixedRNG()
        let h = try r.insert(table: "household", values: ["address": .text("北赵村三组12号")], author: "t", wallMillis: 1_000, rng: &rng)
        var bad = personValues(h.id)
        bad["sex"] = .text("M")
        do {
            _ = try r.insert(table: "people", values: bad, author: "t", wallMillis: 2_000, rng: &rng)
            Issue.record("expected a validation error")
        } catch let e as ReplicaError {
            #expect(e.code == .invalid)
            #expect(e.issues.map(\.code) == [.nationalIDSex])
        }
        #expect(try r.log(pendingOnly: false).count == 1)
    }

    @Test func hlcIsMonotonicAcrossRestartsWhenTheClockGoesBack() throws {
        let dir = TempDir("replica")
        defer { dir.remove() }
        var rng = FixedRNG()
        var stamps: [HLC] = []
        var wall: Int64 = 1_700_000_000_000
        for round in 0..<3 {
            let r = round == 0 ? try make(dir) : try Replica.open(directory: dir.path)
            for _ in 0..<5 {
                let w = try r.insert(table: "household", values: ["address": .text("地址\(round)")], author: "t", wallMillis: wall, rng: &rng)
                stamps.append(try r.log(pendingOnly: false).first { $0.change.seq == w.seq }!.change.hlc)
                wall -= 86_400_000 // the laptop's clock jumps back a day
            }
        }
        #expect(zip(stamps, stamps.dropFirst()).allSatisfy { $0 < $1 })
        #expect(Set(stamps).count == 15)
    }

    @Test func reEditCarriesTheOutstandingBase() throws {
        let dir = TempDir("replica")
        defer { dir.remove() }
        let r = try make(dir)
        var rng = FixedRNG()
        let h = try r.insert(table: "household", values: ["address": .text("北赵村三组12号")], author: "t", wallMillis: 1_000, rng: &rng)
        // Pretend the hub took it in at hseq 7.
        try r.recordResults([ChangeResult(seq: h.seq, status: .applied, hseq: 7)], wallMillis: 1)
        let row = RowState(table: "households", id: h.id, values: ["village": .text("北赵"), "address": .text("北赵村三组12号")],
                           versions: ["village": 7, "address": 7], deleted: false, mergedInto: nil, hseq: 7)
        try r.applyPage([.put(row)], cursor: 7, hubClock: nil, wallMillis: 2)
        _ = try r.update(table: "households", id: h.id, values: ["address": .text("北赵村三组13号")], author: "t", wallMillis: 3)
        // A newer hub version arrives before the edit is pushed.
        var newer = row
        newer.versions["address"] = 9
        newer.values["address"] = .text("北赵村三组14号")
        newer.hseq = 9
        try r.applyPage([.put(newer)], cursor: 9, hubClock: nil, wallMillis: 4)
        #expect(try r.visibleRow(r.table("households"), id: h.id)?["address"] == .text("北赵村三组13号"))
        _ = try r.update(table: "households", id: h.id, values: ["address": .text("北赵村三组15号")], author: "t", wallMillis: 5)
        let pending = try r.pendingChanges(limit: 10)
        #expect(pending.map { $0.bases["address"] } == [7, 7])
    }

    @Test func deleteOfAReferencedRowIsRefused() throws {
        let dir = TempDir("replica")
        defer { dir.remove() }
        let r = try make(dir)
        var rng = FixedRNG()
        let h = try r.insert(table: "household", values: ["address": .text("北赵村三组12号")], author: "t", wallMillis: 1_000, rng: &rng)
        _ = try r.insert(table: "people", values: personValues(h.id), author: "t", wallMillis: 2_000, rng: &rng)
        #expect(throws: ReplicaError.self) { _ = try r.delete(table: "households", id: h.id, author: "t", wallMillis: 3_000) }
    }
}
