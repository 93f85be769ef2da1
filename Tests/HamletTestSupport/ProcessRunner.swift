import Foundation
import HamletCore
#if canImport(Glibc)
import Glibc
#endif

/// What a finished child process left behind.
public struct ProcessResult: Sendable, CustomStringConvertible {
    /// The exit status, or 128 + signal when a signal ended it.
    public var status: Int32
    /// The signal that ended the process, if one did.
    public var signal: Int32?
    /// True when the runner killed it at its deadline.
    public var timedOut: Bool
    public var stdoutData: Data
    public var stderrData: Data
    /// Wall time from launch to exit.
    public var elapsed: Duration

    public var stdout: String { String(decoding: stdoutData, as: UTF8.self) }
    public var stderr: String { String(decoding: stderrData, as: UTF8.self) }
    /// Stdout without its trailing newline (a printed id, say).
    public var line: String { stdout.trimmingCharacters(in: .whitespacesAndNewlines) }

    /// Stdout decoded as JSON (for `--json` commands).
    public func json() throws -> Any { try JSONSerialization.jsonObject(with: stdoutData, options: [.fragmentsAllowed]) }

    /// Stdout decoded into a Decodable.
    public func decode<T: Decodable>(_ type: T.Type) throws -> T { try JSONDecoder().decode(type, from: stdoutData) }

    public var description: String {
        "exit \(status)\(signal.map { " (signal \($0))" } ?? "")\(timedOut ? " TIMED OUT" : "")\n--- stdout\n\(stdout.prefix(4000))\n--- stderr\n\(stderr.prefix(4000))"
    }
}

/// Errors of the runner itself (the child's failures are results, not errors).
public struct ProcessRunnerError: Error, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Runs the built `hamlet` executable as a child process: arguments, environment,
/// optional stdin, both pipes drained concurrently on threads of their own, and a
/// deadline after which the child is killed.
public enum Hamlet {
    /// The `hamlet` binary: `$HAMLET_BIN`, else beside the test bundle
    /// (`Bundle.main.bundleURL` is the build folder), else `.build/debug` above this file.
    public static let executable: String = {
        let fm = FileManager.default
        if let p = ProcessInfo.processInfo.environment["HAMLET_BIN"], fm.isExecutableFile(atPath: p) { return p }
        var candidates: [URL] = []
        let bundle = Bundle.main.bundleURL
        candidates.append(bundle.appendingPathComponent("hamlet"))
        candidates.append(bundle.deletingLastPathComponent().appendingPathComponent("hamlet"))
        for b in Bundle.allBundles {
            candidates.append(b.bundleURL.deletingLastPathComponent().appendingPathComponent("hamlet"))
        }
        var dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        for _ in 0..<4 {
            candidates.append(dir.appendingPathComponent(".build/debug/hamlet"))
            dir = dir.deletingLastPathComponent()
        }
        for c in candidates where fm.isExecutableFile(atPath: c.path) { return c.path }
        return candidates.last?.path ?? "hamlet"
    }()

    /// A clean environment: PATH, HOME, USER, English unless told otherwise; none of
    /// the caller's LC_* / LANGUAGE / HAMLET_DIR leak in. `overrides` win.
    public static func environment(_ overrides: [String: String] = [:]) -> [String: String] {
        let inherited = ProcessInfo.processInfo.environment
        var env: [String: String] = [
            "PATH": inherited["PATH"] ?? "/usr/bin:/bin",
            "HOME": inherited["HOME"] ?? "/tmp",
            "USER": "clerk",
            "LANG": "en_US.UTF-8",
            "SWIFT_BACKTRACE": "enable=no",
            "COLUMNS": "200",
        ]
        for (k, v) in overrides { env[k] = v }
        return env.filter { !$0.value.isEmpty }
    }

    /// Runs `hamlet args…` to completion (or the deadline) and returns what it printed.
    /// - Parameters:
    ///   - env: added to (and overriding) `environment()`; an empty value removes a key.
    ///   - stdin: bytes written to the child's standard input, then closed.
    ///   - cwd: the child's working directory.
    ///   - timeout: after it, SIGKILL; the result says `timedOut`.
    /// - Throws: `ProcessRunnerError` when the binary cannot be launched.
    @discardableResult
    public static func run(_ args: [String], env: [String: String] = [:], stdin: Data? = nil, cwd: String? = nil,
                           timeout: Duration = .seconds(30)) throws -> ProcessResult {
        let p = try start(args, env: env, stdin: stdin, cwd: cwd)
        return p.wait(timeout: timeout)
    }

