import HamletCore

/// How the operator's conflict list is ordered; ties always fall back to the conflict's number.
public enum ConflictSort: String, Sendable, CaseIterable {
    /// Oldest first (by conflict number).
    case age
    /// Village by village, in pinyin order of the village name.
    case village
    /// Field conflicts, then delete conflicts, then duplicates.
    case kind
}

/// Which conflicts the operator's list shows: filters that combine, a search, and an order.
public struct ConflictQuery: Sendable {
    /// `open` or `resolved`; nil lists every status.
    public var status: String?
    /// One village only.
    public var village: String?
    /// One kind only.
    public var kind: ConflictKind?
    /// One table only (with `field`: one field of it).
    public var table: String?
    /// One field only (field conflicts).
    public var field: String?
    /// A name, 身份证号 (or its last digits), a row id (or its end) or `#` and a conflict number.
    public var search: RecordSearch?
    public var sort: ConflictSort

    /// - Parameters:
    ///   - status: `open` (default), `resolved`, or nil for every status.
    ///   - village: One village only.
    ///   - kind: One kind only.
    ///   - search: Conflicts about the rows this finds.
    ///   - sort: The order of the list.
    ///   - table: One table only.
    ///   - field: One field only.
    public init(status: String? = "open", village: String? = nil, kind: ConflictKind? = nil, search: RecordSearch? = nil,
                sort: ConflictSort = .age, table: String? = nil, field: String? = nil) {
        self.status = status
        self.village = village
        self.kind = kind
        self.table = table
        self.field = field
        self.search = search
        self.sort = sort
    }
}

/// Where a page of conflicts starts. Cursors name a conflict (its number): the page holds the conflicts after it
/// (or before it) in the list's order, so new conflicts never shift a page the operator is working through.
/// A cursor naming no conflict reads as `first`.
public enum ConflictPosition: Sendable, Equatable {
    /// The start of the list.
    case first
    /// The conflicts after this one, in the list's order.
    case after(Int64)
    /// The conflicts just before this one, in the list's order (the previous page).
    case before(Int64)
    /// Skip this many (`--page`); a new conflict may shift such a page, a cursor never does.
    case offset(Int)
}

/// One page of the conflict list, with exact counts.
public struct ConflictPage: Sendable {
    /// The conflicts of this page, in the list's order.
    public var conflicts: [ConflictRecord]
    /// How many conflicts match the filters in all.
    public var total: Int
    /// The 1-based position of the page's first conflict in the whole list.
    public var from: Int
    /// Whether conflicts come before this page.
    public var hasPrevious: Bool { from > 1 }
    /// Whether conflicts come after this page.
    public var hasNext: Bool { to < total }
    /// The position of the page's last conflict (`from - 1` when the page is empty).
    public var to: Int { from + conflicts.count - 1 }
    /// The cursor of the next page (`after`), nil on the last page.
    public var next: Int64? { hasNext ? conflicts.last?.id : nil }
    /// The cursor of the previous page (`before`), nil on the first page.
    public var previous: Int64? { hasPrevious ? conflicts.first?.id : nil }
}

extension HubStore {
    /// Extra conflict indexes (added after release 1, so also created on open of a writable hub): the list's
    /// default order under a status filter, and kind filters, each served without a sort.
    static let conflictIndexesSQL = [
        "CREATE INDEX IF NOT EXISTS conflicts_status_id ON conflicts (status, id)",
        "CREATE INDEX IF NOT EXISTS conflicts_status_kind ON conflicts (status, kind, id)",
    ]

    /// One page of conflicts matching a query, read in one snapshot so the counts agree with the rows.
    ///
    /// - Parameters:
    ///   - query: Filters, search and order.
    ///   - position: Where the page starts.
    ///   - limit: The most conflicts on the page (at least 1).
    /// - Returns: The page, the exact number matching, and the page's place in the list.
    /// - Throws: `StoreError` when a read fails.
    public func conflictPage(_ query: ConflictQuery, at position: ConflictPosition = .first, limit: Int) throws -> ConflictPage {
        let limit = max(1, limit)
        return try connection.transaction(.deferred) {
            let order = ConflictOrder(query.sort, villages: query.sort == .village ? try conflictVillages() : [])
            var sql = ConflictSQL()
            sql.filter(query, schema: self)
            let total = Int(try connection.scalar("SELECT count(*) FROM conflicts \(sql.whereClause)", sql.args).integer ?? 0)
            var page = sql
            var descending = false
            var skip = 0
            switch position {
            case .first: break
            case .offset(let n): skip = max(0, n)
            case .after(let id), .before(let id):
                guard let anchor = try conflict(id) else { break }
                descending = position == .before(id)
                page.clauses.append(order.keyset(anchor, after: !descending, in: &page))
            }
            let direction = descending ? "DESC" : "ASC"
            let key = order.key(in: &page)
            let rows = try connection.rows("""
                SELECT \(HubStore.conflictColumns) FROM conflicts \(page.whereClause)
                ORDER BY \(key) \(direction), id \(direction) LIMIT \(page.bind(.integer(Int64(limit)))) OFFSET \(page.bind(.integer(Int64(skip))))
                """, page.args).map(decodeConflict)
            let list = descending ? Array(rows.reversed()) : rows
            guard let first = list.first else {
                let from: Int
                switch position {
                case .first, .before: from = 1
                case .after: from = total + 1
                case .offset: from = min(total, skip) + 1
                }
                return ConflictPage(conflicts: [], total: total, from: from)
            }
            var before = sql
            before.clauses.append(order.keyset(first, after: false, in: &before))
            let ahead = Int(try connection.scalar("SELECT count(*) FROM conflicts \(before.whereClause)", before.args).integer ?? 0)
            return ConflictPage(conflicts: list, total: total, from: ahead + 1)
        }
    }

