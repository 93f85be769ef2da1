import Foundation
import HamletCLI
import HamletCore
import HamletNode
import Synchronization

/// `hamlet sync [--watch]`: push pending changes, then pull.
enum SyncCommand: HamletCommand {
    static let watch = OptionSpec(long: "watch", help: CommandTree.L("持续运行：有网就同步，修改后和每隔几分钟自动同步", "keep running: sync when the hub is reachable, after edits and every few minutes"))
    static let interval = OptionSpec(long: "interval", valueName: "seconds", help: CommandTree.L("--watch 的定时同步间隔", "--watch periodic interval"), defaultDescription: "300", valueNameZH: "秒数")
    static let noVerify = OptionSpec(long: "no-verify", help: CommandTree.L("不做数据摘要核对", "skip the digest comparison"))
    static let timeout = OptionSpec(long: "timeout", valueName: "seconds", help: CommandTree.L("最多等镇中心几秒（连接、等待回应和重试都算在内；每收到镇中心一条消息重新计时），到时退出码为 75", "the longest wait on the hub in all (connect, replies, retries; each message from the hub restarts it); exit 75 when it runs out"), defaultDescription: "60", valueNameZH: "秒数")

    static func spec(_ schema: Schema) -> CommandSpec {
        CommandSpec(name: "sync", abstract: CommandTree.L("与镇中心同步：先上传再下载", "sync with the hub: push pending changes, then pull"),
                    options: [watch, interval, noVerify, timeout, CommandTree.dir, CommandTree.json])
    }

    static func run(_ c: Context) throws {
        if c.flag(Self.watch) { return try watch(c) }
        var o = SyncCommands.options(c, verify: !c.flag(Self.noVerify))
        o.timeout = .seconds(try c.positiveInt(Self.timeout, default: 60))
        let s = try SyncClient.sync(directory: c.directory, options: o)
        SyncCommands.report(c, s)
        if s.verify == "mismatch" {
            throw CLIError(code: "verify-mismatch", exit: .internalError,
                           message: Localized(zh: "本地数据与镇中心不一致，请运行 hamlet resync", en: "the replica differs from the hub; run hamlet resync"))
        }
    }

    /// Set by SIGTERM / SIGINT.
    static let stopping = Atomic<Bool>(false)

    static func watch(_ c: Context) throws {
        let interval = Int(c.value(Self.interval) ?? "300") ?? 300
        signal(SIGTERM, SIG_IGN)
        signal(SIGINT, SIG_IGN)
        let sources = [SIGTERM, SIGINT].map { sig -> any DispatchSourceSignal in
            let s = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            s.setEventHandler { SyncCommand.stopping.store(true, ordering: .sequentiallyConsistent) }
            s.resume()
            return s
        }
        var o = SyncCommands.options(c, verify: !c.flag(Self.noVerify))
        o.timeout = .seconds(try c.positiveInt(Self.timeout, default: 60))
        o.progress = nil
        Output.err(c.t("持续同步中（每 \(interval) 秒，修改后立即）；Ctrl-C 停止\n", "watching: sync every \(interval) s and soon after edits; Ctrl-C stops\n"))
        // withExtendedLifetime: `_ = sources` lets a release build free the sources at once (signals then ignored).
        withExtendedLifetime(sources) {
            SyncClient.watch(directory: c.directory, options: o, interval: .seconds(interval), chinese: c.chinese,
                             shouldStop: { SyncCommand.stopping.load(ordering: .sequentiallyConsistent) },
                             log: { Output.err($0 + "\n") })
        }
    }
}

/// `hamlet resync`: rebuilds the replica from the hub, keeping unpushed edits.
enum ResyncCommand: HamletCommand {
    static func spec(_ schema: Schema) -> CommandSpec {
        CommandSpec(name: "resync", abstract: CommandTree.L("从镇中心重建本地数据（保留未上传的修改）", "rebuild the replica from the hub, keeping unpushed edits"),
                    options: [CommandTree.dir, CommandTree.json])
    }

    static func run(_ c: Context) throws {
        SyncCommands.report(c, try SyncClient.resync(directory: c.directory, options: SyncCommands.options(c, verify: true)))
    }
}

/// `hamlet verify`: compares the replica with the hub (a digest of the village's rows).
enum VerifyCommand: HamletCommand {
    static func spec(_ schema: Schema) -> CommandSpec {
        CommandSpec(name: "verify", abstract: CommandTree.L("核对本地数据与镇中心是否一致", "compare the replica with the hub (digest of the village's rows)"),
                    options: [CommandTree.dir, CommandTree.json])
    }

    static func run(_ c: Context) throws {
        let s = try SyncClient.verify(directory: c.directory, options: SyncCommands.options(c, verify: true))
        if c.json { Output.json(s) } else {
            Output.out(s.verify == "match" ? c.t("一致：本地数据与镇中心相同\n", "match: the replica equals the hub\n")
                                           : c.t("不一致：请运行 hamlet resync\n", "mismatch: run hamlet resync\n"))
        }
        if s.verify != "match" {
            throw CLIError(code: "verify-mismatch", exit: .internalError,
                           message: Localized(zh: "本地数据与镇中心不一致", en: "the replica differs from the hub"))
        }
    }
}

/// What `sync`, `resync` and `verify` share: the options passed down and how a summary prints.
enum SyncCommands {
    /// - Parameter verify: Whether to compare digests after the sync (`sync --no-verify` turns it off).
    static func options(_ c: Context, verify: Bool) -> SyncOptions {
        var o = SyncOptions()
        o.verify = verify
        let chinese = c.chinese
        o.progress = { p in
            let total = p.total.map { "/\($0)" } ?? ""
            let phase: String
            switch p.phase {
            case .push: phase = chinese ? "上传" : "push"
            case .pull: phase = chinese ? "下载" : "pull"
            case .snapshot: phase = chinese ? "重建" : "snapshot"
            }
            Output.err(chinese ? "\(phase) \(p.done)\(total)（每秒 \(Int(p.perSecond)) 条）\n" : "\(phase) \(p.done)\(total) (\(Int(p.perSecond))/s)\n")
        }
        return o
    }

    static func report(_ c: Context, _ s: SyncSummary) {
        if c.json { Output.json(s) } else { Output.out((c.chinese ? s.lineZH : s.line) + "\n") }
        // Only wording after a finished sync: an unreadable count leaves the line out.
        if !c.json, let n = try? ReplicaCommands.open(c).arrivals().count, n > 0 {
            Output.out(c.t("待接收 \(n) 人（迁入本村），运行 hamlet arrivals 查看\n", "\(n) person(s) moved here await reception; see hamlet arrivals\n"))
        }
    }
}
