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

    /// The shipped register plus: `people.mother` (a reference), `people.note` (text),
    /// a `pregnancies` table, and a new visit kind `ring_check` (查环). Version `base.version + 1`.
    public static func withAdditions(to base: Schema = .register) -> Schema {
        var s = base
        s.version = base.version + 1
        guard let p = s.tables.firstIndex(where: { $0.name == "people" }),
              let v = s.tables.firstIndex(where: { $0.name == "visits" }),
              let k = s.tables[v].fields.firstIndex(where: { $0.name == "kind" }) else { preconditionFailure("register changed") }
        s.tables[p].fields.append(field(#"{"name":"mother","type":"ref","references":"people","label":{"zh":"母亲","en":"mother"}}"#))
        s.tables[p].fields.append(field(#"{"name":"note","type":"text","max":200,"label":{"zh":"备注","en":"note"}}"#))
        s.tables[v].fields[k].values?.append("ring_check")
        s.tables[v].fields[k].valueLabels?["ring_check"] = Label(zh: "查环", en: "ring check")
        let table = #"""
        {"name":"pregnancies","singular":"pregnancy","label":{"zh":"孕情","en":"pregnancy"},"fields":[
          {"name":"village","type":"text","required":true,"max":60,"label":{"zh":"村","en":"village"}},
          {"name":"woman","type":"ref","references":"people","required":true,"label":{"zh":"孕妇","en":"woman"}},
          {"name":"found_on","type":"date","required":true,"label":{"zh":"发现日期","en":"found on"}}]}
        """#
        do { s.tables.append(try JSONDecoder().decode(TableSchema.self, from: Data(table.utf8))) } catch {
            preconditionFailure("bad test table: \(error)")
        }
        return s
    }
}
