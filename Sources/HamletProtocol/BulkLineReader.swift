import HamletCore

/// Reads a hub `page` or `rows` line straight from its bytes into `PullItem`s and `RowState`s, without the
/// `JSONValue` tree `Codec.parse` builds first (whose dictionaries cost a third of a node's pull).
///
/// It takes only the shapes the hub writes: the members these two messages define, in any order and with any JSON
/// whitespace, strings with any escapes, integers within 64 bits. Anything else — another message type, a member it
/// does not know, an escaped member name, a fraction or exponent, an integer beyond 64 bits, a wrong type, malformed
/// JSON or UTF-8 — makes it give up, and the line takes the general path (`Codec.decodeHubGenerally`), which gives
/// today's answer or today's error. Where it answers, it answers what `FastCodec.decodeHub(Codec.parse(line))`
/// answers: duplicate members keep the last, `null` stands for an absent `deleted`, `merged_into` or `clock`
/// (`BulkLineReaderTests` compares the two on random pages).
struct BulkLineReader {
    /// The reader gave up on the line: the general path decides.
    struct GiveUp: Error {}

    /// The member names the reader knows (those of `page`, `rows`, their items and rows).
    enum Key {
        case type, items, rows, cursor, head, done, clock, op, row, table, id, hseq, values, versions, deleted, mergedInto
        // `push` (BulkLineReader+Push.swift)
        case batch, changes, node, seq, bases, rowBase, hlc, author, epoch
    }

    /// The line, and where the reader is in it (shared with `BulkLineReader+Strings.swift`).
    let b: UnsafeBufferPointer<UInt8>
    var i = 0
    /// How many values and versions the last row held: the next row's dictionaries are sized for as many.
    private var valueCount = 8
    private var versionCount = 8

    init(_ b: UnsafeBufferPointer<UInt8>) { self.b = b }

    /// The `page` or `rows` message on `line` (without its newline), or nil when the general path must decide.
    static func decodeHub(_ line: [UInt8]) -> HubMessage? {
        line.withUnsafeBufferPointer { buf in
            var reader = BulkLineReader(buf)
            return try? reader.message()
        }
    }

    private enum Kind { case page, rows }

    private mutating func message() throws(GiveUp) -> HubMessage {
        var kind: Kind?
        var items: [PullItem]?
        var rows: [RowState]?
        var cursor: Int64?, head: Int64?, done: Bool?
        var clock: HLC?
        skipSpace()
        if try beginObject() {
            repeat {
                switch try key() {
                case .type: kind = try messageKind()
                case .items: items = try array { (r: inout BulkLineReader) throws(GiveUp) in try r.pullItem() }
                case .rows: rows = try array { (r: inout BulkLineReader) throws(GiveUp) in try r.rowState() }
                case .cursor: cursor = try int()
                case .head: head = try int()
                case .done: done = try bool()
                case .clock:
                    clock = nil
                    if let text = try optionalString() {
                        guard let h = HLC(text) else { throw GiveUp() }
                        clock = h
                    }
                default: throw GiveUp()
                }
            } while try nextMember()
        }
        skipSpace()
        guard i == b.count else { throw GiveUp() }
        switch kind {
        case .page?:
            guard let items, let cursor, let head, let done else { throw GiveUp() }
            return .page(items: items, cursor: cursor, head: head, done: done, clock: clock)
        case .rows?:
            guard let rows else { throw GiveUp() }
            return .rows(rows)
        case nil:
            throw GiveUp()
        }
    }

    private mutating func messageKind() throws(GiveUp) -> Kind {
        let (start, end) = try plainString()
        if matches(start, end, "page") { return .page }
        if matches(start, end, "rows") { return .rows }
        throw GiveUp()
    }

    /// `{"op":"put","row":{…}}` or `{"op":"leave","table":…,"id":…,"hseq":…}`.
    private mutating func pullItem() throws(GiveUp) -> PullItem {
        var put: Bool?
        var row: RowState?
        var table: String?, id: String?, hseq: Int64?
        if try beginObject() {
            repeat {
                switch try key() {
                case .op:
                    let (start, end) = try plainString()
                    if matches(start, end, "put") { put = true } else if matches(start, end, "leave") { put = false } else { throw GiveUp() }
                case .row: row = try rowState()
                case .table: table = try string()
                case .id: id = try string()
                case .hseq: hseq = try int()
                default: throw GiveUp()
                }
            } while try nextMember()
        }
        switch put {
        case true?:
            guard let row else { throw GiveUp() }
            return .put(row)
        case false?:
            guard let table, let id, let hseq else { throw GiveUp() }
            return .leave(table: table, id: id, hseq: hseq)
        case nil:
            throw GiveUp()
        }
    }

