import HamletCore

/// Writes the register's xlsx export a row at a time, in bounded memory: the twin of `RegisterCSVWriter`. The
/// sheet is deflated into its ZIP entry as rows come and the archive reaches the sink in pieces, so a million
/// rows never sit in memory; the bytes are exactly `RegisterExport.xlsx(_:cells:labels:)`'s for the same rows.
///
/// ```swift
/// var writer = RegisterXLSXWriter(table: people, labels: true) { bytes in try sink.write(bytes) }
/// try store.forEachExportRow(table: "people") { id, values in try writer.append(id: id, values: values) }
/// try writer.finish()
/// ```
public struct RegisterXLSXWriter {
    private let table: TableSchema
    private let labels: Bool
    private var sheet: XLSXWriter

    /// The rows appended so far.
    public var rowCount: Int { sheet.rowCount }

    /// Creates a writer (nothing reaches the sink until the first rows have sized the columns).
    /// - Parameters:
    ///   - table: The table's schema.
    ///   - labels: 编号 and enum labels instead of `id` and codes.
    ///   - sink: Receives the file's bytes in order; a throw stops the export.
    public init(table: TableSchema, labels: Bool, sink: @escaping ([UInt8]) throws -> Void) {
        self.table = table
        self.labels = labels
        sheet = XLSXWriter(sheetName: table.label.zh, columns: RegisterExport.xlsxColumns(table, labels: labels), sink: sink)
    }

    /// Appends one row.
    /// - Parameters:
    ///   - id: The row's id.
    ///   - values: Its fields.
    /// - Throws: What the sink throws.
    public mutating func append(id: String, values: Fields) throws {
        try sheet.append(RegisterExport.xlsxRecord(table, id: id, values: values, labels: labels))
    }

    /// Writes the rest of the file; call once after the last row.
    /// - Throws: What the sink throws.
    public mutating func finish() throws {
        try sheet.finish()
    }
}