    /// Open conflicts per village, counted from the (status, village) index without reading a conflict.
    /// - Returns: The number of open conflicts by village (villages without any are absent).
    /// - Throws: `StoreError` when a read fails.
    public func openConflictsByVillage() throws -> [String: Int] {
        var out: [String: Int] = [:]
        for r in try connection.rows("SELECT village, count(*) FROM conflicts WHERE status = 'open' GROUP BY village") {
            out[try r.text(0)] = Int(try r.int(1))
        }
        return out
    }

    /// Matching conflicts by kind (the list's summary), every status the query covers.
    /// - Parameter query: Filters and search (the order is ignored).
    /// - Returns: The exact count of each kind that has any.
    /// - Throws: `StoreError` when a read fails.
    public func conflictCounts(_ query: ConflictQuery) throws -> [ConflictKind: Int] {
        var sql = ConflictSQL()
        sql.filter(query, schema: self)
        var out: [ConflictKind: Int] = [:]
        for r in try connection.rows("SELECT kind, count(*) FROM conflicts \(sql.whereClause) GROUP BY kind", sql.args) {
            if let k = ConflictKind(rawValue: try r.text(0)) { out[k] = Int(try r.int(1)) }
        }
        return out
    }

    /// Every village a conflict names, in pinyin order (the village order's ranks).
    func conflictVillages() throws -> [String] {
        try connection.rows("SELECT DISTINCT village FROM conflicts").map { try $0.text(0) }
            .sorted { (Pinyin.sortKey($0), $0) < (Pinyin.sortKey($1), $1) }
    }
}

/// A WHERE clause under construction, its arguments numbered as they are added.
struct ConflictSQL {
    var clauses: [String] = []
    var args: [Value] = []
    /// The order's key expression once bound (its village names are arguments).
    var orderKey: String?

    var whereClause: String { clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND ") }

    /// Adds an argument and returns its placeholder.
    mutating func bind(_ value: Value) -> String {
        args.append(value)
        return "?\(args.count)"
    }

    /// The query's filters. The search goes first: its conditions number their arguments from `?1`.
    mutating func filter(_ q: ConflictQuery, schema store: HubStore) {
        if let search = q.search { clauses.append(store.conflictSearchClause(search, args: &args)) }
        if let status = q.status { clauses.append("status = \(bind(.text(status)))") }
        if let village = q.village { clauses.append("village = \(bind(.text(village)))") }
        if let kind = q.kind { clauses.append("kind = \(bind(.text(kind.rawValue)))") }
        if let table = q.table { clauses.append("tbl = \(bind(.text(table)))") }
        if let field = q.field { clauses.append("field = \(bind(.text(field)))") }
    }
}

/// The list's order as SQL: a sort key (nil for age) and the keyset condition relative to one conflict.
struct ConflictOrder {
    var sort: ConflictSort
    /// Village ranks in pinyin order.
    var villageRanks: [String: Int] = [:]
    var villages: [String]

    init(_ sort: ConflictSort, villages: [String]) {
        self.sort = sort
        self.villages = villages
        for (i, v) in villages.enumerated() { villageRanks[v] = i }
    }

    /// The sort key expression ("id" for age, whose keys are the ids themselves).
    func key(in sql: inout ConflictSQL) -> String {
        if let bound = sql.orderKey { return bound }
        let k = makeKey(&sql)
        sql.orderKey = k
        return k
    }

    private func makeKey(_ sql: inout ConflictSQL) -> String {
        switch sort {
        case .age: return "id"
        case .kind:
            let whens = ConflictKind.allCases.enumerated().map { "WHEN '\($0.element.rawValue)' THEN \($0.offset)" }
            return "(CASE kind \(whens.joined(separator: " ")) ELSE \(ConflictKind.allCases.count) END)"
        case .village:
            guard !villages.isEmpty else { return "0" }
            let whens = villages.enumerated().map { "WHEN \(sql.bind(.text($0.element))) THEN \($0.offset)" }
            return "(CASE village \(whens.joined(separator: " ")) ELSE \(villages.count) END)"
        }
    }

    /// The rank of one conflict under this order.
    func rank(_ c: ConflictRecord) -> Int64 {
        switch sort {
        case .age: return c.id
        case .kind: return Int64(ConflictKind.allCases.firstIndex(of: c.kind) ?? ConflictKind.allCases.count)
        case .village: return Int64(villageRanks[c.village] ?? villages.count)
        }
    }

    /// The conflicts strictly after (or before) `anchor` in this order.
    func keyset(_ anchor: ConflictRecord, after: Bool, in sql: inout ConflictSQL) -> String {
        let op = after ? ">" : "<"
        let id = sql.bind(.integer(anchor.id))
        if sort == .age { return "id \(op) \(id)" }
        let k = key(in: &sql)
        let r = sql.bind(.integer(rank(anchor)))
        return "(\(k) \(op) \(r) OR (\(k) = \(r) AND id \(op) \(id)))"
    }
}
