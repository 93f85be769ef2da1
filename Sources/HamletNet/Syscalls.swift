#if canImport(Glibc)
import Glibc
#endif
import CEpoll

/// Thin wrappers over Glibc: each call retries on `EINTR` and captures `errno` on the next line.
enum Sys {
    /// Result of a call that may fail with `errno`.
    enum Outcome<Value> {
        case success(Value)
        case failure(Int32)
    }

    static func retrying(_ call: () -> Int32) -> Outcome<Int32> {
        while true {
            let result = call()
            let code = errno
            if result >= 0 { return .success(result) }
            if code == EINTR { continue }
            return .failure(code)
        }
    }

    static func retrying(_ call: () -> Int) -> Outcome<Int> {
        while true {
            let result = call()
            let code = errno
            if result >= 0 { return .success(result) }
            if code == EINTR { continue }
            return .failure(code)
        }
    }

    static func makeStreamSocket(family: Int32) -> Outcome<Int32> {
        let kind = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        return retrying { Glibc.socket(family, kind, 0) }
    }

    static func close(_ fd: Int32) {
        // Never retry close on Linux: the descriptor is released even when EINTR is reported.
        _ = Glibc.close(fd)
    }

    static func setIntOption(_ fd: Int32, level: Int32, name: Int32, value: Int32) -> Outcome<Int32> {
        var value = value
        return retrying {
            setsockopt(fd, level, name, &value, socklen_t(MemoryLayout<Int32>.size))
        }
    }

    static func setNoDelay(_ fd: Int32) {
        _ = setIntOption(fd, level: Int32(IPPROTO_TCP), name: TCP_NODELAY, value: 1)
    }

    static func socketError(_ fd: Int32) -> Int32 {
        var value: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        let result = getsockopt(fd, SOL_SOCKET, SO_ERROR, &value, &length)
        let code = errno
        return result == 0 ? value : code
    }

    static func send(_ fd: Int32, _ buffer: UnsafeRawBufferPointer) -> Outcome<Int> {
        retrying {
            Glibc.send(fd, buffer.baseAddress, buffer.count, Int32(MSG_NOSIGNAL) | Int32(MSG_DONTWAIT))
        }
    }

    static func recv(_ fd: Int32, _ buffer: UnsafeMutableRawBufferPointer) -> Outcome<Int> {
        retrying {
            Glibc.recv(fd, buffer.baseAddress, buffer.count, Int32(MSG_DONTWAIT))
        }
    }

    /// Polls one descriptor until `events` are ready or `deadline` passes.
    /// - Returns: `.success(true)` when ready, `.success(false)` on timeout.
    static func poll(_ fd: Int32, events: Int16, deadline: ContinuousClock.Instant) -> Outcome<Bool> {
        while true {
            let remaining = ContinuousClock.now.duration(to: deadline)
            let millis = remaining <= .zero ? 0 : Int32(clamping: remaining.roundedUpMilliseconds)
            var entry = pollfd(fd: fd, events: events, revents: 0)
            let result = Glibc.poll(&entry, 1, millis)
            let code = errno
            if result > 0 { return .success(true) }
            if result == 0 {
                if ContinuousClock.now >= deadline { return .success(false) }
                continue
            }
            if code == EINTR { continue }
            return .failure(code)
        }
    }

    static func localAddress(_ fd: Int32) -> SocketAddress? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let result = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard result == 0 else { return nil }
        return SocketAddress(storage: storage)
    }

    static func peerAddress(_ fd: Int32) -> SocketAddress? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let result = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getpeername(fd, $0, &length) }
        }
        guard result == 0 else { return nil }
        return SocketAddress(storage: storage)
    }
}

extension Duration {
    /// Whole milliseconds, rounded up, saturating.
    var roundedUpMilliseconds: Int64 {
        let (seconds, attoseconds) = components
        let millis = attoseconds / 1_000_000_000_000_000
        let remainder = attoseconds % 1_000_000_000_000_000
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1000)
        if overflow { return seconds < 0 ? 0 : Int64.max }
        return scaled + millis + (remainder > 0 ? 1 : 0)
    }
}

/// Process-wide socket settings to apply once at start-up.
public enum NetSystem {
    /// Ignores `SIGPIPE`, so a write to a closed peer reports `EPIPE` instead of killing the process (exit 141).
    public static func ignoreSIGPIPE() {
        _ = signal(SIGPIPE, SIG_IGN)
    }

    /// Raises the soft limit on open files (`RLIMIT_NOFILE`) to the hard limit.
    /// - Returns: The soft limit in force afterwards.
    @discardableResult
    public static func raiseOpenFileLimit() -> Int {
        var limits = rlimit()
        let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
        guard getrlimit(resource, &limits) == 0 else { return 1024 }
        // An unlimited hard limit is not accepted for RLIMIT_NOFILE: cap it at the kernel's usual nr_open.
        let target = limits.rlim_max == rlim_t.max ? rlim_t(1 << 20) : limits.rlim_max
        if limits.rlim_cur < target {
            var raised = limits
            raised.rlim_cur = target
            if setrlimit(resource, &raised) == 0 {
                return Int(clamping: target)
            }
        }
        return Int(clamping: limits.rlim_cur)
    }
}