    private mutating func rowState() throws(GiveUp) -> RowState {
        var table: String?, id: String?, hseq: Int64?
        var values: Fields = [:], versions: [String: Int64] = [:]
        var deleted = false
        var merged: String?
        if try beginObject() {
            repeat {
                switch try key() {
                case .table: table = try string()
                case .id: id = try string()
                case .hseq: hseq = try int()
                case .values: values = try fields()
                case .versions: versions = try ints()
                case .deleted: deleted = try optionalBool() ?? false
                case .mergedInto: merged = try optionalString()
                default: throw GiveUp()
                }
            } while try nextMember()
        }
        guard let table, let id, let hseq else { throw GiveUp() }
        return RowState(table: table, id: id, values: values, versions: versions, deleted: deleted, mergedInto: merged, hseq: hseq)
    }

    /// A field map: each value a string, an integer or null.
    mutating func fields() throws(GiveUp) -> Fields {
        var f = Fields(minimumCapacity: valueCount)
        if try beginObject() {
            repeat {
                let name = try memberName()
                guard i < b.count else { throw GiveUp() }
                switch b[i] {
                case 34: f[name] = .text(try string())
                case 110: try literal("null"); f[name] = .null
                default: f[name] = .integer(try int())
                }
            } while try nextMember()
        }
        valueCount = max(valueCount, f.count)
        return f
    }

    /// A version map: each value an integer.
    mutating func ints() throws(GiveUp) -> [String: Int64] {
        var v = [String: Int64](minimumCapacity: versionCount)
        if try beginObject() {
            repeat {
                let name = try memberName()
                v[name] = try int()
            } while try nextMember()
        }
        versionCount = max(versionCount, v.count)
        return v
    }

    /// `[…]` of elements each read by `element`.
    mutating func array<T>(_ element: (inout BulkLineReader) throws(GiveUp) -> T) throws(GiveUp) -> [T] {
        guard i < b.count, b[i] == 91 else { throw GiveUp() }
        i += 1
        skipSpace()
        var out: [T] = []
        if i < b.count, b[i] == 93 { i += 1; return out }
        while true {
            out.append(try element(&self))
            skipSpace()
            guard i < b.count else { throw GiveUp() }
            if b[i] == 93 { i += 1; return out }
            guard b[i] == 44 else { throw GiveUp() }
            i += 1
            skipSpace()
        }
    }
}

// MARK: tokens

extension BulkLineReader {
    mutating func skipSpace() {
        while i < b.count, b[i] == 32 || b[i] == 10 || b[i] == 13 || b[i] == 9 { i += 1 }
    }

    /// Enters an object; true when a member follows (the reader then sits on its name), false for `{}`.
    mutating func beginObject() throws(GiveUp) -> Bool {
        guard i < b.count, b[i] == 123 else { throw GiveUp() }
        i += 1
        skipSpace()
        if i < b.count, b[i] == 125 { i += 1; return false }
        return true
    }

    /// After a member's value: true when another member follows (the reader then sits on its name), false at `}`.
    mutating func nextMember() throws(GiveUp) -> Bool {
        skipSpace()
        guard i < b.count else { throw GiveUp() }
        if b[i] == 125 { i += 1; return false }
        guard b[i] == 44 else { throw GiveUp() }
        i += 1
        skipSpace()
        return true
    }

    /// After a member's name: the colon and the space around it.
    private mutating func colon() throws(GiveUp) {
        skipSpace()
        guard i < b.count, b[i] == 58 else { throw GiveUp() }
        i += 1
        skipSpace()
    }

