import Foundation
import HamletCore
import HamletNet
import HamletTestSupport
import Testing

/// Exports larger than the web listener's 8 MiB cap on unsent output: `hub export` and the page's
/// `/export/people.csv` (streamed, chunked) give the same bytes, through a real `hub serve` process, and the hub's
/// peak memory stays bounded (printed; asserted loosely).
@Suite(.serialized)
struct StreamedExportTests {
    /// Seeds a hub whose people CSV is over 8 MiB (about 80k people).
    static func seededHub(_ dir: TempDir) throws -> String {
        let hub = dir.file("hub")
        #expect(try Hamlet.run(["hub", "init", "--dir", hub]).status == 0)
        let seed = try Hamlet.run(["seed", "--dir", hub, "--villages", "8", "--people", "10000"], timeout: .seconds(600))
        try #require(seed.status == 0, "seed: \(seed.stderr)")
        return hub
    }

    @Test func pageExportOverTheOutputCapStreamsTheCLIBytesInBoundedMemory() throws {
        let dir = TempDir("streamed-export")
        defer { dir.remove() }
        let hub = try Self.seededHub(dir)
        let cli = try Hamlet.run(["hub", "export", "people", "--dir", hub], env: ["LANG": "zh_CN.UTF-8"], timeout: .seconds(300))
        #expect(cli.status == 0)
        #expect(cli.stdoutData.count > 8 << 20, "the export is larger than the listener's 8 MiB cap (\(cli.stdoutData.count) bytes)")

        let p = try Hamlet.start(["hub", "serve", "--dir", hub, "--listen", "127.0.0.1:0", "--web", "127.0.0.1:0"])
        defer { p.terminate(); _ = p.wait(timeout: .seconds(15)) }
        let line = try #require(p.waitForLine(prefix: "web ", in: .stdout, timeout: .seconds(30)))
        let address = String(line.dropFirst("web http://".count)).trimmingCharacters(in: CharacterSet(charactersIn: "/ \n"))
        let web = try SocketAddress(parsing: address)
        let before = Self.peakRSSKiB(p.pid)

        let (head, body) = try Self.download(web, path: "/export/people.csv?lang=zh", host: address)
        #expect(head.hasPrefix("HTTP/1.1 200"), "\(head)")
        #expect(head.lowercased().contains("transfer-encoding: chunked"))
        #expect(!head.lowercased().contains("content-length"))
        #expect(body.count == cli.stdoutData.count)
        #expect(body == [UInt8](cli.stdoutData), "the page streams the bytes hub export writes")

        let peak = Self.peakRSSKiB(p.pid)
        print("streamed export: \(body.count) bytes; hub VmHWM \(before / 1024) MiB before, \(peak / 1024) MiB after")
        #expect(peak < 300 * 1024, "hub peak RSS \(peak / 1024) MiB while streaming \(body.count) bytes")

        // The xlsx streams too: the CLI's bytes (written through a pipe, so no seeking) from the page, chunked.
        let cliXLSX = dir.file("people.xlsx")
        let timed = try ExternalTool.run("/usr/bin/time", ["-v", Hamlet.executable, "hub", "export", "people", "--dir", hub, "--out", cliXLSX],
                                         env: ["LANG": "zh_CN.UTF-8"], timeout: .seconds(300))
        #expect(timed.status == 0, "\(timed.stderr)")
        let cliPeak = Self.maxResidentKiB(timed.stderr)
        let (xlsxHead, xlsx) = try Self.download(web, path: "/export/people.xlsx?lang=zh", host: address)
        #expect(xlsxHead.hasPrefix("HTTP/1.1 200") && xlsxHead.lowercased().contains("transfer-encoding: chunked"), "\(xlsxHead)")
        #expect(xlsx == [UInt8](try Data(contentsOf: URL(fileURLWithPath: cliXLSX))), "the page streams the bytes hub export writes")
        let table = try SheetFile.read(bytes: xlsx, name: "people.xlsx")
        #expect(table.rows.count == cli.stdout.split(separator: "\r\n").count - 1, "every row of the CSV")
        let xlsxPeak = Self.peakRSSKiB(p.pid)
        print("streamed xlsx: \(xlsx.count) bytes; hub VmHWM \(xlsxPeak / 1024) MiB, CLI max RSS \(cliPeak / 1024) MiB")
        #expect(xlsxPeak < 150 * 1024 && cliPeak > 0 && cliPeak < 150 * 1024, "hub \(xlsxPeak / 1024) MiB, CLI \(cliPeak / 1024) MiB")
        // The page still answers on the same hub after the download.
        let (again, _) = try Self.download(web, path: "/export", host: address)
        #expect(again.hasPrefix("HTTP/1.1 200"))
    }

