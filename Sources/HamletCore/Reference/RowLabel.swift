/// How a clerk recognises a row: a person by 姓名 and the last 4 characters
/// of the 身份证号 (`王秀英 *1224`), a household by its 地址.
///
/// The schema says which fields these are by their kinds, so no table is
/// named here: the *title* field is the one lists sort by pinyin (a name),
/// else the first required text field other than the scope column (an
/// address); the national-ID field adds its last 4 characters. Rows of
/// tables without a title (events, visits, benefits) are labelled by the
/// row they reference.
public struct RowLabeler: Sendable {
    /// The table whose rows are labelled.
    public let table: TableSchema
    /// The scope column (`village`), never a title.
    public let scope: String

    /// Creates a labeler for one table.
    ///
    /// - Parameters:
    ///   - table: The table whose rows are labelled.
    ///   - scope: The schema's scope column, which is never a title.
    public init(table: TableSchema, scope: String = Schema.register.scope) {
        self.table = table
        self.scope = scope
    }

    /// The field a row is named by: the pinyin-sorted field (姓名), else the
    /// first required text field other than the scope (地址); nil when none.
    public var titleField: FieldSchema? {
        table.fields.first { $0.sort == "pinyin" }
            ?? table.fields.first { $0.type == .text && $0.required && $0.name != scope }
    }

    /// Whether the title is a name, matched whole; other titles (addresses) match by part.
    public var titleIsName: Bool { titleField?.sort == "pinyin" }

    /// The field holding a 身份证号, if the table has one.
    public var nationalIDField: FieldSchema? { table.fields.first { $0.type == .nationalID } }

    /// The label of a row from its values: `王秀英 *1224`, `王秀英` (no ID), `北赵村三组12号`.
    ///
    /// - Parameter values: The row's fields.
    /// - Returns: The label, or nil when the table has no title or the row no title value.
    public func label(_ values: Fields) -> String? {
        guard let title = titleField, let text = values[title.name]?.text, !text.isEmpty else { return nil }
        guard let idField = nationalIDField, let id = values[idField.name]?.text, id.count >= 4 else { return text }
        return text + " *" + String(id.suffix(4))
    }

    /// The cells that tell candidates apart in a numbered list: the title,
    /// the dates (birth date), `*` and the last 4 characters of the 身份证号,
    /// the labels of the rows it references (the household's address), and
    /// `#` with the short id.
    ///
    /// - Parameters:
    ///   - candidate: The row.
    ///   - shortID: The short id to show (see ``ShortID``).
    /// - Returns: The cells, empty ones left out.
    public func describe(_ candidate: ReferenceCandidate, shortID: String) -> [String] {
        var cells: [String] = []
        if let title = titleField { cells.append(candidate.values[title.name]?.text ?? "") }
        for f in table.fields where f.type == .date {
            if let d = candidate.values[f.name]?.text { cells.append(d) }
        }
        if let idField = nationalIDField {
            cells.append(candidate.values[idField.name]?.text.map { "*" + String($0.suffix(4)) } ?? "")
        }
        for f in table.referenceFields {
            if let l = candidate.references[f.name] { cells.append(l) }
        }
        cells.append("#" + shortID)
        return cells
    }
}

/// Short row ids for people to read and type: the last 8 hex digits of the id.
///
/// Row ids are time-ordered (UUIDv7): their first 12 hex digits are the
/// creation millisecond, shared by every row an import makes in that
/// millisecond, and their first 8 by every row made in the same minute. The
/// last 12 are random, so the short id is taken from the end, and lengthened
/// where two ids of one listing share it. A clerk may type it back anywhere
/// a row is named (see ``ReferenceResolver``): 8 or more hex digits from the
/// start or the end of an id.
public enum ShortID {
    /// The fewest hex digits accepted as part of an id.
    public static let minimumLength = 8

    /// The last `length` characters of an id.
    ///
    /// - Parameters:
    ///   - id: A row id.
    ///   - length: How many characters to keep.
    /// - Returns: The short id (the whole id when it is shorter).
    public static func of(_ id: String, length: Int = minimumLength) -> String {
        String(id.suffix(length))
    }

    /// Short ids that tell the given ids apart: 8 characters, more (up to the
    /// whole id) where two ids end alike.
    ///
    /// - Parameter ids: The ids of one listing.
    /// - Returns: Each id's short id.
    public static func unique(_ ids: some Sequence<String>) -> [String: String] {
        let all = Array(Set(ids))
        var out: [String: String] = [:]
        var length = minimumLength
        var pending = all
        while !pending.isEmpty {
            var seen: [String: Int] = [:]
            for id in all { seen[of(id, length: length), default: 0] += 1 }
            var next: [String] = []
            for id in pending {
                let s = of(id, length: length)
                if seen[s] == 1 || length >= id.count { out[id] = s } else { next.append(id) }
            }
            pending = next
            length += 1
        }
        return out
    }
}

/// Labels made distinct for one table's rows: a label two rows share, and a
/// row without a label, get `#` and the short id; the short id appears only
/// where it tells rows apart.
public enum RowLabels {
    /// Distinct display labels.
    ///
    /// - Parameter labels: Each row id with its label, nil when it has none.
    /// - Returns: Each id's display label: `王秀英 *1224`, `王秀英 *1224 #e19489a0`
    ///   for a shared label, `#e19489a0` for a row without one.
    public static func distinct(_ labels: [String: String?]) -> [String: String] {
        var counts: [String: Int] = [:]
        for case let l? in labels.values { counts[l, default: 0] += 1 }
        let needShort = labels.filter { entry in entry.value.map { counts[$0, default: 0] > 1 } ?? true }.map(\.key)
        let shorts = ShortID.unique(needShort.isEmpty ? [] : Array(labels.keys))
        var out: [String: String] = [:]
        for (id, label) in labels {
            let short = "#" + (shorts[id] ?? ShortID.of(id))
            if let label {
                out[id] = counts[label, default: 0] > 1 ? label + " " + short : label
            } else {
                out[id] = short
            }
        }
        return out
    }
}
