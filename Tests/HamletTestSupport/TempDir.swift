import Foundation

/// A fresh temporary folder for one test, removed by `remove()` (call it in `defer`).
public struct TempDir: Sendable {
    public let path: String

    /// Creates `/tmp/hamlet-<label>-<random>`.
    public init(_ label: String = "test") {
        let base = FileManager.default.temporaryDirectory.path
        path = (base as NSString).appendingPathComponent("hamlet-\(label)-\(UUID().uuidString.prefix(8))")
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    /// A path inside the folder.
    public func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }

    /// Removes the folder and everything in it.
    public func remove() { try? FileManager.default.removeItem(atPath: path) }
}

/// Milliseconds since 1970 from the wall clock (tests only; libraries take the clock injected).
public func wallMillisNow() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }
