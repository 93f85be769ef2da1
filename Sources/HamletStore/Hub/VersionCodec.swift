import HamletCore

/// Packs a row's field versions into one column (`_v`): `field=hseq,hlc,w1|w2;…`.
///
/// Storing the facts in a column of the row costs a third of a row per field
/// version (LINUX-NOTES: 35–38% of plain insert against 11–12%). Field names
/// are schema identifiers and node ids are `[a-z0-9_-]` or `@hub`, so the
/// separators never occur inside an element.
enum VersionCodec {
    /// The packed text of `versions`, fields in `sorted()` order. `order`, when given, is the table's field names
    /// already sorted (``HubStore/sortedFieldNames(_:)``), sparing the sort; a version under another name falls
    /// back to sorting. Written into one byte buffer; a version equal to the one before it (every field of a new
    /// row shares one) is copied, not written again.
    static func encode(_ versions: [String: FieldVersion], order: [String]? = nil) -> String {
        var keys = order ?? []
        if order == nil || keys.lazy.filter({ versions[$0] != nil }).count != versions.count { keys = versions.keys.sorted() }
        var out: [UInt8] = []
        out.reserveCapacity(versions.count * 48)
        var last: FieldVersion?
        var lastBytes: [UInt8] = []
        for k in keys {
            guard let v = versions[k] else { continue }
            if !out.isEmpty { out.append(59) }                 // ';'
            out.append(contentsOf: k.utf8)
            out.append(61)                                     // '='
            if let last, last == v {
                out.append(contentsOf: lastBytes)
                continue
            }
            let start = out.count
            out.append(contentsOf: String(v.hseq).utf8)
            out.append(44)                                     // ','
            out.append(contentsOf: v.hlc.description.utf8)
            out.append(44)
            for (i, w) in v.writers.enumerated() {
                if i > 0 { out.append(124) }                   // '|'
                out.append(contentsOf: w.utf8)
            }
            last = v
            lastBytes = Array(out[start...])
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func decode(_ text: String) -> [String: FieldVersion] {
        var out: [String: FieldVersion] = [:]
        var text = text
        text.withUTF8 { u in
            out.reserveCapacity(u.isEmpty ? 0 : 1 + u.count(where: { $0 == 59 }))    // one version per ';'-separated element
            var i = 0
            let n = u.count
            func slice(_ a: Int, _ b: Int) -> String {
                String(decoding: UnsafeBufferPointer(rebasing: u[a..<b]), as: UTF8.self)
            }
            while i < n {
                let nameStart = i
                while i < n && u[i] != 61 { i += 1 }           // '='
                guard i < n else { return }
                let name = slice(nameStart, i)
                i += 1
                var h: Int64 = 0
                while i < n, u[i] >= 48, u[i] <= 57 { h = h * 10 + Int64(u[i] - 48); i += 1 }
                guard i < n, u[i] == 44 else { return }        // ','
                i += 1
                // HLC: wall digits '.' counter digits '.' node
                var wall: Int64 = 0
                while i < n, u[i] >= 48, u[i] <= 57 { wall = wall * 10 + Int64(u[i] - 48); i += 1 }
                guard i < n, u[i] == 46 else { return }
                i += 1
                var counter: Int64 = 0
                while i < n, u[i] >= 48, u[i] <= 57 { counter = counter * 10 + Int64(u[i] - 48); i += 1 }
                guard i < n, u[i] == 46 else { return }
                i += 1
                let nodeStart = i
                while i < n && u[i] != 44 { i += 1 }
                let node = slice(nodeStart, i)
                i += 1
                var writers: [String] = []
                var w = i
                while i <= n {
                    if i == n || u[i] == 124 || u[i] == 59 {    // '|' or ';'
                        if i > w { writers.append(slice(w, i)) }
                        if i == n || u[i] == 59 { break }
                        w = i + 1
                    }
                    i += 1
                }
                i += 1
                out[name] = FieldVersion(hseq: h, hlc: HLC(wall: wall, counter: counter, node: node), writers: writers)
            }
        }
        return out
    }

    /// Only each field's `hseq`, read straight from the bytes (what pulls, snapshots and digests need).
    static func hseqs(_ text: String) -> [String: Int64] {
        var out: [String: Int64] = [:]
        var text = text
        text.withUTF8 { u in
            var i = 0
            let n = u.count
            while i < n {
                let nameStart = i
                while i < n && u[i] != 61 { i += 1 }       // '='
                guard i < n else { return }
                let name = String(decoding: UnsafeBufferPointer(rebasing: u[nameStart..<i]), as: UTF8.self)
                i += 1
                var h: Int64 = 0
                while i < n, u[i] >= 48, u[i] <= 57 { h = h * 10 + Int64(u[i] - 48); i += 1 }
                out[name] = h
                while i < n && u[i] != 59 { i += 1 }       // ';'
                i += 1
            }
        }
        return out
    }

    static func encode(_ v: FieldVersion?) -> Value {
        guard let v else { return .null }
        return .text(String(v.hseq) + "," + v.hlc.description + "," + v.writers.joined(separator: "|"))
    }

    static func decodeOne(_ text: String?) -> FieldVersion? {
        guard let text else { return nil }
        return decode("x=" + text)["x"]
    }
}
