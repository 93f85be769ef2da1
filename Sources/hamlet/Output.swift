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
        _ = writeFully(fd, bytes: bytes)
    }

    /// Writes every byte, retrying on EINTR.
    /// - Returns: `false` when the descriptor stopped taking bytes (stdout closed, e.g. `| head`; disk full).
    static func writeFully(_ fd: Int32, bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { p -> Int in
                guard let base = p.baseAddress else { return 0 }
                return Glibc.write(fd, base + offset, p.count - offset)
            }
            if n < 0 {
                if errno == EINTR { continue }
                return false  // stdout closed (e.g. `| head`): nothing more to say
            }
            if n == 0 { return false }
            offset += n
        }
        return true
    }

    /// One JSON document on stdout: sorted keys, pretty printed, newline-terminated.
    /// - Parameter snakeCase: keys of camel-cased Core types written as the rest of the CLI's (`national_id`).
    static func json<T: Encodable>(_ value: T, snakeCase: Bool = false) {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        if snakeCase { e.keyEncodingStrategy = .convertToSnakeCase }
        if let d = try? e.encode(value) { out(String(decoding: d, as: UTF8.self) + "\n") }
    }
}
