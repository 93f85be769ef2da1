import HamletCLI
import HamletCore

/// How the CLI names what it stores for the person reading: under Chinese a table, field, enum value, operation or
/// writer by its label (人口, 性别, 女, 新增, 镇中心); in English by its code, as before. `--json` and `--codes`
/// never come through here: they print what is stored.
enum Wording {
    /// `人口` / `people`.
    static func table(_ name: String, _ schema: Schema, _ c: Context) -> String {
        guard c.chinese, let t = schema.table(named: name) else { return name }
        return t.label.zh
    }

    /// `出生日期` / `birth_date`.
    static func field(_ name: String, _ t: TableSchema?, _ c: Context) -> String {
        guard c.chinese, let f = t?.field(name) else { return name }
        return f.label.zh
    }

    /// Several fields, joined: `姓名、出生日期` (in the table's order) / `birth_date,name`.
    static func fields(_ names: some Sequence<String>, _ t: TableSchema?, _ c: Context) -> String {
        guard c.chinese else { return names.sorted().joined(separator: ",") }
        let rank = Dictionary((t?.fields ?? []).enumerated().map { ($1.name, $0) }, uniquingKeysWith: { a, _ in a })
        return names.sorted { (rank[$0] ?? .max, $0) < (rank[$1] ?? .max, $1) }.map { field($0, t, c) }.joined(separator: "、")
    }

    /// A value as stored, with an enum value by its label under Chinese (`married` → 已婚).
    static func value(_ v: Value?, _ f: FieldSchema?, _ c: Context) -> String {
        guard let v, !v.isNull else { return "" }
        if c.chinese, let f, f.type == .enum, let text = v.text { return f.label(ofValue: text).zh }
        return v.description
    }

    /// `姓名=王武 性别=男` / `name=王武 sex=M`: the values a change wrote.
    static func assignments(_ values: Fields, _ t: TableSchema?, _ c: Context) -> String {
        values.keys.sorted().map { "\(field($0, t, c))=\(value(values[$0], t?.field($0), c))" }.joined(separator: " ")
    }

    /// A node's change: `新增` for a row's first write, `修改`, `删除` (`put` / `delete` in English).
    static func op(_ op: ChangeOp, creates: Bool, _ c: Context) -> String {
        guard c.chinese else { return op.rawValue }
        switch op {
        case .put: return creates ? "新增" : "修改"
        case .delete: return "删除"
        }
    }

    /// A hub log entry's operation (`put`, `resolve`, `merge` …) under Chinese.
    static func hubOp(_ op: String, _ c: Context) -> String {
        guard c.chinese else { return op }
        let words = ["put": "写入", "delete": "删除", "edit": "更正", "resolve": "处理冲突", "merge": "合并",
                     "unmerge": "撤销合并", "keep": "保留记录", "repoint": "改指引用", "merge-move": "合并迁移", "load": "装入", "seed": "装入",
                     "county": "县级下发"]
        return words[op] ?? op
    }

    /// The writer of a hub change: a node's id, or 镇中心 for the hub itself (`@hub`).
    static func writer(_ node: String, _ c: Context) -> String {
        node == NodeID.hub ? c.t("镇中心", node) : node
    }

    /// A version the hub gave a write (its `hseq`): `版本 12` / `hseq 12`.
    static func version(_ hseq: Int64, _ c: Context) -> String {
        c.t("版本 \(hseq)", "hseq \(hseq)")
    }

    /// What each rejection code means, for a clerk reading why the hub sent a change back.
    static let rejectionsZH: [String: String] = [
        "missing-field": "必须填写", "invalid-text": "文字不符合要求", "too-long": "太长",
        "invalid-integer": "不是整数", "out-of-range": "超出允许的范围", "invalid-date": "不是有效日期",
        "invalid-enum": "不是可选的值", "invalid-national-id": "身份证号不正确", "invalid-phone": "不是有效的电话号码",
        "invalid-reference": "不是有效的记录编号", "missing-reference": "引用的记录在镇中心不存在或已删除",
        "national-id-birth-date-mismatch": "身份证号与出生日期不符", "national-id-sex-mismatch": "身份证号与性别不符",
        "date-before-birth": "早于此人的出生日期", "missing-one-of": "缺少必填项之一", "read-only-field": "这个字段不能修改",
        "parent-too-young": "父母应比本人大至少12岁（请核对出生日期）", "unknown-table": "镇中心没有这个表",
        "unknown-field": "镇中心没有这个字段（镇中心的台账结构较旧）", "out-of-scope": "这条记录属于别的村，本节点不能修改",
        "not-owner": "这条记录不归本节点修改", "unknown-row": "镇中心没有这条记录", "seq-reused": "修改序号重复（本地数据可能是旧副本）",
        "invalid-change": "这条修改的格式不对", "forbidden-character": "含有不可见字符、控制字符或不该有的换行", "stale": "在显示之后又被修改过，请重新查看",
    ]

    /// Why the hub sent a change back: `[code] message` in English; in Chinese the code with the field's label and
    /// what the code means (the wire message is English and carries no values).
    static func rejection(code: String, message: String?, schema: Schema, _ c: Context) -> String {
        guard c.chinese else { return "[\(code)] \(message ?? "")" }
        let meaning = rejectionsZH[code] ?? "镇中心不接受这条修改"
        // Validation messages start with `table.field: `.
        if let message, let colon = message.firstIndex(of: ":") {
            let parts = message[..<colon].split(separator: ".")
            if parts.count == 2, let t = schema.table(named: String(parts[0])) {
                let names = parts[1].split(separator: "|").map { t.field(String($0))?.label.zh ?? String($0) }
                return "[\(code)] \(names.joined(separator: "、"))：\(meaning)"
            }
        }
        return "[\(code)] \(meaning)"
    }
}

extension Context {
    /// A table a clerk named: its code (`people`, `person`) or its Chinese label (人口, 户).
    /// - Returns: The table's code; the text as given when it names none (the store then says so).
    func tableName(_ text: String, _ schema: Schema) -> String {
        schema.table(named: text)?.name ?? schema.tables.first { $0.label.zh == text }?.name ?? text
    }
}
