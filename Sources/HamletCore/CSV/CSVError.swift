/// Why a CSV document could not be read.
///
/// `code` is stable (CLI `error[code]`, logs): add new codes, never rename.
/// `line` is the 1-based physical line of the input where the problem is (for
/// an unterminated quote, the line on which the quoted field opens). Messages
/// never carry field values: they may be personal data.
public struct CSVError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Stable codes; add new ones, never rename.
    public enum Code: String, Sendable, Hashable, CaseIterable {
        /// The bytes are not valid UTF-8 (save the file as UTF-8).
        case invalidUTF8 = "invalid-utf8"
        /// A quoted field is never closed.
        case unterminatedQuote = "unterminated-quote"
        /// Text follows a closing quote before the next comma or line end (`"ab"c`).
        case textAfterQuote = "text-after-quote"
        /// A record has a different number of fields from the first record (the header).
        case raggedRow = "ragged-row"
        /// The document has no header record.
        case missingHeader = "missing-header"
        /// A header field is empty.
        case emptyHeaderField = "empty-header-field"
        /// Two header fields have the same name.
        case duplicateHeaderField = "duplicate-header-field"
    }

    /// What went wrong.
    public var code: Code
    /// The 1-based physical line where it went wrong.
    public var line: Int
    /// What went wrong and what to do, in English; free of field values.
    public var message: String
    /// The same in Chinese, for clerks.
    public var messageZH: String

    /// Makes an error.
    /// - Parameters:
    ///   - code: the stable code.
    ///   - line: the 1-based physical line.
    ///   - message: English text without field values.
    ///   - zh: Chinese text without field values.
    public init(_ code: Code, line: Int, message: String, zh: String) {
        self.code = code
        self.line = line
        self.message = message
        self.messageZH = zh
    }

    /// `line N: message [code]`.
    public var description: String { "line \(line): \(message) [\(code.rawValue)]" }
}
