import Foundation
import HamletHTTP
import HamletNet
import HamletStore

/// The hub operator's web page: conflict list and detail, one-click resolutions, duplicate merge and unmerge, node
/// health, a record's history and CSV export, served over HTTP/1.1 on the hub's event loop.
///
/// The loop thread only parses bytes; every request runs on one of the console's own worker threads, each owning a
/// read-write `HubStore` connection on the hub folder (WAL, busy timeout), and the response is sent from there.
/// Actions call the same `HubStore` functions as the CLI (`resolveField`, `resolveDelete`, `mergeDuplicate`, `operatorEdit`,
/// `unmerge`), whose transactions make exactly one of two simultaneous operators win.
///
/// ```swift
/// let console = OperatorConsole(configuration: .init(directory: dir))
/// let config = HubServerConfiguration(directory: dir, listen: .loopback(), web: .loopback(),
///                                     webHandlerFactory: console.handlerFactory)
/// ```
///
/// `@unchecked Sendable`: `flashes` is guarded by `lock` (an `NSLock`); `workers` and `compareResults` are thread-safe;
/// the rest is immutable.
public final class OperatorConsole: @unchecked Sendable {
    /// What the console needs: the hub folder, the token, the default language and limits.
    public struct Configuration: Sendable {
        /// The hub folder holding `hub.sqlite`.
        public var directory: String
        /// The operator token; when set, every request must log in (cookie) or carry `Authorization: Bearer`.
        /// Without it the page answers only on loopback addresses and loopback host names.
        public var token: String?
        /// The language when the request names none (`?lang=` or the language cookie).
        public var language: ConsoleLanguage
        /// Request size and header caps. The console adds `/compare` to `uploadPaths`, so an outside list of up to
        /// `maxUploadBodyBytes` (8 MiB by default) can be uploaded there; every other request keeps `maxBodyBytes`.
        public var limits: HTTPLimits
        /// Worker threads (each with its own store connection).
        public var workers: Int
        /// Threads sending streamed downloads (the CSV exports), apart from the workers, so that long downloads
        /// never hold up the page; more downloads at once wait their turn.
        public var streamWorkers = 2
        /// Unsent bytes of a streamed download above which its producer waits for the client to read.
        public var streamHighWater = 1 << 20
        /// The longest a streamed download waits for the client to read before the connection is closed.
        public var streamStallTimeout: Duration = .seconds(60)
        /// The operator name used when a form leaves it empty.
        public var defaultOperator: String
        /// The wall clock in milliseconds since 1970, recorded with each action.
        public var wallMillis: @Sendable () -> Int64

