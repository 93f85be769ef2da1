import HamletCore

/// Hand-written encoding and decoding of the four bulk messages — `page`, `rows`
/// and `ack` (hub → node) and `push` (node → hub) — which carry thousands of rows
/// and dominated sync time through Foundation's JSON coders. The output is the
/// same JSON the Codable path writes (sorted keys). Both decoders read the same
/// parsed `JSONValue` with the same rules (integers only as JSON integers within
/// 64 bits); a message the fast decoder does not take goes through
/// `ValueDecoder`, which reports the exact error code and path.
enum FastCodec {
    // MARK: encoding

    static func write(_ r: RowState, _ w: inout JSONWriter) {
        w.raw("{")
        if r.deleted { w.raw("\"deleted\":true,") }
        w.raw("\"hseq\":"); w.int(r.hseq)
        w.raw(",\"id\":"); w.string(r.id)
        if let m = r.mergedInto { w.raw(",\"merged_into\":"); w.string(m) }
        w.raw(",\"table\":"); w.string(r.table)
        w.raw(",\"values\":"); w.fields(r.values)
        w.raw(",\"versions\":"); w.ints(r.versions)
        w.raw("}")
    }

    static func write(_ c: Change, _ w: inout JSONWriter) {
        w.raw("{\"author\":"); w.string(c.author)
        w.raw(",\"bases\":"); w.ints(c.bases)
        w.raw(",\"epoch\":"); w.string(c.epoch)
        w.raw(",\"hlc\":"); w.string(c.hlc.description)
        w.raw(",\"node\":"); w.string(c.node)
        w.raw(",\"op\":"); w.string(c.op.rawValue)
        w.raw(",\"row\":"); w.string(c.row)
        w.raw(",\"row_base\":"); w.int(c.rowBase)
        w.raw(",\"seq\":"); w.int(c.seq)
        w.raw(",\"table\":"); w.string(c.table)
        w.raw(",\"values\":"); w.fields(c.values)
        w.raw("}")
    }

    /// The line for a bulk hub message, or nil for the others.
    static func encode(_ m: HubMessage) -> [UInt8]? {
        var w = JSONWriter(capacity: 4096)
        switch m {
        case .page(let items, let cursor, let head, let done, let clock):
            w.raw("{")
            if let clock { w.raw("\"clock\":"); w.string(clock.description); w.raw(",") }
            w.raw("\"cursor\":"); w.int(cursor)
            w.raw(",\"done\":"); w.bool(done)
            w.raw(",\"head\":"); w.int(head)
            w.raw(",\"items\":[")
            for (i, item) in items.enumerated() {
                if i > 0 { w.raw(",") }
                switch item {
                case .put(let r):
                    w.raw("{\"op\":\"put\",\"row\":"); write(r, &w); w.raw("}")
                case .leave(let table, let id, let hseq):
                    w.raw("{\"hseq\":"); w.int(hseq)
                    w.raw(",\"id\":"); w.string(id)
                    w.raw(",\"op\":\"leave\",\"table\":"); w.string(table)
                    w.raw("}")
                }
            }
            w.raw("],\"type\":\"page\"}\n")
        case .rows(let rows):
            w.raw("{\"rows\":[")
            for (i, r) in rows.enumerated() {
                if i > 0 { w.raw(",") }
                write(r, &w)
            }
            w.raw("],\"type\":\"rows\"}\n")
        case .ack(let batch, let results):
            w = JSONWriter(capacity: 48 * max(1, results.count))
            w.raw("{\"batch\":"); w.int(batch)
            w.raw(",\"results\":[")
            for (i, r) in results.enumerated() {
                if i > 0 { w.raw(",") }
                write(r, &w)
            }
            w.raw("],\"type\":\"ack\"}\n")
        default:
            return nil
        }
        return w.bytes
    }

    /// One change's result as `ChangeResult.encode(to:)` writes it, keys sorted.
    static func write(_ r: ChangeResult, _ w: inout JSONWriter) {
        w.raw("{")
        if let code = r.code { w.raw("\"code\":"); w.string(code); w.raw(",") }
        if !r.conflicts.isEmpty {
            w.raw("\"conflicts\":[")
            for (i, id) in r.conflicts.enumerated() {
                if i > 0 { w.raw(",") }
                w.int(id)
            }
            w.raw("],")
        }
        if let hseq = r.hseq { w.raw("\"hseq\":"); w.int(hseq); w.raw(",") }
        if let message = r.message { w.raw("\"message\":"); w.string(message); w.raw(",") }
        if r.resent { w.raw("\"resent\":true,") }
        w.raw("\"seq\":"); w.int(r.seq)
        w.raw(",\"status\":"); w.string(r.status.rawValue)
        w.raw("}")
    }

    /// The line for a push, or nil for other client messages.
    static func encode(_ m: ClientMessage) -> [UInt8]? {
        guard case .push(let batch, let changes) = m else { return nil }
        var w = JSONWriter(capacity: 512 * max(1, changes.count))
        w.raw("{\"batch\":"); w.int(batch)
        w.raw(",\"changes\":[")
        for (i, c) in changes.enumerated() {
            if i > 0 { w.raw(",") }
            write(c, &w)
        }
        w.raw("],\"type\":\"push\"}\n")
        return w.bytes
    }

    // MARK: decoding (nil: let the Codable path decide)