    /// Launches `hamlet args…` and returns at once; read its output as it comes.
    public static func start(_ args: [String], env: [String: String] = [:], stdin: Data? = nil, cwd: String? = nil) throws -> RunningProcess {
        try RunningProcess(executable: executable, args: args, env: environment(env), stdin: stdin, cwd: cwd)
    }

    /// `hamlet hub serve --dir DIR --listen 127.0.0.1:0 --no-web`, waited on until it
    /// prints `listening <addr>`.
    /// - Throws: when the hub exits or stays silent past `timeout` (its output is in the message).
    public static func startServer(dir: String, extra: [String] = [], env: [String: String] = [:],
                                   timeout: Duration = .seconds(15)) throws -> HubProcess {
        let p = try start(["hub", "serve", "--dir", dir, "--listen", "127.0.0.1:0", "--no-web"] + extra, env: env)
        guard let line = p.waitForLine(prefix: "listening ", in: .stdout, timeout: timeout) else {
            p.kill()
            let r = p.wait(timeout: .seconds(5))
            throw ProcessRunnerError("hub serve did not print 'listening' in time:\n\(r)")
        }
        return HubProcess(process: p, address: String(line.dropFirst("listening ".count)).trimmingCharacters(in: .whitespaces))
    }
}

/// A hub server child with the address it listens on.
public struct HubProcess: Sendable {
    public let process: RunningProcess
    /// `127.0.0.1:PORT`.
    public let address: String

    public var port: UInt16 { UInt16(address.split(separator: ":").last ?? "") ?? 0 }

    /// SIGTERM, then waits; the result says how it ended.
    @discardableResult
    public func stop(timeout: Duration = .seconds(15)) -> ProcessResult {
        process.terminate()
        return process.wait(timeout: timeout)
    }

    /// SIGKILL, then waits.
    @discardableResult
    public func kill() -> ProcessResult {
        process.kill()
        return process.wait(timeout: .seconds(10))
    }
}

/// Which pipe of a child.
public enum ProcessStream: Sendable { case stdout, stderr }

/// One launched child process. Both pipes are read on their own threads from the
/// start, so a child that fills one pipe never blocks on it.
public final class RunningProcess: @unchecked Sendable {
    // `lock` guards `out`, `err`, `exit` and `finishedAt`; `changed` is signalled on every update.
    private let lock = NSCondition()
    private var out = Data()
    private var err = Data()
    private var exit: (status: Int32, signal: Int32?)?
    private var readersLeft = 2
    private var killedAtDeadline = false
    private let process: Process
    private let started = ContinuousClock.now
    private var finishedAt: ContinuousClock.Instant?

    /// The child's process id.
    public var pid: Int32 { process.processIdentifier }

    init(executable: String, args: [String], env: [String: String], stdin: Data?, cwd: String?) throws {
        _ = ignoreSIGPIPE
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = args
        p.environment = env
        if let cwd { p.currentDirectoryURL = URL(fileURLWithPath: cwd) }
        let outPipe = Pipe()
        let errPipe = Pipe()
        let inPipe = Pipe()
        p.standardOutput = outPipe
        p.standardError = errPipe
        p.standardInput = inPipe
        process = p
        p.terminationHandler = { [weak self] proc in
            guard let self else { return }
            let signal: Int32? = proc.terminationReason == .uncaughtSignal ? proc.terminationStatus : nil
            let status = signal.map { 128 + $0 } ?? proc.terminationStatus
            self.lock.lock()
            self.exit = (status, signal)
            self.finishedAt = ContinuousClock.now
            self.lock.broadcast()
            self.lock.unlock()
        }
        do { try p.run() } catch {
            throw ProcessRunnerError("cannot launch \(executable): \(error)")
        }
        startReader(outPipe.fileHandleForReading, .stdout)
        startReader(errPipe.fileHandleForReading, .stderr)
        let input = inPipe.fileHandleForWriting
        if let stdin, !stdin.isEmpty {
            let t = Thread {
                // EPIPE if the child does not read: SIGPIPE is ignored below, so the write just fails.
                try? input.write(contentsOf: stdin)
                try? input.close()
            }
            t.start()
        } else {
            try? input.close()
        }
    }

