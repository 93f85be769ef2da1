import Foundation

/// Runs a program other than `hamlet` (stunnel, openssl, a script of the repo) as a child, with the
/// same concurrent pipe draining, deadlines and kill-on-deinit as `Hamlet.run`.
public enum ExternalTool {
    /// The first of `candidates` (absolute paths or names looked up in `PATH`) that is an executable file.
    /// - Parameter candidates: where to look, in order.
    /// - Returns: its absolute path, or nil when none is installed.
    public static func find(_ candidates: [String]) -> String? {
        let fm = FileManager.default
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin") + ":/usr/sbin:/usr/bin:/sbin:/bin"
        for c in candidates {
            if c.hasPrefix("/") {
                if fm.isExecutableFile(atPath: c) { return c }
                continue
            }
            for dir in path.split(separator: ":") {
                let p = (String(dir) as NSString).appendingPathComponent(c)
                if fm.isExecutableFile(atPath: p) { return p }
            }
        }
        return nil
    }

    /// The repository's root folder (where `scripts/` is), found from this file's path.
    public static let repositoryRoot: String = {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    }()

    /// Launches `executable args…` and returns at once.
    /// - Parameters:
    ///   - executable: an absolute path.
    ///   - args: the arguments.
    ///   - env: added to (and overriding) `Hamlet.environment()`.
    ///   - cwd: the child's working directory.
    /// - Returns: the running child.
    /// - Throws: `ProcessRunnerError` when it cannot be launched.
    public static func start(_ executable: String, _ args: [String], env: [String: String] = [:],
                             cwd: String? = nil) throws -> RunningProcess {
        try RunningProcess(executable: executable, args: args, env: Hamlet.environment(env), stdin: nil, cwd: cwd)
    }

    /// Runs `executable args…` to completion or the deadline (then SIGKILL, `timedOut`).
    /// - Parameters:
    ///   - executable: an absolute path.
    ///   - args: the arguments.
    ///   - env: added to (and overriding) `Hamlet.environment()`.
    ///   - timeout: the deadline.
    /// - Returns: how it ended and what it printed.
    /// - Throws: `ProcessRunnerError` when it cannot be launched.
    @discardableResult
    public static func run(_ executable: String, _ args: [String], env: [String: String] = [:],
                           timeout: Duration = .seconds(30)) throws -> ProcessResult {
        try start(executable, args, env: env).wait(timeout: timeout)
    }
}
