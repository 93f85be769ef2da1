/// One reason a cell or a row of an imported sheet was not taken, in both languages.
///
/// The messages may echo the cell (the clerk's own file, shown on the clerk's own
/// terminal); they never go to logs or the wire.
public struct ImportIssue: Sendable, Hashable {
    /// The field (`id` for the id column; empty for the row as a whole).
    public var field: String
    /// A stable code: a `ValidationIssue` code, or one of the importer's own (`duplicate-national-id`,
    /// `duplicate-row`, `same-row`, `ambiguous-national-id`, `reference-not-imported`, `invalid-amount`).
    public var code: String
    public var zh: String
    public var en: String

    public init(field: String, code: String, zh: String, en: String) {
        self.field = field
        self.code = code
        self.zh = zh
        self.en = en
    }

    /// A validation issue as the clerk reads it.
    public init(_ v: ValidationIssue) {
        self.init(field: v.field, code: v.code.rawValue, zh: v.message(chinese: true), en: v.message(chinese: false))
    }

    /// The message in the clerk's language.
    public func message(chinese: Bool) -> String { chinese ? zh : en }
}

/// One record of a sheet, read: its id (when the sheet has one), its typed values
/// (an empty cell gives none) and the cells that could not be read.
public struct ImportRow: Sendable {
    /// The line of the file the record starts on.
    public var line: Int
    public var id: String?
    public var values: Fields
    public var issues: [ImportIssue]

    public init(line: Int, id: String? = nil, values: Fields = [:], issues: [ImportIssue] = []) {
        self.line = line
        self.id = id
        self.values = values
        self.issues = issues
    }
}

/// One file of an import, read into rows of one table.
public struct ImportSheet: Sendable {
    /// The file's name as the clerk knows it (`people.csv`).
    public var name: String
    public var table: TableSchema
    public var rows: [ImportRow]

    public init(name: String, table: TableSchema, rows: [ImportRow]) {
        self.name = name
        self.table = table
        self.rows = rows
    }

    /// Reads a sheet's header and records (as `SheetFile.read` returns them) for a table.
    /// - Parameters:
    ///   - sheet: the header and records.
    ///   - name: the file's name, for messages.
    ///   - table: the table the file fills.
    ///   - validator: parses the cells.
    ///   - isCSV: the file was CSV: a cell a CSV export guarded against formulas (`'=…`) is restored
    ///     (`FormulaGuard.restored`); xlsx cells are typed and taken as they are.
    /// - Returns: the rows, each with the cells it could not read.
    /// - Throws: `ImportHeaderError` when a column names no field, or two name the same one.
    public static func read(_ sheet: CSVTable, name: String, table: TableSchema, validator: Validator = Validator(),
                            isCSV: Bool = true) throws(ImportHeaderError) -> ImportSheet {
        let columns = try ImportColumns.map(sheet.header, table: table)
        let rows = sheet.rows.map { record in
            ImportColumns.row(sheet.header.map { h in
                let cell = record.fields[h] ?? ""
                return isCSV ? FormulaGuard.restored(cell) : cell
            }, columns: columns, line: record.line, table: table, validator: validator)
        }
        return ImportSheet(name: name, table: table, rows: rows)
    }
}

/// What the replica holds that an import decides on, read in the import's transaction.
public struct ImportBase: Sendable {
    /// The node's village.
    public var village: String
    /// The live rows the clerk sees, by table and id.
    public var rows: [String: [String: Fields]]
    /// Rows the sheets reference that the node knows only from the hub (DESIGN rule 6), by table and id.
    public var outside: [String: [String: ReferencedRow]]

    public init(village: String, rows: [String: [String: Fields]], outside: [String: [String: ReferencedRow]] = [:]) {
        self.village = village
        self.rows = rows
        self.outside = outside
    }
}

/// What became of one record of a sheet.
public enum ImportOutcome: String, Sendable, Hashable, CaseIterable {
    /// A new row.
    case added
    /// An existing row (same id, or for people the same 身份证号) with a changed value.
    case updated
    /// An existing row whose values the record repeats.
    case unchanged
    /// Not taken; the problems say why.
    case failed
    /// A row of another village: not this node's to write.
    case skipped
}

/// A record of a sheet: `sheet` indexes the import's sheets, `row` the sheet's rows.
public struct ImportRowRef: Sendable, Hashable, Comparable {
    public var sheet: Int
    public var row: Int
    public init(sheet: Int, row: Int) {
        self.sheet = sheet
        self.row = row
    }
    public static func < (a: ImportRowRef, b: ImportRowRef) -> Bool { (a.sheet, a.row) < (b.sheet, b.row) }
}

/// A problem with one record, by file and line.
public struct ImportProblem: Sendable, Hashable {
    public var file: String
    public var line: Int
    public var table: String
    public var issue: ImportIssue
    /// The row went in without the field named (a 户主 whose person row could not be imported).
    public var rowKept: Bool

    public init(file: String, line: Int, table: String, issue: ImportIssue, rowKept: Bool) {
        self.file = file
        self.line = line
        self.table = table
        self.issue = issue
        self.rowKept = rowKept
    }
}

/// One write an import makes, in order.
public struct ImportStep: Sendable {
    public enum Kind: Sendable { case insert, update }
    public var kind: Kind
    public var table: String
    /// The row's id; nil for a new row the sheet gave no id (the store makes one, and a
    /// later step of the same record uses it).
    public var id: String?
    public var values: Fields
    /// The record the step writes.
    public var origin: ImportRowRef
    /// A reference set after every row is in (a 户主 who is in the people file).
    public var isDeferred: Bool
}

