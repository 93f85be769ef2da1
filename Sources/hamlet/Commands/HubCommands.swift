import Foundation
import HamletCLI
import HamletCore
import HamletCrypto
import HamletProtocol
import HamletStore

/// The hub operator's commands.
enum HubCommands {
    static func run(_ c: Context, _ sub: String) throws {
        switch sub {
        case "init": try initialize(c)
        case "add-node": try addNode(c)
        case "serve": try ServeCommand.serve(c)
        case "backup": try backup(c)
        case "schema": try HubSchemaCommand.run(c)
        case "conflicts": try OperatorCommands.conflicts(c)
        case "conflict": try OperatorCommands.conflict(c)
        case "resolve": try OperatorCommands.resolve(c)
        case "merge": try OperatorCommands.merge(c)
        case "unmerge": try OperatorCommands.unmerge(c)
        case "dismiss": try OperatorCommands.dismiss(c)
        case "edit": try HubEditCommand.run(c, table: c.invocation.path.dropFirst(2).first ?? "")
        case "nodes": try OperatorCommands.nodes(c)
        case "history": try OperatorCommands.history(c)
        case "export": try OperatorCommands.export(c)
        default:
            throw CLIError(code: "usage", exit: .usage, message: Localized(zh: "未知的 hub 子命令", en: "unknown hub command"))
        }
    }

    static func open(_ c: Context) throws -> HubStore { try HubStore.open(directory: c.directory) }

    static func initialize(_ c: Context) throws {
        let zone = c.invocation.value("time-zone") ?? "Asia/Shanghai"
        guard TimeZone(identifier: zone) != nil else {
            throw CLIError(code: "invalid-time-zone", exit: .usage, message: Localized(zh: "不认识的时区 \(zone)", en: "unknown time zone \(zone)"))
        }
        let h = try HubStore.create(directory: c.directory, timeZone: zone)
        let id = try h.hubID()
        if c.json { Output.json(["hub": id, "path": HubStore.path(in: c.directory), "epoch": try h.epoch()]) } else {
            Output.out(c.t("已建立镇中心 \(id)：\(HubStore.path(in: c.directory))\n", "created hub \(id): \(HubStore.path(in: c.directory))\n"))
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

    static func addNode(_ c: Context) throws {
        let node = try c.argument("node")
        guard NodeID.isValid(node) else {
            throw CLIError(code: "invalid-node", exit: .usage, message: Localized(zh: "节点名只能用小写字母、数字、- 或 _（1–32个）", en: "node ids are 1–32 of lowercase letters, digits, - or _"))
        }
        guard let out = c.invocation.value("secret-out") else {
            throw CLIError(code: "usage", exit: .usage, message: Localized(zh: "缺少 --secret-out（密钥文件写到哪里）", en: "--secret-out is required (where to write the secret)"))
        }
        let h = try open(c)
        let secret = Credentials.makeSecret()
        guard let key = Credentials.storedKey(secret: secret) else { preconditionFailure("a fresh secret is 64 hex digits") }
        if c.invocation.flag("rotate") {
            try writeSecret(secret, to: out)
            try h.setSecret(node: node, secretHash: key)
        } else {
            guard let village = c.invocation.value("village")?.trimmingSpaces(), !village.isEmpty else {
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

    /// `hub backup --to FOLDER`: SQLite's online backup of a running hub. The copy
    /// is marked so that a hub started from it takes a new epoch (DESIGN rule 10).
    static func backup(_ c: Context) throws {
        guard let to = c.invocation.value("to") else {
            throw CLIError(code: "usage", exit: .usage, message: Localized(zh: "缺少 --to", en: "--to is required"))
        }
        let h = try open(c)
        let fm = FileManager.default
        try fm.createDirectory(atPath: to, withIntermediateDirectories: true)
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
