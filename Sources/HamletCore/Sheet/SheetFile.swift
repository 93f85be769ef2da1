/// A spreadsheet file as a clerk hands it over: the one entry point imports read through.
///
/// The reader picks the format from the bytes (the file name only as a hint, never trusted
/// over them): an xlsx workbook (a ZIP archive; its first sheet), a CSV in UTF-8 (with or
/// without a byte-order mark), or a CSV in GB18030/GBK, as Chinese Excel and WPS save
/// "CSV" by default, converted to text. An old binary .xls (or a password-protected
/// workbook, which is the same container) and anything else are refused with a message
/// saying how to save the file instead.
///
/// Cells come back as text, exactly as CSV gives them. CSV exports neutralise formula
/// characters (`FormulaGuard`); an importer reading a CSV calls `FormulaGuard.restored(_:)`
/// on each cell (`format(bytes:name:)` says whether the file is CSV).
public enum SheetFile {
    /// The formats `read` understands.
    public enum Format: String, Sendable {
        /// Comma-separated text in UTF-8.
        case csvUTF8 = "csv"
        /// Comma-separated text in GB18030 or GBK.
        case csvGB18030 = "csv-gb18030"
        /// An Office Open XML workbook.
        case xlsx
    }

    /// Reads a file's first sheet as a header and records.
    /// - Parameters:
    ///   - bytes: the whole file.
    ///   - name: the file's name (its extension is a hint, never trusted over the bytes).
    /// - Returns: the header and the records, each with the line (CSV) or row (xlsx) it starts on.
    /// - Throws: `CSVError` naming the line and the problem: the CSV codes, and for xlsx
    ///   `not-a-spreadsheet`, `damaged-file`, `zip-bomb`, `encrypted-file`, `too-large`, `id-as-number`.
    public static func read(bytes: [UInt8], name: String) throws(CSVError) -> CSVTable {
        try read(bytes: bytes, name: name, limits: SheetLimits())
    }

    /// Reads a file's first sheet within the given limits; see `read(bytes:name:)`.
    /// - Parameters:
    ///   - bytes: the whole file.
    ///   - name: the file's name (a hint).
    ///   - limits: caps on what an xlsx file may unpack to.
    /// - Returns: the header and the records.
    /// - Throws: `CSVError` as `read(bytes:name:)`.
    public static func read(bytes: [UInt8], name: String, limits: SheetLimits) throws(CSVError) -> CSVTable {
        switch try format(bytes: bytes, name: name) {
        case .xlsx:
            return try CSVTable.make(records: XLSXReader.records(bytes: bytes, limits: limits))
        case .csvUTF8:
            return try CSVTable.read(bytes: bytes)
        case .csvGB18030:
            guard let text = GB18030.decode(bytes) else { preconditionFailure("format(bytes:name:) decoded it") }
            return try CSVTable.read(bytes: Array(text.utf8))
        }
    }

    /// Which format a file is in, from its first bytes (and its whole text for the encoding).
    /// - Parameters:
    ///   - bytes: the whole file.
    ///   - name: the file's name, used only to word the error for a non-spreadsheet.
    /// - Returns: the format.
    /// - Throws: `CSVError` with `not-a-spreadsheet` (an .xls, an OLE2 or other binary file) or
    ///   `invalid-utf8` (text in neither UTF-8 nor GB18030).
    public static func format(bytes: [UInt8], name: String) throws(CSVError) -> Format {
        if bytes.starts(with: [0x50, 0x4B, 0x03, 0x04]) || bytes.starts(with: [0x50, 0x4B, 0x05, 0x06]) { return .xlsx }
        if bytes.starts(with: [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
            throw CSVError(.notASpreadsheet, line: 0,
                           message: "the file is an old Excel .xls or a password-protected workbook; save it as .xlsx (without a password) or CSV UTF-8 and try again",
                           zh: "文件是旧版 Excel（.xls）或设置了密码的工作簿；请另存为不带密码的 .xlsx 或“CSV UTF-8”后重试")
        }
        let start = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        if CSV.firstInvalidUTF8(bytes, from: start) == nil {
            guard !bytes.contains(0) else { throw notText(name) }
            return .csvUTF8
        }
        guard !bytes.contains(0), GB18030.decode(bytes) != nil else { throw notText(name) }
        return .csvGB18030
    }

    static func notText(_ name: String) -> CSVError {
        let lower = name.lowercased()
        if lower.hasSuffix(".xls") || lower.hasSuffix(".xlsx") || lower.hasSuffix(".ods") || lower.hasSuffix(".et") {
            return CSVError(.notASpreadsheet, line: 0,
                            message: "the file is not an xlsx workbook nor a CSV; save it as .xlsx or CSV UTF-8 and try again",
                            zh: "文件既不是 xlsx 工作簿也不是 CSV；请另存为 .xlsx 或“CSV UTF-8”后重试")
        }
        return CSVError(.invalidUTF8, line: 0,
                        message: "the file is neither UTF-8 nor GBK/GB18030 text; save it as CSV UTF-8 or .xlsx and try again",
                        zh: "文件既不是 UTF-8 也不是 GBK/GB18030 编码的文本；请另存为“CSV UTF-8”或 .xlsx 后重试")
    }
}
