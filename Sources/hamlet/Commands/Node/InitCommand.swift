import Foundation
import HamletCLI
import HamletCore
import HamletStore

/// `hamlet init --node ID --village NAME`: creates a village node's replica in a folder.
enum InitCommand: HamletCommand {
    static let node = OptionSpec(long: "node", valueName: "id", help: CommandTree.L("节点名：小写字母、数字、- 或 _", "node id: lowercase letters, digits, - or _"), valueNameZH: "节点名")
    static let village = OptionSpec(long: "village", valueName: "name", help: CommandTree.L("本节点服务的村", "the village this node serves"), valueNameZH: "村名")
    static let hub = OptionSpec(long: "hub", valueName: "host:port", help: CommandTree.L("镇中心地址（可以以后再设）", "hub address (can be set later)"), valueNameZH: "地址:端口")
    static let secretFile = OptionSpec(long: "secret-file", valueName: "path", help: CommandTree.L("镇中心发给本节点的密钥文件", "the secret file the hub issued for this node"), valueNameZH: "文件")

    static func spec(_ schema: Schema) -> CommandSpec {
        CommandSpec(name: "init", abstract: CommandTree.L("在目录中建立村节点的本地数据库", "create a village node's replica in a folder"),
                    options: [node, village, hub, secretFile, CommandTree.dir, CommandTree.json],
                    examples: ["hamlet init --node beizhao --village 北赵 --dir ./beizhao"])
    }

    static func run(_ c: Context) throws {
        guard let node = c.value(Self.node), NodeID.isValid(node) else {
            throw CLIError(code: "invalid-node", exit: .usage,
                           message: Localized(zh: "--node 必须是 1–32 个小写字母、数字、- 或 _", en: "--node must be 1–32 of lowercase letters, digits, - or _"))
        }
        guard let village = try c.village(Self.village) else {
            throw CLIError(code: "missing-village", exit: .usage, message: Localized(zh: "缺少 --village", en: "--village is required"))
        }
        let secret = c.value(Self.secretFile).map { ($0 as NSString).expandingTildeInPath }
        let secretPath = secret.map { $0.hasPrefix("/") ? $0 : (FileManager.default.currentDirectoryPath as NSString).appendingPathComponent($0) }
        if let secretPath, !FileManager.default.fileExists(atPath: secretPath) {
            throw CLIError(code: "not-found", exit: .notFound, message: Localized(zh: "找不到密钥文件 \(secretPath)", en: "no secret file at \(secretPath)"))
        }
        let r = try Replica.create(directory: c.directory, node: node, village: village, hub: c.value(Self.hub),
                                   secretFile: secretPath)
        let path = Replica.path(in: r.directory)
        if c.json {
            Output.json(["node": node, "village": village, "path": path, "hub": c.value(Self.hub) ?? ""])
        } else {
            Output.out(c.t("已建立村节点 \(node)（\(village)）：\(path)\n", "created node \(node) (\(village)): \(path)\n"))
        }
    }
}
