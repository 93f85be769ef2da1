/// Recording a child's birth closes the mother's pregnancy (孕情): the decision,
/// pure. The store reads the mother's pregnancies into values, `decide` picks
/// the one the birth ends, and the store applies the update as an ordinary local
/// change in the same transaction as the child.
public enum PregnancyClosure {
    /// One pregnancy of the mother, as the register holds it.
    public struct Pregnancy: Sendable, Hashable {
        /// The pregnancy's row id.
        public var id: String
        /// `ongoing`, `born` or `ended`.
        public var status: String
        /// The day it was found, `YYYY-MM-DD`.
        public var foundOn: String

        /// Makes a pregnancy.
        /// - Parameters:
        ///   - id: the row id.
        ///   - status: the stored status code.
        ///   - foundOn: the stored found-on date.
        public init(id: String, status: String, foundOn: String) {
            self.id = id
            self.status = status
            self.foundOn = foundOn
        }

        /// Reads a `pregnancies` row.
        /// - Parameters:
        ///   - id: the row id.
        ///   - values: its fields.
        public init(id: String, values: Fields) {
            self.init(id: id, status: values["status"]?.text ?? "", foundOn: values["found_on"]?.text ?? "")
        }
    }

    /// The update the birth makes.
    public struct Update: Sendable, Hashable {
        /// The pregnancy closed.
        public var pregnancy: String
        /// The fields it sets: status `born`, `child`, `ended_on`.
        public var values: Fields
    }

    /// Which pregnancy a birth closes: of the mother's ongoing pregnancies found on
    /// or before the birth date, the one found last (an older one still open is
    /// more likely a record nobody closed). None when she has none.
    /// - Parameters:
    ///   - child: the new child's row id.
    ///   - birthDate: the child's birth date, `YYYY-MM-DD`.
    ///   - pregnancies: the mother's pregnancies, any status, any order.
    /// - Returns: the update to apply, or nil.
    public static func decide(child: String, birthDate: String, pregnancies: [Pregnancy]) -> Update? {
        guard CalendarDate(birthDate) != nil else { return nil }
        let open = pregnancies.filter { $0.status == "ongoing" && CalendarDate($0.foundOn) != nil && $0.foundOn <= birthDate }
        guard let p = open.max(by: { ($0.foundOn, $0.id) < ($1.foundOn, $1.id) }) else { return nil }
        return Update(pregnancy: p.id, values: ["status": .text("born"), "child": .text(child), "ended_on": .text(birthDate)])
    }
}
