import Foundation
import HamletCLI
import HamletCore
import HamletStore

/// What the clerk's offline commands (`InitCommand` … `LogCommand`) share: opening the replica, reading field
/// flags into values, naming rows, and showing values.
enum ReplicaCommands {
    static func open(_ c: Context) throws -> Replica { try Replica.open(directory: c.directory) }

    /// Turns `--field value` options into typed values for a table. A reference
    /// flag (`--person`, `--household`, `--head`) may name its row by what the
    /// clerk knows; it is resolved to the row id here, before the write (with
    /// no replica, as at the hub, references are taken as typed).
    static func values(_ c: Context, _ t: TableSchema, _ r: Replica? = nil) throws -> Fields {
        let v = Validator()
        var out: Fields = [:]
        for f in t.fields {
            // Data-driven: each field of the table is an option named after it.
            guard var raw = c.invocation.value(f.flagName) else { continue }
            if f.type == .ref, let r, let target = f.references {
                raw = try reference(c, r, raw, to: target, flag: "--" + f.flagName)
            }
            out[f.name] = try v.parse(raw, for: f, table: t.name)
        }
        return out
    }

    /// Resolves a 身份证号, name, address or id (8+ characters) to a row id of `table`.
    /// - Throws: `CLIError` `missing-reference` (exit 65, or `not-found` 66 for a
    ///   command's own row argument) or `ambiguous-reference` (exit 65, with a numbered list).
    static func reference(_ c: Context, _ r: Replica, _ text: String, to table: String, flag: String?) throws -> String {
        do {
            return try r.resolveReference(text, to: table)
        } catch let e as ReferenceError {
            let argument = flag == nil && e.code == .notFound
            throw CLIError(code: argument ? "not-found" : e.code.rawValue, exit: argument ? .notFound : .invalidData,
                           message: Localized(zh: e.message(chinese: true), en: e.message(chinese: false)),
                           hint: Localized(zh: e.hint(flag: flag, chinese: true), en: e.hint(flag: flag, chinese: false)))
        }
    }

    /// The command's `<id>` argument, which may also be a 身份证号, a name, an address or 8+ characters of an id.
    static func rowID(_ c: Context, _ r: Replica, _ t: TableSchema) throws -> String {
        let id = try reference(c, r, try c.argument(CommandTree.idArgument), to: t.name, flag: nil)
        guard !id.isEmpty else {
            throw CLIError(code: "usage", exit: .usage, message: Localized(zh: "缺少参数 <编号>", en: "missing argument <id>"))
        }
        return id
    }

    /// A refused duplicate national ID, echoing the ID the clerk typed and naming who holds it.
    static func naming(_ vals: Fields, _ write: () throws -> LocalWrite) throws -> LocalWrite {
        do {
            return try write()
        } catch let e as ReplicaError where e.code == .duplicate {
            let refusal = NationalIDHolder.refusal(nationalID: vals["national_id"]?.text ?? "", holders: e.holders)
            throw CLIError(code: refusal.code, exit: .invalidData, message: Localized(zh: refusal.zh, en: refusal.en),
                           hint: Localized(zh: "没有做任何修改", en: "nothing was changed"))
        }
    }

    /// After `--force`: says on stderr who else holds the national ID and what happens next.
    static func noteRecordedDuplicates(_ w: LocalWrite, _ c: Context) {
        guard !w.duplicates.isEmpty else { return }
        let zh = w.duplicates.map { "\($0.label(chinese: true))，编号 \($0.id)" }.joined(separator: "；")
        let en = w.duplicates.map { "\($0.label(chinese: false)), id \($0.id)" }.joined(separator: "; ")
        Output.err(c.t("注意：按 --force 录入了与 \(zh) 相同的身份证号；同步后镇中心会列为重复登记，由管理员核对合并\n",
                       "note: recorded under --force with the national ID of \(en); after sync the hub lists a duplicate for the operator to check and merge\n"))
    }

    /// Logic-check warnings a write brought in (saved anyway): one line each on stderr, with the rule's id.
    static func noteWarnings(_ w: LocalWrite, _ c: Context) {
        for f in w.warnings {
            Output.err(c.t("提醒：\(f.message.zh) [\(f.rule)]（已保存，可用 hamlet check 查看）\n",
                           "warning: \(f.message.en) [\(f.rule)] (saved; hamlet check lists it)\n"))
        }
    }

    /// `--json` output of a write: its own fields, and the warnings it brought in.
    static func writeJSON(_ fields: [String: String], _ w: LocalWrite) -> [String: AnyEncodable] {
        var out = fields.mapValues { AnyEncodable($0) }
        out["warnings"] = AnyEncodable(w.warnings.map(CheckJSON.init))
        return out
    }

