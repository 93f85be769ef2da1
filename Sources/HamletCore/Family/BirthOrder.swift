/// 孩次: a child's order among its mother's children, derived from the register and
/// never typed in.
///
/// The children are every live row of `people` whose `mother` is the woman: a
/// child who has since died or moved away still counts (孩次 counts births). They
/// are ordered by birth date, then by id, so twins (the same birth date) get
/// consecutive orders and always the same ones. Dates are compared as the
/// register stores them (`YYYY-MM-DD`, which sorts in date order).
public struct BirthOrder: Sendable, Hashable {
    /// One of a mother's children as the register holds it.
    public struct Child: Sendable, Hashable {
        /// The child's row id.
        public var id: String
        /// The child's birth date, `YYYY-MM-DD`.
        public var birthDate: String

        /// Makes a child.
        /// - Parameters:
        ///   - id: the row id.
        ///   - birthDate: the birth date as stored.
        public init(id: String, birthDate: String) {
            self.id = id
            self.birthDate = birthDate
        }
    }

    /// The child's id.
    public var id: String
    /// The child's birth date.
    public var birthDate: String
    /// 1 for the first child (一孩), 2 for the second (二孩), and so on.
    public var order: Int
    /// True when a sibling shares the birth date (twins, triplets).
    public var isMultipleBirth: Bool

    /// The reporting category: 一孩, 二孩 or 多孩 (third and later).
    public var category: Category { Category(order: order) }

    /// The figures' three groups (口径: 出生 一孩 / 二孩 / 多孩).
    public enum Category: String, Sendable, Hashable, CaseIterable {
        /// 一孩.
        case first
        /// 二孩.
        case second
        /// 多孩: the third child and later.
        case higher

        /// The category of an order.
        /// - Parameter order: a 孩次, 1 or more.
        public init(order: Int) {
            switch order {
            case ...1: self = .first
            case 2: self = .second
            default: self = .higher
            }
        }

        /// 一孩, 二孩 or 多孩 / first, second, third or later.
        /// - Parameter chinese: the clerk's language.
        /// - Returns: the label.
        public func label(chinese: Bool) -> String {
            switch self {
            case .first: return chinese ? "一孩" : "first"
            case .second: return chinese ? "二孩" : "second"
            case .higher: return chinese ? "多孩" : "third or later"
            }
        }
    }

    /// Orders a mother's children.
    /// - Parameter children: her children, in any order (each id once).
    /// - Returns: one entry per child, first-born first.
    public static func of(_ children: [Child]) -> [BirthOrder] {
        let sorted = children.sorted { ($0.birthDate, $0.id) < ($1.birthDate, $1.id) }
        var dateCounts: [String: Int] = [:]
        for c in sorted { dateCounts[c.birthDate, default: 0] += 1 }
        return sorted.enumerated().map { i, c in
            BirthOrder(id: c.id, birthDate: c.birthDate, order: i + 1, isMultipleBirth: (dateCounts[c.birthDate] ?? 0) > 1)
        }
    }

    /// The 孩次 as a clerk says it: 一孩, 二孩, 三孩 (多孩) … with 双胞胎 for a multiple birth;
    /// in English `1st`, `2nd`, `3rd (third or later)`, with `twin`.
    /// - Parameter chinese: the clerk's language.
    /// - Returns: the label.
    public func label(chinese: Bool) -> String {
        var s: String
        if chinese {
            s = BirthOrder.numeral(order) + "孩"
            if category == .higher { s += "（多孩）" }
            if isMultipleBirth { s += "，双胞胎/多胞胎" }
        } else {
            s = BirthOrder.ordinal(order)
            if category == .higher { s += " (third or later)" }
            if isMultipleBirth { s += ", twin or multiple birth" }
        }
        return s
    }

    /// 一 … 十, then digits.
    static func numeral(_ n: Int) -> String {
        let digits = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"]
        return (1...10).contains(n) ? digits[n - 1] : String(n)
    }

    /// 1st, 2nd, 3rd, 4th … 11th, 12th, 13th, 21st.
    static func ordinal(_ n: Int) -> String {
        let suffix: String
        switch (n % 10, n % 100) {
        case (_, 11...13): suffix = "th"
        case (1, _): suffix = "st"
        case (2, _): suffix = "nd"
        case (3, _): suffix = "rd"
        default: suffix = "th"
        }
        return "\(n)\(suffix)"
    }
}
