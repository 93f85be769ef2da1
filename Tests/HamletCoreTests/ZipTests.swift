import Foundation
import HamletTestSupport
import Testing
@testable import HamletCore

@Suite("ZIP reader and writer against Python's zipfile")
struct ZipTests {
    @Test func crc32CheckValues() {
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(CRC32.checksum([]) == 0)
        let a = Array("王秀英".utf8), b = Array("370481199001011234".utf8)
        #expect(CRC32.update(CRC32.update(0, a), b) == CRC32.checksum(a + b))
    }

    /// Python builds one archive of every kind of member; we must read each back byte-exact.
    @Test(.enabled(if: PythonOracle.available, "python3 is not installed"))
    func readsWhatPythonWrites() throws {
        let dir = TempDir("zipread")
        defer { dir.remove() }
        let script = """
        import sys, os, zipfile, random, json
        out = sys.argv[1]
        rnd = random.Random(7)
        members = {}
        with zipfile.ZipFile(os.path.join(out, "a.zip"), "w") as z:
            z.comment = b"a comment at the end, which the reader must look past"
            for level in range(10):
                data = bytes(rnd.randrange(256) for _ in range(rnd.randrange(0, 5000))) + ("王秀英 %d " % level * 300).encode()
                name = f"deflated/level{level}.bin"
                z.writestr(zipfile.ZipInfo(name), data, zipfile.ZIP_DEFLATED, level)
                members[name] = data.hex()
            for name, data in [("stored.bin", os.urandom(3000)), ("empty.txt", b""), ("村/名单.csv", "姓名\\n王秀英\\n".encode())]:
                z.writestr(name, data, zipfile.ZIP_STORED)
                members[name] = data.hex()
            z.writestr("empty-deflated.txt", b"", zipfile.ZIP_DEFLATED)
            members["empty-deflated.txt"] = ""
            z.mkdir("folder") if hasattr(z, "mkdir") else z.writestr("folder/", b"")
            members["folder/"] = ""
            with z.open("zip64.bin", "w", force_zip64=True) as f:
                data = os.urandom(1000) * 3
                f.write(data)
            members["zip64.bin"] = data.hex()
        print(json.dumps(members))
        """
        let json = try PythonOracle.run(script, [dir.path])
        let members = try #require(try JSONSerialization.jsonObject(with: json) as? [String: String])
        var zip = try ZipReader(bytes: [UInt8](try Data(contentsOf: URL(fileURLWithPath: dir.file("a.zip")))))
        #expect(Set(zip.entries.map(\.name)) == Set(members.keys))
        for entry in zip.entries {
            let data = try zip.data(of: entry)
            #expect(hex(data) == members[entry.name], "\(entry.name)")
        }
        #expect(zip.entries.contains { $0.method == 8 } && zip.entries.contains { $0.method == 0 })
    }

