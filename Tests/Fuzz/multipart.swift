import HamletHTTP

// Harness `multipart`: Multipart (Sources/HamletHTTP/Multipart.swift). The input's first line is the
// Content-Type header value, the rest the body.
// Invariants: no more parts than the cap, each with a name; the parts written back with the same
// boundary parse to the same parts.

/// Writes parts as a `multipart/form-data` body with canonical delimiters.
/// - Parameters:
///   - parts: the parts (headers kept as parsed).
///   - boundary: the boundary, without `--`.
/// - Returns: the body.
func multipartBody(_ parts: [MultipartPart], boundary: String) -> [UInt8] {
    var out: [UInt8] = []
    for part in parts {
        out += Array("--\(boundary)\r\n".utf8)
        // No space after the colon: the parser trimmed any, so the block is never larger than it was.
        for h in part.headers { out += Array("\(h.name):\(h.value)\r\n".utf8) }
        out += Array("\r\n".utf8) + part.body + Array("\r\n".utf8)
    }
    out += Array("--\(boundary)--\r\n".utf8)
    return out
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMultipart(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = fuzzBytes(data, size)
    let split = bytes.firstIndex(of: 10) ?? bytes.count
    let contentType = String(decoding: bytes[..<split], as: UTF8.self)
    let body = split < bytes.count ? Array(bytes[(split + 1)...]) : []
    let limits = MultipartLimits(maxParts: 8, maxPartHeaderBytes: 256, maxPartHeaderCount: 4)
    guard let parts = try? Multipart.parse(body, contentType: contentType, limits: limits),
          let boundary = try? Multipart.boundary(contentType: contentType) else { return 0 }
    fuzzCheck(parts.count <= limits.maxParts, "more parts than the cap")
    for part in parts {
        fuzzCheck(part.headers.count <= limits.maxPartHeaderCount, "more part headers than the cap")
        fuzzCheck(part.body.count <= body.count, "a part larger than the body")
    }
    do {
        let again = try Multipart.parse(multipartBody(parts, boundary: boundary), boundary: boundary, limits: limits)
        fuzzCheck(again == parts, "parts written back parse differently")
    } catch {
        fuzzCheck(false, "parts written back do not parse: \(error)")
    }
    return 0
}
