/// Renders help and usage errors for a ``CommandSpec`` tree.
///
/// The layout follows swift-argument-parser:
///
/// ```text
/// OVERVIEW: Resolve a conflict.
///
/// USAGE: hamlet hub resolve [--keep <side>] <conflict-id>
///
/// ARGUMENTS:
///   <conflict-id>           The conflict to resolve.
///
/// OPTIONS:
///   --keep <side>           Which version to keep.
///   -h, --help              Show help information.
/// ```
///
/// In Chinese the headings are 概述 / 用法 / 参数 / 选项 / 子命令 / 示例.
/// Text is wrapped to `width` measured in terminal cells, so Chinese lines
/// are as wide as English ones on screen. Help goes to stdout with exit 0;
/// usage errors go to stderr with exit 64. This type only builds strings.
public enum HelpRenderer {
    /// The column where descriptions start, as in swift-argument-parser.
    static let descriptionColumn = 26
    /// The indent of labels and examples.
    static let indent = "  "

    /// Renders the help for one command.
    ///
    /// - Parameters:
    ///   - path: The subcommand names below the root (``Invocation/path``).
    ///     An unknown name ends the path there.
    ///   - root: The root of the command tree.
    ///   - language: The language to use.
    ///   - width: The terminal width in cells.
    /// - Returns: The help text, ending with a newline.
    public static func help(for path: [String], root: CommandSpec, language: Language, width: Int = 80) -> String {
        let words = Words(language)
        let chain = root.chain(along: path)
        let command = chain[chain.count - 1]
        let validPath = Array(path.prefix(chain.count - 1))
        let width = max(20, width)
        var sections: [[String]] = []

        var overview = TextWrap.wrap(words.overview + command.abstract(language), width: width)
        if let discussion = command.discussion {
            overview.append("")
            overview.append(contentsOf: TextWrap.wrap(discussion(language), width: width))
        }
        sections.append(overview)

        let usage = usageLine(for: validPath, root: root, language: language, width: width - TextWidth.cells(words.usage))
        sections.append([words.usage + usage])

        if !command.arguments.isEmpty {
            let rows = command.arguments.map { (argumentLabel($0, language), $0.help(language)) }
            sections.append([words.arguments] + table(rows, width: width))
        }

        var optionRows = options(for: chain).map { option -> (String, String) in
            var description = option.help(language)
            if let defaultDescription = option.defaultShown(language) {
                description = words.appendingDefault(defaultDescription, to: description)
            }
            return (optionLabel(option, language), description)
        }
        optionRows.append(("-h, --help", words.helpFlag))
        sections.append([words.options] + table(optionRows, width: width))

        if !command.subcommands.isEmpty {
            let rows = command.subcommands.map { ($0.name, $0.abstract(language)) }
            var lines = [words.subcommands] + table(rows, width: width)
            lines.append("")
            let helpPath = ([root.name, "help"] + validPath).joined(separator: " ")
            lines.append(contentsOf: TextWrap.wrap(words.seeSubcommandHelp(helpPath), width: width - indent.count)
                .map { indent + $0 })
            sections.append(lines)
        }

        if !command.examples.isEmpty {
            sections.append([words.examples] + command.examples.map { indent + $0 })
        }

        return sections.map { $0.map(trimmingTrailingSpaces).joined(separator: "\n") }
            .joined(separator: "\n\n") + "\n"
    }

    /// Renders the one-line usage of a command, without the `USAGE:` heading,
    /// such as `hamlet hub resolve [--keep <side>] <conflict-id>`.
    ///
    /// Options are listed one by one when the line fits `width`, and as
    /// `[<options>]` (`[<选项>]`) when it does not.
    ///
    /// - Parameters:
    ///   - path: The subcommand names below the root.
    ///   - root: The root of the command tree.
    ///   - language: The language to use.
    ///   - width: The cells available for the line.
    /// - Returns: The usage line, without a newline.
    public static func usageLine(for path: [String], root: CommandSpec, language: Language, width: Int = 80) -> String {
        let words = Words(language)
        let chain = root.chain(along: path)
        let command = chain[chain.count - 1]
        let head = ([root.name] + path.prefix(chain.count - 1)).joined(separator: " ")
        var tail: [String] = command.arguments.map { argument in
            let label = argumentLabel(argument, language)
            return argument.isOptional ? "[\(label)]" : label
        }
        if !command.subcommands.isEmpty {
            tail.append(words.subcommandPlaceholder)
        }
        let optionTokens = options(for: chain).map { option -> String in
            let label = option.placeholder(language).map { "--\(option.long) <\($0)>" } ?? "--\(option.long)"
            return option.isRepeatable ? "[\(label) ...]" : "[\(label)]"
        }
        let full = ([head] + optionTokens + tail).joined(separator: " ")
        if optionTokens.isEmpty || TextWidth.cells(full) <= width {
            return full
        }
        return ([head, words.optionsPlaceholder] + tail).joined(separator: " ")
    }

