/// Reads a command line against a ``CommandSpec`` tree.
///
/// Accepted forms:
/// - subcommand names first (`hub resolve`), then options and positionals
///   in any order;
/// - `--option value`, `--option=value`, `-o value`, `-ovalue`, boolean
///   `--flag` and `-f`, clustered short flags `-fj`;
/// - `--` ends options: everything after it is positional;
/// - a value that looks like a negative number (`-5`, `-0.5`) is taken as the
///   value of an option that expects one, and as a positional unless the
///   command has that digit as a short option. Other values that start with
///   `-` must be written `--option=-value`;
/// - a lone `-` is a positional (conventionally stdin);
/// - `-h`/`--help` anywhere before `--`, and `help [path…]` as the first
///   word, request help. While help is requested the parser is lenient:
///   unknown options, missing values and positional counts are not errors,
///   but an unknown subcommand still is (with a suggestion).
///
/// A command that has subcommands but is given none parses with
/// ``Invocation/helpRequested`` set (see there); it is not an error.
///
/// Options declared ``OptionSpec/isInherited`` on a command are accepted by
/// every command below it. Everything else belongs to the command that
/// declares it. The invocation records what the reached command accepts
/// (``Invocation/acceptedOptions``), so its typed reads catch a handler
/// reading an option it never declared.
public enum CommandLineParser {
    /// Parses a command line.
    ///
    /// - Parameters:
    ///   - arguments: The arguments after the program name (`argv[1...]`).
    ///   - root: The root of the command tree.
    /// - Returns: What was asked for.
    /// - Throws: ``UsageError`` with code `unknown-option`,
    ///   `unknown-subcommand`, `missing-value`, `unexpected-value`,
    ///   `duplicate-option`, `missing-argument` or `unexpected-argument`.
    public static func parse(_ arguments: [String], root: CommandSpec) throws(UsageError) -> Invocation {
        var state = ParseState(root: root, arguments: arguments)
        try state.run()
        return state.invocation
    }
}

/// The parser's working state for one command line.
private struct ParseState {
    let root: CommandSpec
    let arguments: [String]
    var chain: [CommandSpec]
    var invocation = Invocation()
    var index = 0
    var isLenient: Bool
    var isHelpCommand = false

    init(root: CommandSpec, arguments: [String]) {
        self.root = root
        self.arguments = arguments
        self.chain = [root]
        let beforeTerminator = arguments.prefix { $0 != "--" }
        self.isLenient = beforeTerminator.contains { $0 == "--help" || $0 == "-h" }
    }

    var command: CommandSpec { chain[chain.count - 1] }

    mutating func run() throws(UsageError) {
        var optionsEnded = false
        while index < arguments.count {
            let token = arguments[index]
            index += 1
            if optionsEnded {
                try positional(token)
            } else if token == "--" {
                optionsEnded = true
            } else if token == "--help" || token == "-h" {
                invocation.helpRequested = true
            } else if token.hasPrefix("--") {
                try longOption(token)
            } else if token.hasPrefix("-"), token != "-", !isNegativeNumberPositional(token) {
                try shortOptions(token)
            } else if chain.count == 1, invocation.positionals.isEmpty, !isHelpCommand,
                token == "help", root.subcommand(named: "help") == nil
            {
                isHelpCommand = true
                isLenient = true
                invocation.helpRequested = true
            } else {
                try positional(token)
            }
        }
        if !command.subcommands.isEmpty, command.arguments.isEmpty, !command.runsWithoutSubcommand {
            invocation.helpRequested = true
        }
        invocation.acceptedOptions = Set(availableOptions.map(\.long))
        invocation.acceptedArguments = Set(command.arguments.map(\.name))
        if !isLenient {
            try assignArguments()
        } else {
            assignArgumentsLeniently()
        }
    }

    // MARK: Options

    /// All options the current command accepts, nearest first.
    var availableOptions: [OptionSpec] {
        var result = command.options
        for ancestor in chain.dropLast().reversed() {
            result.append(contentsOf: ancestor.options.filter(\.isInherited))
        }
        return result
    }

