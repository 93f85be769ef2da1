import Foundation
import HamletCLI
import HamletCore

/// Everything a command needs: the parsed invocation, the language, the environment.
struct Context {
    let invocation: Invocation
    let language: Language
    let environment: [String: String]
    /// The register schema the command tree was built from (per-table commands, field flags, `<表名>`).
    let schema: Schema

    var chinese: Bool { language == .zh }
    /// `--json`, which every command that prints a result declares.
    var json: Bool { flag(CommandTree.json) }

    /// The last value of an option the command declares (see ``Invocation/value(_:)-(OptionSpec)``).
    func value(_ option: OptionSpec) -> String? { invocation.value(option) }

    /// Every value of a repeatable option the command declares, in order.
    func values(_ option: OptionSpec) -> [String] { invocation.values(option) }

    /// Whether a flag the command declares was given.
    func flag(_ option: OptionSpec) -> Bool { invocation.flag(option) }

    /// Picks the text for the user's language.
    func t(_ zh: String, _ en: String) -> String { chinese ? zh : en }

    /// `--dir`, then `$HAMLET_DIR`, then the current directory.
    var directory: String {
        if let d = value(CommandTree.dir) { return d }
        if let d = environment["HAMLET_DIR"], !d.isEmpty { return d }
        return FileManager.default.currentDirectoryPath
    }

    /// A village name typed as an option (`init --village`, `hub add-node --village`): trimmed and NFC as every
    /// typed value is, and checked as the scope field of the rows it will stamp (no invisible characters).
    /// - Returns: the name, or nil when the option is missing or blank.
    /// - Throws: `ValidationIssue` (exit 65) when the name holds a character no register text may hold.
    func village(_ option: OptionSpec) throws -> String? {
        guard let raw = value(option) else { return nil }
        let village = TextSafety.normalized(raw)
        guard !village.isEmpty else { return nil }
        if let t = schema.tables.first, let f = t.field(schema.scope) {
            try Validator(schema: schema).check(.text(village), field: f, table: t.name)
        }
        return village
    }

    /// `--author`, then the OS user.
    var author: String {
        if let a = value(CommandTree.author) { return a }
        return environment["USER"] ?? environment["LOGNAME"] ?? "clerk"
    }

    /// Terminal width from `COLUMNS`, default 100.
    var width: Int { TextWidth.columns(environment: environment, fallback: 100) }

    /// The wall clock in milliseconds.
    var now: Int64 { Int64(Date().timeIntervalSince1970 * 1000) }

    /// A required positional argument the command declares.
    /// - Throws: `CLIError` `usage` (exit 64) when it was left out.
    func argument(_ spec: ArgumentSpec) throws -> String {
        guard let v = invocation.argument(spec) else {
            throw CLIError(code: "usage", exit: .usage, message: Localized(zh: "缺少参数 <\(spec.placeholder(.zh))>", en: "missing argument <\(spec.name)>"))
        }
        return v
    }

    /// The table a per-table command (`add person`, `edit people`, `hub edit person`) is for: the subcommand the
    /// parser reached, which the command's schema-driven subtree names after the table.
    var tableSubcommand: String { invocation.path.last ?? "" }

    /// The `<表名>` argument (``CommandTree/tableArgument(_:)``) as typed.
    func tableArgument() throws -> String { try argument(CommandTree.tableArgument(schema)) }

    /// Formats milliseconds since 1970 in a time zone (default Asia/Shanghai).
    func time(_ millis: Int64?, zone: String = "Asia/Shanghai") -> String {
        guard let millis, millis > 0 else { return "-" }
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = TimeZone(identifier: zone) ?? TimeZone(secondsFromGMT: 8 * 3600) ?? .gmt
        let c = cal.dateComponents([.year, .month, .day, .hour, .minute], from: Date(timeIntervalSince1970: Double(millis) / 1000))
        func p(_ n: Int?) -> String { let s = String(n ?? 0); return s.count < 2 ? "0" + s : s }
        return "\(c.year ?? 0)-\(p(c.month))-\(p(c.day)) \(p(c.hour)):\(p(c.minute))"
    }
}
