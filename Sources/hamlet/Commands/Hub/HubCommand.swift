import HamletCLI
import HamletCore
import HamletStore

/// `hamlet hub …`: the township hub's commands (set up, register nodes, serve, settle conflicts).
enum HubCommand: HamletCommandGroup {
    static var subcommands: [any HamletCommand.Type] {
        [HubInitCommand.self, HubAddNodeCommand.self, HubServeCommand.self, HubBackupCommand.self, HubSchemaCommand.self,
         HubConflictsCommand.self, HubConflictCommand.self, HubResolveCommand.self, HubMergeCommand.self, HubUnmergeCommand.self,
         HubDismissCommand.self, HubEditCommand.self, HubNodesCommand.self, HubHistoryCommand.self, HubExportCommand.self,
         HubCheckCommand.self, HubMarkCommand.self, HubCompareCommand.self, HubReportCommand.self, HubMovesCommand.self,
         HubUplinkCommand.self]
    }

    static func spec(_ schema: Schema) -> CommandSpec {
        CommandSpec(name: "hub", abstract: CommandTree.L("镇中心：初始化、登记节点、服务、处理冲突", "the township hub: set up, register nodes, serve, settle conflicts"))
    }

    /// `--operator`: who acts (resolve, merge, unmerge, dismiss, edit).
    static let operatorName = OptionSpec(long: "operator", valueName: "name", help: CommandTree.L("管理员姓名（默认系统用户名）", "operator name (default: the OS user)"), valueNameZH: "姓名")
    /// `--note` kept with an operator's resolution (resolve, merge, unmerge).
    static let note = OptionSpec(long: "note", valueName: "text", help: CommandTree.L("处理说明", "a note kept with the resolution"), valueNameZH: "说明")

    static func open(_ c: Context) throws -> HubStore { try HubStore.open(directory: c.directory) }
}
