import Foundation
import HamletProtocol

/// The hub's next message, received and decoded on another thread while the session's thread stores a pull page.
///
/// A pull asks for page N+1 as soon as page N arrives; the hub encodes it while the node stores page N. Reading and
/// decoding page N+1 (a seventh of the node's pull) then waited for the store to finish; here it runs beside it, on
/// the core the hub leaves idle. Only one message is ever in flight, in the order the machine expects, and the
/// machine still judges it on the session's thread (`SyncSession.answer`).
final class MessagePrefetch: @unchecked Sendable {
    // `receive` runs on the worker only; it uses the session's socket, framer and budget, which the session's
    // thread leaves alone from `init` until `wait()` returns. `result` is written once, by the worker, before it
    // signals `done`; the session reads it only after waiting.
    private let receive: () throws -> HubMessage
    private var result: Result<HubMessage, any Error>?
    private let done = DispatchSemaphore(value: 0)

    /// Starts `receive` on a thread of its own: it blocks on the socket, so it does not take one of the global
    /// queue's few threads (one per core), which `PageHashes` and, in one process, other sessions' work use.
    init(_ receive: @escaping () throws -> HubMessage) {
        self.receive = receive
        let thread = Thread { [self] in
            result = Result { try self.receive() }
            done.signal()
        }
        thread.stackSize = 1 << 20
        thread.start()
    }

    /// The message, or what receiving it threw, once the worker is done (waits for it).
    func wait() -> Result<HubMessage, any Error> {
        done.wait()
        done.signal()  // a second wait returns at once
        guard let result else { preconditionFailure("the worker sets the result before it signals") }
        return result
    }
}
