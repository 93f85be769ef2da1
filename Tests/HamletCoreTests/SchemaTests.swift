import Testing
@testable import HamletCore

/// The shipped register schema and the rules `Schema.check()` enforces.
@Suite struct SchemaTests {
    let schema = Schema.register

    @Test func embeddedRegisterDecodes() throws {
        let decoded = try Schema.decode(PackageResources.register_schema_json)
        #expect(decoded.version == 2)
        #expect(decoded.scope == "village")
        #expect(decoded.tables.map(\.name) == ["households", "people", "events", "visits", "benefits", "pregnancies", "contraception"])
        #expect(schema.tables.map(\.name) == decoded.tables.map(\.name))
        try schema.check()
    }

    @Test func everyTableHasTheRequiredTextScopeColumn() throws {
        for t in schema.tables {
            let f = try #require(t.field(schema.scope), "\(t.name) lacks \(schema.scope)")
            #expect(f.type == .text, "\(t.name).village")
            #expect(f.required, "\(t.name).village")
        }
    }

    @Test func peopleNationalIDIsTheOnlyUniqueField() throws {
        let people = try #require(schema.table(named: "people"))
        let id = try #require(people.field("national_id"))
        #expect(id.unique)
        #expect(id.type == .nationalID)
        #expect(id.personal)
        #expect(people.uniqueFields.map(\.name) == ["national_id"])
        for t in schema.tables where t.name != "people" {
            #expect(t.uniqueFields.isEmpty, "\(t.name)")
        }
    }

    @Test func referencesPointAtRealTablesByPluralName() throws {
        var count = 0
        for t in schema.tables {
            for f in t.referenceFields {
                let target = try #require(f.references, "\(t.name).\(f.name)")
                let table = try #require(schema.table(named: target), "\(t.name).\(f.name) → \(target)")
                #expect(table.name == target, "references use the plural table name")
                count += 1
            }
        }
        // households.head, people.household, events.person, visits.person, benefits.person, benefits.household
        #expect(count == 12)
    }

    @Test func shippedFieldsMatchTheDesign() throws {
        let people = try #require(schema.table(named: "people"))
        #expect(people.field("sex")?.values == ["F", "M"])
        #expect(people.field("residence")?.values == ["resident", "moved_out", "moved_in"])
        #expect(people.field("current_address")?.merge == .lww)
        #expect(people.field("name")?.merge == .review, "review is the default policy")
        let events = try #require(schema.table(named: "events"))
        #expect(events.field("kind")?.values == ["birth", "marriage", "divorce", "death", "move_out", "move_in"])
        #expect(events.field("date")?.notBeforeBirthOf == "person")
        let visits = try #require(schema.table(named: "visits"))
        #expect(visits.field("kind")?.values == ["health_check", "prenatal", "postnatal", "child_health", "follow_up", "ring_check", "pregnancy_check"])
        #expect(visits.field("date")?.notBeforeBirthOf == "person")
        let benefits = try #require(schema.table(named: "benefits"))
        #expect(benefits.oneOf == ["person", "household"])
        #expect(benefits.field("amount")?.type == .integer)
        #expect(benefits.field("amount")?.isInteger == true)
        #expect(benefits.field("status")?.values == ["eligible", "confirmed", "paid"])
        #expect(benefits.field("paid_on")?.requiredWhen == ["status": "paid"])
    }

    @Test func everyFieldHasBothLabels() {
        for t in schema.tables {
            #expect(!t.label.zh.isEmpty && !t.label.en.isEmpty, "\(t.name)")
            for f in t.fields {
                #expect(!f.label.zh.isEmpty && !f.label.en.isEmpty, "\(t.name).\(f.name)")
                #expect(f.label.zh != f.name, "\(t.name).\(f.name) has a Chinese label")
            }
        }
    }

    @Test(arguments: [
        ("people", "people"), ("person", "people"),
        ("households", "households"), ("household", "households"),
        ("events", "events"), ("event", "events"),
        ("visits", "visits"), ("visit", "visits"),
        ("benefits", "benefits"), ("benefit", "benefits"),
    ])
    func tableNamedFindsPluralAndSingular(name: String, expected: String) {
        #expect(schema.table(named: name)?.name == expected)
    }

    @Test(arguments: ["", "persons", "People", "人口", "village"])
    func tableNamedFindsNothingElse(name: String) {
        #expect(schema.table(named: name) == nil)
    }

