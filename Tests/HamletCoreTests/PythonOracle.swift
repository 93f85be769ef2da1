import Foundation
import HamletTestSupport

/// Python 3 as an outside oracle: its `zlib`, `zipfile`, XML and `gb18030` codec were written
/// by other people, so agreeing with them means more than agreeing with ourselves.
/// Tests that need it are disabled, with a message, where `python3` is not installed.
enum PythonOracle {
    /// The interpreter, if there is one on the usual paths.
    static let path: String? = ["/usr/bin/python3", "/usr/local/bin/python3", "/bin/python3"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }

    /// True when python3 is installed.
    static var available: Bool { path != nil }

    /// Runs a script with arguments; throws when it fails.
    /// - Returns: its standard output.
    @discardableResult
    static func run(_ script: String, _ arguments: [String] = [], stdin: Data? = nil) throws -> Data {
        guard let path else { throw ProcessRunnerError("python3 is not installed") }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = ["-c", script] + arguments
        let out = Pipe(), err = Pipe(), input = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = input
        try p.run()
        // Both pipes drained on threads of their own: reading one first can deadlock.
        nonisolated(unsafe) var outData = Data(), errData = Data()
        let group = DispatchGroup()
        DispatchQueue.global().async(group: group) { outData = out.fileHandleForReading.readDataToEndOfFile() }
        DispatchQueue.global().async(group: group) { errData = err.fileHandleForReading.readDataToEndOfFile() }
        if let stdin { input.fileHandleForWriting.write(stdin) }
        try input.fileHandleForWriting.close()
        group.wait()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            throw ProcessRunnerError("python3 failed (\(p.terminationStatus)): \(String(decoding: errData, as: UTF8.self))")
        }
        return outData
    }

    /// Zips files with Python's `zipfile` (deflated at `level`, or stored when nil).
    /// - Parameter entries: name and content of each member, in order.
    /// - Returns: the archive's bytes.
    static func zip(_ entries: [(String, [UInt8])], level: Int? = 6) throws -> [UInt8] {
        let dir = TempDir("pyzip")
        defer { dir.remove() }
        var names: [String] = []
        for (k, e) in entries.enumerated() {
            try Data(e.1).write(to: URL(fileURLWithPath: dir.file("\(k)")))
            names.append(e.0)
        }
        let script = """
        import sys, zipfile, json
        d, out, level, names = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
        method = zipfile.ZIP_STORED if level == "stored" else zipfile.ZIP_DEFLATED
        with zipfile.ZipFile(out, "w", method, compresslevel=None if level == "stored" else int(level)) as z:
            for k, n in enumerate(names):
                z.write(f"{d}/{k}", n)
        """
        let names64 = String(decoding: try JSONSerialization.data(withJSONObject: names), as: UTF8.self)
        try run(script, [dir.path, dir.file("out.zip"), level.map(String.init) ?? "stored", names64])
        return [UInt8](try Data(contentsOf: URL(fileURLWithPath: dir.file("out.zip"))))
    }
}
