import Foundation
import HamletCLI
import HamletCore
import HamletStore

/// `hamlet hub backup --to FOLDER`: SQLite's online backup of a running hub. The copy is marked so that a hub
/// started from it takes a new epoch (DESIGN rule 10).
enum HubBackupCommand: HamletCommand {
    static let to = OptionSpec(long: "to", valueName: "folder", help: CommandTree.L("备份目录", "backup folder"), valueNameZH: "文件夹")

    static func spec(_ schema: Schema) -> CommandSpec {
        CommandSpec(name: "backup", abstract: CommandTree.L("在服务运行时做一致的备份", "take a consistent copy while serving"),
                    options: [to, CommandTree.dir, CommandTree.json])
    }

    static func run(_ c: Context) throws {
        guard let to = c.value(Self.to) else {
            throw CLIError(code: "usage", exit: .usage, message: Localized(zh: "缺少 --to", en: "--to is required"))
        }
        let h = try HubCommand.open(c)
        let fm = FileManager.default
        try PrivateFiles.makeFolder(to)  // 0700 whatever the umask: the copy holds every name and the nodes' keys
        PrivateFiles.tightenFolder(to)
        let dest = HubStore.path(in: to)
        guard !fm.fileExists(atPath: dest) else {
            throw CLIError(code: "exists", exit: .invalidData, message: Localized(zh: "\(dest) 已存在", en: "\(dest) already exists"))
        }
        try h.backup(to: dest)
        let copy = try HubStore.open(directory: to)
        try copy.setMeta("restored", "1")
        try copy.setMeta("backup_taken_at", String(c.now))
        let head = try copy.head()
        if c.json { Output.json(["path": dest, "head": String(head)]) } else {
            Output.out(c.t("已备份到 \(dest)（到镇中心版本 \(head) 为止）。恢复：把这个目录复制回去再启动。\n",
                           "backed up to \(dest) (up to hseq \(head)). To restore, copy the folder back and start the hub.\n"))
        }
    }
}