    @Test func outWritesTheSameBytesToAPrivateFile() throws {
        let dir = TempDir("export-out")
        defer { dir.remove() }
        let hub = dir.file("hub")
        #expect(try Hamlet.run(["hub", "init", "--dir", hub]).status == 0)
        #expect(try Hamlet.run(["seed", "--dir", hub, "--villages", "1", "--people", "50"]).status == 0)
        let stdout = try Hamlet.run(["hub", "export", "people", "--dir", hub])
        let csvPath = dir.file("people.csv")
        #expect(try Hamlet.run(["hub", "export", "people", "--dir", hub, "--out", csvPath]).status == 0)
        #expect(FileManager.default.contents(atPath: csvPath) == stdout.stdoutData)
        let mode = try FileManager.default.attributesOfItem(atPath: csvPath)[.posixPermissions] as? Int
        #expect(mode == 0o600, "an export holds personal data")
        let xlsxPath = dir.file("people.xlsx")
        #expect(try Hamlet.run(["hub", "export", "people", "--dir", hub, "--out", xlsxPath]).status == 0, "a .xlsx name means xlsx")
        let xlsx = try Hamlet.run(["hub", "export", "people", "--dir", hub, "--format", "xlsx"])
        #expect(FileManager.default.contents(atPath: xlsxPath) == xlsx.stdoutData)
        let refused = try Hamlet.run(["hub", "export", "people", "--dir", hub, "--out", dir.file("missing/people.csv")])
        #expect(refused.status == 74)
    }

    /// "Maximum resident set size (kbytes)" from `/usr/bin/time -v`'s report (0 when absent).
    static func maxResidentKiB(_ report: String) -> Int {
        for line in report.split(separator: "\n") where line.contains("Maximum resident set size") {
            return Int(line.split(separator: ":").last?.trimmingCharacters(in: .whitespaces) ?? "") ?? 0
        }
        return 0
    }

    /// `VmHWM` of a process in KiB (0 when it cannot be read).
    static func peakRSSKiB(_ pid: Int32) -> Int {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return 0 }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") ?? 0
        }
        return 0
    }

    /// GETs a path with `Connection: close`, reads to EOF, and returns the head and the de-chunked body.
    static func download(_ web: SocketAddress, path: String, host: String) throws -> (String, [UInt8]) {
        let socket = try ClientSocket.connect(to: web, timeout: .seconds(5))
        defer { socket.close() }
        try socket.write(Array("GET \(path) HTTP/1.1\r\nHost: \(host)\r\nConnection: close\r\n\r\n".utf8),
                         deadline: .now.advanced(by: .seconds(10)))
        var all: [UInt8] = []
        while true {
            let chunk = try socket.read(upTo: 1 << 16, deadline: .now.advanced(by: .seconds(60)))
            if chunk.isEmpty { break }
            all += chunk
        }
        let separator: [UInt8] = [13, 10, 13, 10]
        let end = try #require(Self.index(of: separator, in: all, from: 0), "a response head")
        let head = String(decoding: all[0..<end], as: UTF8.self)
        let raw = Array(all[(end + 4)...])
        guard head.lowercased().contains("transfer-encoding: chunked") else { return (head, raw) }
        return (head, try Self.dechunk(raw))
    }

    /// The body of a chunked encoding; throws when it has no last chunk (a truncated download).
    static func dechunk(_ raw: [UInt8]) throws -> [UInt8] {
        var body: [UInt8] = []
        body.reserveCapacity(raw.count)
        var at = 0
        while true {
            let lineEnd = try #require(Self.index(of: [13, 10], in: raw, from: at), "a chunk size line at \(at)")
            let size = try #require(Int(String(decoding: raw[at..<lineEnd], as: UTF8.self), radix: 16), "a hex chunk size")
            if size == 0 { return body }
            let start = lineEnd + 2
            try #require(start + size + 2 <= raw.count, "a whole chunk")
            body += raw[start..<(start + size)]
            at = start + size + 2
        }
    }

    static func index(of needle: [UInt8], in hay: [UInt8], from start: Int) -> Int? {
        guard hay.count >= needle.count, start <= hay.count - needle.count else { return nil }
        var i = start
        while i <= hay.count - needle.count {
            if hay[i] == needle[0] && hay[i..<(i + needle.count)].elementsEqual(needle) { return i }
            i += 1
        }
        return nil
    }
}
