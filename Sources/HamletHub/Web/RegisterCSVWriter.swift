import HamletCore

/// Writes the register's CSV export a row at a time through a bounded buffer, so that exporting a million rows
/// holds one buffer, not the file: the bytes are exactly `RegisterExport.csv(_:_:labels:)`'s (BOM, header, CRLF,
/// formula characters neutralised, Chinese headers and enum labels with `labels`).
///
/// ```swift
/// var writer = RegisterCSVWriter(table: people, labels: true) { bytes in try sink.write(bytes) }
/// try store.forEachExportRow(table: "people") { id, values in try writer.append(id: id, values: values) }
/// try writer.finish()
/// ```
public struct RegisterCSVWriter {
    /// The buffer size at which the writer hands bytes to its sink: 64 KiB.
    public static let defaultFlushBytes = 64 << 10

    private let table: TableSchema
    private let labels: Bool
    private let flushBytes: Int
    private let sink: ([UInt8]) throws -> Void
    private var buffer: [UInt8] = []
    private static let crlf: [UInt8] = [13, 10]

    /// The rows appended so far.
    public private(set) var rowCount = 0
    /// The bytes handed to the sink so far.
    public private(set) var bytesWritten = 0

    /// Creates a writer and buffers the byte-order mark and the header (nothing reaches the sink yet).
    /// - Parameters:
    ///   - table: The table's schema.
    ///   - labels: Chinese headers and enum labels instead of field names and codes.
    ///   - flushBytes: The buffer size that triggers a write to the sink.
    ///   - sink: Receives the bytes in order, each piece about `flushBytes` long; a throw stops the export.
    public init(table: TableSchema, labels: Bool, flushBytes: Int = defaultFlushBytes,
                sink: @escaping ([UInt8]) throws -> Void) {
        self.table = table
        self.labels = labels
        self.flushBytes = max(1, flushBytes)
        self.sink = sink
        buffer.reserveCapacity(self.flushBytes + 4096)
        buffer += [0xEF, 0xBB, 0xBF]
        // After the byte-order mark: never at the document's start.
        CSV.appendRecord(RegisterExport.csvHeader(table, labels: labels), lineEnding: Self.crlf, atDocumentStart: false, to: &buffer)
    }

    /// Appends one row, handing the buffer to the sink when it is full.
    /// - Parameters:
    ///   - id: The row's id.
    ///   - values: Its fields.
    /// - Throws: What the sink throws.
    public mutating func append(id: String, values: Fields) throws {
        CSV.appendRecord(RegisterExport.csvRecord(table, id: id, values: values, labels: labels), lineEnding: Self.crlf,
                         atDocumentStart: false, to: &buffer)
        rowCount += 1
        if buffer.count >= flushBytes { try flush() }
    }

    /// Hands what is buffered to the sink; call once after the last row.
    /// - Throws: What the sink throws.
    public mutating func finish() throws {
        try flush()
    }

    private mutating func flush() throws {
        guard !buffer.isEmpty else { return }
        try sink(buffer)
        bytesWritten += buffer.count
        buffer.removeAll(keepingCapacity: true)
    }
}
