import HamletCore

extension HubStore {
    /// Compares the register with an outside list (比对: `hamlet hub compare`, the operator page).
    ///
    /// Reads, in one read transaction, the live people (`_deleted = 0 AND _merged_into IS NULL`) of every
    /// village (a mother may be registered in another) and the dates of their live marriage events, then lets
    /// `ListComparison.make` decide. Never writes: nothing in the register changes without a person acting.
    /// People are reported by village, then in name order where the sort keys are filled, then by id.
    /// - Parameters:
    ///   - list: the outside list (`OutsideList.read`); its kind says what it covers.
    ///   - village: compare only this village's people, or nil for the whole township.
    /// - Returns: the comparison.
    /// - Throws: `OperatorError` (`not-found`) when the schema has no people table; `StoreError` on a read failure.
    public func compare(list: OutsideList, village: String? = nil) throws -> ListComparison {
        guard let people = schema.table(named: "people") else {
            throw OperatorError(code: .notFound, message: "no table people", zh: "没有「人口」表")
        }
        return try read {
            let live = "_deleted = 0 AND _merged_into IS NULL"
            let rows = try connection.rows("""
                SELECT \(SchemaSQL.columns(people)) FROM \(SchemaSQL.quote(people.name))
                WHERE \(live) ORDER BY \(SchemaSQL.quote(schema.scope)), _sort IS NULL, _sort, id
                """)
            var register: [(id: String, fields: Fields)] = []
            register.reserveCapacity(rows.count)
            for r in rows {
                var fields: Fields = [:]
                for (i, f) in people.fields.enumerated() where !r[i + 1].isNull { fields[f.name] = r[i + 1] }
                register.append((id: try r.text(0), fields: fields))
            }
            return ListComparison.make(list: list, people: register, marriages: try marriageDates(live: live), village: village)
        }
    }

    /// Each person's live marriage event dates, by person row id (empty when the schema has no events table).
    func marriageDates(live: String) throws -> [String: [String]] {
        guard let events = schema.table(named: "events"), events.field("person") != nil, events.field("date") != nil,
              events.field("kind") != nil else { return [:] }
        var out: [String: [String]] = [:]
        let rows = try connection.rows("""
            SELECT "person", "date" FROM \(SchemaSQL.quote(events.name))
            WHERE \(live) AND "kind" = 'marriage' AND "person" IS NOT NULL AND "date" IS NOT NULL ORDER BY "date"
            """)
        for r in rows {
            guard let person = r.optionalText(0), let date = r.optionalText(1) else { continue }
            out[person, default: []].append(date)
        }
        return out
    }
}
