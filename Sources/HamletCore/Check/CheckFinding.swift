import Foundation

/// One record that breaks one rule now (a 核查 item).
public struct CheckFinding: Sendable, Hashable, Codable {
    /// The rule's id.
    public var rule: String
    public var severity: CheckSeverity
    /// The record that breaks it: the visit, the event, the pregnancy; the person for facts of her own row.
    public var table: String
    public var row: String
    /// Whose card it is on.
    public var person: String
    /// The record's village (the person's when the record has none).
    public var village: String
    /// The record's own date when it has one (for listing by period).
    public var date: String?
    /// The rule's sentence with this finding's names and dates filled in.
    public var message: Label

    /// The identity of an item across runs: the rule and the record.
    public var key: CheckKey { CheckKey(rule: rule, table: table, row: row) }

    public init(rule: String, severity: CheckSeverity, table: String, row: String, person: String, village: String,
                date: String?, message: Label) {
        self.rule = rule
        self.severity = severity
        self.table = table
        self.row = row
        self.person = person
        self.village = village
        self.date = date
        self.message = message
    }
}

/// A rule and the record it is about: what an operator's 已核实 mark is kept under.
public struct CheckKey: Sendable, Hashable, Codable, Comparable {
    public var rule: String
    public var table: String
    public var row: String

    public init(rule: String, table: String, row: String) {
        self.rule = rule
        self.table = table
        self.row = row
    }

    public static func < (a: CheckKey, b: CheckKey) -> Bool { (a.rule, a.table, a.row) < (b.rule, b.table, b.row) }
}

/// Fills a rule's `{name}` placeholders, in Chinese and English.
struct CheckMessage {
    var args: [String: Label] = [:]

    mutating func set(_ key: String, _ value: Label) { args[key] = value }
    mutating func set(_ key: String, _ value: String) { args[key] = Label(zh: value, en: value) }

    func render(_ template: Label) -> Label {
        Label(zh: fill(template.zh, chinese: true), en: fill(template.en, chinese: false))
    }

    private func fill(_ s: String, chinese: Bool) -> String {
        var out = s
        for (k, v) in args { out = out.replacingOccurrences(of: "{\(k)}", with: v.text(chinese: chinese)) }
        return out
    }
}
