import HamletCLI
import HamletCore

/// One `hamlet` command: the type owns its place in the tree (its ``CommandSpec``: name, help, examples,
/// arguments and options), the options it reads, and the handler that runs it, after argument-parser's
/// `ParsableCommand`, written here without the package.
///
/// A command's options are `static let` ``OptionSpec`` constants on its type (shared ones, such as `--dir` and
/// `--json`, on ``CommandTree``); its handler reads them through the same values (`c.value(Self.node)`), and
/// the parsed ``Invocation`` stops on a precondition if a handler reads one its command never declared. A
/// command's name is written once, in its spec: ``CommandRegistry`` assembles the tree from the types and
/// finds the type that runs the command the parser reached.
///
/// Schema-driven subtrees stay data: `add`'s spec holds one subcommand per table, whose options are the
/// table's fields; `AddCommand` runs them all, reading the table from the path and the fields by their
/// flag names.
protocol HamletCommand {
    /// The command's own node: name, abstract, discussion, arguments, options, examples, and any
    /// schema-driven subcommands. The commands in ``subcommands`` are added below it by ``CommandRegistry``.
    ///
    /// - Parameter schema: The register schema the tree is built from (table names, field flags).
    /// - Returns: The command's spec.
    static func spec(_ schema: Schema) -> CommandSpec

    /// The commands below this one, each a type of its own, in the order help lists them. Default: none.
    static var subcommands: [any HamletCommand.Type] { get }

    /// Runs the command.
    ///
    /// - Parameter c: What the parser read, the language and the environment.
    /// - Throws: `CLIError` or a library error, which `ErrorMapping` turns into a message and an exit code.
    static func run(_ c: Context) throws
}

extension HamletCommand {
    static var subcommands: [any HamletCommand.Type] { [] }
}

/// A command that only groups others (`hamlet`, `hamlet hub`). Given no subcommand, the parser asks for its
/// help (``Invocation/helpRequested``), so its handler never runs.
protocol HamletCommandGroup: HamletCommand {}

extension HamletCommandGroup {
    static func run(_ c: Context) throws {
        preconditionFailure("the parser shows a group's help instead of running it")
    }
}