    static func fields(_ v: JSONValue?) -> Fields? {
        guard let o = v?.object else { return v == nil ? [:] : nil }
        var f: Fields = [:]
        for (k, x) in o {
            guard let value = x.fieldValue else { return nil }
            f[k] = value
        }
        return f
    }

    static func ints(_ v: JSONValue?) -> [String: Int64]? {
        guard let o = v?.object else { return v == nil ? [:] : nil }
        var f: [String: Int64] = [:]
        for (k, x) in o {
            guard let i = x.int else { return nil }
            f[k] = i
        }
        return f
    }

    static func rowState(_ v: JSONValue) -> RowState? {
        guard let o = v.object, let table = o["table"]?.string, let id = o["id"]?.string, let hseq = o["hseq"]?.int,
              let values = fields(o["values"]), let versions = ints(o["versions"]) else { return nil }
        let deleted: Bool
        switch o["deleted"] {
        case nil, .null?: deleted = false
        case .bool(let b)?: deleted = b
        default: return nil
        }
        let merged: String?
        switch o["merged_into"] {
        case nil, .null?: merged = nil
        case .string(let s)?: merged = s
        default: return nil
        }
        return RowState(table: table, id: id, values: values, versions: versions, deleted: deleted, mergedInto: merged, hseq: hseq)
    }

    static func change(_ v: JSONValue) -> Change? {
        guard let o = v.object, let node = o["node"]?.string, let seq = o["seq"]?.int, let table = o["table"]?.string,
              let row = o["row"]?.string, let op = o["op"]?.string.flatMap(ChangeOp.init(rawValue:)),
              let hlc = o["hlc"]?.string.flatMap(HLC.init), let values = fields(o["values"]), let bases = ints(o["bases"]) else {
            return nil
        }
        func optionalString(_ k: String) -> String?? {
            switch o[k] {
            case nil: return .some(nil)
            case .string(let s)?: return .some(s)
            default: return nil
            }
        }
        guard let author = optionalString("author"), let epoch = optionalString("epoch") else { return nil }
        let rowBase: Int64
        switch o["row_base"] {
        case nil: rowBase = 0
        case .int(let i)?: rowBase = i
        default: return nil
        }
        return Change(node: node, seq: seq, table: table, row: row, op: op, values: values, bases: bases, rowBase: rowBase,
                      hlc: hlc, author: author ?? "", epoch: epoch ?? "")
    }

    /// A result as the Codable path reads it; nil for anything it would refuse or read differently.
    static func changeResult(_ v: JSONValue) -> ChangeResult? {
        guard let seq = v["seq"]?.int, let status = v["status"]?.string.flatMap(ChangeResult.Status.init(rawValue:)) else { return nil }
        func optional<T>(_ key: String, _ read: (JSONValue) -> T?) -> T?? {
            guard let x = v[key], !x.isNull else { return .some(nil) }
            return read(x).map { .some($0) }
        }
        guard let hseq = optional("hseq", { $0.int }), let code = optional("code", { $0.string }),
              let message = optional("message", { $0.string }), let resent = optional("resent", { $0.bool }),
              let conflicts = optional("conflicts", { x -> [Int64]? in
                  guard let a = x.array else { return nil }
                  let ids = a.compactMap(\.int)
                  return ids.count == a.count ? ids : nil
              }) else { return nil }
        return ChangeResult(seq: seq, status: status, hseq: hseq, conflicts: conflicts ?? [], code: code, message: message,
                            resent: resent ?? false)
    }

    static func decodeHub(_ v: JSONValue) -> HubMessage? {
        guard let type = v["type"]?.string else { return nil }
        switch type {
        case "rows":
            guard let a = v["rows"]?.array else { return nil }
            var rows: [RowState] = []
            rows.reserveCapacity(a.count)
            for x in a {
                guard let r = rowState(x) else { return nil }
                rows.append(r)
            }
            return .rows(rows)
        case "ack":
            guard let batch = v["batch"]?.int, let a = v["results"]?.array else { return nil }
            var results: [ChangeResult] = []
            results.reserveCapacity(a.count)
            for x in a {
                guard let r = changeResult(x) else { return nil }
                results.append(r)
            }
            return .ack(batch: batch, results: results)
        case "page":
            guard let a = v["items"]?.array, let cursor = v["cursor"]?.int, let head = v["head"]?.int, let done = v["done"]?.bool else {
                return nil
            }
            var clock: HLC?
            if let c = v["clock"], !c.isNull {
                guard let h = c.string.flatMap(HLC.init) else { return nil }
                clock = h
            }
            var items: [PullItem] = []
            items.reserveCapacity(a.count)
            for x in a {
                switch x["op"]?.string {
                case "put":
                    guard let r = x["row"].flatMap(rowState) else { return nil }
                    items.append(.put(r))
                case "leave":
                    guard let t = x["table"]?.string, let id = x["id"]?.string, let h = x["hseq"]?.int else { return nil }
                    items.append(.leave(table: t, id: id, hseq: h))
                default:
                    return nil
                }
            }
            return .page(items: items, cursor: cursor, head: head, done: done, clock: clock)
        default:
            return nil
        }
    }

    static func decodeClient(_ v: JSONValue) -> ClientMessage? {
        guard v["type"]?.string == "push", let batch = v["batch"]?.int, let a = v["changes"]?.array else { return nil }
        var changes: [Change] = []
        changes.reserveCapacity(a.count)
        for x in a {
            guard let c = change(x) else { return nil }
            changes.append(c)
        }
        return .push(batch: batch, changes: changes)
    }
}
