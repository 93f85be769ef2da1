import HamletCore
import HamletStore

/// The register's CSV export, shared by `hamlet hub export` and the operator page's `/export/<table>.csv`, so both
/// give the same bytes.
public enum RegisterExport {
    /// Encodes rows for Excel: a header of `id` and the table's field names, one line per row in the order given
    /// (the store returns names in pinyin order), UTF-8 with a BOM, CRLF line endings, RFC 4180 quoting.
    /// - Parameters:
    ///   - table: The table's schema.
    ///   - rows: The rows, e.g. from `HubStore.rows(table:village:includeDeleted:)`.
    /// - Returns: The CSV text, starting with U+FEFF.
    public static func csv(_ table: TableSchema, _ rows: [HubRow]) -> String {
        var out: [[String]] = [["id"] + table.fields.map(\.name)]
        for r in rows { out.append([r.id] + table.fields.map { r.values[$0.name]?.description ?? "" }) }
        return CSV.encode(out, bom: true, lineEnding: "\r\n")
    }
}
