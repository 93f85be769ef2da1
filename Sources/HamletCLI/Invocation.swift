/// What the user asked for: the command chosen and the values given to it.
///
/// Produced by ``CommandLineParser/parse(_:root:)``. Options and flags from
/// every command along ``path`` land in the same dictionaries, keyed by long
/// name without `--`.
public struct Invocation: Sendable, Hashable {
    /// The subcommand names below the root, such as `["hub", "resolve"]`;
    /// empty for the root itself.
    public var path: [String]
    /// Each valued option given, by long name, with its values in the order given.
    public var options: [String: [String]]
    /// The boolean flags given, by long name.
    public var flags: Set<String>
    /// The positional values, in order.
    public var positionals: [String]
    /// The positional values by ``ArgumentSpec/name``; a variadic argument
    /// holds all the values it took.
    public var argumentValues: [String: [String]]
    /// Whether help for ``path`` should be shown instead of running it.
    ///
    /// Set by `-h`, `--help` or `hamlet help …`, and also when a command that
    /// has subcommands is given none (`hamlet hub`): such a command does
    /// nothing by itself, so it shows its help, and the caller prints it to
    /// stdout and exits 0. Options given with it are still parsed, so a
    /// caller can honour `hamlet --version` or `--lang` before showing help.
    public var helpRequested: Bool
    /// The long names of the options the reached command accepts: its own and
    /// those its ancestors declare ``OptionSpec/isInherited``. The typed reads
    /// (``value(_:)-(OptionSpec)``, ``flag(_:)-(OptionSpec)``…) check against it.
    public var acceptedOptions: Set<String>
    /// The names of the reached command's positional arguments, which
    /// ``argument(_:)-(ArgumentSpec)`` checks against.
    public var acceptedArguments: Set<String>

    /// Creates an invocation.
    ///
    /// - Parameters:
    ///   - path: The subcommand names below the root.
    ///   - options: Valued options by long name.
    ///   - flags: Boolean flags by long name.
    ///   - positionals: Positional values in order.
    ///   - argumentValues: Positional values by argument name.
    ///   - helpRequested: Whether help was asked for.
    ///   - acceptedOptions: Long names of the options the command accepts.
    ///   - acceptedArguments: Names of the command's positional arguments.
    public init(
        path: [String] = [],
        options: [String: [String]] = [:],
        flags: Set<String> = [],
        positionals: [String] = [],
        argumentValues: [String: [String]] = [:],
        helpRequested: Bool = false,
        acceptedOptions: Set<String> = [],
        acceptedArguments: Set<String> = []
    ) {
        self.path = path
        self.options = options
        self.flags = flags
        self.positionals = positionals
        self.argumentValues = argumentValues
        self.helpRequested = helpRequested
        self.acceptedOptions = acceptedOptions
        self.acceptedArguments = acceptedArguments
    }

    /// Returns the last value given for an option.
    ///
    /// - Parameter long: The long name without `--`.
    /// - Returns: The value, or `nil` if the option was not given.
    public func value(_ long: String) -> String? {
        options[long]?.last
    }

    /// Returns every value given for an option, in order.
    ///
    /// - Parameter long: The long name without `--`.
    /// - Returns: The values; empty if the option was not given.
    public func values(_ long: String) -> [String] {
        options[long] ?? []
    }

    /// Returns whether a boolean flag was given.
    ///
    /// - Parameter long: The long name without `--`.
    /// - Returns: `true` if the flag was given.
    public func flag(_ long: String) -> Bool {
        flags.contains(long)
    }

    /// Returns the value of a positional argument.
    ///
    /// - Parameter name: The ``ArgumentSpec/name``.
    /// - Returns: Its (first) value, or `nil` if it was left out.
    public func argument(_ name: String) -> String? {
        argumentValues[name]?.first
    }

    /// Returns every value taken by a (variadic) positional argument.
    ///
    /// - Parameter name: The ``ArgumentSpec/name``.
    /// - Returns: The values; empty if it was left out.
    public func arguments(_ name: String) -> [String] {
        argumentValues[name] ?? []
    }

    // MARK: Typed reads

