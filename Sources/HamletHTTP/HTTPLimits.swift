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
    /// Paths whose `POST` may carry up to ``maxUploadBodyBytes`` instead of ``maxBodyBytes`` (file uploads,
    /// e.g. the operator page's `/compare`). Matched exactly against the decoded path; empty by default.
    public var uploadPaths: Set<String>
    /// The largest `Content-Length` accepted for a `POST` to one of ``uploadPaths``.
    public var maxUploadBodyBytes: Int

    /// Creates limits; the defaults suit a small operator page of HTML forms.
    ///
    /// - Parameters:
    ///   - maxHeaderBytes: Cap on request line plus headers; default 16 KiB.
    ///   - maxHeaderCount: Cap on header lines; default 64.
    ///   - maxBodyBytes: Cap on the body; default 64 KiB.
    ///   - maxTargetLength: Cap on the request target; default 4 KiB.
    ///   - uploadPaths: Paths whose `POST` gets the upload cap; none by default.
    ///   - maxUploadBodyBytes: Cap on the body of a `POST` to an upload path; default 8 MiB.
    public init(
        maxHeaderBytes: Int = 16384,
        maxHeaderCount: Int = 64,
        maxBodyBytes: Int = 65536,
        maxTargetLength: Int = 4096,
        uploadPaths: Set<String> = [],
        maxUploadBodyBytes: Int = 8 << 20
    ) {
        self.maxHeaderBytes = maxHeaderBytes
        self.maxHeaderCount = maxHeaderCount
        self.maxBodyBytes = maxBodyBytes
        self.maxTargetLength = maxTargetLength
        self.uploadPaths = uploadPaths
        self.maxUploadBodyBytes = maxUploadBodyBytes
    }

    /// The body cap for one request: ``maxUploadBodyBytes`` for a `POST` to one of ``uploadPaths``, else
    /// ``maxBodyBytes``.
    ///
    /// - Parameters:
    ///   - method: The request method.
    ///   - path: The decoded request path.
    /// - Returns: The largest `Content-Length` to accept.
    public func maxBodyBytes(method: String, path: String) -> Int {
        method == "POST" && uploadPaths.contains(path) ? max(maxBodyBytes, maxUploadBodyBytes) : maxBodyBytes
    }
}
