import Foundation
import HamletCLI
import HamletCore

/// Writes to stdout and stderr with write(2) (Swift 6 rejects the C globals).
enum Output {
    static func out(_ s: String) { write(1, s) }
    static func err(_ s: String) { write(2, s) }

    /// Binary output (an xlsx export) on stdout.
    static func out(bytes: [UInt8]) { write(1, bytes: bytes) }

    static func write(_ fd: Int32, _ s: String) { write(fd, bytes: Array(s.utf8)) }

    static func write(_ fd: Int32, bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { p -> Int in
                guard let base = p.baseAddress else { return 0 }
                return Glibc.write(fd, base + offset, p.count - offset)
            }
            if n < 0 {
                if errno == EINTR { continue }
                return  // stdout closed (e.g. `| head`): nothing more to say
            }
            if n == 0 { return }
            offset += n
        }
    }

    /// One JSON document on stdout: sorted keys, pretty printed, newline-terminated.
    static func json<T: Encodable>(_ value: T) {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        if let d = try? e.encode(value) { out(String(decoding: d, as: UTF8.self) + "\n") }
    }
}

/// Everything a command needs: the parsed invocation, the language, the environment.
struct Context {
    let invocation: Invocation
    let language: Language
    let environment: [String: String]

    var chinese: Bool { language == .zh }
    var json: Bool { invocation.flag("json") }

    /// Picks the text for the user's language.
    func t(_ zh: String, _ en: String) -> String { chinese ? zh : en }

    /// `--dir`, then `$HAMLET_DIR`, then the current directory.
    var directory: String {
        if let d = invocation.value("dir") { return d }
        if let d = environment["HAMLET_DIR"], !d.isEmpty { return d }
        return FileManager.default.currentDirectoryPath
    }

    /// `--author`, then the OS user.
    var author: String {
        if let a = invocation.value("author") { return a }
        return environment["USER"] ?? environment["LOGNAME"] ?? "clerk"
    }

    /// Terminal width from `COLUMNS`, default 100.
    var width: Int { TextWidth.columns(environment: environment, fallback: 100) }

    /// The wall clock in milliseconds.
    var now: Int64 { Int64(Date().timeIntervalSince1970 * 1000) }

    /// A required positional argument.
    func argument(_ name: String) throws -> String {
        guard let v = invocation.argument(name) else {
            let zh = root.command(at: invocation.path)?.arguments.first { $0.name == name }?.placeholder(.zh) ?? name
            throw CLIError(code: "usage", exit: .usage, message: Localized(zh: "缺少参数 <\(zh)>", en: "missing argument <\(name)>"))
        }
        return v
    }

    /// Formats milliseconds since 1970 in a time zone (default Asia/Shanghai).
    func time(_ millis: Int64?, zone: String = "Asia/Shanghai") -> String {
        guard let millis, millis > 0 else { return "-" }
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = TimeZone(identifier: zone) ?? TimeZone(secondsFromGMT: 8 * 3600) ?? .gmt
        let c = cal.dateComponents([.year, .month, .day, .hour, .minute], from: Date(timeIntervalSince1970: Double(millis) / 1000))
        func p(_ n: Int?) -> String { let s = String(n ?? 0); return s.count < 2 ? "0" + s : s }
        return "\(c.year ?? 0)-\(p(c.month))-\(p(c.day)) \(p(c.hour)):\(p(c.minute))"
    }
}
