/// What an operator typed into the search box, classified: a whole 身份证号, its
/// last digits, a label copied from a page (`王秀英 *1224`), or text to find
/// inside names and addresses.
///
/// The text is personal data: it is matched, never logged or stored.
public struct RecordSearch: Sendable, Hashable {
    /// How the text is matched.
    public enum Kind: Sendable, Hashable {
        /// 18 characters: the whole 身份证号 (upper-case `X`).
        case nationalID(String)
        /// 4 to 17 digits (a final `X` allowed): the end of a 身份证号.
        case idSuffix(String)
        /// A label as the pages show it: a name and the ID's last 4 (`王秀英 *1224`).
        case labeled(name: String, idSuffix: String)
        /// Anything else: part of a name or an address (Chinese matched character by character).
        case text(String)
    }

    /// The fewest digits that search 身份证号 endings; shorter digit runs are text (a house number).
    public static let minimumIDDigits = 4
    /// The longest query kept; the rest is cut.
    public static let maximumLength = 100

    /// How the text is matched.
    public let kind: Kind
    /// The text as searched (trimmed, cut to ``maximumLength``), for the page to show back.
    public let text: String

    /// Classifies a query.
    ///
    /// - Parameter raw: The search box's text.
    /// - Returns: The search, or nil when the text is empty after trimming.
    public init?(_ raw: String) {
        let text = String(raw.trimmingSpaces().prefix(RecordSearch.maximumLength))
        guard !text.isEmpty else { return nil }
        self.text = text
        if ReferenceResolver.looksLikeNationalID(text) {
            kind = .nationalID(text.uppercased())
        } else if RecordSearch.isIDDigits(text) {
            kind = .idSuffix(text.uppercased())
        } else if text.contains("*"), let (name, suffix) = ReferenceResolver.splitIDSuffix(text) {
            kind = .labeled(name: name, idSuffix: suffix)
        } else {
            kind = .text(text)
        }
    }

    /// 4 to 17 ASCII digits, the last one possibly `X`.
    static func isIDDigits(_ s: String) -> Bool {
        let u = Array(s.utf8)
        guard (minimumIDDigits...17).contains(u.count) else { return false }
        return u.dropLast().allSatisfy { $0 >= 48 && $0 <= 57 } && (u[u.count - 1] >= 48 && u[u.count - 1] <= 57 || u[u.count - 1] == 88 || u[u.count - 1] == 120)
    }
}
