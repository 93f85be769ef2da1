/// The 18-digit PRC resident identity number (GB 11643-1999).
///
/// Digits 1–6 are the region, 7–14 the birth date (YYYYMMDD), 15–17 a sequence
/// whose last digit is odd for men and even for women, and 18 a check digit
/// (ISO 7064 MOD 11-2; `X` stands for 10).
public struct NationalID: Sendable, Hashable, CustomStringConvertible {
    /// The normalised text: 17 digits and a digit or uppercase `X`.
    public let text: String
    /// The birth date encoded in digits 7–14.
    public let birthDate: CalendarDate
    /// `M` when the 17th digit is odd, `F` when it is even.
    public let sex: String

    /// Why a text is not a valid national ID.
    public enum Problem: String, Sendable, Equatable {
        case length, characters, region, birthDate = "birth-date", checkDigit = "check-digit"
    }

    static let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    static let checkCharacters: [Character] = ["1", "0", "X", "9", "8", "7", "6", "5", "4", "3", "2"]
    /// Province-level region codes (first two digits).
    static let provinces: Set<Int> = [11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37,
                                      41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54, 61, 62, 63, 64, 65,
                                      71, 81, 82]

    /// The check character for the first 17 digits.
    public static func checkCharacter(for first17: [Int]) -> Character {
        var sum = 0
        for (d, w) in zip(first17, weights) { sum += d * w }
        return checkCharacters[sum % 11]
    }

    /// Validates and normalises (`x` → `X`, surrounding spaces removed).
    public static func parse(_ raw: String) -> Result<NationalID, ProblemBox> {
        parseASCII(raw) ?? parseGeneral(raw)
    }

    /// `parse` by characters: any text (spaces around, fullwidth or other digits refused as characters, …).
    static func parseGeneral(_ raw: String) -> Result<NationalID, ProblemBox> {
        let t = raw.trimmingSpaces().uppercased()
        let chars = Array(t)
        guard chars.count == 18 else { return .failure(ProblemBox(.length)) }
        var digits: [Int] = []
        for c in chars.prefix(17) {
            guard let d = c.wholeNumberValue, c.isASCII else { return .failure(ProblemBox(.characters)) }
            digits.append(d)
        }
        guard chars[17].isASCII, chars[17].isNumber || chars[17] == "X" else { return .failure(ProblemBox(.characters)) }
        guard provinces.contains(digits[0] * 10 + digits[1]) else { return .failure(ProblemBox(.region)) }
        let y = digits[6] * 1000 + digits[7] * 100 + digits[8] * 10 + digits[9]
        let m = digits[10] * 10 + digits[11]
        let d = digits[12] * 10 + digits[13]
        guard let birth = CalendarDate(year: y, month: m, day: d) else { return .failure(ProblemBox(.birthDate)) }
        guard checkCharacter(for: digits) == chars[17] else { return .failure(ProblemBox(.checkDigit)) }
        return .success(NationalID(text: t, birthDate: birth, sex: digits[16] % 2 == 1 ? "M" : "F"))
    }

    /// `parse` of the common shape, read from the UTF-8 bytes: exactly 17 ASCII digits and a digit, `X` or `x`,
    /// nothing around them (the hub checks every ID of every change; the general path costs ~30k instructions).
    /// The same answers as the general path for that shape; nil for any other text, which takes the general path.
    static func parseASCII(_ raw: String) -> Result<NationalID, ProblemBox>? {
        var digits = [Int](repeating: 0, count: 17)
        var last: UInt8 = 0
        var n = 0
        for b in raw.utf8 {
            guard n < 18 else { return nil }
            if n < 17 {
                guard b >= 48, b <= 57 else { return nil }
                digits[n] = Int(b - 48)
            } else {
                guard b >= 48 && b <= 57 || b == 88 || b == 120 else { return nil }    // digit, X, x
                last = b == 120 ? 88 : b
            }
            n += 1
        }
        guard n == 18 else { return nil }
        guard provinces.contains(digits[0] * 10 + digits[1]) else { return .failure(ProblemBox(.region)) }
        let y = digits[6] * 1000 + digits[7] * 100 + digits[8] * 10 + digits[9]
        guard let birth = CalendarDate(year: y, month: digits[10] * 10 + digits[11], day: digits[12] * 10 + digits[13])
        else { return .failure(ProblemBox(.birthDate)) }
        var sum = 0
        for (d, w) in zip(digits, weights) { sum += d * w }
        guard checkCharacters[sum % 11].asciiValue == last else { return .failure(ProblemBox(.checkDigit)) }
        let text = last == raw.utf8.last ? raw : String(raw.dropLast()) + "X"
        return .success(NationalID(text: text, birthDate: birth, sex: digits[16] % 2 == 1 ? "M" : "F"))
    }

    /// Builds a valid ID from a region, a birth date and a 3-digit sequence (odd = male).
    public static func make(region: Int, birth: CalendarDate, sequence: Int) -> String {
        var s = String(region)
        s += String(birth.description.filter { $0 != "-" })
        let seq = String(sequence % 1000)
        s += String(repeating: "0", count: 3 - seq.count) + seq
        let digits = s.compactMap { $0.wholeNumberValue }
        return s + String(checkCharacter(for: digits))
    }

    private init(text: String, birthDate: CalendarDate, sex: String) {
        self.text = text
        self.birthDate = birthDate
        self.sex = sex
    }

    public var description: String { text }

    /// A `Problem` usable as an `Error` payload.
    public struct ProblemBox: Error, Sendable, Equatable {
        public let problem: Problem
        init(_ p: Problem) { problem = p }
    }
}

extension String {
    /// The text without leading and trailing whitespace: spaces, tabs, line breaks, the no-break space U+00A0,
    /// the ideographic space U+3000 and every other Unicode space (`Character.isWhitespace`).
    public func trimmingSpaces() -> String {
        let isSpace = TextSafety.isEdgeSpace
        guard let start = firstIndex(where: { !isSpace($0) }), let end = lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(self[start...end])
    }
}
