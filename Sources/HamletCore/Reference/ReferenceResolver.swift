/// One read a resolution asks of a store: the rows of the target table that match.
public enum ReferenceQuery: Sendable, Hashable {
    /// 8 or more characters from the start or the end of a row id (lowercase hex, dashes kept).
    case idFragment(String)
    /// Rows whose field equals the value (a 身份证号, a name).
    case equals(field: String, value: String)
    /// Rows whose field contains the text (part of an address).
    case contains(field: String, text: String)
}

/// A row a query found, with what a clerk needs to choose among several.
public struct ReferenceCandidate: Sendable, Hashable {
    /// The row id.
    public var id: String
    /// The row's fields.
    public var values: Fields
    /// The labels of the rows this row references, by field (a person's household: its address).
    public var references: [String: String]

    /// Creates a candidate.
    ///
    /// - Parameters:
    ///   - id: The row id.
    ///   - values: The row's fields.
    ///   - references: Labels of referenced rows by field name.
    public init(id: String, values: Fields, references: [String: String] = [:]) {
        self.id = id
        self.values = values
        self.references = references
    }
}

/// Why a reference could not be resolved. The message echoes the clerk's own
/// text (CLI only, never logs).
public struct ReferenceError: Error, Sendable {
    /// Stable codes.
    public enum Code: String, Sendable {
        /// No row matches (`missing-reference`, like a UUID of no row).
        case notFound = "missing-reference"
        /// Several rows match; ``ReferenceError/candidates`` lists them.
        case ambiguous = "ambiguous-reference"
    }

    /// What went wrong.
    public var code: Code
    /// The referenced table.
    public var table: TableSchema
    /// What the clerk typed.
    public var text: String
    /// The rows that matched, for `.ambiguous`, by id.
    public var candidates: [ReferenceCandidate]

    /// The message, with a numbered list of candidates for `.ambiguous`.
    ///
    /// - Parameter chinese: The language.
    /// - Returns: One or more lines, without a final newline.
    public func message(chinese: Bool) -> String {
        let noun = chinese ? table.label.zh : table.label.en
        switch code {
        case .notFound:
            return chinese ? "本村没有与「\(text)」对应的\(noun)" : "no \(noun) in this village matches \"\(text)\""
        case .ambiguous:
            var lines = [chinese ? "「\(text)」对应 \(candidates.count) 个\(noun)，请指明是哪一个："
                                 : "\"\(text)\" matches \(candidates.count) \(noun) rows; say which one:"]
            lines += numberedList().map { "  " + $0 }
            return lines.joined(separator: "\n")
        }
    }

    /// The candidates as numbered lines: `1. 王秀英  1962-04-03  *1224  北赵村三组12号  #e19489a0`.
    public func numberedList() -> [String] {
        let labeler = RowLabeler(table: table)
        let shorts = ShortID.unique(candidates.map(\.id))
        return candidates.enumerated().map { i, c in
            "\(i + 1). " + labeler.describe(c, shortID: shorts[c.id] ?? ShortID.of(c.id)).filter { !$0.isEmpty }.joined(separator: "  ")
        }
    }

    /// How to name one row instead, with examples taken from the candidates.
    ///
    /// - Parameters:
    ///   - flag: The flag the clerk used (`--person`), or nil for a column or argument.
    ///   - chinese: The language.
    /// - Returns: One sentence.
    public func hint(flag: String?, chinese: Bool) -> String {
        let labeler = RowLabeler(table: table)
        let prefix = flag.map { $0 + " " } ?? ""
        let first = candidates.first
        var ways: [String] = []
        if let idField = labeler.nationalIDField { ways.append(chinese ? idField.label.zh : idField.label.en) }
        if let title = labeler.titleField {
            switch (code, labeler.titleIsName) {
            case (.ambiguous, true):
                if labeler.nationalIDField != nil, let label = first.flatMap({ labeler.label($0.values) }), label.contains("*") {
                    let typed = label.filter { $0 != " " }
                    ways.append(chinese ? "\(title.label.zh)加身份证号后4位（\(prefix)'\(typed)'）"
                                        : "the \(title.label.en) and the ID's last 4 (\(prefix)'\(typed)')")
                }
            case (.ambiguous, false):
                ways.append(chinese ? "完整的\(title.label.zh)" : "the whole \(title.label.en)")
            case (.notFound, true):
                ways.append(chinese ? title.label.zh : title.label.en)
            case (.notFound, false):
                ways.append(chinese ? "\(title.label.zh)或其中一段" : "the \(title.label.en) or part of it")
            }
        }
        if let first {
            let short = ShortID.unique(candidates.map(\.id))[first.id] ?? ShortID.of(first.id)
            ways.append(chinese ? "编号的前或后至少8位（\(prefix)\(short)）" : "8 or more characters of the id (\(prefix)\(short))")
        } else {
            ways.append(chinese ? "编号的前或后至少8位" : "8 or more characters of the id")
        }
        let list = "hamlet list \(table.name)"
        switch code {
        case .ambiguous:
            return chinese ? "请改用" + ways.joined(separator: "、") + "指明"
                           : "name one row by " + ways.joined(separator: ", ")
        case .notFound:
            return chinese ? "可以用" + ways.joined(separator: "、") + "指明；用 \(list) 查看本村的\(table.label.zh)"
                           : "name a row by " + ways.joined(separator: ", ") + "; see \(list)"
        }
    }
}

