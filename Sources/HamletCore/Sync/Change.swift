import HamletCrypto

/// The operation a change performs on a row.
public enum ChangeOp: String, Sendable, Codable, Hashable {
    /// Sets the listed fields (creates the row when every base is 0 and the hub lacks it).
    case put
    /// Tombstones the row.
    case delete
}

/// One row operation made on one node, identified by `(node, seq)`.
///
/// It carries, for each field it sets, the base version: the hub version of
/// that field the node had seen when the edit was made (0 for a row it created).
public struct Change: Sendable, Codable, Hashable {
    public var node: String
    public var seq: Int64
    public var table: String
    public var row: String
    public var op: ChangeOp
    /// Field values set (put only).
    public var values: Fields
    /// Base version of each field in `values`.
    public var bases: [String: Int64]
    /// The highest hub version of the row the node had seen (used for deletes and scope).
    public var rowBase: Int64
    public var hlc: HLC
    public var author: String
    /// The hub epoch the bases belong to (empty before the first sync).
    public var epoch: String

    public init(node: String, seq: Int64, table: String, row: String, op: ChangeOp, values: Fields,
                bases: [String: Int64], rowBase: Int64, hlc: HLC, author: String, epoch: String) {
        self.node = node
        self.seq = seq
        self.table = table
        self.row = row
        self.op = op
        self.values = values
        self.bases = bases
        self.rowBase = rowBase
        self.hlc = hlc
        self.author = author
        self.epoch = epoch
    }

    enum CodingKeys: String, CodingKey {
        case node, seq, table, row, op, values, bases, hlc, author, epoch
        case rowBase = "row_base"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        node = try c.decode(String.self, forKey: .node)
        seq = try c.decode(Int64.self, forKey: .seq)
        table = try c.decode(String.self, forKey: .table)
        row = try c.decode(String.self, forKey: .row)
        op = try c.decode(ChangeOp.self, forKey: .op)
        values = try c.decodeIfPresent(Fields.self, forKey: .values) ?? [:]
        bases = try c.decodeIfPresent([String: Int64].self, forKey: .bases) ?? [:]
        rowBase = try c.decodeIfPresent(Int64.self, forKey: .rowBase) ?? 0
        hlc = try c.decode(HLC.self, forKey: .hlc)
        author = try c.decodeIfPresent(String.self, forKey: .author) ?? ""
        epoch = try c.decodeIfPresent(String.self, forKey: .epoch) ?? ""
    }

    /// A hash of everything the change says, independent of key order:
    /// a re-sent `(node, seq)` must carry the same content (`seq-reused` otherwise).
    public var contentHash: String {
        var h = SHA256()
        h.updateFramed(node); h.updateFramed(seq); h.updateFramed(table); h.updateFramed(row); h.updateFramed(op.rawValue)
        for k in values.keys.sorted() {
            h.updateFramed(k)
            switch values[k] ?? .null {
            case .null: h.updateFramed("n")
            case .text(let s): h.updateFramed("t"); h.updateFramed(s)
            case .integer(let i): h.updateFramed("i"); h.updateFramed(i)
            }
            h.updateFramed(bases[k] ?? 0)
        }
        h.updateFramed(rowBase); h.updateFramed(hlc.description); h.updateFramed(author); h.updateFramed(epoch)
        return Hex.encode(h.finalize())
    }
}
