#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What moving a store from one schema version to the next changes, decided purely
/// (the store applies it in one transaction). Only additions are allowed: a table, a
/// field, an enum value, a label, a merge policy. Nothing a store holds may lose its
/// meaning, so removing or retyping a table or a field is refused.
public struct SchemaUpgrade: Sendable, Equatable {
    public var from: Int
    public var to: Int
    /// Tables the new schema adds, in declaration order.
    public var newTables: [String]
    /// Fields each existing table gains, in declaration order.
    public var newFields: [String: [String]]
    /// Existing tables whose column constraints change (an enum gains values; bounds widen):
    /// they are rebuilt, rows kept.
    public var rebuiltTables: [String]

    /// True when no table needs touching (labels, policies, display only).
    public var isDataOnly: Bool { newTables.isEmpty && newFields.isEmpty && rebuiltTables.isEmpty }
}

extension Schema {
    /// The register as Hamlet's first release shipped it (version 1): what a store made before
    /// stores recorded their schema holds.
    public static let registerV1: Schema = {
        do {
            return try Schema.decode(PackageResources.register_schema_v1_json)
        } catch {
            preconditionFailure("the embedded version 1 schema is invalid: \(error)")
        }
    }()

    /// The plan that takes a store from `old` to this schema.
    /// - Throws: `SchemaError` when this schema is not a newer version of `old`, or removes,
    ///   retypes or repoints what `old` has.
    public func upgrade(from old: Schema) throws(SchemaError) -> SchemaUpgrade {
        guard version > old.version else {
            throw SchemaError(message: "version \(version) is not newer than \(old.version)")
        }
        guard scope == old.scope else { throw SchemaError(message: "the scope column changed") }
        var plan = SchemaUpgrade(from: old.version, to: version, newTables: [], newFields: [:], rebuiltTables: [])
        for o in old.tables {
            guard let t = tables.first(where: { $0.name == o.name }) else {
                throw SchemaError(message: "table \(o.name) was removed")
            }
            var rebuild = false
            for of in o.fields {
                guard let f = t.field(of.name) else { throw SchemaError(message: "field \(o.name).\(of.name) was removed") }
                guard f.type == of.type, f.references == of.references else {
                    throw SchemaError(message: "field \(o.name).\(of.name) changed its type or reference")
                }
                let oldValues = of.values ?? []
                guard oldValues.allSatisfy({ (f.values ?? []).contains($0) }) else {
                    throw SchemaError(message: "field \(o.name).\(of.name) lost an enum value")
                }
                if (f.values ?? []) != oldValues { rebuild = true }
            }
            let added = t.fields.filter { o.field($0.name) == nil }
            for f in added where f.required && f.defaultValue == nil {
                throw SchemaError(message: "new field \(t.name).\(f.name) is required without a default: existing rows cannot have it")
            }
            if !added.isEmpty { plan.newFields[t.name] = added.map(\.name) }
            if rebuild { plan.rebuiltTables.append(t.name) }
        }
        plan.newTables = tables.filter { t in !old.tables.contains { $0.name == t.name } }.map(\.name)
        return plan
    }

    /// The schema as a JSON document (what stores keep and the hub sends; `pretty` for people).
    public func encoded(pretty: Bool = false) -> String {
        let e = JSONEncoder()
        e.outputFormatting = pretty ? [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted] : [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? e.encode(self) else { preconditionFailure("a checked schema always encodes") }
        return String(decoding: data, as: UTF8.self)
    }
}