        /// Creates a configuration.
        /// - Parameters:
        ///   - directory: The hub folder.
        ///   - token: The operator token, or nil on loopback.
        ///   - language: The default language; Chinese by default.
        ///   - limits: HTTP limits; `HTTPLimits()` by default.
        ///   - workers: Worker threads; 2 by default.
        ///   - defaultOperator: The operator name when a form gives none; "web operator" by default.
        ///   - wallMillis: The wall clock; the system clock by default.
        public init(directory: String, token: String? = nil, language: ConsoleLanguage = .zh, limits: HTTPLimits = HTTPLimits(),
                    workers: Int = 2, defaultOperator: String = "web operator",
                    wallMillis: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1000) }) {
            self.directory = directory
            self.token = token
            self.language = language
            self.limits = limits
            self.workers = workers
            self.defaultOperator = defaultOperator
            self.wallMillis = wallMillis
        }
    }

    /// The configuration the console was made with.
    public let configuration: Configuration
    let security: WebSecurity
    /// The request caps connections parse with: the configured ones, with the 比对 upload path.
    let httpLimits: HTTPLimits
    /// Each session's last 比对 result, in memory only (it holds personal data).
    let compareResults = CompareResults()
    private let workers: ThreadPool<HubStore?>
    /// Sends streamed bodies; each job owns what its stream captured (a read-only store).
    private let streamers: ThreadPool<Void>
    private let lock = NSLock()
    // Guarded by `lock`: one pending message per session, shown on the next page.
    private var flashes: [String: WebFlash] = [:]
    // Guarded by `lock`: when recent wrong tokens (login form or Bearer) were presented, per client address.
    private var tokenFailures: [String: [ContinuousClock.Instant]] = [:]

    /// Wrong tokens allowed per minute from one client address before that address's token checks are refused for
    /// the rest of the minute. Other addresses are not affected: a guesser cannot lock the operator out.
    static let maxTokenFailuresPerMinute = 10

    /// Creates the console and starts its worker threads, each with its own connection to the hub folder.
    /// - Parameter configuration: Folder, token, language, limits.
    public init(configuration: Configuration) {
        self.configuration = configuration
        security = WebSecurity(token: configuration.token)
        var limits = configuration.limits
        limits.uploadPaths.insert("/compare")
        httpLimits = limits
        // Each worker thread owns a read-write connection to the hub folder (nil when it cannot be opened:
        // every request then shows the storage error).
        workers = ThreadPool(name: "hamlet-web", resources: (0..<max(1, configuration.workers)).map { _ in
            ResourceBox(try? HubStore.open(directory: configuration.directory))
        }, finish: { $0?.close() })
        streamers = ThreadPool(name: "hamlet-web-stream", resources: (0..<max(1, configuration.streamWorkers)).map { _ in ResourceBox(()) })
    }

    /// The factory to pass as `HubServerConfiguration.webHandlerFactory`.
    public var handlerFactory: @Sendable (HamletNet.Connection) -> any ConnectionHandler {
        { [self] connection in WebConnection(connection: connection, console: self) }
    }

    /// Stops the worker threads after the queued requests; later requests get 503. Idempotent.
    public func stop() {
        workers.drainAndStop()
        streamers.drainAndStop()
        compareResults.removeAll()
    }

    /// Queues a request's work on a worker thread.
    func submit(_ job: @escaping @Sendable (HubStore?) -> Void) -> Bool {
        workers.submit(job)
    }

    /// Queues the sending of a streamed body on a stream thread.
    func submitStream(_ job: @escaping @Sendable () -> Void) -> Bool {
        streamers.submit { _ in
            ResponseStreamer.lowerThreadPriority()
            job()
        }
    }

    /// Runs one request against a store (worker thread). Never throws: every failure is a page.
    func respond(to request: HTTPRequest, local: SocketAddress?, peer: String, store: HubStore?) -> HTTPResponse {
        WebApp(console: self, request: request, local: local, peer: peer, store: store).response()
    }

    /// True while too many wrong tokens came from `address` in the last minute: its token check is refused without
    /// looking at the token.
    /// - Parameters:
    ///   - address: The client's address (no port).
    ///   - now: The current instant.
    func isTokenCheckLocked(_ address: String, now: ContinuousClock.Instant = .now) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        return recentTokenFailuresLocked(address, now: now) >= OperatorConsole.maxTokenFailuresPerMinute
    }

    /// Counts a wrong token from `address`.
    func recordTokenFailure(_ address: String, now: ContinuousClock.Instant = .now) {
        lock.lock()
        defer { lock.unlock() }
        _ = recentTokenFailuresLocked(address, now: now)
        if tokenFailures.count > 10_000 {
            for key in Array(tokenFailures.keys) { _ = recentTokenFailuresLocked(key, now: now) }
        }
        tokenFailures[address, default: []].append(now)
    }

    private func recentTokenFailuresLocked(_ address: String, now: ContinuousClock.Instant) -> Int {
        let cutoff = now.advanced(by: .seconds(-60))
        guard var list = tokenFailures[address] else { return 0 }
        list.removeAll { $0 < cutoff }
        tokenFailures[address] = list.isEmpty ? nil : list
        return list.count
    }

    func setFlash(_ flash: WebFlash, session: String) {
        lock.lock()
        if flashes.count > 10_000 { flashes.removeAll() }
        flashes[session] = flash
        lock.unlock()
    }

    func takeFlash(session: String) -> WebFlash? {
        lock.lock()
        defer { lock.unlock() }
        return flashes.removeValue(forKey: session)
    }
}

/// A one-time message shown at the top of the next page after a POST.
struct WebFlash: Sendable {
    var isError: Bool
    var text: String
}

