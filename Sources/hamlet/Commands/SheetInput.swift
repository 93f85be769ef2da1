import Foundation
import HamletCLI
import HamletCore

/// A clerk's or an office's spreadsheet file read through `SheetFile` (CSV in UTF-8 or GBK, or xlsx), for
/// `import` and `hub compare`.
enum SheetInput {
    /// The file's sheet and whether it was CSV (a CSV cell may carry the export's formula guard `'`), or the
    /// reader's error for the caller to report its own way.
    /// - Throws: `CLIError` `not-found` when the file cannot be read at all.
    static func read(_ path: String) throws -> Result<(sheet: CSVTable, isCSV: Bool), CSVError> {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CLIError(code: "not-found", exit: .notFound, message: Localized(zh: "读不到文件 \(path)", en: "cannot read \(path)"))
        }
        let name = (path as NSString).lastPathComponent
        do throws(CSVError) {
            let isCSV = try SheetFile.format(bytes: [UInt8](data), name: name) != .xlsx
            return .success((try SheetFile.read(bytes: [UInt8](data), name: name), isCSV))
        } catch {
            return .failure(error)
        }
    }
}
