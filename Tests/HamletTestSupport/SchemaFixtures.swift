import Foundation
import HamletCore

/// Schemas for upgrade tests: the shipped register with additions a deployment would make.
public enum SchemaFixtures {
    /// Decodes one field declaration.
    public static func field(_ json: String) -> FieldSchema {
        do { return try JSONDecoder().decode(FieldSchema.self, from: Data(json.utf8)) } catch {
            preconditionFailure("bad test field: \(error)")
        }
    }

    /// The shipped register plus: `people.guardian` (a reference), `people.note` (text),
    /// a `vaccinations` table, and a new visit kind `home_visit` (入户). Version `base.version + 1`.
    public static func withAdditions(to base: Schema = .register) -> Schema {
        var s = base
        s.version = base.version + 1
        guard let p = s.tables.firstIndex(where: { $0.name == "people" }),
              let v = s.tables.firstIndex(where: { $0.name == "visits" }),
              let k = s.tables[v].fields.firstIndex(where: { $0.name == "kind" }) else { preconditionFailure("register changed") }
        s.tables[p].fields.append(field(#"{"name":"guardian","type":"ref","references":"people","label":{"zh":"监护人","en":"guardian"}}"#))
        s.tables[p].fields.append(field(#"{"name":"note","type":"text","max":200,"label":{"zh":"备注","en":"note"}}"#))
        s.tables[v].fields[k].values?.append("home_visit")
        s.tables[v].fields[k].valueLabels?["home_visit"] = Label(zh: "入户", en: "home visit")
        let table = #"""
        {"name":"vaccinations","singular":"vaccination","label":{"zh":"接种","en":"vaccination"},"fields":[
          {"name":"village","type":"text","required":true,"max":60,"label":{"zh":"村","en":"village"}},
          {"name":"person","type":"ref","references":"people","required":true,"label":{"zh":"人员","en":"person"}},
          {"name":"given_on","type":"date","required":true,"label":{"zh":"接种日期","en":"given on"}}]}
        """#
        do { s.tables.append(try JSONDecoder().decode(TableSchema.self, from: Data(table.utf8))) } catch {
            preconditionFailure("bad test table: \(error)")
        }
        return s
    }
}
