/// A response body made while it is sent (a large export), instead of held whole in ``HTTPResponse/body``.
///
/// The server encodes the head with `Transfer-Encoding: chunked` (HTTP/1.1) or as a body that ends when the
/// connection closes (HTTP/1.0), then calls ``produce`` on a thread of its own, which may block: `write` returns
/// once the piece is queued and the connection's unsent output is small again, so the producer runs no faster
/// than the client reads, and memory stays bounded however long the body is. `write` throws when the connection
/// is gone; the producer then stops and rethrows. A producer that throws leaves the body unfinished (no last
/// chunk), which a client sees as a failed download rather than a short file.
///
/// ```swift
/// HTTPResponse(status: 200, headers: [("Content-Type", "text/csv")], stream: HTTPBodyStream { write in
///     for piece in pieces { try write(piece) }
/// })
/// ```
public struct HTTPBodyStream: Sendable {
    /// Sends one piece of the body; throws when the connection is closed or the client stopped reading.
    public typealias Write = ([UInt8]) throws -> Void

    /// Writes the whole body through `write`, in order; runs once, on a server thread that may block.
    public let produce: @Sendable (_ write: Write) throws -> Void

    /// Creates a stream.
    /// - Parameter produce: Writes the body through its argument; see ``HTTPBodyStream``.
    public init(_ produce: @escaping @Sendable (_ write: Write) throws -> Void) {
        self.produce = produce
    }

    /// A stream of bytes already in memory, written in pieces of `pieceSize`: a large body then never sits whole
    /// in the connection's output buffer.
    /// - Parameters:
    ///   - bytes: The body.
    ///   - pieceSize: The size of each write; 64 KiB by default.
    /// - Returns: The stream.
    public static func bytes(_ bytes: [UInt8], pieceSize: Int = 64 << 10) -> HTTPBodyStream {
        HTTPBodyStream { write in
            var start = 0
            while start < bytes.count {
                let end = min(bytes.count, start + max(1, pieceSize))
                try write(Array(bytes[start..<end]))
                start = end
            }
        }
    }

    /// One chunk of a chunked body (RFC 9112 §7.1): the size in hex, CRLF, the bytes, CRLF. An empty piece gives
    /// no bytes, since an empty chunk would end the body.
    /// - Parameter bytes: The piece.
    /// - Returns: The bytes to send.
    public static func chunk(_ bytes: [UInt8]) -> [UInt8] {
        guard !bytes.isEmpty else { return [] }
        var out = Array((String(bytes.count, radix: 16) + "\r\n").utf8)
        out.reserveCapacity(out.count + bytes.count + 2)
        out += bytes
        out += [13, 10]
        return out
    }

    /// The last chunk of a chunked body, with no trailers: `0`, CRLF, CRLF.
    public static let lastChunk: [UInt8] = Array("0\r\n\r\n".utf8)
}
