import Foundation
import HamletTestSupport
import Testing
@testable import HamletCore

/// The streaming deflate encoder the xlsx writer packs its sheet with: our inflater and Python's zlib are the oracles.
@Suite("deflate encoder")
struct DeflateTests {
    /// Inputs that exercise literals, long and overlapping matches, the window's edge and incompressible bytes.
    static func samples() -> [(String, [UInt8])] {
        var rng = CoreTestRNG(seed: 20)
        let random = (0..<100_000).map { _ in UInt8.random(in: 0...255, using: &rng) }
        var xml: [UInt8] = []
        for k in 0..<3_000 {
            xml += Array("<row r=\"\(k + 2)\"><c r=\"A\(k + 2)\" s=\"1\" t=\"inlineStr\"><is><t>王秀英\(k * 7919 % 1000)</t></is></c></row>".utf8)
        }
        // Repeats 40 000 bytes apart: beyond the 32 KiB window, so they must not be matched.
        let far = random.prefix(40_000) + random.prefix(40_000)
        return [("empty", []), ("one byte", [7]), ("a run", [UInt8](repeating: 0x41, count: 70_000)),
                ("random", random), ("sheet XML", xml), ("far repeats", Array(far)),
                ("abcabc", Array(String(repeating: "abc", count: 1000).utf8) + [1, 2])]
    }

    @Test func inflatesBackExactlyInAnyChunking() throws {
        var rng = CoreTestRNG(seed: 7)
        for (name, data) in Self.samples() {
            #expect(try Inflate.inflate(Deflater.deflate(data), limit: data.count) == data, "\(name), whole")
            // Fed in random pieces (some empty, some a single byte): the same bytes come back.
            var d = Deflater(maxChain: 4)
            var packed: [UInt8] = []
            var start = 0
            while start < data.count {
                let end = min(data.count, start + Int.random(in: 0...9_000, using: &rng))
                packed += d.compress(Array(data[start..<end]))
                start = end
            }
            packed += d.finish()
            #expect(try Inflate.inflate(packed, limit: data.count) == data, "\(name), in pieces")
        }
        let xml = try #require(Self.samples().first { $0.0 == "sheet XML" }?.1)
        let ratio = Double(xml.count) / Double(Deflater.deflate(xml).count)
        #expect(ratio > 5, "sheet XML packs \(ratio)×")
        #expect(Deflater.deflate(xml) == Deflater.deflate(xml), "deterministic")
    }

    /// zlib (through Python) reads every stream, whole and chunked: an independent inflater.
    @Test(.enabled(if: PythonOracle.available, "python3 is not installed"))
    func zlibInflatesWhatWeWrite() throws {
        for (name, data) in Self.samples() {
            var d = Deflater()
            var packed: [UInt8] = []
            for piece in stride(from: 0, to: data.count, by: 5_000) { packed += d.compress(Array(data[piece..<min(data.count, piece + 5_000)])) }
            packed += d.finish()
            let script = "import sys, zlib, hashlib; print(hashlib.sha256(zlib.decompress(sys.stdin.buffer.read(), -15)).hexdigest())"
            let out = String(decoding: try PythonOracle.run(script, stdin: Data(packed)), as: UTF8.self)
            let want = try PythonOracle.run("import sys, hashlib; print(hashlib.sha256(sys.stdin.buffer.read()).hexdigest())", stdin: Data(data))
            #expect(out == String(decoding: want, as: UTF8.self), "\(name)")
        }
    }
}