    mutating func longOption(_ token: String) throws(UsageError) {
        let body = token.dropFirst(2)
        let name: String
        let attached: String?
        if let equals = body.firstIndex(of: "=") {
            name = String(body[..<equals])
            attached = String(body[body.index(after: equals)...])
        } else {
            name = String(body)
            attached = nil
        }
        guard let option = availableOptions.first(where: { $0.long == name }) else {
            if isLenient { return }
            let candidates = availableOptions.map { "--" + $0.long } + ["--help"]
            throw error(
                .unknownOption,
                zh: "未知选项 '\(token)'。",
                en: "Unknown option '\(token)'.",
                suggestion: Suggestion.closest(to: "--" + name, in: candidates)
            )
        }
        if option.isFlag {
            if let attached {
                if isLenient { return }
                throw error(
                    .unexpectedValue,
                    zh: "选项 '--\(name)' 不接受取值，却给了 '\(attached)'。",
                    en: "The flag '--\(name)' does not take a value, but got '\(attached)'."
                )
            }
            invocation.flags.insert(option.long)
            return
        }
        if let attached {
            try record(option, value: attached)
        } else {
            try recordNextValue(for: option)
        }
    }

    mutating func shortOptions(_ token: String) throws(UsageError) {
        var rest = Substring(token.dropFirst())
        while let letter = rest.first {
            rest = rest.dropFirst()
            guard let option = availableOptions.first(where: { $0.short == letter }) else {
                if isLenient { return }
                let shown = token.count == 2 ? token : "-\(letter)"
                let longCandidates = availableOptions.map { "--" + $0.long }
                throw error(
                    .unknownOption,
                    zh: "未知选项 '\(shown)'。",
                    en: "Unknown option '\(shown)'.",
                    suggestion: token.count > 2
                        ? Suggestion.closest(to: "-" + token, in: longCandidates) : nil
                )
            }
            if option.isFlag {
                invocation.flags.insert(option.long)
                continue
            }
            if !rest.isEmpty {
                var value = rest
                if value.first == "=" { value = value.dropFirst() }
                try record(option, value: String(value))
            } else {
                try recordNextValue(for: option)
            }
            return
        }
    }

    mutating func recordNextValue(for option: OptionSpec) throws(UsageError) {
        if index < arguments.count, isValue(arguments[index]) {
            let value = arguments[index]
            index += 1
            try record(option, value: value)
            return
        }
        if isLenient { return }
        let label = "--\(option.long) <\(option.valueName ?? option.long)>"
        let labelZH = "--\(option.long) <\(option.placeholder(.zh) ?? option.long)>"
        throw error(
            .missingValue,
            zh: "选项 '\(labelZH)' 缺少取值。",
            en: "Missing value for '\(label)'."
        )
    }

    mutating func record(_ option: OptionSpec, value: String) throws(UsageError) {
        if let earlier = invocation.options[option.long], !earlier.isEmpty, !option.isRepeatable {
            if isLenient { return }
            throw error(
                .duplicateOption,
                zh: "选项 '--\(option.long)' 只能给一次（已给 '\(earlier[0])'，又给 '\(value)'）。",
                en: "The option '--\(option.long)' can be given only once (got '\(earlier[0])', then '\(value)')."
            )
        }
        invocation.options[option.long, default: []].append(value)
    }

    /// Whether a token can be an option's value.
    func isValue(_ token: String) -> Bool {
        if token == "--" { return false }
        if token == "-" || !token.hasPrefix("-") { return true }
        return Self.looksLikeNegativeNumber(token)
    }

    /// Whether a dash token is a negative-number positional rather than options.
    func isNegativeNumberPositional(_ token: String) -> Bool {
        guard Self.looksLikeNegativeNumber(token) else { return false }
        let digit = token.dropFirst().first
        return !availableOptions.contains { $0.short != nil && $0.short == digit }
    }

    static func looksLikeNegativeNumber(_ token: String) -> Bool {
        let body = token.dropFirst()
        guard token.hasPrefix("-"), let first = body.first, first.isASCII, first.isNumber else {
            return false
        }
        var seenDot = false
        for character in body {
            if character == "." && !seenDot {
                seenDot = true
            } else if !(character.isASCII && character.isNumber) {
                return false
            }
        }
        return body.last != "."
    }

