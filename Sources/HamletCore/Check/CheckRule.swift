import Foundation

/// How hard a broken rule stops a clerk (逻辑核查).
public enum CheckSeverity: String, Sendable, Codable, Hashable, CaseIterable {
    /// Impossible facts: the node refuses the write (exit 65, nothing changed).
    case refuse
    /// Suspicious facts: saved, with a warning, and listed for review.
    case warn

    /// 「不允许」 / 「提醒」.
    public var label: Label {
        switch self {
        case .refuse: return Label(zh: "不允许", en: "refused")
        case .warn: return Label(zh: "提醒", en: "warning")
        }
    }
}

/// One logic-check rule as declared in `check-rules.json`: its id, severity,
/// wording and parameters. The logic that reads a card lives in ``CardRules``,
/// keyed by the id; a test checks every declared rule has logic and back.
public struct CheckRule: Sendable, Codable, Hashable {
    /// Stable id (`pregnancy-care-for-man`), used by `--rule` and in JSON.
    public var id: String
    public var severity: CheckSeverity
    /// The tables the rule reads.
    public var tables: [String]
    /// A short name for lists and counts.
    public var label: Label
    /// The sentence for one finding; `{name}` placeholders are filled per finding.
    public var message: Label
    /// Numbers, value lists and ranges the logic reads (ages, kinds, amounts).
    public var params: CheckParams?

    /// The parameters, empty when the rule sets none.
    public var p: CheckParams { params ?? CheckParams() }
}

/// The parameters a rule may set in `check-rules.json`; each rule reads its own.
public struct CheckParams: Sendable, Codable, Hashable {
    /// Visit kinds (codes) the rule is about.
    public var kinds: [String]?
    /// Contraception methods (codes) the rule is about.
    public var methods: [String]?
    public var minAge: Int?
    public var maxAge: Int?
    /// Legal marriage ages by sex code.
    public var ageF: Int?
    public var ageM: Int?
    /// The day the legal ages above took effect (1980 Marriage Law: 1981-01-01), and the ages before it.
    public var since: String?
    public var earlierF: Int?
    public var earlierM: Int?
    public var weeks: Int?
    public var dueWeeks: Int?
    /// A benefit program (its stored text).
    public var program: String?
    /// Amount ranges in 元 by program, `[min, max]`.
    public var yuan: [String: [Int]]?

    public init() {}

    enum CodingKeys: String, CodingKey {
        case kinds, methods, weeks, program, yuan
        case minAge = "min_age", maxAge = "max_age", ageF = "age_F", ageM = "age_M", dueWeeks = "due_weeks", since
        case earlierF = "earlier_F", earlierM = "earlier_M"
    }
}

/// The rule set: declared once, run at entry on the node and in bulk at the hub.
public struct CheckRuleSet: Sendable, Codable, Hashable {
    public var version: Int
    public var rules: [CheckRule]

    /// The rule with this id.
    public func rule(_ id: String) -> CheckRule? { rules.first { $0.id == id } }

    /// The shipped rules, decoded from the embedded `check-rules.json`.
    public static let register: CheckRuleSet = {
        do {
            return try JSONDecoder().decode(CheckRuleSet.self, from: Data(PackageResources.check_rules_json))
        } catch {
            preconditionFailure("the embedded check rules are invalid: \(error)")
        }
    }()
}
