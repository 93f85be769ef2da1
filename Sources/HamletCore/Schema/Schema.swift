#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The register schema: the tables, their typed fields and the rules that govern them.
///
/// It is declared in one data file (`Resources/register-schema.json`) that ships
/// inside the binary; replica and hub tables are generated from it.
public struct Schema: Sendable, Codable, Equatable {
    /// Bumped when the shipped register changes shape.
    public var version: Int
    /// The scope column every table carries (`village`).
    public var scope: String
    /// The tables in declaration order (which is also a valid order for references).
    public var tables: [TableSchema]

    /// Finds a table by its plural or singular name (`people` or `person`).
    public func table(named name: String) -> TableSchema? {
        tables.first { $0.name == name || $0.singular == name }
    }
}

/// A name in Chinese and English.
public struct Label: Sendable, Codable, Hashable {
    public var zh: String
    public var en: String
    public init(zh: String, en: String) {
        self.zh = zh
        self.en = en
    }

    /// The label in the interface's language.
    public func text(chinese: Bool) -> String { chinese ? zh : en }
}

/// One register table.
public struct TableSchema: Sendable, Codable, Equatable {
    /// The SQL table name, plural (`people`).
    public var name: String
    /// The singular used on the command line (`person`).
    public var singular: String
    public var label: Label
    /// The fields in declaration order; a field's place here is its ordinal (``TableLayout``).
    public var fields: [FieldSchema] { didSet { layout = TableLayout(fields) } }
    /// At least one of these fields must be set (benefits: person or household).
    public var oneOf: [String]?
    /// Fields listed by default in tables; all fields when absent.
    public var display: [String]?
    /// The fields as the hot path asks for them (ordinals, sorted names, reference and unique lists), worked out
    /// once; rebuilt whenever `fields` changes.
    public private(set) var layout: TableLayout

    enum CodingKeys: String, CodingKey {
        case name, singular, label, fields, display
        case oneOf = "one_of"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        singular = try c.decode(String.self, forKey: .singular)
        label = try c.decode(Label.self, forKey: .label)
        let fields = try c.decode([FieldSchema].self, forKey: .fields)
        self.fields = fields
        oneOf = try c.decodeIfPresent([String].self, forKey: .oneOf)
        display = try c.decodeIfPresent([String].self, forKey: .display)
        layout = TableLayout(fields)
    }

    public static func == (a: TableSchema, b: TableSchema) -> Bool {
        a.name == b.name && a.singular == b.singular && a.label == b.label && a.fields == b.fields
            && a.oneOf == b.oneOf && a.display == b.display
    }

    /// The field with this name.
    public func field(_ name: String) -> FieldSchema? {
        layout.ordinals[name].map { fields[$0] }
    }

    /// The fields that reference another table.
    public var referenceFields: [FieldSchema] { layout.referenceFields }

    /// The fields whose value must be unique among live rows (duplicate detection).
    public var uniqueFields: [FieldSchema] { layout.uniqueFields }
}

/// The type of a field, checked wherever a change enters the system.
public enum FieldType: String, Sendable, Codable {
    /// Free text (UTF-8).
    case text
    /// A 64-bit integer within `min`...`max`.
    case integer
    /// A real calendar date, `YYYY-MM-DD`.
    case date
    /// One of `values`.
    case `enum`
    /// An 18-digit resident ID with its GB 11643 check digit.
    case nationalID = "national_id"
    /// The id of a row in `references`.
    case ref
    /// A Chinese mobile (11 digits, 1[3-9]…) or landline (area code, optional dash) number.
    case phone
}

/// What happens when two writers set one field concurrently to different values.
public enum MergePolicy: String, Sendable, Codable {
    /// The later HLC wins provisionally and a conflict opens for review (the default).
    case review
    /// The later HLC wins silently.
    case lww
}

/// One typed field of a register table.
public struct FieldSchema: Sendable, Codable, Equatable {
    public var name: String
    public var type: FieldType
    public var label: Label
    public var required: Bool
    public var unique: Bool
    public var merge: MergePolicy
    public var values: [String]?
    /// The label of each enum value, in Chinese and English (女 / female for `F`).
    public var valueLabels: [String: Label]?
    public var references: String?
    public var min: Int64?
    public var max: Int64?
    public var defaultValue: String?
    /// Personal data: never written to logs or wire error messages.
    public var personal: Bool
    /// `pinyin`: lists sort this field by its pinyin reading.
    public var sort: String?
    /// A date that may not precede the birth date of the person this reference field names.
    public var notBeforeBirthOf: String?
    /// Required when every listed field has the listed value (`paid_on` when `status` is `paid`).
    public var requiredWhen: [String: String]?
    /// On a reference to a person: that person must be at least this many years older than this
    /// row's `birth_date` (a mother or father).
    public var parentMinAge: Int?
    /// On a text field: the values accepted at entry (rows already holding another value keep it).
    public var choices: [String]?
    /// On a text field: digits only (an account's last four digits).
    public var digits: Bool