    // MARK: Positionals and subcommands

    mutating func positional(_ token: String) throws(UsageError) {
        let current = command
        if !current.subcommands.isEmpty, invocation.positionals.isEmpty {
            if let next = current.subcommand(named: token) {
                chain.append(next)
                invocation.path.append(token)
                return
            }
            if current.arguments.isEmpty {
                let isRoot = chain.count == 1
                var candidates = current.subcommands.map(\.name)
                if isRoot { candidates.append("help") }
                throw error(
                    .unknownSubcommand,
                    zh: isRoot ? "未知命令 '\(token)'。" : "未知子命令 '\(token)'。",
                    en: isRoot ? "Unknown command '\(token)'." : "Unknown subcommand '\(token)'.",
                    suggestion: Suggestion.closest(to: token, in: candidates)
                )
            }
        }
        if isHelpCommand {
            return // `help` takes only a command path
        }
        invocation.positionals.append(token)
    }

    mutating func assignArguments() throws(UsageError) {
        let specs = command.arguments
        let values = invocation.positionals
        let required = specs.filter { !$0.isOptional }.count
        if values.count < required {
            let missing = specs.filter { !$0.isOptional }[values.count]
            throw error(
                .missingArgument,
                zh: "缺少参数 '<\(missing.placeholder(.zh))>'。",
                en: "Missing expected argument '<\(missing.name)>'."
            )
        }
        let takesRest = specs.last?.isVariadic ?? false
        if !takesRest, values.count > specs.count {
            let extra = values[specs.count]
            throw error(
                .unexpectedArgument,
                zh: "多余的参数 '\(extra)'。",
                en: "Unexpected argument '\(extra)'."
            )
        }
        assignArgumentsLeniently()
    }

    /// Fills ``Invocation/argumentValues`` in declaration order; surplus
    /// values go to a trailing variadic argument, or nowhere.
    mutating func assignArgumentsLeniently() {
        let specs = command.arguments
        var remaining = invocation.positionals[...]
        // Optional arguments only take values left after required ones.
        var spare = remaining.count - specs.filter { !$0.isOptional }.count
        for spec in specs {
            guard !remaining.isEmpty else { break }
            if spec.isOptional && !spec.isVariadic {
                guard spare > 0 else { continue }
                spare -= 1
            }
            if spec.isVariadic {
                invocation.argumentValues[spec.name] = Array(remaining)
                remaining = []
            } else if let value = remaining.popFirst() {
                invocation.argumentValues[spec.name] = [value]
            }
        }
    }

    func error(
        _ code: UsageError.Code,
        zh: String,
        en: String,
        suggestion: String? = nil
    ) -> UsageError {
        UsageError(code: code, message: Localized(zh: zh, en: en), path: invocation.path, suggestion: suggestion)
    }
}

/// "Did you mean" by edit distance.
enum Suggestion {
    /// Returns the candidate closest to `typed`, if it is close enough to be a
    /// plausible typo: at most a third of the longer word's length, and at
    /// least 1 and at most 3 edits (a swap of neighbours counts as one).
    static func closest(to typed: String, in candidates: [String]) -> String? {
        let typedLower = Array(typed.lowercased())
        var best: (candidate: String, distance: Int)?
        for candidate in candidates {
            let distance = editDistance(typedLower, Array(candidate.lowercased()))
            let limit = min(3, max(1, max(typedLower.count, candidate.count) / 3))
            guard distance <= limit else { continue }
            if best == nil || distance < (best?.distance ?? Int.max) {
                best = (candidate, distance)
            }
        }
        if best == nil {
            // A unique candidate that starts with what was typed.
            let prefixed = candidates.filter {
                typed.count >= 3 && $0.lowercased().hasPrefix(typed.lowercased())
            }
            if prefixed.count == 1 { return prefixed[0] }
        }
        return best?.candidate
    }

    /// Optimal-string-alignment distance: insertions, deletions,
    /// substitutions and swaps of neighbours each cost one.
    static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var before = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                var value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    value = min(value, before[j - 2] + 1)
                }
                current[j] = value
            }
            (before, previous, current) = (previous, current, before)
        }
        return previous[b.count]
    }
}
