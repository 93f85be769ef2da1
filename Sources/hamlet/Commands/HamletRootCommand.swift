import HamletCLI
import HamletCore

/// `hamlet`: the root of the tree, listing the clerk's commands, then the hub's, then `seed`.
enum HamletRootCommand: HamletCommandGroup {
    static var subcommands: [any HamletCommand.Type] {
        [InitCommand.self, AddCommand.self, EditCommand.self, DeleteCommand.self, ListCommand.self, ShowCommand.self,
         StatusCommand.self, LogCommand.self, SyncCommand.self, ResyncCommand.self, VerifyCommand.self, ImportCommand.self, CheckCommand.self, MoveCommand.self, ArrivalsCommand.self, ReceiveCommand.self, ReportCommand.self,
         HubCommand.self, SeedCommand.self]
    }

    static func spec(_ schema: Schema) -> CommandSpec {
        CommandSpec(
            name: "hamlet",
            abstract: CommandTree.L("村级人口与家庭健康台账的离线同步", "offline-first sync of village population and family-health registers"),
            discussion: CommandTree.L("村节点离线录入，联网时与镇中心同步；镇中心保留每一个冲突供管理员处理。",
                                      "Village nodes work offline and sync with the township hub when online; the hub keeps every conflict for an operator."),
            options: [CommandTree.lang],
            examples: ["hamlet init --node beizhao --village 北赵 --dir ./beizhao", "hamlet help add person"])
    }
}
