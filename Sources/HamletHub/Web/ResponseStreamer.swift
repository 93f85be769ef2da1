import HamletHTTP
import HamletNet
#if canImport(Glibc)
import Glibc
#endif

/// Sends a streamed response body (`HTTPBodyStream`) on a connection, from a thread that may block: each piece is
/// queued, then the producer waits until the connection's unsent output is below `highWater`, so a fast producer
/// and a slow client hold at most about `highWater` plus one piece in memory, never the whole body, and the
/// event loop's cap on unsent output is never reached.
struct ResponseStreamer {
    /// Why a stream stopped early: the connection closed, or the client read nothing for `stallTimeout`.
    struct Aborted: Error {}

    /// The connection to send on.
    let connection: HamletNet.Connection
    /// Chunked framing (HTTP/1.1) or a close-delimited body (HTTP/1.0).
    let chunked: Bool
    /// The unsent output above which the producer waits.
    let highWater: Int
    /// The longest the producer waits for the client to read.
    let stallTimeout: Duration

    /// Runs the producer and sends its pieces, then the last chunk.
    /// - Parameter stream: The body.
    /// - Returns: `true` when the whole body was queued; `false` when the producer failed or the connection went
    ///   away (the body is then unfinished, and the caller closes the connection).
    func send(_ stream: HTTPBodyStream) -> Bool {
        do {
            try stream.produce { piece in try write(piece) }
            if chunked { guard connection.send(HTTPBodyStream.lastChunk) else { return false } }
            return true
        } catch {
            return false
        }
    }

    /// The niceness of a stream thread: a download yields the CPU to syncs and pages (issue 20: "at low priority").
    static let niceness: Int32 = 10

    /// Lowers the calling thread's scheduling priority to `niceness` (Linux: per thread). Stream threads run
    /// nothing else, so it is set once and kept. A failure leaves the normal priority: harmless.
    static func lowerThreadPriority() {
        #if canImport(Glibc)
        // Linux keeps the nice value per thread, and `who` 0 names the calling thread (setpriority(2), BUGS).
        let rc = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, niceness)
        _ = rc  // best effort: EACCES or EPERM only keep today's priority
        #endif
    }

    private func write(_ piece: [UInt8]) throws {
        guard !piece.isEmpty else { return }
        guard connection.send(chunked ? HTTPBodyStream.chunk(piece) : piece) else { throw Aborted() }
        // Progress: the idle deadline starts again with every piece, so a long download is not cut off.
        connection.setDeadline(after: nil)
        guard connection.waitForOutput(below: highWater, timeout: stallTimeout) else { throw Aborted() }
    }
}