    private func startReader(_ handle: FileHandle, _ stream: ProcessStream) {
        let fd = handle.fileDescriptor
        let t = Thread { [self] in
            var buffer = [UInt8](repeating: 0, count: 65536)
            while true {
                let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { break }
                lock.lock()
                switch stream {
                case .stdout: out.append(contentsOf: buffer[0..<n])
                case .stderr: err.append(contentsOf: buffer[0..<n])
                }
                lock.broadcast()
                lock.unlock()
            }
            try? handle.close()
            lock.lock()
            readersLeft -= 1
            lock.broadcast()
            lock.unlock()
        }
        t.start()
    }

    /// Everything printed on a stream so far.
    public func text(_ stream: ProcessStream) -> String {
        lock.lock()
        defer { lock.unlock() }
        return String(decoding: stream == .stdout ? out : err, as: UTF8.self)
    }

    /// True once the child exited.
    public var hasExited: Bool {
        lock.lock()
        defer { lock.unlock() }
        return exit != nil
    }

    /// Waits until a complete line starting with `prefix` appears on `stream`; nil at the
    /// deadline or when the child exits without printing it.
    public func waitForLine(prefix: String, in stream: ProcessStream, timeout: Duration) -> String? {
        waitForLine(in: stream, timeout: timeout) { $0.hasPrefix(prefix) }
    }

    /// Waits until a complete line that satisfies `match` appears on `stream`.
    public func waitForLine(in stream: ProcessStream, timeout: Duration, _ match: (String) -> Bool) -> String? {
        let deadline = Date().addingTimeInterval(timeout.seconds)
        lock.lock()
        defer { lock.unlock() }
        while true {
            let data = stream == .stdout ? out : err
            let text = String(decoding: data, as: UTF8.self)
            var lines = text.components(separatedBy: "\n")
            lines.removeLast()  // the unterminated tail
            if let hit = lines.first(where: match) { return hit }
            if exit != nil && readersLeft == 0 { return nil }
            if !lock.wait(until: deadline) { return nil }
        }
    }

    /// Counts complete lines on `stream` that satisfy `match`.
    public func countLines(in stream: ProcessStream, _ match: (String) -> Bool) -> Int {
        text(stream).components(separatedBy: "\n").dropLast().filter(match).count
    }

    /// Sends a signal.
    public func send(_ signal: Int32) {
        lock.lock()
        let done = exit != nil
        lock.unlock()
        if !done { _ = Glibc.kill(process.processIdentifier, signal) }
    }

    /// SIGTERM.
    public func terminate() { send(SIGTERM) }

    /// SIGKILL.
    public func kill() { send(SIGKILL) }

    /// Waits for the exit and for both pipes to close; at the deadline the child gets
    /// SIGKILL and the result is marked `timedOut`.
    public func wait(timeout: Duration = .seconds(30)) -> ProcessResult {
        let deadline = Date().addingTimeInterval(timeout.seconds)
        lock.lock()
        while exit == nil || readersLeft > 0 {
            if !lock.wait(until: deadline) {
                if exit == nil {
                    killedAtDeadline = true
                    lock.unlock()
                    _ = Glibc.kill(process.processIdentifier, SIGKILL)
                    lock.lock()
                    // The kill is certain; give it a moment to be reaped.
                    let grace = Date().addingTimeInterval(10)
                    while exit == nil { if !lock.wait(until: grace) { break } }
                }
                // Pipes held open by a grandchild: return what we have.
                break
            }
        }
        let result = ProcessResult(status: exit?.status ?? -1, signal: exit?.signal, timedOut: killedAtDeadline,
                                   stdoutData: out, stderrData: err,
                                   elapsed: (finishedAt ?? ContinuousClock.now) - started)
        lock.unlock()
        return result
    }

    deinit {
        // Never leave a child behind a failed test.
        if exit == nil { _ = Glibc.kill(process.processIdentifier, SIGKILL) }
    }
}

extension Duration {
    /// The duration in seconds as a Double.
    public var seconds: Double {
        let c = components
        return Double(c.seconds) + Double(c.attoseconds) / 1e18
    }
}

/// Polls `condition` every 20 ms until it holds or `timeout` passes; returns whether it held.
public func eventually(_ timeout: Duration, every interval: Duration = .milliseconds(20), _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try condition() { return true }
        Thread.sleep(forTimeInterval: interval.seconds)
    }
    return try condition()
}