    /// We write; Python's zipfile lists, tests (CRC) and reads every member, which must match byte for byte.
    @Test(.enabled(if: PythonOracle.available, "python3 is not installed"))
    func pythonReadsWhatWeWrite() throws {
        var rng = SystemRandomNumberGenerator()
        var members: [(String, [UInt8])] = [
            ("[Content_Types].xml", Array("<Types/>".utf8)),
            ("empty", []),
            ("人员/名单.csv", Array("姓名,身份证号\r\n王秀英,37048119900101123X\r\n".utf8)),
        ]
        for k in 0..<5 { members.append(("random/\(k).bin", (0..<Int.random(in: 0...70000, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) })) }
        let bytes = try ZipWriter.archive(year: 2025, month: 5, day: 17) { w in
            for (k, (n, d)) in members.enumerated() { try w.add(n, d, compressed: k % 2 == 1) }
        }
        let script = """
        import sys, zipfile, json, io
        z = zipfile.ZipFile(io.BytesIO(sys.stdin.buffer.read()))
        assert z.testzip() is None
        print(json.dumps([[i.filename, z.read(i).hex(), list(i.date_time)] for i in z.infolist()]))
        """
        let out = try PythonOracle.run(script, stdin: Data(bytes))
        let listed = try #require(try JSONSerialization.jsonObject(with: out) as? [[Any]])
        #expect(listed.count == members.count)
        for (got, want) in zip(listed, members) {
            #expect(got[0] as? String == want.0)
            #expect(got[1] as? String == hex(want.1), "\(want.0)")
            #expect((got[2] as? [Int])?.prefix(3) == [2025, 5, 17])
        }
        // And our reader agrees with our writer.
        var r = try ZipReader(bytes: bytes)
        for (e, want) in zip(r.entries, members) { #expect(try r.data(of: e) == want.1) }
        #expect(ZipWriter.archive { _ in } == ZipWriter.archive { _ in }, "deterministic")
    }

    @Test(.enabled(if: PythonOracle.available, "python3 is not installed"))
    func refusesZipBombs() throws {
        // 64 MiB of zeros packs to ~64 KB; with 1 MiB per part it is refused from the header, before inflating.
        let bomb = try PythonOracle.zip([("xl/worksheets/sheet1.xml", [UInt8](repeating: 0x20, count: 64 << 20))], level: 9)
        #expect(bomb.count < 200_000)
        var small = SheetLimits()
        small.maxEntryBytes = 1 << 20
        var zip = try ZipReader(bytes: bomb, limits: small)
        #expect(failure { _ = try zip.data(of: zip.entries[0]) }?.code == .zipBomb)
        #expect(failure { _ = try zip.data(of: zip.entries[0]) }?.line == 0)

        // The header lies (says 100 bytes): inflating stops at the limit all the same.
        var lying = bomb
        let cd = try #require(centralDirectoryOffset(lying))
        lying.replaceSubrange(cd + 24..<cd + 28, with: [100, 0, 0, 0])
        zip = try ZipReader(bytes: lying, limits: small)
        #expect(failure { _ = try zip.data(of: zip.entries[0]) }?.code == .zipBomb, "a lying header")

        // Under the default limits, a declared 4 GiB part is refused at once.
        var huge = try PythonOracle.zip([("a", Array("abc".utf8))])
        let cd2 = try #require(centralDirectoryOffset(huge))
        huge.replaceSubrange(cd2 + 24..<cd2 + 28, with: [0xFE, 0xFF, 0xFF, 0xFF])
        zip = try ZipReader(bytes: huge)
        #expect(failure { _ = try zip.data(of: zip.entries[0]) }?.code == .zipBomb, "4 GiB declared")

        // The total across parts is capped too.
        let two = try PythonOracle.zip([("a", [UInt8](repeating: 1, count: 600_000)), ("b", [UInt8](repeating: 2, count: 600_000))])
        small.maxTotalBytes = 1_000_000
        zip = try ZipReader(bytes: two, limits: small)
        _ = try zip.data(of: zip.entries[0])
        #expect(failure { _ = try zip.data(of: zip.entries[1]) }?.code == .zipBomb, "the total")

        // Too many members.
        var few = SheetLimits()
        few.maxEntries = 10
        let many = try PythonOracle.zip((0..<11).map { ("f\($0)", [UInt8]()) })
        #expect(failure { _ = try ZipReader(bytes: many, limits: few) }?.code == .zipBomb, "11 members")
    }

    @Test func refusesDamagedAndEncryptedArchives() throws {
        let good = try ZipWriter.archive { w in try w.add("a.txt", Array("王秀英".utf8)) }
        func code(_ bytes: [UInt8]) -> CSVError.Code? {
            failure {
                var z = try ZipReader(bytes: bytes)
                for e in z.entries { _ = try z.data(of: e) }
            }?.code
        }
        #expect(code(good) == nil)
        #expect(code([]) == .damagedFile)
        #expect(code(Array(good.prefix(good.count - 5))) == .damagedFile, "cut short")
        var flipped = good
        flipped[30 + 5] ^= 0x01  // a data byte: the CRC no longer matches
        #expect(code(flipped) == .damagedFile)
        var encrypted = good
        let cd = try #require(centralDirectoryOffset(encrypted))
        encrypted[cd + 8] |= 1
        #expect(code(encrypted) == .encryptedFile)
        var method = good
        method[cd + 10] = 12  // bzip2
        #expect(code(method) == .damagedFile)
    }

    func hex(_ b: [UInt8]) -> String { b.map { String(format: "%02x", $0) }.joined() }

    /// The offset of the first central directory header.
    func centralDirectoryOffset(_ b: [UInt8]) -> Int? {
        guard b.count >= 22 else { return nil }
        let e = b.count - 22
        return Int(b[e + 16]) | Int(b[e + 17]) << 8 | Int(b[e + 18]) << 16 | Int(b[e + 19]) << 24
    }
}
