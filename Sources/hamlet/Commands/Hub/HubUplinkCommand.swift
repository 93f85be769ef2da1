import Foundation
import HamletCLI
import HamletCore
import HamletNode
import HamletStore
import Synchronization

/// `hamlet hub uplink --to HOST:PORT --node NAME --secret-file F [--watch]`: the township hub syncs to its county
/// hub as one of its nodes (issue 18): its accepted changes go up once, the county's outcomes come down.
enum HubUplinkCommand: HamletCommand {
    static let to = OptionSpec(long: "to", valueName: "host:port", help: CommandTree.L("县级中心的地址", "the county hub's address"), valueNameZH: "地址")
    static let node = OptionSpec(long: "node", valueName: "name", help: CommandTree.L("县级中心为本镇登记的节点名", "the node id the county registered for this township"), valueNameZH: "节点名")
    static let secretFile = OptionSpec(long: "secret-file", valueName: "path", help: CommandTree.L("县级中心发给本镇的密钥文件", "the secret file the county issued for this township"), valueNameZH: "文件")
    static let township = OptionSpec(long: "township", valueName: "name", help: CommandTree.L("本中心是哪个镇的（建立时没写明才需要）", "the township this hub serves (only when hub init did not name it)"), valueNameZH: "镇名")
    static let watch = OptionSpec(long: "watch", help: CommandTree.L("持续运行：本镇有新数据就上传，并定时取回县级的处理结果", "keep running: send new township changes up and fetch the county's outcomes now and then"))
    static let interval = OptionSpec(long: "interval", valueName: "seconds", help: CommandTree.L("--watch 的定时间隔", "--watch periodic interval"), defaultDescription: "60", valueNameZH: "秒数")

    static func spec(_ schema: Schema) -> CommandSpec {
        CommandSpec(name: "uplink", abstract: CommandTree.L("向县级中心上传本镇数据并取回县级的处理结果", "sync this township hub to the county hub as one of its nodes"),
                    options: [to, node, secretFile, township, watch, interval, SyncCommand.timeout, CommandTree.dir, CommandTree.json])
    }

    static func run(_ c: Context) throws {
        try prepare(c)
        var o = SyncCommands.options(c, verify: true)
        o.timeout = .seconds(try c.positiveInt(SyncCommand.timeout, default: 60))
        if c.flag(Self.watch) { return try watch(c, o) }
        do {
            report(c, try Uplink.cycle(township: c.directory, options: o))
        } catch let e as SyncError {
            throw countyWording(e, to: c.value(Self.to) ?? "")
        }
    }

    /// The sync client words its errors for a village laptop and its township hub; here the hub is the county's.
    static func countyWording(_ e: SyncError, to: String) -> SyncError {
        var out = e
        switch e.code {
        case .unreachable where e.hubCode == nil:
            out.messageZH = "连不上县级中心 \(to)：请检查网络，或问县管理员县级中心是否在运行，稍后再上传"
        case .refused:
            out.messageZH = "县级中心拒绝了本镇的节点（\(e.hubCode ?? e.code.rawValue)），请联系县管理员核对节点名和密钥文件"
        default: break
        }
        return out
    }

    /// Checks the options and makes (or re-points) the upstream replica in `DIR/uplink`.
    static func prepare(_ c: Context) throws {
        guard let to = c.value(Self.to) else {
            throw CLIError(code: "usage", exit: .usage, message: Localized(zh: "缺少 --to（县级中心的地址）", en: "--to is required (the county hub's address)"))
        }
        guard let node = c.value(Self.node), NodeID.isValid(node) else {
            throw CLIError(code: "invalid-node", exit: .usage,
                           message: Localized(zh: "--node 必须是 1–32 个小写字母、数字、- 或 _", en: "--node must be 1–32 of lowercase letters, digits, - or _"))
        }
        guard let raw = c.value(Self.secretFile) else {
            throw CLIError(code: "usage", exit: .usage, message: Localized(zh: "缺少 --secret-file（县级发的密钥文件）", en: "--secret-file is required"))
        }
        let expanded = (raw as NSString).expandingTildeInPath
        let secret = expanded.hasPrefix("/") ? expanded : (FileManager.default.currentDirectoryPath as NSString).appendingPathComponent(expanded)
        guard FileManager.default.fileExists(atPath: secret) else {
            throw CLIError(code: "not-found", exit: .notFound, message: Localized(zh: "找不到密钥文件 \(secret)", en: "no secret file at \(secret)"))
        }
        if let township = try c.village(Self.township) {
            let h = try HubCommand.open(c)
            if let named = try h.township(), named != township {
                throw CLIError(code: "wrong-township", exit: .invalidData,
                               message: Localized(zh: "本中心登记的是 \(named)，不是 \(township)", en: "this hub serves \(named), not \(township)"))
            }
            try h.setMeta("township", township)
            h.close()
        }
        try Uplink.prepare(township: c.directory, hub: to, node: node, secretFile: secret)
    }

    static func report(_ c: Context, _ s: UplinkSummary) {
        if c.json { Output.json(s); return }
        let sync = s.sync.map { c.chinese ? $0.lineZH : $0.line } ?? ""
        Output.out(c.t("上传 \(s.exported) 条，县级下发 \(s.downlinked) 条；\(sync)\n",
                       "sent up \(s.exported) row(s), took \(s.downlinked) from the county; \(sync)\n"))
    }

    /// Set by SIGTERM / SIGINT.
    static let stopping = Atomic<Bool>(false)

    static func watch(_ c: Context, _ options: SyncOptions) throws {
        let interval = try c.positiveInt(Self.interval, default: 60)
        signal(SIGTERM, SIG_IGN)
        signal(SIGINT, SIG_IGN)
        let sources = [SIGTERM, SIGINT].map { sig -> any DispatchSourceSignal in
            let s = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            s.setEventHandler { HubUplinkCommand.stopping.store(true, ordering: .sequentiallyConsistent) }
            s.resume()
            return s
        }
        var o = options
        o.progress = nil
        Output.err(c.t("持续上传中（每 \(interval) 秒，本镇有新数据时立即）；Ctrl-C 停止\n", "watching: uplink every \(interval) s and soon after township changes; Ctrl-C stops\n"))
        let chinese = c.chinese
        withExtendedLifetime(sources) {
            Uplink.watch(township: c.directory, options: o, interval: .seconds(interval),
                         shouldStop: { HubUplinkCommand.stopping.load(ordering: .sequentiallyConsistent) },
                         log: { s, error in
                             if let s {
                                 let sync = s.sync.map { chinese ? $0.lineZH : $0.line } ?? ""
                                 Output.err(chinese ? "上传完成：上传 \(s.exported) 条，县级下发 \(s.downlinked) 条；\(sync)\n"
                                                    : "uplink ok: sent \(s.exported), took \(s.downlinked); \(sync)\n")
                             } else if let e = error as? SyncError {
                                 let w = countyWording(e, to: c.value(Self.to) ?? "")
                                 Output.err(chinese ? "上传失败：[\(e.hubCode ?? e.code.rawValue)] \(w.message(chinese: true))\n" : "uplink failed: \(e)\n")
                             } else {
                                 Output.err(chinese ? "上传失败：本地数据读写出错，用 --lang en 运行可看到详细原因\n" : "uplink failed: \(error.map { "\($0)" } ?? "")\n")
                             }
                         })
        }
    }
}
