import HamletCore

/// Packs a row's field versions into one column (`_v`): `field=hseq,hlc,w1|w2;…`.
///
/// Storing the facts in a column of the row costs a third of a row per field
/// version (LINUX-NOTES: 35–38% of plain insert against 11–12%). Field names
/// are schema identifiers and node ids are `[a-z0-9_-]` or `@hub`, so the
/// separators never occur inside an element.
enum VersionCodec {
    /// The packed text of `versions`, fields in `sorted()` order. `order`, when given, is the table's field names
    /// already sorted (``TableLayout/sortedNames``), sparing the sort; a version under another name falls back to
    /// sorting.
    static func encode(_ versions: [String: FieldVersion], order: [String]? = nil) -> String {
        var keys = order ?? []
        if order == nil || keys.lazy.filter({ versions[$0] != nil }).count != versions.count { keys = versions.keys.sorted() }
        var packer = Packer(capacity: versions.count)
        for k in keys {
            guard let v = versions[k] else { continue }
            packer.add(k.utf8, v)
        }
        return packer.text
    }

    /// The packed text of a row's versions. A row kept by its table's layout with nothing outside it is written
    /// by ordinal in the layout's sorted order; any other goes through its name map. The same text either way.
    static func encode(_ row: HubRow) -> String {
        guard let layout = row.layout, row.versionsOutsideLayout.isEmpty else {
            return encode(row.versions, order: row.layout?.sortedNames)
        }
        var packer = Packer(capacity: layout.names.count)
        for (j, o) in layout.sortedOrdinals.enumerated() {
            guard let v = row.cellVersions[o] else { continue }
            packer.add(layout.sortedNameBytes[j], v)
        }
        return packer.text
    }

    /// Writes packed versions into one byte buffer, in the order given; a version equal to the one before it (every
    /// field of a new row shares one) is copied, not written again.
    private struct Packer {
        var out: [UInt8] = []
        var last: FieldVersion?
        var lastBytes: [UInt8] = []

        init(capacity: Int) {
            out.reserveCapacity(capacity * 48)
        }

        mutating func add(_ name: some Collection<UInt8>, _ v: FieldVersion) {
            if !out.isEmpty { out.append(59) }                 // ';'
            out.append(contentsOf: name)
            out.append(61)                                     // '='
            if let last, last == v {
                out.append(contentsOf: lastBytes)
                return
            }
            let start = out.count
            VersionCodec.append(v, to: &out)
            last = v
            lastBytes = Array(out[start...])
        }

        var text: String { String(decoding: out, as: UTF8.self) }
    }

    /// `hseq,hlc,w1|w2`.
    private static func append(_ v: FieldVersion, to out: inout [UInt8]) {
        out.append(contentsOf: String(v.hseq).utf8)
        out.append(44)                                         // ','
        out.append(contentsOf: v.hlc.description.utf8)
        out.append(44)
        for (i, w) in v.writers.enumerated() {
            if i > 0 { out.append(124) }                       // '|'
            out.append(contentsOf: w.utf8)
        }
    }

    static func decode(_ text: String) -> [String: FieldVersion] {
        var out: [String: FieldVersion] = [:]
        var text = text
        text.withUTF8 { u in
            out.reserveCapacity(u.isEmpty ? 0 : 1 + u.count(where: { $0 == 59 }))    // one version per ';'-separated element
            parse(u) { name, v in out[slice(u, name)] = v }
        }
        return out
    }

    /// The packed versions of a row of a table with `layout`, by ordinal; a version under a name outside the layout
    /// (a dropped field's) goes to `extra`. Names are matched against the layout's sorted names as bytes, in step
    /// (they are packed in that order), so no string is made for them.
    static func decode(_ text: String, layout: TableLayout) -> (versions: [FieldVersion?], extra: [String: FieldVersion]) {
        var versions = [FieldVersion?](repeating: nil, count: layout.names.count)
        var extra: [String: FieldVersion] = [:]
        var text = text
        text.withUTF8 { u in
            var j = 0
            let sorted = layout.sortedNameBytes
            parse(u) { name, v in
                let bytes = UnsafeBufferPointer(rebasing: u[name])
                if j < sorted.count, sorted[j].elementsEqual(bytes) {
                    versions[layout.sortedOrdinals[j]] = v
                    j += 1
                } else if let o = layout.ordinals[slice(u, name)] {
                    versions[o] = v
                } else {
                    extra[slice(u, name)] = v
                }
            }
        }
        return (versions, extra)
    }

    private static func slice(_ u: UnsafeBufferPointer<UInt8>, _ r: Range<Int>) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: u[r]), as: UTF8.self)
    }

    /// Calls `each` with every element's name (a byte range of `u`) and version, in order; stops at a malformed one.
    private static func parse(_ u: UnsafeBufferPointer<UInt8>, _ each: (Range<Int>, FieldVersion) -> Void) {
        var i = 0
        let n = u.count
        while i < n {
            let nameStart = i
            while i < n && u[i] != 61 { i += 1 }           // '='
            guard i < n else { return }
            let name = nameStart..<i
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
            let node = slice(u, nodeStart..<i)
            i += 1
            var writers: [String] = []
            var w = i
            while i <= n {
                if i == n || u[i] == 124 || u[i] == 59 {    // '|' or ';'
                    if i > w { writers.append(slice(u, w..<i)) }
                    if i == n || u[i] == 59 { break }
                    w = i + 1
                }
                i += 1
            }
            i += 1
            each(name, FieldVersion(hseq: h, hlc: HLC(wall: wall, counter: counter, node: node), writers: writers))
        }
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
