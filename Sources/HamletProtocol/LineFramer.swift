/// Splits a byte stream into lines ended by `\n`, with a cap on line length.
///
/// Pure and incremental: feed any chunking and get the same lines. A line
/// longer than `maxLine` is an error (the stream cannot continue).
public struct LineFramer: Sendable {
    public let maxLine: Int
    var buffer: [UInt8] = []
    var scanned = 0

    /// The framer failed: a line exceeded the cap.
    public struct Overflow: Error, Sendable, Equatable {}

    public init(maxLine: Int) {
        self.maxLine = maxLine
    }

    /// Appends received bytes.
    public mutating func append(_ bytes: [UInt8]) {
        buffer.append(contentsOf: bytes)
    }

    /// The next complete line without its `\n` (a trailing `\r` is dropped too),
    /// nil when no complete line is buffered.
    /// - Throws: `Overflow` when the buffered line exceeds `maxLine` before its newline.
    public mutating func next() throws(Overflow) -> [UInt8]? {
        if let i = buffer[scanned...].firstIndex(of: 10) {
            var end = i
            if end > 0 && buffer[end - 1] == 13 { end -= 1 }
            guard end <= maxLine else { throw Overflow() }
            let line = Array(buffer[0..<end])
            buffer.removeSubrange(0...i)
            scanned = 0
            return line
        }
        scanned = buffer.count
        if buffer.count > maxLine { throw Overflow() }
        return nil
    }

    /// True when part of a line is buffered (a started line must complete within the read timeout).
    public var hasPartialLine: Bool { !buffer.isEmpty }

    /// Bytes buffered.
    public var bufferedCount: Int { buffer.count }
}