/// Ignores SIGPIPE in the test process (a child closing its stdin early must not kill us).
public let ignoreSIGPIPE: Void = { _ = signal(SIGPIPE, SIG_IGN) }()

// MARK: A folder driven through the CLI

/// A node or hub folder that `hamlet` commands run against (`--dir` is appended).
public struct HamletDir: Sendable {
    public let path: String
    /// Extra environment for every command run here.
    public var env: [String: String]

    public init(_ path: String, env: [String: String] = [:]) {
        self.path = path
        self.env = env
    }

    /// `hamlet args… --dir PATH`.
    @discardableResult
    public func run(_ args: [String], env extra: [String: String] = [:], stdin: Data? = nil,
                    timeout: Duration = .seconds(30)) throws -> ProcessResult {
        try Hamlet.run(args + ["--dir", path], env: env.merging(extra) { $1 }, stdin: stdin, timeout: timeout)
    }

    /// Launches `hamlet args… --dir PATH` without waiting.
    public func start(_ args: [String], env extra: [String: String] = [:]) throws -> RunningProcess {
        try Hamlet.start(args + ["--dir", path], env: env.merging(extra) { $1 })
    }

    /// A file inside the folder.
    public func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }

    /// `list TABLE --json --limit 1000000` as id → field → text (numbers in decimal, nulls left out).
    public func rows(_ table: String) throws -> [String: [String: String]] {
        let r = try run(["list", table, "--json", "--limit", "1000000"])
        guard r.status == 0, let list = try r.json() as? [[String: Any]] else {
            throw ProcessRunnerError("list \(table) failed: \(r)")
        }
        var out: [String: [String: String]] = [:]
        for item in list {
            guard let id = item["id"] as? String else { continue }
            out[id] = textFields(item["values"] as? [String: Any] ?? [:])
        }
        return out
    }

    /// `log --json` entries.
    public func log(pending: Bool = false) throws -> [[String: Any]] {
        let r = try run(["log", "--json"] + (pending ? ["--pending"] : []))
        guard r.status == 0, let list = try r.json() as? [[String: Any]] else { throw ProcessRunnerError("log failed: \(r)") }
        return list
    }

    /// `status --json`.
    public func status() throws -> [String: Any] {
        let r = try run(["status", "--json"])
        guard r.status == 0, let s = try r.json() as? [String: Any] else { throw ProcessRunnerError("status failed: \(r)") }
        return s
    }

    /// The printed output of `log --json` and `list --json` of every table: equal
    /// fingerprints mean a command changed nothing a clerk can see.
    public func fingerprint() throws -> String {
        var parts: [String] = [try run(["log", "--json"]).stdout]
        for t in ["households", "people", "events", "visits", "benefits"] {
            parts.append(try run(["list", t, "--json", "--limit", "1000000"]).stdout)
        }
        return parts.joined(separator: "\n")
    }
}

/// JSON field values as text: strings as is, numbers in decimal, nulls dropped.
public func textFields(_ values: [String: Any]) -> [String: String] {
    var out: [String: String] = [:]
    for (k, v) in values {
        switch v {
        case let s as String: out[k] = s
        case let n as NSNumber: out[k] = n.stringValue
        default: continue
        }
    }
    return out
}

/// Valid register values for CLI tests.
public enum Registry {
    /// A valid 18-digit resident ID for a birth date (`YYYY-MM-DD`) and sex.
    public static func nationalID(birth: String, sex: String, sequence: Int = 12, region: Int = 370481) -> String {
        let date = CalendarDate(birth) ?? CalendarDate(year: 1980, month: 1, day: 1)!
        let seq = (sequence * 2 + (sex == "M" ? 1 : 0)) % 1000
        return NationalID.make(region: region, birth: date, sequence: seq)
    }

    /// `add person` flags for a person with a matching national ID.
    public static func person(_ name: String, sex: String = "F", birth: String = "1990-03-02", sequence: Int = 12,
                              household: String? = nil, withID: Bool = true) -> [String] {
        var a = ["add", "person", "--name", name, "--sex", sex, "--birth-date", birth]
        if withID { a += ["--national-id", nationalID(birth: birth, sex: sex, sequence: sequence)] }
        if let household { a += ["--household", household] }
        return a
    }
}
