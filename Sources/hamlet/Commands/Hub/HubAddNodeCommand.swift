import Foundation
import HamletCLI
import HamletCore
import HamletCrypto
import HamletProtocol
import HamletStore

/// `hamlet hub add-node NODE --village NAME --secret-out FILE`: registers a village node and writes its secret once.
enum HubAddNodeCommand: HamletCommand {
    static let node = ArgumentSpec("node", nameZH: "节点名", help: CommandTree.L("节点名", "node id"))
    static let village = OptionSpec(long: "village", valueName: "name", help: CommandTree.L("节点所属的村", "the node's village"), valueNameZH: "村名")
    static let secretOut = OptionSpec(long: "secret-out", valueName: "path", help: CommandTree.L("密钥文件写到哪里（只有本用户能读）", "where to write the secret (mode 0600)"), valueNameZH: "文件")
    /// Issue 18: a township hub registered at a county; its scope is every village of the township.
    static let township = OptionSpec(long: "township", valueName: "name", help: CommandTree.L("登记一个镇中心（向县级上传的节点），范围是该镇所有的村", "register a township hub (an uplink node) whose scope is every village of the township"), valueNameZH: "镇名")
    static let rotate = OptionSpec(long: "rotate", help: CommandTree.L("为已登记的节点换新密钥", "issue a new secret for a registered node"))

    static func spec(_ schema: Schema) -> CommandSpec {
        CommandSpec(name: "add-node", abstract: CommandTree.L("登记村节点并生成它的密钥（只写一次）", "register a village node and write its secret once"),
                    arguments: [node], options: [village, township, secretOut, rotate, CommandTree.dir, CommandTree.json])
    }

    static func run(_ c: Context) throws {
        let node = try c.argument(Self.node)
        guard NodeID.isValid(node) else {
            throw CLIError(code: "invalid-node", exit: .usage, message: Localized(zh: "节点名只能用小写字母、数字、- 或 _（1–32个）", en: "node ids are 1–32 of lowercase letters, digits, - or _"))
        }
        guard let out = c.value(Self.secretOut) else {
            throw CLIError(code: "usage", exit: .usage, message: Localized(zh: "缺少 --secret-out（密钥文件写到哪里）", en: "--secret-out is required (where to write the secret)"))
        }
        let h = try HubCommand.open(c)
        let secret = Credentials.makeSecret()
        guard let key = Credentials.storedKey(secret: secret) else { preconditionFailure("a fresh secret is 64 hex digits") }
        if c.flag(Self.rotate) {
            // Checked before the file is written: a failed rotation leaves nothing behind (a stray secret file
            // would make the next add-node fail).
            guard try h.node(node) != nil else {
                throw CLIError(code: "unknown-node", exit: .notFound, message: Localized(zh: "没有登记过节点 \(node)：新节点不用 --rotate", en: "node \(node) is not registered: a new node needs no --rotate"))
            }
            try writeSecret(secret, to: out)
            do {
                try h.setSecret(node: node, secretHash: key)
            } catch {
                try? FileManager.default.removeItem(atPath: out)
                throw error
            }
        } else if let township = try c.village(Self.township) {
            try registerTownship(c, h, node: node, township: township, secret: secret, key: key, out: out)
            return
        } else {
            guard let village = try c.village(Self.village) else {
                throw CLIError(code: "missing-village", exit: .usage, message: Localized(zh: "缺少 --village", en: "--village is required"))
            }
            if try h.node(node) != nil {
                throw CLIError(code: "exists", exit: .invalidData, message: Localized(zh: "节点 \(node) 已经登记过了（换密钥用 --rotate）", en: "node \(node) is already registered (use --rotate for a new secret)"))
            }
            try writeSecret(secret, to: out)
            do {
                try h.addNode(id: node, village: village, secretHash: key, wallMillis: c.now)
            } catch {
                try? FileManager.default.removeItem(atPath: out)
                throw error
            }
        }
        if c.json { Output.json(["node": node, "secret_file": out]) } else {
            Output.out(c.t("已登记节点 \(node)，密钥写入 \(out)（只写这一次，请交给该村的电脑）\n",
                           "registered node \(node); secret written to \(out) (once: hand it to the village's laptop)\n"))
        }
    }

    /// `--township`: the node is a township hub; the county learns its villages as it writes them (HubStore+Township).
    static func registerTownship(_ c: Context, _ h: HubStore, node: String, township: String, secret: String, key: String, out: String) throws {
        if try h.node(node) != nil {
            throw CLIError(code: "exists", exit: .invalidData, message: Localized(zh: "节点 \(node) 已经登记过了（换密钥用 --rotate）", en: "node \(node) is already registered (use --rotate for a new secret)"))
        }
        if let other = try h.nodes().first(where: { $0.village == township }) {
            throw CLIError(code: "exists", exit: .invalidData, message: Localized(zh: "\(township) 已经登记为节点 \(other.id)", en: "\(township) is already registered as node \(other.id)"))
        }
        try writeSecret(secret, to: out)
        do {
            try h.addTownshipNode(id: node, township: township, secretHash: key, wallMillis: c.now)
        } catch {
            try? FileManager.default.removeItem(atPath: out)
            throw error
        }
        if c.json { Output.json(["node": node, "township": township, "secret_file": out]) } else {
            Output.out(c.t("已登记镇节点 \(node)（\(township)），密钥写入 \(out)（只写这一次，请交给该镇中心）\n",
                           "registered township node \(node) (\(township)); secret written to \(out) (once: hand it to the township hub)\n"))
        }
    }

    /// Writes the secret once, mode 0600, refusing to overwrite a file.
    static func writeSecret(_ secret: String, to path: String) throws {
        let fd = Glibc.open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard fd >= 0 else {
            throw CLIError(code: "exists", exit: .invalidData,
                           message: Localized(zh: "不能写密钥文件 \(path)（已存在或目录不可写）", en: "cannot create secret file \(path) (it exists or the folder is not writable)"))
        }
        defer { close(fd) }
        let bytes = Array((secret + "\n").utf8)
        guard bytes.withUnsafeBytes({ Glibc.write(fd, $0.baseAddress, $0.count) }) == bytes.count else {
            throw CLIError(code: "io", exit: .storage, message: Localized(zh: "写密钥文件失败", en: "writing the secret failed"))
        }
    }
}
