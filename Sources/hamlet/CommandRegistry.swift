import HamletCLI
import HamletCore

/// The `hamlet` command tree assembled from the command types: the ``CommandSpec`` the parser and the help read,
/// and for each node of it the type whose handler runs it.
///
/// Each type's spec is placed under its parent's, so a command's name is written once, in its own spec; the
/// nodes of a schema-driven subtree (`add person`) are run by the type that declared them (`AddCommand`).
struct CommandRegistry {
    /// The root of the tree, for ``CommandLineParser`` and ``HelpRenderer``.
    let root: CommandSpec
    /// The type that runs each node, by its path below the root.
    private let handlers: [[String]: any HamletCommand.Type]

    /// Assembles the tree.
    ///
    /// - Parameters:
    ///   - schema: The register schema the per-table commands and flags come from.
    ///   - root: The root command type.
    init(schema: Schema, root: any HamletCommand.Type = HamletRootCommand.self) {
        var handlers: [[String]: any HamletCommand.Type] = [:]
        self.root = Self.assemble(root, spec: root.spec(schema), path: [], schema: schema, into: &handlers)
        self.handlers = handlers
    }

    /// The type that runs the command at `path` (``Invocation/path``), or `nil` for a path the tree lacks.
    ///
    /// - Parameter path: Subcommand names below the root, as the parser reached them.
    /// - Returns: The command type.
    func command(at path: [String]) -> (any HamletCommand.Type)? {
        handlers[path]
    }

    private static func assemble(_ type: any HamletCommand.Type, spec own: CommandSpec, path: [String], schema: Schema,
                                 into handlers: inout [[String]: any HamletCommand.Type]) -> CommandSpec {
        var spec = own
        registerData(spec, path: path, as: type, into: &handlers)
        for child in type.subcommands {
            let childSpec = child.spec(schema)
            precondition(handlers[path + [childSpec.name]] == nil, "two commands named '\(childSpec.name)' under '\(spec.name)'")
            spec.subcommands.append(assemble(child, spec: childSpec, path: path + [childSpec.name], schema: schema, into: &handlers))
        }
        return spec
    }

    /// Maps a node and its schema-driven subcommands (`add person`, `add people`) to the type that declared them.
    private static func registerData(_ spec: CommandSpec, path: [String], as type: any HamletCommand.Type,
                                     into handlers: inout [[String]: any HamletCommand.Type]) {
        handlers[path] = type
        for sub in spec.subcommands { registerData(sub, path: path + [sub.name], as: type, into: &handlers) }
    }
}
