import HamletTestSupport
import Testing
@testable import HamletCore

/// A schema may only grow between versions (issue 12, item 5).
@Suite struct SchemaUpgradeTests {
    @Test func additionsMakeAPlan() throws {
        let v2 = SchemaFixtures.withAdditions()
        try v2.check()
        let plan = try v2.upgrade(from: .register)
        #expect(plan.from == Schema.register.version && plan.to == v2.version)
        #expect(plan.newTables == ["vaccinations"])
        #expect(plan.newFields == ["people": ["guardian", "note"]])
        #expect(plan.rebuiltTables == ["visits"], "a new enum value changes the column's check")
        #expect(try Schema.decode(Array(v2.encoded().utf8)) == v2, "the document round-trips")
    }

    @Test func labelsAndPoliciesOnlyChangeNoTable() throws {
        var v2 = Schema.register
        v2.version += 1
        v2.tables[0].label = Label(zh: "家庭户", en: "household")
        #expect(try v2.upgrade(from: .register).isDataOnly)
    }

    @Test(arguments: ["removed field", "retyped field", "removed table", "lost enum value", "required without default", "not newer"])
    func whatWouldLoseMeaningIsRefused(_ what: String) {
        var v2 = Schema.register
        v2.version += 1
        let people = v2.tables.firstIndex { $0.name == "people" }!
        switch what {
        case "removed field": v2.tables[people].fields.removeAll { $0.name == "phone" }
        case "retyped field": v2.tables[people].fields[v2.tables[people].fields.firstIndex { $0.name == "phone" }!].type = .text
        case "removed table": v2.tables.removeLast()
        case "lost enum value":
            let sex = v2.tables[people].fields.firstIndex { $0.name == "sex" }!
            v2.tables[people].fields[sex].values = ["F"]
        case "required without default":
            v2.tables[people].fields.append(SchemaFixtures.field(#"{"name":"ethnicity","type":"text","required":true}"#))
        default: v2.version = Schema.register.version
        }
        #expect(throws: SchemaError.self, "\(what)") { try v2.upgrade(from: .register) }
    }
}
