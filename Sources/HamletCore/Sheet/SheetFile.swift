/// A spreadsheet file as a clerk hands it over: the one entry point imports read through.
///
/// Today: CSV in UTF-8 (with or without a byte-order mark). The reader picks the format
/// from the bytes (and the file name only as a hint), so every importer gets every format
/// the moment it is added here.
public enum SheetFile {
    /// Reads a file's first sheet as a header and records.
    /// - Parameters:
    ///   - bytes: the whole file.
    ///   - name: the file's name (its extension is a hint, never trusted over the bytes).
    /// - Returns: the header and the records, each with the line (or row) it starts on.
    /// - Throws: `CSVError` naming the line and the problem.
    public static func read(bytes: [UInt8], name: String) throws(CSVError) -> CSVTable {
        try CSVTable.read(bytes: bytes)
    }
}
