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

/// A sheet written to stdout as `--format csv|xlsx` (`hub export`, `hub report`, `report`, `hub moves`): the xlsx
/// only when stdout is redirected to a file, named in the hint.
enum SheetOutput {
    static func write(format: String, file: Localized, csv: () -> String, xlsx: () -> [UInt8]) throws {
        switch format {
        case "csv": Output.out(csv())
        case "xlsx":
            guard isatty(1) != 1 else {
                throw CLIError(code: "usage", exit: .usage, message: Localized(zh: "xlsx 是二进制文件，请重定向到文件：> \(file.zh)",
                                                                              en: "xlsx is a binary file; redirect it: > \(file.en)"))
            }
            Output.out(bytes: xlsx())
        default:
            throw CLIError(code: "usage", exit: .usage, message: Localized(zh: "--format 只能是 csv 或 xlsx", en: "--format is csv or xlsx"))
        }
    }
}
