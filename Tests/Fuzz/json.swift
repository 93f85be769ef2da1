import HamletCore

// Harness `json`: JSONReader (Sources/HamletCore/JSON/JSONValue.swift) and JSONWriter's strings.
// Invariants: a document that parses, written back compactly, parses to the same value, and writing
// that value again gives the same bytes (parse → write → parse is stable); nothing parses deeper
// than the depth cap.

/// Writes any JSONValue compactly with JSONWriter (keys sorted, numbers as their text).
/// - Parameters:
///   - v: the value.
///   - w: the writer to append to.
func writeJSON(_ v: JSONValue, _ w: inout JSONWriter) {
    switch v {
    case .null: w.raw("null")
    case .bool(let b): w.bool(b)
    case .int(let i): w.int(i)
    case .number(let text): w.bytes.append(contentsOf: text.utf8)
    case .string(let s): w.string(s)
    case .array(let a):
        w.bytes.append(91)
        for (k, e) in a.enumerated() {
            if k > 0 { w.bytes.append(44) }
            writeJSON(e, &w)
        }
        w.bytes.append(93)
    case .object(let o):
        w.bytes.append(123)
        for (k, key) in o.keys.sorted().enumerated() {
            if k > 0 { w.bytes.append(44) }
            w.string(key)
            w.bytes.append(58)
            writeJSON(o[key] ?? .null, &w)
        }
        w.bytes.append(125)
    }
}

/// The nesting depth of a value (a scalar is 0).
func depth(_ v: JSONValue) -> Int {
    switch v {
    case .array(let a): return 1 + (a.map(depth).max() ?? 0)
    case .object(let o): return 1 + (o.values.map(depth).max() ?? 0)
    default: return 0
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSON(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = fuzzBytes(data, size)
    let maxDepth = 16
    guard let value = try? JSONReader.parse(bytes, maxDepth: maxDepth) else { return 0 }
    fuzzCheck(depth(value) <= maxDepth + 1, "parsed deeper than the cap")
    var w = JSONWriter()
    writeJSON(value, &w)
    let again: JSONValue
    do {
        again = try JSONReader.parse(w.bytes, maxDepth: maxDepth)
    } catch {
        fuzzCheck(false, "written JSON does not parse at offset \(error.offset)")
        return 0
    }
    fuzzCheck(again == value, "parse → write → parse changed the value")
    var w2 = JSONWriter()
    writeJSON(again, &w2)
    fuzzCheck(w2.bytes == w.bytes, "writing the re-parsed value gives other bytes")
    return 0
}
