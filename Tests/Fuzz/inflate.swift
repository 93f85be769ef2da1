@testable import HamletCore

// Harness `inflate`: the DEFLATE decoder (Sources/HamletCore/Sheet/Inflate.swift) on raw input, where the
// fuzzer reaches block types and Huffman tables faster than through a ZIP container.
// Invariants: the output never exceeds the limit; the first byte picks a limit, and a smaller limit
// either fails or gives the same output.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzInflate(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = fuzzBytes(data, size)
    guard let first = bytes.first else { return 0 }
    let stream = Array(bytes.dropFirst())
    let limit = 1 << 16
    guard let full = try? Inflate.inflate(stream, limit: limit) else { return 0 }
    fuzzCheck(full.count <= limit, "inflated past the limit")
    let small = Int(first) * 64
    if let cut = try? Inflate.inflate(stream, limit: small) {
        fuzzCheck(cut == full, "a smaller limit gave other output")
    } else {
        fuzzCheck(full.count > small, "a limit the output fits in failed")
    }
    return 0
}
