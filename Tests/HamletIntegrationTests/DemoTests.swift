import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

// `scripts/demo --no-serve` as a process: the main job end to end (release build,
// hub and three nodes, import, conflicts, resolution, merge, convergence check).
// The release build takes minutes on 2 cores, so the deadline is generous.
// HAMLET_SKIP_DEMO=1 skips it; HAMLET_BIN is passed on when set (no build then).

@Suite("scripts/demo", .serialized)
struct DemoTests {
    static let skip = ProcessInfo.processInfo.environment["HAMLET_SKIP_DEMO"] == "1"

    /// The repository root: three levels above this file.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    @Test("scripts/demo --no-serve exits 0 and prints its convergence line", .enabled(if: !skip, "HAMLET_SKIP_DEMO=1"))
    func demoConverges() throws {
        let script = DemoTests.root.appendingPathComponent("scripts/demo").path
        try #require(FileManager.default.isExecutableFile(atPath: script), "scripts/demo is missing or not executable")
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("hamlet-demo-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: tmp) }
        // Output goes to files, so no pipe can fill up and stall the child.
        let outURL = tmp.appendingPathComponent("stdout")
        let errURL = tmp.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let out = try FileHandle(forWritingTo: outURL)
        let err = try FileHandle(forWritingTo: errURL)

        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/bash")
        p.arguments = [script, "--no-serve"]
        p.currentDirectoryURL = DemoTests.root
        var env = ProcessInfo.processInfo.environment
        env["SWIFT_BACKTRACE"] = "enable=no"
        env["TMPDIR"] = tmp.path
        p.environment = env
        p.standardOutput = out
        p.standardError = err
        p.standardInput = FileHandle.nullDevice
        try p.run()

        // A cold release build on 2 cores takes 2–4 minutes; the demo itself ~10 s.
        let deadline = ContinuousClock.now + .seconds(20 * 60)
        while p.isRunning && ContinuousClock.now < deadline { Thread.sleep(forTimeInterval: 0.5) }
        let timedOut = p.isRunning
        if timedOut {
            kill(p.processIdentifier, SIGKILL)
        }
        p.waitUntilExit()
        try out.close()
        try err.close()
        let stdout = String(decoding: (try? Data(contentsOf: outURL)) ?? Data(), as: UTF8.self)
        let stderr = String(decoding: (try? Data(contentsOf: errURL)) ?? Data(), as: UTF8.self)
        let tail = stdout.split(separator: "\n", omittingEmptySubsequences: false).suffix(40).joined(separator: "\n")

        #expect(!timedOut, "the demo ran past its deadline\n\(tail)\n\(stderr)")
        #expect(p.terminationReason == .exit && p.terminationStatus == 0,
                "exit \(p.terminationStatus)\n--- stdout (tail)\n\(tail)\n--- stderr\n\(stderr)")
        let lines = stdout.split(separator: "\n").map { line in
            // Colour codes only appear on a terminal; strip them anyway.
            String(line).replacingOccurrences(of: "\u{1B}\\[[0-9;]*m", with: "", options: .regularExpression)
                .trimmingCharacters(in: .whitespaces)
        }
        #expect(lines.contains("convergence: yes"), "no 'convergence: yes' line\n\(tail)")
        #expect(lines.contains("收敛：是"))
        #expect(!lines.contains("convergence: no"))
        // The story happened: three conflicts of the three kinds, one resolved, the duplicate merged.
        #expect(stdout.contains("3 conflict(s): field 1, delete 1, duplicate 1") || stdout.contains("共 3 个：字段 1，删除 1，重复登记 1"),
                "\(tail)")
        // The temporary folder is removed with --no-serve (and without --keep).
        let left = (try? FileManager.default.contentsOfDirectory(atPath: tmp.path)) ?? []
        #expect(!left.contains { $0.hasPrefix("hamlet-demo.") }, "the demo left its folder behind: \(left)")
    }
}