    enum CodingKeys: String, CodingKey {
        case name, type, label, required, unique, merge, values, references, min, max, personal, sort
        case defaultValue = "default"
        case valueLabels = "value_labels"
        case notBeforeBirthOf = "not_before_birth_of"
        case requiredWhen = "required_when"
        case parentMinAge = "parent_min_age"
        case choices, digits
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        type = try c.decode(FieldType.self, forKey: .type)
        label = try c.decodeIfPresent(Label.self, forKey: .label) ?? Label(zh: name, en: name)
        required = try c.decodeIfPresent(Bool.self, forKey: .required) ?? false
        unique = try c.decodeIfPresent(Bool.self, forKey: .unique) ?? false
        merge = try c.decodeIfPresent(MergePolicy.self, forKey: .merge) ?? .review
        values = try c.decodeIfPresent([String].self, forKey: .values)
        valueLabels = try c.decodeIfPresent([String: Label].self, forKey: .valueLabels)
        references = try c.decodeIfPresent(String.self, forKey: .references)
        min = try c.decodeIfPresent(Int64.self, forKey: .min)
        max = try c.decodeIfPresent(Int64.self, forKey: .max)
        defaultValue = try c.decodeIfPresent(String.self, forKey: .defaultValue)
        personal = try c.decodeIfPresent(Bool.self, forKey: .personal) ?? false
        sort = try c.decodeIfPresent(String.self, forKey: .sort)
        notBeforeBirthOf = try c.decodeIfPresent(String.self, forKey: .notBeforeBirthOf)
        requiredWhen = try c.decodeIfPresent([String: String].self, forKey: .requiredWhen)
        parentMinAge = try c.decodeIfPresent(Int.self, forKey: .parentMinAge)
        choices = try c.decodeIfPresent([String].self, forKey: .choices)
        digits = try c.decodeIfPresent(Bool.self, forKey: .digits) ?? false
    }

    /// The label of an enum value (the value itself when it has none, or the field is not an enum).
    public func label(ofValue value: String) -> Label {
        valueLabels?[value] ?? Label(zh: value, en: value)
    }

    /// The command-line flag for this field: `birth_date` → `birth-date`.
    public var flagName: String { String(name.map { $0 == "_" ? "-" : $0 }) }

    /// Whether values of this field are stored as SQL INTEGER.
    public var isInteger: Bool { type == .integer }
}

/// A schema that cannot be used.
public struct SchemaError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { "schema: \(message)" }
}

extension Schema {
    /// The register schema shipped with Hamlet, decoded from the embedded resource.
    public static let register: Schema = {
        do {
            return try Schema.decode(PackageResources.register_schema_json)
        } catch {
            preconditionFailure("the embedded register schema is invalid: \(error)")
        }
    }()

    /// Decodes and checks a schema document.
    /// - Throws: `SchemaError` when a table or field is inconsistent, or a decoding error.
    public static func decode(_ bytes: [UInt8]) throws -> Schema {
        let schema = try JSONDecoder().decode(Schema.self, from: Data(bytes))
        try schema.check()
        return schema
    }

    /// Checks the rules every generated table relies on.
    public func check() throws {
        var names = Set<String>()
        let identifier = { (s: String) -> Bool in
            !s.isEmpty && s.utf8.allSatisfy { ($0 >= 97 && $0 <= 122) || $0 == 95 || ($0 >= 48 && $0 <= 57) }
                && !(s.utf8.first.map { $0 >= 48 && $0 <= 57 } ?? true)
        }
        for t in tables {
            guard identifier(t.name), identifier(t.singular) else { throw SchemaError(message: "bad table name \(t.name)") }
            guard names.insert(t.name).inserted, names.insert(t.singular).inserted || t.singular == t.name else {
                throw SchemaError(message: "duplicate table \(t.name)")
            }
            guard let scopeField = t.field(scope), scopeField.type == .text, scopeField.required else {
                throw SchemaError(message: "\(t.name) lacks the required text scope column \(scope)")
            }
            var fieldNames = Set<String>()
            for f in t.fields {
                guard identifier(f.name), !f.name.hasPrefix("_"), f.name != "id" else {
                    throw SchemaError(message: "bad field name \(t.name).\(f.name)")
                }
                guard fieldNames.insert(f.name).inserted else { throw SchemaError(message: "duplicate field \(t.name).\(f.name)") }
                if f.type == .enum, (f.values ?? []).isEmpty { throw SchemaError(message: "\(t.name).\(f.name) has no values") }
                for v in (f.valueLabels ?? [:]).keys where !(f.values ?? []).contains(v) {
                    throw SchemaError(message: "\(t.name).\(f.name): a label for unknown value \(v)")
                }
                if f.type == .ref {
                    guard let r = f.references, tables.contains(where: { $0.name == r }) else {
                        throw SchemaError(message: "\(t.name).\(f.name) references an unknown table")
                    }
                }
                for (k, v) in f.requiredWhen ?? [:] {
                    guard let other = t.field(k) else {
                        throw SchemaError(message: "\(t.name).\(f.name): required_when names unknown field \(k)")
                    }
                    if let values = other.values, !values.contains(v) {
                        throw SchemaError(message: "\(t.name).\(f.name): required_when value is not one of \(k)'s values")
                    }
                }
                if f.parentMinAge != nil, f.type != .ref || f.references != t.name || t.field("birth_date") == nil {
                    throw SchemaError(message: "\(t.name).\(f.name): parent_min_age needs a reference to the same table with a birth_date")
                }
                if (f.choices != nil || f.digits), f.type != .text {
                    throw SchemaError(message: "\(t.name).\(f.name): choices and digits apply to text fields")
                }
                if let p = f.notBeforeBirthOf, t.field(p)?.type != .ref {
                    throw SchemaError(message: "\(t.name).\(f.name): not_before_birth_of names no reference")
                }
            }
            for f in t.oneOf ?? [] where t.field(f) == nil {
                throw SchemaError(message: "\(t.name): one_of names unknown field \(f)")
            }
        }
    }
}
