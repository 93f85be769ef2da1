/// One command in the `hamlet` command tree, built as a value at run time.
///
/// The tree is data, not types, because some of it comes from the register
/// schema: the field `birth_date` of a table becomes the option
/// `--birth-date` of that table's `add` command. ``CommandLineParser`` reads
/// arguments against the tree and ``HelpRenderer`` prints it.
///
/// Every command implicitly accepts `-h`/`--help`; the root also accepts
/// `help [command path…]`. Do not declare `help` or `h` yourself.
public struct CommandSpec: Sendable, Hashable {
    /// The word that selects this command, such as `resolve`; for the root,
    /// the program name (`hamlet`).
    public var name: String
    /// One line saying what the command does.
    public var abstract: Localized
    /// Longer text shown under the overview in the command's help.
    public var discussion: Localized?
    /// The positional arguments, in order. Put optional and variadic ones last.
    public var arguments: [ArgumentSpec]
    /// The options and flags this command accepts.
    public var options: [OptionSpec]
    /// The commands below this one.
    public var subcommands: [CommandSpec]
    /// Example command lines shown under `EXAMPLES:`, without the `$` prompt.
    public var examples: [String]
    /// Whether the command runs itself when given none of its subcommands (`hub report --period 2026-11`
    /// beside `hub report close 2026-11`); otherwise a command with subcommands given none shows its help.
    public var runsWithoutSubcommand: Bool

    /// Creates a command.
    ///
    /// - Parameters:
    ///   - name: The word that selects the command (the program name for the root).
    ///   - abstract: One line saying what the command does.
    ///   - discussion: Longer help text, if any.
    ///   - arguments: The positional arguments, in order.
    ///   - options: The options and flags.
    ///   - subcommands: The commands below this one.
    ///   - examples: Example command lines.
    public init(
        name: String,
        abstract: Localized,
        discussion: Localized? = nil,
        arguments: [ArgumentSpec] = [],
        options: [OptionSpec] = [],
        subcommands: [CommandSpec] = [],
        examples: [String] = [],
        runsWithoutSubcommand: Bool = false
    ) {
        self.name = name
        self.abstract = abstract
        self.discussion = discussion
        self.arguments = arguments
        self.options = options
        self.subcommands = subcommands
        self.examples = examples
        self.runsWithoutSubcommand = runsWithoutSubcommand
    }

    /// Returns the direct subcommand with the given name.
    ///
    /// - Parameter name: The subcommand's name.
    /// - Returns: The subcommand, or `nil` if there is none.
    public func subcommand(named name: String) -> CommandSpec? {
        subcommands.first { $0.name == name }
    }

    /// Returns the command reached by following a path of subcommand names.
    ///
    /// - Parameter path: Subcommand names below this command; empty for itself.
    /// - Returns: The command, or `nil` if a name along the path is unknown.
    public func command(at path: [String]) -> CommandSpec? {
        var command = self
        for name in path {
            guard let next = command.subcommand(named: name) else { return nil }
            command = next
        }
        return command
    }

    /// The commands from this one down to the end of `path`, as far as the
    /// path is valid: `[self, child, grandchild…]`.
    func chain(along path: [String]) -> [CommandSpec] {
        var chain = [self]
        for name in path {
            guard let next = chain[chain.count - 1].subcommand(named: name) else { break }
            chain.append(next)
        }
        return chain
    }
}

/// A positional argument of a command, such as `<person-id>`.
public struct ArgumentSpec: Sendable, Hashable {
    /// The placeholder name, shown as `<name>`.
    public var name: String
    /// What the argument is.
    public var help: Localized
    /// Whether the argument may be left out.
    public var isOptional: Bool
    /// Whether the argument takes all remaining positional values.
    public var isVariadic: Bool
    /// The placeholder in Chinese help and messages (`<编号>`); ``name`` when `nil`.
    /// ``name`` stays the key of ``Invocation/argumentValues``.
    public var nameZH: String?

    /// Creates a positional argument.
    ///
    /// - Parameters:
    ///   - name: The placeholder name, shown as `<name>`.
    ///   - nameZH: The placeholder in Chinese (`编号`), if it differs.
    ///   - help: What the argument is.
    ///   - optional: Whether the argument may be left out.
    ///   - variadic: Whether it takes all remaining positional values; a
    ///     required variadic argument needs at least one.
    public init(_ name: String, nameZH: String? = nil, help: Localized, optional: Bool = false, variadic: Bool = false) {
        self.name = name
        self.nameZH = nameZH
        self.help = help
        self.isOptional = optional
        self.isVariadic = variadic
    }

