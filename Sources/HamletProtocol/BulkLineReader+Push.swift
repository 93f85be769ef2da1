import HamletCore

/// A node's `push` line read straight from its bytes into `Change`s (issue 17), as `page` and `rows` lines are at the
/// node: the hub decodes every push a village sends, and the `JSONValue` tree cost it about as much as the reads
/// and writes of the batch's first half. The same rule holds: the reader takes only what `push` defines; a member it
/// does not know, a `null` where `FastCodec.change` wants a string, an unparsable `hlc`, an unknown `op` or anything
/// malformed makes it give up, and `Codec.decodeClient` takes the general path, which answers or refuses as before
/// (`BulkLineReaderPushTests` compares the two on random and broken pushes).
extension BulkLineReader {
    /// The `push` message on `line` (without its newline), or nil when the general path must decide.
    static func decodeClient(_ line: [UInt8]) -> ClientMessage? {
        line.withUnsafeBufferPointer { buf in
            var reader = BulkLineReader(buf)
            return try? reader.pushMessage()
        }
    }

    private mutating func pushMessage() throws(GiveUp) -> ClientMessage {
        var isPush = false
        var batch: Int64?
        var changes: [Change]?
        skipSpace()
        if try beginObject() {
            repeat {
                switch try key() {
                case .type:
                    let (start, end) = try plainString()
                    isPush = matches(start, end, "push")
                case .batch: batch = try int()
                case .changes: changes = try array { (r: inout BulkLineReader) throws(GiveUp) in try r.change() }
                default: throw GiveUp()
                }
            } while try nextMember()
        }
        skipSpace()
        guard i == b.count, isPush, let batch, let changes else { throw GiveUp() }
        return .push(batch: batch, changes: changes)
    }

    /// One change: `node`, `seq`, `table`, `row`, `op`, `hlc` required; `values` and `bases` absent = empty;
    /// `row_base` absent = 0; `author` and `epoch` absent = "" (a `null` for any of these is the general path's).
    private mutating func change() throws(GiveUp) -> Change {
        var node: String?, seq: Int64?, table: String?, row: String?, op: ChangeOp?, hlc: HLC?
        var values: Fields = [:], bases: [String: Int64] = [:]
        var rowBase: Int64 = 0
        var author = "", epoch = ""
        if try beginObject() {
            repeat {
                switch try key() {
                case .node: node = try string()
                case .seq: seq = try int()
                case .table: table = try string()
                case .row: row = try string()
                case .op:
                    let (start, end) = try plainString()
                    op = matches(start, end, "put") ? .put : matches(start, end, "delete") ? .delete : nil
                    guard op != nil else { throw GiveUp() }
                case .hlc:
                    guard let stamp = HLC(try string()) else { throw GiveUp() }
                    hlc = stamp
                case .values: values = try fields()
                case .bases: bases = try ints()
                case .rowBase: rowBase = try int()
                case .author: author = try string()
                case .epoch: epoch = try string()
                default: throw GiveUp()
                }
            } while try nextMember()
        }
        guard let node, let seq, let table, let row, let op, let hlc else { throw GiveUp() }
        return Change(node: node, seq: seq, table: table, row: row, op: op, values: values, bases: bases, rowBase: rowBase,
                      hlc: hlc, author: author, epoch: epoch)
    }
}