/// Per-file counts of an import.
public struct ImportCounts: Sendable, Hashable {
    public var file: String
    public var table: String
    public var added = 0
    public var updated = 0
    public var unchanged = 0
    public var failed = 0
    public var skipped = 0

    public init(file: String, table: String) {
        self.file = file
        self.table = table
    }
}

/// An import decided: the writes to make in order, what becomes of every record, and the problems.
public struct ImportPlan: Sendable {
    /// The sheets, in the order given.
    public var sheets: [(name: String, table: String, lines: [Int])]
    /// The writes: every record's own row in load order (households, people, events, visits,
    /// benefits), then the references that point forward.
    public var steps: [ImportStep]
    public var outcomes: [ImportRowRef: ImportOutcome]
    public var problems: [ImportProblem]
    /// Logic-check warnings the writes brought in (逻辑核查): the rows went in; listed for the clerk to verify.
    public var warnings: [ImportProblem] = []

    /// What became of a record.
    public func outcome(_ ref: ImportRowRef) -> ImportOutcome? { outcomes[ref] }

    /// Records that a write failed when applied (the store's own checks refused it).
    /// A record's own write fails the record; a deferred reference leaves the row in without it.
    /// - Parameters:
    ///   - step: the write.
    ///   - issues: why.
    public mutating func stepFailed(_ step: ImportStep, issues: [ImportIssue]) {
        if !step.isDeferred { outcomes[step.origin] = .failed }
        let s = sheets[step.origin.sheet]
        for i in issues {
            problems.append(ImportProblem(file: s.name, line: s.lines[step.origin.row], table: s.table, issue: i,
                                          rowKept: step.isDeferred))
        }
    }

    /// Records the logic-check warnings a write brought in (the row went in).
    public mutating func stepWarned(_ step: ImportStep, _ findings: [CheckFinding]) {
        let s = sheets[step.origin.sheet]
        for f in findings {
            warnings.append(ImportProblem(file: s.name, line: s.lines[step.origin.row], table: s.table,
                                          issue: ImportIssue(field: "", code: f.rule, zh: f.message.zh, en: f.message.en), rowKept: true))
        }
    }

    /// The counts per file, in the order the sheets were given.
    public var counts: [ImportCounts] {
        var out = sheets.map { ImportCounts(file: $0.name, table: $0.table) }
        for (ref, o) in outcomes {
            switch o {
            case .added: out[ref.sheet].added += 1
            case .updated: out[ref.sheet].updated += 1
            case .unchanged: out[ref.sheet].unchanged += 1
            case .failed: out[ref.sheet].failed += 1
            case .skipped: out[ref.sheet].skipped += 1
            }
        }
        return out
    }

    /// The problems by file (in load order) and line.
    public var sortedProblems: [ImportProblem] {
        let rank = Dictionary(sheets.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { a, _ in a })
        return problems.enumerated().sorted {
            let a = (rank[$0.element.file] ?? 0, $0.element.line, $0.offset), b = (rank[$1.element.file] ?? 0, $1.element.line, $1.offset)
            return a < b
        }.map(\.element)
    }
}

/// A live person who already holds a national ID, as the clerk knows them.
public struct NationalIDHolder: Sendable, Hashable, Codable {
    public var id: String
    public var name: String?
    /// The household's address (else the person's current address).
    public var address: String?

    public init(id: String, name: String?, address: String?) {
        self.id = id
        self.name = name
        self.address = address
    }

    /// A person row described for the clerk: name and the household's address.
    /// - Parameters:
    ///   - id: the row's id.
    ///   - row: the person's values.
    ///   - householdAddress: the address of the household `row` names, when known.
    public init(id: String, row: Fields, householdAddress: String?) {
        self.init(id: id, name: row["name"]?.text, address: householdAddress ?? row["current_address"]?.text)
    }

    /// `王秀英（北赵村二组3号）` / `王秀英 (北赵村二组3号)`.
    public func label(chinese: Bool) -> String {
        let name = self.name ?? (chinese ? "（无姓名）" : "(no name)")
        guard let address, !address.isEmpty else { return name }
        return chinese ? "\(name)（\(address)）" : "\(name) (\(address))"
    }

    /// Why a national ID is refused, naming who holds it, and what to do.
    /// - Parameters:
    ///   - nationalID: the ID typed (the clerk's own input).
    ///   - holders: the live people holding it (at least one).
    /// - Returns: the message in Chinese and English.
    public static func refusal(nationalID: String, holders: [NationalIDHolder]) -> ImportIssue {
        let zh = holders.map { $0.label(chinese: true) }.joined(separator: "、")
        let en = holders.map { $0.label(chinese: false) }.joined(separator: ", ")
        let first = holders.first?.id ?? ""
        let typedZH = nationalID.isEmpty ? "这个身份证号" : "身份证号「\(nationalID)」"
        let typedEN = nationalID.isEmpty ? "this national ID" : "national ID \(nationalID)"
        return ImportIssue(
            field: "national_id", code: "duplicate-national-id",
            zh: "\(typedZH)本村已登记为 \(zh)，编号 \(first)。同一个人请修改那条记录（hamlet edit person \(first)）；"
                + "确实是另一个人请先核对号码，仍要录入加 --force（同步后镇中心会列为重复登记，由管理员处理）",
            en: "\(typedEN) is already held by \(en) in this village, id \(first). If it is the same person, "
                + "edit that row (hamlet edit person \(first)); if not, check the number, and add --force to record it anyway "
                + "(the hub will list a duplicate for the operator)")
    }
}
