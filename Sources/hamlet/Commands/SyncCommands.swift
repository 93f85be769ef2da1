import Foundation
import HamletCLI
import HamletNode
import Synchronization

/// sync, sync --watch, resync, verify.
enum SyncCommands {
    static func options(_ c: Context) -> SyncOptions {
        var o = SyncOptions()
        o.verify = !c.invocation.flag("no-verify")
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
    }

    static func sync(_ c: Context) throws {
        if c.invocation.flag("watch") { return try watch(c) }
        let s = try SyncClient.sync(directory: c.directory, options: options(c))
        report(c, s)
        if s.verify == "mismatch" {
            throw CLIError(code: "verify-mismatch", exit: .internalError,
                           message: Localized(zh: "本地数据与镇中心不一致，请运行 hamlet resync", en: "the replica differs from the hub; run hamlet resync"))
        }
    }

    static func resync(_ c: Context) throws {
        report(c, try SyncClient.resync(directory: c.directory, options: options(c)))
    }

    static func verify(_ c: Context) throws {
        let s = try SyncClient.verify(directory: c.directory, options: options(c))
        if c.json { Output.json(s) } else {
            Output.out(s.verify == "match" ? c.t("一致：本地数据与镇中心相同\n", "match: the replica equals the hub\n")
                                           : c.t("不一致：请运行 hamlet resync\n", "mismatch: run hamlet resync\n"))
        }
        if s.verify != "match" {
            throw CLIError(code: "verify-mismatch", exit: .internalError,
                           message: Localized(zh: "本地数据与镇中心不一致", en: "the replica differs from the hub"))
        }
    }

    /// Set by SIGTERM / SIGINT.
    static let stopping = Atomic<Bool>(false)

    static func watch(_ c: Context) throws {
        let interval = Int(c.invocation.value("interval") ?? "300") ?? 300
        signal(SIGTERM, SIG_IGN)
        signal(SIGINT, SIG_IGN)
        let sources = [SIGTERM, SIGINT].map { sig -> any DispatchSourceSignal in
            let s = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            s.setEventHandler { SyncCommands.stopping.store(true, ordering: .sequentiallyConsistent) }
            s.resume()
            return s
        }
        var o = options(c)
        o.progress = nil
        Output.err(c.t("持续同步中（每 \(interval) 秒，修改后立即）；Ctrl-C 停止\n", "watching: sync every \(interval) s and soon after edits; Ctrl-C stops\n"))
        // withExtendedLifetime: `_ = sources` lets a release build free the sources at once (signals then ignored).
        withExtendedLifetime(sources) {
            SyncClient.watch(directory: c.directory, options: o, interval: .seconds(interval), chinese: c.chinese,
                             shouldStop: { SyncCommands.stopping.load(ordering: .sequentiallyConsistent) },
                             log: { Output.err($0 + "\n") })
        }
    }
}
