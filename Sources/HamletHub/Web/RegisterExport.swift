import HamletCore
import HamletStore

/// The register's exports, shared by `hamlet hub export` and the operator page's `/export/<table>.csv` and
/// `/export/<table>.xlsx`, so both give the same bytes.
public enum RegisterExport {
    /// Encodes rows for Excel: a header of `id` and the table's field names, one line per row in the order given
    /// (the store returns names in pinyin order), UTF-8 with a BOM, CRLF line endings, RFC 4180 quoting.
    ///
    /// Cells that a spreadsheet would run as a formula (beginning with `=`, `+`, `-`, `@`, a tab or a CR) are
    /// written with a leading `'` (`FormulaGuard.neutralized`, the OWASP CSV-injection rule); an import undoes it
    /// with `FormulaGuard.restored`. The one exception is a stored whole number in an `integer` field: `-5` is a
    /// plain number to a spreadsheet, so it is written as is (and reads back the same either way).
    ///
    /// With `labels` (a Chinese export) the header is 编号 and the fields' Chinese labels, and enum values are their
    /// labels (女, 已婚): what a clerk reads, and what `hamlet import` reads back.
    /// - Parameters:
    ///   - table: The table's schema.
    ///   - rows: The rows, e.g. from `HubStore.rows(table:village:includeDeleted:)`.
    ///   - labels: Chinese headers and enum labels instead of field names and codes.
    /// - Returns: The CSV text, starting with U+FEFF.
    public static func csv(_ table: TableSchema, _ rows: [HubRow], labels: Bool = false) -> String {
        var out: [[String]] = [csvHeader(table, labels: labels)]
        for r in rows { out.append(csvRecord(table, id: r.id, values: r.values, labels: labels)) }
        return CSV.encode(out, bom: true, lineEnding: "\r\n")
    }

    /// The CSV header: `id` and the field names, or with `labels` 编号 and the fields' Chinese labels.
    static func csvHeader(_ table: TableSchema, labels: Bool) -> [String] {
        labels ? ["编号"] + table.fields.map(\.label.zh) : ["id"] + table.fields.map(\.name)
    }

    /// One row's CSV cells, formula characters neutralised (see `csv(_:_:labels:)`).
    static func csvRecord(_ table: TableSchema, id: String, values: Fields, labels: Bool) -> [String] {
        [FormulaGuard.neutralized(id)] + table.fields.map { f in
            // A whole number in an integer field (-5) is a number to a spreadsheet, never a formula: as is.
            let text = cell(values, f, labels: labels)
            return f.type == .integer && values[f.name]?.integer != nil ? text : FormulaGuard.neutralized(text)
        }
    }

    /// A row's value of a field as exported: as stored, or an enum value by its Chinese label.
    static func cell(_ values: Fields, _ f: FieldSchema, labels: Bool) -> String {
        guard let v = values[f.name], !v.isNull else { return "" }
        if labels, f.type == .enum, let text = v.text { return f.label(ofValue: text).zh }
        return v.description
    }

    /// Encodes rows as an xlsx workbook of one sheet named after the table (人口, 户 …): a header of `id` and the
    /// fields' Chinese labels (姓名, 身份证号 …), then one row per row in the order given. Text, enum, reference,
    /// national-ID and phone fields are text cells in text-formatted columns, so no spreadsheet program turns an
    /// ID into a number or drops a phone's leading 0; dates are dates (`yyyy-mm-dd`); integers are numbers.
    /// Values are written as stored (enum codes, not labels), as the CSV has them; with `labels` (a Chinese export)
    /// the first column is 编号 and enum values are their labels.
    /// - Parameters:
    ///   - table: The table's schema.
    ///   - rows: The rows.
    ///   - labels: 编号 and enum labels instead of `id` and codes.
    /// - Returns: The xlsx file.
    public static func xlsx(_ table: TableSchema, _ rows: [HubRow], labels: Bool = false) -> [UInt8] {
        xlsx(table, cells: rows.map { xlsxRecord(table, id: $0.id, values: $0.values, labels: labels) }, labels: labels)
    }

    /// The xlsx of rows already turned into cells by `xlsxRecord(_:id:values:labels:)`: what an export read with
    /// `HubStore.forEachExportRow` builds, holding each row's text only (no version records).
    /// - Parameters:
    ///   - table: The table's schema.
    ///   - cells: One record per row, in order.
    ///   - labels: 编号 instead of `id` as the first header.
    /// - Returns: The xlsx file, the same bytes as `xlsx(_:_:labels:)` and `RegisterXLSXWriter` for the same rows.
    public static func xlsx(_ table: TableSchema, cells: [[String]], labels: Bool) -> [UInt8] {
        XLSXWriter.workbook(sheetName: table.label.zh, columns: xlsxColumns(table, labels: labels), rows: cells)
    }

    /// The xlsx columns: the id (编号 with `labels`) as text, then each field, dates as dates and integers as numbers.
    static func xlsxColumns(_ table: TableSchema, labels: Bool) -> [XLSXWriter.Column] {
        [XLSXWriter.Column(labels ? "编号" : "id", .text)] + table.fields.map { field in
            XLSXWriter.Column(field.label.zh, field.type == .date ? .date : field.type == .integer ? .number : .text)
        }
    }

    /// One row's xlsx cells: the id, then each field as stored (enum labels with `labels`); no formula guard, as
    /// xlsx cells are typed.
    /// - Parameters:
    ///   - table: The table's schema.
    ///   - id: The row's id.
    ///   - values: Its fields.
    ///   - labels: Enum values as their Chinese labels.
    /// - Returns: The cells.
    public static func xlsxRecord(_ table: TableSchema, id: String, values: Fields, labels: Bool) -> [String] {
        [id] + table.fields.map { cell(values, $0, labels: labels) }
    }

    /// The MIME type of an xlsx file.
    public static let xlsxContentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
}
