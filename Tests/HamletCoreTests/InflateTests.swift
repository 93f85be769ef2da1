import Foundation
import HamletTestSupport
import Testing
@testable import HamletCore

@Suite("Inflate (RFC 1951) against Python's zlib")
struct InflateTests {
    /// Python writes payloads and their raw DEFLATE streams at one level with every strategy:
    /// random bytes, text, runs, Chinese XML, one byte, nothing, and a stream flushed in pieces.
    static let generator = """
    import sys, os, zlib, random
    out, level = sys.argv[1], int(sys.argv[2])
    rnd = random.Random(level)
    payloads = {
        "empty": b"",
        "one": b"x",
        "random": bytes(rnd.randrange(256) for _ in range(20000)),
        "text": (" ".join(rnd.choice(["the", "register", "village", "王秀英", "370481199001011234", "\\n"]) for _ in range(8000))).encode(),
        "runs": b"".join(bytes([rnd.randrange(4)]) * rnd.randrange(1, 400) for _ in range(800)),
        "xml": "".join("<c r=\\"B%d\\" s=\\"1\\"><v>%d</v></c>" % (i, i * 7 % 1000) for i in range(5000)).encode(),
        "zeros": bytes(100000),
    }
    strategies = {"default": zlib.Z_DEFAULT_STRATEGY, "filtered": zlib.Z_FILTERED, "huffman": zlib.Z_HUFFMAN_ONLY, "rle": zlib.Z_RLE, "fixed": zlib.Z_FIXED}
    for name, data in payloads.items():
        open(os.path.join(out, name + ".raw"), "wb").write(data)
        for s, strategy in strategies.items():
            c = zlib.compressobj(level, zlib.DEFLATED, -15, 9, strategy)
            open(os.path.join(out, f"{name}.{s}.z"), "wb").write(c.compress(data) + c.flush())
        # Several blocks, some of them empty stored blocks from sync flushes.
        c = zlib.compressobj(level, zlib.DEFLATED, -15)
        pieces = [c.compress(data[i:i + 5000]) + c.flush(zlib.Z_SYNC_FLUSH) for i in range(0, len(data), 5000)]
        open(os.path.join(out, f"{name}.flushed.z"), "wb").write(b"".join(pieces) + c.flush())
    """

    @Test("inflates every payload Python's zlib deflates at this level", .enabled(if: PythonOracle.available, "python3 is not installed"),
          arguments: 0...9)
    func inflatesZlibOutput(level: Int) throws {
        let dir = TempDir("inflate")
        defer { dir.remove() }
        try PythonOracle.run(InflateTests.generator, [dir.path, String(level)])
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".z") }.sorted()
        #expect(files.count == 7 * 6)
        for file in files {
            let name = String(file.prefix { $0 != "." })
            let raw = [UInt8](try Data(contentsOf: URL(fileURLWithPath: dir.file(name + ".raw"))))
            let packed = [UInt8](try Data(contentsOf: URL(fileURLWithPath: dir.file(file))))
            let out = try Inflate.inflate(packed, limit: raw.count, expectedSize: raw.count)
            #expect(out == raw, "\(file) at level \(level)")
        }
    }

    @Test func handMadeStreams() throws {
        // A final fixed block holding only end-of-block; a final empty stored block.
        #expect(try Inflate.inflate([0x03, 0x00], limit: 0) == [])
        #expect(try Inflate.inflate([0x01, 0x00, 0x00, 0xFF, 0xFF], limit: 0) == [])
        // Stored "abc", then trailing bytes, which are ignored.
        #expect(try Inflate.inflate([0x01, 0x03, 0x00, 0xFC, 0xFF, 0x61, 0x62, 0x63, 0x99], limit: 3) == Array("abc".utf8))
        // zlib.compress(b"aaaaaaaaaa", wbits=-15): a literal and a length-9 match at distance 1.
        #expect(try Inflate.inflate([0x4B, 0x4C, 0x84, 0x01, 0x00], limit: 10) == Array(repeating: 0x61, count: 10))
    }

    @Test func refusesBrokenStreams() {
        func invalid(_ bytes: [UInt8], _ why: Comment) {
            #expect(throws: InflateError.self, why) { try Inflate.inflate(bytes, limit: 1 << 20) }
        }
        invalid([], "no block header")
        invalid([0x07], "block type 3 is reserved")
        invalid([0x01, 0x03, 0x00, 0xFC, 0xFE, 0x61, 0x62, 0x63], "NLEN is not the complement of LEN")
        invalid([0x01, 0x03, 0x00, 0xFC, 0xFF, 0x61], "a stored block cut short")
        invalid([0x4B, 0x4C, 0x84], "a fixed block cut short")
        invalid([0x03, 0x02, 0x00], "a match at distance 1 with nothing written yet (zlib: invalid distance too far back)")
        invalid([0x00], "a non-final block and nothing after it")
        invalid([0x05, 0xE0, 0xFF, 0xFF], "a dynamic block whose code lengths run out")
    }

    @Test func stopsAtTheLimit() throws {
        // 1 MB of zeros packs to about a kilobyte; with a 64 KiB limit the decoder stops there.
        let packed = try #require(PythonOracle.available ? [UInt8](try PythonOracle.run(
            "import sys, zlib; c = zlib.compressobj(9, zlib.DEFLATED, -15); sys.stdout.buffer.write(c.compress(bytes(1 << 20)) + c.flush())")) : nil)
        #expect(packed.count < 2048)
        #expect(throws: InflateError.tooLarge(limit: 65536)) { try Inflate.inflate(packed, limit: 65536) }
        #expect(try Inflate.inflate(packed, limit: 1 << 20).count == 1 << 20)
        #expect(throws: InflateError.tooLarge(limit: 2)) { try Inflate.inflate([0x01, 0x03, 0x00, 0xFC, 0xFF, 0x61, 0x62, 0x63], limit: 2) }
    }

    @Test func mutatedStreamsNeverCrash() throws {
        // Flip bits of a real dynamic-Huffman stream: the decoder returns or throws, and stays bounded.
        let text = Array(String(repeating: "王秀英,370481199001011234,13800000000,北赵村\n", count: 200).utf8)
        let packed = try #require(PythonOracle.available ? [UInt8](try PythonOracle.run(
            "import sys, zlib; c = zlib.compressobj(9, zlib.DEFLATED, -15); sys.stdout.buffer.write(c.compress(sys.stdin.buffer.read()) + c.flush())",
            stdin: Data(text))) : nil)
        #expect(try Inflate.inflate(packed, limit: text.count) == text)
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<1500 {
            var m = packed
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                let i = Int.random(in: 0..<m.count, using: &rng)
                m[i] ^= UInt8(1 << Int.random(in: 0..<8, using: &rng))
            }
            if Bool.random(using: &rng) { m.removeLast(Int.random(in: 0..<m.count, using: &rng)) }
            if let out = try? Inflate.inflate(m, limit: 100_000) { #expect(out.count <= 100_000) }
        }
    }
}