/// One web connection: frames requests with `HTTPRequestParser` on the loop thread, runs each on a console worker,
/// and answers in order (reading pauses while a request is being served, so pipelined requests wait their turn).
///
/// `@unchecked Sendable`: `parser`, `busy` and `closing` are guarded by `lock` (an `NSLock`); the rest is immutable.
final class WebConnection: ConnectionHandler, @unchecked Sendable {
    private let connection: HamletNet.Connection
    private let console: OperatorConsole
    private let lock = NSLock()
    // Guarded by `lock`.
    private var parser: HTTPRequestParser
    private var busy = false
    private var closing = false

    init(connection: HamletNet.Connection, console: OperatorConsole) {
        self.connection = connection
        self.console = console
        parser = HTTPRequestParser(limits: console.httpLimits)
    }

    func connectionOpened(_ connection: HamletNet.Connection) {}

    func received(_ bytes: [UInt8], on connection: HamletNet.Connection) {
        lock.lock()
        defer { lock.unlock() }
        guard !closing else { return }
        parser.append(bytes)
        if !busy { driveLocked() }
    }

    func connectionClosed(_ connection: HamletNet.Connection, reason: CloseReason) {
        lock.lock()
        closing = true
        lock.unlock()
    }

    func shutdownRequested(on connection: HamletNet.Connection) {
        lock.lock()
        closing = true
        let idle = !busy
        lock.unlock()
        if idle { connection.close(afterFlush: true) }
    }

    /// Takes the next complete request, if any, and hands it to a worker. Call with `lock` held.
    private func driveLocked() {
        switch parser.next() {
        case .needMore:
            return
        case .failure(let error):
            closing = true
            connection.send(HTTPResponse.error(error.status, message: error.message).encode(keepAlive: false))
            connection.close(afterFlush: true)
        case .request(let request):
            busy = true
            connection.pauseReading()
            let local = connection.local
            let peer = connection.peer.host
            let accepted = console.submit { [self] store in
                let response = console.respond(to: request, local: local, peer: peer, store: store)
                finish(request, response)
            }
            if !accepted {
                closing = true
                connection.send(HTTPResponse.error(503, message: "the hub is stopping").encode(keepAlive: false))
                connection.close(afterFlush: true)
            }
        }
    }

    /// Sends a response (worker thread), then serves the next buffered request or resumes reading.
    private func finish(_ request: HTTPRequest, _ response: HTTPResponse) {
        if let stream = response.stream, request.method != "HEAD" {
            return finishStreaming(request, response, stream)
        }
        lock.lock()
        defer { lock.unlock() }
        let keepAlive = request.keepAlive && !closing
        connection.send(response.encode(keepAlive: keepAlive, includeBody: request.method != "HEAD"))
        busy = false
        guard keepAlive else {
            closing = true
            connection.close(afterFlush: true)
            return
        }
        connection.setDeadline(after: nil)
        connection.resumeReading()
        driveLocked()
    }

    /// Sends a streamed response's head (worker thread), then its body from a stream thread: chunked to an
    /// HTTP/1.1 client (the connection can stay open), close-delimited to HTTP/1.0. The worker is free at once.
    private func finishStreaming(_ request: HTTPRequest, _ response: HTTPResponse, _ stream: HTTPBodyStream) {
        let chunked = request.version == .http1_1
        lock.lock()
        let keepAlive = chunked && request.keepAlive && !closing
        connection.send(response.encode(keepAlive: keepAlive, chunked: chunked))
        lock.unlock()
        let configuration = console.configuration
        let streamer = ResponseStreamer(connection: connection, chunked: chunked, highWater: configuration.streamHighWater,
                                        stallTimeout: configuration.streamStallTimeout)
        let accepted = console.submitStream { [self] in
            streamFinished(complete: streamer.send(stream), keepAlive: keepAlive)
        }
        if !accepted { streamFinished(complete: false, keepAlive: false) }
    }

    /// After a streamed body (stream thread): an unfinished body closes the connection at once, so the client
    /// sees a failed download; a finished one continues as `finish` does.
    private func streamFinished(complete: Bool, keepAlive: Bool) {
        lock.lock()
        defer { lock.unlock() }
        busy = false
        guard complete, keepAlive, !closing else {
            closing = true
            connection.close(afterFlush: complete)
            return
        }
        connection.setDeadline(after: nil)
        connection.resumeReading()
        driveLocked()
    }
}
