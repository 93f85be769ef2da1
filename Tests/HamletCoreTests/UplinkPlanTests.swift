import Testing
@testable import HamletCore

// Issue 18: the uplink's two pure decisions, and a township scope's digest as the union of its villages'.

struct UplinkPlanTests {
    static func township(_ values: Fields, versions: [String: Int64], deleted: Bool = false, merged: String? = nil,
                         hseq: Int64? = nil) -> HubRow {
        HubRow(table: "people", id: "p1", values: values,
               versions: versions.mapValues { FieldVersion(hseq: $0, hlc: .zero, writers: ["n"]) },
               deleted: deleted, mergedInto: merged, hseq: hseq ?? versions.values.max() ?? 0)
    }

    @Test func aRowTheCountyNeverHeldGoesUpWhole() {
        let t = Self.township(["name": .text("张三"), "village": .text("甲村")], versions: ["name": 3, "village": 3])
        #expect(UplinkPlan.export(t, upstream: nil, mark: 10) == .put(table: "people", id: "p1", values: t.values))
    }

    @Test func onlyTheTownshipsNewsGoesUp() {
        // phone changed in the township after the mark; name differs only because the county changed it (below the mark).
        let t = Self.township(["name": .text("张三"), "phone": .text("13900000001")], versions: ["name": 2, "phone": 12])
        let up = TierRow(values: ["name": .text("张叁"), "phone": .text("13900000000")])
        #expect(UplinkPlan.export(t, upstream: up, mark: 10) == .put(table: "people", id: "p1", values: ["phone": .text("13900000001")]))
        // The same value above the mark (the county's correction written down by the downlink) is no news.
        let echoed = TierRow(values: ["name": .text("张叁"), "phone": .text("13900000001")])
        #expect(UplinkPlan.export(t, upstream: echoed, mark: 10) == nil)
        // A field cleared in the township goes up as null.
        let cleared = Self.township(["name": .text("张叁")], versions: ["name": 2, "phone": 12])
        #expect(UplinkPlan.export(cleared, upstream: echoed, mark: 10) == .put(table: "people", id: "p1", values: ["phone": .null]))
    }

    @Test(arguments: [(true, nil as String?), (false, "p2" as String?)])
    func deletesAndMergesGoUpAsDeletes(deleted: Bool, merged: String?) {
        let t = Self.township(["name": .text("张三")], versions: ["name": 2], deleted: deleted || merged != nil, merged: merged, hseq: 11)
        #expect(UplinkPlan.export(t, upstream: TierRow(values: ["name": .text("张三")]), mark: 10) == .delete(table: "people", id: "p1"))
        // Not after the mark: the county's own tombstone, not news.
        #expect(UplinkPlan.export(t, upstream: TierRow(values: ["name": .text("张三")]), mark: 11) == nil)
        #expect(UplinkPlan.export(t, upstream: nil, mark: 10) == nil)
    }

    @Test func theCountysOutcomeComesDownButNeverOverTheTownshipsNews() {
        let t = Self.township(["name": .text("张三"), "phone": .text("13900000001")], versions: ["name": 2, "phone": 12])
        let county = TierRow(values: ["name": .text("张叁"), "phone": .text("13900000009")])
        let edit = UplinkPlan.downlink(county, township: t, exportMark: 10)
        #expect(edit == DownlinkEdit(values: ["name": .text("张叁")], deleted: false, mergedInto: nil, created: false))
        // Once written down, the same outcome does nothing more (idempotent), and sends nothing back up.
        var after = t
        after.values["name"] = .text("张叁")
        after.versions["name"] = FieldVersion(hseq: 13, hlc: .zero, writers: ["@hub"])
        after.hseq = 13
        #expect(UplinkPlan.downlink(county, township: after, exportMark: 13) == DownlinkEdit(
            values: ["phone": .text("13900000009")], deleted: false, mergedInto: nil, created: false))
        #expect(UplinkPlan.export(after, upstream: county, mark: 10) == .put(table: "people", id: "p1", values: ["phone": .text("13900000001")]))
        #expect(UplinkPlan.export(after, upstream: TierRow(values: after.values), mark: 10) == nil)
    }

    @Test func aFieldBothTiersChangedIsContested() {
        let t = Self.township(["phone": .text("13900000001"), "name": .text("张三")], versions: ["phone": 12, "name": 2])
        // The county set phone after the last downlink (version 30 > 20) to another value: contested.
        let county = TierRow(values: ["phone": .text("13900000009"), "name": .text("张三")], versions: ["phone": 30, "name": 2])
        #expect(UplinkPlan.contested(county, township: t, exportMark: 10, seenUpTo: 20) == ["phone"])
        // Already seen by a downlink, or the township's edit already exported, or the same value: not contested.
        #expect(UplinkPlan.contested(county, township: t, exportMark: 10, seenUpTo: 30).isEmpty)
        #expect(UplinkPlan.contested(county, township: t, exportMark: 12, seenUpTo: 20).isEmpty)
        var same = county
        same.values["phone"] = .text("13900000001")
        #expect(UplinkPlan.contested(same, township: t, exportMark: 10, seenUpTo: 20).isEmpty)
        #expect(UplinkPlan.contested(county, township: nil, exportMark: 10, seenUpTo: 20).isEmpty)
    }

    @Test func rowsComeDownWholeAndTombstonesOnlyOntoUntouchedRows() {
        let county = TierRow(values: ["name": .text("李四")])
        #expect(UplinkPlan.downlink(county, township: nil, exportMark: 0)?.created == true)
        #expect(UplinkPlan.downlink(TierRow(values: [:], deleted: true), township: nil, exportMark: 0) == nil)
        let merged = TierRow(values: ["name": .text("李四")], deleted: true, mergedInto: "p2")
        let untouched = Self.township(["name": .text("李四")], versions: ["name": 5])
        #expect(UplinkPlan.downlink(merged, township: untouched, exportMark: 10)
                == DownlinkEdit(values: [:], deleted: true, mergedInto: "p2", created: false))
        // The township's own merge went up as a delete: the county's plain tombstone keeps the township's pointer.
        let mergedHere = Self.township(["name": .text("李四")], versions: ["name": 5], deleted: true, merged: "p3")
        #expect(UplinkPlan.downlink(TierRow(values: ["name": .text("李四")], deleted: true), township: mergedHere, exportMark: 10) == nil)
        let touched = Self.township(["name": .text("李四")], versions: ["name": 5], hseq: 11)
        #expect(UplinkPlan.downlink(merged, township: touched, exportMark: 10) == nil)
    }

    @Test func aTownshipsDigestIsTheUnionOfItsVillages() {
        let schema = Schema.register
        func row(_ id: String, _ village: String) -> RowState {
            RowState(table: "people", id: id, values: ["village": .text(village), "name": .text(id)], versions: ["name": 1],
                     deleted: false, mergedInto: nil, hseq: 1)
        }
        var a = DigestBuilder(schema: schema), b = DigestBuilder(schema: schema), all = DigestBuilder(schema: schema)
        for r in [row("1", "甲村"), row("2", "甲村")] { a.add(r); all.add(r) }
        for r in [row("3", "乙村")] { b.add(r); all.add(r) }
        #expect(ScopeDigest.union([a.finish(), b.finish()], schema: schema) == all.finish())
        #expect(ScopeDigest.union([], schema: schema) == DigestBuilder(schema: schema).finish())
    }
}