    /// Renders a usage error for stderr:
    ///
    /// ```text
    /// Error: Unknown option '--brith-date'. Did you mean '--birth-date'?
    ///
    /// Usage: hamlet people add [<options>] <name>
    /// See 'hamlet people add --help' for more information.
    /// ```
    ///
    /// In Chinese: `错误：…`, `用法：…` and `运行 'hamlet people add --help' 查看帮助。`.
    ///
    /// - Parameters:
    ///   - error: The error from ``CommandLineParser/parse(_:root:)``.
    ///   - root: The root of the command tree.
    ///   - language: The language to use.
    ///   - width: The terminal width in cells, used to shorten the usage line.
    /// - Returns: The text, ending with a newline.
    public static func usageError(_ error: UsageError, root: CommandSpec, language: Language, width: Int = 80) -> String {
        let words = Words(language)
        let chain = root.chain(along: error.path)
        let path = Array(error.path.prefix(chain.count - 1))
        let usage = usageLine(
            for: path, root: root, language: language,
            width: max(20, width) - TextWidth.cells(words.usageInError)
        )
        let commandLine = ([root.name] + path).joined(separator: " ")
        return words.error + error.fullMessage(language) + "\n\n"
            + words.usageInError + usage + "\n"
            + words.seeHelp(commandLine) + "\n"
    }

    // MARK: - Pieces

    /// The options a command accepts: its own, then inherited ones nearest first.
    static func options(for chain: [CommandSpec]) -> [OptionSpec] {
        guard let command = chain.last else { return [] }
        var result = command.options
        var seen = Set(result.map(\.long))
        for ancestor in chain.dropLast().reversed() {
            for option in ancestor.options where option.isInherited && !seen.contains(option.long) {
                result.append(option)
                seen.insert(option.long)
            }
        }
        return result
    }

    static func argumentLabel(_ argument: ArgumentSpec, _ language: Language) -> String {
        let name = argument.placeholder(language)
        return argument.isVariadic ? "<\(name)> ..." : "<\(name)>"
    }

    static func optionLabel(_ option: OptionSpec, _ language: Language) -> String {
        var label = option.short.map { "-\($0), " } ?? ""
        label += "--\(option.long)"
        if let valueName = option.placeholder(language) {
            label += " <\(valueName)>"
            if option.isRepeatable { label += " ..." }
        }
        return label
    }

    /// Lays out label/description rows: labels indented by two, descriptions
    /// from ``descriptionColumn`` wrapped to the width; a label too long for
    /// its column puts the description on the next line.
    static func table(_ rows: [(label: String, description: String)], width: Int) -> [String] {
        let column = min(descriptionColumn, max(indent.count + 4, width - 24))
        let descriptionWidth = max(10, width - column)
        let hanging = String(repeating: " ", count: column)
        var lines: [String] = []
        for row in rows {
            let label = indent + row.label
            let description = row.description.isEmpty ? [] : TextWrap.wrap(row.description, width: descriptionWidth)
            guard let first = description.first else {
                lines.append(label)
                continue
            }
            if TextWidth.cells(label) + 2 <= column {
                lines.append(TextWidth.pad(label, toCells: column) + first)
            } else {
                lines.append(label)
                lines.append(hanging + first)
            }
            lines.append(contentsOf: description.dropFirst().map { hanging + $0 })
        }
        return lines
    }

    static func trimmingTrailingSpaces(_ line: String) -> String {
        var line = Substring(line)
        while line.last == " " { line.removeLast() }
        return String(line)
    }

    /// The fixed words of help text in one language.
    struct Words {
        let language: Language
        init(_ language: Language) { self.language = language }

        var overview: String { language == .zh ? "概述：" : "OVERVIEW: " }
        var usage: String { language == .zh ? "用法：" : "USAGE: " }
        var arguments: String { language == .zh ? "参数：" : "ARGUMENTS:" }
        var options: String { language == .zh ? "选项：" : "OPTIONS:" }
        var subcommands: String { language == .zh ? "子命令：" : "SUBCOMMANDS:" }
        var examples: String { language == .zh ? "示例：" : "EXAMPLES:" }
        var helpFlag: String { language == .zh ? "显示帮助信息。" : "Show help information." }
        var subcommandPlaceholder: String { language == .zh ? "<子命令>" : "<subcommand>" }
        var optionsPlaceholder: String { language == .zh ? "[<选项>]" : "[<options>]" }
        var error: String { language == .zh ? "错误：" : "Error: " }
        var usageInError: String { language == .zh ? "用法：" : "Usage: " }

        /// `A count. (default: 1)`; in Chinese the note goes before the
        /// closing full stop: `数量（默认：1）。`.
        func appendingDefault(_ value: String, to description: String) -> String {
            switch language {
            case .en:
                return description.isEmpty ? "(default: \(value))" : description + " (default: \(value))"
            case .zh:
                let note = "（默认：\(value)）"
                if description.hasSuffix("。") {
                    return description.dropLast() + note + "。"
                }
                return description + note
            }
        }

        func seeSubcommandHelp(_ helpPath: String) -> String {
            language == .zh
                ? "运行 '\(helpPath) <子命令>' 查看子命令的详细帮助。"
                : "See '\(helpPath) <subcommand>' for detailed help."
        }

        func seeHelp(_ commandLine: String) -> String {
            language == .zh
                ? "运行 '\(commandLine) --help' 查看帮助。"
                : "See '\(commandLine) --help' for more information."
        }
    }
}
