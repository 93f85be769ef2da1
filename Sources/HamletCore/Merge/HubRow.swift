/// The hub's version record of one field: which change set its current value.
public struct FieldVersion: Sendable, Hashable, Codable {
    /// The `hseq` of the change that set the current value (the field's version).
    public var hseq: Int64
    /// The HLC stamp of that change.
    public var hlc: HLC
    /// The writers that count as having written the current value: the setter
    /// first, then nodes that concurrently wrote the same value (rule 4).
    /// The operator is `NodeID.hub`.
    public var writers: [String]

    public init(hseq: Int64, hlc: HLC, writers: [String]) {
        self.hseq = hseq
        self.hlc = hlc
        self.writers = writers
    }
}

/// The hub's current state of one row, as the merge sees it.
///
/// A row read for its table (``init(_:id:cells:versions:deleted:deletion:mergedInto:hseq:)``, the store's reads and
/// the merge) keeps its values and versions in arrays by field ordinal (``TableLayout``), so the hot path reads a
/// field by index rather than hashing its name (issue 17 item 1). `values` and `versions` are the same state as
/// name-keyed maps, for the paths that are not hot; a row made from such maps keeps them by name until
/// ``adopting(_:)`` gives it its table's layout. Null and absent are the same value.
public struct HubRow: Sendable, Hashable {
    public var table: String
    public var id: String
    /// The layout `cells` follow; nil for a row made from name maps alone.
    public private(set) var layout: TableLayout?
    /// Values by ordinal (`.null`: no value).
    public private(set) var cells: [Value]
    /// Versions by ordinal (nil: never set).
    public private(set) var cellVersions: [FieldVersion?]
    /// Values and versions under names outside the layout (a field the schema has since dropped; every name of a
    /// row without a layout).
    private var extraValues: Fields
    private var extraVersions: [String: FieldVersion]
    /// Tombstoned (by a delete or as the loser of a merge).
    public var deleted: Bool
    /// Who deleted it and when, while `deleted`.
    public var deletion: FieldVersion?
    /// The survivor this row was merged into.
    public var mergedInto: String?
    /// The highest `hseq` that touched the row.
    public var hseq: Int64

    /// A row from name-keyed maps (nulls dropped).
    public init(table: String, id: String, values: Fields, versions: [String: FieldVersion],
                deleted: Bool = false, deletion: FieldVersion? = nil, mergedInto: String? = nil, hseq: Int64) {
        self.table = table
        self.id = id
        layout = nil
        cells = []
        cellVersions = []
        extraValues = values.filter { !$0.value.isNull }
        extraVersions = versions
        self.deleted = deleted
        self.deletion = deletion
        self.mergedInto = mergedInto
        self.hseq = hseq
    }

    /// A row of table `t` from arrays by ordinal (`cells.count == versions.count == t.fields.count`), with any
    /// version under a name the table no longer has in `extraVersions`.
    public init(_ t: TableSchema, id: String, cells: [Value], versions: [FieldVersion?],
                extraVersions: [String: FieldVersion] = [:], deleted: Bool = false, deletion: FieldVersion? = nil,
                mergedInto: String? = nil, hseq: Int64) {
        precondition(cells.count == t.fields.count && versions.count == t.fields.count, "cells of another layout")
        table = t.name
        self.id = id
        layout = t.layout
        self.cells = cells
        cellVersions = versions
        extraValues = [:]
        self.extraVersions = extraVersions
        self.deleted = deleted
        self.deletion = deletion
        self.mergedInto = mergedInto
        self.hseq = hseq
    }

    /// A new row of table `t` holding `values` (nulls dropped), each non-null value at `version`.
    public init(_ t: TableSchema, id: String, values: Fields, version: FieldVersion, hseq: Int64) {
        self.init(t, id: id, cells: Array(repeating: .null, count: t.fields.count),
                  versions: Array(repeating: nil, count: t.fields.count), hseq: hseq)
        for (k, v) in values where !v.isNull {
            if let o = t.layout.ordinals[k] {
                cells[o] = v
                cellVersions[o] = version
            } else {
                extraValues[k] = v
                extraVersions[k] = version
            }
        }
    }

    /// The same row with its fields kept by `layout`'s ordinals (itself when it already is).
    public func adopting(_ layout: TableLayout) -> HubRow {
        if self.layout === layout { return self }
        var out = self
        out.layout = layout
        out.cells = Array(repeating: .null, count: layout.names.count)
        out.cellVersions = Array(repeating: nil, count: layout.names.count)
        out.extraValues = [:]
        out.extraVersions = [:]
        out.values = values
        out.versions = versions
        return out
    }

    /// The value of field `name` (nil: none).
    public func value(_ name: String) -> Value? {
        if let o = layout?.ordinals[name] { return cell(o) }
        return extraValues[name]
    }