    /// Returns the last value given for an option the command declares.
    ///
    /// - Parameter option: The option, as declared on the command (or inherited).
    /// - Returns: The value, or `nil` if the option was not given.
    /// - Precondition: The command reached accepts `option` (it is in
    ///   ``acceptedOptions``): reading one it does not declare is a programming
    ///   error, never a quiet `nil`.
    public func value(_ option: OptionSpec) -> String? {
        checkDeclared(option)
        return value(option.long)
    }

    /// Returns every value given for a (repeatable) option the command declares.
    ///
    /// - Parameter option: The option, as declared on the command (or inherited).
    /// - Returns: The values in order; empty if the option was not given.
    /// - Precondition: The command reached accepts `option`.
    public func values(_ option: OptionSpec) -> [String] {
        checkDeclared(option)
        return values(option.long)
    }

    /// Returns whether a boolean flag the command declares was given.
    ///
    /// - Parameter option: The flag, as declared on the command (or inherited).
    /// - Returns: `true` if the flag was given.
    /// - Precondition: The command reached accepts `option`.
    public func flag(_ option: OptionSpec) -> Bool {
        checkDeclared(option)
        return flag(option.long)
    }

    /// Returns the value of a positional argument the command declares.
    ///
    /// - Parameter argument: The argument, as declared on the command.
    /// - Returns: Its (first) value, or `nil` if it was left out.
    /// - Precondition: The command reached has `argument` (it is in ``acceptedArguments``).
    public func argument(_ argument: ArgumentSpec) -> String? {
        precondition(acceptedArguments.contains(argument.name),
                     "'\(commandLine)' reads the argument <\(argument.name)>, which the command does not declare")
        return self.argument(argument.name)
    }

    private func checkDeclared(_ option: OptionSpec) {
        precondition(acceptedOptions.contains(option.long),
                     "'\(commandLine)' reads --\(option.long), which the command does not declare")
    }

    private var commandLine: String { (["hamlet"] + path).joined(separator: " ") }
}

/// The user typed a command line the tree does not accept.
///
/// Thrown by ``CommandLineParser/parse(_:root:)``, never printed by it:
/// ``HelpRenderer/usageError(_:root:language:width:)`` renders it, and the
/// caller writes that to stderr and exits with ``ExitCode/usage`` (64).
public struct UsageError: Error, Sendable, Hashable {
    /// What kind of mistake it is. The raw values are stable codes for logs
    /// and tests: add new ones, never rename.
    public enum Code: String, Sendable, Hashable, CaseIterable {
        /// An option the command does not have.
        case unknownOption = "unknown-option"
        /// A subcommand name the command does not have.
        case unknownSubcommand = "unknown-subcommand"
        /// An option that takes a value was given none.
        case missingValue = "missing-value"
        /// A boolean flag was given a value (`--json=x`).
        case unexpectedValue = "unexpected-value"
        /// An option that is not repeatable was given twice.
        case duplicateOption = "duplicate-option"
        /// A required positional argument is missing.
        case missingArgument = "missing-argument"
        /// More positional values than the command takes.
        case unexpectedArgument = "unexpected-argument"
    }

    /// What kind of mistake it is.
    public var code: Code
    /// What went wrong, echoing the user's own input.
    public var message: Localized
    /// The subcommand names of the command being parsed when it went wrong.
    public var path: [String]
    /// The closest valid spelling, such as `--birth-date` or `resolve`, if one
    /// is near enough to what was typed.
    public var suggestion: String?

    /// Creates a usage error.
    ///
    /// - Parameters:
    ///   - code: What kind of mistake it is.
    ///   - message: What went wrong.
    ///   - path: The subcommand names of the command being parsed.
    ///   - suggestion: The closest valid spelling, if any.
    public init(code: Code, message: Localized, path: [String], suggestion: String? = nil) {
        self.code = code
        self.message = message
        self.path = path
        self.suggestion = suggestion
    }

    /// The exit status for a usage error: always ``ExitCode/usage`` (64).
    public var exitCode: ExitCode { .usage }

    /// The message followed by its "Did you mean" hint, if any, on one line.
    ///
    /// - Parameter language: The language to use.
    /// - Returns: The full message, such as
    ///   `Unknown option '--brith-date'. Did you mean '--birth-date'?`.
    public func fullMessage(_ language: Language) -> String {
        guard let suggestion else { return message(language) }
        switch language {
        case .zh: return message(.zh) + "是否要输入 '\(suggestion)'？"
        case .en: return message(.en) + " Did you mean '\(suggestion)'?"
        }
    }
}
