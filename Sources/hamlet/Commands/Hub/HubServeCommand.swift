import Foundation
import HamletCLI
import HamletCore
import HamletHub
import HamletNet
import HamletStore

/// `hamlet hub serve`: the sync port and the operator page, in the foreground.
enum HubServeCommand: HamletCommand {
    static let listen = OptionSpec(long: "listen", valueName: "host:port", help: CommandTree.L("同步端口", "sync address"), defaultDescription: "127.0.0.1:7420", valueNameZH: "地址:端口")
    static let web = OptionSpec(long: "web", valueName: "host:port", help: CommandTree.L("管理页面地址", "operator page address"), defaultDescription: "127.0.0.1:7421", valueNameZH: "地址:端口")
    static let noWeb = OptionSpec(long: "no-web", help: CommandTree.L("不开管理页面", "do not serve the operator page"))
    static let perAddress = OptionSpec(long: "max-prelogin-per-address", valueName: "count", help: CommandTree.L("每个地址最多几个未登录的连接（管理页面按同一上限算全部连接）", "connections per address before login (the operator page: all of them)"), defaultDescription: "64", valueNameZH: "个数")
    static let shareOfCap = OptionSpec(long: "max-per-address", valueName: "count", help: CommandTree.L("每个地址最多几个同步连接（总上限一万）", "sync connections per address, logged in or not (of 10,000 in all)"), defaultDescription: "2500", valueNameZH: "个数")
    static let loginTimeout = OptionSpec(long: "login-timeout", valueName: "seconds", help: CommandTree.L("连上后须在几秒内完成登录", "seconds a new connection has to log in"), defaultDescription: "5", valueNameZH: "秒数")
    static let tokenFile = OptionSpec(long: "token-file", valueName: "path", help: CommandTree.L("管理页面口令文件（非本机地址时必须）", "operator token file (required off loopback)"), valueNameZH: "文件")

    static func spec(_ schema: Schema) -> CommandSpec {
        CommandSpec(name: "serve", abstract: CommandTree.L("前台运行镇中心（日志写到标准错误输出；按 Ctrl-C 或收到终止信号时平稳退出）", "run the hub in the foreground (logs on stderr; clean stop on SIGTERM/SIGINT)"),
                    options: [listen, web, noWeb, tokenFile, perAddress, shareOfCap, loginTimeout, CommandTree.dir])
    }

    static func run(_ c: Context) throws {
        let listen = try address(c.value(Self.listen) ?? "127.0.0.1:7420", c)
        var web: SocketAddress? = c.flag(Self.noWeb) ? nil : try address(c.value(Self.web) ?? "127.0.0.1:7421", c)
        var token: String?
        if let path = c.value(Self.tokenFile) {
            guard let t = try? String(contentsOfFile: path, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines), t.count >= 16 else {
                throw CLIError(code: "invalid-token", exit: .usage, message: Localized(zh: "口令文件读不到或太短（至少16个字符）", en: "the token file is unreadable or shorter than 16 characters"))
            }
            token = t
        }
        if let w = web, !w.isLoopback, token == nil {
            throw CLIError(code: "token-required", exit: .usage,
                           message: Localized(zh: "管理页面绑定到非本机地址时必须用 --token-file 设置口令", en: "the operator page needs --token-file when it listens beyond loopback"))
        }
        if web != nil && !WebConsole.isAvailable { web = nil }
        let directory = c.directory
        let language = c.language
        let console = web == nil ? nil : WebConsole.make(directory: directory, token: token, language: language)
        let config = HubServerConfiguration(
            directory: directory, listen: listen, web: web, webHandlerFactory: console?.handlerFactory,
            logger: StandardErrorLogger(), maxPreLoginPerAddress: try c.positiveInt(Self.perAddress, default: 64),
            maxConnectionsPerAddress: try c.positiveInt(Self.shareOfCap, default: 2_500),
            loginTimeout: .seconds(try c.positiveInt(Self.loginTimeout, default: 5)))
        let server = try HubServer(configuration: config)
        // Signals are handled before the address is announced, so a stop sent right after "listening" is never lost.
        signal(SIGTERM, SIG_IGN)
        signal(SIGINT, SIG_IGN)
        let sources = [SIGTERM, SIGINT].map { sig -> any DispatchSourceSignal in
            let s = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            s.setEventHandler { server.stop(grace: .seconds(10)) }
            s.resume()
            return s
        }
        let bound = try server.start()
        // Who is serving this folder, for commands that must not run beside it (`hub schema --file`).
        let pidFile = HubServeCommand.pidFile(directory)
        FileManager.default.createFile(atPath: pidFile, contents: Data(String(getpid()).utf8), attributes: [.posixPermissions: 0o600])
        defer { try? FileManager.default.removeItem(atPath: pidFile) }
        Output.out("listening \(bound.protocol)\n")
        if let w = bound.web { Output.out("web http://\(w)/\n") }
        // `_ = sources` does not keep them alive in a release build: the sources were freed
        // (and cancelled) right after `resume()`, so SIGTERM/SIGINT were ignored.
        withExtendedLifetime(sources) { server.wait() }
        console?.stop()
        // Every connection is closed by now: fold the WAL into hub.sqlite and remove it.
        HubStore.checkpoint(directory: directory)
    }

    /// The file `hub serve` keeps its process id in while it serves the folder.
    static func pidFile(_ directory: String) -> String { (directory as NSString).appendingPathComponent("serve.pid") }

    /// The process serving the folder, if one is alive (a file left by a killed server is ignored).
    static func servingProcess(_ directory: String) -> Int32? {
        guard let text = try? String(contentsOfFile: pidFile(directory), encoding: .utf8),
              let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)), pid > 0, kill(pid, 0) == 0 else { return nil }
        return pid
    }

    static func address(_ text: String, _ c: Context) throws -> SocketAddress {
        do { return try SocketAddress(parsing: text) } catch {
            throw CLIError(code: "invalid-address", exit: .usage, message: Localized(zh: "地址格式应为 地址:端口，例如 127.0.0.1:7420", en: "addresses are host:port, e.g. 127.0.0.1:7420"))
        }
    }
}