    /// The value at ordinal `o` of the row's layout (nil: none).
    @inline(__always) public func cell(_ o: Int) -> Value? {
        let v = cells[o]
        return v.isNull ? nil : v
    }

    /// The version of field `name`.
    public func version(_ name: String) -> FieldVersion? {
        if let o = layout?.ordinals[name] { return cellVersions[o] }
        return extraVersions[name]
    }

    /// Sets the value and version at ordinal `o` of the row's layout.
    public mutating func set(_ o: Int, value: Value?, version: FieldVersion?) {
        cells[o] = value ?? .null
        cellVersions[o] = version
    }

    /// Sets the version of field `name` (nil: none), leaving its value.
    public mutating func setVersion(_ version: FieldVersion?, named name: String) {
        if let o = layout?.ordinals[name] { cellVersions[o] = version } else { extraVersions[name] = version }
    }

    /// Sets the value of field `name` (nil or `.null`: none), leaving its version. Unlike `values[name] = v`, which
    /// builds and rereads the whole name map, this costs one lookup: use it in loops.
    public mutating func setValue(_ v: Value?, named name: String) {
        let v = v?.isNull == true ? nil : v
        if let o = layout?.ordinals[name] { cells[o] = v ?? .null } else { extraValues[name] = v }
    }

    /// True when both rows hold the same values (versions and flags aside).
    public func sameValues(as other: HubRow) -> Bool {
        if let l = layout, l === other.layout { return cells == other.cells && extraValues == other.extraValues }
        return values == other.values
    }

    /// True when some field's version (a dropped field's too) satisfies `predicate`.
    public func anyVersion(_ predicate: (FieldVersion) -> Bool) -> Bool {
        cellVersions.contains { $0.map(predicate) ?? false } || extraVersions.values.contains(where: predicate)
    }

    /// The names of the fields whose version satisfies `predicate`.
    public func fieldNames(whereVersion predicate: (FieldVersion) -> Bool) -> Set<String> {
        var out = Set(extraVersions.filter { predicate($0.value) }.keys)
        if let layout {
            for (o, v) in cellVersions.enumerated() { if let v, predicate(v) { out.insert(layout.names[o]) } }
        }
        return out
    }

    /// Sets the version at ordinal `o` of the row's layout.
    public mutating func setVersion(_ o: Int, _ version: FieldVersion?) { cellVersions[o] = version }

    /// Drops values under names outside the layout (the table has no column for them; versions stay).
    public mutating func dropValuesOutsideLayout() { extraValues = [:] }

    /// Versions under names outside the layout (a dropped field's).
    public var versionsOutsideLayout: [String: FieldVersion] { extraVersions }

    /// True when the row holds a value or version under a name outside its layout.
    public var hasFieldsOutsideLayout: Bool { !extraValues.isEmpty || !extraVersions.isEmpty }

    /// Every field's current value (a tombstone keeps its last values), by name.
    public var values: Fields {
        get {
            var out = extraValues
            if let layout {
                for (o, v) in cells.enumerated() where !v.isNull { out[layout.names[o]] = v }
            }
            return out
        }
        set {
            extraValues = [:]
            for i in cells.indices { cells[i] = .null }
            for (k, v) in newValue where !v.isNull {
                if let o = layout?.ordinals[k] { cells[o] = v } else { extraValues[k] = v }
            }
        }
    }

    /// Version of each field that has ever been set, by name.
    public var versions: [String: FieldVersion] {
        get {
            var out = extraVersions
            if let layout {
                for (o, v) in cellVersions.enumerated() { if let v { out[layout.names[o]] = v } }
            }
            return out
        }
        set {
            extraVersions = [:]
            for i in cellVersions.indices { cellVersions[i] = nil }
            for (k, v) in newValue {
                if let o = layout?.ordinals[k] { cellVersions[o] = v } else { extraVersions[k] = v }
            }
        }
    }

    /// The value of the scope column.
    public func scope(_ schema: Schema) -> String? { value(schema.scope)?.text }

    public static func == (a: HubRow, b: HubRow) -> Bool {
        guard a.table == b.table, a.id == b.id, a.deleted == b.deleted, a.deletion == b.deletion,
              a.mergedInto == b.mergedInto, a.hseq == b.hseq else { return false }
        if let la = a.layout, la === b.layout {
            return a.cells == b.cells && a.cellVersions == b.cellVersions && a.extraValues == b.extraValues
                && a.extraVersions == b.extraVersions
        }
        return a.values == b.values && a.versions == b.versions
    }

    public func hash(into h: inout Hasher) {
        h.combine(table)
        h.combine(id)
        h.combine(hseq)
        h.combine(deleted)
    }
}