    @Test(arguments: [
        ("birth_date", "birth-date"), ("national_id", "national-id"),
        ("current_address", "current-address"), ("name", "name"), ("paid_on", "paid-on"),
    ])
    func flagName(field: String, flag: String) throws {
        let f = try #require(schema.tables.lazy.compactMap { $0.field(field) }.first)
        #expect(f.flagName == flag)
    }

    // MARK: check() refuses broken schemas

    /// Applies `edit` to a copy of the register and expects `check()` to refuse it.
    func expectRefused(_ why: String, _ edit: (inout Schema) -> Void) {
        var s = schema
        edit(&s)
        #expect(throws: SchemaError.self, "\(why)") { try s.check() }
    }

    @Test(arguments: ["Name", "full name", "1name", "名字", "_hidden", "id", "", "na-me"])
    func refusesBadFieldName(name: String) {
        expectRefused("field name \(name)") { $0.tables[1].fields[2].name = name }
    }

    @Test(arguments: ["People", "peo ple", "9people", ""])
    func refusesBadTableName(name: String) {
        expectRefused("table name \(name)") { $0.tables[1].name = name }
    }

    @Test func refusesDuplicateField() {
        expectRefused("duplicate field") { $0.tables[1].fields.append($0.tables[1].fields[2]) }
    }

    @Test func refusesDuplicateTable() {
        expectRefused("duplicate table") { $0.tables.append($0.tables[1]) }
        expectRefused("singular reused as another table's name") { $0.tables[2].singular = "people" }
    }

    @Test func refusesEnumWithoutValues() {
        let sex = schema.tables[1].fields.firstIndex { $0.name == "sex" }!
        expectRefused("enum values nil") { $0.tables[1].fields[sex].values = nil }
        expectRefused("enum values empty") { $0.tables[1].fields[sex].values = [] }
    }

    @Test func refusesUnknownReference() {
        expectRefused("unknown table") { $0.tables[1].fields[1].references = "houses" }
        expectRefused("reference by singular") { $0.tables[1].fields[1].references = "household" }
        expectRefused("reference without target") { $0.tables[1].fields[1].references = nil }
    }

    @Test func refusesMissingOrUntypedScope() {
        expectRefused("no scope column") { $0.tables[2].fields.removeAll { $0.name == "village" } }
        expectRefused("optional scope column") { $0.tables[2].fields[0].required = false }
        expectRefused("integer scope column") { $0.tables[2].fields[0].type = .integer }
        expectRefused("scope names another column") { $0.scope = "township" }
    }

    @Test func refusesBadOneOfAndBirthChecks() {
        expectRefused("one_of unknown field") { $0.tables[4].oneOf = ["person", "family"] }
        expectRefused("not_before_birth_of names a non-reference") { $0.tables[2].fields[3].notBeforeBirthOf = "kind" }
        expectRefused("not_before_birth_of names nothing") { $0.tables[2].fields[3].notBeforeBirthOf = "mother" }
    }

    @Test func decodeRefusesBrokenDocuments() {
        let unknownType = #"{"version":1,"scope":"village","tables":[{"name":"t","singular":"t1","label":{"zh":"表","en":"t"},"fields":[{"name":"village","type":"text","required":true},{"name":"x","type":"float"}]}]}"#
        #expect(throws: (any Error).self) { try Schema.decode(Array(unknownType.utf8)) }
        let unknownRef = #"{"version":1,"scope":"village","tables":[{"name":"t","singular":"t1","label":{"zh":"表","en":"t"},"fields":[{"name":"village","type":"text","required":true},{"name":"x","type":"ref","references":"nowhere"}]}]}"#
        #expect(throws: SchemaError.self) { try Schema.decode(Array(unknownRef.utf8)) }
        let fine = #"{"version":2,"scope":"village","tables":[{"name":"t","singular":"t1","label":{"zh":"表","en":"t"},"fields":[{"name":"village","type":"text","required":true},{"name":"x","type":"ref","references":"t"}]}]}"#
        let s = try? Schema.decode(Array(fine.utf8))
        #expect(s?.table(named: "t1")?.field("x")?.merge == .review, "merge defaults to review")
        #expect(s?.table(named: "t1")?.field("x")?.label == Label(zh: "x", en: "x"), "label defaults to the name")
    }

    @Test func requiredWhenNamingUnknownFieldIsRefused() {
        do {
            expectRefused("required_when names an unknown field") {
                $0.tables[4].fields[6].requiredWhen = ["stauts": "paid"]
            }
        }
    }
}
