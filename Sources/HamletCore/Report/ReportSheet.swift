/// A report as a sheet (`hamlet hub report --format csv|xlsx`, the page's downloads): one row per place
/// (全镇 first, then each village), one column per figure — a breakdown spread over one column per part
/// (`出生孩次·一孩`), a program's benefits per program and kind — and, under the figures, each figure's 口径.
public struct ReportSheet: Sendable {
    /// One column: the path of keys into a place's figures, and its header.
    public struct Column: Sendable, Hashable {
        public var path: [String]
        public var header: Label
        public var isNumber: Bool
    }

    public var columns: [Column]
    public var report: Report

    /// Lays out the columns from the indicators and the parts the report's figures hold.
    public init(_ report: Report) {
        self.report = report
        var columns: [Column] = []
        let places = [report.township] + report.villages.keys.sorted().compactMap { report.villages[$0] }
        for indicator in Indicator.all {
            let values = places.map { $0[indicator.key] ?? .missing }
            columns += Self.columns(for: indicator, values)
        }
        self.columns = columns
    }

    /// One indicator's columns: itself, or one per part (fixed parts first, in order; then any others, sorted).
    static func columns(for indicator: Indicator, _ values: [ReportValue]) -> [Column] {
        let base = Column(path: [indicator.key], header: indicator.label, isNumber: indicator.shape != .money || indicator.key.hasSuffix("_fen"))
        return expand(base, values)
    }

    private static func expand(_ column: Column, _ values: [ReportValue]) -> [Column] {
        let objects = values.compactMap(\.object)
        guard !objects.isEmpty else { return [column] }
        var keys: [String] = []
        for o in objects { for k in o.keys.sorted() where !keys.contains(k) { keys.append(k) } }
        if let indicator = Indicator.named(column.path[0]), column.path.count == 1, !indicator.parts.isEmpty {
            keys = indicator.parts.filter(keys.contains) + keys.filter { !indicator.parts.contains($0) }
        }
        return keys.flatMap { k -> [Column] in
            let part = Indicator.partLabel(k)
            let child = Column(path: column.path + [k], header: Label(zh: column.header.zh + "·" + part.zh, en: column.header.en + " · " + part.en),
                               isNumber: !k.hasSuffix("_yuan"))
            return expand(child, values.map { $0.object?[k] ?? .missing })
        }
    }

    /// A place's value at a column's path.
    public static func value(_ figures: [String: ReportValue], _ path: [String]) -> ReportValue {
        guard let first = path.first else { return .missing }
        var v = figures[first] ?? .missing
        for k in path.dropFirst() { v = v[k] }
        return v
    }

    /// The header row and one row per place; `—` for a figure that cannot be given (a ratio with no girls).
    public func rows(chinese: Bool) -> [[String]] {
        var out = [[chinese ? "村" : "village"] + columns.map { $0.header.text(chinese: chinese) }]
        let places = [(chinese ? "全镇" : "township", report.township)] + report.villages.keys.sorted().map { ($0, report.villages[$0] ?? [:]) }
        for (name, figures) in places {
            out.append([name] + columns.map { Self.value(figures, $0.path).description })
        }
        return out
    }

    /// The figures' 口径, one row per indicator, to print under the table.
    public static func definitions(chinese: Bool) -> [[String]] {
        [[chinese ? "指标" : "figure", chinese ? "口径" : "definition"]]
            + Indicator.all.map { [$0.label.text(chinese: chinese), $0.definition.text(chinese: chinese)] }
    }

    /// CSV for spreadsheet programs (BOM, CRLF, formula-guarded): the table, a blank line, the 口径.
    public func csv(chinese: Bool) -> String {
        let all = rows(chinese: chinese) + [[]] + Self.definitions(chinese: chinese)
        return CSV.encode(all.map { $0.map(FormulaGuard.neutralized) }, bom: true, lineEnding: "\r\n")
    }

    /// xlsx: figures as numbers where they are numbers, the 口径 in rows under the table.
    public func xlsx(chinese: Bool, sheetName: String) -> [UInt8] {
        let table = rows(chinese: chinese)
        let header = table[0]
        let kinds: [XLSXWriter.Kind] = [.text] + columns.map { $0.isNumber ? .number : .text }
        let cols = header.enumerated().map { XLSXWriter.Column($1, kinds[$0]) }
        let width = header.count
        let notes = Self.definitions(chinese: chinese).map { $0 + Array(repeating: "", count: max(0, width - $0.count)) }
        let blank = Array(repeating: "", count: width)
        return XLSXWriter.workbook(sheetName: sheetName, columns: cols, rows: Array(table.dropFirst()) + [blank] + notes)
    }
}
