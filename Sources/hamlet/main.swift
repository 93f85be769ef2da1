import Foundation
import HamletCLI
import HamletCore
import HamletStore

// The `hamlet` executable: parse, dispatch, map errors to exit codes. The only exit().

let environment = ProcessInfo.processInfo.environment
let arguments = Array(CommandLine.arguments.dropFirst())
let schema = preSchema()

/// The register schema the commands are built from: the one the folder's store holds when it is
/// newer than this program's (a deployment's, or the hub's adopted by a node), else the shipped one.
/// Read before parsing, so `add pregnancy` and `--note` exist once the store knows them.
func preSchema() -> Schema {
    var dir = environment["HAMLET_DIR"].flatMap { $0.isEmpty ? nil : $0 } ?? FileManager.default.currentDirectoryPath
    for (i, a) in arguments.enumerated() {
        if a == "--dir", i + 1 < arguments.count { dir = arguments[i + 1] }
        if a.hasPrefix("--dir=") { dir = String(a.dropFirst(6)) }
    }
    for path in [Replica.path(in: dir), HubStore.path(in: dir)] where FileManager.default.fileExists(atPath: path) {
        if let stored = try? StoredSchema.read(path: path), stored.version > Schema.register.version { return stored }
    }
    return .register
}

/// `--lang` read before parsing, so usage errors are in the right language too.
func preLanguage() -> Language {
    var flag: String?
    for (i, a) in arguments.enumerated() {
        if a == "--lang", i + 1 < arguments.count { flag = arguments[i + 1] }
        if a.hasPrefix("--lang=") { flag = String(a.dropFirst(7)) }
    }
    return Language.detect(flag: flag, config: nil, environment: environment)
}

func run() -> Int32 {
    let commands = CommandRegistry(schema: schema)
    let root = commands.root
    let invocation: Invocation
    do {
        invocation = try CommandLineParser.parse(arguments, root: root)
    } catch {
        Output.err(HelpRenderer.usageError(error, root: root, language: preLanguage()))
        return ExitCode.usage.rawValue
    }
    let language = Language.detect(flag: invocation.value(CommandTree.lang), config: nil, environment: environment)
    if invocation.helpRequested || invocation.path.isEmpty {
        Output.out(HelpRenderer.help(for: invocation.path, root: root, language: language,
                                     width: TextWidth.columns(environment: environment, fallback: 80)))
        return ExitCode.ok.rawValue
    }
    guard let command = commands.command(at: invocation.path) else {
        preconditionFailure("the parser reached a node the registry built")
    }
    let context = Context(invocation: invocation, language: language, environment: environment, schema: schema)
    tightenStores(context)
    do {
        try command.run(context)
        return ExitCode.ok.rawValue
    } catch {
        let e = ErrorMapping.cliError(error, chinese: context.chinese, directory: context.directory)
        Output.err(e.render(language))
        return e.exit.rawValue
    }
}

/// Makes a store in the data folder that others can read private (files 0600, folder 0700) before any
/// command opens it, and says so on stderr: once, since the next run finds it private (issue 16, item 1).
/// The message names no path or record: only what was done.
func tightenStores(_ c: Context) {
    let changed = [Replica.path(in: c.directory), HubStore.path(in: c.directory)].flatMap { PrivateFiles.tighten(store: $0) }
    guard !changed.isEmpty else { return }
    Output.err(c.t("注意：数据文件原来本机其他用户也能读取，已改为只有本用户能读写（文件 0600，目录 0700）。\n",
                   "note: other users on this machine could read the data files; they are now private to this user (files 0600, folder 0700).\n"))
}

/// For the benchmark: the process's own peak RSS (VmHWM, kB) written to `$HAMLET_PEAK_RSS_FILE` at exit.
/// (A parent's `wait4` rusage cannot tell: `posix_spawn` shares the parent's memory map until `exec`, and
/// Linux folds that map's high-water mark into the child's.)
func reportPeakRSS() {
    guard let path = environment["HAMLET_PEAK_RSS_FILE"],
          let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
          let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }) else { return }
    let kb = line.split(separator: " ").dropFirst().first.map(String.init) ?? ""
    _ = FileManager.default.createFile(atPath: path, contents: Data(kb.utf8))
}

let status = run()
reportPeakRSS()
exit(status)