    /// How a list or `show` prints a field's value: a referenced row by its
    /// label, an enum by its Chinese label under Chinese; `--codes` prints
    /// what is stored (codes, whole ids).
    struct Display {
        let chinese: Bool
        let codes: Bool
        /// Labels of referenced rows, by table, then id.
        var labels: [String: [String: String]] = [:]

        /// Reads the labels of every row the given rows reference through `fields`.
        init(_ c: Context, _ r: Replica, _ t: TableSchema, fields: [String], rows: [Fields]) throws {
            chinese = c.chinese
            codes = c.flag(CommandTree.codes)
            guard !codes else { return }
            for f in t.referenceFields where fields.contains(f.name) {
                guard let target = f.references.flatMap({ r.schema.table(named: $0) }) else { continue }
                let ids = Set(rows.compactMap { $0[f.name]?.text })
                labels[target.name, default: [:]].merge(try r.rowLabels(target, ids: ids)) { a, _ in a }
            }
        }

        func text(_ value: Value?, _ f: FieldSchema?) -> String {
            guard let value, !value.isNull else { return "" }
            guard !codes, let f else { return value.description }
            switch f.type {
            case .ref:
                guard let id = value.text else { return value.description }
                return f.references.flatMap { labels[$0]?[id] } ?? "#" + ShortID.of(id)
            case .enum where chinese:
                return value.text.map { f.label(ofValue: $0).zh } ?? value.description
            default:
                return value.description
            }
        }
    }

    /// Whether a column's values mean nothing when cut (dates, 身份证号, phones, numbers).
    static func fixedWidth(_ f: FieldSchema) -> Bool {
        [.date, .nationalID, .phone, .integer].contains(f.type)
    }

    static func state(_ s: String, _ c: Context) -> String {
        switch s {
        case "pending": return c.t("待上传", "pending")
        case "accepted": return c.t("已接收", "accepted")
        case "conflicted": return c.t("有冲突", "conflicted")
        case "rejected": return c.t("已退回", "rejected")
        default: return s
        }
    }

}

/// `--json` shape of a row.
struct RowJSON: Encodable {
    var id: String
    var values: Fields
}

/// `--json` shape of `list` when `--limit` cut rows (otherwise a plain array of rows).
struct TruncatedListJSON: Encodable {
    var rows: [RowJSON]
    var total: Int
    var shown: Int
    var truncated: Bool
}

/// `--json` shape of `show`.
struct ShowJSON: Encodable {
    var table: String
    var id: String
    var values: Fields
    var versions: [String: Int64]
    var pending: [ChangeJSON]
    var rejected: [ChangeJSON]
    /// The row's changes that opened conflicts, each with what the hub said of them.
    var conflicted: [ChangeJSON] = []
    /// A person's 孩次 among the mother's children (absent without a mother).
    var birthOrder: BirthOrderJSON?
    /// A woman's children with their 孩次, first-born first (absent for other rows and men).
    var children: [BirthOrderJSON]?

    enum CodingKeys: String, CodingKey {
        case table, id, values, versions, pending, rejected, conflicted, children
        case birthOrder = "birth_order"
    }
}

/// `--json` shape of one change-log entry.
struct ChangeJSON: Encodable {
    var seq: Int64
    var state: String
    var op: String
    var table: String
    var row: String
    var values: Fields
    var bases: [String: Int64]
    var hlc: String
    var author: String
    var madeAt: Int64
    var hseq: Int64?
    var code: String?
    var message: String?
    var conflicts: [Int64]
    /// For a conflicted change: where each of its conflicts stands, as last asked (those the node has heard of).
    var outcomes: [ConflictOutcome]?
    /// For a conflicted change: true once every conflict it opened is closed.
    var settled: Bool?

    init(_ r: ChangeRecord) {
        self.init(r, known: nil)
    }

    /// - Parameter known: The conflict outcomes the node knows; nil leaves `outcomes` and `settled` out.
    init(_ r: ChangeRecord, known: [Int64: ConflictOutcome]?) {
        seq = r.change.seq
        state = r.state
        op = r.change.op.rawValue
        table = r.change.table
        row = r.change.row
        values = r.change.values
        bases = r.change.bases
        hlc = r.change.hlc.description
        author = r.change.author
        madeAt = r.madeAt
        hseq = r.hseq
        code = r.code
        message = r.message
        conflicts = r.conflicts
        if r.state == "conflicted", let known {
            outcomes = r.conflicts.compactMap { known[$0] }
            settled = Replica.isSettled(r, known)
        }
    }

    enum CodingKeys: String, CodingKey {
        case seq, state, op, table, row, values, bases, hlc, author, hseq, code, message, conflicts, outcomes, settled
        case madeAt = "made_at"
    }
}