    /// The placeholder to show, without the angle brackets.
    ///
    /// - Parameter language: The language of the help or message.
    /// - Returns: ``nameZH`` in Chinese when set, else ``name``.
    public func placeholder(_ language: Language) -> String {
        language == .zh ? nameZH ?? name : name
    }
}

/// An option (`--village <code>`) or boolean flag (`--json`) of a command.
public struct OptionSpec: Sendable, Hashable {
    /// The long name without the leading `--`, such as `birth-date`.
    public var long: String
    /// The one-letter short name without `-`, if any. Never `h`.
    public var short: Character?
    /// The placeholder for the value, shown as `<valueName>`; `nil` makes
    /// this a boolean flag that takes no value.
    public var valueName: String?
    /// What the option does.
    public var help: Localized
    /// Whether the option may be given more than once (values are collected
    /// in order). A flag given twice is always accepted.
    public var isRepeatable: Bool
    /// The default shown in help as `(default: …)`, if any.
    public var defaultDescription: String?
    /// Whether every command below the declaring one accepts this option too,
    /// as with a root `--lang` or `--config`.
    public var isInherited: Bool
    /// The value placeholder in Chinese help and messages (`<目录>`); ``valueName`` when `nil`.
    public var valueNameZH: String?
    /// The default as Chinese help shows it (an enum value's label); ``defaultDescription`` when `nil`.
    public var defaultDescriptionZH: String?

    /// Creates an option or flag.
    ///
    /// - Parameters:
    ///   - long: The long name without `--`.
    ///   - short: The one-letter short name, if any (not `h`).
    ///   - valueName: The value placeholder; `nil` for a boolean flag.
    ///   - help: What the option does.
    ///   - repeatable: Whether it may be given more than once.
    ///   - defaultDescription: The default to show in help, if any.
    ///   - inherited: Whether commands below the declaring one accept it too.
    ///   - valueNameZH: The value placeholder in Chinese, if it differs.
    ///   - defaultDescriptionZH: The default as Chinese help shows it, if it differs.
    public init(
        long: String,
        short: Character? = nil,
        valueName: String? = nil,
        help: Localized,
        repeatable: Bool = false,
        defaultDescription: String? = nil,
        inherited: Bool = false,
        valueNameZH: String? = nil,
        defaultDescriptionZH: String? = nil
    ) {
        self.long = long
        self.short = short
        self.valueName = valueName
        self.help = help
        self.isRepeatable = repeatable
        self.defaultDescription = defaultDescription
        self.isInherited = inherited
        self.valueNameZH = valueNameZH
        self.defaultDescriptionZH = defaultDescriptionZH
    }

    /// The value placeholder to show, without the angle brackets.
    ///
    /// - Parameter language: The language of the help or message.
    /// - Returns: ``valueNameZH`` in Chinese when set, else ``valueName``; `nil` for a flag.
    public func placeholder(_ language: Language) -> String? {
        guard let valueName else { return nil }
        return language == .zh ? valueNameZH ?? valueName : valueName
    }

    /// The default to show in help, if any.
    ///
    /// - Parameter language: The language of the help.
    /// - Returns: ``defaultDescriptionZH`` in Chinese when set, else ``defaultDescription``.
    public func defaultShown(_ language: Language) -> String? {
        language == .zh ? defaultDescriptionZH ?? defaultDescription : defaultDescription
    }

    /// Creates an option from a register field name: `birth_date` becomes
    /// `--birth-date <birth-date>`.
    ///
    /// - Parameters:
    ///   - field: The schema field name, in snake case.
    ///   - help: What the field holds.
    ///   - flag: Whether the field is a boolean flag rather than a valued option.
    /// - Returns: The option.
    public static func field(_ field: String, help: Localized, flag: Bool = false) -> OptionSpec {
        let long = flagName(forField: field)
        return OptionSpec(long: long, valueName: flag ? nil : long, help: help)
    }

    /// Turns a schema field name into a long option name: lower case, with
    /// `_` and spaces as `-` (`birth_date` → `birth-date`).
    ///
    /// - Parameter field: The field name.
    /// - Returns: The option name without `--`.
    public static func flagName(forField field: String) -> String {
        String(field.lowercased().map { $0 == "_" || $0 == " " ? "-" : $0 })
    }

    /// Whether this is a boolean flag rather than an option taking a value.
    public var isFlag: Bool { valueName == nil }
}