/// Turns what a clerk knows about a row into its id: a whole id, 8 or more
/// characters from the start or end of one, a 身份证号, a name (unique in the
/// village, optionally with the ID's last 4: `王秀英*1224`), or for tables
/// titled by an address, the address or part of it.
///
/// Pure: the caller supplies the reads (``ReferenceQuery``) as a throwing
/// closure and the resolver decides, so a store, an import reading its own
/// file, or both together can feed it.
///
/// Rules, in order:
/// 1. Empty text is no reference (an edit clears the field).
/// 2. A whole UUID is taken as is; validation then checks the row exists.
/// 3. Text ending in `#` and 8+ hex digits (a label copied from a list)
///    matches ids by start or end.
/// 4. 18 characters of digits (the last may be X) match the 身份证号.
/// 5. Other text of 8+ hex digits (and dashes) matches ids by start or end.
/// 6. Otherwise the title: names match whole (a trailing `*1224` or ` 1224`
///    keeps those whose ID ends so); addresses match whole first, else by part.
/// One match resolves; none is `.notFound`; several are `.ambiguous`.
public struct ReferenceResolver: Sendable {
    /// The referenced table.
    public let table: TableSchema
    let labeler: RowLabeler

    /// Creates a resolver for references to one table.
    ///
    /// - Parameter table: The referenced table (`people`, `households`).
    public init(table: TableSchema) {
        self.table = table
        self.labeler = RowLabeler(table: table)
    }

    /// The read a text needs and the filter applied to its results.
    public struct Plan: Sendable, Hashable {
        /// The rows to read; nil when the text is taken as is.
        public var query: ReferenceQuery?
        /// The text to take as is (a whole UUID, or "" for none), when there is no query.
        public var verbatim: String?
        /// Keep only rows whose 身份证号 ends with these characters.
        public var idSuffix: String?
        /// For part matches: a whole match wins over part matches.
        public var preferWhole: (field: String, value: String)? {
            if case .contains(let f, let t) = query { return (f, t) }
            return nil
        }
    }

    /// Classifies what the clerk typed.
    ///
    /// - Parameter raw: The flag value or cell.
    /// - Returns: The read to make (or the text to take as is).
    public func plan(_ raw: String) -> Plan {
        let text = raw.trimmingSpaces()
        if text.isEmpty { return Plan(query: nil, verbatim: "", idSuffix: nil) }
        let lower = text.lowercased()
        if RowID.isValid(lower) { return Plan(query: nil, verbatim: lower, idSuffix: nil) }
        // A label copied from a list: `王秀英 *1224 #e19489a0` or `#e19489a0`.
        if let hash = lower.lastIndex(of: "#") {
            let fragment = String(lower[lower.index(after: hash)...])
            if Self.isIDFragment(fragment) { return Plan(query: .idFragment(fragment), verbatim: nil, idSuffix: nil) }
        }
        // 18 digits are a 身份证号 before they are hex.
        if let idField = labeler.nationalIDField, Self.looksLikeNationalID(text) {
            return Plan(query: .equals(field: idField.name, value: text.uppercased()), verbatim: nil, idSuffix: nil)
        }
        if Self.isIDFragment(lower) { return Plan(query: .idFragment(lower), verbatim: nil, idSuffix: nil) }
        guard let title = labeler.titleField else {
            return Plan(query: nil, verbatim: text, idSuffix: nil)
        }
        if labeler.titleIsName {
            if labeler.nationalIDField != nil, let (name, suffix) = Self.splitIDSuffix(text) {
                return Plan(query: .equals(field: title.name, value: name), verbatim: nil, idSuffix: suffix)
            }
            return Plan(query: .equals(field: title.name, value: text), verbatim: nil, idSuffix: nil)
        }
        return Plan(query: .contains(field: title.name, text: text), verbatim: nil, idSuffix: nil)
    }

