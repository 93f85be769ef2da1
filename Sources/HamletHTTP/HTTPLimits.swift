/// Size caps the ``HTTPRequestParser`` enforces before buffering more input.
public struct HTTPLimits: Sendable, Hashable {
    /// The most bytes the request line plus headers (with line endings) may take.
    public var maxHeaderBytes: Int
    /// The most header lines a request may carry.
    public var maxHeaderCount: Int
    /// The largest `Content-Length` accepted.
    public var maxBodyBytes: Int
    /// The longest request target (path and query, still percent-encoded).
    public var maxTargetLength: Int

    /// Creates limits; the defaults suit a small operator page of HTML forms.
    ///
    /// - Parameters:
    ///   - maxHeaderBytes: Cap on request line plus headers; default 16 KiB.
    ///   - maxHeaderCount: Cap on header lines; default 64.
    ///   - maxBodyBytes: Cap on the body; default 64 KiB.
    ///   - maxTargetLength: Cap on the request target; default 4 KiB.
    public init(
        maxHeaderBytes: Int = 16384,
        maxHeaderCount: Int = 64,
        maxBodyBytes: Int = 65536,
        maxTargetLength: Int = 4096
    ) {
        self.maxHeaderBytes = maxHeaderBytes
        self.maxHeaderCount = maxHeaderCount
        self.maxBodyBytes = maxBodyBytes
        self.maxTargetLength = maxTargetLength
    }
}
