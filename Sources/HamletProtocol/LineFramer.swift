/// Splits a byte stream into lines ended by `\n`, with a cap on line length: the one framer of both ends
/// (the hub's sessions and the node's sync client).
///
/// The `\r` rule (PROTOCOL.md §1): one `\r` right before the `\n` is dropped with it and does not count
/// towards `maxLine`; a `\r` anywhere else stays in the line (JSON reads it as whitespace between tokens).
///
/// Pure and incremental: any chunking of the same bytes gives the same lines, and a line too long fails
/// after the same lines whatever the chunking. A line longer than `maxLine` is an error (the stream
/// cannot continue).
public struct LineFramer: Sendable {
    /// Bytes per line, excluding the newline (and a `\r` before it). Raise or lower it between lines
    /// (the node adopts the hub's `max_line` after `welcome`).
    public var maxLine: Int
    var buffer: [UInt8] = []
    /// Where the next line starts in `buffer`.
    var head = 0
    /// Bytes from `head` already searched for a newline.
    var scanned = 0

    /// The framer failed: a line exceeded the cap.
    public struct Overflow: Error, Sendable, Equatable {}

    /// Creates a framer.
    /// - Parameter maxLine: The longest line accepted, in bytes, excluding the newline.
    public init(maxLine: Int) {
        self.maxLine = maxLine
    }

    /// Appends received bytes.
    /// - Parameter bytes: The bytes, in the order received.
    public mutating func append(_ bytes: [UInt8]) {
        if head > 0 && (head == buffer.count || head >= 64 * 1024 && head * 2 >= buffer.count) {
            buffer.removeSubrange(0..<head)
            head = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// The next complete line without its `\n` (and without a `\r` right before it), nil when no
    /// complete line is buffered.
    /// - Returns: The line, or nil.
    /// - Throws: `Overflow` as soon as the buffered line is certain to exceed `maxLine`.
    public mutating func next() throws(Overflow) -> [UInt8]? {
        let start = head + scanned
        if let i = buffer[start...].firstIndex(of: 10) {
            var end = i
            if end > head && buffer[end - 1] == 13 { end -= 1 }
            guard end - head <= maxLine else { throw Overflow() }
            let line = Array(buffer[head..<end])
            head = i + 1
            scanned = 0
            if head == buffer.count {
                buffer.removeAll(keepingCapacity: buffer.capacity <= 1 << 20)
                head = 0
            }
            return line
        }
        scanned = buffer.count - head
        // A line of maxLine bytes may still be followed by "\r\n"; one byte more is too long unless it is that `\r`.
        if scanned > maxLine + 1 || (scanned == maxLine + 1 && buffer[buffer.count - 1] != 13) { throw Overflow() }
        return nil
    }

    /// True when part of a line is buffered (a started line must complete within the read timeout).
    public var hasPartialLine: Bool { head < buffer.count }

    /// Bytes buffered.
    public var bufferedCount: Int { buffer.count - head }
}
