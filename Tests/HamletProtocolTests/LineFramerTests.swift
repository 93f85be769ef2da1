import HamletProtocol
import Testing
import HamletTestSupport

/// The one line framer of both ends: the `\r` rule, the cap, and the same lines for any chunking.
struct LineFramerTests {
    /// Feeds `chunks` one at a time, draining lines after each; returns the lines and whether it overflowed.
    static func frame(_ chunks: [[UInt8]], maxLine: Int) -> (lines: [[UInt8]], overflowed: Bool, rest: Int) {
        var framer = LineFramer(maxLine: maxLine)
        var lines: [[UInt8]] = []
        for chunk in chunks {
            framer.append(chunk)
            do {
                while let line = try framer.next() { lines.append(line) }
            } catch {
                return (lines, true, framer.bufferedCount)
            }
        }
        return (lines, false, framer.bufferedCount)
    }

    static func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

    @Test func splitsOnNewlineAndDropsOneCarriageReturn() {
        let input = Self.bytes("{\"a\":1}\n{\"b\":2}\r\n\r\n\n x\r y\r\r\npartial")
        let out = Self.frame([input], maxLine: 100)
        #expect(out.lines.map { String(decoding: $0, as: UTF8.self) } == ["{\"a\":1}", "{\"b\":2}", "", "", " x\r y\r"])
        #expect(!out.overflowed)
        #expect(out.rest == 7)
    }

    @Test("the cap counts the line without its \\n and without a \\r dropped with it")
    func capBoundary() {
        let max = 8
        #expect(Self.frame([Self.bytes("12345678\n")], maxLine: max).lines.count == 1)
        #expect(Self.frame([Self.bytes("12345678\r\n")], maxLine: max).lines.count == 1)
        #expect(Self.frame([Self.bytes("123456789\n")], maxLine: max).overflowed)
        #expect(Self.frame([Self.bytes("1234567\r\r\n")], maxLine: max).lines == [Self.bytes("1234567\r")])
        #expect(Self.frame([Self.bytes("12345678\r\r\n")], maxLine: max).overflowed)
        // Byte by byte: a line of exactly max bytes and its \r\n is never refused early.
        #expect(Self.frame(Self.bytes("12345678\r\n").map { [$0] }, maxLine: max).lines == [Self.bytes("12345678")])
        // An unfinished line is refused as soon as it is certain to be too long.
        #expect(Self.frame([Self.bytes("123456789")], maxLine: max).overflowed)
        #expect(!Self.frame([Self.bytes("12345678\r")], maxLine: max).overflowed)
        #expect(Self.frame([Self.bytes("12345678\rx")], maxLine: max).overflowed)
    }

    static let sample: [UInt8] = {
        var text = ""
        for i in 0..<200 {
            let body = String(repeating: "好", count: i % 7) + String(i)
            text += "{\"type\":\"x\",\"n\":\(i),\"s\":\"\(body)\"}" + (i % 3 == 0 ? "\r\n" : "\n")
            if i % 17 == 0 { text += "\n" }
        }
        return Array(text.utf8) + Array("tail-without-newline".utf8)
    }()

    @Test func byteByByteEqualsWhole() {
        let whole = Self.frame([Self.sample], maxLine: 200)
        let bytewise = Self.frame(Self.sample.map { [$0] }, maxLine: 200)
        #expect(whole.lines == bytewise.lines)
        #expect(whole.rest == bytewise.rest)
        #expect(whole.lines.count == 200 + 12)
        #expect(!whole.overflowed && !bytewise.overflowed)
    }

    static func chunks(_ bytes: [UInt8], using rng: inout SplitMix) -> [[UInt8]] {
        var out: [[UInt8]] = []
        var i = 0
        while i < bytes.count {
            let n = Int.random(in: 0...40, using: &rng)
            out.append(Array(bytes[i..<min(bytes.count, i + n)]))
            i += n
        }
        return out
    }

    @Test func randomChunkingsEqualWhole() {
        let seed = UInt64.random(in: 1...UInt64.max)
        print("LineFramerTests.randomChunkingsEqualWhole seed \(seed)")
        var rng = SplitMix(state: seed)
        // With a cap that every line meets, and with caps that some lines exceed.
        for maxLine in [200, 40, 23] {
            let whole = Self.frame([Self.sample], maxLine: maxLine)
            for round in 0..<200 {
                let chunked = Self.frame(Self.chunks(Self.sample, using: &rng), maxLine: maxLine)
                #expect(chunked.lines == whole.lines, "seed \(seed) maxLine \(maxLine) round \(round)")
                #expect(chunked.overflowed == whole.overflowed, "seed \(seed) maxLine \(maxLine) round \(round)")
                if !whole.overflowed { #expect(chunked.rest == whole.rest, "seed \(seed) round \(round)") }
            }
        }
    }

    @Test func partialLineAndBufferedCount() throws {
        var framer = LineFramer(maxLine: 10)
        #expect(!framer.hasPartialLine)
        framer.append(Self.bytes("ab"))
        #expect(try framer.next() == nil)
        #expect(framer.hasPartialLine && framer.bufferedCount == 2)
        framer.append(Self.bytes("c\nd"))
        #expect(try framer.next() == Self.bytes("abc"))
        #expect(framer.bufferedCount == 1)
        #expect(try framer.next() == nil)
        // The cap may change between lines (the node adopts the hub's max_line after welcome).
        framer.maxLine = 2
        framer.append(Self.bytes("e\n"))
        #expect(try framer.next() == Self.bytes("de"))
        framer.append(Self.bytes("fgh"))
        #expect(throws: LineFramer.Overflow.self) { try framer.next() }
    }
}
