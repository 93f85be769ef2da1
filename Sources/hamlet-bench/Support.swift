import CSQLiteSession
import Foundation
import HamletCore
import HamletHub
#if canImport(Glibc)
import Glibc
#endif

// Timing, percentiles, memory, temporary folders, child processes, progress lines.

/// Seconds since `start`.
func seconds(since start: ContinuousClock.Instant) -> Double {
    let d = ContinuousClock.now - start
    return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
}

/// Runs `body` and returns how long it took, in seconds.
func timed(_ body: () throws -> Void) rethrows -> Double {
    let start = ContinuousClock.now
    try body()
    return seconds(since: start)
}

/// The `p`-th percentile (0…100) of `values` by nearest rank.
func percentile(_ values: [Double], _ p: Double) -> Double {
    guard !values.isEmpty else { return 0 }
    let sorted = values.sorted()
    let rank = Int((p / 100 * Double(sorted.count)).rounded(.up)) - 1
    return sorted[min(max(rank, 0), sorted.count - 1)]
}

/// A progress line on stderr (the table goes to stdout).
func progress(_ text: String) {
    var bytes = Array(("· " + text + "\n").utf8)
    bytes.withUnsafeMutableBytes { _ = Glibc.write(2, $0.baseAddress, $0.count) }
}

/// A kB field of `/proc/<pid>/status` (VmHWM: peak RSS; VmRSS: current), in bytes.
func procStatus(_ field: String, pid: String = "self") -> Int {
    guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return 0 }
    for line in text.split(separator: "\n") where line.hasPrefix(field + ":") {
        let digits = line.split(separator: " ").compactMap { Int($0) }
        return (digits.first ?? 0) * 1024
    }
    return 0
}

/// Bytes of a database file and its WAL.
func databaseBytes(_ path: String) -> Int {
    var total = 0
    for p in [path, path + "-wal"] {
        if let a = try? FileManager.default.attributesOfItem(atPath: p), let n = a[.size] as? NSNumber { total += n.intValue }
    }
    return total
}

/// A fresh folder under the bench's scratch folder.
final class Scratch {
    let root: String
    private var counter = 0

    init() throws {
        let base = ProcessInfo.processInfo.environment["TMPDIR"] ?? "/tmp"
        root = (base as NSString).appendingPathComponent("hamlet-bench-\(getpid())")
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    }

    func folder(_ name: String) throws -> String {
        counter += 1
        let path = (root as NSString).appendingPathComponent("\(counter)-\(name)")
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    func remove() { try? FileManager.default.removeItem(atPath: root) }
}

/// A hub logger that drops every line (the bench prints its own).
struct SilentLogger: HubLogger {
    func log(_ line: String) {}
}

/// The `hamlet` binary beside this one (scripts/bench builds both).
func hamletBinary() -> String {
    if let p = ProcessInfo.processInfo.environment["HAMLET_BIN"] { return p }
    let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    return ((exe as NSString).deletingLastPathComponent as NSString).appendingPathComponent("hamlet")
}

/// What a finished child process used.
struct ChildResult {
    var status: Int32
    var seconds: Double
    /// Peak resident set, bytes (from `wait4`'s rusage).
    var maxRSS: Int
}

/// A child process started with `posix_spawn`; stdout optionally piped back.
final class Child {
    let pid: pid_t
    let started: ContinuousClock.Instant
    private let stdoutFD: Int32

    /// Starts `path args…`; stdin is /dev/null, stderr goes to `stderrPath` (or /dev/null),
    /// stdout to a pipe when `captureStdout`, else /dev/null.
    init(_ path: String, _ args: [String], captureStdout: Bool = false, stderrPath: String? = nil,
         environment: [String: String]? = nil) throws {
        var actions: posix_spawn_file_actions_t = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var fds: [Int32] = [-1, -1]
        if captureStdout {
            guard pipe(&fds) == 0 else { throw BenchError("pipe failed: errno \(errno)") }
            posix_spawn_file_actions_adddup2(&actions, fds[1], 1)
            posix_spawn_file_actions_addclose(&actions, fds[0])
            posix_spawn_file_actions_addclose(&actions, fds[1])
        } else {
            posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, stderrPath ?? "/dev/null", O_WRONLY | O_CREAT | O_APPEND, 0o644)
        var env = environment ?? ProcessInfo.processInfo.environment
        env["SWIFT_BACKTRACE"] = "enable=no"
        let argv = ([path] + args).map { strdup($0) } + [nil]
        let envp = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for p in argv { free(p) }
            for p in envp { free(p) }
        }
        var child: pid_t = 0
        started = ContinuousClock.now
        let rc = posix_spawn(&child, path, &actions, nil, argv, envp)
        if captureStdout { close(fds[1]) }
        guard rc == 0 else {
            if captureStdout { close(fds[0]) }
            throw BenchError("cannot start \(path): errno \(rc)")
        }
        pid = child
        stdoutFD = captureStdout ? fds[0] : -1
    }

    /// Reads stdout until a line starting with `prefix` arrives (or EOF).
    func readLine(prefix: String) -> String? {
        guard stdoutFD >= 0 else { return nil }
        var buffer: [UInt8] = []
        var byte: UInt8 = 0
        while true {
            let n = Glibc.read(stdoutFD, &byte, 1)
            if n < 0 && errno == EINTR { continue }
            guard n == 1 else { return nil }
            if byte == 10 {
                let line = String(decoding: buffer, as: UTF8.self)
                if line.hasPrefix(prefix) { return line }
                buffer.removeAll()
            } else {
                buffer.append(byte)
            }
        }
    }

    func signal(_ sig: Int32) { kill(pid, sig) }