    /// A member name the reader knows (unescaped), and its colon.
    mutating func key() throws(GiveUp) -> Key {
        let (s, e) = try plainString()
        let key: Key?
        switch e - s {
        case 2: key = matches(s, e, "id") ? .id : matches(s, e, "op") ? .op : nil
        case 3: key = matches(s, e, "row") ? .row : matches(s, e, "seq") ? .seq : matches(s, e, "hlc") ? .hlc : nil
        case 4:
            key = matches(s, e, "type") ? .type : matches(s, e, "hseq") ? .hseq : matches(s, e, "head") ? .head
                : matches(s, e, "done") ? .done : matches(s, e, "rows") ? .rows : matches(s, e, "node") ? .node : nil
        case 5:
            key = matches(s, e, "table") ? .table : matches(s, e, "items") ? .items : matches(s, e, "clock") ? .clock
                : matches(s, e, "batch") ? .batch : matches(s, e, "bases") ? .bases : matches(s, e, "epoch") ? .epoch : nil
        case 6: key = matches(s, e, "values") ? .values : matches(s, e, "cursor") ? .cursor : matches(s, e, "author") ? .author : nil
        case 7: key = matches(s, e, "deleted") ? .deleted : matches(s, e, "changes") ? .changes : nil
        case 8: key = matches(s, e, "versions") ? .versions : matches(s, e, "row_base") ? .rowBase : nil
        case 11: key = matches(s, e, "merged_into") ? .mergedInto : nil
        default: key = nil
        }
        guard let key else { throw GiveUp() }
        try colon()
        return key
    }

    /// Any member name (a field's), and its colon.
    private mutating func memberName() throws(GiveUp) -> String {
        let name = try string()
        try colon()
        return name
    }

    /// The bounds of a string with no escapes (ASCII by the callers' matching), the reader past its closing quote.
    mutating func plainString() throws(GiveUp) -> (Int, Int) {
        guard i < b.count, b[i] == 34 else { throw GiveUp() }
        let start = i + 1
        var j = start
        while j < b.count, b[j] != 34 {
            guard b[j] != 92, b[j] >= 0x20 else { throw GiveUp() }
            j += 1
        }
        guard j < b.count else { throw GiveUp() }
        i = j + 1
        return (start, j)
    }

    func matches(_ start: Int, _ end: Int, _ word: StaticString) -> Bool {
        guard end - start == word.utf8CodeUnitCount else { return false }
        let w = word.utf8Start
        for k in 0..<(end - start) where b[start + k] != w[k] { return false }
        return true
    }

    private mutating func literal(_ word: StaticString) throws(GiveUp) {
        let n = word.utf8CodeUnitCount
        guard i + n <= b.count, matches(i, i + n, word) else { throw GiveUp() }
        i += n
    }

    private mutating func bool() throws(GiveUp) -> Bool {
        guard i < b.count else { throw GiveUp() }
        if b[i] == 116 { try literal("true"); return true }
        try literal("false")
        return false
    }

    /// `true`, `false`, or nil for `null`.
    private mutating func optionalBool() throws(GiveUp) -> Bool? {
        if i < b.count, b[i] == 110 { try literal("null"); return nil }
        return try bool()
    }

    /// A string, or nil for `null`.
    mutating func optionalString() throws(GiveUp) -> String? {
        if i < b.count, b[i] == 110 { try literal("null"); return nil }
        return try string()
    }

    /// A JSON integer that fits 64 bits (no fraction, no exponent, no leading zero).
    mutating func int() throws(GiveUp) -> Int64 {
        let negative = i < b.count && b[i] == 45
        if negative { i += 1 }
        guard i < b.count, b[i] >= 48, b[i] <= 57 else { throw GiveUp() }
        var v: Int64 = 0
        if b[i] == 48 {
            i += 1
        } else {
            while i < b.count, b[i] >= 48, b[i] <= 57 {
                let d = Int64(b[i] &- 48)
                let (m, o1) = v.multipliedReportingOverflow(by: 10)
                let (s, o2) = negative ? m.subtractingReportingOverflow(d) : m.addingReportingOverflow(d)
                guard !o1, !o2 else { throw GiveUp() }
                v = s
                i += 1
            }
        }
        if i < b.count, (b[i] >= 48 && b[i] <= 57) || b[i] == 46 || b[i] == 101 || b[i] == 69 { throw GiveUp() }
        return v
    }
}