    /// Picks the row among what the read returned.
    ///
    /// - Parameters:
    ///   - plan: The plan the text gave.
    ///   - text: What the clerk typed (for the error).
    ///   - found: The rows the plan's query returned.
    /// - Returns: The id of the one row.
    /// - Throws: `ReferenceError` `.notFound` or `.ambiguous` (with the candidates by id).
    public func decide(_ plan: Plan, text: String, found: [ReferenceCandidate]) throws(ReferenceError) -> String {
        if let verbatim = plan.verbatim { return verbatim }
        var rows = Dictionary(found.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a }).values.sorted { $0.id < $1.id }
        if let suffix = plan.idSuffix, let idField = labeler.nationalIDField {
            rows = rows.filter { $0.values[idField.name]?.text?.uppercased().hasSuffix(suffix) == true }
        }
        if let whole = plan.preferWhole, rows.count > 1 {
            let exact = rows.filter { $0.values[whole.field]?.text == whole.value }
            if exact.count == 1 { rows = exact }
        }
        switch rows.count {
        case 1: return rows[0].id
        case 0: throw ReferenceError(code: .notFound, table: table, text: text.trimmingSpaces(), candidates: [])
        default: throw ReferenceError(code: .ambiguous, table: table, text: text.trimmingSpaces(), candidates: rows)
        }
    }

    /// Resolves a text to a row id, reading through `lookup`.
    ///
    /// - Parameters:
    ///   - text: What the clerk typed.
    ///   - lookup: Returns the live rows of ``table`` that match a query; its errors pass through.
    /// - Returns: The row id; `""` for empty text; a whole UUID unchecked.
    /// - Throws: `ReferenceError` when no row or several match; whatever `lookup` throws.
    public func resolve(_ text: String, lookup: (ReferenceQuery) throws -> [ReferenceCandidate]) throws -> String {
        let p = plan(text)
        guard let q = p.query else { return p.verbatim ?? "" }
        return try decide(p, text: text, found: try lookup(q))
    }

    /// 8 or more characters of lowercase hex and dashes, with at least 8 hex digits.
    static func isIDFragment(_ s: String) -> Bool {
        guard s.count <= 36, s.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) || $0 == 45 }) else { return false }
        return s.utf8.filter { $0 != 45 }.count >= ShortID.minimumLength
    }

    /// 18 characters: 17 digits and a digit or X. The check digit is not checked:
    /// a wrong one simply finds no row.
    static func looksLikeNationalID(_ s: String) -> Bool {
        let u = Array(s.utf8)
        guard u.count == 18 else { return false }
        return u.dropLast().allSatisfy { $0 >= 48 && $0 <= 57 } && (u[17] >= 48 && u[17] <= 57 || u[17] == 88 || u[17] == 120)
    }

    /// `王秀英*1224`, `王秀英 *1224`, `王秀英 1224` → (`王秀英`, `1224`); nil when the text has no such ending.
    static func splitIDSuffix(_ text: String) -> (String, String)? {
        let chars = Array(text)
        guard chars.count > 4 else { return nil }
        let tail = chars.suffix(4)
        guard tail.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == "X" || $0 == "x") }) else { return nil }
        var head = chars.dropLast(4)
        let starred = head.last == "*"
        if starred { head = head.dropLast() }
        let spaced = head.last == " "
        while head.last == " " { head = head.dropLast() }
        // Without a star or a space, a name ending in 4 digits is not a name.
        guard starred || spaced || !(head.last?.isASCII ?? true), !head.isEmpty else { return nil }
        return (String(head), String(tail).uppercased())
    }
}