    /// Waits for the child; its status, wall time and peak RSS.
    func wait() -> ChildResult {
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 && errno == EINTR {}
        let elapsed = seconds(since: started)
        if stdoutFD >= 0 { close(stdoutFD) }
        let exitStatus = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return ChildResult(status: exitStatus, seconds: elapsed, maxRSS: Int(usage.ru_maxrss) * 1024)
    }
}

/// A bench failure: what went wrong.
struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

// MARK: Plain SQLite, for the ceilings

/// SQLite's "copy the bytes now" destructor, which Swift cannot import.
let transientDestructor = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)

/// A bare SQLite connection with the hub's settings (WAL, synchronous=NORMAL, 64 MiB cache):
/// the ceiling every figure stands beside.
final class RawDB {
    let handle: OpaquePointer
    private var statements: [String: OpaquePointer] = [:]

    init(path: String, wal: Bool = true) throws {
        var db: OpaquePointer?
        guard sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nil) == SQLITE_OK,
              let db else {
            if let db { sqlite3_close_v2(db) }
            throw BenchError("cannot open \(path)")
        }
        handle = db
        if wal {
            try exec("PRAGMA journal_mode=WAL")
            try exec("PRAGMA synchronous=NORMAL")
        }
        try exec("PRAGMA cache_size=-65536")
        try exec("PRAGMA temp_store=MEMORY")
    }

    deinit {
        for s in statements.values { sqlite3_finalize(s) }
        sqlite3_close_v2(handle)
    }

    func exec(_ sql: String) throws {
        var err: UnsafeMutablePointer<CChar>?
        guard sqlite3_exec(handle, sql, nil, nil, &err) == SQLITE_OK else {
            let m = err.map { String(cString: $0) } ?? "?"
            sqlite3_free(err)
            throw BenchError("sqlite: \(m) in \(sql.prefix(80))")
        }
    }

    func prepare(_ sql: String) throws -> OpaquePointer {
        if let s = statements[sql] { return s }
        var s: OpaquePointer?
        guard sqlite3_prepare_v2(handle, sql, -1, &s, nil) == SQLITE_OK, let s else {
            throw BenchError("prepare: \(String(cString: sqlite3_errmsg(handle))) in \(sql.prefix(80))")
        }
        statements[sql] = s
        return s
    }

    /// Binds `values` to `?1…` and steps once.
    func run(_ sql: String, _ values: [Value]) throws {
        let s = try prepare(sql)
        sqlite3_reset(s)
        for (i, v) in values.enumerated() {
            let idx = Int32(i + 1)
            switch v {
            case .null: sqlite3_bind_null(s, idx)
            case .integer(let n): sqlite3_bind_int64(s, idx, n)
            case .text(let t): sqlite3_bind_text(s, idx, t, -1, transientDestructor)
            }
        }
        let rc = sqlite3_step(s)
        guard rc == SQLITE_DONE || rc == SQLITE_ROW else {
            throw BenchError("step: \(String(cString: sqlite3_errmsg(handle)))")
        }
        sqlite3_reset(s)
    }

    /// The same typed tables the hub keeps (columns, types, CHECKs, reference and
    /// unique indexes, the village index), without the hub's bookkeeping columns.
    func createPlainTables(_ schema: Schema) throws {
        for t in schema.tables {
            var cols = ["id TEXT PRIMARY KEY NOT NULL"]
            for f in t.fields {
                var c = "\"\(f.name)\" \(f.isInteger ? "INTEGER" : "TEXT")"
                if f.name == schema.scope { c += " NOT NULL" }
                if f.type == .enum, let values = f.values {
                    c += " CHECK (\"\(f.name)\" IS NULL OR \"\(f.name)\" IN (" + values.map { "'\($0.filter { $0 != "'" })'" }.joined(separator: ",") + "))"
                }
                if f.isInteger { c += " CHECK (\"\(f.name)\" IS NULL OR typeof(\"\(f.name)\") = 'integer')" }
                cols.append(c)
            }
            try exec("CREATE TABLE IF NOT EXISTS \"\(t.name)\" (\(cols.joined(separator: ", "))) WITHOUT ROWID")
            for f in t.fields where f.type == .ref || f.unique {
                try exec("CREATE INDEX IF NOT EXISTS \"\(t.name)_\(f.name)\" ON \"\(t.name)\" (\"\(f.name)\")")
            }
            try exec("CREATE INDEX IF NOT EXISTS \"\(t.name)_scope\" ON \"\(t.name)\" (\"\(schema.scope)\")")
        }
    }

    /// `INSERT` of a whole row, or `UPDATE` of the fields a change sets.
    func write(_ op: PlainOp, schema: Schema) throws {
        guard let t = schema.table(named: op.table) else { return }
        if op.isInsert {
            let names = ["id"] + t.fields.map { "\"\($0.name)\"" }
            let sql = "INSERT INTO \"\(t.name)\" (\(names.joined(separator: ","))) VALUES (\((1...names.count).map { "?\($0)" }.joined(separator: ",")))"
            try run(sql, [.text(op.id)] + t.fields.map { op.values[$0.name] ?? .null })
        } else {
            let keys = op.values.keys.sorted()
            let sets = keys.enumerated().map { "\"\($1)\" = ?\($0 + 2)" }.joined(separator: ", ")
            try run("UPDATE \"\(t.name)\" SET \(sets) WHERE id = ?1", [.text(op.id)] + keys.map { op.values[$0] ?? .null })
        }
    }

    func checkpoint() throws { try exec("PRAGMA wal_checkpoint(TRUNCATE)") }
}

/// One row written the plain way: an insert of the whole row or an update of some fields.
struct PlainOp {
    var table: String
    var id: String
    var values: Fields
    var isInsert: Bool
}
