/// Read access to one row's values, whether kept by name (`Fields`) or by ordinal (``HubRow``), so validation and the
/// merge's reads run on either without building a name map (issue 17 item 1). Null and absent are the same: both
/// read nil.
public protocol FieldValues {
    /// The value of the field named `name` at ordinal `ordinal` of `layout` (nil: none).
    func value(at ordinal: Int, named name: String, in layout: TableLayout) -> Value?
    /// The value of the field named `name` of a table with `layout` (nil: none).
    func value(named name: String, in layout: TableLayout) -> Value?
}

extension Dictionary: FieldValues where Key == String, Value == HamletCore.Value {
    @inlinable public func value(at ordinal: Int, named name: String, in layout: TableLayout) -> HamletCore.Value? {
        value(named: name, in: layout)
    }

    @inlinable public func value(named name: String, in layout: TableLayout) -> HamletCore.Value? {
        guard let v = self[name], !v.isNull else { return nil }
        return v
    }
}

extension HubRow: FieldValues {
    /// By index when the row is kept by `layout`, else by name.
    @inlinable public func value(at ordinal: Int, named name: String, in layout: TableLayout) -> Value? {
        self.layout === layout ? cell(ordinal) : value(name)
    }

    public func value(named name: String, in layout: TableLayout) -> Value? { value(name) }
}
