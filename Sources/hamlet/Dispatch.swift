import HamletCLI

/// Routes a parsed command path to its implementation.
enum Dispatch {
    static func run(_ c: Context) throws {
        let path = c.invocation.path
        switch path.first {
        case "init": try ReplicaCommands.initialize(c)
        case "add": try ReplicaCommands.add(c, table: path[1])
        case "edit": try ReplicaCommands.edit(c, table: path[1])
        case "delete": try ReplicaCommands.delete(c)
        case "list": try ReplicaCommands.list(c)
        case "show": try ReplicaCommands.show(c)
        case "status": try ReplicaCommands.status(c)
        case "log": try ReplicaCommands.log(c)
        case "sync": try SyncCommands.sync(c)
        case "resync": try SyncCommands.resync(c)
        case "verify": try SyncCommands.verify(c)
        case "import": try ImportCommand.run(c)
        case "seed": try DataCommands.seed(c)
        case "hub": try HubCommands.run(c, path.dropFirst().first ?? "")
        default:
            throw CLIError(code: "usage", exit: .usage, message: Localized(zh: "未知命令", en: "unknown command"))
        }
    }
}
