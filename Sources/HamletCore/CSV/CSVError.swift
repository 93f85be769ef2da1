/// Why a spreadsheet file (CSV or xlsx) could not be read.
///
/// `code` is stable (CLI `error[code]`, logs): add new codes, never rename.
/// `line` is the 1-based physical line of a CSV input where the problem is (for
/// an unterminated quote, the line on which the quoted field opens), or the
/// 1-based row number of an xlsx sheet; it is 0 when the problem is the file as
/// a whole (a damaged ZIP, a zip bomb). Messages never carry field values: they
/// may be personal data.
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
        /// The file is neither CSV nor xlsx (an old .xls, a Word file, a picture …).
        case notASpreadsheet = "not-a-spreadsheet"
        /// The xlsx file is damaged: a broken ZIP, a failed checksum, invalid XML.
        case damagedFile = "damaged-file"
        /// The xlsx file unpacks to more than the limits allow (a zip bomb, or far too big to be a register).
        case zipBomb = "zip-bomb"
        /// The workbook is password-protected.
        case encryptedFile = "encrypted-file"
        /// A number cell holds more digits than a spreadsheet keeps (a national ID typed as a number).
        case idAsNumber = "id-as-number"
        /// The sheet has more rows, columns or cells than the limits allow.
        case tooLarge = "too-large"
    }

    /// What went wrong.
    public var code: Code
    /// The 1-based physical line (CSV) or row (xlsx) where it went wrong; 0 for the file as a whole.
    public var line: Int
    /// What went wrong and what to do, in English; free of field values.
    public var message: String
    /// The same in Chinese, for clerks.
    public var messageZH: String

    /// Makes an error.
    /// - Parameters:
    ///   - code: the stable code.
    ///   - line: the 1-based physical line or row; 0 for the file as a whole.
    ///   - message: English text without field values.
    ///   - zh: Chinese text without field values.
    public init(_ code: Code, line: Int, message: String, zh: String) {
        self.code = code
        self.line = line
        self.message = message
        self.messageZH = zh
    }

    /// `line N: message [code]`, or `message [code]` when the line is 0.
    public var description: String {
        line > 0 ? "line \(line): \(message) [\(code.rawValue)]" : "\(message) [\(code.rawValue)]"
    }
}
