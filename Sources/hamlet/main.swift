import Foundation
import HamletCLI
import HamletCore

// The `hamlet` executable: parse, dispatch, map errors to exit codes. The only exit().

let environment = ProcessInfo.processInfo.environment
let arguments = Array(CommandLine.arguments.dropFirst())
let schema = Schema.register
let root = CommandTree.root(schema)

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
    let invocation: Invocation
    do {
        invocation = try CommandLineParser.parse(arguments, root: root)
    } catch {
        Output.err(HelpRenderer.usageError(error, root: root, language: preLanguage()))
        return ExitCode.usage.rawValue
    }
    let language = Language.detect(flag: invocation.value("lang"), config: nil, environment: environment)
    if invocation.helpRequested || invocation.path.isEmpty {
        Output.out(HelpRenderer.help(for: invocation.path, root: root, language: language,
                                     width: TextWidth.columns(environment: environment, fallback: 80)))
        return ExitCode.ok.rawValue
    }
    let context = Context(invocation: invocation, language: language, environment: environment)
    do {
        try Dispatch.run(context)
        return ExitCode.ok.rawValue
    } catch {
        let e = ErrorMapping.cliError(error, chinese: context.chinese)
        Output.err(e.render(language))
        return e.exit.rawValue
    }
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
